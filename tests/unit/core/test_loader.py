"""Plugin loading: every failure stops start-up naming the plugin."""

import re
import uuid

import pytest
from stevedore import extension

from trio2o_core import core_gateway
from trio2o_core import loader
from trio2o_core.api import app
from trio2o_core.conf import CONF
from trio2o_core.plugin import PLUGIN_API_VERSION
from trio2o_core.plugin import PluginLoadError

PLUGINS = f'''
class Good:
    plugin_api = {PLUGIN_API_VERSION}

    def __init__(self, *args):
        self.args = args


class Other(Good):
    pass


class Newer(Good):
    plugin_api = {PLUGIN_API_VERSION + 1}


class Unversioned:
    pass


class Exploding(Good):
    def __init__(self, *args):
        raise RuntimeError('cannot reach the moon')
'''


@pytest.fixture
def group() -> str:
    """A group name no real distribution declares."""
    return f'trio2o.test.{uuid.uuid4().hex[:8]}'


def test_loads_enabled_classes_in_enabled_order(make_dist, group):
    module = make_dist({group: {'a': '{module}:Good', 'b': '{module}:Other',
                                'c': '{module}:Newer'}}, PLUGINS)

    classes = loader.load_classes(group, ['b', 'a'])

    assert list(classes) == ['b', 'a']
    assert classes['a'].__module__ == module
    assert classes['b'].__name__ == 'Other'


def test_load_instantiates_with_arguments(make_dist, group):
    make_dist({group: {'a': '{module}:Good'}}, PLUGINS)

    plugins = loader.load(group, ['a'], 'gateway', 42)

    assert plugins['a'].args == ('gateway', 42)


def test_none_enables_every_installed_plugin(make_dist, group):
    make_dist({group: {'a': '{module}:Good', 'b': '{module}:Other'}},
              PLUGINS)

    assert sorted(loader.load_classes(group, None)) == ['a', 'b']


def test_a_broken_plugin_that_is_not_enabled_is_ignored(make_dist, group):
    make_dist({group: {'good': '{module}:Good',
                       'broken': 'no_such_module_anywhere:Thing',
                       'newer': '{module}:Newer'}}, PLUGINS)

    assert list(loader.load(group, ['good'])) == ['good']


def test_missing_plugin_is_named_with_what_is_installed(make_dist, group):
    make_dist({group: {'a': '{module}:Good', 'b': '{module}:Other'}},
              PLUGINS)

    with pytest.raises(PluginLoadError) as info:
        loader.load(group, ['a', 'nope'])

    assert str(info.value) == (f"{group}: enabled plugin 'nope' is not "
                               'installed (installed: a, b)')


def test_missing_plugin_in_an_empty_group(group):
    with pytest.raises(PluginLoadError, match="'x' is not installed "
                                              r'\(installed: none\)'):
        loader.load_classes(group, ['x'])


def test_plugin_whose_module_fails_to_import(make_dist, group):
    make_dist({group: {'broken': '{module}:Good'}},
              "raise ImportError('needs libfoo')\n")

    with pytest.raises(PluginLoadError) as info:
        loader.load(group, ['broken'])

    message = str(info.value)
    assert message.startswith(f"{group}: plugin 'broken' (")
    assert 'failed to load: needs libfoo' in message
    assert isinstance(info.value.__cause__, ImportError)


def test_plugin_whose_class_does_not_exist(make_dist, group):
    module = make_dist({group: {'typo': '{module}:Godo'}}, PLUGINS)

    with pytest.raises(PluginLoadError,
                       match=re.escape(f"plugin 'typo' ({module}:Godo) "
                                       'failed to load')):
        loader.load(group, ['typo'])


def test_duplicate_plugin_names_both_targets(make_dist, group):
    first = make_dist({group: {'dup': '{module}:Good'}}, PLUGINS)
    second = make_dist({group: {'dup': '{module}:Other'}}, PLUGINS)

    with pytest.raises(PluginLoadError) as info:
        loader.load(group, ['dup'])

    assert str(info.value) == (
        f"{group}: plugin 'dup' is installed more than once: "
        f'{", ".join(sorted([f"{first}:Good", f"{second}:Other"]))}')
    assert loader.installed(group)['dup'] == [f'{second}:Other',
                                              f'{first}:Good']


