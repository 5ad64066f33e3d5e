"""A gate between a group replay's participant and its host, on 127.0.0.1: a TCP proxy that can go down.

Down, it cuts every connection through it (both sides at once, no bye: a network gone) and
closes each new one at once, so a participant's client keeps trying to take its seat back;
up again, the next try gets through. The participant's screen can then be seen reconnecting,
or giving up when the gate stays down.
"""

from __future__ import annotations

import asyncio
import contextlib


class Gate:
    def __init__(self, host_code: str) -> None:
        address, token = host_code.split("/", 1)
        self.host_port = int(address.rsplit(":", 1)[1])
        self.token = token
        self.up = True
        self._writers: list[asyncio.StreamWriter] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> str:
        """Listen; the join code that goes through the gate."""
        self._server = await asyncio.start_server(self._link, "127.0.0.1", 0)
        return f"127.0.0.1:{self._server.sockets[0].getsockname()[1]}/{self.token}"

    def down(self) -> None:
        self.up = False
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()

    def reopen(self) -> None:
        self.up = True

    async def _link(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if not self.up:
            client_writer.transport.abort()
            return
        host_reader, host_writer = await asyncio.open_connection("127.0.0.1", self.host_port)
        self._writers += [client_writer, host_writer]
        pumps = [asyncio.ensure_future(self._pump(client_reader, host_writer)), asyncio.ensure_future(self._pump(host_reader, client_writer))]
        self._tasks.update(pumps)
        await asyncio.gather(*pumps, return_exceptions=True)
        self._tasks.difference_update(pumps)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                writer.write(chunk)
                await writer.drain()
        except (OSError, ConnectionError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def stop(self) -> None:
        self.down()
        if self._server is not None:
            self._server.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)
