"""``[federation]`` options: pods under Keystones of their own
(Keystone to Keystone)."""

from oslo_config import cfg

GROUP = cfg.OptGroup('federation', title='Federated pod options')

OPTS = [
    cfg.URIOpt('auth_url',
               help='The gateway\'s Keystone (v3), the identity provider '
                    'that issues the SAML assertions with which callers '
                    'reach k2k pods. Default: [keystone_authtoken] '
                    'www_authenticate_uri, else its auth_url.'),
    cfg.IntOpt('cache_time', default=300, min=0,
               help='Seconds at most a token exchanged for a k2k pod is '
                    'reused for the same caller\'s token (never beyond '
                    'either token\'s expiry). It is also bounded by '
                    '[keystone_authtoken] token_cache_time, so that a '
                    'revoked token stops reaching k2k pods when the '
                    'gateway stops accepting it. 0: exchange on every '
                    'call.'),
    cfg.IntOpt('cache_size', default=10000, min=1,
               help='Exchanged tokens kept per gateway process; the '
                    'least recently used go first.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    return [(GROUP, OPTS)]
