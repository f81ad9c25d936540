"""What world 9 taught: logs in layouts the reader had not met (journald's export from VMs, Splunk's
HEC events) were read as nobody's, and the analyst still said HIGH. Now those layouts are read; a
line states its own level over a shipper's default; and evidence that could not be read about the
root cause lowers confidence, whatever the analyst."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

from tests.bundles import ALERT_AT, M, investigated, iso, read_logs_of

DEMO = Path(__file__).parent.parent / "fixtures" / "demo"


def journal(t, unit: str | None, host: str, message: str, priority: str = "6", ident: str = "app") -> dict:
    rec = {
        "__REALTIME_TIMESTAMP": str(int(t.timestamp() * 1_000_000)),
        "_HOSTNAME": host,
        "PRIORITY": priority,
        "SYSLOG_IDENTIFIER": ident,
        "MESSAGE": message,
    }
    if unit:
        rec["_SYSTEMD_UNIT"] = unit
    return rec


def test_journald_records_are_read_with_the_level_the_line_states_and_daemons_by_their_host(tmp_path):
    """`journalctl -o json`: microseconds in `__REALTIME_TIMESTAMP`, the unit in `_SYSTEMD_UNIT`. A
    program's stdout is filed at priority 6 whatever it says, so go-kit's `level=error` decides; a
    daemon logging through syslog under its own unit (`postgresql@15-main`) and the kernel (no unit)
    belong to the service their host is named after."""
    t0 = ALERT_AT - 5 * M
    app = [
        journal(t0 + i * M, "api.service", "api-01", f'level=error ts={iso(t0)} msg="query failed" err="pq: timeout"')
        for i in range(4)
    ]
    db = [journal(t0, "postgresql@15-main.service", "db-01", "FATAL:  sorry, too many clients", "3")]
    db += [
        journal(t0 + i * M, None, "db-02", "nf_conntrack: table full, dropping packet", "4", "kernel") for i in (1, 2)
    ]
    text = read_logs_of(tmp_path, app + db)
    assert "4 lines in window (4 ERROR)" in text["api"] and "skipped" not in text["api"]
    assert "3 lines in window (2 WARN, 1 ERROR)" in text["db"]


def test_splunk_hec_events_are_their_containers_not_their_nodes(tmp_path):
    """Splunk Connect's events: the container in `fields`, the raw line in `event` (here pino's JSON with
    its numeric level), and `host` the node the pod ran on, which two services share."""
    t0 = ALERT_AT - 5 * M

    def hec(i: int, container: str, line: str) -> dict:
        return {
            "time": round((t0 + i * M).timestamp(), 3),
            "host": "ip-10-42-7-19.eu-west-1.compute.internal",
            "sourcetype": f"kube:container:{container}",
            "event": line,
            "fields": {"namespace": "media", "pod": f"{container}-7d9f8b6c5-x2k4p", "container_name": container},
        }

    pino = json.dumps({"level": 50, "time": 1, "msg": "upload failed", "err": {"message": "AccessDenied"}})
    text = read_logs_of(tmp_path, [hec(i, "api", pino) for i in range(3)] + [hec(1, "db", "LOG:  checkpoint")])
    assert "3 lines in window (3 ERROR)" in text["api"] and "1 lines in window (1 INFO)" in text["db"]


def _demo_with(tmp_path: Path, rewrite) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    logs = root / "logs.jsonl"
    logs.write_text("".join(json.dumps(rewrite(json.loads(x))) + "\n" for x in logs.read_text().splitlines() if x))
    return root


def test_the_cause_is_not_certain_when_its_own_logs_could_not_be_read(tmp_path):
    """The demo is diagnosed at HIGH. The same incident whose log records name their service only by an id
    nothing else uses (a workload's number: every line nobody's) is the same diagnosis at MEDIUM, saying
    what is missing."""
    assert investigated(DEMO).diagnosis.root_cause.confidence == "HIGH"
    ids = {"api-gateway": "w-1041", "orders": "w-1042", "payments": "w-1043", "inventory": "w-1044"}
    root = _demo_with(
        tmp_path,
        lambda r: {
            "meta": {"workload": ids.get(r.pop("service"), "w-1")},
            **{k: v for k, v in r.items() if k != "pod"},
        },
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("api-gateway", "recent_change")
    assert d.root_cause.confidence == "MEDIUM"
    assert any("api-gateway's own logs could not be read" in m for m in d.missing_evidence)
    assert any("name no catalogued service" in m for m in d.missing_evidence)


def test_a_service_named_inside_an_object_of_a_key_nobody_knows_is_still_read(tmp_path):
    """The same incident whose records keep the service nested under keys the reader has never seen
    (`meta.k8s.app`): the field whose values are the catalog's services names them, wherever it sits, and
    the diagnosis is the demo's, at HIGH."""
    root = _demo_with(
        tmp_path,
        lambda r: {"meta": {"k8s": {"app": r.pop("service")}}, **{k: v for k, v in r.items() if k != "pod"}},
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category, d.root_cause.confidence) == (
        "api-gateway",
        "recent_change",
        "HIGH",
    )


