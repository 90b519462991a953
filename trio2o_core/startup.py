"""Process start-up: parse the configuration, set up logging, settle the
heap once the application is loaded."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

from oslo_config import cfg
from oslo_log import log

from trio2o_core.conf import CONF

PROJECT = 'trio2o'
#: net new containers (dicts, lists, ...) between two collections of the
#: youngest generation: more than a merged page's decoded records, so
#: they are mostly freed before any collection looks at them
YOUNG_COLLECTION_THRESHOLD = 20000
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


def freeze_heap() -> None:
    """Move every object made so far (the loaded application: routes,
    policies, configuration, SQLAlchemy, the plugins) out of the garbage
    collector's reach. A full collection then walks only what requests
    make: it ran during the decoding of a large merged list and cost a
    third of that list's CPU. Forked workers also stop touching, and so
    copying, the pages of those objects.

    The youngest generation is then collected after
    :data:`YOUNG_COLLECTION_THRESHOLD` new containers rather than 700: a
    page merged over many pods decodes thousands of records, which
    otherwise were walked by several collections while still in use."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])


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
