"""What world 59's first contact taught (a Dutch ticket marketplace on AKS, its logs the Datadog Logs API's search
results; written after world 58's rules and scored before any rule saw it): 14 of 14 right on seeds 1-4, no wrong
HIGH, but read wrongly: a .NET service's errors counted at info (Datadog files a JSON line without a `level` key at
its stream's status, and the level is in `"LogLevel"`), a Python service's every line counted an error (its
standard error), each line's pod the node it ran on (the pod is only in the tags list); and a service out of local
ports told to escalate. Its reasons: a `LogLevel` key states a level; a service filed by its stream keeps its
lines' own levels; a pod tag outranks a host; a service out of local ports reuses its connections."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from oncall.tools.read_logs.hosts import pod_tags
from tests.bundles import ALERT_AT, END, T0, M, S, alertmanager, flat_then, investigated, log, series, write_bundle


def _event(t: datetime, service: str, message: str, status: str = "info", pod: str = "") -> dict[str, Any]:
    """One event of Datadog's Logs API: the host is the node, the pod only in the tags."""
    pod = pod or f"{service}-5d8f7c9b6-x2k4q"
    return {"id": "AQAAAZ", "type": "log", "attributes": {
        "attributes": {}, "host": "aks-nodepool1-38210934-vmss000001", "message": message, "service": service,
        "status": status, "tags": ["env:prod", f"service:{service}", f"pod_name:{pod}", "kube_namespace:shop"],
        "timestamp": f"{t:%Y-%m-%dT%H:%M:%S}.000Z"}}  # fmt: skip


def _dotnet(level: str, message: str) -> str:
    return json.dumps({"EventId": 0, "LogLevel": level, "Category": "Shop.Api", "Message": message})


def _read(tmp_path: Path, api: list[dict[str, Any]]) -> str:
    steady = [_event(T0 + i * 5 * M, "db", "steady") for i in range(20)]  # (api's own are each test's)
    rows = sorted(steady + api, key=lambda r: r["attributes"]["timestamp"])
    root = write_bundle(tmp_path / "b", services={"api": ["db"], "db": []}, alert=alertmanager("HighErrorRate", "api"),
                        logs=rows, metric_lines=[])  # fmt: skip
    return next(
        r.text or "" for r in investigated(root).results if r.tool == "read_logs" and r.input["service"] == "api"
    )


def test_a_level_written_as_loglevel_in_the_line_is_the_lines_level(tmp_path: Path) -> None:
    at = ALERT_AT - 5 * M
    api = [_event(T0 + i * 5 * M, "api", _dotnet("Information", "steady")) for i in range(20)]
    api += [_event(at + i * 10 * S, "api", _dotnet("Error", "Payment failed: upstream refused")) for i in range(12)]
    api += [_event(at + i * 10 * S, "api", _dotnet("Information", "Order paid")) for i in range(6)]
    read = _read(tmp_path, api)
    assert "(12 ERROR, 6 INFO)" in read, read


def _stderr(tmp_path: Path, lowered: str = "INFO:") -> str:
    """api writes everything to standard error, so every line is filed at error: a request line every six
    minutes saying `lowered` itself, and from the window's middle a new error and a traceback's last line,
    which states no level of its own."""
    at = ALERT_AT - 5 * M
    api = [_event(T0 + i * M, "api", f'{lowered}     10.0.0.1:0 - "GET /v1/items HTTP/1.1" 200 OK', "error")
           for i in range(0, 360, 6)]  # fmt: skip
    api += [_event(at + i * 10 * S, "api", "2026-06-03 07:41:12,123 ERROR api.db: token refused", "error")
            for i in range(12)]  # fmt: skip
    api += [_event(at + i * 10 * S + S, "api", "psycopg.OperationalError: the server closed the connection", "error")
            for i in range(12)]  # fmt: skip
    return _read(tmp_path / f"s{lowered[:2]}", api)


def _window_levels(read: str) -> str:
    return read.split("lines in window")[1].split(";")[0]


def test_a_service_whose_every_line_is_filed_at_error_by_its_stream_keeps_its_lines_own_levels(tmp_path: Path) -> None:
    read = _stderr(tmp_path)
    # the ordinary requests are info, as they say; the error and the line that says nothing stay errors
    assert "(24 ERROR, " in _window_levels(read) and "INFO" in _window_levels(read), read
    assert "200 OK" not in read.split("other templates")[0], read  # an ordinary request is no error template
    # lines that state no level of their own do not show the level was the stream's
    said_nothing = _stderr(tmp_path, lowered="")
    assert "ERROR" in _window_levels(said_nothing) and "INFO" not in _window_levels(said_nothing), said_nothing


def test_a_service_with_levels_of_its_own_is_not_filed_by_its_stream(tmp_path: Path) -> None:
    """Lines filed at info beside the errors: the field is a level, and an error filed so stays one whatever
    its text begins with."""
    at = ALERT_AT - 5 * M
    api = [_event(T0 + i * 5 * M, "api", "GET /v1/items 200", "info") for i in range(20)]
    api += [_event(at + i * 5 * S, "api", "INFO: retry budget spent, giving up on the order", "error")
            for i in range(30)]  # fmt: skip
    read = _read(tmp_path, api)
    assert "(30 ERROR" in read, read


def test_a_pod_named_in_a_list_of_tags_outranks_the_host_it_ran_on(tmp_path: Path) -> None:
    at = ALERT_AT - 5 * M
    api = [_event(T0 + i * 5 * M, "api", "steady") for i in range(20)]
    api += [_event(at + i * 10 * S, "api", "ERROR refused", "error", pod=f"api-5d8f7c9b6-p{i % 3}") for i in range(12)]
    read = _read(tmp_path, api)
    assert "3 pod(s)" in read and "api-5d8f7c9b6-p0" in read and "vmss000001:" not in read, read
    tagged = {"tags": ["env:prod", "pod_name:api-1"], "host": "node-1"}
    assert pod_tags([tagged]) == "tags"
    assert pod_tags([{"tags": ["env:prod", "team:pay"], "host": "node-1"}]) is None  # no pod among them
    assert pod_tags([{"tags": [{"pod_name": "api-1"}]}]) is None  # a list of objects is no tag list


def test_a_service_out_of_local_ports_is_told_to_reuse_its_connections(tmp_path: Path) -> None:
    """api's calls to a provider fail at connect with EADDRNOTAVAIL as its traffic rises; nothing changed."""
    at = ALERT_AT - 10 * M
    root = write_bundle(
        tmp_path / "p",
        services={"api": ["psp"], "psp": []},
        alert=alertmanager("HighErrorRate", "api"),
        logs=[log(T0 + i * 5 * M, "api", "info", "ok") for i in range(20)]
        + [log(at + i * 10 * S, "api", "error", "payment failed: connect psp:443: cannot assign requested address")
           for i in range(40)],
        metric_lines=series("requests", "api", flat_then(T0, END, 100.0, at - 5 * M, 220.0))
        + series("error_ratio", "api", flat_then(T0, END, 0.001, at, 0.4)),
        signals={"request_rate": 'requests{service="{service}"}', "error_ratio": 'error_ratio{service="{service}"}'},
    )  # fmt: skip
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("api", "resource_exhaustion")
    assert d.actions[0].kind == "config_change" and "reuse" in d.actions[0].description, d.actions
