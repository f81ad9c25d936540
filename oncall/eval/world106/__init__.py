"""World 106: written after world 105's rules and scored before any rule saw it (estates.py, faults.py).
`oncall scenarios generate OUT --world 106 --seed N` writes it; deterministic per seed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oncall.eval.styled import Curve, Routine, Style
from oncall.eval.world106.estates import BACKGROUND, ESTATES, NOISE, batch, record
from oncall.eval.world106.faults import FAULTS, change

RELEASE = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nspec:\n  values:\n    image:\n      tag: 4.11.3\n"
SERVED = ("openresty", "pekko", "hydra", "uwsgi", "dramatiq", "typesense")

STYLE = Style(
    world=106,
    prefix="w106",
    mix=(1_060_106, 10_606, 1_066),
    start=datetime(2029, 9, 3, tzinfo=UTC),
    latency_s={
        "openresty": 0.18,
        "pekko": 0.06,
        "hydra": 0.02,
        "uwsgi": 0.12,
        "dramatiq": 30.0,
        "typesense": 0.015,
        "couchdb": 0.008,
        "rgw": 0.03,
    },
    normal={
        "error_ratio": 0.003,
        "cpu_utilization": 0.3,
        "memory_utilization": 0.5,
        "disk_utilization": 0.6,
        "pool_utilization": 0.3,
        "restarts": 0.0,
    },
    untraced=("openresty", "pekko", "hydra", "uwsgi", "dramatiq", "typesense", "couchdb", "rgw", "saas"),
    # school days in Montréal (UTC-4 in the autumn): 08:00-22:00 EDT is 12:00-02:00 UTC
    curve=Curve(0.9, 720, 1680, floor=True, latency_swing=0.12),
    disk_techs=("couchdb", "rgw", "typesense"),
    step_s=lambda sig: 30,
    jitter=0.05,
    pod_parts=(("a", "b", "c"), ("1", "2")),
    background=BACKGROUND,
    noise=NOISE,
    record=record,
    change=change,
    routine=Routine(("openresty", "pekko", "uwsgi", "dramatiq"), (45, 260), "tag", "4.{i}.0", "4.{i}.1", "flux"),
    history_ids=("ERB", 100, 799),
    repo="{estate}/flux",
    config_path="apps/{name}/release.yaml",
    repo_file=("release.yaml", RELEASE),
    labels=lambda e, f: {
        "alertname": f.alertname,
        "job": f"erable/{f.alert_service}",
        "namespace": "erable",
        "severity": "page",
    },
    receiver="erable-garde",
    external_url="https://alertmanager.{estate}.ca",
    compact=True,
    only={
        "pool_utilization": ("dramatiq", "uwsgi"),
        "request_rate": (*SERVED, "couchdb", "rgw"),
        "error_ratio": (*SERVED, "rgw"),
        "latency_p99": (*SERVED, "couchdb", "rgw"),
    },
    batch=batch,
)


def generate(out: Path, seed: int, per_fault: int = 1) -> list[Path]:
    return STYLE.generate(out, seed, per_fault, FAULTS, list(ESTATES.values()))
