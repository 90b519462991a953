"""Hrefs point at the gateway, never at a pod."""

import webob

from trio2o_core.plugin import links

POD = 'http://10.0.0.5:8774/v2.1'
TOP = 'https://api.example.com/compute/v2.1'


def test_rewrite_recurses_into_lists_and_dicts():
    body = {'server': {
        'id': 's1',
        'links': [{'rel': 'self', 'href': POD + '/servers/s1'},
                  {'rel': 'bookmark', 'href': POD}],
        'image': {'links': [{'href': POD + '/images/i1'}]},
        'count': 3, 'locked': False, 'note': None,
    }}

    assert links.rewrite(body, POD, TOP) == {'server': {
        'id': 's1',
        'links': [{'rel': 'self', 'href': TOP + '/servers/s1'},
                  {'rel': 'bookmark', 'href': TOP}],
        'image': {'links': [{'href': TOP + '/images/i1'}]},
        'count': 3, 'locked': False, 'note': None,
    }}


def test_rewrite_ignores_trailing_slashes_of_the_bases():
    assert links.rewrite(POD + '/flavors/1', POD + '/', TOP + '/') == (
        TOP + '/flavors/1')


def test_rewrite_only_touches_whole_path_segments():
    for other in (POD + 'x/servers', 'http://10.0.0.5:8774/v2',
                  'see ' + POD, 'http://10.0.0.6:8774/v2.1/servers'):
        assert links.rewrite(other, POD, TOP) == other


def test_rewrite_leaves_the_input_unchanged():
    body = {'links': [{'href': POD}]}

    links.rewrite(body, POD, TOP)

    assert body == {'links': [{'href': POD}]}


def test_gateway_url_is_the_host_url_and_mount_point():
    request = webob.Request.blank('/v2.1/servers', base_url=(
        'http://gw.example:19996/compute'))

    assert links.gateway_url(request) == 'http://gw.example:19996/compute'


def test_gateway_url_prefers_the_configured_public_url():
    request = webob.Request.blank('/v2.1', base_url='http://10.1.1.1/volume')
    request.environ[links.CONFIG_PUBLIC_URL_KEY] = 'https://cloud.example/'

    assert links.gateway_url(request) == 'https://cloud.example/volume'
