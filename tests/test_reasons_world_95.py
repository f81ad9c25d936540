"""What world 95's first contact taught (a São Paulo contact centre on Docker Swarm, its logs Docker's journald
driver's entries as `journalctl -o json` prints them; written after world 94's rules and scored before any rule saw
it): 0.333 on seeds 1-4, no wrong HIGH, with no line read as any service's. Its lessons:

- an entry Docker's journald driver wrote is the container's: dockerd wrote every one, so `_SYSTEMD_UNIT` is
  docker.service and `_HOSTNAME` the node; the container is `CONTAINER_NAME`, and a Swarm task's container
  (`atende_crm.2.x9k2...`) is its service's (`crm`, or `atende_crm` where the catalog spells it so), as a pod is
  its deployment's;
- its PRIORITY, as Docker's GELF driver's level, is only the stream the line was written to (6 stdout, 3 stderr):
  the level is the line's own word (Asterisk's `WARNING[1135]` before its thread);
- a provider answering "(#200) Permissions error" refuses a permission;
- news that began well before the window (none of it for a stretch before, as long as the stretch since, in which
  its pace would have logged ten lines) began then, and is dated then: an upload failing for three hours while a
  spool fills is where the filling began, not background the baseline knew all along."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from oncall.tools.read_logs import LogQuery, LogStats
from oncall.tools.read_logs.embedded import JsonlLogs
from tests.bundles import ALERT_AT as AT
from tests.bundles import END, T0, M, S, alertmanager, flat_then, series, signals, verdict, write_bundle

TASK = "x9k2m4p7q1w3e5r8t0y6u2i4o"


def _entry(at: datetime, service: str, message: str, priority: str = "6", stack: str = "atende_") -> dict:
    """One entry of a Swarm task's container as `journalctl -o json` prints what Docker's journald driver wrote."""
    cid = hashlib.sha256(service.encode()).hexdigest()
    return {"__REALTIME_TIMESTAMP": str(int(at.timestamp() * 1_000_000)), "_HOSTNAME": "swarm-sp-02",
            "_TRANSPORT": "journal", "_COMM": "dockerd", "_SYSTEMD_UNIT": "docker.service", "PRIORITY": priority,
            "SYSLOG_IDENTIFIER": cid[:12], "CONTAINER_TAG": cid[:12], "CONTAINER_ID": cid[:12],
            "CONTAINER_NAME": f"{stack}{service}.2.{TASK}", "IMAGE_NAME": f"registry.example/{service}:1.4.0",
            "MESSAGE": message}  # fmt: skip


def _stats(tmp_path: Path, records: list[dict], service: str, known: list[str]) -> LogStats:
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    q = LogQuery(service=service, start=AT - 45 * M, end=AT, baseline_start=AT - 6 * 60 * M, known=known)
    return JsonlLogs(path).stats(q)


def _read(tmp_path: Path, records: list[dict], service: str, known: list[str]) -> tuple[int, dict[str, int], list]:
    st = _stats(tmp_path, records, service, known)
    return st.total, st.levels, st.templates


def _routine(service: str, line: str, priority: str = "6", stack: str = "atende_") -> list[dict]:
    return [_entry(AT - 6 * 60 * M + 5 * i * M, service, line, priority, stack) for i in range(72)]


def test_a_swarm_tasks_container_in_dockers_journal_is_its_services(tmp_path: Path) -> None:
    records = [*_routine("crm", "2028-11-03 09:12:44,123 INFO django.request GET /crm/ 200"),
               *_routine("agent-api", "09:12:44.123 [info] GET /api/agents/me/queue")]  # fmt: skip
    total, _, _ = _read(tmp_path, records, "crm", ["crm", "agent-api"])
    assert total == 9  # its lines in the window, not docker.service's, nor the node's
    # the catalog may spell the services with their stack (as the metrics' label does)
    total, _, _ = _read(tmp_path, records, "agent-api", ["crm", "agent-api", "atende_crm", "atende_agent-api"])
    assert total == 9
    # ...or only with it: then it is not cut
    total, _, _ = _read(tmp_path, records, "atende_crm", ["atende_crm", "atende_agent-api"])
    assert total == 9
    # a container Compose named, or a pod, is read as before: not a Swarm task
    other = [{**r, "CONTAINER_NAME": "crm"} for r in _routine("crm", "INFO ok")]
    assert _read(tmp_path, other, "crm", ["crm", "agent-api"])[0] == 9


def test_a_journal_entrys_priority_from_docker_is_the_stream_not_the_level(tmp_path: Path) -> None:
    records = [
        # (gunicorn's access lines, to stderr: no level word of their own)
        *_routine("crm", '10.0.1.5 - - [03/Nov/2028:09:12:44 -0300] "GET /crm/ HTTP/1.1" 200 512', "3"),
        *_routine("agent-api", "09:12:44.123 [info] GET /api/agents/me/queue"),
        *[_entry(AT - 20 * M + i * M, "crm", "2028-11-03 11:40:00,001 ERROR crm.screenpop lookup failed", "3")
          for i in range(10)],
    ]  # fmt: skip
    _, levels, _ = _read(tmp_path, records, "crm", ["crm", "agent-api"])
    assert levels == {"INFO": 9, "ERROR": 10}, levels  # stderr (3) is not an error, the line's word is
    # Asterisk's word for the level, before its thread (its VERBOSE is the call flow: the words decide)
    pbx = [_entry(AT - 20 * M + i * M, "pbx", f"[2028-11-03 11:40:00] {word}[1135][C-0000311c7] pjsip.c: {said}")
           for i in range(10) for word, said in (("WARNING", "Failed to authenticate INVITE: 403 Forbidden"),
                                                   ("VERBOSE", "Everyone is busy/congested at this time"))]  # fmt: skip
    _, levels, _ = _read(tmp_path, records + pbx, "pbx", ["crm", "agent-api", "pbx"])
    assert levels == {"WARN": 10, "INFO": 10}, levels


def _gateway(tmp_path: Path, says: str) -> str:
    lines = [_entry(AT - 8 * M + 10 * i * S, "wa", f'{{"level":"ERROR","msg":"send failed","err":"{says}"}}', "3", "")
             for i in range(40)]  # fmt: skip
    root = write_bundle(
        tmp_path,
        services={"wa": ["meta"], "meta": []},
        alert=alertmanager("SendFailures", "wa"),
        logs=_routine("wa", '{"level":"INFO","msg":"message delivered"}', "3", "") + lines,
        metric_lines=series("error_ratio", "wa", flat_then(T0, END, 0.004, AT - 8 * M, 0.9)),
        signals=signals("error_ratio"),
    )
    return verdict(root)


def test_a_providers_permissions_error_is_a_permission_refused(tmp_path: Path) -> None:
    said = "graph api: (#200) Permissions error (OAuthException, code 200)"
    assert _gateway(tmp_path / "perm", said).startswith("wa/permission_denied")
    assert not _gateway(tmp_path / "other", "graph api: (#131000) Something went wrong").startswith(
        "wa/permission_denied"
    )


def _spool(tmp_path: Path, began: int) -> str:
    """pbx's spool volume climbs from `began` minutes before the alert, as uploader (which pbx hands its recordings
    to) fails every upload to the storage provider `store` from then on, two a minute."""
    at = AT - began * M
    failing = [_entry(at + 30 * i * S, "uploader", 'level=error msg="upload failed" error="dial tcp 38.27.106.9:443: '
                      'i/o timeout"', "3", "") for i in range(2 * began)]  # fmt: skip
    disk = [(t, v if t < at else min(0.93, v + 0.48 * (t - at) / (began * M))) for t, v in flat_then(T0, END, 0.45)]
    root = write_bundle(
        tmp_path,
        services={"pbx": ["uploader"], "uploader": ["store"], "store": []},
        alert=alertmanager("SpoolFilling", "pbx"),
        logs=_routine("pbx", "VERBOSE[12] app_queue.c: answered", "6", "")
        + _routine("uploader", 'level=info msg="recording uploaded"', "3", "")
        + failing,
        metric_lines=series("disk_utilization", "pbx", disk),
        signals=signals("disk_utilization"),
    )
    return verdict(root)


def test_news_that_began_well_before_the_window_began_then(tmp_path: Path) -> None:
    # failing for three hours of a six-hour baseline: the provider failing is where the spool began to fill
    assert _spool(tmp_path / "three", 180).startswith("store/dependency_failure")
    # failing for five hours: too little quiet before it to say it began then (a background the baseline knew)
    assert not _spool(tmp_path / "five", 300).startswith("store/")


def test_only_a_quiet_stretch_that_proves_it_dates_when_news_began(tmp_path: Path) -> None:
    """A template first logged two and a half hours before the window (more than the last third of its 5 h 15 min
    baseline), at its pace since: every 30 s it would have logged hundreds of lines in the quiet hours before, so
    it began then; once in 40 minutes, four, whose absence proves nothing."""

    def note(every: int) -> str | None:
        began = AT - 45 * M - 150 * M
        lines = [_entry(began + i * every * S, "up", "level=error msg=\"upload failed\"", "3", "")
                 for i in range(int((AT - began) / (every * S)) + 1)]  # fmt: skip
        st = _stats(tmp_path, _routine("up", "level=info msg=ok", "3", "") + lines, "up", ["up"])
        return next(st.notable(t) for t in st.templates if "failed" in t.template)

    assert (note(30) or "").startswith("new since")
    assert note(40 * 60) is None


def _refused(tmp_path: Path, address: str) -> str:
    """api (using gateway, which sends no telemetry, and orders-db, healthy) has its connections to `address`
    refused from eight minutes before its alert."""
    lines = [_entry(AT - 8 * M + 10 * i * S, "api", f"ERROR Connection refused: /{address} (primary)", "3", "")
             for i in range(40)]  # fmt: skip
    root = write_bundle(
        tmp_path,
        services={"api": ["gateway", "orders-db"], "gateway": [], "orders-db": []},
        alert=alertmanager("ApiErrors", "api"),
        logs=_routine("api", "INFO order created", "3", "") + lines,
        metric_lines=series("error_ratio", "api", flat_then(T0, END, 0.004, AT - 8 * M, 0.5))
        + series("error_ratio", "orders-db", flat_then(T0, END, 0.001)),
        signals=signals("error_ratio"),
    )
    return verdict(root)


def test_a_refused_database_port_is_no_dependency_that_is_not_a_database(tmp_path: Path) -> None:
    """Found on the way (world 7's stale primary, once world 95's dating of news put its errors first): an address
    refused at PostgreSQL's port is a database's, not the one dependency that sends no telemetry (a payment
    gateway)."""
    assert not _refused(tmp_path / "pg", "10.20.3.12:5432").startswith("gateway/")
    assert _refused(tmp_path / "https", "10.20.3.12:443").startswith("gateway/")
