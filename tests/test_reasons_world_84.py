"""What world 84's first contact taught (a Montréal bike-share on Nomad, its logs the team's own ClickHouse table
filled by Vector, each program's line as written beside the allocation's names; written after world 83's rules and
scored before any rule saw it): 0.833 on each of seeds 1-4, one wrong HIGH. Read right from the first: the
allocation's task as the service, levels only in each program's text, Traefik's JSON access lines. Its reason: a
caller refused permission right after the service it calls changed who may call it is refused by that change."""

from __future__ import annotations

from pathlib import Path

from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    log,
    quiet_logs,
    series,
    setting_change,
    signals,
    verdict,
    write_bundle,
)


def _refused(tmp_path: Path, name: str, key: str = "consul_config_entry.pricing_intentions",
             values: tuple[str, str] = ("default allow", "default deny (allow: payments)"),
             said: str = '403 Forbidden: "RBAC: access denied"', before: int = 2, own_deploy: int = 22) -> str:  # fmt: skip
    """api, which calls pricing, begins failing `said` two minutes after pricing's setting `key` went from allow to
    deny (`before` minutes); api's own routine release landed `own_deploy` minutes before pricing's change."""
    at = ALERT_AT - 8 * M
    root = write_bundle(
        tmp_path / name,
        services={"edge": ["api"], "api": ["pricing", "db"], "pricing": ["cache"], "db": [], "cache": []},
        alert=alertmanager("ApiErrors", "api"),
        logs=quiet_logs("edge", "api", "pricing", "db")
        + [log(at + i * 10 * S, "api", "error", f"QuoteClient - quote failed for station 4{i % 9}: {said}")
           for i in range(40)],
        metric_lines=series("error_ratio", "api", flat_then(T0, END, 0.003, at, 0.4))
        + series("error_ratio", "pricing", flat_then(T0, END, 0.002))
        + series("request_rate", "pricing", flat_then(T0, END, 25.0))
        + series("cpu_utilization", "db", flat_then(T0, END, 0.3)),
        changes=[
            setting_change(at - before * M, "pricing", key, *values),
            setting_change(at - (before + own_deploy) * M, "api", "image", "2.0.0", "2.0.1", kind="deploy"),
        ],
        signals=signals("error_ratio", "request_rate", "cpu_utilization"),
    )  # fmt: skip
    return verdict(root)


def test_a_caller_refused_right_after_its_callee_changed_who_may_call_it_is_refused_by_that_change(
    tmp_path: Path,
) -> None:
    # (only timing and the kind of failure tie them: likely, never HIGH)
    assert _refused(tmp_path, "intentions") == "pricing/recent_change"
    # a change to something else than who may call it: the caller's refusal is not its doing
    assert _refused(tmp_path, "other", key="pool.max_connections", values=("100", "20")) != "pricing/recent_change"
    # refused for something else than permission: not the new rules
    assert _refused(tmp_path, "timeout", said="Read timed out after 5000 ms") != "pricing/recent_change"
    # the rules changed an hour before the refusals began: not what refused them
    assert _refused(tmp_path, "earlier", before=60) != "pricing/recent_change"
