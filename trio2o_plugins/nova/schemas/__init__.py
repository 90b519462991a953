"""JSON schemas of the server actions' bodies, one module per family.

Each schema describes the value of the action's key (``{"reboot":
<value>}``), for the microversion range its handler names.
"""
