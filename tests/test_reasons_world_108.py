"""What world 108's first contact taught (a Porto restaurant-reservation company on Azure Container Apps, its logs
Azure resource logs streamed by diagnostic settings to an Event Hub and archived an event's body a line; written
after world 107's rules and scored before any rule saw it): 0.429 / 0.571 / 0.429 / 0.429 on seeds 1-4, no wrong
HIGH. No console line was read as its text: each was read as its whole `properties` object, the program's line in
`Log` left unread because its name is capitalised. Its lessons:

- a field is the same field whatever its case, inside a record's object as at its top; a Container App's console
  record says whose it is in `ContainerAppName` (its `ContainerName` is `daprd` for the sidecar's lines) and which
  replica in `ContainerGroupName`; a database server's record names it in `LogicalServerName`, its severity in
  `errorLevel`; a service field naming no catalog service but ending with one's name after the estate's own
  (`<estate>-postgres`) is that service's;
- a credential rotated where it is checked (a provider's key regenerated, by a run whose record says it renewed
  the key) fails the users still presenting the old one: they read it again; the rotation is not to undo;
- a store's own lines of the writes it refused as read-only are its own word of what its callers say: it made
  itself read-only, as a managed database does at its storage limit."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from oncall.analysts.offline.findings import rotation
from oncall.eval import world108
from oncall.tools.read_changes import Change
from tests.bundles import ALERT_AT as AT
from tests.bundles import (
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    investigated,
    iso,
    log,
    read_logs_of,
    series,
    signals,
    write_bundle,
)

BASELINE = [AT - 6 * 60 * M + 5 * i * M for i in range(72)]
ENV = "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG-PROD/PROVIDERS/MICROSOFT.APP/MANAGEDENVIRONMENTS/CAE-PROD"
SERVER = "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG-PROD/PROVIDERS/MICROSOFT.DBFORPOSTGRESQL/FLEXIBLESERVERS/ACME-POSTGRES"


def _console(t: datetime, app: str, line: str, container: str = "", stream: str = "stderr") -> dict:
    """A Container App's console record as its environment's diagnostic setting streams it: no level of its own."""
    replica = f"{app}--r7-5f8c9d7b6-x2k9q"
    return {"time": f"{iso(t)[:-1]}.0000000Z", "resourceId": ENV, "category": "ContainerAppConsoleLogs",
            "operationName": "Microsoft.App/managedEnvironments/containerApps/consoleLogs/write",
            "properties": {"ContainerAppName": app, "RevisionName": f"{app}--r7", "ContainerName": container or app,
                           "ContainerGroupName": replica, "EnvironmentName": "cae-prod", "Stream": stream,
                           "Log": line}}  # fmt: skip


def _server(t: datetime, level: str, message: str) -> dict:
    """A PostgreSQL flexible server's record: its severity and message in `properties`, its name beside them."""
    return {"time": f"{iso(t)[:-1]}.0000000Z", "resourceId": SERVER, "category": "PostgreSQLLogs",
            "operationName": "LogEvent", "LogicalServerName": "acme-postgres",
            "properties": {"prefix": f"{iso(t)} UTC-1234-", "message": message, "detail": "", "errorLevel": level,
                           "domain": "postgres-16"}}  # fmt: skip


def _hub(records: list[dict]) -> list[dict]:
    """The archive's lines: each Event Hub event's body, a few records of one resource each."""
    return [{"records": records[i : i + 3]} for i in range(0, len(records), 3)]


ESTATE = {"bookings": ["postgres"], "floor": ["postgres"], "postgres": []}


def test_an_azure_resource_logs_records_are_read_as_their_programs_lines(tmp_path: Path) -> None:
    at = AT - 8 * M
    records = [
        r
        for t in BASELINE
        for r in (
            _console(t, "bookings", '[2026-03-02 08:00:00] production.INFO: Reservation confirmed {"covers":4} []'),
            _console(t, "bookings", 'level=info msg="HTTP API Called" app_id=bookings', container="daprd"),
            _console(t, "floor", "[Nest] 1  - 03/02/2026, 8:00:00 AM     LOG [FloorService] Floor plan sent"),
            _server(t, "LOG", "checkpoint complete: wrote 12 buffers (0.2%)"),
        )
    ]
    records += [
        _console(at + 10 * i * S, "bookings", 'time="x" level=error msg="error publishing message: amqp:unauthorized-'
                 'access: InvalidSignature" app_id=bookings', container="daprd", stream="stdout")
        for i in range(30)
    ]  # fmt: skip
    records += [
        _server(at + 10 * i * S, "ERROR", "could not serialize access due to concurrent update") for i in range(20)
    ]
    said = read_logs_of(tmp_path, records, ESTATE, "bookings")
    # the sidecar's lines are its app's, each its own text (not the record's properties), at its own level
    assert "30 ERROR" in said["bookings"] and "InvalidSignature" in said["bookings"], said["bookings"]
    assert "(30 ERROR, 12 INFO)" in said["bookings"] and "ContainerAppName" not in said["bookings"], said["bookings"]
    assert "0 lines in window" not in said["floor"] and "ERROR" not in said["floor"], said["floor"]  # stderr: no level
    # the server's lines are postgres' (its name ends with it), at the severity it gave them
    assert "20 ERROR" in said["postgres"] and "could not serialize" in said["postgres"], said["postgres"]
    assert "checkpoint" not in said["postgres"], said["postgres"]  # LOG: routine


