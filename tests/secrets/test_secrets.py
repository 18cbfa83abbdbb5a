"""Database credentials from Secrets Manager (moto, in-process): parsing, URLs, rotation."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

import board.secrets
from board.secrets import (
    SecretError,
    keep_credentials_fresh,
    parse_secret,
    read_secret,
    region_for,
)
from db.engine import Database

REGION = "eu-central-1"
ARN_IN_SEOUL = "arn:aws:secretsmanager:ap-northeast-2:1:secret:db"
HARD_PASSWORD = "p@ss:w/rd%#?&=\"' é"


def rds_secret(**overrides: object) -> str:
    fields = {
        "username": "board",
        "password": HARD_PASSWORD,
        "host": "db.internal",
        "port": 5432,
        "dbname": "board",
        "engine": "postgres",
        **overrides,
    }
    return json.dumps({key: value for key, value in fields.items() if value is not None})


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with mock_aws():
        yield boto3.client("secretsmanager", region_name=REGION)


def test_passwords_with_special_characters_survive_the_url() -> None:
    url = parse_secret(rds_secret(), "arn").url()
    assert url.password == HARD_PASSWORD
    rendered = url.render_as_string(hide_password=False)
    assert make_url(rendered).password == HARD_PASSWORD
    assert HARD_PASSWORD not in url.render_as_string()
    assert HARD_PASSWORD not in repr(parse_secret(rds_secret(), "arn"))


@pytest.mark.parametrize(
    ("text_", "message"),
    [
        (rds_secret(password=None), "has no usable 'password'"),
        (rds_secret(host=""), "has no usable 'host'"),
        (rds_secret(dbname=None), "has no usable 'dbname'"),
        (rds_secret(engine="mysql"), "is for engine 'mysql'"),
        (rds_secret(port="five"), "port that is not a number"),
        ("not json " + HARD_PASSWORD, "is not JSON"),
        ("[1]", "is not a JSON object"),
    ],
)
def test_unusable_secrets_name_the_field_never_the_value(text_: str, message: str) -> None:
    with pytest.raises(SecretError, match=message) as caught:
        parse_secret(text_, "arn:aws:secretsmanager:eu-central-1:1:secret:db")
    assert HARD_PASSWORD not in str(caught.value)


@pytest.mark.parametrize(
    ("secret_id", "environ", "region"),
    [
        (
            "arn:aws:secretsmanager:ap-northeast-2:1:secret:db",
            {"AWS_REGION": "us-east-1"},
            "ap-northeast-2",
        ),
        ("board/db", {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "eu-west-1"}, "us-east-1"),
        ("board/db", {"AWS_DEFAULT_REGION": "eu-west-1"}, "eu-west-1"),
        ("board/db", {}, None),
    ],
)
def test_the_region_is_the_arn_s_else_the_environment_s(
    secret_id: str, environ: dict[str, str], region: str | None
) -> None:
    assert region_for(secret_id, environ) == region


def test_a_binary_secret_is_refused(aws: Any) -> None:
    arn = aws.create_secret(Name="board/binary", SecretBinary=b"\x00")["ARN"]
    with pytest.raises(SecretError, match="binary data"):
        read_secret(arn)


def test_the_secret_is_read_in_the_arn_s_region(aws: Any) -> None:
    arn = aws.create_secret(Name="board/db", SecretString=rds_secret())["ARN"]
    assert arn.split(":")[3] == REGION
    secret = read_secret(arn)
    assert (secret.username, secret.password, secret.host) == (
        "board",
        HARD_PASSWORD,
        "db.internal",
    )


@pytest.fixture
def scram_role(migrated_url: URL) -> Iterator[tuple[str, str, int]]:
    """A role that must authenticate by password on the embedded server's socket."""
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("rotation needs the embedded server, whose pg_hba.conf the test may edit")
    admin = create_engine(migrated_url)
    with admin.begin() as conn:
        conn.execute(text("DROP ROLE IF EXISTS rotating"))
        conn.execute(text("CREATE ROLE rotating LOGIN PASSWORD 'first-password'"))
        conn.execute(text("GRANT SELECT ON users TO rotating"))
        hba = Path(conn.execute(text("SHOW hba_file")).scalar_one())
        rules = hba.read_text()
        if "rotating" not in rules:
            hba.write_text("local all rotating scram-sha-256\n" + rules)
        conn.execute(text("SELECT pg_reload_conf()"))
    socket_dir = str(migrated_url.query["host"])
    port = migrated_url.port or 5432
    yield "rotating", socket_dir, port
    with admin.begin() as conn:
        conn.execute(text("REVOKE ALL ON users FROM rotating"))
    admin.dispose()


@pytest.fixture
def secret_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every GetSecretValue the rotation path makes, by secret id."""
    reads: list[str] = []

    def counted(arn: str) -> board.secrets.DatabaseSecret:
        reads.append(arn)
        return read_secret(arn)

    monkeypatch.setattr(board.secrets, "read_secret", counted)
    return reads


async def test_a_rotated_password_is_reread_once_without_a_restart(
    aws: Any, scram_role: tuple[str, str, int], migrated_url: URL, secret_reads: list[str]
) -> None:
    role, socket_dir, port = scram_role

    def secret_with(password: str) -> str:
        return rds_secret(
            username=role,
            password=password,
            host=socket_dir,
            port=port,
            dbname=migrated_url.database,
        )

    arn = aws.create_secret(Name="board/rotating", SecretString=secret_with("first-password"))[
        "ARN"
    ]
    database = Database.connect(read_secret(arn).url())
    credentials = keep_credentials_fresh(database.engine, arn)
    try:
        async with database.engine.connect() as conn:
            assert (await conn.execute(text("SELECT current_user"))).scalar_one() == role
        assert secret_reads == []  # the credentials read at start serve until refused

        set_password(migrated_url, role, "second-password")
        aws.put_secret_value(SecretId=arn, SecretString=secret_with("second-password"))
        await database.engine.dispose()  # the pool's connections predate the rotation

        async def count_users() -> int:
            async with database.engine.connect() as conn:
                count: int = (await conn.execute(text("SELECT count(*) FROM users"))).scalar_one()
            return count

        # Refused together, they share one read of the secret.
        assert len(await asyncio.gather(*(count_users() for _ in range(3)))) == 3
        assert secret_reads == [arn]
        latest = credentials.latest
        assert latest is not None
        assert latest.password == "second-password"
    finally:
        await database.dispose()


async def test_a_password_still_refused_after_the_reread_fails_the_connection(
    aws: Any, scram_role: tuple[str, str, int], migrated_url: URL, secret_reads: list[str]
) -> None:
    role, socket_dir, port = scram_role
    secret = rds_secret(
        username=role, password="stale", host=socket_dir, port=port, dbname=migrated_url.database
    )
    arn = aws.create_secret(Name="board/stale", SecretString=secret)["ARN"]
    set_password(migrated_url, role, "nobody-told-the-secret")
    database = Database.connect(read_secret(arn).url())
    keep_credentials_fresh(database.engine, arn)
    try:
        with pytest.raises(OperationalError, match="password authentication failed") as caught:
            async with database.engine.connect():
                pass
        assert secret_reads == [arn]
        assert "stale" not in str(caught.value)
    finally:
        await database.dispose()


def set_password(admin_url: URL, role: str, password: str) -> None:
    admin = create_engine(admin_url)
    with admin.begin() as conn:
        conn.execute(text(f"ALTER ROLE {role} PASSWORD '{password}'"))
    admin.dispose()
