"""The tracing modules ``setup.py`` compiles, and whether their compiled copies are current.

A compiled module is imported in place of its source, so a source edited after ``make install``
would be tested as it was before the edit; the test session refuses to start then.
"""

from __future__ import annotations

import runpy
import shutil
import sysconfig
from collections.abc import Iterable
from importlib import import_module
from importlib.machinery import EXTENSION_SUFFIXES, PathFinder
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def native_modules() -> list[str]:
    """Dotted names of the modules ``setup.py`` compiles (``tracing.nodes``, ...)."""
    paths = runpy.run_path(str(ROOT / "setup.py"))["NATIVE_MODULES"]
    return [path.removesuffix(".py").replace("/", ".") for path in paths]


def compiled_file(module: str) -> Path | None:
    """The extension module Python imports for ``module``, if it imports a compiled one."""
    package, _, name = module.rpartition(".")
    # Found afresh on disk: a compiled module's own ``__spec__`` names a path that is not there.
    spec = PathFinder.find_spec(name, import_module(package).__path__)
    origin = spec.origin if spec is not None else None
    if origin is None or not origin.endswith(tuple(EXTENSION_SUFFIXES)):
        return None
    return Path(origin)


def compiled_files(directory: Path) -> list[Path]:
    """Every extension module in ``directory``: the compiled modules and their shared library."""
    return sorted(
        path for path in directory.iterdir() if path.name.endswith(tuple(EXTENSION_SUFFIXES))
    )


def stale_compiled(compiled: Iterable[Path], sources: Iterable[Path]) -> list[Path]:
    """Compiled files older than the newest source: any tracing module may be compiled in
    (mypyc inlines other modules' ``Final`` constants), so any of them makes a build stale."""
    newest = max((source.stat().st_mtime for source in sources), default=0.0)
    return [path for path in compiled if path.stat().st_mtime < newest]


def can_compile_extensions() -> bool:
    """Whether extension modules can be built here: a C compiler and Python's headers (a
    distribution's Python may come without them, e.g. Debian's without python3-dev)."""
    command = sysconfig.get_config_var("CC") or "cc"
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    return shutil.which(command.split()[0]) is not None and headers.exists()
