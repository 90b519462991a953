"""The gateway freezes its heap once the application is loaded, before
it serves (and forks workers): the garbage collector's full collections
then walk only what requests make, and its young collections come after
many more new containers than the default 700."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from trio2o_core import startup

# in a process of its own: importing trio2o_core.cmd.api monkey-patches,
# and a frozen heap stays frozen
SCRIPT = '''
import gc, sys
from trio2o_core.cmd import api
loaded = []
api.app_factories.load_paste_app = lambda: loaded.append(
    gc.get_freeze_count()) or object()
served = []
api.serve = lambda app, sock, workers: served.append(
    (gc.get_freeze_count(), gc.get_threshold()))
api.main(['--config-file', sys.argv[1]])
print(loaded, served[0][0] > 0, *served[0][1])
'''


def test_trio2o_api_serves_with_the_loaded_heap_frozen(tmp_path: Path):
    conf = tmp_path / 'trio2o.conf'
    conf.write_text('[api]\nbind_host = 127.0.0.1\nbind_port = 0\n')

    done = subprocess.run([sys.executable, '-c', SCRIPT, str(conf)],
                          check=True, capture_output=True, text=True,
                          timeout=60)

    assert done.stdout.split()[-5:-3] == ['[0]', 'True']
    # the older generations keep their defaults
    assert done.stdout.split()[-3:] == [
        str(startup.YOUNG_COLLECTION_THRESHOLD), '10', '10']
    assert startup.YOUNG_COLLECTION_THRESHOLD > 700
