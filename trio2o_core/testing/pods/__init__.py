"""Service scripts run by the pod environment's interpreter.

These import only the standard library and the pod environment's packages.
"""
