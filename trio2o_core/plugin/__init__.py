"""The public plugin contract of Trio2o.

Plugins (service drivers, action handlers, scheduling policies) import
only this package, and ``trio2o_core.testing`` in their tests.
"""

from trio2o_core.plugin.actions import ActionContext
from trio2o_core.plugin.actions import ActionResult
from trio2o_core.plugin.actions import PodAnswer
from trio2o_core.plugin.actions import ServerActionHandler
from trio2o_core.plugin.actions import VolumeActionHandler
from trio2o_core.plugin.dispatch import ActionEntry
from trio2o_core.plugin.dispatch import load_actions
from trio2o_core.plugin.exceptions import BadRequest
from trio2o_core.plugin.exceptions import Conflict
from trio2o_core.plugin.exceptions import Forbidden
from trio2o_core.plugin.exceptions import NotAcceptable
from trio2o_core.plugin.exceptions import NotFound
from trio2o_core.plugin.exceptions import NotSupported
from trio2o_core.plugin.exceptions import NoValidPod
from trio2o_core.plugin.exceptions import PluginError
from trio2o_core.plugin.exceptions import PluginLoadError
from trio2o_core.plugin.exceptions import PodFailed
from trio2o_core.plugin.exceptions import PodUnavailable
from trio2o_core.plugin.exceptions import UnsupportedMediaType
from trio2o_core.plugin.gateway import Gateway
from trio2o_core.plugin.microversion import APIVersion
from trio2o_core.plugin.microversion import MicroversionSpec
from trio2o_core.plugin.podcall import PARTIAL_HEADER
from trio2o_core.plugin.podcall import Gathered
from trio2o_core.plugin.podcall import PodCaller
from trio2o_core.plugin.podcall import PodRefused
from trio2o_core.plugin.podcall import PodReply
from trio2o_core.plugin.podcall import ServiceAPI
from trio2o_core.plugin.routing import PendingCreate
from trio2o_core.plugin.routing import forget_if_gone
from trio2o_core.plugin.scheduler import RequestSpec
from trio2o_core.plugin.scheduler import SchedulingPolicy
from trio2o_core.plugin.service import Route
from trio2o_core.plugin.service import ServiceDriver
from trio2o_core.plugin.service import json_response
from trio2o_core.plugin.service import project_scoped
from trio2o_core.plugin.types import Pod
from trio2o_core.plugin.types import Routing
from trio2o_core.plugin.version import PLUGIN_API_VERSION

__all__ = [
    'PARTIAL_HEADER', 'PLUGIN_API_VERSION', 'APIVersion', 'ActionContext',
    'ActionEntry', 'ActionResult', 'BadRequest', 'Conflict', 'Forbidden',
    'Gateway', 'Gathered', 'MicroversionSpec', 'NoValidPod', 'NotAcceptable',
    'NotFound', 'NotSupported', 'PendingCreate', 'PluginError',
    'PluginLoadError', 'Pod', 'PodAnswer', 'PodCaller', 'PodFailed',
    'PodRefused', 'PodReply', 'PodUnavailable', 'RequestSpec', 'Route',
    'Routing', 'SchedulingPolicy', 'ServerActionHandler', 'ServiceAPI',
    'ServiceDriver', 'UnsupportedMediaType', 'VolumeActionHandler',
    'forget_if_gone', 'json_response', 'load_actions', 'project_scoped',
]
