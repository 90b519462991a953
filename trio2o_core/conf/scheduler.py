"""``[scheduler]`` options."""

from oslo_config import cfg

GROUP = cfg.OptGroup('scheduler', title='Pod scheduling options')

OPTS = [
    cfg.StrOpt('policy', default='binding',
               help='Scheduling policy (an entry point in the '
                    'trio2o.scheduler.policies group) that picks the pod '
                    'for a new server or volume.'),
    cfg.StrOpt('default_availability_zone',
               help='Availability zone used when a create request names '
                    'none. Unset: any enabled pod may be chosen.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    return [(GROUP, OPTS)]
