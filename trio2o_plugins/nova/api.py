"""What the core needs to know of the compute API: its pod endpoint,
hrefs, zone keys and microversions."""

from __future__ import annotations

from trio2o_core.plugin import APIVersion
from trio2o_core.plugin import MicroversionSpec
from trio2o_core.plugin import ServiceAPI

MIN_VERSION = APIVersion(2, 1)
#: the highest version of the Nova release the gateway was built against
KNOWN_MAX_VERSION = APIVersion(2, 104)

SPEC = MicroversionSpec(
    service='compute', minimum=MIN_VERSION,
    known_maximum=KNOWN_MAX_VERSION, config_group='nova',
    document_path='v2.1', legacy_header='X-OpenStack-Nova-API-Version',
    # the root and the legacy v2 documents are outside microversion
    # control, as in Nova; everything under /v2.1 is inside it
    unversioned_paths=('', 'v2'))

API = ServiceAPI(
    catalog_service='compute',
    version_suffix=r'/v2(?:\.1)?(?:/[0-9a-fA-F-]+)?',
    zone_keys=('OS-EXT-AZ:availability_zone', 'availability_zone',
               'pinned_availability_zone', 'availabilityZone'),
    microversions=SPEC)
