"""``[pods]`` options: how the gateway reaches the pods behind it."""

from oslo_config import cfg

GROUP = cfg.OptGroup('pods', title='Pod connection options')

OPTS = [
    cfg.FloatOpt('timeout', default=10.0, min=0.1,
                 help='Seconds to wait for a pod before it counts as down.'),
    cfg.StrOpt('interface', default='public',
               choices=['public', 'internal', 'admin'],
               help='Catalog interface used to reach pod endpoints.'),
    cfg.DictOpt('endpoint_overrides', default={},
                help='Per-pod endpoint overrides, "<region>.<service '
                     'type>:<url>" pairs, e.g. '
                     '"Pod1.compute:http://10.0.0.5:8774/v2.1". Used '
                     'instead of the token\'s catalog.'),
    cfg.IntOpt('down_after_failures', default=3, min=1,
               help='Consecutive failures to reach a pod (refused or '
                    'reset connections, timeouts, a proxy\'s 502/504) '
                    'after which it is marked down: calls to it answer '
                    '503 at once and lists leave it out until '
                    'retry_down_after has passed. One slow answer does '
                    'not take a pod down for everybody.'),
    cfg.FloatOpt('retry_down_after', default=30.0, min=0,
                 help='Seconds after which a down pod is tried again.'),
    cfg.IntOpt('fanout_workers', default=128, min=1,
               help='Concurrent pod calls one request may make: a list '
                    'over more pods waits for the pods\' answers in '
                    'several rounds. The timeout counts from the first '
                    'call of the request\'s fan-out; a call still queued '
                    'when it runs out is not made.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    return [(GROUP, OPTS)]
