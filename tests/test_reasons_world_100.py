"""What world 100's first contact taught (a Rotterdam port's truck-gate appointments on VMware Tanzu Application
Service, its logs Log Cache's v2 envelopes as the read API returns them; written after world 99's rules and scored
before any rule saw it): 0.750 / 0.833 / 0.833 / 0.833 on seeds 1-4, no wrong HIGH. Every line's text was read as
the envelope's `log` object, `{"payload":"<base64>","type":"OUT"}`, so no line said anything: an expired client
certificate was `unknown` at LOW, and the AIS provider's outage (seed 1) was put on its caller. Its lesson:

- a line's text that protobuf's JSON wrote as bytes, in base64 (Log Cache's envelope payload, a Pub/Sub message's
  data), is read decoded: what the program wrote, its level, its JSON line kept whole, its errors."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path

from oncall.tools.read_logs import LogQuery, LogStats
from oncall.tools.read_logs.embedded import JsonlLogs
from oncall.tools.read_logs.texts import decoded_texts
from tests.bundles import ALERT_AT as AT
from tests.bundles import END, T0, M, S, alertmanager, flat_then, series, signals, verdict, write_bundle

BASELINE = [AT - 6 * 60 * M + 5 * i * M for i in range(72)]
WINDOW = [AT - 20 * M + 30 * i * S for i in range(40)]
EXPIRED = (
    "fail: Havenlink.Customs.PortbaseClient[0] Declaration 7f3a status request failed: "
    "System.Net.Http.HttpRequestException: The SSL connection could not be established, see inner exception. "
    "---> System.Security.Authentication.AuthenticationException: Authentication failed because the remote party "
    "sent a TLS alert: 'CertificateExpired'."
)


def _envelope(at: datetime, app: str, line: str, stream: str = "OUT", source: str = "APP/PROC/WEB") -> dict:
    """A Log Cache v2 envelope of one line, in protobuf's JSON: nanoseconds as a string, the line's bytes in base64."""
    return {
        "timestamp": str(round(at.timestamp() * 1e6) * 1000),
        "source_id": f"{app}-guid",
        "instance_id": "0",
        "tags": {"app_name": app, "space_name": "prod", "source_type": source, "origin": "rep"},
        "log": {"payload": base64.b64encode(line.encode()).decode(), "type": stream},
    }


def _stats(tmp_path: Path, records: list[dict], service: str, known: list[str]) -> LogStats:
    path = tmp_path / "logs.jsonl"
    tmp_path.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    q = LogQuery(service=service, start=AT - 45 * M, end=AT, baseline_start=AT - 6 * 60 * M, known=known)
    return JsonlLogs(path).stats(q)


def test_a_payload_written_in_base64_is_read_as_the_line_it_holds(tmp_path: Path) -> None:
    def logrus(at: datetime, level: str, message: str, error: str = "") -> str:
        # logrus' JSON formatter sorts its keys: the level after a long error, past where a text's level is looked for
        said = {**({"error": error} if error else {}), "level": level, "msg": message, "time": at.isoformat()}
        return json.dumps(said)

    refused = "pq: could not connect: " + "dial tcp 10.0.32.14:5432: i/o timeout; " * 8
    records = [
        *[_envelope(t, "customs-bridge", "info: Havenlink.Customs.Worker[0] Polled Portbase: 4 releases")
          for t in BASELINE],
        *[_envelope(t, "customs-bridge", EXPIRED, "ERR") for t in WINDOW],
        # (a program's JSON line, kept whole in the payload: at the level it states, a warning however its error reads)
        *[_envelope(t, "notify", logrus(t, "info", "sms queued"), "ERR") for t in BASELINE],
        *[_envelope(t, "notify", logrus(t, "warning", "gate pass send retried", refused), "ERR") for t in WINDOW],
    ]  # fmt: skip
    known = ["customs-bridge", "notify"]
    st = _stats(tmp_path, records, "customs-bridge", known)
    expired = next(t for t in st.templates if t.level == "ERROR")
    assert "'CertificateExpired'" in expired.template and expired.count == 40, st.templates
    notify = _stats(tmp_path, records, "notify", known)
    retried = next(t for t in notify.templates if "retried" in t.template)
    assert retried.level == "WARN" and retried.count == 40, notify.templates


def test_a_text_that_only_looks_like_base64_is_read_as_written(tmp_path: Path) -> None:
    # words of base64's alphabet that are not base64 of text (`Finished`), and a protobuf message's own bytes in
    # base64 (not text: field tags and lengths are control characters): each line is read as written
    def line(at: datetime, message: str, level: str = "info") -> dict:
        return {"ts": at.isoformat(), "service": "api", "level": level, "message": message}

    plain = [*[line(t, "Finished") for t in BASELINE], *[line(t, "Complete", "error") for t in WINDOW]]
    st = _stats(tmp_path / "plain", plain, "api", ["api"])
    assert next(t for t in st.templates if t.level == "ERROR").template == "Complete", st.templates
    protobuf = [
        *[line(t, base64.b64encode(b"\x08\x05\x12\x02ok").decode()) for t in BASELINE],
        *[line(t, base64.b64encode(b"\x08\x05\x12\x07refused").decode(), "error") for t in WINDOW],
    ]
    st = _stats(tmp_path / "protobuf", protobuf, "api", ["api"])
    said = next(t for t in st.templates if t.level == "ERROR").template
    assert "refused" not in said and "JlZnVzZWQ" in said, st.templates
    encoded = base64.b64encode(b"connection refused").decode()
    mixed = [*[line(t, "request served in 12 ms") for t in BASELINE], *[line(t, encoded, "error") for t in WINDOW]]
    st = _stats(tmp_path / "mixed", mixed, "api", ["api"])
    said = next(t for t in st.templates if t.level == "ERROR").template
    assert "ubmVjdGlvbiByZWZ" in said and "refused" not in said, st.templates
    # lines with no text at all say nothing of how texts are written
    assert decoded_texts([{"ts": "2026-03-02T13:50:00Z", "service": "api", "level": "info"}]) is None


def test_an_expired_client_certificate_in_log_caches_envelopes_is_named(tmp_path: Path) -> None:
    at = AT - 10 * M
    root = write_bundle(
        tmp_path,
        services={"gate-api": ["customs-bridge"], "customs-bridge": ["portbase"], "portbase": []},
        alert=alertmanager("CustomsDeclarationsFailing", "customs-bridge"),
        logs=[_envelope(t, s, "info: Havenlink.Worker[0] Polled Portbase: 4 releases")
              for t in BASELINE for s in ("gate-api", "customs-bridge")]
        + [_envelope(at + 15 * i * S, "customs-bridge", EXPIRED, "ERR") for i in range(40)],
        metric_lines=series("error_ratio", "customs-bridge", flat_then(T0, END, 0.002, at, 0.85)),
        signals=signals("error_ratio"),
    )  # fmt: skip
    assert verdict(root).startswith("customs-bridge/expired_credential")
