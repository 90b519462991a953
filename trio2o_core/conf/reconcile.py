"""``[reconcile]`` options: the reconciler ``trio2o-api`` runs itself."""

from oslo_config import cfg

GROUP = cfg.OptGroup('reconcile', title='Periodic reconciliation options')

OPTS = [
    cfg.IntOpt('interval', default=600, min=0,
               help='Seconds between two runs of the reconciler inside '
                    'trio2o-api (one per server, in the supervising '
                    'process), which settles the routing rows that '
                    'interrupted calls left (see "trio2o-manage routings '
                    'reconcile"). It acts as the service user of '
                    '[keystone_authtoken], who needs the admin role; '
                    'without those credentials it stays off. 0: off.'),
    cfg.FloatOpt('older_than', default=300.0, min=0,
                 help='Seconds a row must be left alone before a '
                      'periodic run settles it.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    return [(GROUP, OPTS)]
