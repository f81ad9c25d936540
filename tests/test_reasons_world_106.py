"""What world 106's first contact taught (a Montréal e-learning platform on bare-metal Kubernetes, its logs Loki's
query_range responses kept whole, one page a line; written after world 105's rules and scored before any rule saw
it): 0.571 on each of seeds 1-4, no wrong HIGH, no HIGH at all. No line was read: each line is a page of streams. Read,
Hydra's new signing key, which the API did not hold, was blamed on Hydra's change at HIGH. Its lessons:

- a body of Loki's streams (a query response's `data.result`, a push body's `streams`) is as many lines as its
  streams have entries, each under its stream's labels and cited by the body's line;
- a token signed with a key the verifier does not hold (no key in its set has the token's kid) is a credential
  refused: the verifier's copy of its issuer's keys is stale;
- a change that puts a new key in a credential's set (an issuer's JSON Web Key set gaining a signing key) is a
  rotation: what fails after it is what still holds the old set, not the change."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from oncall.analysts.offline.findings import rotation
from oncall.analysts.offline.patterns import STALE_KEYS, classify
from oncall.tools.read_changes import Change
from oncall.tools.read_logs.streams import entries, paged
from tests.bundles import ALERT_AT as AT
from tests.bundles import (
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    investigated,
    iso,
    log,
    read_logs_of,
    series,
    signals,
    write_bundle,
)

BASELINE = [AT - 6 * 60 * M + 5 * i * M for i in range(72)]


def _ns(t: datetime) -> str:
    return str(int(t.timestamp() * 1e9))


def _stream(app: str, values: list[tuple[datetime, str]], level: str = "unknown") -> dict:
    """A stream of Loki's: its labels (Loki 3's service_name and detected_level among them) and its entries."""
    labels = {"app": app, "namespace": "prod", "pod": f"{app}-7d9f-x1", "service_name": app, "detected_level": level}
    return {"stream": labels, "values": [[_ns(t), line] for t, line in values]}


def test_a_body_of_lokis_streams_is_its_entries_under_their_labels(tmp_path: Path) -> None:
    at = AT - 8 * M
    pages = [
        {"status": "success", "data": {"resultType": "streams", "stats": {"summary": {"execTime": 0.01}}, "result": [
            _stream("db", [(t, "LOG:  checkpoint complete") for t in BASELINE]),
            _stream("api", [(t, "GET /v1/orders 200") for t in BASELINE[::2]], "info"),
        ]}},
        {"status": "success", "data": {"resultType": "streams", "result": [
            _stream("api", [(at + 10 * i * S, "ERROR query failed: remaining connection slots are reserved")
                            for i in range(30)], "error"),
        ]}},
    ]  # fmt: skip
    said = read_logs_of(tmp_path / "pages", pages)
    assert "30 ERROR" in said["api"] and "remaining connection slots" in said["api"], said["api"]
    assert "logs.jsonl:2 " in said["api"], said["api"]  # cited by the line its page is on
    assert '"values"' not in said["api"], said["api"]  # the line, not the body around it
    assert "6 lines in window (6 INFO); 66 lines in baseline" in said["db"], said["db"]
    # push bodies, as a tap on the push API records them: a stream's entries a body
    pushed = [{"streams": [_stream("db", [(t, "LOG:  checkpoint complete")])]} for t in BASELINE]
    pushed += [{"streams": [_stream("db", [(at + 20 * i * S + j * S, "FATAL:  sorry, too many clients already")
                                           for j in range(3)], "error")]} for i in range(12)]  # fmt: skip
    said = read_logs_of(tmp_path / "pushed", pushed)
    assert "36 ERROR" in said["db"] and "too many clients" in said["db"], said["db"]


def test_what_a_body_of_streams_is() -> None:
    page = {"data": {"resultType": "streams", "result": [_stream("api", [(AT, "a"), (AT + S, "b")])]}}
    assert paged([page, page]) == "data"
    assert [e["line"] for e in entries(page)] == ["a", "b"]
    assert entries(page)[0]["labels"]["service_name"] == "api"
    assert paged([{"streams": [_stream("api", [(AT, "a")])]}]) == "streams"
    # an entry with its structured metadata as a third member is its time and line still
    meta = {"data": {"result": [{"stream": {"app": "api"}, "values": [[_ns(AT), "a", {"trace_id": "7f"}]]}]}}
    assert entries(meta) == [{"labels": {"app": "api"}, "timestamp": _ns(AT), "line": "a"}]
    # an export's `data` that holds an event, not streams; a matrix of samples; most lines no body: none
    assert paged([{"data": {"ts": "2029-01-01T00:00:00Z", "message": "a"}}]) is None
    assert paged([{"data": {"resultType": "matrix", "result": [{"metric": {}, "values_": [[1, "2"]]}]}}]) is None
    assert paged([page, {"ts": "x"}, {"ts": "y"}]) is None


def _rotated(tmp_path: Path, diff: str, setting: str = "jwks") -> tuple[str, str]:
    """api refuses tokens from eight minutes before the alert, three minutes after a change to auth's `setting`
    whose record says `diff`: its verdict (service/category) and first action's kind."""
    at = AT - 8 * M
    refused = "JWT refused: no JWK with kid 'b3f9' in the cached key set (fetched at startup from http://auth/jwks)"
    root = write_bundle(
        tmp_path,
        services={"web": ["api"], "api": ["auth"], "auth": []},
        alert=alertmanager("ApiAuthFailures", "api"),
        logs=[log(t, s, "info", "ok") for t in BASELINE for s in ("web", "api", "auth")]
        + [log(at + 10 * i * S, "api", "warn", refused) for i in range(45)],
        metric_lines=series("error_ratio", "api", flat_then(T0, END, 0.003, at, 0.55))
        + series("error_ratio", "web", flat_then(T0, END, 0.003, at + M, 0.2)),
        changes=[{"ts": iso(at - 3 * M), "service": "auth", "kind": "config", "from": f"{setting}=kid-7c1e",
                  "to": f"{setting}=kid-b3f9", "author": "platform", "ref": "r-1", "diff": diff}],
        signals=signals("error_ratio"),
    )  # fmt: skip
    d = investigated(root).diagnosis
    return f"{d.root_cause.service}/{d.root_cause.category}", d.actions[0].kind


