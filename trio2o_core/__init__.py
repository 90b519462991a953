"""Trio2o: one OpenStack API gateway in front of many OpenStack clouds."""
