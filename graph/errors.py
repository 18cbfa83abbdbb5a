"""Errors clients can act on, each with an ``extensions.code``; everything else is masked."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, ClassVar

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors

from db.outage import is_outage

logger = logging.getLogger("board.graph")

INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
INTERNAL_MESSAGE = "Internal server error"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
UNAVAILABLE_MESSAGE = "The database is unavailable; retry shortly"


class BoardError(Exception):
    """A failure the client caused or may handle; its message is safe to show."""

    code: ClassVar[str]

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class BadUserInput(BoardError):
    code = "BAD_USER_INPUT"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} {message}", field=field)
        self.field = field


class Unauthenticated(BoardError):
    code = "UNAUTHENTICATED"


class Forbidden(BoardError):
    code = "FORBIDDEN"


class NotFound(BoardError):
    code = "NOT_FOUND"


def board_error_of(error: GraphQLError) -> BoardError | None:
    original = error.original_error
    return original if isinstance(original, BoardError) else None


def is_unexpected(error: GraphQLError) -> bool:
    """A field failed for a reason other than a BoardError: a bug or an outage."""
    return error.path is not None and board_error_of(error) is None


class CodedErrors(MaskErrors):
    """Gives every error an ``extensions.code`` and masks the unexpected ones.

    Strawberry calls ``Schema.process_errors`` (which logs originals) before this extension
    rewrites them, so the operator loses nothing while the client sees no internals.
    """

    def __init__(self) -> None:
        super().__init__(error_message=INTERNAL_MESSAGE)
        self._validation_errors: set[int] = set()

    def on_validate(self) -> Iterator[None]:
        yield
        self._validation_errors = {id(e) for e in self.execution_context.pre_execution_errors or ()}

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        board_error = board_error_of(error)
        if board_error is not None:
            return _rewritten(error, error.message, board_error.extensions)
        if is_unexpected(error) and is_outage(error.original_error):
            return _rewritten(error, UNAVAILABLE_MESSAGE, {"code": SERVICE_UNAVAILABLE})
        if is_unexpected(error):
            return _rewritten(error, INTERNAL_MESSAGE, {"code": INTERNAL_SERVER_ERROR})
        if error.extensions and "code" in error.extensions:  # coded where it was raised
            return error
        return _rewritten(error, error.message, {"code": self._request_error_code(error)})

    def _request_error_code(self, error: GraphQLError) -> str:
        if isinstance(error, GraphQLSyntaxError):
            return "GRAPHQL_PARSE_FAILED"
        if id(error) in self._validation_errors:
            return "GRAPHQL_VALIDATION_FAILED"
        # What remains without a path are variable values that failed coercion.
        return "BAD_USER_INPUT"


def _rewritten(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def log_errors(errors: list[GraphQLError]) -> None:
    """Log unexpected errors with their traceback; client errors are routine and stay quiet.

    An outage is logged where it is seen, once as it starts and once as it ends (db.outage).
    """
    for error in errors:
        if is_unexpected(error) and not is_outage(error.original_error):
            path = ".".join(map(str, error.path or ()))
            logger.error("unexpected error at %s", path, exc_info=error.original_error)
        else:
            logger.debug("client error: %s", error.message)
