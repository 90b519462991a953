"""``[metrics]`` options: the Prometheus endpoint."""

from oslo_config import cfg

GROUP = cfg.OptGroup('metrics', title='Prometheus metrics')

OPTS = [
    cfg.BoolOpt('enabled', default=False,
                help='Serve Prometheus metrics at /metrics: pod calls '
                     'per pod, service, method and status, their '
                     'latency, unreachable pods, breaker state and '
                     'fan-out times. The path needs no token: expose it '
                     'only where the scraper reaches it. With several '
                     'worker processes, set PROMETHEUS_MULTIPROC_DIR in '
                     'their environment so every worker\'s counts are '
                     'summed.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    return [(GROUP, OPTS)]
