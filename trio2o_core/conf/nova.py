"""``[nova]`` options: the compute service driver."""

from oslo_config import cfg

GROUP = cfg.OptGroup('nova', title='Compute (Nova) gateway options')

OPTS = [
    cfg.ListOpt('enabled_server_actions',
                help='Server actions (entry points in the '
                     'trio2o.nova.server_actions group, named by their '
                     'Nova body key) the gateway serves. Unset: every '
                     'installed action.'),
    cfg.IntOpt('deleted_server_retention', default=86400, min=0,
               help='Seconds the routing row of a deleted server is kept '
                    '(status "deleted") so that the calls Nova serves on '
                    'deleted servers keep working through the gateway: '
                    'its instance actions, and the server in lists with '
                    '"changes-since" or "deleted=true". Older rows are '
                    'pruned by the reconciler and by "trio2o-manage '
                    'routings prune". 0: a deleted server\'s row is '
                    'removed at once.'),
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