def test_the_cause_is_not_certain_when_its_own_log_lines_carry_no_text_the_reader_can_find(tmp_path):
    """The same incident whose records were shipped without their text (every other field kept): the
    lines are counted, by service and level, but what they say is unknown."""
    root = _demo_with(tmp_path, lambda r: {k: v for k, v in r.items() if k != "message"})
    d = investigated(root).diagnosis
    assert d.root_cause.service == "api-gateway" and d.root_cause.confidence == "MEDIUM"
    assert any("api-gateway's own logs could not be read" in m for m in d.missing_evidence)


def test_the_cause_is_not_certain_when_its_log_backend_failed(tmp_path):
    root = _demo_with(tmp_path, lambda r: r)
    (root / "logs.jsonl").unlink()
    d = investigated(root).diagnosis
    assert d.root_cause.service == "api-gateway" and d.root_cause.confidence == "MEDIUM"
    assert any("api-gateway's own logs could not be read" in m for m in d.missing_evidence)


def test_gelf_messages_are_their_containers_with_the_level_the_line_states(tmp_path):
    """Graylog's export of Docker's GELF driver: the line in `short_message`, epoch seconds, `level` 6
    for all a container prints on stdout (3 on stderr), `host` the Nomad client two services share, and
    the service only in the container's name (the task, then the allocation's UUID)."""
    t0 = ALERT_AT - 5 * M

    def gelf(i: int, task: str, line: str, level: int) -> dict:
        return {
            "version": "1.1",
            "host": "nomad-client-03",
            "short_message": line,
            "timestamp": round((t0 + i * M).timestamp(), 3),
            "level": level,
            "_container_name": f"{task}-62a310a5-1b4c-4e5f-9a8b-8d79872f{i:04d}",
            "_image_name": f"registry.example/{task}:v412",
        }

    api = [
        gelf(i, "api", json.dumps({"level": 50, "time": 1, "msg": "publish failed: channel blocked"}), 6)
        for i in range(3)
    ]
    db = [
        gelf(i, "db", "2026-03-02T13:55:00.000000Z 0 [ERROR] [MY-013183] [Server] Too many connections", 3)
        for i in range(2)
    ]
    text = read_logs_of(tmp_path, api + db)
    assert "3 lines in window (3 ERROR)" in text["api"] and "2 lines in window (2 ERROR)" in text["db"]


def test_a_loki_export_and_a_papertrail_archive_are_read_with_the_level_each_line_states(tmp_path):
    """logcli's jsonl keeps the service among the stream's labels and the raw line in `line`;
    Papertrail's events carry `received_at` with an offset, the app in `source_name`, and severity Info
    for all an app prints (Heroku's syslog), so Rails' `E, [...] ERROR --` is what says error."""
    t0 = ALERT_AT - 5 * M
    loki = [
        {
            "labels": {"app": "api", "namespace": "fleet", "pod": "api-7b8c9d6f5-h2k9l"},
            "line": f'level=error ts={iso(t0)} msg="produce failed" err="NOT_ENOUGH_REPLICAS"',
            "timestamp": (t0 + i * M).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z",
        }
        for i in range(3)
    ]
    local = (t0 - timedelta(hours=5)).replace(tzinfo=None)
    papertrail = [
        {
            "received_at": (local + i * M).strftime("%Y-%m-%dT%H:%M:%S") + "-05:00",
            "source_name": "db",
            "program": "app/web.1",
            "severity": "Info",
            "message": f"E, [{iso(t0)} #4] ERROR -- : PG::ConnectionBad: could not connect",
        }
        for i in range(4)
    ]
    text = read_logs_of(tmp_path, loki + papertrail)
    assert "3 lines in window (3 ERROR)" in text["api"] and "4 lines in window (4 ERROR)" in text["db"]
