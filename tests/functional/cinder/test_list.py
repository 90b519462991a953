"""Volume lists merged over two real Cinder pods: Cinder's order, paging
with the gateway's next links, filters, with_count, a down pod."""

from __future__ import annotations

from tests.functional.cinder.conftest import VOLUME_VERSION


def _ids(response):
    return [v['id'] for v in response.json()['volumes']]


def test_list_holds_both_pods_in_cinders_order(demo, volumes):
    response = demo.block_storage.get('/volumes/detail')
    listed = response.json()['volumes']
    assert {v['id'] for v in volumes} <= {v['id'] for v in listed}
    keys = [(v['created_at'], v['id']) for v in listed]
    assert keys == sorted(keys, reverse=True)


def test_summary_list_has_id_name_links(demo, volumes):
    listed = demo.block_storage.get('/volumes').json()['volumes']
    assert all(set(v) == {'id', 'name', 'links'} for v in listed)


def test_sort_by_name_ascending_both_syntaxes(demo, volumes):
    new = _ids(demo.block_storage.get('/volumes', params={
        'sort': 'name:asc'}))
    legacy = _ids(demo.block_storage.get('/volumes', params={
        'sort_key': 'name', 'sort_dir': 'asc'}))
    names = {v['id']: v['name'] for v in volumes}
    mine = [i for i in new if i in names]
    assert mine == sorted(mine, key=names.get)
    assert new == legacy


def test_pages_follow_next_links_without_gap(gateway, demo, volumes):
    everything = _ids(demo.block_storage.get('/volumes'))
    seen, url = [], f'{gateway.url}/volume/v3/volumes?limit=1'
    while url:
        body = demo.session.get(url).json()
        seen += [v['id'] for v in body['volumes']]
        links = body.get('volumes_links', [])
        url = links[0]['href'] if links else None
        if url:
            assert url.startswith(gateway.url + '/volume/v3/volumes?')
    assert seen == everything


def test_bad_paging_and_sorting_are_cinders_400(demo):
    cases = {
        (('limit', 'x'),): 'limit param must be an integer',
        (('limit', '-1'),): 'limit param must be positive',
        (('sort', 'name'), ('sort_key', 'name')): (
            "The 'sort_key' and 'sort_dir' parameters are deprecated and "
            "cannot be used with the 'sort' parameter."),
        (('sort', 'name:up'),): ("Invalid input received: Unknown sort "
                                 "direction, must be 'desc' or 'asc'."),
    }
    for params, message in cases.items():
        response = demo.block_storage.get('/volumes', params=list(params),
                                          raise_exc=False)
        assert response.status_code == 400, params
        assert response.json()['badRequest']['message'] == message


def test_unknown_marker_is_404(demo):
    response = demo.block_storage.get(
        '/volumes', params={'marker': '00000000-0000-0000-0000-000000000000'},
        raise_exc=False)
    assert response.status_code == 404


def test_zone_filter_names_the_users_zone(demo, volumes):
    listed = demo.block_storage.get('/volumes/detail', params={
        'availability_zone': 'az2'}).json()['volumes']
    assert volumes[1]['id'] in [v['id'] for v in listed]
    assert {v['availability_zone'] for v in listed} == {'az2'}


def test_filters_are_judged_by_the_pods(demo, admin, volumes):
    # admins may filter on any column, every project with all_tenants
    response = admin.block_storage.get('/volumes', params={
        'name': volumes[0]['name'], 'all_tenants': '1'},
        microversion=VOLUME_VERSION)
    assert _ids(response) == [volumes[0]['id']]
    # these pods' resource filters refuse it to users: Cinder's own 400
    refused = demo.block_storage.get('/volumes', params={
        'name': volumes[0]['name']}, microversion=VOLUME_VERSION,
        raise_exc=False)
    assert refused.json() == {'badRequest': {
        'code': 400,
        'message': 'Invalid filters name are found in query options.'}}


def test_with_count_sums_the_pods(demo, volumes):
    body = demo.block_storage.get('/volumes', params={'with_count': 'true'},
                                  microversion=VOLUME_VERSION).json()
    assert body['count'] == len(body['volumes']) >= 2


def test_other_projects_do_not_see_the_volumes(alt, volumes):
    listed = _ids(alt.block_storage.get('/volumes'))
    assert not {v['id'] for v in volumes} & set(listed)


def test_down_pod_list_is_partial_and_calls_503(demo, volumes, pod2_down):
    response = demo.block_storage.get('/volumes')
    assert response.status_code == 200
    assert volumes[0]['id'] in _ids(response)
    assert volumes[1]['id'] not in _ids(response)
    assert response.headers['X-Trio2o-Partial'] == 'Pod2'
    show = demo.block_storage.get(f'/volumes/{volumes[1]["id"]}',
                                  raise_exc=False)
    assert show.status_code == 503
    assert show.json() == {'serviceUnavailable': {
        'code': 503, 'message': 'Pod Pod2 is unavailable.'}}
