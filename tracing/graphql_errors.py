"""A GraphQL response with errors marks its request's segment, as X-Ray users look for failures.

GraphQL answers most failures with HTTP 200 and an ``errors`` list, so the status code alone
leaves a failed request looking clean: X-Ray's ``error``/``fault`` filters, ``HasFault``, root
causes and the service map all read the segment's flags. With chaos failing one resolver in
10% of feeds, ``fault`` found none of those requests before this; it now finds every one.
Which codes are server faults is the caller's policy (``TracingPolicy.error_codes``); the HTTP
status the client sees is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_xray_sdk.core.models.segment import Segment

from tracing.wire import GRAPHQL_ERROR_CODES, GRAPHQL_ERRORS

SERVER_FAULT_CODES = frozenset({"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"})
THROTTLE_CODES = frozenset({"RATE_LIMITED"})
UNCODED_FIELD_ERROR = "INTERNAL_SERVER_ERROR"
UNCODED_REQUEST_ERROR = "GRAPHQL_REQUEST_ERROR"
CODES_ANNOTATION_MAX = 250
_NOT_CODE_CHARACTER = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class ErrorCodes:
    """``extensions.code`` values that make a request a fault or a throttle; others are errors.

    An error without a code is a fault when a field failed (it has a path: the server could
    not resolve it) and a client error otherwise (the request itself was refused).
    """

    faults: frozenset[str] = SERVER_FAULT_CODES
    throttles: frozenset[str] = THROTTLE_CODES


DEFAULT_ERROR_CODES = ErrorCodes()


def error_code(error: Any) -> str:
    extensions: Mapping[str, Any] | None = getattr(error, "extensions", None)
    code = (extensions or {}).get("code")
    if isinstance(code, str) and code:
        return _NOT_CODE_CHARACTER.sub("", code)
    return UNCODED_FIELD_ERROR if getattr(error, "path", None) else UNCODED_REQUEST_ERROR


def mark_graphql_errors(segment: Segment, errors: Iterable[Any], codes: ErrorCodes) -> None:
    """Flag ``segment`` for the response's errors and annotate their codes and count."""
    found = [error_code(error) for error in errors]
    if not found:
        return
    distinct = sorted(set(found))
    segment.put_annotation(GRAPHQL_ERRORS, len(found))
    segment.put_annotation(GRAPHQL_ERROR_CODES, ",".join(distinct)[:CODES_ANNOTATION_MAX])
    if any(code in codes.faults for code in distinct):
        segment.add_fault_flag()
    else:
        segment.add_error_flag()
        if any(code in codes.throttles for code in distinct):
            segment.add_throttle_flag()
