"""Every variable is read by one rule: a bad value stops start-up with one line naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from board.settings import Settings
from tracing import ConfigurationError


def test_a_misspelt_switch_stops_board_serve_with_one_line(tmp_path: Path) -> None:
    environ = {**os.environ, "XRAY_CENTRALIZED_SAMPLING": "treu", "BOARD_DATA_DIR": str(tmp_path)}
    started = subprocess.run(
        [sys.executable, "-m", "board.cli", "serve"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 1
    assert started.stderr.splitlines() == [
        "board serve: XRAY_CENTRALIZED_SAMPLING must be on or off (got 'treu')"
    ]
    assert started.stdout == ""  # stopped before anything started


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("XRAY_CENTRALIZED_SAMPLING", "treu", "must be on or off (got 'treu')"),
        ("BOARD_DATALOADERS", "treu", "must be on or off (got 'treu')"),
        ("AWS_XRAY_SDK_ENABLED", "flase", "must be on or off (got 'flase')"),
        ("BOARD_TRACE_FIELD_CAP", "0", "must be a whole number of at least 1 (got '0')"),
        ("BOARD_N_PLUS_ONE_THRESHOLD", "five", "must be a whole number of at least 1 (got 'five')"),
        ("BOARD_TRACE_EXPORTER", "zipkin", "must be one of xray, otlp, both (got 'zipkin')"),
    ],
)
def test_every_bad_value_is_one_line_naming_its_variable(
    variable: str, value: str, expected: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_env({variable: value})
    assert str(refused.value) == f"{variable} {expected}"


@pytest.mark.parametrize("word", ["on", "ON", " yes ", "1", "true"])
def test_every_on_word_is_on(word: str) -> None:
    settings = Settings.from_env({"XRAY_CENTRALIZED_SAMPLING": word, "BOARD_DATALOADERS": word})
    assert settings.tracing.centralized_sampling is True
    assert settings.dataloaders is True


@pytest.mark.parametrize("word", ["off", "False", "no", "0"])
def test_every_off_word_is_off(word: str) -> None:
    settings = Settings.from_env({"AWS_XRAY_SDK_ENABLED": word, "BOARD_DATALOADERS": word})
    assert settings.tracing.enabled is False
    assert settings.dataloaders is False
