"""Small operations on trace entities that keep client input and secrets out of traces."""

from __future__ import annotations

import re
import traceback
from typing import Any

from aws_xray_sdk.core.models.throwable import Throwable

ANNOTATION_VALUE_MAX = 64
MESSAGE_MAX = 200
STACK_FRAMES = 10
_NOT_NAME_CHARACTER = re.compile(r"[^A-Za-z0-9_]")


def name_annotation(raw: str) -> str:
    """A client-given name reduced to GraphQL name characters and a bounded length."""
    return _NOT_NAME_CHARACTER.sub("", raw)[:ANNOTATION_VALUE_MAX]


def record_exception(entity: Any, exception: BaseException, *, fault: bool) -> None:
    """Mark ``entity`` (our node or an SDK entity) failed with a ``cause`` naming the exception.

    Only the first line of the message is kept: database errors carry row values on later lines.
    """
    throwable = Throwable(exception, traceback.extract_tb(exception.__traceback__, STACK_FRAMES))
    throwable.message = _first_line(getattr(throwable, "message", ""))
    cause = entity.cause if isinstance(entity.cause, dict) else {}
    cause.setdefault("exceptions", []).append(throwable)
    cause["working_directory"] = "."
    entity.cause = cause
    if fault:
        entity.fault = True
    else:
        entity.error = True


def _first_line(message: str) -> str:
    return message.split("\n", 1)[0][:MESSAGE_MAX]
