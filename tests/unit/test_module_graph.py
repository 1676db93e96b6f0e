"""The static import graph of the PWA's modules, which the shell preloads (backend/web/module_graph.py)."""

from __future__ import annotations

import pytest

from backend.web.module_graph import imports_of, static_closure


def test_every_form_of_static_import_is_found_and_resolved_against_the_module() -> None:
    source = """// import './commented.js' is not an import
import { a } from './a.js';
import {
  b,
  c,
} from '../shared/b.js';
import './side-effect.js';
export { d } from "./d.js";
export const notAnImport = './e.js';
const later = () => import('./lazy.js');
  import('./also-lazy.js').then(() => {});
"""
    assert imports_of("js/screens/x.js", source) == [
        "js/screens/a.js",
        "js/shared/b.js",
        "js/screens/side-effect.js",
        "js/screens/d.js",
    ]


def test_the_closure_is_nearest_first_without_repeats_cycles_or_dynamic_imports() -> None:
    sources = {
        "js/main.js": "import { start } from './app.js';",
        "js/app.js": "import { h } from './dom.js';\nimport './store.js';\nconst x = import('./lazy.js');",
        "js/store.js": "import { h } from './dom.js';\nimport { app } from './app.js';",
        "js/dom.js": "export const h = 1;",
        "js/lazy.js": "import { h } from './dom.js';",
    }
    assert static_closure("js/main.js", sources) == ["js/app.js", "js/dom.js", "js/store.js"]
    assert static_closure("js/lazy.js", sources) == ["js/dom.js"]


def test_an_import_of_a_missing_module_is_refused() -> None:
    with pytest.raises(ValueError, match=r"js/app\.js imports a missing module: js/gone\.js"):
        static_closure("js/main.js", {"js/main.js": "import './app.js';", "js/app.js": "import './gone.js';"})
