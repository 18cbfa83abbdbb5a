"""W3C Trace Context (``traceparent``, ``tracestate``) beside ``X-Amzn-Trace-Id``.

A caller instrumented with OpenTelemetry sends ``traceparent``; its trace id is the same 128 bits
as an X-Ray root (``tracing.wire``), its parent id a span id, its sampled flag the caller's
decision. It is read only when ``X-Amzn-Trace-Id`` carries no root, so a caller sending both gets
the X-Ray header's meaning, and every response carries both headers naming the same trace.
"""

from __future__ import annotations

import re
from random import getrandbits

from tracing.trace_header import IncomingHeader
from tracing.wire import w3c_trace_id, xray_trace_id

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?")
_TRACESTATE_MAX = 512


def continued(xray: IncomingHeader, traceparent: str | None) -> IncomingHeader:
    """The caller's position: from ``X-Amzn-Trace-Id`` if it has a root, else ``traceparent``."""
    if xray.root is not None or not traceparent:
        return xray
    match = _TRACEPARENT.fullmatch(traceparent.strip().lower())
    if match is None:
        return xray
    version, trace_id, parent_id, flags = match.group(1, 2, 3, 4)
    # Version ff is invalid; version 00 has exactly four fields; zero ids are invalid.
    if version == "ff" or (version == "00" and match.group(5)) or int(parent_id, 16) == 0:
        return xray
    try:
        root = xray_trace_id(trace_id)
    except ValueError:
        return xray
    return IncomingHeader(root=root, parent=parent_id, sampled=bool(int(flags, 16) & 1))


def w3c_headers(
    trace_id: str, span_id: str | None, sampled: bool, tracestate: str | None
) -> list[tuple[bytes, bytes]]:
    """``traceparent`` naming the same trace as ``X-Amzn-Trace-Id`` (and the caller's state)."""
    parent = span_id or f"{getrandbits(64) | 1:016x}"
    value = f"00-{w3c_trace_id(trace_id)}-{parent}-{'01' if sampled else '00'}"
    headers = [(TRACEPARENT.encode(), value.encode())]
    if tracestate and len(tracestate) <= _TRACESTATE_MAX and tracestate.isascii():
        headers.append((TRACESTATE.encode(), tracestate.strip().encode()))
    return headers
