"""What world 97's first contact taught (a Lisbon transit-ticketing company on App Engine, its logs a Cloud Logging
sink's LogEntry JSON; written after world 96's rules and scored before any rule saw it): 0.500 on seeds 1-4, no
wrong HIGH. Its lessons:

- App Engine's request log carries the lines its runtime attached to the request (`protoPayload.line[]
  .logMessage`: the Java 8 runtime's app logs, App Engine's own notices): they are what the entry says;
- the error a structured line keeps beside its message under `err` (slog's, pino's, in Cloud Logging's
  jsonPayload) is part of what it says;
- Cloud Logging's monitored resource names the owner in its labels: App Engine's `module_id`, Cloud Run's
  `service_name`, a Cloud SQL instance's `database_id` (`<project>:<instance>`, as the catalog's templates spell it);
- callers that could not open a connection to the one database each depends on, while it logged no trouble, had
  nothing at a limit and its open connections fell as the errors began: the way to it is cut, a network failure
  at that database, not the callers' nor the database's own."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from oncall.tools.read_logs import LogQuery, LogStats
from oncall.tools.read_logs.embedded import JsonlLogs
from tests.bundles import ALERT_AT as AT
from tests.bundles import END, T0, M, S, alertmanager, flat_then, iso, series, signals, verdict, write_bundle

PROJECT = "passe-tejo-prod"


def _entry(at: datetime, module: str, **payload: Any) -> dict:
    """A LogEntry of an App Engine service as the sink writes it."""
    return {
        "insertId": f"{int(at.timestamp() * 1000) % 999983:x}",
        **payload,
        "resource": {"type": "gae_app", "labels": {"project_id": PROJECT, "module_id": module, "version_id": "v1"}},
        "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }


def _request(at: datetime, module: str, status: int, *lines: tuple[str, str]) -> dict:
    """App Engine's request log for one request, with the (severity, text) lines attached to it."""
    said = [{"time": iso(at), "severity": sev, "logMessage": text} for sev, text in lines]
    proto = {"@type": "type.googleapis.com/google.appengine.logging.v1.RequestLog", "method": "POST",
             "resource": "/v1/topups", "status": status, **({"line": said} if said else {})}  # fmt: skip
    severity = {"severity": "ERROR" if any(s == "ERROR" for s, _ in lines) else "INFO"} if lines else {}
    return _entry(at, module, protoPayload=proto, httpRequest={"status": status}, **severity,
                  logName=f"projects/{PROJECT}/logs/appengine.googleapis.com%2Frequest_log")  # fmt: skip


def _stats(tmp_path: Path, records: list[dict], service: str, known: list[str], aliases: list[str]) -> LogStats:
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    q = LogQuery(service=service, start=AT - 45 * M, end=AT, baseline_start=AT - 6 * 60 * M, known=known,
                 aliases=aliases)  # fmt: skip
    return JsonlLogs(path).stats(q)


BASELINE = [AT - 6 * 60 * M + 5 * i * M for i in range(72)]
WINDOW = [AT - 20 * M + 30 * i * S for i in range(40)]


def test_a_request_logs_attached_lines_are_what_it_says(tmp_path: Path) -> None:
    records = [
        *[_request(t, "topup", 200, ("INFO", "com.passetejo.topup.TopUpServlet doPost: top-up authorised"))
          for t in BASELINE],
        *[_request(t, "topup", 500, ("ERROR", "com.passetejo.topup.SecretsConfig load: PERMISSION_DENIED: Permission "
                                     "'secretmanager.versions.access' denied")) for t in WINDOW],
        *[_request(t, "topup", 200) for t in BASELINE[::6]],  # (a request the runtime attached nothing to)
        # (the sink's other logs in the same file, most of its lines: another service's structured output)
        *[_entry(t + i * S, "default", jsonPayload={"message": "session refreshed"}, severity="INFO")
          for t in BASELINE + WINDOW for i in range(3)],
    ]  # fmt: skip
    st = _stats(tmp_path, records, "topup", ["topup", "default"], [])
    denied = next(t for t in st.templates if t.level == "ERROR")
    assert "PERMISSION_DENIED" in denied.template and denied.count == 40, st.templates


def test_a_structured_lines_err_field_is_part_of_what_it_says(tmp_path: Path) -> None:
    def line(at: datetime, message: str, err: str = "", severity: str = "INFO") -> dict:
        payload = {"message": message, **({"err": err} if err else {})}
        return _entry(at, "journeys", jsonPayload=payload, severity=severity, logName=f"projects/{PROJECT}/logs/stdout")

    records = [*[line(t, "vehicle positions refreshed") for t in BASELINE],
               *[line(t, "vehicle positions refresh failed", "unexpected status 503 Service Unavailable from "
                      "https://api.example.pt/vehicles", "ERROR") for t in WINDOW]]  # fmt: skip
    st = _stats(tmp_path, records, "journeys", ["journeys"], [])
    failed = next(t for t in st.templates if t.level == "ERROR")
    assert "Service Unavailable from https://api.example.pt" in failed.template, failed.template


def test_cloud_loggings_monitored_resource_names_the_owner(tmp_path: Path) -> None:
    def mysql(at: datetime, text: str) -> dict:
        return {"textPayload": text, "severity": "WARNING", "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "resource": {"type": "cloudsql_database",
                             "labels": {"database_id": f"{PROJECT}:tejo-mysql", "project_id": PROJECT}}}  # fmt: skip

    records = [*[mysql(t, "[Warning] [MY-010055] [Server] IP address could not be resolved") for t in BASELINE],
               *[_entry(t, "topup", jsonPayload={"message": "ok"}, severity="INFO") for t in BASELINE]]  # fmt: skip
    known = ["tejo-mysql", "topup", f"{PROJECT}:tejo-mysql"]
    assert _stats(tmp_path, records, "tejo-mysql", known, [f"{PROJECT}:tejo-mysql"]).total == 9  # by its instance
    assert _stats(tmp_path, records, "topup", known, []).total == 9  # by its App Engine service


