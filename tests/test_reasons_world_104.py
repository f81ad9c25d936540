"""What world 104's first contact taught (a Cork veterinary-clinic SaaS on AWS, its logs CloudWatch Logs subscription
payloads as a Lambda archives them, one a line; written after world 103's rules and scored before any rule saw it):
0.286 on each of seeds 1-4, no wrong HIGH. No line was read: each line is a batch of a log stream's events. Read, a
rotated database password that WildFly still presented was blamed as a change to undo, at HIGH. Its lessons:

- a line that holds a list of events, each with its own time, is that many lines, each under the line's own fields
  (the log group and stream the batch is of);
- a collector's record of a line written as an event's text (Fluent Bit's: the line in `log` beside its pod) is read
  as that line however few of the file's lines hold one (the cluster's group among a database's and functions');
- what is made for an estate is named after it (a Lambda function `vetcloud-reminders`, an RDS instance and its
  log stream `vetcloud-db`): that is the service of that name in the estate's namespace;
- a credential setting moved by a change whose record says it rotated it (RotateSecret) is a rotation: a service
  failing to authenticate since holds the old one, and reading it again is the fix;
- a full scratch space (a function's /tmp, a pod's ephemeral storage) is emptied by a new instance: a restart first."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from oncall.analysts.offline.findings import rotation
from oncall.analysts.offline.patterns import SCRATCH
from oncall.core.catalog import Catalog
from oncall.tools.read_changes import Change
from oncall.tools.read_logs.envelopes import batched, envelope, events
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
    read_logs_of,
    series,
    signals,
    write_bundle,
)

BASELINE = [AT - 6 * 60 * M + 5 * i * M for i in range(72)]


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def _payload(group: str, stream: str, events: list[tuple[datetime, str]]) -> dict:
    """A subscription's payload, decoded: a stream's events in a batch."""
    return {
        "messageType": "DATA_MESSAGE",
        "owner": "123456789012",
        "logGroup": group,
        "logStream": stream,
        "subscriptionFilters": ["archive"],
        "logEvents": [{"id": str(_ms(t)), "timestamp": _ms(t), "message": m} for t, m in events],
    }


def _pod(line: str, pod: str, container: str) -> str:
    """Fluent Bit's record of a container's line (Container Insights' configuration), as the event's text."""
    meta = {"pod_name": pod, "namespace_name": "prod", "container_name": container, "host": "ip-10-0-1-2"}
    return json.dumps({"log": line, "stream": "stdout", "kubernetes": meta})


def test_a_line_holding_a_batch_of_events_is_that_many_lines_under_its_group(tmp_path: Path) -> None:
    at = AT - 8 * M
    records = [
        _payload(
            "/aws/rds/instance/prod-db/postgresql", "prod-db", [(t, "LOG:  checkpoint complete") for t in BASELINE]
        )
    ]
    # the pods' group among the database's: their records are read as their lines, however few they are
    for t in BASELINE[::8]:
        records.append(_payload("/aws/containerinsights/prod/application", "ip-10-0-1-2-application.api-7d.log",
                                [(t, _pod("GET /v1/orders 200", "api-7d9f-x1", "api"))]))  # fmt: skip
    records.append(
        _payload(
            "/aws/containerinsights/prod/application",
            "ip-10-0-1-2-application.api-7d.log",
            [(at + 10 * i * S, _pod("query failed: remaining connection slots are reserved", "api-7d9f-x1", "api"))
             for i in range(30)],
        )
    )  # fmt: skip
    # and a line that is an event of its own, among the batches
    records.append({"ts": iso(at), "service": "db", "level": "warn", "message": "autovacuum: table bloat"})
    said = read_logs_of(tmp_path, records)
    assert "30 ERROR" in said["api"] and "remaining connection slots" in said["api"], said["api"]
    assert "logs.jsonl:11 " in said["api"], said["api"]  # cited by the line its batch is on
    assert '"kubernetes"' not in said["api"], said["api"]  # the line, not the record around it
    # the database's: its stream is the instance, named after the estate (its group ends with the kind of log)
    assert "0 lines in window (none); 0 lines in baseline" not in said["db"], said["db"]
    assert "(6 INFO, 1 WARN); 66 lines in baseline" in said["db"], said["db"]


def test_a_batchs_events_are_sampled_under_their_lines_fields() -> None:
    """What the sample finds in the events (who wrote them: the group and stream) is what the read reads."""
    said = [
        {"timestamp": 1767225600000, "message": "a"},
        {"timestamp": 1767225601000, "message": "b", "logStream": "2"},
    ]
    line = {"logGroup": "/ecs/api", "logStream": "api/1", "logEvents": said}
    assert envelope([line, line]) == "logEvents" and batched([line], "logEvents")
    assert events([line], "logEvents") == [  # (an event's own field first)
        {"logGroup": "/ecs/api", "logStream": "api/1", "timestamp": 1767225600000, "message": "a"},
        {"logGroup": "/ecs/api", "logStream": "2", "timestamp": 1767225601000, "message": "b"},
    ]
    # a list of what are not events (no time of their own) is no batch; a line's own object is no batch either
    assert envelope([{"tags": [{"k": "v"}], "id": 1}] * 2) is None
    # nor is the list of a line that has a time of its own: its parts (a Worker's console calls, each timed)
    calls = {"EventTimestampMs": 1767225600000, "Logs": said}
    assert envelope([calls, calls]) is None
    assert not batched([{"_source": {"@timestamp": "2026-03-02T14:00:00Z"}}], "_source")


def test_an_estates_resource_named_after_it_is_its_service() -> None:
    catalog = Catalog.model_validate(
        {"services": {"reminders": {"namespace": "vetcloud"}, "db": {"namespace": "vetcloud"}, "web": {}}}
    )
    assert catalog.named("vetcloud-reminders") == "reminders" and catalog.under("db") == "vetcloud-db"
    # not in the default namespace, nor where the longer name is a service of its own
    assert catalog.named("default-web") is None and catalog.under("web") is None
    taken = Catalog.model_validate({"services": {"db": {"namespace": "shop"}, "shop-db": {"namespace": "shop"}}})
    assert taken.named("shop-db") == "shop-db" and taken.under("db") is None


def _rotated(tmp_path: Path, diff: str, setting: str = "secret_version") -> tuple[str, str]:
    """records fails to authenticate to db from eight minutes before the alert, four minutes after a change to its
    `setting` whose record says `diff`: its verdict (service/category) and first action's kind."""
    at = AT - 8 * M
    auth = 'PSQLException: FATAL: password authentication failed for user "records"'

    def log(t: datetime, service: str, level: str, message: str) -> dict:
        return {"ts": iso(t), "service": service, "level": level, "message": message}

    root = write_bundle(
        tmp_path,
        services={"api": ["records"], "records": ["db"], "db": []},
        alert=alertmanager("RecordsErrors", "records"),
        logs=[log(t, s, "info", "ok") for t in BASELINE for s in ("api", "records", "db")]
        + [log(at + 10 * i * S, "records", "error", f"IJ031084: Unable to create connection: {auth}")
           for i in range(45)],
        metric_lines=series("error_ratio", "records", flat_then(T0, END, 0.002, at, 0.7))
        + series("error_ratio", "api", flat_then(T0, END, 0.002, at + M, 0.15)),
        changes=[{"ts": iso(at - 4 * M), "service": "records", "kind": "config", "from": f"{setting}=3f1c",
                  "to": f"{setting}=9a0e", "author": "secretsmanager", "ref": "r-1", "diff": diff}],
        signals=signals("error_ratio"),
    )  # fmt: skip
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}", d.actions[0].kind