def test_a_key_its_verifier_does_not_hold_is_the_verifiers_stale_copy(tmp_path: Path) -> None:
    added = "hydra create jwks hydra.openid.id-token: new signing key b3f9 added, 7c1e kept for verification"
    assert _rotated(tmp_path / "added", added) == ("api/expired_credential", "restart")
    # a change to the key set that adds no key (its endpoint moved): the change is what broke them
    assert _rotated(tmp_path / "moved", "jwks endpoint moved to /keys")[0] == "auth/recent_change"
    for said in ("no JWK with kid 'b3f9' in the cached key set", "no signing key matching the kid in the token",
                 "IDX10503: Signature validation failed"):  # fmt: skip
        assert classify(said) == "expired_credential" and STALE_KEYS.search(said), said
    for said in ("fetched 3 keys from the issuer", "no keys to rotate today"):
        assert classify(said) != "expired_credential", said


def test_what_a_new_key_in_a_credentials_set_is() -> None:
    def change(setting: str, diff: str) -> Change:
        return Change.model_validate({"ts": AT, "service": "auth", "kind": "config", "from": f"{setting}=a",
                                      "to": f"{setting}=b", "author": "platform", "diff": diff})  # fmt: skip

    assert rotation(change("jwks", "new signing key b3f9 added"))
    assert rotation(change("api_key", "a new key issued for the partner"))
    assert not rotation(change("jwks", "endpoint moved"))
    assert not rotation(change("replicas", "new key added to the cache"))


def test_a_providers_outage_is_summed_up_by_what_its_users_saw(tmp_path: Path) -> None:
    """Nothing of the provider's own is watched: the summary says what the service that uses it saw (it said
    nothing at all before)."""
    at = AT - 10 * M
    failing = "HTTPError: 503 Server Error: Service Unavailable for url: https://api.mux.example/video/v1/uploads"
    root = write_bundle(
        tmp_path,
        services={"jobs": ["mux"], "mux": []},
        alert=alertmanager("TranscodeFailures", "jobs"),
        logs=[log(t, "jobs", "info", "lesson transcoded") for t in BASELINE]
        + [log(at + 10 * i * S, "jobs", "error", f"mux handover failed: {failing}") for i in range(45)],
        metric_lines=series("error_ratio", "jobs", flat_then(T0, END, 0.003, at, 0.7)),
        signals=signals("error_ratio"),
    )
    d = investigated(root).diagnosis
    assert d.root_cause.service == "mux", d.root_cause
    said = " ".join(c.text for c in d.summary)
    assert "jobs error_ratio" in said and "ERROR lines" in said, d.summary


def _followed(tmp_path: Path, early_warnings: bool) -> list[str]:
    """search's CPU saturated from twenty minutes before the alert and api, which uses it, slower from two minutes
    after (with a few warnings from half an hour before, if `early_warnings`): the summary's claims."""
    at = AT - 20 * M
    early = [log(AT - 30 * M + 60 * i * S, "api", "warn", "slow search: 900 ms") for i in range(4)]
    root = write_bundle(
        tmp_path,
        services={"api": ["search"], "search": []},
        alert=alertmanager("SearchSlow", "search"),
        logs=[log(t, s, "info", "ok") for t in BASELINE for s in ("api", "search")] + (early if early_warnings else []),
        metric_lines=series("cpu_utilization", "search", flat_then(T0, END, 0.3, at, 0.99))
        + series("latency_p99", "search", flat_then(T0, END, 0.02, at, 0.2))
        + series("latency_p99", "api", flat_then(T0, END, 0.1, at + 2 * M, 0.9)),
        signals=signals("cpu_utilization", "latency_p99"),
    )
    return [c.text for c in investigated(root).diagnosis.summary]


def test_a_service_is_said_to_degrade_later_only_when_it_did(tmp_path: Path) -> None:
    """The summary says which services degraded after the root: never from a time before the root broke (world
    106's held-out seed 10 said api "degraded later, from 00:15" of a root broken from 00:30)."""
    assert any(c.startswith("api degraded later") for c in _followed(tmp_path / "after", False))
    assert not any("degraded later" in c for c in _followed(tmp_path / "before", True))
