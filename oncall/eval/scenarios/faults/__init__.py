"""Fault families: each picks where the fault is, what it does to metrics and
logs, which change (if any) caused it, which alert fires, and the truth."""

from __future__ import annotations

from collections.abc import Callable

from oncall.eval.scenarios.faults.access import dns_failure, expired_cert, expired_secret, missing_permission
from oncall.eval.scenarios.faults.base import AUTHORS, Ctx, Effect, Plan, deploy
from oncall.eval.scenarios.faults.changes import bad_config, bad_deploy
from oncall.eval.scenarios.faults.dependencies import db_contention, deep_dependency, rate_limited, retry_storm
from oncall.eval.scenarios.faults.load import noisy_alert, traffic_surge
from oncall.eval.scenarios.faults.resources import cpu_saturation, disk_full, memory_leak, pool_exhaustion

FAMILIES: dict[str, Callable[[Ctx], Plan]] = {
    f.__name__: f
    for f in (
        bad_deploy,
        bad_config,
        pool_exhaustion,
        memory_leak,
        cpu_saturation,
        deep_dependency,
        expired_cert,
        expired_secret,
        missing_permission,
        dns_failure,
        disk_full,
        rate_limited,
        db_contention,
        retry_storm,
        traffic_surge,
        noisy_alert,
    )
}

__all__ = ["AUTHORS", "FAMILIES", "Ctx", "Effect", "Plan", "deploy"]
