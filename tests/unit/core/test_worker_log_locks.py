"""A forked worker gives its log handlers locks of its own (oslo.log's
handler locks are pipes a fork would share)."""

from __future__ import annotations

import subprocess
import sys

# in a process of its own: importing trio2o_core.cmd.api monkey-patches
SCRIPT = '''
import logging
from trio2o_core.cmd import api
handler = logging.StreamHandler()
logging.getLogger('trio2o.worker-test').addHandler(handler)
root = logging.StreamHandler()
logging.getLogger().addHandler(root)
before = (handler.lock, root.lock)
api.own_log_locks()
print(handler.lock is not before[0], root.lock is not before[1])
'''


def test_own_log_locks_replaces_every_handler_lock():
    done = subprocess.run([sys.executable, '-c', SCRIPT], check=True,
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ['True', 'True']
