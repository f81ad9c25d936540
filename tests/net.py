"""Loopback helpers for tests and the bench that start real servers: a free port, and waiting
until a server answers."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request


def free_port() -> int:
    """A port nothing listens on now (the OS picked it; it is released at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, *, status: int = 200, data: bytes | None = None, timeout: float = 60) -> None:
    """Until `url` answers with `status` (a POST when `data` is given); fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=2) as r:
                if r.status == status:
                    return
        except urllib.error.HTTPError as e:
            if e.code == status:
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"{url} did not answer {status} within {timeout:.0f}s"
        time.sleep(0.2)
