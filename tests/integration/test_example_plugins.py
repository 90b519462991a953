"""The example plugin package installed next to a gateway and enabled in
its configuration, each plugin called through it in front of the real
pods: the server and volume ``whereIs`` actions, the ``fewest-projects``
scheduling policy and the ``widgets`` service driver."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.functional.cinder.conftest import make_volume
from tests.functional.nova.conftest import boot
from tests.functional.nova.conftest import wait_for
from trio2o_core.testing.cloud import TOP_REGION
from trio2o_core.testing.cloud import LocalCloud
from trio2o_core.testing.gateway import GatewayProcess
from trio2o_core.testing.gateway import install_distribution

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_PLUGINS = ROOT / 'examples' / 'trio2o-example-plugins'
#: what an operator adds to api-paste.ini to mount the widgets service
WIDGETS_PASTE = """
[composite:widgets]
use = call:trio2o_core.api.app:pipeline_factory
keystone = cors http_proxy_to_wsgi request_id requestlog faultwrap_nova sizelimit authtoken keystonecontext widgets_app
noauth = cors http_proxy_to_wsgi request_id requestlog faultwrap_nova sizelimit noauthcontext widgets_app

[app:widgets_app]
paste.app_factory = trio2o_core.api.app:service_app_factory
service = widgets
"""  # noqa: E501


def _paste_with_widgets(path: Path) -> Path:
    paste = (ROOT / 'etc' / 'trio2o' / 'api-paste.ini').read_text()
    paste = paste.replace('/admin = admin:admin\n',
                          '/admin = admin:admin\n/widgets = widgets:widgets\n')
    path.write_text(paste + WIDGETS_PASTE)
    return path


@pytest.fixture(scope='module')
def example(local_cloud: LocalCloud, gateway: GatewayProcess,
            tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[GatewayProcess]:
    """A gateway with the package on its PYTHONPATH, the ``widgets``
    service and the ``fewest-projects`` policy enabled, and both pods
    serving zone az1 (so the policy has a choice); the catalog's for the
    module, the session gateway's again afterwards."""
    root = tmp_path_factory.mktemp('example-plugins')
    install_distribution(EXAMPLE_PLUGINS, root / 'site')
    paste = _paste_with_widgets(root / 'api-paste.ini')
    proc = GatewayProcess(
        local_cloud, root / 'gateway',
        options={'DEFAULT': {'enabled_services':
                             'nova,cinder,glance,admin,widgets'},
                 'api': {'paste_config': str(paste)},
                 'scheduler': {'policy': 'fewest-projects'}},
        env={'PYTHONPATH': str(root / 'site')})
    try:
        proc.start()
        pod2 = local_cloud.pods[1].region
        proc.manage('pod', 'update', pod2, '--az-name', 'az1')
        yield proc
    finally:
        proc.stop()
        local_cloud.register_gateway(gateway.url)


def _action(conn: Any, service: str, path: str, version: str) -> Any:
    return conn.session.post(
        path, json={'whereIs': None}, raise_exc=False,
        endpoint_filter={'service_type': service, 'interface': 'public',
                         'region_name': TOP_REGION},
        headers={'OpenStack-API-Version': f'{version}'})


def test_plugins_list_names_the_package_s_policy_as_active(example):
    listed = example.manage('plugins', 'list').splitlines()

    assert ('active scheduling policy\tfewest-projects\tPick the pod with '
            'the fewest projects, then resources.') in listed


def test_policy_spreads_first_projects_and_actions_say_where(example):
    cloud = example.cloud
    demo = example.connection(cloud.users[0])
    alt = example.connection(cloud.users[1])
    volumes = []
    try:
        # first resources of two projects in az1: the pod with the fewest
        # bound projects each time (Pod1 by name, then Pod2)
        for conn in (demo, alt):
            volumes.append((conn, make_volume(conn, 'az1')))
        where = []
        for conn, volume in volumes:
            reply = _action(conn, 'block-storage',
                            f'/volumes/{volume["id"]}/action', 'volume 3.0')
            assert reply.status_code == 200, reply.text
            where.append(reply.json()['whereIs'])
        assert where == [
            {'pod': cloud.pods[0].region, 'availability_zone': 'az1'},
            {'pod': cloud.pods[1].region, 'availability_zone': 'az1'}]

        # the demo project's server joins its binding (Pod1)
        server = boot(demo, 'az1')
        try:
            reply = _action(demo, 'compute', f'/servers/{server.id}/action',
                            'compute 2.3')
            assert reply.status_code == 200, reply.text
            found = reply.json()['whereIs']
            assert (found['pod'], found['availability_zone']) == (
                cloud.pods[0].region, 'az1')
            assert f'{example.url}/compute/v2.1/servers/{server.id}' in {
                link['href'] for link in found['links']}
        finally:
            demo.compute.delete_server(server.id)
    finally:
        for conn, volume in volumes:
            conn.block_storage.delete(f'/volumes/{volume["id"]}')


def test_widgets_service_asks_every_pod(example):
    demo = example.connection(example.cloud.users[0])
    request_id = f'req-{uuid.uuid4()}'

    reply = demo.session.get(f'{example.url}/widgets/v1/widgets',
                             raise_exc=False,
                             headers={'X-OpenStack-Request-ID': request_id})

    # the pods have no widgets API: the driver relays a pod's 404 (Nova's
    # router's plain text), after asking each pod with the caller's id
    assert reply.status_code == 404, reply.text
    assert 'The resource could not be found.' in reply.text
    # a pod writes its access line once it has sent its answer: wait
    for pod in example.cloud.pods:
        log = example.cloud.workdir / f'nova-pod{pod.index}.log'
        wait_for(lambda log=log: any(
            request_id in line and '/v2.1/widgets' in line
            for line in log.read_text().splitlines()),
            f'{pod.region} logs {request_id}', timeout=10)