def _cut(
    tmp_path: Path,
    *,
    fell: int | None = 1,
    db_says: str = "",
    callers_say: str = "",
    db_busy: bool = False,
    also_fell: bool = False,
    quotes_fail: bool = True,
    payments_fell: bool = False,
    began: int = 8,
) -> str:
    """api (Java) and quotes (Python) cannot open connections to ledger-db from eight minutes before the alert
    (or say `callers_say`); ledger-db logs its routine notes (and `db_says`, when given) and its open connections
    fall `fell` minutes after the errors begin (or not, None); `db_busy`: its CPU at its limit meanwhile;
    `also_fell`: api's other database, rates-db, lost its connections at the same moment; `quotes_fail`: quotes
    fails as api does; `payments_fell`: payments, which api calls and is no database, lost its connections then
    too; `began`: minutes before the alert the errors began."""
    at = AT - began * M

    def log(t: datetime, service: str, level: str, message: str) -> dict:
        return {"ts": iso(t), "service": service, "level": level, "message": message}

    java = callers_say or (
        "com.acme.db.Pool getConnection: com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications "
        "link failure The last packet sent successfully to the server was 0 milliseconds ago. Caused by: "
        "java.net.SocketTimeoutException: connect timed out"
    )
    python = callers_say or (
        "quote failed: (pymysql.err.OperationalError) (2003, \"Can't connect to MySQL server on '10.71.0.3' (timed out)\")"
    )
    routine = [log(t, s, "info", "served") for t in BASELINE for s in ("api", "quotes")]
    notes = [log(t, d, "info", "[Note] Aborted connection to db (Got an error reading communication packets)")
             for t in BASELINE for d in ("ledger-db", "rates-db")]  # fmt: skip
    failing = [log(at + 10 * i * S, "api", "error", java) for i in range(40)]
    failing += [log(at + 10 * i * S + 3 * S, "quotes", "error", python) for i in range(40) if quotes_fail]
    own = [log(at + 20 * i * S, "ledger-db", "error", db_says) for i in range(20)] if db_says else []
    drop = (at + fell * M, 0.02) if fell is not None else ()
    root = write_bundle(
        tmp_path,
        services={
            "api": ["ledger-db", "rates-db", "payments"],
            "quotes": ["ledger-db"],
            "ledger-db": [],
            "rates-db": [],
            "payments": [],
        },
        alert=alertmanager("HighErrorRate", "api"),
        logs=routine + notes + failing + own,
        metric_lines=series("error_ratio", "api", flat_then(T0, END, 0.002, at, 0.6))
        + series("error_ratio", "quotes", flat_then(T0, END, 0.002, at, 0.5))
        + series("pool_utilization", "ledger-db", flat_then(T0, END, 0.25, *drop))
        + series("pool_utilization", "rates-db", flat_then(T0, END, 0.3, *((at + M, 0.02) if also_fell else ())))
        + series("cpu_utilization", "ledger-db", flat_then(T0, END, 0.3, *((at, 1.0) if db_busy else ())))
        + series("error_ratio", "payments", flat_then(T0, END, 0.001))
        + series("pool_utilization", "payments", flat_then(T0, END, 0.4, *((at + M, 0.05) if payments_fell else ()))),
        signals=signals("error_ratio", "pool_utilization", "cpu_utilization"),
    )
    return verdict(root)


def test_callers_that_cannot_reach_a_quiet_database_whose_connections_fell_lost_the_way_to_it(tmp_path: Path) -> None:
    assert _cut(tmp_path / "cut").startswith("ledger-db/network")
    # its connections as many as ever, or fallen long before or long after the errors began: they say nothing
    # of the way to it
    for name, fell, began in (("held", None, 8), ("before", -20, 8), ("after", 15, 30)):
        assert not _cut(tmp_path / name, fell=fell, began=began).startswith("ledger-db/network"), name
    # the database failing of its own, or at a limit: that is why, not the way to it
    crashed = "[ERROR] [MY-012592] [InnoDB] Operating system error number 28 in a file operation."
    assert not _cut(tmp_path / "own", db_says=crashed).startswith("ledger-db/network")
    assert not _cut(tmp_path / "busy", db_busy=True).startswith("ledger-db/network")
    # the callers reached it and were answered (a lock it held), or could not connect to something not a database
    locked = (
        "mysql.connector.errors.DatabaseError: 1205 (HY000): Lock wait timeout exceeded; try restarting transaction"
    )
    assert not _cut(tmp_path / "answered", callers_say=locked).startswith("ledger-db/network")
    elsewhere = "charge failed: connect timed out to https://pay.example.com/v1/charges"
    assert not _cut(tmp_path / "elsewhere", callers_say=elsewhere).startswith("ledger-db/network")
    # two of api's databases lost their connections at that moment: its errors alone do not say which way was cut
    two = _cut(tmp_path / "two", also_fell=True, quotes_fail=False)
    assert not two.startswith(("ledger-db/network", "rates-db/network")), two
    assert _cut(tmp_path / "told", also_fell=True).startswith("ledger-db/network")  # quotes, with one, tells
    # a service that is no database losing its connections says nothing of the database's way
    assert _cut(tmp_path / "payments", payments_fell=True, quotes_fail=False).startswith("ledger-db/network")
