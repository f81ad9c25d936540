"""What world 83's first contact taught (a Melbourne café-loyalty app on Supabase, its logs one Logs Explorer query a
source through the Management API; written after world 82's rules and scored before any rule saw it): 0.714 on each
of seeds 1-4, one wrong HIGH. Read right from the first: Logflare's microsecond timestamps, each source's columns.
Its reasons: a provider that answers 429 to a caller whose own requests had multiplied first is holding the caller
to its limit, not failing; a change whose own lines name another service (a webhook's address) sends it the load
that multiplied right after; a credential taken away (a signing key revoked) is the cause when several services
begin refusing the credentials they are presented right after it, whatever the catalog says of them."""

from __future__ import annotations

from pathlib import Path

from oncall.analysts.offline.patterns import classify
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


def _pushed(tmp_path: Path, name: str, rate: float = 200.0, said: str = "429 Too Many Requests", names: bool = True,
            change: bool = True, rose: int = 0, changed: int = -4) -> str:  # fmt: skip
    """push (which calls the provider expo, seen only through it) fails from a minute after `at` saying `said` about
    expo; its requests went from 5 to `rate` `rose` minutes from `at`, coming through gw; db's migration `changed`
    minutes from `at` named push's address (or not)."""
    at = ALERT_AT - 10 * M
    flood = rate >= 20
    target = "https://example.supabase.co/functions/v1/push" if names else "https://hooks.example.com/ledger"
    diff = ("--- a/migrations/2_points_push.sql\n+++ b/migrations/2_points_push.sql\n@@ -0,0 +1,2 @@\n"
            "+create trigger points_push after insert on points_ledger\n"
            f"+  for each row execute function http_request('{target}', 'POST');\n")  # fmt: skip
    migration = setting_change(at + changed * M, "db", "migration", "1_cards", "2_points_push", kind="migration")
    root = write_bundle(
        tmp_path / name,
        services={"gw": ["push", "api"], "push": ["expo"], "api": ["db"], "db": [], "expo": []},
        alert=alertmanager("PushErrors", "push"),
        logs=quiet_logs("gw", "push", "api", "db")
        + [
            log(
                at + M + i * 5 * S,
                "push",
                "error",
                said if said.startswith("push") else f"push not sent: expo answered {said}",
            )
            for i in range(80)
        ],
        metric_lines=series("request_rate", "push", flat_then(T0, END, 5.0, at + rose * M, rate))
        + series("request_rate", "gw", flat_then(T0, END, 120.0, at + rose * M, 300.0 if flood else 121.0))
        + series("error_ratio", "push", flat_then(T0, END, 0.002, at + M, 0.85))
        + series("request_rate", "api", flat_then(T0, END, 50.0))
        + series("cpu_utilization", "db", flat_then(T0, END, 0.3)),
        changes=[migration | {"diff": diff}] if change else [],
        signals=signals("request_rate", "error_ratio", "cpu_utilization"),
    )
    return verdict(root)


def test_a_provider_answering_429_to_a_caller_whose_requests_multiplied_first_holds_it_to_its_limit(
    tmp_path: Path,
) -> None:
    assert _pushed(tmp_path, "flood", change=False) == "push/capacity"
    # its requests as usual: the provider refusing them is the provider's doing
    assert _pushed(tmp_path, "usual", rate=5.2, change=False) == "expo/dependency_failure"
    # more requests, but not several times as many: no flood of its own
    assert _pushed(tmp_path, "more", rate=12.0, change=False) == "expo/dependency_failure"
    # its requests multiplied only well after the refusals began: they answer the refusals (retries)
    assert _pushed(tmp_path, "later", rose=10, change=False) != "push/capacity"
    # not refused for its rate: a provider answering 503 to a flood is failing (or drowning) itself
    assert _pushed(tmp_path, "down", said="503 Service Unavailable", change=False) != "push/capacity"


def test_a_change_naming_a_service_sends_it_the_load_that_multiplied_right_after(tmp_path: Path) -> None:
    # (only timing and the name tie them: likely, never HIGH)
    assert _pushed(tmp_path, "named") == "db/recent_change"
    # the migration names another address: nothing ties db to push's load
    assert _pushed(tmp_path, "other", names=False) != "db/recent_change"
    # a change long before the load: not what sent it
    assert _pushed(tmp_path, "long-before", changed=-60) != "db/recent_change"
    # the load was rising before the change landed
    assert _pushed(tmp_path, "rising", rose=-3, changed=-1) != "db/recent_change"
    # a rise that is no flood
    assert _pushed(tmp_path, "modest", rate=12.0, said="push worker failed: heap out of memory") != "db/recent_change"
    assert _pushed(tmp_path, "oom", said="push worker failed: heap out of memory") == "db/recent_change"


def _revoked(tmp_path: Path, name: str, to: str = "revoked", key: str = "jwt_signing_keys.previous",
             refusing: tuple[str, ...] = ("files", "live"), before: int = 2) -> str:  # fmt: skip
    """auth's setting `key` went from standby to `to` `before` minutes before `refusing` began refusing the tokens
    they are presented; nothing in the catalog connects them to auth."""
    at = ALERT_AT - 8 * M
    said = {"files": "request errored: InvalidJWT: invalid signature",
            "live": "channel join refused: InvalidJWTToken: signature error",
            "rest": "JWSError JWSInvalidSignature"}  # fmt: skip
    root = write_bundle(
        tmp_path / name,
        services={
            "gw": ["files", "live", "rest", "auth"],
            "files": ["db"],
            "live": ["db"],
            "rest": ["db"],
            "auth": ["db"],
            "db": [],
        },
        alert=alertmanager("Gateway4xxHigh", "gw"),
        logs=quiet_logs("gw", "files", "live", "rest", "auth", "db")
        + [log(at + i * 10 * S, s, "error", said[s]) for s in refusing for i in range(40)],
        metric_lines=series("error_ratio", "gw", flat_then(T0, END, 0.002, at + M, 0.5))
        + series("request_rate", "auth", flat_then(T0, END, 8.0))
        + [
            line
            for s in ("files", "live", "rest")
            for line in series(
                "error_ratio", s, flat_then(T0, END, 0.002, at, 0.5) if s in refusing else flat_then(T0, END, 0.002)
            )
        ],
        changes=[setting_change(at - before * M, "auth", key, "standby (ES256 kid 4c1e)", to)],
        signals=signals("error_ratio", "request_rate"),
    )
    return verdict(root)


def test_a_credential_taken_away_is_the_cause_when_several_services_refuse_what_they_are_given_right_after(
    tmp_path: Path,
) -> None:
    # (nothing but the kind of failure ties them: likely, never HIGH)
    assert _revoked(tmp_path, "revoked") == "auth/recent_change"
    # one service refusing: its own credential may be the matter
    assert _revoked(tmp_path, "one", refusing=("files",)) != "auth/recent_change"
    # a credential left in place (made the current one): nothing was taken away
    assert _revoked(tmp_path, "current", to="current") != "auth/recent_change"
    # a setting taken away that is no credential
    assert _revoked(tmp_path, "hook", key="hooks.send_sms.previous") != "auth/recent_change"
    # revoked half an hour before they began refusing: something else began it
    assert _revoked(tmp_path, "earlier", before=30) != "auth/recent_change"


def test_a_token_whose_signature_fails_is_a_credential_refused_in_each_verifier_s_words() -> None:
    for said in ("JWSError JWSInvalidSignature", "InvalidJWTToken: signature error"):
        assert classify(said) == "expired_credential", said
