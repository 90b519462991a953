"""A forked worker polls with an eventlet hub of its own (a hub's epoll
instance survives a fork: workers sharing it wake for each other's
sockets and poll in a busy loop)."""

from __future__ import annotations

import subprocess
import sys

# in a process of its own: importing trio2o_core.cmd.api monkey-patches
SCRIPT = '''
import eventlet.hubs
from trio2o_core.cmd import api
before = eventlet.hubs.get_hub()
descriptor = before.poll.fileno()
api.own_hub()
after = eventlet.hubs.get_hub()
print(after is not before, after.poll.fileno() != descriptor)
'''


def test_own_hub_gives_the_process_a_new_poller():
    done = subprocess.run([sys.executable, '-c', SCRIPT], check=True,
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ['True', 'True']
