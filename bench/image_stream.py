"""Image data streamed through ``/image``: throughput and gateway memory.

Run: ``python bench/image_stream.py [--megabytes 500] [--quick]``.

A canned Glance (a child process on loopback) takes ``PUT
/v2/images/<id>/file`` (reading and counting the body, 204) and answers
``GET /v2/images/<id>/file`` with ``--megabytes`` MB. A ``trio2o-api``
(one worker, ``noauth``, the image service only) sits in front of it.
The image is uploaded, then downloaded, once directly and once through
the gateway, in 1 MB chunks on one connection; the gateway's resident
memory is sampled every 20 ms during its transfers. Prints MB/s of each
transfer and the gateway's peak RSS growth over its RSS before the
transfer, checks the byte counts, and writes
``bench/results/image_stream.json`` (``--json``).
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import multiprocessing
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from canned_nova import PROJECT_ID  # noqa: E402
from canned_nova import USER_ID  # noqa: E402
from canned_nova import CannedNova  # noqa: E402
from harness import gateway  # noqa: E402
from harness import write_json  # noqa: E402

from trio2o_core.testing.process import free_port  # noqa: E402

MB = 1024 * 1024
IMAGE = '70a599e0-31e7-49b7-b260-868f441e862b'
HEADERS = {'X-Auth-Token': f'{USER_ID}:{PROJECT_ID}',
           'X-Roles': 'member,reader'}


def _glance(port: int, size: int, received: Any) -> None:
    chunk = b'\0' * MB

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_PUT(self) -> None:
            left = int(self.headers.get('Content-Length') or 0)
            while left:
                data = self.rfile.read(min(left, MB))
                if not data:
                    break
                left -= len(data)
                received.value += len(data)
            self.send_response(204)
            self.send_header('Content-Length', '0')
            self.end_headers()

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header('Content-Type', 'application/octet-stream')
            self.send_header('Content-Length', str(size))
            self.end_headers()
            for start in range(0, size, MB):
                self.wfile.write(chunk[:min(MB, size - start)])

    server = http.server.ThreadingHTTPServer(('127.0.0.1', port), Handler)
    server.serve_forever()


class Sampler:
    """The peak RSS of a process, sampled every 20 ms while running."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.before = self.process.memory_info().rss
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def upload(port: int, path: str, size: int) -> float:
    """PUT ``size`` bytes in 1 MB chunks; return the seconds taken.

    :raises RuntimeError: the answer is not 204.
    """
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=120)
    chunk = b'\1' * MB
    started = time.perf_counter()
    conn.putrequest('PUT', path)
    for name, value in {**HEADERS, 'Content-Length': str(size),
                        'Content-Type': 'application/octet-stream'}.items():
        conn.putheader(name, value)
    conn.endheaders()
    for start in range(0, size, MB):
        conn.send(chunk[:min(MB, size - start)])
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 204:
        raise RuntimeError(f'PUT {path}: {response.status}')
    return time.perf_counter() - started


def download(port: int, path: str, size: int) -> float:
    """GET ``path`` reading 1 MB at a time; return the seconds taken.

    :raises RuntimeError: not 200 or not ``size`` bytes.
    """
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=120)
    started = time.perf_counter()
    conn.request('GET', path, headers=HEADERS)
    response = conn.getresponse()
    got = 0
    while data := response.read(MB):
        got += len(data)
    conn.close()
    if response.status != 200 or got != size:
        raise RuntimeError(f'GET {path}: {response.status}, {got} bytes')
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--megabytes', type=int, default=None,
                        help='image size in MB (default 500; --quick 20)')
    parser.add_argument('--json', default=None,
                        help='where the figures go (default '
                             'bench/results/image_stream.json)')
    parser.add_argument('--quick', action='store_true',
                        help='a short run (smoke test)')
    args = parser.parse_args()
    if args.megabytes is None:
        args.megabytes = 20 if args.quick else 500
    size = args.megabytes * MB
    glance_port = free_port()
    received = multiprocessing.Value('q', 0)
    glance = multiprocessing.Process(target=_glance, daemon=True,
                                     args=(glance_port, size, received))
    glance.start()
    rows: list[dict[str, Any]] = []
    try:
        with (CannedNova(1, 0) as pods,
              tempfile.TemporaryDirectory(prefix='trio2o-bench-') as tmp,
              gateway(Path(tmp), pods, [
                  'DEFAULT.enabled_services=glance',
                  'pods.endpoint_overrides=Pod1.image:'
                  f'http://127.0.0.1:{glance_port}']) as (api, api_port)):
            path = f'/v2/images/{IMAGE}/file'
            for target, port, prefix in (
                    ('direct', glance_port, ''),
                    ('gateway', api_port, '/image')):
                for name, transfer in (('upload', upload),
                                       ('download', download)):
                    before = received.value
                    with Sampler(api.pid) as sampler:
                        seconds = transfer(port, prefix + path, size)
                    if name == 'upload' and received.value - before != size:
                        raise RuntimeError(f'{target} upload: Glance got '
                                           f'{received.value - before} '
                                           'bytes')
                    row = {'target': target, 'transfer': name,
                           'megabytes': args.megabytes, 'seconds': seconds,
                           'mb_per_s': args.megabytes / seconds}
                    if target == 'gateway':
                        row['rss_growth_mb'] = ((sampler.peak
                                                 - sampler.before) / MB)
                    rows.append(row)
    finally:
        glance.terminate()
        glance.join()
    print(f'{"target":<8} {"transfer":<8} {"MB":>5} {"MB/s":>8} '
          f'{"gateway RSS growth":>19}')
    for row in rows:
        growth = (f'{row["rss_growth_mb"]:16.1f} MB'
                  if 'rss_growth_mb' in row else '')
        print(f'{row["target"]:<8} {row["transfer"]:<8} '
              f'{row["megabytes"]:>5} {row["mb_per_s"]:8.1f} {growth}')
    where = write_json('image_stream', {'megabytes': args.megabytes,
                                        'rows': rows}, args.json)
    print(f'figures written to {where}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
