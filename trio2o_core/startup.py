"""Process start-up: parse the configuration, set up logging."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from oslo_config import cfg
from oslo_log import log

from trio2o_core.conf import CONF

PROJECT = 'trio2o'
_SOURCE_ETC = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'etc', PROJECT)


def parse_args(argv: Sequence[str], conf: cfg.ConfigOpts = CONF,
               default_config_files: list[str] | None = None) -> None:
    """Parse ``argv`` (without the program name) and configuration
    files into ``conf`` and set up oslo.log.

    :raises oslo_config.cfg.Error: bad options or files.
    """
    log.register_options(conf)
    conf(list(argv), project=PROJECT,
         default_config_files=default_config_files)
    log.setup(conf, PROJECT)


def find_config_file(name: str, conf: cfg.ConfigOpts = CONF) -> str:
    """Return the path of a file named by configuration.

    An absolute path is returned as is; a relative one is looked up next
    to the configuration files, then in the installed ``etc/trio2o``,
    then in the source tree's.

    :raises FileNotFoundError: found nowhere.
    """
    if os.path.isabs(name):
        return name
    found = conf.find_file(name)
    if found:
        return os.path.abspath(found)
    for base in (os.path.join(sys.prefix, 'etc', PROJECT), _SOURCE_ETC):
        candidate = os.path.join(base, name)
        if os.path.exists(candidate):
            return candidate
    raise FileNotFoundError(f'{name} not found next to the configuration '
                            f'files nor in {_SOURCE_ETC}')
