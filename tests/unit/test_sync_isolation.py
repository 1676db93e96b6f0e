"""Convention: the sync engine is free of any web framework and of the backend."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SYNC = Path(__file__).parents[2] / "sync"
ALLOWED = {"msgspec", "sync"}
# The reference client speaks HTTP (an HTTP client, not a web framework); no other module of sync/ may.
ALLOWED_IN = {"client.py": {"httpx"}}
FORBIDDEN = {"backend", "litestar", "sqlalchemy", "sqlmodel"}


def test_sync_imports_only_the_standard_library_and_msgspec() -> None:
    for path in sorted(SYNC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            allowed = ALLOWED | ALLOWED_IN.get(path.name, set())
            foreign = {root for root in roots if root not in allowed and root not in sys.stdlib_module_names}
            assert not foreign, f"{path.name} imports {foreign}"


def test_importing_sync_loads_no_framework() -> None:
    modules = [f"sync.{path.stem}" for path in sorted(SYNC.glob("*.py")) if path.stem != "__init__"]
    probe = (
        f"import importlib, sys\nfor name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {FORBIDDEN!r}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
