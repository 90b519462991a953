"""``trio2o-manage pod ...``: register, weigh, drain and remove pods."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from trio2o_core.admin.service import _pod
from trio2o_core.db import api as db
from trio2o_core.db import exceptions as db_exc
from trio2o_core.db.models import PodIdentity

#: the fields ``pod create`` and ``pod update`` take as options
FIELDS = ('name', 'az_name', 'pod_az_name', 'dc_name', 'enabled', 'weight',
          'identity', 'service_provider')
#: how a pod trusts its callers' tokens
IDENTITIES = [str(mode) for mode in PodIdentity]


def _weight(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(
            f'not a weight (an integer, 0 or more): {text!r}')
    return value


def add_parser(commands: Any, boolean: Callable[[str], bool]) -> None:
    """Add the ``pod`` category to ``commands`` (argparse subparsers)."""
    pod = commands.add_parser('pod', help='pods behind the gateway')
    pod_sub = pod.add_subparsers(dest='action', required=True)
    create = pod_sub.add_parser('create', help='register a pod')
    create.add_argument('--name', required=True,
                        help='the pod\'s Keystone region')
    create.add_argument('--az-name', required=True,
                        help='availability zone users see')
    create.add_argument('--pod-az-name', help='zone name inside the pod')
    create.add_argument('--dc-name', help='data centre')
    create.add_argument('--enabled', type=boolean, default=True)
    create.add_argument('--weight', type=_weight, default=1,
                        help='preference of the weighted policy (0: never '
                             'chosen; default %(default)s)')
    create.add_argument('--identity', choices=IDENTITIES, default='shared',
                        help='shared: the pod trusts this Keystone; k2k: '
                             'its own Keystone, a service provider of it')
    create.add_argument('--service-provider',
                        help='the service provider registered for a k2k '
                             'pod in the top Keystone')
    pod_sub.add_parser('list', help='list pods')
    show = pod_sub.add_parser(
        'show', help='show one pod and what it still holds, per project '
                     'and resource type')
    show.add_argument('pod', help='pod id or name')
    update = pod_sub.add_parser('update', help='change a pod')
    update.add_argument('pod', help='pod id or name')
    update.add_argument('--name')
    update.add_argument('--az-name')
    update.add_argument('--pod-az-name')
    update.add_argument('--dc-name')
    update.add_argument('--enabled', type=boolean)
    update.add_argument('--weight', type=_weight,
                        help='preference of the weighted policy')
    update.add_argument('--identity', choices=IDENTITIES)
    update.add_argument('--service-provider')
    for action, text in (
            ('drain', 'take no new resources in the pod: bindings move '
                      'at their next create, held resources keep '
                      'working'),
            ('undrain', 'let the pod take new resources again')):
        pod_sub.add_parser(action, help=text).add_argument(
            'pod', help='pod id or name')
    delete = pod_sub.add_parser(
        'delete', help='remove a pod (refused while routings point at it)')
    delete.add_argument('pod', help='pod id or name')
    delete.add_argument('--force', action='store_true',
                        help='remove the routings pointing at the pod too '
                             '(the resources stay in the pod, unreachable '
                             'through the gateway); asks for confirmation')
    delete.add_argument('--yes', action='store_true',
                        help='with --force: do not ask for confirmation')


def find_pod(ident: str) -> Any:
    """Return the pod row whose id or name is ``ident``.

    :raises NotFound: neither.
    """
    try:
        return db.get_pod(ident)
    except db_exc.NotFound:
        return db.get_pod_by_name(ident)


def run(args: argparse.Namespace, show: Callable[[Any], None]) -> int:
    """Run one ``pod`` action; ``show`` prints its result."""
    if args.action == 'create':
        try:
            row = db.create_pod(
                args.name, args.az_name, pod_az_name=args.pod_az_name,
                dc_name=args.dc_name, enabled=args.enabled,
                weight=args.weight, identity=args.identity,
                service_provider=args.service_provider)
        except db_exc.Duplicate:
            raise db_exc.DBError(
                f'a pod named {args.name} exists already') from None
        show(_pod(row))
    elif args.action == 'list':
        show([_pod(row) for row in db.list_pods()])
    elif args.action == 'show':
        row = find_pod(args.pod)
        show({**_pod(row), 'holdings': db.pod_holdings(row.id)})
    elif args.action in ('update', 'drain', 'undrain'):
        changes = ({field: getattr(args, field) for field in FIELDS
                    if getattr(args, field) is not None}
                   if args.action == 'update'
                   else {'draining': args.action == 'drain'})
        show(_pod(db.update_pod(find_pod(args.pod).id, **changes)))
    elif args.action == 'delete':
        return _delete(args)
    return 0


def _delete(args: argparse.Namespace) -> int:
    row = find_pod(args.pod)
    if not args.force:
        try:
            db.delete_pod(row.id)
        except db_exc.PodInUse as exc:
            raise db_exc.DBError(
                f'pod {row.name} still holds {exc.count} routed resources: '
                'delete them first, or remove their routings with '
                '--force') from None
        return 0
    held = db.count_routings_by_pod(row.id)
    if held and not args.yes:
        print(f'Pod {row.name} still holds {held} routed resources; their '
              'routings will be removed and the resources left in the pod, '
              'unreachable through the gateway.', file=sys.stderr)
        try:
            answer = input(f'Delete pod {row.name} and its routings? '
                           '[y/N] ')
        except EOFError:
            answer = ''
        if answer.strip().lower() not in ('y', 'yes'):
            print('trio2o-manage: nothing deleted', file=sys.stderr)
            return 1
    removed = db.delete_pod(row.id, force=True)
    print(f'deleted pod {row.name} and {removed} routings')
    return 0
