"""A real Nova pod in one process, built from nova's functional fixtures.

Runs the real API (paste pipeline with keystonemiddleware), conductor,
scheduler, Placement and one or more fake-virt computes, with in-memory
SQLite.  Glance and Cinder are the real services named in the config file;
only Neutron is nova's fake.  Listens on 127.0.0.1:PORT.

usage: nova_pod.py --config-file F --ready-file F --log-file F --port PORT
                   [--computes N]
"""

# Nova's eventlet patch must come before anything imports oslo.context or
# oslo.db, or green threads end up sharing one DB transaction.
from nova import monkey_patch  # isort: skip

monkey_patch.patch()

import argparse  # noqa: E402
import io  # noqa: E402
import logging  # noqa: E402

import eventlet  # noqa: E402
import eventlet.wsgi  # noqa: E402
import podlib  # noqa: E402
from nova import conf as nova_conf  # noqa: E402
from nova import exception  # noqa: E402
from nova import test  # noqa: E402
from nova.api import wsgi as nova_wsgi  # noqa: E402
from nova.compute import task_states  # noqa: E402
from nova.image import glance  # noqa: E402
from nova.tests import fixtures as nova_fixtures  # noqa: E402
from nova.tests.functional import fixtures as func_fixtures  # noqa: E402
from nova.virt import fake  # noqa: E402

CONF = nova_conf.CONF
# Glance 33 checks uploads against disk_format: raw zeros pass.
SNAPSHOT_BYTES = bytes(1024)


def snapshot(self, context, instance, image_id, update_task_state):
    """The fake driver's snapshot, plus an upload to the real Glance.

    The stock one uploads nothing, which leaves a real image 'queued'.
    """
    if instance.uuid not in self.instances:
        raise exception.InstanceNotRunning(instance_id=instance.uuid)
    update_task_state(task_state=task_states.IMAGE_PENDING_UPLOAD)
    update_task_state(task_state=task_states.IMAGE_UPLOADING,
                      expected_state=task_states.IMAGE_PENDING_UPLOAD)
    glance.API().update(
        context, image_id,
        {"disk_format": "raw", "container_format": "bare"},
        data=io.BytesIO(SNAPSHOT_BYTES), purge_props=False)


fake.FakeDriver.snapshot = snapshot


class NovaPod(test.TestCase):
    """Nova services started the way nova's functional tests start them."""

    def __init__(self, config_file, computes):
        super().__init__("runTest")
        self.config_file = config_file
        self.n_computes = computes

    def runTest(self):
        pass

    def setUp(self):
        super().setUp()
        # The fixtures parsed an empty config; read the pod's file on top of
        # their defaults (their overrides still win).
        CONF([], project="nova", default_config_files=[self.config_file])
        self.useFixture(nova_fixtures.CastAsCallFixture(self))
        self.useFixture(func_fixtures.PlacementFixture())
        self.useFixture(nova_fixtures.NeutronFixture(self))
        self.useFixture(nova_fixtures.RealPolicyFixture())
        self.useFixture(nova_fixtures.NotificationFixture(self))
        self.flags(transport_url=self.cell_mappings["cell1"].transport_url)
        self.start_service("conductor")
        self.start_service("scheduler")
        for i in range(1, self.n_computes + 1):
            self._start_compute("compute" if i == 1 else f"compute{i}")


def main():
    parser = podlib.parse_common(argparse.ArgumentParser())
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--computes", type=int, default=2)
    args = parser.parse_args()
    pod = NovaPod(args.config_file, args.computes)
    pod.setUp()
    podlib.log_to_file(args.log_file)
    podlib.quiet_warnings()
    app = nova_wsgi.Loader().load_app("osapi_compute")
    sock = eventlet.listen(("127.0.0.1", args.port))
    podlib.signal_ready(args.ready_file,
                        url=f"http://127.0.0.1:{args.port}/v2.1")
    try:
        # one access line per request, with its ids (see podlib)
        eventlet.wsgi.server(sock, app,
                             log=logging.getLogger("nova.api.access"))
    finally:
        pod.doCleanups()


if __name__ == "__main__":
    main()
