"""What world 75's first contact taught (a Madrid padel-court marketplace that runs entirely on Vercel, its logs a
Log Drain's NDJSON with the stream's level; written after world 74's rules and scored before any rule saw it): 6
of 14 right on each of seeds 1-4, three wrong HIGHs a seed. Its reasons: a receiver that cannot match what
senders signed after its secret was replaced checks with the new one (undo the rotation; rereading fixes
nothing); a quota for the day or month, spent, is the provider's limit, and a caller quoting it reached the
provider; a client library's error class names its service; a dependency that only sees fewer requests did not
fail its caller; and a surge served without errors, a little slower, is no incident."""

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
    investigated,
    log,
    quiet_logs,
    series,
    setting_change,
    signals,
    write_bundle,
)


def _rotated(tmp_path: Path, name: str, refused: str) -> Path:
    """hooks' signing secret replaced (a change of the kind secret) 3 minutes before its errors begin."""
    at = ALERT_AT - 6 * M
    return write_bundle(
        tmp_path / name,
        services={"api": ["hooks"], "hooks": ["db"], "db": []},
        alert=alertmanager("HooksErrors", "hooks"),
        logs=quiet_logs("api", "hooks", "db") + [log(at + i * 15 * S, "hooks", "error", refused) for i in range(20)],
        metric_lines=series("error_ratio", "hooks", flat_then(T0, END, 0.002, at, 0.6))
        + series("error_ratio", "db", flat_then(T0, END, 0.001)),
        changes=[setting_change(at - 3 * M, "hooks", "WEBHOOK_SECRET", "whsec_***Q2x", "whsec_***9Lm", kind="secret")],
    )


def test_a_receiver_that_cannot_match_what_senders_signed_after_its_secret_was_replaced_undoes_the_rotation(
    tmp_path: Path,
) -> None:
    """It checks with the new secret while the senders sign with the old one: had it kept the old one, it would
    still match. The rotation is the change to undo; restarting or renewing fixes nothing."""
    said = "stripe.error.SignatureVerificationError: No signatures found matching the expected signature for payload"
    d = investigated(_rotated(tmp_path, "signed", said)).diagnosis
    assert (d.root_cause.service, d.root_cause.category) == ("hooks", "recent_change"), d.root_cause
    assert [a.kind for a in d.actions][:1] == ["rollback"] and "restart" not in [a.kind for a in d.actions]
    # its own credential refused by what it calls after the same rotation: it holds the old one, read it again
    d = investigated(_rotated(tmp_path, "refused", "send failed: 401 Unauthorized: invalid api key")).diagnosis
    assert d.root_cause.category == "expired_credential" and d.actions[0].kind == "restart", d.actions


def _quota(tmp_path: Path, name: str, said: str) -> tuple[str, list[str]]:
    """edge's calls to ledis (a provider we have no metrics of) refused from 8 minutes before the alert, in
    `said`'s words: the root cause named, and the actions' kinds."""
    at = ALERT_AT - 8 * M
    root = write_bundle(
        tmp_path / name,
        services={"edge": ["web", "ledis"], "web": [], "ledis": []},
        alert=alertmanager("EdgeErrors", "edge"),
        logs=quiet_logs("edge", "web") + [log(at + i * 10 * S, "edge", "error", said) for i in range(60)],
        metric_lines=series("error_ratio", "edge", flat_then(T0, END, 0.002, at, 0.7))
        + series("error_ratio", "web", flat_then(T0, END, 0.002)),
    )
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}", [a.kind for a in d.actions]


def test_a_quota_for_the_day_spent_is_the_providers_limit_and_its_caller_reached_it(tmp_path: Path) -> None:
    """A plan's daily request limit refuses until the period ends or the plan is raised: a resource of the
    provider's spent, named by the caller's client's error class, raised by a setting (no restart helps)."""
    from oncall.analysts.offline.patterns import classify

    said = "rate limit check failed: LedisError: ERR max daily request limit exceeded. Limit: 500000, Usage: 500000."
    assert classify(said) == "resource_exhaustion"
    assert classify("429 Too Many Requests: rate limit exceeded") == "dependency_failure"  # a rate: wait, retry
    named, acts = _quota(tmp_path, "daily", said)
    assert named == "ledis/resource_exhaustion" and acts[:1] == ["config_change"], (named, acts)


def test_a_client_library_s_error_class_names_its_service() -> None:
    from oncall.core.catalog import mentions

    assert mentions("upstash", "rate limit check failed: UpstashError: ERR max daily")
    assert mentions("stripe", "StripeException: card declined") and mentions("mongo", "MongoError: not primary")
    assert not mentions("stripe", "StripeErrorHandler registered") and not mentions("upstash", "UpstashErrors")


