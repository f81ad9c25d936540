"""World 69's faults, from ski-resort, payment-gateway, cert-manager, ORM and NATS incidents, in this estate's
words: a powder day's first chair with every gate scanning at once (scale access-control); the shop's release
polling lift status every two seconds from every open tab until the snow report's workers time out (roll the
shop back); Moneris' API token rotated in the merchant portal and not in the cluster (set the new token);
cert-manager's rotation of the gates' client CA leaving access-control trusting only the new one while the
gates still present the old (roll the rotation back); the passes service's release loading each pass's
blackout dates one query at a time (roll back); the gate-scan stream in JetStream reaching its byte limit so
every publish is refused (raise the limit); and the summit lifts on wind hold (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Argo CD records an application's sync from the platform repository."""
    path = f"apps/{svc}/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"argocd app piste-{svc} sync {rng.getrandbits(28):07x}",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -8 +8 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def powder_day_rush(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "powder_day_rush",
        "access-control",
        "capacity",
        "scale",
        "access-control",
        "GateValidationSlow",
        "forty centimetres overnight and the first chairs opening at once: every gate scans at three to four times "
        "a normal morning and access-control's pods sit at their CPU limit; validations queue and time out; scale "
        "access-control out (nothing changed)",
    )
    f.effects += [
        Effect("access-control", "request_rate", at - 2 * M, 3.6),
        Effect("access-control", "cpu_utilization", at - 1 * M, 0.97, relative=False),
        Effect("access-control", "latency_p99", at, 7.0),
        Effect("access-control", "error_ratio", at + 1 * M, 0.09, relative=False),
    ]
    f.bursts += [
        Burst("access-control", at, 14, "warn", "scan waited for a worker||gate=G{k}-{n};queued_ms=2{n}40"),
        Burst("access-control", at + 1 * M, 9, "error", "scan validation abandoned: deadline of 1500 ms exceeded"
              "||gate=G{k}-{n};media=E2801160{hex}"),
    ]  # fmt: skip
    return f


POLL_DIFF = (
    "--- a/src/lib/lifts.ts\n+++ b/src/lib/lifts.ts\n@@ -12,3 +12,3 @@\n export function watchLifts(store) {\n"
    "-  return setInterval(() => refreshLifts(store), 60_000);\n"
    "+  return setInterval(() => refreshLifts(store), 2_000); // live lift board\n"
)


