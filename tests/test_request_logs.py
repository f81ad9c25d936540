"""A request the service answered with a server error failed, whatever level its logger filed the line
at: access and request logs write every response at info, and their 5xx are the service's errors."""

from __future__ import annotations

import json

from tests.bundles import ALERT_AT, M, iso, read_logs_of


def line(i: int, service: str, message: str, level: str | None = "info", **extra: object) -> dict:
    rec: dict[str, object] = {"ts": iso(ALERT_AT - 5 * M + i * M), "service": service, "message": message}
    if level is not None:
        rec["level"] = level
    return {**rec, **extra}


def test_server_errors_in_access_lines_are_errors_and_other_responses_are_not(tmp_path):
    """The combined format (nginx, gunicorn, Django), Envoy's default, morgan's and a logfmt request log:
    a 5xx is an error; a 200 or a 404 stays what it was filed as, and so does a number that is no status."""
    failed = [
        '10.0.0.7 - - [17/Nov/2026:03:41:00 +0000] "GET /v1/orders HTTP/1.1" 502 157 "-" "curl/8.5"',
        '[2026-11-17T03:41:00.120Z] "POST /v1/pay HTTP/2" 503 UF 0 91 3 - "-" "okhttp/4.12"',
        "GET /api/quote 500 12.345 ms - 52",
        "method=GET path=/v1/items status=504 dur=30012ms",
        json.dumps({"msg": "request done", "status": 500}),
    ]
    fine = [
        '10.0.0.7 - - [17/Nov/2026:03:41:00 +0000] "GET /v1/orders HTTP/1.1" 200 157 "-" "curl/8.5"',
        "GET /api/quote 404 2.1 ms - 9",
        "cache warmed: 500 keys in 31 ms",
    ]
    text = read_logs_of(tmp_path, [line(i, "api", m) for i, m in enumerate(failed)] +
                        [line(i, "db", m) for i, m in enumerate(fine)])  # fmt: skip
    assert "5 lines in window (5 ERROR)" in text["api"], text["api"]
    assert "3 lines in window (3 INFO)" in text["db"], text["db"]


def test_a_status_field_says_the_request_failed_when_the_message_does_not(tmp_path):
    """Bundles keep extra fields (status, ...): a 5xx status beside an info line is the server's error,
    and a status where the level would be is read as one; a 2xx status changes nothing."""
    records = [line(0, "api", "GET /v1/orders", status=503), line(1, "api", "GET /v1/orders", status=200)]
    records += [line(2, "api", "POST /v1/pay", level=None, status=500)]
    text = read_logs_of(tmp_path, records)
    assert "3 lines in window (2 ERROR, 1 INFO)" in text["api"], text["api"]
    assert "status=503" in text["api"]
