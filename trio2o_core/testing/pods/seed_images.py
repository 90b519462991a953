"""Create nova's functional-test fixture images in a real Glance.

The images keep their fixture ids and names, so image refs known from
nova's tests (and tempest configs) resolve against the real Glance.
Existing images are left alone.

usage: seed_images.py  (credentials from OS_AUTH_URL, OS_USERNAME,
OS_PASSWORD, OS_PROJECT_NAME; Glance from OS_IMAGE_URL)
"""

import os

from keystoneauth1 import session
from keystoneauth1.identity import v3
from nova.tests.fixtures.glance import GlanceFixture

FIXTURES = (
    "image1", "image2", "image3", "image4", "image5",
    "auto_disk_config_disabled_image", "auto_disk_config_enabled_image",
)
# Glance checks uploads against disk_format; raw zeros pass for every
# format the fixtures use once format matching is relaxed, but give qcow2
# its magic anyway.
QCOW2_MAGIC = b"QFI\xfb\x00\x00\x00\x03"


def image_bytes(disk_format):
    data = bytearray(1024)
    if disk_format == "qcow2":
        data[:len(QCOW2_MAGIC)] = QCOW2_MAGIC
    return bytes(data)


# Glance's container formats; nova's fixtures also use 'raw'.
CONTAINER_FORMATS = {"ami", "ari", "aki", "bare", "ovf", "ova", "docker",
                     "compressed"}


def container_format(fmt):
    return fmt if fmt in CONTAINER_FORMATS else "bare"


def check(resp):
    if not resp.ok:
        raise SystemExit(f"{resp.request.method} {resp.url}: "
                         f"{resp.status_code} {resp.text}")


def main():
    auth = v3.Password(
        auth_url=os.environ["OS_AUTH_URL"],
        username=os.environ["OS_USERNAME"],
        password=os.environ["OS_PASSWORD"],
        project_name=os.environ["OS_PROJECT_NAME"],
        user_domain_id="default", project_domain_id="default")
    sess = session.Session(auth=auth)
    base = os.environ["OS_IMAGE_URL"].rstrip("/") + "/v2/images"
    for attr in FIXTURES:
        img = getattr(GlanceFixture, attr)
        if sess.get(f"{base}/{img['id']}", raise_exc=False).ok:
            continue
        body = {
            "id": img["id"], "name": img["name"],
            "disk_format": img["disk_format"],
            "container_format": container_format(img["container_format"]),
            "visibility": img["visibility"], "tags": img["tags"],
            "min_ram": img["min_ram"], "min_disk": img["min_disk"],
        }
        # Glance's schema wants UUIDs for kernel/ramdisk ids ('nokernel').
        body.update({k: str(v) for k, v in img["properties"].items()
                     if k not in ("kernel_id", "ramdisk_id")})
        check(sess.post(base, json=body, raise_exc=False))
        check(sess.put(f"{base}/{img['id']}/file",
                       data=image_bytes(img["disk_format"]),
                       headers={"Content-Type": "application/octet-stream"},
                       raise_exc=False))


if __name__ == "__main__":
    main()