def test_a_caller_quoting_what_a_dependency_answered_reached_it() -> None:
    """Another caller's calls working does not make this caller's failures its own path's when its errors
    quote the dependency's answer (a quota spent); they do when they only say a call failed."""
    from oncall.analysts.offline.attribution import _reached_by_others
    from oncall.analysts.offline.findings import LogFinding
    from oncall.tools.read_logs import TemplateStat

    def peer(category: str, text: str) -> LogFinding:
        stat = TemplateStat(template=text, level="ERROR", count=50, baseline_count=0, first_seen=ALERT_AT,
                            last_seen=ALERT_AT + 8 * M, sample=text, sample_ref="logs.jsonl:9", line=4)  # fmt: skip
        return LogFinding(service="edge", text=text, cite="R3:L4", at=ALERT_AT, category=category, weight=2.0,
                          role="peer", points_to="ledis", detail=stat, words=text)  # fmt: skip

    working = {("api", "ledis")}
    (quoted,) = _reached_by_others(
        [peer("resource_exhaustion", "ERR max daily request limit exceeded")], set(), working
    )
    assert quoted.role == "peer" and quoted.points_to == "ledis"
    (failed,) = _reached_by_others([peer("dependency_failure", "call to ledis failed: EOF")], set(), working)
    assert failed.role == "own" and failed.category == "network"


def _fewer(tmp_path: Path, name: str, front_says: str, flag: bool) -> str:
    """back's requests fall 8 minutes before the alert as front's errors jump, front's lines saying `front_says`,
    after front's routine release in the morning, and with or without front's flag set 2 minutes before: the root
    cause named, and its confidence."""
    at = ALERT_AT - 8 * M
    root = write_bundle(
        tmp_path / name,
        services={"front": ["back"], "back": []},
        alert=alertmanager("BackTrafficLow", "back"),
        logs=quiet_logs("front", "back") + [log(at + i * 20 * S, "front", "warn", front_says) for i in range(24)],
        metric_lines=series("error_ratio", "front", flat_then(T0, END, 0.002, at, 0.95))
        + series("request_rate", "back", flat_then(T0, END, 40.0, at, 2.0))
        + series("error_ratio", "back", flat_then(T0, END, 0.002)),
        changes=[setting_change(at - 14 * 60 * M, "front", "image", "front:2.1.0", "front:2.1.1", kind="deploy")]
        + ([setting_change(at - 2 * M, "front", "maintenanceMode", "false", "true", kind="flag")] if flag else []),
        signals=signals("error_ratio", "request_rate"),
    )
    rc = investigated(root).diagnosis.root_cause
    return f"{rc.service}/{rc.category}/{rc.confidence}"


def test_a_dependency_that_only_sees_fewer_requests_did_not_fail_its_caller(tmp_path: Path) -> None:
    """front set a flag that turns every request away; back, behind it, sees fewer requests, and front's lines
    say back's answers were slow before it stopped asking: front's change is the cause, not back. Unless front
    says its requests never reach back (back's certificate refused): then fewer is back's failure."""
    assert _fewer(tmp_path, "fewer", "calls to back slowed: 900 ms", flag=True).startswith("front/recent_change/")
    refused = "call to back failed: x509: certificate has expired or is not yet valid"
    said = _fewer(tmp_path, "refused", refused, flag=False)
    assert said.startswith("back/") and said.endswith("/HIGH"), said


def _surge(tmp_path: Path, name: str, slower: float) -> tuple[str, str]:
    at = ALERT_AT - 15 * M
    root = write_bundle(
        tmp_path / name,
        services={"api": ["db"], "db": []},
        alert=alertmanager("ApiTrafficHigh", "api", severity="warning"),
        logs=quiet_logs("api", "db"),
        metric_lines=series("request_rate", "api", flat_then(T0, END, 50.0, at, 300.0))
        + series("latency_p99_seconds", "api", flat_then(T0, END, 0.2, at, 0.2 * slower))
        + series("error_ratio", "api", flat_then(T0, END, 0.002)),
        signals={
            "request_rate": 'request_rate{service="{service}"}',
            "latency_p99": 'latency_p99_seconds{service="{service}"}',
            "error_ratio": 'error_ratio{service="{service}"}',
        },
    )
    rc = investigated(root).diagnosis.root_cause
    return f"{rc.service}/{rc.category}", rc.statement


def test_a_surge_served_without_errors_a_little_slower_is_no_incident(tmp_path: Path) -> None:
    """And the brief says what did move (the requests), not that nothing left its baseline."""
    named, said = _surge(tmp_path, "served", 1.5)
    assert named == "api/no_incident" and said.startswith("api took more requests than usual"), said
    assert _surge(tmp_path, "queued", 6.0)[0] != "api/no_incident"  # six times slower: it is not keeping up
