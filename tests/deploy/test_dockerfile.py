"""The Dockerfile: what it holds, and that the command it runs serves from a clean install.

No container registry is reachable here, so the image itself is never built. Instead the build
stage is replayed: the files it copies are installed as a wheel (no dependencies, no index) into
a new virtualenv, the runtime stage's files are laid out as in /app, and the image's migration
and serve commands run from there against a new database. The third-party libraries come from
the test environment, which holds the same constraints.txt pins the image installs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.machinery import EXTENSION_SUFFIXES
from importlib.metadata import entry_points
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import URL

from tests.cli.test_run import free_port, wait_for
from tests.support.native import can_compile_extensions

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
WORKDIR = "/app"
HOME = "/home/board"


@dataclass
class Stage:
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for instruction, args in self.instructions if instruction == keyword]

    def context_copies(self) -> list[tuple[list[str], str]]:
        """``COPY src... dest`` lines that copy from the build context (not another stage)."""
        copies = []
        for args in self.all("COPY"):
            words = shlex.split(args)
            if not words[0].startswith("--"):
                copies.append((words[:-1], words[-1]))
        return copies

    def exec_form(self, keyword: str) -> list[str]:
        (args,) = self.all(keyword)
        words: list[str] = json.loads(args[args.index("[") :])
        return words


def stages() -> list[Stage]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, args = line.partition(" ")
        if instruction == "FROM":
            found.append(Stage(args.split()[-1] if " AS " in args else ""))
        elif found:
            found[-1].instructions.append((instruction, " ".join(args.split())))
    return found


def test_two_stages_and_the_runtime_runs_as_a_non_root_user() -> None:
    build, runtime = stages()
    assert (build.name, runtime.name) == ("build", "runtime")
    (user,) = runtime.all("USER")
    assert user.split(":")[0] not in ("root", "0")
    assert "--from=build /opt/venv /opt/venv" in runtime.all("COPY")
    assert runtime.all("RUN") == [r for r in runtime.all("RUN") if "pip" not in r]


def test_dependencies_come_pinned_from_constraints_without_dev_tools() -> None:
    build, _ = stages()
    (install,) = [run for run in build.all("RUN") if "pip install" in run]
    assert "-c constraints.txt ." in install
    assert "[" not in install  # no extras: no pytest, ruff, mypy, moto
    # Build-only tools (mypy's compiler) are pinned too, and leave before the venv is copied.
    (tools,) = re.findall(r"pip install -c constraints.txt ([\w ]+?) &&", install)
    (removed,) = re.findall(r"pip uninstall -y ([\w ]+)", install)
    assert "mypy" in tools.split()
    assert "mypy" in removed.split()
    pins = {
        line.split("==")[0].lower()
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    required = {re.split(r"[<>=\[ ]", dep)[0].lower() for dep in project["dependencies"]}
    assert required - pins == set()


def test_the_health_check_asks_healthz_on_the_served_port() -> None:
    _, runtime = stages()
    (check,) = runtime.all("HEALTHCHECK")
    command = runtime.exec_form("CMD")
    port = command[command.index("--port") + 1]
    assert f"http://127.0.0.1:{port}/healthz" in check
    assert f"EXPOSE {port}" in [f"EXPOSE {e}" for e in runtime.all("EXPOSE")]


def test_the_build_context_lets_through_exactly_what_is_copied() -> None:
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert "**" in ignore  # everything else (.venv, .data, tests, .git, deploy/cdk.out) stays out
    allowed = {line[1:] for line in ignore if line.startswith("!")}
    copied = {
        source for stage in stages() for sources, _ in stage.context_copies() for source in sources
    }
    assert copied == allowed
    assert all((ROOT / source).exists() for source in copied)


def lay_out(stage: Stage, root: Path, workdir: str) -> None:
    for sources, dest in stage.context_copies():
        target = root / dest.removeprefix(workdir).lstrip("/").removeprefix("./")
        for source in sources:
            path = ROOT / source
            into = target / path.name if dest.endswith("/") and len(sources) > 1 else target
            if path.is_dir():
                # As .dockerignore keeps them out of the build context.
                shutil.copytree(path, into, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
            else:
                into.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, into if not dest.endswith("/") else target / path.name)


@pytest.fixture
def fresh_database(database_url: URL) -> Iterator[URL]:
    name = f"board_image_{uuid.uuid4().hex[:8]}"
    server = database_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield database_url.set(database=name)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def clean_install(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A new virtualenv holding the project as the build stage installs it, and /app beside it."""
    build, runtime = stages()
    source, app, venv = tmp_path / "src", tmp_path / "app", tmp_path / "venv"
    lay_out(build, source, "/src")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    pip = [sys.executable, "-m", "pip", "-q"]
    wheels = tmp_path / "wheels"
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)],
        check=True,
        env={**os.environ, "BOARD_NATIVE": "1" if builds_native(build) else "0"},
    )
    subprocess.run(
        [*pip, "--python", str(venv / "bin" / "python"), "install", "--no-deps", "--no-index",
         *map(str, wheels.glob("*.whl"))],
        check=True,
    )  # fmt: skip
    site = Path(sysconfig.get_paths(vars={"base": str(venv)})["purelib"])
    # The libraries only (same pins); a path line in a .pth does not load our editable install.
    (site / "pinned_libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # Scripts of the libraries (``alembic``) as pip writes them into the image's /opt/venv/bin.
    for script in entry_points(group="console_scripts", name="alembic"):
        shim = venv / "bin" / script.name
        shim.write_text(
            f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom {script.module} import {script.attr}\n"
            f"sys.exit({script.attr}())\n"
        )
        shim.chmod(0o755)
    lay_out(runtime, app, WORKDIR)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV", "DATABASE_URL", "DATABASE_SECRET_ARN")
    }
    for args in runtime.all("ENV"):
        for assignment in shlex.split(args):
            key, _, value = assignment.partition("=")
            env[key] = value.replace(WORKDIR, str(app)).replace(HOME, str(tmp_path / "home"))
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"
    return venv, app, env


