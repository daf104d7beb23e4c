"""A TCP proxy between a service and PostgreSQL that can lose the answer to a COMMIT.

It passes the wire protocol through and reads the server's messages (type byte, length). When
armed, the first COMMIT answered to a connection that inserted into ``watch`` is cut: the
server has committed, but its CommandComplete never reaches the client, whose connection
drops instead (as when PostgreSQL crashes or the network fails at that moment).
Connect through it with sslmode=disable (the proxy reads the protocol in the clear). It runs
its own event loop in a thread: the service under test may block its loop on the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from urllib.parse import urlsplit, urlunsplit


class CommitCutter:
    def __init__(self, target_url: str, watch: bytes) -> None:
        target = urlsplit(target_url)
        self.target_host = target.hostname or "127.0.0.1"
        self.target_port = target.port or 5432
        self.target_url = target_url
        self.watch = watch
        self.armed = False
        self.cut = threading.Event()
        self._server: asyncio.Server | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        """The target URL through this proxy, without TLS or GSS encryption."""
        parts = urlsplit(self.target_url)
        netloc = parts.netloc.rpartition("@")
        host = f"127.0.0.1:{self.port}"
        userinfo = f"{netloc[0]}@" if netloc[1] else ""
        return urlunsplit(
            (parts.scheme, userinfo + host, parts.path, "sslmode=disable&gssencmode=disable", "")
        )

    def start(self) -> CommitCutter:
        self._thread.start()
        serve = asyncio.start_server(self._connection, "127.0.0.1", 0)
        self._server = asyncio.run_coroutine_threadsafe(serve, self._loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def arm(self) -> None:
        self.armed = True
        self.cut.clear()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.target_host, self.target_port)
        state = {"wrote": False}

        def close() -> None:
            for w in (writer, up_writer):
                with contextlib.suppress(Exception):
                    w.transport.abort()

        async def client_to_server() -> None:
            while data := await reader.read(65536):
                if self.watch in data:
                    state["wrote"] = True
                up_writer.write(data)
                await up_writer.drain()
            close()

        async def server_to_client() -> None:
            buffer = b""
            while data := await up_reader.read(65536):
                buffer += data
                out = b""
                while len(buffer) >= 5:
                    length = int.from_bytes(buffer[1:5], "big")
                    if len(buffer) < 1 + length:
                        break
                    message, buffer = buffer[: 1 + length], buffer[1 + length :]
                    if message[:1] == b"C" and message[5:].startswith(b"COMMIT\x00"):
                        if self.armed and state["wrote"]:
                            self.armed = False
                            writer.write(out)  # what came before the answer, not the answer
                            with contextlib.suppress(Exception):
                                await writer.drain()
                            close()
                            self.cut.set()
                            return
                        state["wrote"] = False
                    out += message
                writer.write(out)
                await writer.drain()
            close()

        with contextlib.suppress(Exception):
            await asyncio.gather(client_to_server(), server_to_client())
        close()
