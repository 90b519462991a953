"""``trio2o-manage``: database, pods, routings and plugins, from the
shell."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

from oslo_log import log

from trio2o_core import loader
from trio2o_core import reconcile
from trio2o_core import startup
from trio2o_core.admin.service import _pod
from trio2o_core.admin.service import _routing
from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.db import exceptions as db_exc
from trio2o_core.db import migration
from trio2o_core.db.models import PodIdentity
from trio2o_core.db.models import RoutingStatus
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import query

IDENTITIES = [str(mode) for mode in PodIdentity]


def _bool(text: str) -> bool:
    try:
        return query.parse_bool('enabled', text)
    except BadRequest:
        raise argparse.ArgumentTypeError(
            f'not a boolean: {query.shown_value(text)!r}') from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(
            f'not a number of seconds: {text!r}')
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='trio2o-manage', description='Manage a Trio2o gateway.')
    parser.add_argument('--config-file', action='append', default=[],
                        help='configuration file (may be repeated)')
    parser.add_argument('--config-dir', help='configuration directory')
    commands = parser.add_subparsers(dest='category', required=True)

    db_cmd = commands.add_parser('db', help='the gateway database')
    db_sub = db_cmd.add_subparsers(dest='action', required=True)
    db_sub.add_parser('sync', help='apply every migration')
    db_sub.add_parser('version', help='print the current schema version')

    pod = commands.add_parser('pod', help='pods behind the gateway')
    pod_sub = pod.add_subparsers(dest='action', required=True)
    create = pod_sub.add_parser('create', help='register a pod')
    create.add_argument('--name', required=True,
                        help='the pod\'s Keystone region')
    create.add_argument('--az-name', required=True,
                        help='availability zone users see')
    create.add_argument('--pod-az-name', help='zone name inside the pod')
    create.add_argument('--dc-name', help='data centre')
    create.add_argument('--enabled', type=_bool, default=True)
    create.add_argument('--identity', choices=IDENTITIES, default='shared',
                        help='shared: the pod trusts this Keystone; k2k: '
                             'its own Keystone, a service provider of it')
    create.add_argument('--service-provider',
                        help='the service provider registered for a k2k '
                             'pod in the top Keystone')
    pod_sub.add_parser('list', help='list pods')
    show = pod_sub.add_parser('show', help='show one pod')
    show.add_argument('pod', help='pod id or name')
    update = pod_sub.add_parser('update', help='change a pod')
    update.add_argument('pod', help='pod id or name')
    update.add_argument('--name')
    update.add_argument('--az-name')
    update.add_argument('--pod-az-name')
    update.add_argument('--dc-name')
    update.add_argument('--enabled', type=_bool)
    update.add_argument('--identity', choices=IDENTITIES)
    update.add_argument('--service-provider')
    delete = pod_sub.add_parser('delete', help='remove a pod')
    delete.add_argument('pod', help='pod id or name')

    routings = commands.add_parser(
        'routings', help='where resources live: the routing table')
    routings_sub = routings.add_subparsers(dest='action', required=True)
    listing = routings_sub.add_parser('list', help='list routing rows')
    listing.add_argument('--pod', help='pod id or name')
    listing.add_argument('--project', help='project id')
    listing.add_argument('--type', dest='resource_type',
                         help='resource type (server, server_request...)')
    listing.add_argument('--status', choices=list(RoutingStatus))
    rec = routings_sub.add_parser(
        'reconcile', help='settle rows left by interrupted calls with '
                          'what the pods say')
    rec.add_argument('--older-than', type=_seconds, metavar='SECONDS',
                     default=reconcile.DEFAULT_OLDER_THAN,
                     help='only rows unchanged for this long (default '
                          '%(default)s): younger ones may be in flight')
    rec.add_argument('--dry-run', action='store_true',
                     help='change nothing; print what would be done')
    rec.add_argument('--prune-missing', action='store_true',
                     help='also remove active rows whose server the pod '
                          'no longer has')
    prune = routings_sub.add_parser(
        'prune', help='remove the rows of deleted resources kept longer '
                      'than their retention ([nova] '
                      'deleted_server_retention); asks no pod')
    prune.add_argument('--dry-run', action='store_true',
                       help='change nothing; print what would be done')

    plugins = commands.add_parser('plugins', help='installed plugins')
    plugins_sub = plugins.add_subparsers(dest='action', required=True)
    plugins_sub.add_parser('list', help='installed and enabled plugins')
    return parser


def _find_pod(ident: str) -> Any:
    try:
        return db.get_pod(ident)
    except db_exc.NotFound:
        return db.get_pod_by_name(ident)


def _print(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=True))


def _enabled(group: str) -> list[str] | None:
    if group == loader.SERVICES:
        return list(CONF.enabled_services)
    if group == loader.SCHEDULER_POLICIES:
        return [CONF.scheduler.policy]
    if group == loader.SERVER_ACTIONS:
        return CONF.nova.enabled_server_actions
    return None


def _run(args: argparse.Namespace) -> int:
    if args.category == 'db':
        if args.action == 'sync':
            migration.upgrade()
        print(migration.current_version() or 'none')
        return 0
    if args.category == 'plugins':
        for group in loader.GROUPS:
            enabled = _enabled(group)
            for name, targets in sorted(loader.installed(group).items()):
                on = enabled is None or name in enabled
                print(f'{group}\t{name}\t{"enabled" if on else "disabled"}'
                      f'\t{", ".join(targets)}')
        return 0
    if args.category == 'routings':
        return _routings(args)
    if args.action == 'create':
        try:
            row = db.create_pod(
                args.name, args.az_name, pod_az_name=args.pod_az_name,
                dc_name=args.dc_name, enabled=args.enabled,
                identity=args.identity,
                service_provider=args.service_provider)
        except db_exc.Duplicate:
            raise db_exc.DBError(
                f'a pod named {args.name} exists already') from None
        _print(_pod(row))
    elif args.action == 'list':
        _print([_pod(row) for row in db.list_pods()])
    elif args.action == 'show':
        _print(_pod(_find_pod(args.pod)))
    elif args.action == 'update':
        changes = {field: getattr(args, field) for field in
                   ('name', 'az_name', 'pod_az_name', 'dc_name', 'enabled',
                    'identity', 'service_provider')
                   if getattr(args, field) is not None}
        _print(_pod(db.update_pod(_find_pod(args.pod).id, **changes)))
    elif args.action == 'delete':
        db.delete_pod(_find_pod(args.pod).id)
    return 0


def _routings(args: argparse.Namespace) -> int:
    if args.action == 'list':
        pod_id = _find_pod(args.pod).id if args.pod else None
        rows = db.list_routings(project_id=args.project, pod_id=pod_id,
                                resource_type=args.resource_type)
        _print([_routing(row) for row in rows
                if args.status in (None, row.status)])
        return 0
    if args.action == 'prune':
        _print(reconcile.prune(dry_run=args.dry_run).as_dict())
        return 0
    summary = reconcile.reconcile(
        reconcile.service_session(CONF), older_than=args.older_than,
        dry_run=args.dry_run, prune_missing=args.prune_missing)
    _print(summary.as_dict())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; print errors without a traceback."""
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    oslo_args: list[str] = []
    for path in args.config_file:
        oslo_args += ['--config-file', path]
    if args.config_dir:
        oslo_args += ['--config-dir', args.config_dir]
    # Logs go to stderr so that stdout carries only the command's output.
    log.register_options(CONF)
    CONF.set_default('use_stderr', True)
    startup.parse_args(oslo_args)
    try:
        return _run(args)
    except (db_exc.DBError, reconcile.ReconcileError) as exc:
        print(f'trio2o-manage: {exc}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
