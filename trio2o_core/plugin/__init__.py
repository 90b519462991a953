"""The public plugin contract of Trio2o.

Plugins (service drivers, action handlers, scheduling policies) import
only this package, and ``trio2o_core.testing`` in their tests.
"""

from trio2o_core.plugin import microversion
from trio2o_core.plugin.actions import ActionContext
from trio2o_core.plugin.actions import ActionResult
from trio2o_core.plugin.actions import PodAnswer
from trio2o_core.plugin.actions import ServerActionHandler
from trio2o_core.plugin.actions import VolumeActionHandler
from trio2o_core.plugin.dispatch import ActionDispatcher
from trio2o_core.plugin.exceptions import BadRequest
from trio2o_core.plugin.exceptions import Conflict
from trio2o_core.plugin.exceptions import Forbidden
from trio2o_core.plugin.exceptions import NotFound
from trio2o_core.plugin.exceptions import NoValidPod
from trio2o_core.plugin.exceptions import PluginError
from trio2o_core.plugin.exceptions import PluginLoadError
from trio2o_core.plugin.exceptions import PodFailed
from trio2o_core.plugin.exceptions import PodUnavailable
from trio2o_core.plugin.exceptions import UnsupportedMediaType
from trio2o_core.plugin.gateway import Gateway
from trio2o_core.plugin.links import gateway_url
from trio2o_core.plugin.merge import Batch
from trio2o_core.plugin.merge import Fetch
from trio2o_core.plugin.merge import FieldOrder
from trio2o_core.plugin.merge import Gather
from trio2o_core.plugin.merge import Keep
from trio2o_core.plugin.merge import PodStream
from trio2o_core.plugin.merge import SortKey
from trio2o_core.plugin.merge import batch_size
from trio2o_core.plugin.merge import comparable
from trio2o_core.plugin.merge import gather_batches
from trio2o_core.plugin.merge import merge_streams
from trio2o_core.plugin.microversion import APIVersion
from trio2o_core.plugin.microversion import MicroversionSpec
from trio2o_core.plugin.podcall import PARTIAL_HEADER
from trio2o_core.plugin.podcall import Gathered
from trio2o_core.plugin.podcall import PodCaller
from trio2o_core.plugin.podcall import PodRefused
from trio2o_core.plugin.podcall import PodReply
from trio2o_core.plugin.podcall import ServiceAPI
from trio2o_core.plugin.query import parse_bool
from trio2o_core.plugin.query import parse_int
from trio2o_core.plugin.query import parse_limit
from trio2o_core.plugin.query import parse_marker
from trio2o_core.plugin.query import parse_sort
from trio2o_core.plugin.query import shown_value
from trio2o_core.plugin.request import CONTEXT_KEY
from trio2o_core.plugin.routing import PendingCreate
from trio2o_core.plugin.routing import forget_if_gone
from trio2o_core.plugin.scheduler import RequestSpec
from trio2o_core.plugin.scheduler import SchedulingPolicy
from trio2o_core.plugin.scheduler import create_with_retry
from trio2o_core.plugin.scheduler import refused_for_room
from trio2o_core.plugin.service import Handler
from trio2o_core.plugin.service import Route
from trio2o_core.plugin.service import ServiceDriver
from trio2o_core.plugin.service import json_response
from trio2o_core.plugin.service import project_scoped
from trio2o_core.plugin.settle import ListedInventory
from trio2o_core.plugin.settle import PodGet
from trio2o_core.plugin.settle import PodInventory
from trio2o_core.plugin.settle import PodUnreadable
from trio2o_core.plugin.settle import Reconciler
from trio2o_core.plugin.settle import ResourceState
from trio2o_core.plugin.types import Pod
from trio2o_core.plugin.types import Routing
from trio2o_core.plugin.validation import validate
from trio2o_core.plugin.validation import validate_query
from trio2o_core.plugin.version import PLUGIN_API_VERSION

__all__ = [
    'APIVersion', 'ActionContext', 'ActionDispatcher', 'ActionResult',
    'BadRequest', 'Batch', 'CONTEXT_KEY', 'Conflict', 'Fetch', 'FieldOrder',
    'Gather', 'Keep',
    'Forbidden', 'Gateway', 'Gathered', 'Handler', 'ListedInventory',
    'MicroversionSpec', 'NoValidPod', 'NotFound', 'PARTIAL_HEADER',
    'PLUGIN_API_VERSION', 'PendingCreate', 'PluginError', 'PluginLoadError',
    'Pod', 'PodAnswer', 'PodCaller', 'PodFailed', 'PodGet', 'PodInventory',
    'PodRefused', 'PodReply', 'PodStream', 'PodUnavailable', 'PodUnreadable',
    'Reconciler', 'RequestSpec', 'ResourceState', 'Route', 'Routing',
    'SchedulingPolicy', 'ServerActionHandler', 'ServiceAPI', 'ServiceDriver',
    'SortKey', 'UnsupportedMediaType', 'VolumeActionHandler', 'batch_size',
    'comparable', 'create_with_retry', 'forget_if_gone', 'gateway_url',
    'json_response',
    'gather_batches', 'merge_streams', 'microversion', 'parse_bool',
    'parse_int', 'parse_limit',
    'parse_marker', 'parse_sort', 'project_scoped', 'refused_for_room',
    'shown_value', 'validate', 'validate_query',
]
