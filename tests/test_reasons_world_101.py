"""What world 101's first contact taught (a Cape Town solar-monitoring service on k3s, its logs rows of a Parseable
stream; written after world 100's rules and scored before any rule saw it): 0.833 on each of seeds 1-4, no wrong
HIGH. Its one miss on every seed: billing's Paystack secret key, rolled in Paystack's dashboard, was refused with
"Paystack answered 401: {"status":false,"message":"Invalid key"}", and Paystack was blamed for failing. Its lesson:

- a provider's 401, as the caller reports the answer it got ("answered 401", "returned 401"), says the credential
  the caller presented is not valid (RFC 9110): the caller's credential, not the provider's failure."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from oncall.analysts.offline.patterns import CATEGORY_PATTERNS
from tests.bundles import ALERT_AT as AT
from tests.bundles import END, T0, M, S, alertmanager, flat_then, iso, series, signals, verdict, write_bundle

BASELINE = [AT - 6 * 60 * M + 5 * i * M for i in range(72)]


def _charges(tmp_path: Path, answer: str) -> str:
    """billing's charges through Paystack fail from eight minutes before the alert with Paystack's `answer`."""
    at = AT - 8 * M

    def log(t: datetime, level: str, message: str) -> dict:
        return {"ts": iso(t), "service": "billing", "level": level, "message": message}

    root = write_bundle(
        tmp_path,
        services={"portal": ["billing"], "billing": ["paystack"], "paystack": []},
        alert=alertmanager("BillingChargesFailing", "billing"),
        logs=[log(t, "info", "Invoice issued") for t in BASELINE]
        + [log(at + 10 * i * S, "error", f"Charge for subscription 512 failed: Paystack {answer}") for i in range(45)],
        metric_lines=series("error_ratio", "billing", flat_then(T0, END, 0.003, at, 0.9)),
        signals=signals("error_ratio"),
    )
    return verdict(root)


def _category(text: str) -> str | None:
    return next((cat for cat, rx in CATEGORY_PATTERNS if rx.search(text)), None)


def test_a_providers_401_refuses_the_callers_credential(tmp_path: Path) -> None:
    invalid = 'answered 401: {"status":false,"message":"Invalid key"}'
    assert _charges(tmp_path / "401", invalid).startswith("billing/expired_credential")
    # the provider failing answers otherwise: its failure, not the caller's
    assert _charges(tmp_path / "503", "answered 503: Service Unavailable").startswith("paystack/dependency_failure")
    for said in (
        "GitHub API returned 401 for the installation token",
        "got a 401 from https://api.example.com/v2",
        "received HTTP 401 from the token endpoint",
        "the partner responded with 401",
    ):
        assert _category(said) == "expired_credential", said
    # a server's own record of refusing its callers' (an access line) is theirs, not a credential of its own
    assert _category('10.0.1.9 - - "GET /v1/sites HTTP/1.1" status=401 latency=3ms') is None
