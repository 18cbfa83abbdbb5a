"""Database credentials from AWS Secrets Manager (RDS's secret format), kept fresh on rotation.

The URL is built from the secret at start. When the password is rotated, the next new
connection fails authentication; the secret is then read once more and the connection retried
with what it holds now, so the server carries on without a restart. The secret's values never
appear in messages: errors name fields only.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import boto3
import psycopg
from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

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
    """One GetSecretValue call; the region is the ARN's unless AWS_REGION says otherwise."""
    client = boto3.client("secretsmanager", region_name=_region_of(arn))
    return parse_secret(client.get_secret_value(SecretId=arn)["SecretString"], arn)


def _region_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[0] == "arn" and parts[3] else None


class FreshCredentials:
    """Re-reads the secret when PostgreSQL refuses the password it holds, once per refusal."""

    def __init__(self, arn: str, current: DatabaseSecret | None = None) -> None:
        self._arn = arn
        self._current = current
        self._lock = threading.Lock()

    def current(self) -> DatabaseSecret:
        with self._lock:
            if self._current is None:
                self._current = read_secret(self._arn)
            return self._current

    def reread(self) -> DatabaseSecret:
        with self._lock:
            self._current = read_secret(self._arn)
            return self._current


def keep_credentials_fresh(engine: AsyncEngine, arn: str) -> FreshCredentials:
    credentials = FreshCredentials(arn)

    @event.listens_for(engine.sync_engine, "do_connect")
    def connect_with_fresh_password(
        dialect: Any, record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
    ) -> Any:
        _apply(cparams, credentials.current())
        try:
            return dialect.connect(*cargs, **cparams)
        except psycopg.OperationalError as error:
            if getattr(error, "sqlstate", None) != AUTHENTICATION_FAILED and (
                "password authentication failed" not in str(error)
            ):
                raise
        _apply(cparams, credentials.reread())
        return dialect.connect(*cargs, **cparams)

    return credentials


def _apply(cparams: dict[str, Any], secret: DatabaseSecret) -> None:
    cparams.update(
        user=secret.username,
        password=secret.password,
        host=secret.host,
        port=secret.port,
        dbname=secret.dbname,
    )
