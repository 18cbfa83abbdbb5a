"""A byte-for-byte proxy in front of PostgreSQL that a test can cut and restore: an outage."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from sqlalchemy.engine import URL


class DatabaseProxy:
    """Listens where ``url`` points clients (a Unix socket directory or a TCP port)."""

    def __init__(self, target: URL, socket_dir: Path) -> None:
        self._target = target
        self._unix_dir = target.query.get("host")
        self._socket_dir = socket_dir
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._port = 0

    @property
    def url(self) -> URL:
        if self._unix_dir:
            return self._target.update_query_dict({"host": str(self._socket_dir)})
        return self._target.set(host="127.0.0.1", port=self._port)

    async def start(self) -> None:
        if self._unix_dir:
            socket_file = _server_socket(Path(str(self._unix_dir)))
            self._socket_name = socket_file.name
            path = self._socket_dir / socket_file.name
            self._server = await asyncio.start_unix_server(self._relay, path=str(path))
        else:
            self._server = await asyncio.start_server(self._relay, "127.0.0.1", self._port)
            self._port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()
        if self._unix_dir:
            (self._socket_dir / self._socket_name).unlink(missing_ok=True)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._unix_dir:
            path = _server_socket(Path(str(self._unix_dir)))
            up_reader, up_writer = await asyncio.open_unix_connection(str(path))
        else:
            host, port = self._target.host or "127.0.0.1", self._target.port or 5432
            up_reader, up_writer = await asyncio.open_connection(host, port)
        self._writers |= {writer, up_writer}
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        self._writers -= {writer, up_writer}


def _server_socket(directory: Path) -> Path:
    (socket_file,) = (p for p in directory.glob(".s.PGSQL.*") if p.suffix != ".lock")
    return socket_file


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()
