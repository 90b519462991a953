"""``trio2o-testcloud``: run a local OpenStack in the foreground.

Starts Keystone, N Nova pods, N Cinder pods and Glance on loopback,
writes a clouds.yaml with ``pod1``.. entries (admin, straight to each
pod's region), prints the endpoints and runs until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trio2o-testcloud",
        description="Run a real local OpenStack (Keystone, Nova, Cinder, "
                    "Glance) on loopback until interrupted.")
    parser.add_argument("--pods", type=int, default=2,
                        help="number of pods, each with Nova and Cinder "
                             "(default 2)")
    parser.add_argument("--federated-pods", type=int, default=0,
                        metavar="N",
                        help="make the last N pods federated: each with "
                             "its own Keystone, a service provider of the "
                             "top one (Keystone to Keystone; needs "
                             "xmlsec1)")
    parser.add_argument("--clouds-yaml", type=Path, required=True,
                        help="where to write clouds.yaml")
    parser.add_argument("--gateway-url", default=None,
                        help="register this URL as the top region's "
                             "compute and image endpoints")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep configs, data and logs here "
                             "(default: a temporary dir, removed on exit)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from trio2o_core.testing.cloud import TOP_REGION
    from trio2o_core.testing.cloud import LocalCloud
    from trio2o_core.testing.federation import FederationError
    from trio2o_core.testing.process import StartError
    from trio2o_core.testing.process import wait_for_stop_signal

    cloud = LocalCloud(nova_pods=args.pods, cinder_pods=args.pods,
                       workdir=args.workdir, gateway_url=args.gateway_url,
                       federated_pods=args.federated_pods)
    try:
        cloud.start()
        cloud.write_clouds_yaml(args.clouds_yaml)
        print(f"keystone   {cloud.keystone_url}  "
              f"(admin/{cloud.admin.password})")
        print(f"glance     {cloud.glance_url}")
        for pod in cloud.pods:
            print(f"pod{pod.index}       region {pod.region}, "
                  f"az {pod.az}: compute {pod.compute_url}, "
                  f"volume {pod.volume_url}"
                  + (f", own keystone {pod.keystone.url} (service "
                     f"provider {pod.service_provider})"
                     if pod.keystone else ""))
        if args.gateway_url:
            print(f"gateway    {args.gateway_url} (region {TOP_REGION})")
        print(f"clouds.yaml {args.clouds_yaml.resolve()}; logs in "
              f"{cloud.workdir}")
        print(f"try: OS_CLIENT_CONFIG_FILE={args.clouds_yaml} "
              "openstack --os-cloud pod1 server list")
        print("running; Ctrl-C to stop", flush=True)
        wait_for_stop_signal()
    except (StartError, FederationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        cloud.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
