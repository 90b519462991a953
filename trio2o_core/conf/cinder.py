"""``[cinder]`` options: the block-storage service driver."""

from oslo_config import cfg

GROUP = cfg.OptGroup('cinder', title='Block storage (Cinder) gateway options')

OPTS = [
    cfg.StrOpt('max_microversion',
               help='Highest volume microversion advertised, "3.N".'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    return [(GROUP, OPTS)]
