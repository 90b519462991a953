"""Bodies of ``os-getConsoleOutput`` and the remote consoles (<= 2.5)."""

from trio2o_plugins.nova.schemas import common

GET_CONSOLE_OUTPUT = common.strict_object(
    {'length': {'type': ['integer', 'string', 'null'],
                'pattern': '^-?[0-9]+$', 'minimum': -1}})


def _console(*types: str) -> common.Schema:
    return common.strict_object(
        {'type': {'type': 'string', 'enum': list(types)}},
        required=('type',))


GET_VNC_CONSOLE = _console('novnc', 'xvpvnc')
GET_SPICE_CONSOLE = _console('spice-html5')
GET_SERIAL_CONSOLE = _console('serial')