REFUSED = "amqp:unauthorized-access: InvalidSignature: The token has an invalid signature."


def _rotated(tmp_path: Path, ref: str, said: str = REFUSED) -> tuple[str, str]:
    """Service Bus' key is regenerated by `ref` six minutes before the alert; bookings' publishes fail right after,
    as `said` (refused for the signature of the key it presents): (root service/category, fix kind)."""
    at = AT - 5 * M
    root = write_bundle(
        tmp_path,
        services={"web": ["bookings"], "bookings": ["bus"], "notify": ["bus"], "bus": []},
        alert=alertmanager("ReservationEventsFailing", "bookings"),
        logs=[log(t, s, "info", "ok") for t in BASELINE for s in ("web", "bookings", "notify")]
        + [log(at + 10 * i * S, "bookings", "error", f"error publishing message to topic reservation-events: {said}")
           for i in range(40)]
        + [log(at + 3 * M + 30 * i * S, "notify", "warn", "No reservation events received for 5 minutes")
           for i in range(4)],
        metric_lines=series("error_ratio", "bookings", flat_then(T0, END, 0.003, at, 0.22))
        + series("request_rate", "notify", flat_then(T0, END, 6, at, 0.3)),
        changes=[{"ts": iso(AT - 6 * M), "service": "bus", "kind": "config",
                  "from": "RootManageSharedAccessKey.primaryKey=sha256:5d1e", "to":
                  "RootManageSharedAccessKey.primaryKey=sha256:a94c", "author": "automation", "ref": ref, "diff": ""}],
        signals=signals("error_ratio", "request_rate"),
    )  # fmt: skip
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}", d.actions[0].kind


def test_users_refused_a_credential_rotated_where_it_is_checked_read_it_again(tmp_path: Path) -> None:
    rotated = "Automation runbook Rotate-ServiceBusKeys (az servicebus namespace authorization-rule keys renew)"
    assert _rotated(tmp_path / "rotated", rotated) == ("bookings/expired_credential", "restart")
    # a key set by a change that says nothing of rotating it: nothing says the users hold one from before
    assert _rotated(tmp_path / "set", "terraform apply (PR #88)")[1] != "restart"
    # publishes failing for another reason right after a rotation: nothing says they hold the old key
    assert _rotated(tmp_path / "other", rotated, "amqp:resource-limit-exceeded: quota exceeded")[1] != "restart"
    # world 108's own case: bookings' sidecar refused, notify starved of events, the rotation first
    case = next(p for p in world108.generate(tmp_path / "w108", seed=3, per_fault=2) if "bus_key" in p.name)
    d = investigated(case).diagnosis
    assert (d.root_cause.service, d.root_cause.category, d.actions[0].kind) == (
        "bookings",
        "expired_credential",
        "restart",
    ), d.root_cause


def test_what_ran_a_change_can_say_it_rotated_a_credential() -> None:
    def change(ref: str, key: str = "RootManageSharedAccessKey.primaryKey") -> Change:
        return Change.model_validate({"ts": "2026-03-02T13:54:00Z", "service": "bus", "kind": "config",
                                      "from": f"{key}=a", "to": f"{key}=b", "ref": ref})  # fmt: skip

    assert rotation(change("runbook Rotate-ServiceBusKeys"))
    assert rotation(change("az servicebus namespace authorization-rule keys renew --key PrimaryKey"))
    assert not rotation(change("terraform apply (PR #88)"))
    assert not rotation(change("runbook Rotate-Logs", key="retention_days"))  # no credential set


def _read_only(tmp_path: Path, callers: tuple[str, ...]) -> tuple[str, str]:
    at = AT - 7 * M
    root = write_bundle(
        tmp_path,
        services={"bookings": ["postgres"], "floor": ["postgres"], "postgres": []},
        alert=alertmanager("ReservationsNotSaved", "bookings"),
        logs=[log(t, s, "info", "ok") for t in BASELINE for s in ("bookings", "floor", "postgres")]
        + [log(at + 10 * i * S, "postgres", "error", "cannot execute INSERT in a read-only transaction")
           for i in range(40)]
        + [log(at + M + 10 * i * S, s, "error", "SQLSTATE[25006]: Read only sql transaction: 7 ERROR:  cannot execute "
               "UPDATE in a read-only transaction") for s in callers for i in range(30)],
        metric_lines=series("error_ratio", "bookings", flat_then(T0, END, 0.003, at + M, 0.55))
        + series("error_ratio", "floor", flat_then(T0, END, 0.003, at + M, 0.25)),
        changes=[{"ts": iso(AT - 3 * 60 * M), "service": "floor", "kind": "deploy", "from": "image=1.0.4",
                  "to": "image=1.0.5", "author": "ci", "ref": "deploy-floor run 9069",
                  "diff": "--- a/main.bicep\n+++ b/main.bicep\n-  image: '1.0.4'\n+  image: '1.0.5'\n"}],
        signals=signals("error_ratio"),
    )  # fmt: skip
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}", d.actions[0].kind


def test_a_stores_own_read_only_refusals_say_what_its_callers_do(tmp_path: Path) -> None:
    assert _read_only(tmp_path / "both", ("bookings", "floor")) == ("postgres/resource_exhaustion", "scale")