def lift_status_polling(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "lift_status_polling",
        "shop",
        "recent_change",
        "rollback",
        "snow-report",
        "SnowReportErrors",
        "shop 3.12.0 made the lift board refresh every 2 s in every open tab; the snow report's lift status "
        "requests went up ninefold, its gunicorn workers time out and it answers 502; roll the shop back",
    )
    f.changes.append(change(at - 4 * M, "shop", "deploy", "image.tag", "3.11.4", "3.12.0", rng, "argocd",
                            code=POLL_DIFF))  # fmt: skip
    f.effects += [
        Effect("snow-report", "request_rate", at - 3 * M, 9.0),
        Effect("snow-report", "cpu_utilization", at - 2 * M, 0.98, relative=False),
        Effect("snow-report", "latency_p99", at, 9.0),
        Effect("snow-report", "error_ratio", at, 0.35, relative=False),
        Effect("shop", "error_ratio", at + 1 * M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("snow-report", at, 6, "critical", "WORKER TIMEOUT (pid:1{n}7)"),
        Burst("snow-report", at, 4, "error", "Worker (pid:1{n}7) was sent SIGKILL! Perhaps out of memory?"),
        Burst("shop", at + 1 * M, 8, "warn", "lift board refresh failed: snow-report answered 502"),
    ]  # fmt: skip
    return f


def moneris_token_rotated(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "moneris_token_rotated",
        "tickets-api",
        "expired_credential",
        "config_change",
        "tickets-api",
        "CheckoutFailing",
        "finance regenerated the Moneris API token in the merchant resource centre; the cluster's secret still "
        "holds the old one and Moneris refuses every purchase with 'API token mismatch'; put the new token in "
        "tickets-api's secret",
    )
    f.effects += [
        Effect("tickets-api", "error_ratio", at, 0.8, relative=False),
        Effect("shop", "error_ratio", at + 1 * M, 0.2, relative=False),
        Effect("skipper", "error_ratio", at + 1 * M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("tickets-api", at, 12, "error", "purchase refused by payment gateway||order_id=ord_{hex};"
              "err=moneris: receipt ResponseCode=null Message=API token mismatch;store=store_piste_01"),
        Burst("shop", at + 1 * M, 8, "error", "checkout failed for cart {hex}: tickets-api answered 502"),
        Burst("skipper", at + 1 * M, 8, "info", '10.244.{k}.21 - - [{clf}] "POST /api/tickets/v1/orders HTTP/1.1" '
              '502 88 "-" "Mozilla/5.0" 3{n}0 api.piste.ca - -'),
    ]  # fmt: skip
    f.failing_calls.append(("tickets-api", "moneris"))
    return f


def gate_ca_rotated(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "gate_ca_rotated",
        "access-control",
        "recent_change",
        "rollback",
        "access-control",
        "GateScansDropped",
        "cert-manager rotated the gates' client CA and the trust bundle access-control verifies gates against now "
        "holds only the new CA; every gate still presents a certificate from the old one, so handshakes fail and "
        "scans stop arriving (gates fall back to offline mode); put the old CA back in the bundle",
    )
    f.changes.append(change(at - 2 * M, "access-control", "certificate", "tls.clientCABundle", "gate-ca-2025",
                            "gate-ca-2026", rng, "cert-manager"))  # fmt: skip
    f.effects += [
        Effect("access-control", "request_rate", at, 0.08, ramp=M),
    ]
    f.bursts += [
        Burst("access-control", at, 40, "warn", "TLS handshake failed||peer=10.40.{k}.{n}:4{n}12;"
              "error=invalid peer certificate: UnknownIssuer"),
        Burst("access-control", at + 1 * M, 2, "info", "gate went offline||gate=G{k}-{n};last_scan_s=6{n}"),
    ]  # fmt: skip
    return f


N1_DIFF = (
    "--- a/src/main/java/ca/piste/passes/Pass.java\n+++ b/src/main/java/ca/piste/passes/Pass.java\n"
    "@@ -41,3 +41,3 @@\n"
    '-    @OneToMany(mappedBy = "pass", fetch = FetchType.EAGER) @Fetch(FetchMode.SUBSELECT)\n'
    '+    @OneToMany(mappedBy = "pass", fetch = FetchType.LAZY)\n'
    "     private List<BlackoutDate> blackoutDates;\n"
)


def passes_n_plus_one(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "passes_n_plus_one",
        "passes",
        "recent_change",
        "rollback",
        "tickets-api",
        "CheckoutSlow",
        "passes 7.4.0 made a pass's blackout dates lazy; an eligibility check now runs one query per date, "
        "hundreds a request; passes slowed sevenfold and tickets-api's calls to it time out; roll passes back",
    )
    f.changes.append(change(at - 5 * M, "passes", "deploy", "image.tag", "7.3.2", "7.4.0", rng, "argocd",
                            code=N1_DIFF))  # fmt: skip
    f.effects += [
        Effect("passes", "latency_p99", at, 7.0),
        Effect("passes", "cpu_utilization", at, 0.72, relative=False),
        Effect("tickets-api", "latency_p99", at + 1 * M, 5.0),
        Effect("tickets-api", "error_ratio", at + 1 * M, 0.25, relative=False),
        Effect("shop", "latency_p99", at + 1 * M, 3.0),
    ]
    f.bursts += [
        Burst("passes", at, 10, "warn", "Eligibility for pass {hex} took 3{n}10 ms (2{n} statements)"),
        Burst("tickets-api", at + 1 * M, 12, "error", "eligibility check failed||order_id=ord_{hex};"
              "err=Get \"http://passes.piste.svc:8080/v2/passes/{hex}/eligibility\": context deadline exceeded "
              "(Client.Timeout exceeded while awaiting headers)"),
    ]  # fmt: skip
    return f


def jetstream_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    filling = t - timedelta(days=3)
    f = Fault(
        "jetstream_full",
        "nats",
        "resource_exhaustion",
        "config_change",
        "access-control",
        "ScanEventsNotPublished",
        "the GATE_SCANS stream keeps 30 days under a 20 GiB max_bytes with discard new; a season's busiest "
        "weeks filled it and JetStream now refuses every publish; access-control cannot record scans and "
        "pos-sync cannot publish sales; raise max_bytes (or shorten max_age)",
    )
    f.effects += [
        Effect("nats", "disk_utilization", filling, 0.99, relative=False, ramp=at - filling),
        Effect("access-control", "error_ratio", at, 0.6, relative=False),
    ]
    f.bursts += [
        Burst("nats", at, 6, "warn", "[1] {nats} [WRN] JetStream resource limits exceeded for account: \"PISTE\""),
        Burst("access-control", at, 16, "error", "scan event not published||subject=gate.scans.G{k};"
              "error=nats: maximum bytes exceeded"),
        Burst("pos-sync", at + 1 * M, 4, "error", "Publishing sale {hex} to sales.rentals failed: NATS.Client.JetStream"
              ".NatsJSApiException: maximum bytes exceeded (10047)"),
    ]  # fmt: skip
    return f


def wind_hold(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "wind_hold",
        "access-control",
        "no_incident",
        "none",
        "access-control",
        "GateScansDropped",
        "ski patrol put the summit chair and the gondola on wind hold; their gates stop scanning and the resort's "
        "scans fall by about forty percent until the wind drops; no incident",
    )
    f.effects += [Effect("access-control", "request_rate", at, 0.6)]
    f.bursts += [
        Burst("snow-report", at - 1 * M, 0.2, "info", "lift status changed: Summit Express OPEN -> WIND HOLD by "
              "patrol", minutes=5),
        Burst("snow-report", at, 0.2, "info", "lift status changed: Peak Gondola OPEN -> WIND HOLD by patrol",
              minutes=5),
    ]  # fmt: skip
    return f


FAULTS = [powder_day_rush, lift_status_polling, moneris_token_rotated, gate_ca_rotated, passes_n_plus_one,
          jetstream_full, wind_hold]  # fmt: skip
