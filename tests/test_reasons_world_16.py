"""What world 16's first contact taught (a parcel platform on Kubernetes, Vector's kubernetes_logs events;
written after world 15's rules and scored before any rule saw it): a client whose JVM cached a moved
cluster's old address was not told from the move itself, and a batch job whose change broke itself and
then, through a quota they share, another service was not credited with the other service, which was
then blamed on a routine deploy of its own, once at HIGH."""

from __future__ import annotations

from datetime import timedelta

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
    write_bundle,
)

AT = ALERT_AT - 6 * M
SIGNALS = {"request_rate": 'requests{service="{service}"}', "error_ratio": 'error_ratio{service="{service}"}'}


def _every(service: str, text: str, level: str = "error", n: int = 120, start=AT) -> list[dict]:
    return [log(start + i * timedelta(seconds=2), service, level, text) for i in range(n)]


def _steady(*services: str) -> list[str]:
    out = []
    for s in services:
        out += series("requests", s, flat_then(T0, END, 50.0))
    return out


def _failing(service: str, at=AT) -> list[str]:
    return series("error_ratio", service, flat_then(T0, END, 0.002, at, 0.4))


def _moved(tmp_path, error: str):
    """search's address changed two minutes before catalog's connections began to time out; recs, which
    also calls search and which we watch, shows nothing wrong."""
    return write_bundle(
        tmp_path / "b",
        services={"catalog": ["search"], "recs": ["search"], "search": []},
        alert=alertmanager("HighErrorRate", "catalog"),
        logs=quiet_logs("catalog", "recs", "search") + _every("catalog", error),
        metric_lines=_steady("catalog", "recs", "search")
        + _failing("catalog")
        + series("error_ratio", "recs", flat_then(T0, END, 0.002)),
        changes=[setting_change(AT - 2 * M, "search", "loadBalancerIP", "10.4.3.17", "10.4.9.40", kind="infra")],
        signals=SIGNALS,
    )


def test_a_client_still_connecting_to_the_address_a_change_replaced_is_restarted(tmp_path) -> None:
    """catalog's errors name search's old address, the one the change replaced, while recs follows the
    new one: catalog holds the old address (a DNS cache). It is the one to act on, a restart first;
    search's change is ruled down; likely, not HIGH."""
    d = investigated(
        _moved(tmp_path, "ConnectTimeoutException: Connect to search:9200 [search/10.4.3.17] failed: connect timed out")
    ).diagnosis
    assert d.root_cause.service == "catalog" and d.root_cause.confidence != "HIGH"
    assert (d.actions[0].kind, d.actions[0].target) == ("restart", "catalog")
    assert any(e.quote == "loadBalancerIP: 10.4.3.17" for e in d.evidence)


def test_a_client_failing_on_the_new_address_is_not_holding_the_old_one(tmp_path) -> None:
    """The same move, but catalog's errors name the new address: it did follow the change, and the new
    address is what fails it. The move stays the suspect; nothing says a restart would help."""
    d = investigated(
        _moved(tmp_path, "ConnectTimeoutException: Connect to search:9200 [search/10.4.9.40] failed: connect timed out")
    ).diagnosis
    assert d.root_cause.service == "search"
    assert not any(a.kind == "restart" for a in d.actions)


QUOTA = "googleapi: Error 429: The rate of change requests to the bucket is too high, rateLimitExceeded"


def test_a_change_that_broke_its_own_service_and_then_others_is_credited_with_them(tmp_path) -> None:
    """thumbs' concurrency went from 4 to 48: its own requests multiplied and it was throttled, and so
    was uploads, which the catalog does not connect to it, right after. uploads deployed a routine
    version an hour and a half before. thumbs' change took the limit they share: it is the suspect, and
    uploads' own deploy does not outrank it."""
    root = write_bundle(
        tmp_path / "b",
        services={"web": ["uploads"], "uploads": ["store"], "thumbs": ["store"], "store": []},
        alert=alertmanager("HighErrorRate", "uploads"),
        logs=quiet_logs("web", "uploads", "thumbs")
        + _every("thumbs", f"write thumbnail, retrying: {QUOTA}", level="warn")
        + _every("uploads", f"store object failed: {QUOTA}", start=AT + M)
        + _every("web", "upload failed: uploads responded 500", start=AT + 2 * M),
        metric_lines=series("requests", "thumbs", flat_then(T0, END, 10.0, AT - M, 90.0))
        + _steady("web", "uploads")
        + _failing("thumbs")
        + _failing("uploads", AT + M)
        + _failing("web", AT + 2 * M),
        changes=[
            setting_change(AT - 2 * M, "thumbs", "concurrency", "4", "48"),
            setting_change(AT - 95 * M, "uploads", "image.tag", "2026.2.0", "2026.2.1", kind="deploy"),
        ],
        signals=SIGNALS,
    )
    d = investigated(root).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("thumbs", "recent_change")
    assert d.root_cause.confidence != "HIGH"
