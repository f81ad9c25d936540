"""World 54's estate, written after world 53's rules and scored before any rule saw it.

A container terminal's operating platform on virtual machines run by systemd: a Rust gate API (tracing's
default format), a Kotlin berth planner (logback), a Go crane-telemetry consumer (slog's text handler) fed by
an EMQX MQTT broker the cranes publish to, Kafka in KRaft mode, a Python yard optimizer, a Java EDI gateway
exchanging EDIFACT with the shipping lines, CockroachDB (its own `E260514 09:41:12.123456 ...` header), and the
customs authority's pre-clearance API. Every unit writes to journald, and Vector ships it: the bundle is
Vector's **`native_json` encoding** of its events, one a line, each event under `log` (`message`, `timestamp`,
`host`, and journald's own fields: `_SYSTEMD_UNIT`, `PRIORITY` 6 for whatever a program writes to its
standard output, `SYSLOG_IDENTIFIER`). Metrics: Prometheus' node and process exporters and the apps' own,
keyed by `unit`, every 15 s."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: rust kotlin golang emqx kafka python java cockroach saas


def _signals() -> dict[str, str]:
    sel = 'unit="{service}",site="rtm-delta"'
    return {
        "request_rate": f"terminal_requests_per_second{{{sel}}}",
        "error_ratio": f"terminal_request_error_ratio{{{sel}}}",
        "latency_p99": f"terminal_request_seconds_p99{{{sel}}}",
        "cpu_utilization": f"process_cpu_ratio{{{sel}}}",
        "memory_utilization": f"process_memory_ratio_of_limit{{{sel}}}",
        "restarts": f"systemd_unit_restarts_increase15m{{{sel}}}",
        "disk_utilization": f'node_filesystem_used_ratio{{{sel},mountpoint="/var/lib"}}',
    }


DELTA = Estate(
    label="unit",
    name="rtm-delta",
    namespace="terminal",
    shipper="vector-native-json",
    signals=_signals(),
    nodes=(
        Node("gate-api", "rust", ("cockroach", "customs-api", "kafka"), 60),
        Node("berth-planner", "kotlin", ("cockroach", "kafka"), 20),
        Node("crane-telemetry", "golang", ("emqx", "kafka", "cockroach"), 240),
        Node("emqx", "emqx", (), 260),
        Node("kafka", "kafka", (), 900),
        Node("yard-optimizer", "python", ("cockroach", "kafka"), 5),
        Node("edi-gateway", "java", ("cockroach", "shipping-lines"), 12),
        Node("cockroach", "cockroach", (), 700),
        Node("customs-api", "saas", (), 60),
        Node("shipping-lines", "saas", (), 12),
    ),
)

ESTATES = {DELTA.name: DELTA}

BACKGROUND = {
    "rust": [" INFO gate_api::transactions: truck visit completed visit=TV-88121 lane=7 seconds=212"],
    "kotlin": ["INFO  [planner-1] n.r.berth.Planner - plan v{n} published for MAERSK-KOWLOON window 06:00-18:00"],
    "golang": ['level=INFO msg="crane moves applied" crane=QC-07 moves=41 lag_ms=180'],
    "emqx": ["[info] clientid: qc07-plc, msg: client_connected, peername: 10.40.7.21:50212"],
    "kafka": ["INFO [LocalLog partition=crane-moves-3, dir=/var/lib/kafka] Rolled new log segment at offset "
              "88121203 in 3 ms. (kafka.log.LocalLog)"],
    "python": ["INFO:yard.optimizer:re-marshalling plan computed for block B4 (moves=212, cost=1.8e4)"],
    "java": ["INFO  [as2-2] n.r.edi.BaplieHandler - BAPLIE for voyage 412E from CMA CGM parsed: 2118 containers"],
    "cockroach": ["I{crdb} 2211 server/status/runtime.go:514 ⋮ [n1] runtime stats: 6.2 GiB RSS, 812 goroutines"],
}  # fmt: skip
NOISE = {
    "rust": " WARN gate_api::ocr: plate read confidence low plate=NL-88-XK lane=3 confidence=0.61",
    "golang": 'level=WARN msg="late crane message" crane=QC-03 delay_ms=2812',
    "java": "WARN  [as2-1] n.r.edi.As2Client - MDN for message 771203 arrived after 45 s",
}  # fmt: skip
UNITS = {
    "rust": "gate-api",
    "kotlin": "berth-planner",
    "golang": "crane-telemetry",
    "emqx": "emqx",
    "kafka": "kafka",
    "python": "yard-optimizer",
    "java": "edi-gateway",
    "cockroach": "cockroach",
}


def _line(tech: str, at: datetime, text: str) -> str:
    """The line as the program writes it to its standard output."""
    ms = at.microsecond // 1000
    iso = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z"
    if tech == "rust":  # tracing-subscriber's default format
        return f"{iso} {text.lstrip()}"
    if tech in ("kotlin", "java"):
        return f"{at:%Y-%m-%d %H:%M:%S}.{ms:03d} {text}"
    if tech == "golang":  # slog's TextHandler
        return f"time={at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z {text}"
    if tech == "emqx":
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}+00:00 {text}"
    if tech == "kafka":
        return f"[{at:%Y-%m-%d %H:%M:%S},{ms:03d}] {text}"
    if tech == "cockroach":
        return text.replace("{crdb}", f"{at:%y%m%d %H:%M:%S}.{at.microsecond:06d}")
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One event as Vector's native_json codec writes it: the journald source's event under `log`."""
    tech = estate.node(service).tech
    unit = UNITS.get(tech, service)
    host = f"{service}-{pod.rsplit('-', 1)[-1]}"
    text = text.replace("{n}", str(int(at.timestamp()) % 997))
    event = {
        "message": _line(tech, at, text),
        "timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z",
        "host": host,
        "source_type": "journald",
        "_SYSTEMD_UNIT": f"{unit}.service",
        "SYSLOG_IDENTIFIER": unit,
        "PRIORITY": "6",
        "_PID": str(2000 + sum(map(ord, pod)) % 900),
        "_BOOT_ID": "8f1c2e7d4b6a4c0e9d3f1a2b5c6d7e8f",
    }
    if text.startswith("systemd:"):  # the service manager's own lines about the unit
        event["message"] = text.removeprefix("systemd:").strip()
        event["SYSLOG_IDENTIFIER"], event["PRIORITY"] = "systemd", "3" if level == "error" else "6"
        event["UNIT"], event["_SYSTEMD_UNIT"] = f"{unit}.service", "init.scope"
    return {"log": event}