def test_the_same_target_declared_twice_is_not_a_duplicate(make_dist,
                                                           group):
    module = make_dist({group: {'a': '{module}:Good'}}, PLUGINS)
    make_dist({group: {'a': f'{module}:Good'}}, '')

    assert list(loader.load(group, ['a'])) == ['a']


@pytest.mark.parametrize('target, found', [
    ('Newer', PLUGIN_API_VERSION + 1),
    ('Unversioned', None),
])
def test_plugin_api_mismatch_is_refused(make_dist, group, target, found):
    module = make_dist({group: {'p': '{module}:' + target}}, PLUGINS)

    with pytest.raises(PluginLoadError) as info:
        loader.load_classes(group, ['p'])

    assert str(info.value) == (
        f"{group}: plugin 'p' ({module}:{target}) implements plugin API "
        f'{found}, this gateway requires {PLUGIN_API_VERSION}')


def test_constructor_failure_names_the_plugin(make_dist, group):
    make_dist({group: {'moon': '{module}:Exploding'}}, PLUGINS)

    with pytest.raises(PluginLoadError) as info:
        loader.load(group, ['moon'])

    assert str(info.value) == (f"{group}: plugin 'moon' failed to start: "
                               'cannot reach the moon')
    assert isinstance(info.value.__cause__, RuntimeError)


def test_builtin_scheduling_policy_loads():
    policies = loader.load(loader.SCHEDULER_POLICIES, ['binding'])

    assert type(policies['binding']).__name__ == 'BindingPolicy'


def test_gateway_refuses_a_service_that_is_not_enabled(override):
    override('enabled_services', ['admin'])

    with pytest.raises(PluginLoadError,
                       match="service 'nova' is not in"):
        core_gateway.CoreGateway(CONF).service('nova')


def test_gateway_loads_an_enabled_service_once(override):
    override('enabled_services', ['admin'])
    core = core_gateway.CoreGateway(CONF)

    admin = core.service('admin')

    assert core.service('admin') is admin
    assert admin.gateway is core


OLD_POLICY = '''
from trio2o_core.plugin import SchedulingPolicy


class OldPolicy(SchedulingPolicy):
    """Built for the contract before the request spec told flavors."""

    plugin_api = 2

    def select_pod(self, spec, candidates):
        return candidates[0]
'''


def test_start_up_refuses_a_policy_built_for_the_old_contract(
        make_dist, override, monkeypatch):
    module = make_dist({loader.SCHEDULER_POLICIES: {'old': '{module}:'
                                                           'OldPolicy'}},
                       OLD_POLICY)
    override('policy', 'old', group='scheduler')
    # stevedore keeps the entry points it saw per group for the process
    monkeypatch.setattr(extension.ExtensionManager, 'ENTRY_POINT_CACHE', {})
    monkeypatch.setattr(core_gateway, '_GATEWAY', None)
    override('paste_config', '/etc/trio2o/api-paste.ini', group='api')
    monkeypatch.setattr('paste.deploy.loadapp', lambda *a, **k: 'app')

    with pytest.raises(PluginLoadError) as info:
        app.load_paste_app()

    assert PLUGIN_API_VERSION == 4
    assert str(info.value) == (
        f"trio2o.scheduler.policies: plugin 'old' ({module}:OldPolicy) "
        'implements plugin API 2, this gateway requires 4')


@pytest.mark.parametrize('name, cls', [
    ('binding', 'BindingPolicy'), ('least-loaded', 'LeastLoadedPolicy'),
    ('weighted', 'WeightedPolicy')])
def test_start_up_loads_each_builtin_policy(override, monkeypatch, name,
                                            cls):
    override('policy', name, group='scheduler')
    monkeypatch.setattr(core_gateway, '_GATEWAY', None)
    override('paste_config', '/etc/trio2o/api-paste.ini', group='api')
    monkeypatch.setattr('paste.deploy.loadapp', lambda *a, **k: 'app')

    assert app.load_paste_app() == 'app'
    assert type(core_gateway.get_gateway().scheduler().policy
                ).__name__ == cls
