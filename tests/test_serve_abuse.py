"""The preview server under abuse, with real sockets on 127.0.0.1: stalled clients are dropped after a
timeout, a burst of connections is queued by the kernel rather than refused, and it keeps serving."""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from generator.serve import LISTEN_BACKLOG, LiveServer, Mount

STALL_TIMEOUT = 1.0  # the server's timeout in these tests (the real one is longer)
BOUND = 20.0  # no socket of these tests waits longer than this


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title><body><p>home</p></body>\n")
    (tmp_path / "style.css").write_text("p { color: red }\n")
    return tmp_path


@pytest.fixture
def server(site: Path) -> Iterator[LiveServer]:
    live = LiveServer(("127.0.0.1", 0), Mount(site, "/"), request_timeout=STALL_TIMEOUT)
    threading.Thread(target=live.serve_forever, daemon=True).start()
    try:
        yield live
    finally:
        live.close()


def get(port: int, path: str = "/style.css") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=BOUND)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_a_partial_request_is_dropped_after_the_timeout_and_others_are_served(server: LiveServer) -> None:
    with ExitStack() as stack:
        stalled = []
        for _ in range(20):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", server.port), timeout=BOUND))
            sock.sendall(b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
            stalled.append(sock)
        assert get(server.port) == 200  # served meanwhile
        for sock in stalled:
            assert sock.recv(1024) == b""  # closed by the server (before: recv timed out after BOUND)
    # An idle keep-alive connection is closed the same way.
    conn = socket.create_connection(("127.0.0.1", server.port), timeout=BOUND)
    with conn:
        conn.sendall(b"GET /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = b""
        while not received.endswith(b"p { color: red }\n"):
            received += conn.recv(4096)
        assert received.startswith(b"HTTP/1.1 200")
        assert conn.recv(1024) == b""


def test_a_request_dripped_a_byte_at_a_time_is_dropped(server: LiveServer) -> None:
    """Each byte arrives within the timeout, so only a deadline for the whole request ends it."""
    request = b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"x" * 100 + b"\r\n\r\n"
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=BOUND)
    with sock:
        sent = 0
        with contextlib.suppress(OSError):  # the server closed the connection: a send fails
            for byte in request:
                sock.sendall(bytes([byte]))
                sent += 1
                time.sleep(STALL_TIMEOUT / 4)
        # Dropped after about 4 bytes: long before the 100-odd bytes of the request were all sent.
        assert sent < len(request)
        with contextlib.suppress(OSError):
            assert sock.recv(1024) == b""
    assert get(server.port) == 200


def test_the_kernel_queues_a_burst_of_connections_while_no_thread_accepts(site: Path) -> None:
    """Connections complete their handshake in the listen queue; with the default queue of 5, the sixth
    and later ones got no answer until a thread accepted (and timed out in a burst)."""
    live = LiveServer(("127.0.0.1", 0), Mount(site, "/"))  # not serving yet: nothing accepts
    try:
        with ExitStack() as stack:
            for _ in range(200):
                # Completes only when the kernel has room for it in the listen queue.
                stack.enter_context(socket.create_connection(("127.0.0.1", live.port), timeout=3))
        assert live.request_queue_size == LISTEN_BACKLOG >= 200
    finally:
        live.server_close()


def test_bursts_of_200_clients_are_all_served(server: LiveServer) -> None:
    """2,000 requests in bursts of 200 at once, every one answered (before: 11 timed out)."""
    with ThreadPoolExecutor(max_workers=200) as pool:
        for _burst in range(10):
            statuses = list(pool.map(lambda _n: get(server.port, "/"), range(200)))
            assert statuses == [200] * 200