def test_a_credential_the_change_says_it_rotated_is_read_again(tmp_path: Path) -> None:
    rotated = "secretsmanager RotateSecret prod/rds/records: setSecret, finishSecret: AWSCURRENT moved"
    assert _rotated(tmp_path / "rotated", rotated) == ("records/expired_credential", "restart")
    # the same setting moved with no word of a rotation, or a setting that names no credential said to rotate
    assert _rotated(tmp_path / "set", "terraform apply: secret version pinned")[0] == "records/recent_change"
    assert _rotated(tmp_path / "logs", "logrotate: rotated", setting="log_level")[0] == "records/recent_change"


def _scratch_full(tmp_path: Path, said: str, watched: bool = False) -> list[tuple[str, str]]:
    """imaging's renders fail, saying `said`, from eight minutes before the alert (its volume watched, filling over
    the six hours before, or not watched): its actions' kinds and descriptions, in order."""
    at = AT - 8 * M

    def log(t: datetime, service: str, level: str, message: str) -> dict:
        return {"ts": iso(t), "service": service, "level": level, "message": message}

    root = write_bundle(
        tmp_path,
        services={"api": ["imaging"], "imaging": []},
        alert=alertmanager("PreviewErrors", "api"),
        logs=[log(t, s, "info", "ok") for t in BASELINE for s in ("api", "imaging")]
        + [log(at + 10 * i * S, "imaging", "error", said) for i in range(45)],
        metric_lines=series("error_ratio", "imaging", flat_then(T0, END, 0.002, at, 0.75))
        + series("error_ratio", "api", flat_then(T0, END, 0.002, at + M, 0.05))
        + (series("disk_utilization", "imaging", [(T0 + 10 * i * M, min(0.99, 0.4 + 0.0165 * i)) for i in range(40)])
           if watched else []),
        signals=signals("error_ratio", "disk_utilization"),
    )  # fmt: skip
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("imaging", "resource_exhaustion")
    return [(a.kind, a.description) for a in d.actions]


