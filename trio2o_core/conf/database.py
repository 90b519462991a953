"""``[database]`` options."""

from oslo_config import cfg

GROUP = cfg.OptGroup('database', title='Gateway database options')

OPTS = [
    cfg.StrOpt('connection', secret=True,
               help='SQLAlchemy URL of the gateway database. Defaults to '
                    'the SQLite file trio2o.sqlite under state_path. '
                    'PostgreSQL (postgresql+psycopg2://...) and '
                    'MySQL/MariaDB/Galera (mysql+pymysql://...) work too.'),
    cfg.IntOpt('pool_size', default=10, min=1,
               help='Connections kept open per process (not SQLite); up '
                    'to 10 more are opened, and closed after use, when '
                    'more requests than that use the database at once.'),
    cfg.IntOpt('pool_recycle', default=3600, min=-1,
               help='Seconds after which a pooled connection is reopened.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    return [(GROUP, OPTS)]
