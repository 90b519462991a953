"""The public plugin contract of Trio2o.

Plugins (service drivers, action handlers, scheduling policies) import
only this package, and ``trio2o_core.testing`` in their tests.
"""

from trio2o_core.plugin.actions import ActionContext
from trio2o_core.plugin.actions import ActionResult
from trio2o_core.plugin.actions import ServerActionHandler
from trio2o_core.plugin.actions import VolumeActionHandler
from trio2o_core.plugin.exceptions import BadRequest
from trio2o_core.plugin.exceptions import Conflict
from trio2o_core.plugin.exceptions import Forbidden
from trio2o_core.plugin.exceptions import NotAcceptable
from trio2o_core.plugin.exceptions import NotFound
from trio2o_core.plugin.exceptions import NotSupported
from trio2o_core.plugin.exceptions import NoValidPod
from trio2o_core.plugin.exceptions import PluginError
from trio2o_core.plugin.exceptions import PluginLoadError
from trio2o_core.plugin.exceptions import PodUnavailable
from trio2o_core.plugin.exceptions import UnsupportedMediaType
from trio2o_core.plugin.gateway import Gateway
from trio2o_core.plugin.query import parse_bool
from trio2o_core.plugin.query import parse_int
from trio2o_core.plugin.query import parse_limit
from trio2o_core.plugin.query import parse_marker
from trio2o_core.plugin.query import parse_sort
from trio2o_core.plugin.query import shown_value
from trio2o_core.plugin.scheduler import RequestSpec
from trio2o_core.plugin.scheduler import SchedulingPolicy
from trio2o_core.plugin.service import Route
from trio2o_core.plugin.service import ServiceDriver
from trio2o_core.plugin.service import json_response
from trio2o_core.plugin.types import Pod
from trio2o_core.plugin.types import Routing
from trio2o_core.plugin.version import PLUGIN_API_VERSION

__all__ = [
    'PLUGIN_API_VERSION', 'ActionContext', 'ActionResult', 'BadRequest',
    'Conflict', 'Forbidden', 'Gateway', 'NoValidPod', 'NotAcceptable',
    'NotFound', 'UnsupportedMediaType',
    'NotSupported', 'PluginError', 'PluginLoadError', 'Pod',
    'PodUnavailable', 'RequestSpec', 'Route', 'Routing', 'SchedulingPolicy',
    'ServerActionHandler', 'ServiceDriver', 'VolumeActionHandler',
    'json_response', 'parse_bool', 'parse_int', 'parse_limit',
    'parse_marker', 'parse_sort', 'shown_value',
]
