"""The static import graph of the PWA's ES modules, so the shell can ask for all of them at once.

A browser discovers a module's imports only once it has fetched and parsed it: with the modules of
the field app six levels deep, a cold start waited for six round trips in a row, each slow on a slow
phone. ``index.html`` therefore lists every module that ``main.js`` reaches through static imports
as ``<link rel="modulepreload">`` (backend/web/assets.py writes them in), and the browser fetches
and compiles them together. Dynamic ``import()`` is left out on purpose: it marks code that is
loaded only when needed.

The modules are ours and follow one convention (STYLE.md): relative specifiers ending in ``.js``, in
``import … from '…'``, ``import '…'`` or ``export … from '…'`` statements at the start of a line.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

# `import x from './a.js'`, `import { a,\n b } from '../b.js'`, `import './c.js'`,
# `export { d } from './d.js'`; not `import('./e.js')`, which is a dynamic import.
_STATIC_IMPORT = re.compile(
    r"""^[ \t]*(?:import[ \t]*|(?:import(?![ \t]*\()|export)\b[^'"`;]*?\bfrom[ \t]*)"""
    r"""['"](?P<spec>\.{1,2}/[^'"]+?\.js)['"]""",
    re.MULTILINE,
)


def imports_of(path: str, source: str) -> list[str]:
    """The paths (relative to the shell's root, like ``path``) that ``source`` imports statically."""
    folder = posixpath.dirname(path)
    return [posixpath.normpath(posixpath.join(folder, m["spec"])) for m in _STATIC_IMPORT.finditer(source)]


def static_closure(entry: str, sources: Mapping[str, str]) -> list[str]:
    """Every module that ``entry`` reaches through static imports, ``entry`` excluded, nearest first.

    Raises ``ValueError`` when a module imports one that is not in ``sources``: the server refuses to
    start rather than serve a shell that cannot load.
    """
    seen = {entry}
    order: list[str] = []
    frontier = [entry]
    while frontier:
        following: list[str] = []
        for module in frontier:
            for imported in imports_of(module, sources[module]):
                if imported in seen:
                    continue
                if imported not in sources:
                    raise ValueError(f"{module} imports a missing module: {imported}")
                seen.add(imported)
                order.append(imported)
                following.append(imported)
        frontier = following
    return order
