"""The server list merged over two real pods: openstacksdk pages it in
global order, and each user sees only their own servers."""

from __future__ import annotations

import pytest

from tests.functional.nova.conftest import boot


@pytest.fixture(scope='module')
def five(demo, admin):
    """Five servers of the demo user: three in az1, two in az2."""
    servers = []
    try:
        for zone in ('az1', 'az2', 'az1', 'az2', 'az1'):
            servers.append(boot(demo, zone))
        yield servers
    finally:
        for server in servers:
            admin.compute.delete_server(server.id, ignore_missing=True)


def global_order(servers):
    return [s.id for s in sorted(servers, key=lambda s: (s.created_at, s.id),
                                 reverse=True)]


def test_sdk_pages_in_global_order_without_gap_or_duplicate(demo, five):
    whole = list(demo.compute.servers(details=True))
    paged = [s.id for s in demo.compute.servers(details=True, limit=2)]

    assert paged == [s.id for s in whole]
    assert paged == global_order(whole)
    assert {s.id for s in five} <= set(paged)
    assert len(paged) == len(set(paged))


def test_index_pages_too(demo, five):
    paged = [s.id for s in demo.compute.servers(details=False, limit=3)]

    assert paged == [s.id for s in demo.compute.servers(details=True)]


def test_next_link_is_nova_s(gateway, demo, five):
    response = demo.compute.get('/servers?limit=2&name=gw-')

    links = response.json()['servers_links']
    assert links[0]['rel'] == 'next'
    assert links[0]['href'].startswith(
        f'{gateway.url}/compute/v2.1/servers?limit=2&name=gw-&marker=')


def test_other_project_sees_none_of_them(alt, five):
    assert not {s.id for s in five} & {s.id for s in alt.compute.servers()}


def test_admin_all_tenants_sees_them(admin, five):
    listed = {s.id for s in admin.compute.servers(all_projects=True)}

    assert {s.id for s in five} <= listed
