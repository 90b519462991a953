"""``trio2o-api``: serve every enabled service's pipeline on one port.

This module is the only one that monkey-patches the process for eventlet.
"""

import warnings

# eventlet's notice that it is in maintenance mode says nothing an
# operator can act on: keep it out of every start's output
warnings.filterwarnings('ignore', message='\nEventlet is deprecated')

import eventlet  # noqa: E402
import eventlet.hubs  # noqa: E402

eventlet.monkey_patch()

import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402

import eventlet.wsgi  # noqa: E402

from trio2o_core import startup  # noqa: E402
from trio2o_core.api import app as app_factories  # noqa: E402
from trio2o_core.api import protocol  # noqa: E402
from trio2o_core.conf import CONF  # noqa: E402

LOG = logging.getLogger(__name__)
#: seconds before a dead worker is replaced (no busy loop of crashes)
RESPAWN_DELAY = 1.0


def green_psycopg2() -> None:
    """Make psycopg2 wait through eventlet's hub, so a PostgreSQL query
    blocks one green thread, not the whole process."""
    try:
        import psycopg2
        from psycopg2 import extensions
    except ImportError:
        return
    from eventlet.hubs import trampoline

    def wait(conn: object, timeout: float | None = None) -> None:
        while True:
            state = conn.poll()
            if state == extensions.POLL_OK:
                return
            if state == extensions.POLL_READ:
                trampoline(conn.fileno(), read=True)
            elif state == extensions.POLL_WRITE:
                trampoline(conn.fileno(), write=True)
            else:
                raise psycopg2.OperationalError(f'bad poll state {state}')

    extensions.set_wait_callback(wait)


def start_reconciler() -> eventlet.greenthread.GreenThread | None:
    """Start the periodic reconciler in a green thread of this process
    (None when ``[reconcile] interval`` is 0)."""
    if CONF.reconcile.interval <= 0:
        return None
    from trio2o_core import reconcile

    return eventlet.spawn(reconcile.run_periodically, CONF)


def own_hub() -> None:
    """Give this (forked) process an eventlet hub of its own: the hub's
    epoll instance survives a fork, so every worker and the supervisor
    would share one, each woken by the others' sockets and polling
    again at once (a busy loop that grew with the workers)."""
    eventlet.hubs.use_hub()


def own_log_locks() -> None:
    """Give every logging handler of this (forked) process a lock of
    its own: oslo.log's handler locks are pipes, which a fork shares, so
    workers logging at once could take each other's wake-up and wait
    forever."""
    loggers = [logging.getLogger(), *(
        logger for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            handler.createLock()


def serve(app: object, sock: object, workers: int) -> None:
    """Serve ``app`` on ``sock`` with ``workers`` processes (1: this
    one); returns when the server stops.

    With several workers this process only supervises: a worker that
    exits is replaced after :data:`RESPAWN_DELAY`, until SIGTERM stops
    them all. Each connection that sends nothing for ``[api]
    client_socket_timeout`` seconds is closed. The periodic reconciler
    runs in one process: the only one, or the supervisor.
    """
    def run() -> None:
        eventlet.wsgi.server(sock, app, log=logging.getLogger('wsgi'),
                             protocol=protocol.HttpProtocol,
                             log_output=CONF.debug,
                             socket_timeout=(CONF.api.client_socket_timeout
                                             or None))

    if workers == 1:
        start_reconciler()
        run()
        return
    children: set[int] = set()
    stopping = False
    reconciler: eventlet.greenthread.GreenThread | None = None

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            if reconciler is not None:
                reconciler.kill()
            own_hub()
            own_log_locks()
            try:
                run()
            finally:
                os._exit(0)
        children.add(pid)

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    for _ in range(workers):
        spawn()
    reconciler = start_reconciler()
    while children:
        pid, status = os.wait()
        children.discard(pid)
        if not stopping:
            LOG.warning('worker %s exited (status %s); starting another',
                        pid, status)
            time.sleep(RESPAWN_DELAY)
            if not stopping:
                spawn()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the API server until interrupted."""
    startup.parse_args(sys.argv[1:] if argv is None else argv)
    green_psycopg2()
    from trio2o_core.plugin.exceptions import PluginLoadError

    try:
        app = app_factories.load_paste_app()
    except (FileNotFoundError, PluginLoadError) as exc:
        LOG.error('%s', exc)
        print(f'trio2o-api: {exc}', file=sys.stderr)
        return 1
    startup.freeze_heap()
    sock = eventlet.listen((CONF.api.bind_host, CONF.api.bind_port))
    # eventlet writes headers and body apart: without this, a keep-alive
    # client waits a delayed ACK (~40 ms) for every mid-sized answer
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    host, port = sock.getsockname()[:2]
    LOG.info('trio2o-api listening on http://%s:%s', host, port)
    print(f'trio2o-api listening on http://{host}:{port}', flush=True)
    try:
        serve(app, sock, CONF.api.workers)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
