"""Helpers shared by the pod scripts (pod environment side)."""

import json
import logging
import os
import warnings


def parse_common(parser):
    """Add the arguments every pod script takes."""
    parser.add_argument("--config-file", required=True)
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--log-file", required=True)
    return parser


def log_to_file(path):
    """Send the root logger to ``path`` (the test fixtures swallow it)."""
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)


def quiet_warnings():
    """Undo the fixtures' warnings-as-errors (SQLAlchemy 2.1 deprecations)."""
    warnings.resetwarnings()
    warnings.simplefilter("ignore")


def signal_ready(path, **info):
    """Atomically write ``info`` as JSON to ``path``."""
    info["pid"] = os.getpid()
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(info, f)
    os.replace(tmp, path)
