"""Sphinx directives listing what the installed plugins serve.

``.. trio2o-routes:: nova`` renders every route of a service driver: the
method, the path under the service's prefix and the first paragraph of
the handler's docstring (what it forwards, merges, schedules or answers
itself). ``.. trio2o-actions:: trio2o.nova.server_actions`` lists the
action handlers installed in an entry point group. Both read the code,
so the reference cannot drift from it.
"""

from __future__ import annotations

import inspect
from importlib import metadata
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList

from trio2o_core import loader
from trio2o_core.testing.fakes import FakeGateway

METHOD_ORDER = ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE')


def _summary(obj: Any) -> str:
    """The first paragraph of ``obj``'s docstring, on one line."""
    target = getattr(obj, 'func', obj)
    doc = inspect.getdoc(target) or ''
    return ' '.join(doc.split('\n\n', 1)[0].split())


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ['.. list-table::', '   :header-rows: 1', '']
    for row in (header, *rows):
        lines.append(f'   * - {row[0]}')
        lines += [f'     - {cell}' for cell in row[1:]]
    return lines


class _Rendered(Directive):
    required_arguments = 1

    def render(self, lines: list[str]) -> list[nodes.Node]:
        node = nodes.section()
        node.document = self.state.document
        self.state.nested_parse(StringList(lines), self.content_offset, node)
        return list(node.children)


class RoutesDirective(_Rendered):
    """Every route of the service driver named by the argument."""

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        driver_class = loader.load_classes(loader.SERVICES, [name])[name]
        driver = driver_class(FakeGateway(pods=1))
        rows = []
        for route in driver.routes():
            path = f'/{driver.prefix}{route.path}'.rstrip('/') or '/'
            for method in sorted(route.methods, key=METHOD_ORDER.index):
                what = _summary(route.methods[method])
                if route.public:
                    what += ' (no token needed)'
                rows.append((method, f'``{path}``', what or '-'))
        return self.render(_table(('Method', 'Path', 'What'), rows))


class ActionsDirective(_Rendered):
    """The action handlers installed in the entry point group named by
    the argument."""

    def run(self) -> list[nodes.Node]:
        group = self.arguments[0]
        rows = []
        for entry in sorted(metadata.entry_points(group=group),
                            key=lambda e: e.name):
            rows.append((f'``{entry.name}``', f'``{entry.value}``',
                         _summary(entry.load()) or '-'))
        return self.render(_table(('Action', 'Handler', 'What'), rows))


def setup(app: Any) -> dict[str, Any]:
    app.add_directive('trio2o-routes', RoutesDirective)
    app.add_directive('trio2o-actions', ActionsDirective)
    return {'parallel_read_safe': True}
