"""Pinned Python environment for the local OpenStack services."""
