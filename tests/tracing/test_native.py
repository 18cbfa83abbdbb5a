"""The tracing hot path runs compiled where extensions can be built, and as Python elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.native import (
    ROOT,
    can_compile_extensions,
    compiled_file,
    native_modules,
    stale_compiled,
)


@pytest.mark.skipif(
    not can_compile_extensions(), reason="no C compiler or Python headers: Python it is"
)
def test_the_hot_path_runs_compiled_where_extensions_can_be_built() -> None:
    modules = native_modules()
    assert "tracing.request_trace" in modules
    assert [module for module in modules if compiled_file(module) is None] == []


def test_a_compiled_module_older_than_any_tracing_source_is_stale(tmp_path: Path) -> None:
    compiled, source, other = tmp_path / "nodes.so", tmp_path / "nodes.py", tmp_path / "wire.py"
    for path, mtime in ((source, 100), (compiled, 200), (other, 150)):
        path.touch()
        os.utime(path, (mtime, mtime))
    assert stale_compiled([compiled], [source, other]) == []
    os.utime(other, (300, 300))  # a module the compiled one may have inlined constants from
    assert stale_compiled([compiled], [source, other]) == [compiled]


def test_without_the_compiled_modules_tracing_works_as_python(tmp_path: Path) -> None:
    """The tracing tests again, in a copy of the project without any compiled module, as on a
    machine without a C compiler (or an install without ``BOARD_NATIVE=1``)."""
    copy = tmp_path / "project"
    for name in ("board", "db", "graph", "tracing", "xray_local", "tests", "alembic"):
        shutil.copytree(
            ROOT / name, copy / name, ignore=shutil.ignore_patterns("*.so", "node_modules")
        )
    for name in ("pyproject.toml", "alembic.ini", "setup.py"):
        shutil.copy(ROOT / name, copy / name)
    environ = {**os.environ, "PYTHONPATH": str(copy)}
    check = "import tracing.request_trace as m; print(m.__file__)"
    imported = subprocess.run(
        [sys.executable, "-c", check], cwd=copy, env=environ, capture_output=True, text=True
    )
    assert imported.stdout.strip() == str(copy / "tracing" / "request_trace.py")
    tests = [
        f"tests/tracing/test_{name}.py"
        for name in (
            "trace_tree",
            "field_scopes",
            "bounded_traces",
            "errors",
            "otlp_wire",
            "otlp_export",
        )
    ]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=copy,
        env=environ,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-3000:]
