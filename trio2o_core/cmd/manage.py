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
from trio2o_core import reconcile_access
from trio2o_core import startup
from trio2o_core.admin.service import _routing
from trio2o_core.cmd import manage_pods
from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.db import exceptions as db_exc
from trio2o_core.db import migration
from trio2o_core.db.models import RoutingStatus
from trio2o_core.plugin import BadRequest
from trio2o_core.plugin import PluginLoadError
from trio2o_core.plugin import query


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

    manage_pods.add_parser(commands, _bool)

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


def _describe_policy(name: str) -> str:
    try:
        policy = loader.load(loader.SCHEDULER_POLICIES, [name])[name]
    except PluginLoadError as exc:
        return f'cannot be loaded: {exc}'
    return str(policy.describe())


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
        print(f'active scheduling policy\t{CONF.scheduler.policy}\t'
              f'{_describe_policy(CONF.scheduler.policy)}')
        return 0
    if args.category == 'routings':
        return _routings(args)
    return manage_pods.run(args, _print)


def _routings(args: argparse.Namespace) -> int:
    if args.action == 'list':
        pod_id = manage_pods.find_pod(args.pod).id if args.pod else None
        rows = db.list_routings(project_id=args.project, pod_id=pod_id,
                                resource_type=args.resource_type)
        _print([_routing(row) for row in rows
                if args.status in (None, row.status)])
        return 0
    if args.action == 'prune':
        _print(reconcile.prune(dry_run=args.dry_run).as_dict())
        return 0
    summary = reconcile.reconcile(
        reconcile_access.service_session(CONF), older_than=args.older_than,
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
    except (db_exc.DBError, reconcile_access.ReconcileError) as exc:
        print(f'trio2o-manage: {exc}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