def test_a_full_scratch_space_is_emptied_by_a_restart(tmp_path: Path) -> None:
    def full(path: str) -> str:
        return f"OSError: [Errno 28] No space left on device: '{path}/p-1.png'"

    assert _scratch_full(tmp_path / "tmp", full("/tmp"))[0][0] == "restart"
    assert _scratch_full(tmp_path / "shm", full("/dev/shm"))[0][0] == "restart"
    # its volume watched and filled over hours: the volume's rules say what to do (grow it), not a restart
    assert _scratch_full(tmp_path / "watched", full("/tmp"), watched=True)[0][0] != "restart"
    # a store's data directory full is what it keeps: a restart frees none of it
    assert "restart" not in [k for k, _ in _scratch_full(tmp_path / "data", full("/var/lib/imaging/data"))]
    # out of something else, with a path in /tmp in its words (PostgreSQL's socket): no scratch space filled
    pool = "pool exhausted: could not connect to server on socket /tmp/.s.PGSQL.5432: too many clients"
    assert not any("scratch" in d for _, d in _scratch_full(tmp_path / "pool", pool))


def test_what_a_rotation_and_scratch_space_are_in_words() -> None:
    def change(to: str, diff: str) -> Change:
        return Change.model_validate({"ts": AT, "service": "records", "kind": "config", "from": "secret_version=3f1c",
                                      "to": to, "author": "ops", "diff": diff})  # fmt: skip

    assert rotation(change("secret_version=9a0e", "RotateSecret: AWSCURRENT moved"))
    assert rotation(change("secret_version=9a0e", "the password was rotated"))
    # a secret taken away by the run is no rotation: a change to undo
    assert not rotation(change("secret_version=deleted", "RotateSecret failed; the secret was deleted"))
    assert not rotation(change("secret_version=9a0e", "rotational speed: 7200"))
    for said in ("/tmp/preview-1.png", "/var/tmp/x", "/dev/shm/cache", "ephemeral-storage", "an emptyDir volume"):
        assert SCRATCH.search(said), said
    for said in ("/var/lib/mysql/tmp/x", "/data/pgsql_tmp/f", "/srv/tmpfiles"):
        assert not SCRATCH.search(said), said
