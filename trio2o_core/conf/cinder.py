"""``[cinder]`` options: the block-storage service driver."""

from oslo_config import cfg

GROUP = cfg.OptGroup('cinder', title='Block storage (Cinder) gateway options')

OPTS = [
    cfg.StrOpt('max_microversion',
               help='Highest volume microversion advertised, "3.N".'),
    cfg.ListOpt('enabled_volume_actions',
                help='Volume actions served (entry points of '
                     'trio2o.cinder.volume_actions, named by the action '
                     'body key). Unset: every installed one.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    return [(GROUP, OPTS)]
