"""The route index answers every path as the Routes mapper it indexes."""

import re

import routes
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from trio2o_core.admin.service import AdminService
from trio2o_core.api.route_index import RouteIndex
from trio2o_core.api.router import ServiceApp
from trio2o_core.testing.fakes import FakeGateway
from trio2o_plugins.cinder.service import CinderService
from trio2o_plugins.glance.service import GlanceService
from trio2o_plugins.nova.service import NovaService

GATEWAY = FakeGateway(pods=0)
APPS = [ServiceApp(cls(GATEWAY)) for cls in (
    NovaService, CinderService, GlanceService, AdminService)]
#: a mapper of the shapes the built-in tables lack: requirements, a
#: variable sharing its segment, a variable first segment, order
#: deciding between a literal and a variable
ODD = routes.Mapper()
for template, reqs in [
        ('/v2/images/{image_id}/file', {}),
        ('/v2/{kind}/detail', {}),
        ('/v2/things/detail', {}),
        ('/v2/things/{id}', {'id': '[0-9]+'}),
        ('/v2/things/{id}.json', {}),
        ('/v2/{pair:[+-0]+}/pairs', {}),
        ('/v2/{rest:.*}/tail', {}),
        ('/v2/{code:[a-c-]+}/codes', {}),
        ('/v2/{any}/{thing}', {}),
        ('/{version}', {}),
        ('/', {})]:
    ODD.connect(template, path_template=template, requirements=reqs)
MAPPERS = [app.mapper for app in APPS] + [ODD]
LITERALS = sorted({segment for mapper in MAPPERS
                   for route in mapper.matchlist
                   for segment in route.routepath.split('/')
                   if '{' not in segment})
SEGMENT = st.one_of(st.sampled_from(LITERALS), st.text(
    st.sampled_from('ab1.-_%~:{}/+,\n\t é'), max_size=6))
PATH = st.lists(SEGMENT, min_size=1, max_size=8).map('/'.join)


@settings(max_examples=2000, deadline=None)
@given(path=PATH, which=st.integers(0, len(MAPPERS) - 1))
def test_a_path_matches_what_the_mapper_matches(path, which):
    mapper = MAPPERS[which]
    index = RouteIndex(mapper)

    assert index.match(path, {}) == mapper.match(path, environ={})


def sample(segment: str, requirements: dict) -> str:
    """A value of the variable ``segment`` names (or the literal)."""
    if not segment.startswith('{'):
        return segment
    requirement = requirements.get(segment[1:-1].partition(':')[0], '.+')
    return next(value for value in ('abc1', 'reboot', '42', 'x')
                if re.fullmatch(requirement, value))


def test_every_route_of_the_built_in_tables_is_found():
    for app in APPS:
        for route in app.mapper.matchlist:
            path = '/'.join(sample(segment, route.reqs)
                            for segment in route.routepath.split('/'))
            expected = app.mapper.match(path, environ={})

            assert expected is not None
            assert app.index.match(path, {}) == expected


def test_a_final_newline_is_matched_as_routes_matches_it():
    # a pattern's '$' also matches before a final newline
    index = RouteIndex(ODD)

    for path in ('/v2/things/detail\n', '/v2/abc\n', '/\n'):
        assert index.match(path, {}) == ODD.match(path, environ={})
