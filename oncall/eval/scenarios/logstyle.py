"""How each kind of service writes its logs. A line is (level field or None,
message); styles differ the way real runtimes do: structured JSON, logfmt,
Spring-style Java with stack traces, Go with panics, Python tracebacks, and
the native formats of Postgres, Redis and Kafka. Some styles carry no level
field, so the reader has to infer it."""

from __future__ import annotations

import random
from dataclasses import dataclass

Line = tuple[str | None, str]


@dataclass(frozen=True)
class Exc:
    """One failure, spelled the way each runtime would."""

    java: str  # exception class
    python: str
    go: str  # error text of a Go program
    detail: str


def _camel(name: str) -> str:
    return "".join(p.capitalize() for p in name.replace("_", "-").split("-"))


def java_trace(svc: str, exc: Exc, rng: random.Random) -> str:
    pkg, cls = svc.replace("-", ""), _camel(svc)
    frames = [
        f"com.acme.{pkg}.{cls}Service.handle({cls}Service.java:{rng.randint(40, 400)})",
        f"com.acme.{pkg}.api.{cls}Controller.invoke({cls}Controller.java:{rng.randint(20, 200)})",
        "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)",
        "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)",
    ]
    return f"{exc.java}: {exc.detail}\n" + "\n".join(f"\tat {f}" for f in frames)


def python_trace(svc: str, exc: Exc, rng: random.Random) -> str:
    mod = svc.replace("-", "_")
    return (
        "Traceback (most recent call last):\n"
        f'  File "/app/{mod}/handlers.py", line {rng.randint(30, 300)}, in handle\n'
        "    result = self.backend.call(request)\n"
        f'  File "/app/{mod}/backend.py", line {rng.randint(30, 300)}, in call\n'
        "    return self._session.send(prepared, timeout=self.timeout)\n"
        f"{exc.python}: {exc.detail}"
    )


def go_panic(svc: str, rng: random.Random, what: str) -> str:
    pkg = svc.replace("-", "")
    return (
        f"panic: {what}\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x{rng.randint(16, 255):x} "
        f"pc=0x{rng.getrandbits(24):x}]\n\ngoroutine {rng.randint(20, 900)} [running]:\n"
        f"github.com/acme/{pkg}/internal/server.(*Server).handle(0xc000{rng.getrandbits(20):05x}, ...)\n"
        f"\t/src/internal/server/handler.go:{rng.randint(40, 300)} +0x{rng.getrandbits(12):x}\n"
        "net/http.HandlerFunc.ServeHTTP(...)\n\t/usr/local/go/src/net/http/server.go:2166"
    )


def error(style: str, svc: str, text: str, rng: random.Random, exc: Exc | None = None, level: str = "error") -> Line:
    """An error (or warning) line about `text`, with the failure spelled in the service's idiom."""
    up = level.upper()
    if style == "java":
        return (up if up != "WARNING" else "WARN", text + (f"\n{java_trace(svc, exc, rng)}" if exc else ""))
    if style == "python":
        lvl = "WARNING" if up.startswith("WARN") else up
        return (
            lvl,
            text
            + (
                f"\n{python_trace(svc, exc, rng)}"
                if exc and up == "ERROR"
                else f": {exc.python}: {exc.detail}"
                if exc
                else ""
            ),
        )
    if style == "logfmt":
        err = f' err="{exc.go}"' if exc else ""
        return (None, f'level={level.lower()} caller=server.go:{rng.randint(40, 300)} msg="{text}"{err}')
    if style == "go":
        return (level.lower(), f"{text}: {exc.go}" if exc else text)
    if style == "pg":
        return ("ERROR" if up == "ERROR" else "WARNING", f"{'ERROR' if up == 'ERROR' else 'WARNING'}:  {text}")
    if style == "redis":
        return (None, f"{rng.randint(1, 99)}:M # {text}")
    if style == "kafka":
        return (
            up if up != "WARNING" else "WARN",
            f"[{_camel(svc)}Server id={rng.randint(0, 2)}] {text}" + (f" ({exc.java}: {exc.detail})" if exc else ""),
        )
    return (level.lower(), f"{text}: {exc.detail}" if exc else text)  # json


