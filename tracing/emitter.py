"""The SDK's UDP emitter, made to respect the 64 KB datagram bound of the daemon protocol."""

from __future__ import annotations

import logging
import time
from typing import Any

from aws_xray_sdk.core.emitters.udp_emitter import (
    PROTOCOL_DELIMITER,
    PROTOCOL_HEADER,
    UDPEmitter,
)

from tracing.packing import Document, pack

logger = logging.getLogger("board.tracing")

DATAGRAM_MAX = 64 * 1024
FAILURE_LOG_INTERVAL = 60.0
_HEADER = (PROTOCOL_HEADER + PROTOCOL_DELIMITER).encode()


class BoundedUDPEmitter(UDPEmitter):  # type: ignore[misc]
    """Sends a trace as one datagram when it fits, else streams its children on their own.

    A streamed child carries ``trace_id``, ``parent_id`` and ``type: subsegment``, which is how
    X-Ray (and ``board xray``) reassembles it. Sending never raises: tracing trouble must not
    reach the request, and a daemon that is down is reported at most once a minute.
    """

    def __init__(self, daemon_address: str) -> None:
        super().__init__(daemon_address)
        self._failures = 0
        self._last_report = float("-inf")

    def send_entity(self, entity: Any) -> None:
        self.send_document(entity.to_dict())

    def send_document(self, document: Document) -> None:
        try:
            for part in pack(document, DATAGRAM_MAX - len(_HEADER)):
                self._send(_HEADER + part)
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
