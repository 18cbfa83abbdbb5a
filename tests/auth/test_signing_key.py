"""The generated signing key: written atomically, never short, whoever starts first."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from board.settings import ConfigurationError, Settings

PROCESSES = 4
TRIALS = 40


def _settings(data_dir: Path) -> Settings:
    return Settings.from_env({"BOARD_DATA_DIR": str(data_dir)})


def _start(data_dir: Path, barrier: Barrier, results: multiprocessing.Queue[str]) -> None:
    barrier.wait()
    try:
        results.put(_settings(data_dir).signing_key().decode())
    except ConfigurationError as error:
        results.put(f"refused: {error}")


def test_processes_starting_together_all_sign_with_one_full_key(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for trial in range(TRIALS):
        data_dir = tmp_path / str(trial)
        barrier = context.Barrier(PROCESSES)
        results: multiprocessing.Queue[str] = context.Queue()
        workers = [
            context.Process(target=_start, args=(data_dir, barrier, results))
            for _ in range(PROCESSES)
        ]
        for worker in workers:
            worker.start()
        keys = {results.get(timeout=30) for _ in workers}
        for worker in workers:
            worker.join()
        assert len(keys) == 1, f"trial {trial}: {keys}"
        (key,) = keys
        assert len(key) >= 32, f"trial {trial}: signed with {key!r}"
        assert (data_dir / "secret_key").read_text() == key
        assert sorted(p.name for p in data_dir.iterdir()) == ["secret_key"]  # no temp file left


def test_a_short_key_file_stops_start_up_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(ConfigurationError) as refused:
        _settings(tmp_path).signing_key()
    message = str(refused.value)
    assert "\n" not in message
    assert "0-byte key; at least 32 are needed" in message


def test_a_short_board_secret_key_stops_start_up() -> None:
    with pytest.raises(ConfigurationError, match="BOARD_SECRET_KEY must be at least 32 bytes"):
        Settings.from_env({"BOARD_SECRET_KEY": "too-short"})
    assert Settings.from_env({"BOARD_SECRET_KEY": "x" * 32}).signing_key() == b"x" * 32
