"""The X-Ray exporter: the SDK's UDP emitter, made to respect the daemon protocol's 64 KB bound."""

from __future__ import annotations

import logging
import time
from typing import Any

from aws_xray_sdk.core.emitters.udp_emitter import UDPEmitter

from tracing.packing import pack
from tracing.wire import DATAGRAM_MAX, DATAGRAM_PREFIX, Document

logger = logging.getLogger("tracing")

FAILURE_LOG_INTERVAL = 60.0


class BoundedUDPEmitter(UDPEmitter):  # type: ignore[misc]
    """A ``TraceExporter``: sends a trace as one datagram when it fits, else streams its
    children on their own.

    A streamed child carries ``trace_id``, ``parent_id`` and ``type: subsegment``, which is how
    X-Ray (and ``board xray``) reassembles it. Sending never raises: tracing trouble must not
    reach the request, and a daemon that is down is reported at most once a minute.
    """

    def __init__(self, daemon_address: str) -> None:
        super().__init__(daemon_address)
        self._failures = 0
        self._last_report = float("-inf")

    def send_entity(self, entity: Any) -> None:
        self.export(entity.to_dict())

    def export(self, trace: Document) -> None:
        try:
            for part in pack(trace, DATAGRAM_MAX - len(DATAGRAM_PREFIX)):
                self._send(DATAGRAM_PREFIX + part)
        except Exception as error:  # tracing must never fail a request
            self._report_failure(error)

    def _send(self, datagram: bytes) -> None:
        # The parent class keeps its non-blocking socket and resolved address in these fields.
        self._socket.sendto(datagram, (self._ip, self._port))

    def _report_failure(self, error: Exception) -> None:
        self._failures += 1
        now = time.monotonic()
        if now - self._last_report >= FAILURE_LOG_INTERVAL:
            logger.warning(
                "X-Ray daemon at %s:%s not reachable (%d send failures so far): %s",
                self._ip,
                self._port,
                self._failures,
                error,
            )
            self._last_report = now
