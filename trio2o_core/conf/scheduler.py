"""``[scheduler]`` options."""

from oslo_config import cfg

GROUP = cfg.OptGroup('scheduler', title='Pod scheduling options')

OPTS = [
    cfg.StrOpt('policy', default='binding',
               help='Scheduling policy (an entry point in the '
                    'trio2o.scheduler.policies group) that picks the pod '
                    'for a new server or volume: binding, least-loaded, '
                    'weighted, or one an installed package declares.'),
    cfg.StrOpt('default_availability_zone',
               help='Availability zone used when a create request names '
                    'none. Unset: any enabled pod may be chosen.'),
    cfg.StrOpt('capacity_source', default='hypervisors',
               choices=[('hypervisors',
                         'free RAM of the pod\'s hypervisors (servers) or '
                         'free GiB of its volume pools (volumes), read '
                         'with the service credentials of '
                         '[keystone_authtoken]'),
                        ('routings',
                         'ask no pod: policies compare the resources '
                         'routed to each pod')],
               help='Where policies that weigh load (least-loaded) learn '
                    'a pod\'s free capacity.'),
    cfg.IntOpt('capacity_refresh_interval', default=60, min=1,
               help='Seconds a pod\'s free capacity is reused before this '
                    'process reads it again.'),
    cfg.IntOpt('capacity_max_age', default=300, min=1,
               help='Seconds after which a free capacity the pod no '
                    'longer reports is ignored (the policy then compares '
                    'routed resources).'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    return [(GROUP, OPTS)]
