"""``trio2o-manage``: database, pods and plugins, from the shell."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from oslo_log import log

from trio2o_core import config
from trio2o_core import loader
from trio2o_core.admin.service import _pod
from trio2o_core.conf import CONF
from trio2o_core.db import api as db
from trio2o_core.db import exceptions as db_exc
from trio2o_core.db import migration


def _bool(text: str) -> bool:
    if text.lower() in ('true', 'yes', '1', 'on'):
        return True
    if text.lower() in ('false', 'no', '0', 'off'):
        return False
    raise argparse.ArgumentTypeError(f'not a boolean: {text!r}')


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
    delete = pod_sub.add_parser('delete', help='remove a pod')
    delete.add_argument('pod', help='pod id or name')

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
    if args.action == 'create':
        try:
            row = db.create_pod(
                args.name, args.az_name, pod_az_name=args.pod_az_name,
                dc_name=args.dc_name, enabled=args.enabled)
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
                   ('name', 'az_name', 'pod_az_name', 'dc_name', 'enabled')
                   if getattr(args, field) is not None}
        _print(_pod(db.update_pod(_find_pod(args.pod).id, **changes)))
    elif args.action == 'delete':
        db.delete_pod(_find_pod(args.pod).id)
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
    config.parse_args(oslo_args)
    try:
        return _run(args)
    except db_exc.DBError as exc:
        print(f'trio2o-manage: {exc}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
