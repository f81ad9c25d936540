"""The first thing an engineer is told to do follows from the cause: a restart only where it clears
the state that broke (leaked memory), never where it would throw away what a store holds."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oncall.core.diagnosis import Diagnosis
from tests.bundles import ALERT_AT, END, T0, M, alertmanager, flat_then, investigated, log, series, write_bundle

SIGNALS = {
    "request_rate": 'requests{service="{service}"}',
    "error_ratio": 'error_ratio{service="{service}"}',
    "memory_utilization": 'memory_ratio{service="{service}"}',
}


def diagnose(tmp_path: Path, store_says: str) -> Diagnosis:
    """cart's calls to its store fail since the store's memory reached its limit; load is steady."""
    at = ALERT_AT - 10 * M
    root = write_bundle(
        tmp_path / "b",
        services={"cart": ["store"], "store": []},
        alert=alertmanager("HighErrorRate", "cart"),
        logs=[log(ALERT_AT - timedelta(hours=2) + i * 5 * M, s, "info", "ok") for i in range(20) for s in ("cart", "store")]
        + [log(at + i * 10 * timedelta(seconds=1), "store", "error", store_says) for i in range(40)]
        + [log(at + i * 10 * timedelta(seconds=1), "cart", "error", "failed to save cart: store write refused") for i in range(40)],
        metric_lines=series("requests", "cart", flat_then(T0, END, 100.0))
        + series("error_ratio", "cart", flat_then(T0, END, 0.001, at, 0.3))
        + series("requests", "store", flat_then(T0, END, 300.0))
        + series("memory_ratio", "store", flat_then(T0, END, 0.7, at - 20 * M, 0.99)),
        signals=SIGNALS,
    )  # fmt: skip
    return investigated(root).diagnosis


@pytest.mark.parametrize(
    "store_says",
    [
        "OOM command not allowed when used memory > 'maxmemory'.",  # Redis, Valkey
        "memory resource limit alarm set on node rabbit@store-0. Publishers will be blocked",  # RabbitMQ
        "vm_memory_high_watermark set. Memory used:1642864640 allowed:1639030784",  # RabbitMQ
    ],
)
def test_a_store_full_at_its_memory_limit_is_given_memory_not_restarted(tmp_path, store_says):
    d = diagnose(tmp_path, store_says)
    assert (d.root_cause.service, d.root_cause.category) == ("store", "resource_exhaustion")
    assert "restart" not in [a.kind for a in d.actions]
    assert d.actions[0].kind == "scale" and "more memory" in d.actions[0].description


def test_a_process_that_runs_out_of_memory_under_steady_load_is_restarted_to_reclaim_it(tmp_path):
    d = diagnose(tmp_path, "java.lang.OutOfMemoryError: Java heap space")
    assert (d.root_cause.service, d.root_cause.category) == ("store", "resource_exhaustion")
    assert d.actions[0].kind == "restart" and d.actions[0].target == "store"


def test_a_process_out_of_file_descriptors_is_told_to_raise_its_limit(tmp_path):
    d = diagnose(tmp_path, "accept4() failed (24: Too many open files)")
    assert any(a.kind == "config_change" and "open-file limit" in a.description for a in d.actions)
