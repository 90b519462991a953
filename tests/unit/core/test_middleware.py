"""Context middleware, the URL map and the auth-strategy switch."""

import pytest
import webob
from keystoneauth1 import fixture

from tests.unit.core.test_policies import use_policy_file
from trio2o_core import policies
from trio2o_core.api import app as api_app
from trio2o_core.api.middleware.context import KeystoneContext
from trio2o_core.api.middleware.context import NoAuthContext
from trio2o_core.plugin.request import CONTEXT_KEY


class Recorder:
    """A WSGI app that remembers the environ it was called with."""

    def __init__(self, name='app'):
        self.name = name
        self.environ = None

    def __call__(self, environ, start_response):
        self.environ = dict(environ)
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [self.name.encode()]

    @property
    def context(self):
        return self.environ.get(CONTEXT_KEY)


@pytest.fixture
def inner():
    return Recorder()


@pytest.fixture(autouse=True)
def default_policy(tmp_path):
    """The policy defaults (no policy file)."""
    use_policy_file(tmp_path / 'absent.yaml')
    yield
    policies.reset()


def test_keystone_context_from_a_confirmed_token(inner):
    token = fixture.V3Token(user_id='u1', project_id='p1')
    request = webob.Request.blank('/', headers={
        'X-Identity-Status': 'Confirmed', 'X-User-Id': 'u1',
        'X-Project-Id': 'p1', 'X-Roles': 'reader,admin',
        'X-Auth-Token': 'tok'})
    request.environ['keystone.token_info'] = token
    request.environ['openstack.request_id'] = 'req-1'

    request.get_response(KeystoneContext.factory({})(inner))

    ctx = inner.context
    assert (ctx.user_id, ctx.project_id, ctx.auth_token) == ('u1', 'p1',
                                                             'tok')
    assert sorted(ctx.roles) == ['admin', 'reader']
    assert ctx.is_admin is True
    assert ctx.token_info is token
    assert ctx.request_id == 'req-1'
    assert 'token_info' not in ctx.to_dict()


@pytest.mark.parametrize('headers', [
    {'X-Identity-Status': 'Invalid', 'X-User-Id': 'u1',
     'X-Project-Id': 'p1'},
    {'X-User-Id': 'u1', 'X-Project-Id': 'p1'},
    {'X-Identity-Status': 'Confirmed', 'X-User-Id': 'u1'},
])
def test_keystone_context_needs_a_confirmed_project_token(inner, headers):
    request = webob.Request.blank('/', headers=headers)
    request.environ[CONTEXT_KEY] = 'smuggled'

    request.get_response(KeystoneContext(inner))

    assert inner.context is None


def test_noauth_context_from_headers(inner):
    request = webob.Request.blank('/', headers={
        'X-User-Id': 'u1', 'X-Project-Id': 'p1', 'X-Roles': 'admin'})

    request.get_response(NoAuthContext.factory({})(inner))

    ctx = inner.context
    assert (ctx.user_id, ctx.project_id, ctx.roles) == ('u1', 'p1',
                                                        ['admin'])
    assert ctx.is_admin is True


def test_noauth_token_shorthand_and_default_roles(inner):
    request = webob.Request.blank('/', headers={'X-Auth-Token': 'u2:p2'})

    request.get_response(NoAuthContext(inner))

    ctx = inner.context
    assert (ctx.user_id, ctx.project_id) == ('u2', 'p2')
    assert ctx.roles == ['member', 'reader']
    assert ctx.is_admin is False


@pytest.mark.parametrize('headers', [{}, {'X-User-Id': 'u1'},
                                     {'X-Auth-Token': 'just-a-token'}])
def test_noauth_without_user_and_project_has_no_context(inner, headers):
    webob.Request.blank('/', headers=headers).get_response(
        NoAuthContext(inner))

    assert inner.context is None


class TestURLMap:
    @pytest.fixture
    def apps(self):
        return {'/compute': Recorder('compute'),
                '/compute/extra/': Recorder('extra'),
                '/admin': Recorder('admin')}

    @pytest.mark.parametrize('path, name, script, rest', [
        ('/compute', 'compute', '/compute', ''),
        ('/compute/v2.1/servers', 'compute', '/compute', '/v2.1/servers'),
        ('/compute/extra/x', 'extra', '/compute/extra', '/x'),
        ('/admin/', 'admin', '/admin', '/'),
    ])
    def test_longest_prefix_wins(self, apps, path, name, script, rest):
        response = webob.Request.blank(path).get_response(
            api_app.URLMap(apps))

        assert response.text == name
        environ = apps['/compute/extra/' if name == 'extra'
                       else '/' + name].environ
        assert (environ['SCRIPT_NAME'], environ['PATH_INFO']) == (script,
                                                                  rest)

    @pytest.mark.parametrize('path', ['/', '/computer', '/volume/v3'])
    def test_anything_else_is_404(self, apps, path):
        response = webob.Request.blank(path).get_response(
            api_app.URLMap(apps))

        assert response.status_int == 404


class FakeLoader:
    """The bits of paste's loader the factories use."""

    def __init__(self):
        self.filters = []

    def get_filter(self, name):
        def make(app):
            self.filters.append(name)
            return (name, app)
        return make

    def get_app(self, name):
        return name


@pytest.mark.parametrize('strategy, expected', [
    ('keystone', ('request_id', ('authtoken', ('keystonecontext', 'app')))),
    ('noauth', ('request_id', ('noauthcontext', 'app'))),
])
def test_pipeline_follows_auth_strategy(override, strategy, expected):
    override('auth_strategy', strategy)

    pipeline = api_app.pipeline_factory(
        FakeLoader(), {},
        keystone='request_id authtoken keystonecontext app',
        noauth='request_id noauthcontext app')

    assert pipeline == expected


def test_urlmap_mounts_only_enabled_services(override):
    override('enabled_services', ['admin'])

    urlmap = api_app.urlmap_factory(
        FakeLoader(), {}, **{'/compute': 'nova:compute',
                             '/admin': 'admin:admin_pipe'})

    assert urlmap.apps == [('/admin', 'admin_pipe')]


@pytest.fixture
def cloud_admin_policy(tmp_path, default_policy):
    """``context_is_admin`` is the role ``cloud_admin``, not ``admin``."""
    path = tmp_path / 'policy.yaml'
    path.write_text('"context_is_admin": "role:cloud_admin"\n')
    use_policy_file(path)


@pytest.mark.parametrize('roles, admin', [
    ('admin', False), ('cloud_admin', True), ('member,cloud_admin', True),
    ('member', False)])
def test_is_admin_follows_the_policy_rule(inner, cloud_admin_policy,
                                          roles, admin):
    noauth = webob.Request.blank('/', headers={
        'X-User-Id': 'u1', 'X-Project-Id': 'p1', 'X-Roles': roles})
    noauth.get_response(NoAuthContext(inner))
    assert inner.context.is_admin is admin

    keystone = webob.Request.blank('/', headers={
        'X-Identity-Status': 'Confirmed', 'X-User-Id': 'u1',
        'X-Project-Id': 'p1', 'X-Roles': roles})
    keystone.get_response(KeystoneContext(inner))
    assert inner.context.is_admin is admin
