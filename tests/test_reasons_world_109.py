"""What world 109's first contact taught (a Lyon library network on GKE Autopilot, its logs Cloud Logging's entries
through a Pub/Sub push subscription, each request body archived a line; written after world 108's rules and scored
before any rule saw it): 0.429 on each of seeds 1-4, no wrong HIGH. No line was read: each entry is base64 in the
push message's `data`. Its lessons, of reading only (the diagnosis of what the lines then say is left for later):

- an event a message bus delivered in base64 (a Pub/Sub push's `data`) is read decoded, as the record it is;
- a structured line's own level as Cloud Logging keeps it (`jsonPayload.level`) says how bad it is where the
  entry's severity is only its stream's (ERROR for everything on stderr), and its `status` is a status like any
  request log's (a 5xx read as the server error it was)."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path

from oncall.tools.read_logs.texts import coded_records
from tests.bundles import ALERT_AT as AT
from tests.bundles import M, S, iso, read_logs_of

BASELINE = [AT - 6 * 60 * M + 5 * i * M for i in range(72)]


def _pushed(t: datetime, service: str, payload: dict | str, stream: str = "stderr") -> dict:
    """A LogEntry of a container's line as a Pub/Sub push delivers it: base64 in the message's data. With no
    severity of its own in the line, the entry's is the stream's."""
    entry = {"insertId": f"{int(t.timestamp() * 1000):x}", "timestamp": iso(t),
             ("jsonPayload" if isinstance(payload, dict) else "textPayload"): payload,
             "resource": {"type": "k8s_container", "labels": {"project_id": "p", "cluster_name": "c",
                                                              "namespace_name": "prod", "pod_name": f"{service}-7d9-x2",
                                                              "container_name": service}},
             "severity": "ERROR" if stream == "stderr" else "INFO", "logName": f"projects/p/logs/{stream}"}  # fmt: skip
    data = base64.b64encode(json.dumps(entry).encode()).decode()
    return {"message": {"attributes": {"logging.googleapis.com/timestamp": iso(t)}, "data": data,
                        "messageId": "1", "publishTime": iso(t)},
            "subscription": "projects/p/subscriptions/archive"}  # fmt: skip


def test_an_event_a_bus_delivered_in_base64_is_read_decoded(tmp_path: Path) -> None:
    at = AT - 8 * M
    records = [
        r
        for t in BASELINE
        for r in (
            _pushed(t, "ebooks", {"time": iso(t), "level": "INFO", "msg": "loan started", "title": "ean:97820"}),
            _pushed(t, "opac", "GET /notice/1234 200 12ms", stream="stdout"),
        )
    ]
    records += [
        _pushed(at + 10 * i * S, "ebooks", {"time": iso(at), "level": "ERROR", "msg": "loan request failed",
                                            "status": 503})
        for i in range(30)
    ]  # fmt: skip
    said = read_logs_of(tmp_path, records, {"opac": ["ebooks"], "ebooks": []}, "ebooks")
    # each entry's own service and text; a line at INFO though its entry's severity is stderr's ERROR
    assert "30 ERROR" in said["ebooks"] and "loan request failed" in said["ebooks"], said["ebooks"]
    assert "(30 ERROR, " in said["ebooks"], said["ebooks"]  # the other lines of the window at their own INFO
    assert "status=503" in said["ebooks"], said["ebooks"]  # the status beside the message, a server error's
    assert "0 lines in window" not in said["opac"] and "ERROR" not in said["opac"], said["opac"]


def test_what_is_an_event_in_base64() -> None:
    def pushed(payload: str) -> dict:
        return {"message": "x", "data": base64.b64encode(payload.encode()).decode(), "id": "1"}

    entry = json.dumps({"timestamp": "2026-03-02T13:50:00Z", "textPayload": "GET / 200"})
    assert coded_records([pushed(entry)] * 3) == "data"
    assert coded_records([pushed('{"unit": 3, "name": "lot"}')] * 3) is None  # an object, but no event
    assert coded_records([pushed("GET /notice/1234 200 12ms")] * 3) is None  # text, not a record
    assert coded_records([pushed(entry), pushed(entry), pushed("plain words here, not json")]) is None