def builds_native(build: Stage) -> bool:
    """Whether the build stage compiles the tracing hot path, and this machine can too (the
    image's build stage installs its own compiler)."""
    return any("BOARD_NATIVE=1" in run for run in build.all("RUN")) and can_compile_extensions()


def test_the_image_command_migrates_and_serves_from_a_clean_install(
    clean_install: tuple[Path, Path, dict[str, str]], fresh_database: URL
) -> None:
    venv, app, env = clean_install
    env |= {
        "BOARD_ENV": "production",
        "BOARD_SECRET_KEY": "a-signing-key-from-secrets-manager",
        "DATABASE_URL": fresh_database.render_as_string(hide_password=False),
        "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{free_port()}",
    }
    where = subprocess.run(
        ["python", "-c", "import board; print(board.__file__)"],
        cwd=app, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.startswith(str(venv))  # the installed copy, not the worktree's
    if builds_native(stages()[0]):
        compiled = subprocess.run(
            ["python", "-c", "import tracing.request_trace as m; print(m.__file__)"],
            cwd=app, env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert compiled.stdout.strip().endswith(tuple(EXTENSION_SUFFIXES)), compiled.stdout
    migrate = subprocess.run(
        ["alembic", "upgrade", "head"], cwd=app, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr

    _, runtime = stages()
    command = runtime.exec_form("CMD")
    port = free_port()
    command[command.index("--host") + 1] = "127.0.0.1"  # network tests stay on loopback
    command[command.index("--port") + 1] = str(port)
    server = subprocess.Popen(
        command, cwd=app, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server)
        answer = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "{ posts(first: 1) { totalCount } }"},
            timeout=10,
        )
        assert answer.status_code == 200
        assert answer.json()["data"] == {"posts": {"totalCount": 0}}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
