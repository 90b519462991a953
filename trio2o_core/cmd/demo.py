"""``trio2o-demo``: the gateway on its embedded default, in front of a
real local OpenStack, for a first look.

Starts Keystone, two Nova pods and two Cinder pods (availability zones
az1 and az2) and Glance from their own packages, then ``trio2o-api`` on
SQLite with both pods registered as the top region's endpoints, writes
``clouds.yaml`` and waits for Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

NEXT_STEPS = """\
Trio2o is up: {url}
  Keystone:    {keystone}
  clouds.yaml: {clouds}
               trio2o, trio2o-alt, trio2o-admin: through the gateway
               {pods}: straight to each pod, as admin

Try:
  export OS_CLIENT_CONFIG_FILE={clouds}
  openstack --os-cloud trio2o availability zone list
  openstack --os-cloud trio2o server create --image fakeimage7 \\
      --flavor m1.tiny --availability-zone az2 --wait vm1
  openstack --os-cloud trio2o volume create --size 1 \\
      --availability-zone az2 vol1           # the same pod as vm1
  openstack --os-cloud trio2o server add volume vm1 vol1
  openstack --os-cloud trio2o server list
  openstack --os-cloud trio2o volume list
  openstack --os-cloud trio2o server stop vm1
  openstack --os-cloud pod2 server list --all-projects    # the pod itself
  curl -H "X-Auth-Token: $(openstack --os-cloud trio2o-admin token issue \\
      -f value -c id)" {url}/admin/v1/pods                # the admin API
  curl {url}/healthcheck; curl -s {url}/metrics | grep trio2o_pod_up

Logs and state: {workdir}
Press Ctrl-C to stop.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='trio2o-demo',
        description='Run Trio2o in front of a local OpenStack of real pods.')
    parser.add_argument('--clouds-yaml', type=Path,
                        default=Path('clouds.yaml'),
                        help='where to write clouds.yaml (default: '
                             './clouds.yaml)')
    parser.add_argument('--workdir', type=Path,
                        help='state and logs (default: a temporary dir)')
    parser.add_argument('--pods', type=int, default=2,
                        help='number of pods (default 2)')
    parser.add_argument('--federated-pods', type=int, default=0,
                        metavar='N',
                        help='make the last N pods federated: each with '
                             'its own Keystone, a service provider of the '
                             'top one (Keystone to Keystone; needs '
                             'xmlsec1)')
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo until Ctrl-C or SIGTERM."""
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    from trio2o_core.testing.cloud import LocalCloud
    from trio2o_core.testing.federation import FederationError
    from trio2o_core.testing.gateway import GatewayProcess
    from trio2o_core.testing.process import StartError
    from trio2o_core.testing.process import wait_for_stop_signal

    started = time.monotonic()
    print('Starting the local OpenStack (the first run builds its '
          'environment, a few minutes)...', flush=True)
    cloud = LocalCloud(nova_pods=args.pods, cinder_pods=args.pods,
                       workdir=args.workdir,
                       federated_pods=args.federated_pods)
    try:
        cloud.start()
        gateway = GatewayProcess(cloud, cloud.workdir / 'gateway')
        gateway.start()
        try:
            gateway.write_clouds_yaml(args.clouds_yaml)
            print(f'Ready in {time.monotonic() - started:.1f} s.')
            print(NEXT_STEPS.format(
                url=gateway.url, keystone=cloud.keystone_url,
                clouds=args.clouds_yaml.resolve(), workdir=cloud.workdir,
                pods=', '.join(f'pod{p.index}' for p in cloud.pods)),
                flush=True)
            wait_for_stop_signal()
        finally:
            print('Stopping...', flush=True)
            gateway.stop()
    except (StartError, FederationError) as exc:
        print(f'trio2o-demo: {exc}', file=sys.stderr)
        return 1
    finally:
        cloud.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
