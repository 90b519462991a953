"""A real Cinder pod in one process, built from cinder's functional fixtures.

Runs the real API (paste pipeline with keystonemiddleware) on
``osapi_volume_listen[_port]``, plus a scheduler, a volume service with
cinder's fake driver and a backup service with cinder's posix backup
driver (into a directory beside the config file), on in-memory SQLite.

usage: cinder_pod.py --config-file F --ready-file F --log-file F
"""

# Patch before oslo.context/oslo.db are imported (see nova_pod.py).
from cinder import monkey_patch  # isort: skip

monkey_patch.patch()

import argparse  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402

import eventlet  # noqa: E402
import podlib  # noqa: E402
from cinder import context  # noqa: E402
from cinder import objects  # noqa: E402
from cinder import service  # noqa: E402
from cinder.tests import fake_driver  # noqa: E402
from cinder.tests.functional import functional_helpers  # noqa: E402
from cinder.volume.flows.manager import create_volume  # noqa: E402
from oslo_config import cfg  # noqa: E402

CONF = cfg.CONF
# Glance 33 checks uploads against disk_format: raw zeros pass.
VOLUME_IMAGE_BYTES = bytes(1024)
BACKUP_DRIVER = "cinder.backup.drivers.posix.PosixBackupDriver"


# The fake driver copies image data with qemu-img through privsep, which
# cinder's fixtures forbid; move the bits through Glance's API instead.
def create_from_image(self, context, volume, image_location, image_id,
                      image_meta, image_service, update_cache=False):
    model_update = self.driver.create_volume(volume) or {}
    for _chunk in image_service.download(context, image_id):
        pass
    return model_update


def copy_volume_to_image(self, context, volume, image_service, image_meta):
    image_service.update(context, image_meta["id"], {},
                         data=io.BytesIO(VOLUME_IMAGE_BYTES),
                         purge_props=False)


create_volume.CreateVolumeFromSpecTask._create_from_image_cache_or_download \
    = create_from_image
fake_driver.FakeLoggingVolumeDriver.copy_volume_to_image = copy_volume_to_image


class _NoConnector:
    def disconnect_volume(self, *args, **kwargs):
        pass


# A backup attaches its volume through os-brick (privsep again): hand the
# backup driver an in-memory device instead.
def attach_device(self, ctxt, backup_device, properties, is_snapshot=False):
    return {"conn": {"data": {}}, "connector": _NoConnector(),
            "device": {"path": io.BytesIO(VOLUME_IMAGE_BYTES)}}


def detach_device(self, ctxt, attach_info, device, properties,
                  is_snapshot=False, force=False, ignore_errors=False):
    pass


def patch_backup_manager():
    """Install the in-memory device (the manager's module needs cinder's
    objects registered first)."""
    from cinder.backup import manager

    manager.BackupManager._attach_device = attach_device
    manager.BackupManager._detach_device = detach_device
    manager.volume_utils.brick_get_connector_properties = \
        lambda *args, **kwargs: {}


class CinderPod(functional_helpers._FunctionalTestBase):
    """Cinder services started the way cinder's functional tests do."""

    def __init__(self, config_file):
        super().__init__("runTest")
        self.config_file = config_file

    def runTest(self):
        pass

    def _get_flags(self):
        # Called after the fixtures parsed an empty config: read the pod's
        # file instead and keep only the scheduler choice from the base;
        # backups go to a directory of their own.
        CONF([], project="cinder", default_config_files=[self.config_file])
        flags = super()._get_flags()
        CONF.import_opt("backup_posix_path", "cinder.backup.drivers.posix")
        return {"scheduler_driver": flags["scheduler_driver"],
                "backup_driver": {"v": BACKUP_DRIVER},
                "backup_posix_path": {"v": tempfile.mkdtemp(
                    prefix="backups-",
                    dir=os.path.dirname(os.path.abspath(self.config_file)))}}

    def _start_api_service(self):
        self.backup = self.start_service("backup")
        self.osapi = service.WSGIService("osapi_volume")
        self.osapi.start()
        self.auth_url = f"http://{self.osapi.host}:{self.osapi.port}/v3"


def heartbeat(services, scheduler, backup):
    """Report every service's own row, and hand the backup service's
    capabilities to the scheduler (which picks a backup host only among
    the services that reported them; their fanout does not reach it in
    this process).

    Cinder keeps the service-row id in a class attribute, so with several
    services in one process only the last one started would stay "up".
    """
    ctxt = context.get_admin_context()
    while True:
        for svc in services:
            ref = objects.Service.get_by_id(ctxt, svc.origin_service_id)
            ref.report_count += 1
            ref.save()
        backup.manager.publish_service_capabilities(ctxt)
        scheduler.manager.update_service_capabilities(
            ctxt, "backup", backup.host, backup.manager.last_capabilities)
        eventlet.sleep(CONF.report_interval)


def main():
    args = podlib.parse_common(argparse.ArgumentParser()).parse_args()
    pod = CinderPod(args.config_file)
    patch_backup_manager()
    pod.setUp()
    podlib.log_to_file(args.log_file)
    podlib.quiet_warnings()
    beat = eventlet.spawn(heartbeat, [pod.volume, pod.scheduler, pod.backup],
                         pod.scheduler, pod.backup)
    podlib.signal_ready(args.ready_file, url=pod.auth_url)
    try:
        beat.wait()
    finally:
        pod.doCleanups()


if __name__ == "__main__":
    main()
