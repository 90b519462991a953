"""``[nova]`` options: the compute service driver."""

from oslo_config import cfg

GROUP = cfg.OptGroup('nova', title='Compute (Nova) gateway options')

OPTS = [
    cfg.ListOpt('enabled_server_actions',
                help='Server actions (entry points in the '
                     'trio2o.nova.server_actions group, named by their '
                     'Nova body key) the gateway serves. Unset: every '
                     'installed action.'),
    cfg.StrOpt('max_microversion',
               help='Highest compute microversion advertised, "X.Y". '
                    'The gateway never advertises more than the lowest '
                    'maximum among enabled pods.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    return [(GROUP, OPTS)]
