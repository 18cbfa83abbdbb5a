"""What only the app knows about itself, passed to the library instead of fixed inside it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graphql import GraphQLError

from tracing.arguments import SECRET_ARGUMENTS
from tracing.graphql_errors import DEFAULT_ERROR_CODES, ErrorCodes

ClientErrorTest = Callable[[BaseException], bool]


def raised_as_graphql_error(error: BaseException) -> bool:
    """The default: a resolver that raises ``GraphQLError`` means the client asked wrongly."""
    return isinstance(error, GraphQLError)


@dataclass(frozen=True)
class TracingPolicy:
    graphql_path: str = "/graphql"
    """The one path whose requests become segments; everything else passes untouched."""
    private_arguments: tuple[str, ...] = SECRET_ARGUMENTS
    """Name fragments (any case) of resolver arguments recorded as ``[redacted]``."""
    is_client_error: ClientErrorTest = raised_as_graphql_error
    """Which resolver exceptions are the client's doing (X-Ray ``error``); others are ``fault``."""
    error_codes: ErrorCodes = DEFAULT_ERROR_CODES
    """Which ``extensions.code`` values in a response make its request a fault or a throttle."""
