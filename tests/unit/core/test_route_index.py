"""The router's index of route templates answers as one Routes mapper
over the whole table would, for every service's real table."""

import functools
import re

import pytest
import routes
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from trio2o_core import core_gateway
from trio2o_core.api.router import RouteIndex

SERVICES = ('nova', 'cinder', 'glance', 'admin')
_VARIABLE = re.compile(r'\{[^}]*\}')
SEGMENT = st.text(alphabet='abv0123456789.-_~%:', min_size=0, max_size=8)


def whole(paths: list[str]) -> routes.Mapper:
    mapper = routes.Mapper()
    for path in paths:
        mapper.connect(path, path_template=path)
    return mapper


@functools.cache
def table(service: str) -> tuple[list[str], RouteIndex, routes.Mapper]:
    """A service's templates, their index and one mapper over them."""
    driver = core_gateway.get_gateway().service(service)
    paths = [route.path for route in driver.routes()]
    return paths, RouteIndex(paths), whole(paths)


@st.composite
def request_path(draw: st.DrawFn, paths: list[str]) -> str:
    """A template with its variables filled, perhaps cut, lengthened or
    with a segment changed; or any path at all."""
    template = draw(st.sampled_from(paths))
    path = _VARIABLE.sub(lambda _: draw(SEGMENT.filter(bool)), template)
    segments = path.split('/')
    change = draw(st.sampled_from(['none', 'cut', 'add', 'swap', 'any']))
    if change == 'cut' and len(segments) > 1:
        segments = segments[:draw(st.integers(1, len(segments) - 1))]
    elif change == 'add':
        segments += draw(st.lists(SEGMENT, min_size=1, max_size=3))
    elif change == 'swap' and len(segments) > 1:
        segments[draw(st.integers(1, len(segments) - 1))] = draw(SEGMENT)
    elif change == 'any':
        segments = [''] + draw(st.lists(SEGMENT, max_size=5))
    return '/'.join(segments) or '/'


@pytest.mark.parametrize('service', SERVICES)
@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_index_matches_as_one_mapper(service, data):
    paths, index, mapper = table(service)
    path = data.draw(request_path(paths))

    assert index.match(path) == mapper.match(path)


@pytest.mark.parametrize('path, template', [
    ('/v1/things/x', '/v1/things/x'),
    ('/v1/things/y', '/v1/things/{id}'),
    ('/v1/other/x', '/v1/{kind}/x'),
    ('/v1/things/z/x', '/{any:.+}/x'),
    ('/v2/x', '/{any:.+}/x'),
    ('/v2/things/y', None),
])
def test_templates_with_variables_in_the_first_segments_are_asked_too(
        path, template):
    paths = ['/v1/{kind}/x', '/v1/things/x', '/v1/things/{id}',
             '/{any:.+}/x']
    found = RouteIndex(paths).match(path)

    assert found == whole(paths).match(path)
    assert (found or {}).get('path_template') == template
