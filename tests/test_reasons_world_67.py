"""What world 67's first contact taught (a South African prepaid-electricity vending platform on RKE2, its logs
Fluent Bit's records read back from Kafka with kcat; written after world 66's rules and scored before any rule saw
it): 10 of 14 right on each of seeds 1-4, two wrong at HIGH on each. Its reasons: a caller scaled out just before
its own calls are refused at a provider's session limit took those sessions itself; and a store that filled
steadily from a user's release, drawn back along its climb, was filled by that release however long it took."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from oncall.analysts.offline.patterns import SERVER_LIMIT
from oncall.tools.read_metrics import climb_began
from tests.bundles import (
    ALERT_AT,
    END,
    T0,
    M,
    alertmanager,
    flat_then,
    investigated,
    log,
    quiet_logs,
    series,
    setting_change,
    signals,
    write_bundle,
)

HOUR = timedelta(hours=1)
SESSIONS = "C_OpenSession on hsm slot 0 failed: CKR_SESSION_COUNT (0x000000B1)"


def _hsm(tmp_path: Path, name: str, changes: list[dict]) -> tuple[str, str]:
    """signer's own calls to the HSM refused for its session count from eight minutes before the alert, and
    vending failing for want of the signer's tokens."""
    at = ALERT_AT - 8 * M
    root = write_bundle(
        tmp_path / name,
        services={"vending": ["signer"], "signer": ["hsm"], "hsm": []},
        alert=alertmanager("TokenVendFailures", "vending"),
        logs=sorted(
            quiet_logs("vending", "signer")
            + [log(at + i * M / 6, "signer", "error", SESSIONS) for i in range(40)]
            + [log(at + i * M / 6, "vending", "error", "token not issued: signer answered 503") for i in range(40)],
            key=lambda x: x["ts"],
        ),
        metric_lines=series("error_ratio", "signer", flat_then(T0, END, 0.002, at, 0.6))
        + series("error_ratio", "vending", flat_then(T0, END, 0.002, at, 0.5)),
        changes=changes,
        signals=signals("error_ratio"),
    )
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}", d.actions[0].kind if d.actions else ""


def test_a_caller_scaled_out_just_before_a_provider_refuses_its_sessions_took_them_itself(tmp_path: Path) -> None:
    assert SERVER_LIMIT.search(SESSIONS) and SERVER_LIMIT.search("ORA-00018: maximum number of sessions exceeded")
    assert not SERVER_LIMIT.search("session expired, please sign in again")
    at = ALERT_AT - 8 * M
    scaled = setting_change(at - 2 * M, "signer", "replicaCount", "2", "6", kind="scale")
    assert _hsm(tmp_path, "scaled", [scaled]) == ("signer/recent_change", "rollback")
    # nothing of ours changed: the provider's limit is the news
    assert _hsm(tmp_path, "none", [])[0] != "signer/recent_change"
    # scaled out the day before, long before any refusal
    early = setting_change(at - 20 * HOUR, "signer", "replicaCount", "2", "6", kind="scale")
    assert _hsm(tmp_path, "early", [early])[0] != "signer/recent_change"


def _climb(start: datetime, full: datetime, low: float = 0.45, top: float = 1.0) -> list[tuple[datetime, float]]:
    """A utilization flat at `low`, then climbing steadily from `start` to `top` at `full` (and held there)."""
    out, t, i = [], T0, 0
    while t <= END:
        share = min(1.0, max(0.0, (t - start) / (full - start)))
        out.append((t, round((low + (top - low) * share) * (1 + 0.02 * ((i % 5) - 2) / 2), 6)))
        t += M
        i += 1
    return out


def test_a_climb_drawn_back_along_its_slope_began_where_it_left_its_level() -> None:
    def began(points: list[tuple[datetime, float]], onset: datetime) -> datetime | None:
        pts = [(t.timestamp(), v) for t, v in points if t <= ALERT_AT]
        climb = climb_began(pts, T0.timestamp(), onset.timestamp())
        return climb.began if climb else None

    start, full = ALERT_AT - 3 * HOUR, ALERT_AT - 8 * M
    found = began(_climb(start, full), start + HOUR)  # (crossing a threshold an hour after it began)
    assert found is not None and abs(found - start) <= 3 * M, found
    # a step is no climb: nothing to draw back
    assert began(flat_then(T0, END, 0.45, full, 1.0), full - M) is None
    # a step, then its top wobbling upward: its samples rise, but hardly any of the way from the level
    wobble = [(t, 0.45 if t < full else 1.0 + 0.004 * ((t - full) // M)) for t, _ in _climb(start, full)]
    assert began(wobble, full) is None
    # a climb that began before the level could be read (within the baseline's first hour) is not placed
    assert began(_climb(T0 + 10 * M, full), T0 + 2 * HOUR) is None


FULL = "OOM command not allowed when used memory > 'maxmemory'."


def _filled(
    tmp_path: Path, name: str, changes: list[dict], memory: list[tuple[datetime, float]], said: str = FULL
) -> tuple[str, str]:
    """cache's memory as given; api and web, its users, failing from eight minutes before the alert, saying
    `said` (refused writes for the cache's maxmemory)."""
    at = ALERT_AT - 8 * M
    root = write_bundle(
        tmp_path / name,
        services={"api": ["cache", "web"], "web": ["cache"], "cache": []},
        alert=alertmanager("TokenVendFailures", "api"),
        logs=sorted(
            quiet_logs("api", "web", "cache")
            + [log(at + i * M / 6, "api", "error", f"token cache write failed: {said}") for i in range(40)]
            + [log(at + i * M / 6, "web", "error", f"Redis::CommandError ({said})") for i in range(30)],
            key=lambda x: x["ts"],
        ),
        metric_lines=series("memory_utilization", "cache", memory)
        + series("error_ratio", "api", flat_then(T0, END, 0.002, at, 0.45))
        + series("error_ratio", "web", flat_then(T0, END, 0.002, at, 0.35)),
        changes=changes,
        signals=signals("error_ratio", "memory_utilization"),
    )
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}", d.actions[0].kind if d.actions else ""


def test_a_store_that_filled_steadily_from_a_user_s_release_was_filled_by_that_release(tmp_path: Path) -> None:
    at, release = ALERT_AT - 8 * M, ALERT_AT - 3 * HOUR
    deploy = setting_change(release, "web", "image", "web:7.3.2", "web:7.4.0", kind="deploy")
    assert _filled(tmp_path, "filled", [deploy], _climb(release, at)) == ("web/recent_change", "rollback")
    # the store began filling an hour before the release: it was filling anyway
    assert _filled(tmp_path, "before", [deploy], _climb(release - HOUR, at))[0] == "cache/resource_exhaustion"
    # full in a step when the errors began: no climb ties it to a release three hours before
    assert _filled(tmp_path, "step", [deploy], flat_then(T0, END, 0.45, at - M, 1.0))[0] != "web/recent_change"
    # its users fail, but not for its memory: its climb broke nothing we can see
    said = "Connection reset by peer"
    assert _filled(tmp_path, "unsaid", [deploy], _climb(release, at), said)[0] != "web/recent_change"
    # another user of the store released in the same minutes: nothing to choose between them
    other = setting_change(release + 3 * M, "api", "image", "api:2.0.0", "api:2.1.0", kind="deploy")
    assert _filled(tmp_path, "two", [deploy, other], _climb(release, at))[0] not in ("web/recent_change",)