def access(style: str, svc: str, rng: random.Random, slow: float = 0.0) -> Line:
    """One ordinary request or housekeeping line."""
    ms = max(1, int(rng.gauss(25, 8) * (1 + slow)))
    path = rng.choice(
        ["/api/v1/items/{}", "/api/v1/items/{}/detail", "/api/v1/orders/{}", "/healthz", "/api/v1/users/{}"]
    ).format(rng.randint(1000, 99999))
    method = rng.choice(["GET", "GET", "GET", "POST", "PUT"])
    if style == "java":
        return ("INFO", f"Completed 200 OK in {ms}ms for {method} {path}")
    if style == "python":
        ip = f"10.{rng.randint(0, 3)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        return ("INFO", f'{ip} - - "{method} {path} HTTP/1.1" 200 {rng.randint(80, 9000)} {ms / 1000:.3f}')
    if style == "logfmt":
        return (
            None,
            f"level=info method={method} path={path} status=200 duration={ms}ms bytes={rng.randint(80, 9000)}",
        )
    if style == "go":
        return ("info", f"{method} {path} 200 {ms}ms")
    if style == "pg":
        return (
            "LOG",
            rng.choice(
                [
                    "LOG:  checkpoint starting: time",
                    f"LOG:  checkpoint complete: wrote {rng.randint(100, 3000)} buffers ({rng.uniform(0.5, 9):.1f}%); "
                    f"write={rng.uniform(10, 29):.3f} s, sync={rng.uniform(0, 0.05):.3f} s",
                    f'LOG:  automatic vacuum of table "app.public.events": index scans: 1, tuples: {rng.randint(100, 9000)} '
                    "removed",
                    f"LOG:  duration: {rng.uniform(1, 40):.3f} ms  statement: SELECT * FROM accounts WHERE id = "
                    f"{rng.randint(1, 99999)}",
                ]
            ),
        )
    if style == "redis":
        return (
            None,
            rng.choice(
                [
                    f"{rng.randint(1, 99)}:M * {rng.randint(10, 900)} changes in 300 seconds. Saving...",
                    f"{rng.randint(1, 99)}:C * Background saving started by pid {rng.randint(100, 9999)}",
                    f"{rng.randint(1, 99)}:C * DB saved on disk",
                    f"{rng.randint(1, 99)}:M * Background saving terminated with success",
                ]
            ),
        )
    if style == "kafka":
        return (
            "INFO",
            f"[Log partition=events-{rng.randint(0, 11)}, dir=/var/lib/kafka/data] Rolled new log "
            f"segment at offset {rng.randint(10**6, 10**8)} in {rng.randint(1, 9)} ms.",
        )
    return ("info", f"request completed method={method} path={path} status=200 duration_ms={ms}")  # json


BACKGROUND: dict[str, list[tuple[str, str]]] = {  # style -> [(level, text)] that recur in any healthy estate
    "java": [
        ("WARN", "HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=1m2s)"),
        (
            "WARN",
            "Resolved [org.springframework.web.HttpMediaTypeNotAcceptableException: No acceptable representation]",
        ),
        ("ERROR", "Request validation failed: field 'email' must be a well-formed email address"),
    ],
    "python": [
        (
            "WARNING",
            "Retrying (Retry(total=2, connect=None, read=None)) after connection broken by "
            "'RemoteDisconnected('Remote end closed connection without response')'",
        ),
        ("ERROR", "Invalid payload for event user.updated: missing field 'locale'"),
    ],
    "go": [
        ("warn", "http: TLS handshake error from 10.2.7.14:51234: EOF"),
        ("error", "request canceled by client: context canceled"),
    ],
    "logfmt": [("warn", "slow request"), ("error", "validation failed")],
    "json": [("warn", "client closed request before response"), ("error", "bad request: invalid currency code")],
    "pg": [
        ("ERROR", 'duplicate key value violates unique constraint "orders_idempotency_key"'),
        ("WARNING", "there is no transaction in progress"),
    ],
    "redis": [("warn", "WARNING overcommit_memory is set to 0! Background save may fail under low memory condition.")],
    "kafka": [("WARN", "Client session timed out, have not heard from server in 4002ms")],
}
