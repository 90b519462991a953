"""``[api]`` options: the HTTP front end of the gateway."""

from oslo_config import cfg

GROUP = cfg.OptGroup('api', title='API server options')

OPTS = [
    cfg.HostAddressOpt('bind_host', default='127.0.0.1',
                       help='Address trio2o-api listens on.'),
    cfg.PortOpt('bind_port', default=19996,
                help='Port trio2o-api listens on.'),
    cfg.IntOpt('workers', default=1, min=1,
               help='Number of trio2o-api worker processes. With more '
                    'than one, a worker that dies is replaced.'),
    cfg.IntOpt('client_socket_timeout', default=900, min=0,
               help='Seconds trio2o-api waits on a client connection '
                    'that sends nothing (an idle keep-alive connection, '
                    'a slow client) before closing it. 0 waits forever.'),
    cfg.StrOpt('paste_config', default='api-paste.ini',
               help='Paste deploy file; a relative name is looked up next '
                    'to the configuration files, then in etc/trio2o.'),
    cfg.URIOpt('public_url', schemes=['http', 'https'],
               help='Base URL clients reach the gateway at, used in every '
                    'href the gateway writes. Defaults to the request\'s '
                    'host URL.'),
    cfg.IntOpt('max_request_body_size', default=114688, min=1,
               help='Largest request body, in bytes, the gateway accepts; '
                    'a larger one is answered with 413.'),
    cfg.IntOpt('max_limit', default=1000, min=1,
               help='Largest page a list call returns.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    return [(GROUP, OPTS)]
