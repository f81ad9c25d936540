"""World 77: written after world 76's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 77 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world77.estates import BACKGROUND, ESTATES, NOISE, record
from oncall.eval.world77.faults import FAULTS, change
from oncall.eval.worlds import Fault

# what Windows PowerShell 5.1's ConvertTo-Json (JavaScriptSerializer) escapes inside strings
_ESCAPED = {"'": "\\u0027", "<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def _ps_json(event: dict[str, Any]) -> str:
    text = json.dumps(event, separators=(",", ":"))
    for ch, esc in _ESCAPED.items():
        text = text.replace(ch, esc)
    return text.replace('"/Date(', '"\\/Date(').replace(')/"', ')\\/"')


@dataclass(frozen=True)
class WinEventExport(Style):
    """Get-WinEvent, server by server, each server's events newest first, written by Out-File -Encoding utf8."""

    def logs(self, e: Any, f: Fault, t: datetime, rng: random.Random) -> list[dict[str, Any]]:
        events = sorted(super().logs(e, f, t, rng), key=lambda r: r["MachineName"])
        out: list[dict[str, Any]] = []
        for _, group in groupby(events, key=lambda r: r["MachineName"]):
            out += sorted(group, key=lambda r: int(r["TimeCreated"][6:-2]), reverse=True)
        return out

    def write(self, out: Path, e: Any, f: Fault, t: datetime, rng: random.Random) -> None:
        super().write(out, e, f, t, rng)
        path = out / "logs.jsonl"
        events = [json.loads(line) for line in path.read_text().splitlines() if line]
        # a byte-order mark, then CRLF line ends: Windows PowerShell 5.1's UTF-8
        path.write_bytes(b"\xef\xbb\xbf" + "".join(_ps_json(ev) + "\r\n" for ev in events).encode())


# what serves requests (its request metrics are the request signals)
SERVED = ("aspnet", "wcf", "adfs")
STYLE = WinEventExport(
    world=77,
    prefix="w77",
    mix=(770_521, 7_717, 773),
    start=datetime(2027, 6, 1, tzinfo=UTC),
    latency_s={"aspnet": 0.12, "worker": 0.5, "wcf": 0.4, "adfs": 0.08, "mssql": 0.004},
    normal={
        "error_ratio": 0.002,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.55,
    },
    untraced=("saas", "mssql", "wcf", "adfs"),
    # the Netherlands (UTC+2 in summer): office hours, claims filed in the morning
    curve=Curve(0.5, 360, 1440, floor=False, latency_swing=0.1),
    disk_techs=(),
    step_s=lambda sig: 60,
    jitter=0.05,
    pod_parts=(("a", "b"), ("1", "2")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("aspnet", "worker", "wcf"), (25, 230), "version", "6.{i}.0", "6.{i}.1", "azure-devops"),
    history_ids=("INC", 40100, 40900),
    repo="schade/claims-platform",
    config_path="deploy/{name}/appsettings.Production.json",
    repo_file=("appsettings.Production.json", '{ "Version": "6.0.0" }\n'),
    labels=lambda e, f: {
        "alertname": f.alertname,
        e.label: f.alert_service,
        "env": "prod",
        "severity": "warning" if f.category == "no_incident" else "critical",
    },
    receiver="teams-schade-oncall",
    external_url="https://alertmanager.schade.nl",
    platform="vm",
    only={"request_rate": SERVED, "error_ratio": SERVED, "latency_p99": SERVED},
)  # fmt: skip


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
