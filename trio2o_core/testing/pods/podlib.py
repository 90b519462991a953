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


class _RequestIds(logging.Filter):
    """Give each record ``ids``: ``[global_request_id request_id]`` of the
    request being served (oslo.context's current context), or ``[-]``."""

    def filter(self, record):
        from oslo_context import context

        current = getattr(record, "context", None) or context.get_current()
        record.ids = (f"[{current.global_request_id or '-'} "
                      f"{current.request_id}]" if current else "[-]")
        return True


def log_to_file(path):
    """Send the root logger to ``path`` (the test fixtures swallow it),
    each line with the ids of the request it was logged for."""
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(ids)s %(message)s"))
    handler.addFilter(_RequestIds())
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
