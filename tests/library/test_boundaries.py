"""`tracing` is a library of its own; `xray_local` shares only its wire formats."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import tracing

ROOT = Path(__file__).resolve().parents[2]
BOARD_PACKAGES = ("graph", "db", "board", "xray_local", "bench", "tests")
# The daemon reads the segment documents the library sends and serves the sampling rule file the
# library's samplers read: two formats both sides must agree on, nothing else.
DAEMON_MAY_IMPORT = {"tracing.wire", "tracing.sampling.rules"}


def loaded_modules(imports: str, packages: tuple[str, ...]) -> list[str]:
    """Modules of ``packages`` (or their submodules) a fresh interpreter loads for ``imports``."""
    script = (
        f"import sys\n{imports}\n"
        "print(sorted(m for m in sys.modules"
        f" if any(m == p or m.startswith(p + '.') for p in {packages!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded: list[str] = ast.literal_eval(result.stdout.strip())
    return loaded


def test_importing_every_tracing_module_loads_no_board_module() -> None:
    every_module = (
        "import importlib, pkgutil, tracing\n"
        "for module in pkgutil.walk_packages(tracing.__path__, 'tracing.'):\n"
        "    importlib.import_module(module.name)"
    )
    assert loaded_modules(every_module, BOARD_PACKAGES) == []


def test_the_public_api_is_what_all_lists() -> None:
    assert sorted(tracing.__all__) == sorted(set(tracing.__all__))
    assert sorted(tracing.__all__) == sorted(tracing._MODULE_OF)
    assert all(hasattr(tracing, name) for name in tracing.__all__)


def test_the_wire_format_loads_none_of_the_instrumentation() -> None:
    """The daemon imports ``tracing.wire``: that must not load Strawberry, SQLAlchemy or the SDK."""
    heavy = ("strawberry", "sqlalchemy", "aws_xray_sdk", "graphql", "tracing.setup")
    assert loaded_modules("import tracing.wire", heavy) == []


def test_the_daemon_imports_only_the_wire_formats_from_tracing() -> None:
    imported = {
        name
        for path in (ROOT / "xray_local").rglob("*.py")
        for name in _imported_modules(path)
        if name == "tracing" or name.startswith("tracing.")
    }
    assert imported == DAEMON_MAY_IMPORT


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names
