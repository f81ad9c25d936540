"""What world 60's first contact taught (a German health insurer's platform on virtual machines, its logs Dynatrace's
Log Monitoring API v2 export; written after world 59's rules and scored before any rule saw it): 9 or 10 of 14 right
on seeds 1-4, nothing said at HIGH, as no line was given its service (named only in `additionalColumns`, each value a
list of one string). Read: 13 or 14 of 14, no wrong HIGH. Its reasons: a list of one text is that text; a level
field saying NONE names no level; Apache's `[ssl:error]` states one; requests that fall below half of what arrived
just before have fallen away, whatever the night's baseline. (Oracle's recovery area full of archived redo logs is
expanded, as world 29's writer has it, where this world's writer frees it: left as it was.)"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from oncall.tools.read_logs.fields import column
from oncall.tools.read_logs.hosts import hosts_field
from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    S,
    alertmanager,
    investigated,
    series,
    setting_change,
    signals,
    write_bundle,
)


def _record(t: datetime, host: str, content: str, status: str = "NONE") -> dict[str, Any]:
    """A record of Dynatrace's export: every additional column a list of one string."""
    return {"timestamp": int(t.timestamp() * 1000), "status": status, "content": content, "eventType": "LOG",
            "additionalColumns": {"loglevel": [status], "host.name": [host], "dt.process.name": ["Apache Tomcat"],
                                  "log.source": ["/var/log/app.log"]}}  # fmt: skip


def _read(tmp_path: Path, rows: list[dict[str, Any]], top: bool = False) -> dict[str, str]:
    """read_logs of api and db; `top`: the host's list of one a top-level field of its own."""
    steady = [
        _record(T0 + i * 5 * M, h, f"INFO request {i} served", "INFO")
        for i in range(20)
        for h in ("vm-api-01", "vm-db-01")
    ]
    rows = sorted(steady + rows, key=lambda r: r["timestamp"])
    if top:
        rows = [{**r, "origin": r["additionalColumns"].pop("host.name")} for r in rows]
    root = write_bundle(tmp_path / "b", services={"api": ["db"], "db": []}, alert=alertmanager("HighErrorRate", "api"),
                        logs=rows, metric_lines=[])  # fmt: skip
    return {r.input.get("service"): r.text or "" for r in investigated(root).results if r.tool == "read_logs"}


def test_a_list_of_one_text_is_that_text(tmp_path: Path) -> None:
    at = ALERT_AT - 5 * M
    rows = [
        _record(at + i * 10 * S, "vm-api-02", "ERROR upstream db refused the connection", "ERROR") for i in range(12)
    ]
    read = _read(tmp_path, rows)
    assert "(12 ERROR" in read["api"] and "20 lines in baseline" in read["db"], read["api"]
    sample = [{"cols": {"host.name": ["vm-api-01"]}}, {"cols": {"host.name": ["vm-db-01"]}}]
    assert hosts_field(sample, ["api", "db"]) == 'cols."host.name"[0]'
    assert column('cols."host.name"[0]') == ("cols", '$."host.name"[0]') and column("host[0]") == ("host", "$[0]")
    # a top-level field written so, the same
    assert "(12 ERROR" in _read(tmp_path / "top", rows, top=True)["api"]
    # a list of two is no one text
    assert hosts_field([{"cols": {"host.name": ["vm-api-01", "x"]}}] * 2, ["api", "db"]) is None


def test_a_level_field_saying_none_names_no_level_and_apache_states_its_after_the_module(tmp_path: Path) -> None:
    at = ALERT_AT - 5 * M
    rows = [_record(at + i * 10 * S, "vm-api-01", "ORA-00257: Archiver error. Connect AS SYSDBA only until resolved.")
            for i in range(12)]  # fmt: skip
    rows += [_record(at + i * 10 * S, "vm-api-01", "[Mon Mar 02 13:55:00.1 2026] [ssl:warn] [pid 1] AH01909: "
                     "certificate does not match the server name") for i in range(6)]  # fmt: skip
    read = _read(tmp_path, rows)["api"]
    assert "(12 ERROR, 6 WARN)" in read, read
    # filed at info by a shipper that parsed no level: the module's level in the line outranks it
    proxy = [_record(at + i * 10 * S, "vm-api-01", "[Mon Mar 02 13:55:00.1 2026] [proxy:error] [pid 1] AH00898: "
                     "reading from the backend timed out", "INFO") for i in range(8)]  # fmt: skip
    assert "(8 ERROR" in _read(tmp_path / "p", proxy)["api"]


def _fall(tmp_path: Path, to: float) -> tuple[str, str]:
    """edge's requests: 300 a second through the night, rising to 360 in the hour before a change to it, then
    `to` a minute after the change; nothing else moves."""
    values = []
    t = T0
    while t <= END:
        rising = min(1.0, max(0.0, (t - (ALERT_AT - 60 * M)) / (45 * M)))
        v = to if t >= ALERT_AT - 15 * M else 300 + 60 * rising
        values.append((t, v * (1 + 0.01 * ((int(t.timestamp()) // 60) % 3 - 1))))
        t += timedelta(minutes=1)
    root = write_bundle(
        tmp_path / f"f{int(to)}",
        services={"edge": []},
        alert=alertmanager("RequestsDropped", "edge"),
        metric_lines=series("request_rate", "edge", values),
        changes=[setting_change(ALERT_AT - 16 * M, "edge", "ssl_protocol", "+TLSv1.2 +TLSv1.3", "+TLSv1.3")],
        signals=signals("request_rate"),
    )
    d = investigated(root).diagnosis
    return d.root_cause.category, d.root_cause.confidence


def test_requests_below_half_of_what_arrived_just_before_have_fallen_away(tmp_path: Path) -> None:
    # 170 is more than half the night's 300, but less than half the 360 that arrived just before
    assert _fall(tmp_path, 170)[0] == "recent_change"
    # a fall to two thirds is not users lost: the change is not shown to have done anything
    assert _fall(tmp_path, 240)[0] != "recent_change"
