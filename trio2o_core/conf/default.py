"""``[DEFAULT]`` options."""

import os

from oslo_config import cfg

OPTS = [
    cfg.StrOpt('state_path',
               default=os.path.join(os.path.expanduser('~'), '.local',
                                    'share', 'trio2o'),
               sample_default='~/.local/share/trio2o',
               help='Directory where Trio2o keeps its state, such as the '
                    'embedded SQLite database.'),
    cfg.ListOpt('enabled_services',
                default=['nova', 'cinder', 'glance', 'admin'],
                help='Service drivers (entry points in the '
                     'trio2o.api.services group) this gateway serves.'),
    cfg.StrOpt('auth_strategy',
               default='keystone',
               choices=[('keystone', 'Validate tokens with Keystone.'),
                        ('noauth', 'Trust X-User-Id/X-Project-Id/X-Roles '
                                   'headers. For local development only: '
                                   'never expose such a gateway.')],
               help='How the gateway authenticates requests.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(OPTS)


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    return [(None, OPTS)]
