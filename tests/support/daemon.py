"""Talking to a real `board xray` daemon: documents over UDP, the X-Ray API through boto3."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import boto3

from tracing.wire import DATAGRAM_PREFIX
from xray_local.server import RunningDaemon

STORE_WAIT_SECONDS = 5.0


def send(daemon: RunningDaemon, *documents: dict[str, Any] | bytes) -> None:
    host, port = daemon.address.rsplit(":", 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for document in documents:
            payload = (
                document
                if isinstance(document, bytes)
                else DATAGRAM_PREFIX + json.dumps(document).encode()
            )
            sender.sendto(payload, (host, int(port)))


async def stored(daemon: RunningDaemon, count: int) -> None:
    """Wait until the daemon has received and stored ``count`` datagrams in all."""
    async with asyncio.timeout(STORE_WAIT_SECONDS):
        while True:  # the daemon's writer thread moves the counters
            if daemon.counters.stored + sum(daemon.counters.dropped.values()) >= count:
                return
            await asyncio.sleep(0.01)


def xray_client(daemon: RunningDaemon) -> Any:
    return boto3.client(
        "xray",
        endpoint_url=daemon.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


async def call(method: Any, **arguments: Any) -> Any:
    """A blocking boto3 call, off the event loop that the daemon under test runs on."""
    return await asyncio.to_thread(method, **arguments)
