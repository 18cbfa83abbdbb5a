"""Database credentials from AWS Secrets Manager (RDS's secret format), kept fresh on rotation.

The URL is built from the secret at start. When the password is rotated, the next new
connection fails authentication; the secret is then read once more and the connection retried
with what it holds now, so the server carries on without a restart. The secret's values never
appear in messages: errors name fields only.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
import psycopg
from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_

REQUIRED = ("username", "password", "host", "dbname")
AUTHENTICATION_FAILED = "28P01"  # PostgreSQL's invalid_password


class SecretError(ValueError):
    """The secret cannot be used; the message names the secret and field, never a value."""


@dataclass(frozen=True)
class DatabaseSecret:
    username: str
    password: str
    host: str
    port: int
    dbname: str

    def __repr__(self) -> str:
        return f"DatabaseSecret(username={self.username!r}, host={self.host!r}, password=***)"

    def url(self) -> URL:
        return URL.create(
            "postgresql+psycopg",
            username=self.username,
            password=self.password,
            host=self.host,
            port=self.port,
            database=self.dbname,
        )


def parse_secret(text: str, arn: str) -> DatabaseSecret:
    try:
        fields = json.loads(text)
    except json.JSONDecodeError:
        raise SecretError(f"secret {arn} is not JSON in RDS's format") from None
    if not isinstance(fields, dict):
        raise SecretError(f"secret {arn} is not a JSON object")
    for name in REQUIRED:
        if not isinstance(fields.get(name), str) or not fields[name]:
            raise SecretError(f"secret {arn} has no usable {name!r}")
    engine = fields.get("engine", "postgres")
    if engine not in ("postgres", "postgresql", "aurora-postgresql"):
        raise SecretError(f"secret {arn} is for engine {engine!r}; PostgreSQL is needed")
    try:
        port = int(fields.get("port", 5432))
    except (TypeError, ValueError):
        raise SecretError(f"secret {arn} has a port that is not a number") from None
    return DatabaseSecret(
        fields["username"], fields["password"], fields["host"], port, fields["dbname"]
    )


def read_secret(arn: str) -> DatabaseSecret:
    """One GetSecretValue call, blocking: call it at start or through ``asyncio.to_thread``."""
    client = boto3.client("secretsmanager", region_name=region_for(arn, os.environ))
    value = client.get_secret_value(SecretId=arn)
    if "SecretString" not in value:
        raise SecretError(f"secret {arn} holds binary data, not RDS's JSON form")
    return parse_secret(value["SecretString"], arn)


def region_for(secret_id: str, environ: Mapping[str, str]) -> str | None:
    """An ARN's own region (a secret lives only there), else AWS_REGION / AWS_DEFAULT_REGION.

    ``None`` lets boto3 look further (its config file); botocore itself reads only the second.
    """
    parts = secret_id.split(":")
    if len(parts) > 3 and parts[0] == "arn" and parts[3]:
        return parts[3]
    return environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None


class FreshCredentials:
    """The newest credentials read from the secret; ``None`` until a refusal made us look.

    New connections run inside SQLAlchemy's greenlet on the event loop, so the blocking read
    goes to a thread and is awaited with ``await_``; connections refused together share it.
    """

    def __init__(self, arn: str) -> None:
        self._arn = arn
        self._latest: DatabaseSecret | None = None
        self._reading: asyncio.Future[DatabaseSecret] | None = None

    @property
    def latest(self) -> DatabaseSecret | None:
        return self._latest

    def reread_after(self, refused: DatabaseSecret | None) -> DatabaseSecret:
        """Credentials newer than ``refused``: read the secret again unless that happened since."""
        if self._latest is not None and self._latest is not refused:
            return self._latest
        if self._reading is None:
            self._reading = asyncio.ensure_future(asyncio.to_thread(read_secret, self._arn))
        reading = self._reading
        try:
            self._latest = await_(reading)
        finally:
            if self._reading is reading:
                self._reading = None
        return self._latest


def keep_credentials_fresh(engine: AsyncEngine, arn: str) -> FreshCredentials:
    """On a refused password, read ``arn`` once more and retry that connection with it.

    The engine's URL already holds the credentials read at start; they are used until refused.
    """
    credentials = FreshCredentials(arn)

    @event.listens_for(engine.sync_engine, "do_connect")
    def connect_with_fresh_password(
        dialect: Any, record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
    ) -> Any:
        used = credentials.latest
        if used is not None:
            _apply(cparams, used)
        try:
            return dialect.connect(*cargs, **cparams)
        except psycopg.OperationalError as error:
            if not _is_refused_password(error):
                raise
        _apply(cparams, credentials.reread_after(used))
        return dialect.connect(*cargs, **cparams)

    return credentials


def _is_refused_password(error: psycopg.OperationalError) -> bool:
    # libpq reports connection failures without a SQLSTATE in most versions; its message is
    # the only other sign (and names the user, never the password).
    return error.sqlstate == AUTHENTICATION_FAILED or "password authentication failed" in str(error)


def _apply(cparams: dict[str, Any], secret: DatabaseSecret) -> None:
    cparams.update(
        user=secret.username,
        password=secret.password,
        host=secret.host,
        port=secret.port,
        dbname=secret.dbname,
    )
