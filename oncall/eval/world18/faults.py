"""World 18's faults, from public postmortems, none of them a shape an earlier world wrote: a WAF rule
set raised to a stricter level that refuses ordinary bookings (the service behind it sees its traffic
fall, not fail); a client library upgrade that no longer speaks the old TLS version a partner's rates
API insists on; a release that renamed its cache keys, so every read misses and the database takes
them all; a release whose threads deadlock, so the service goes quiet and its caller times out; a
reporting job's new export query that holds the booking database's CPU while reporting itself is
fine; and a synthetic login check failing on its own test account's expired password (no incident)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


@dataclass
class Hang(Fault):
    """A fault whose service logs nothing from `quiet_from` on (its threads are all blocked)."""

    quiet_from: datetime | None = None


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"services/{svc}/{'waf/crs-setup.conf' if kind == 'config' and svc == 'waf' else 'release.yaml'}"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key} {old}",
        "to": f"{key} {new}",
        "author": who,
        "ref": f"PR-{rng.randint(1000, 9999)}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -7,1 +7,1 @@\n-{key} {old}\n+{key} {new}\n",
    }


def waf_paranoia_raised(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "waf_paranoia_raised",
        "waf",
        "recent_change",
        "rollback",
        "booking-api",
        "BookingsBelowForecast",
        "the WAF's core rule set went from paranoia level 1 to 3; its SQL-injection rules match ordinary "
        "passenger names with apostrophes and refuse those bookings with 403",
    )
    f.changes.append(change(at - 2 * M, "waf", "config", "tx.paranoia_level", "1", "3", rng, "secops"))
    f.effects += [
        Effect("booking-api", "request_rate", at, 0.45),
        Effect("gateway", "request_rate", at, 0.8),
    ]
    f.bursts += [
        Burst("waf", at, 30, "warn", 'ModSecurity: Access denied with code 403 (phase 2). Matched "Operator `Rx\' '
              "with parameter ... against variable `ARGS:passenger.lastName' (Value: `O'Brien' ) [file "
              '"/etc/modsecurity/crs/rules/REQUEST-942-APPLICATION-ATTACK-SQLI.conf"] [id "942432"] [msg '
              '"Restricted SQL Character Anomaly Detection (args): # of special characters exceeded (2)"] '
              '[paranoia-level "3"] [uri "/api/bookings"]'),
        Burst("waf", at, 30, "info", "POST /api/bookings 403"),
    ]  # fmt: skip
    return f


def tls_too_new_for_partner(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "tls_too_new_for_partner",
        "pricing",
        "recent_change",
        "rollback",
        "booking-api",
        "HighErrorRate",
        "pricing's new base image brought OpenSSL 3, which refuses the TLS 1.0 the partner's currency-rates "
        "API still speaks; every quote in a foreign currency fails",
        also_accept=["network"],
    )
    f.changes.append(change(at - 3 * M, "pricing", "deploy", "image:", "python:3.11-slim-bullseye",
                            "python:3.12-slim-bookworm", rng, "renovate-bot"))  # fmt: skip
    f.effects += [
        Effect("pricing", "error_ratio", at, 0.42, relative=False),
        Effect("booking-api", "error_ratio", at + M, 0.16, relative=False),
    ]
    f.bursts += [
        Burst("pricing", at, 15, "error", "quote failed: httpx.ConnectError: [SSL: UNSUPPORTED_PROTOCOL] "
              "unsupported protocol (_ssl.c:1000) while calling https://rates.fx-partner.example/v1/latest"),
        Burst("booking-api", at + M, 6, "error", "Booking failed: org.springframework.web.client."
              "HttpServerErrorException$BadGateway: 502 Bad Gateway from POST http://pricing/v1/quote"),
    ]  # fmt: skip
    f.failing_calls.append(("pricing", "fx-rates"))
    return f


def cache_keys_renamed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "cache_keys_renamed",
        "inventory",
        "recent_change",
        "rollback",
        "booking-api",
        "HighLatency",
        "inventory's release renamed its cache keys (avail:v2 to avail:v3); every read misses, goes to "
        "inventory-db, and the database's CPU is pinned",
    )
    f.changes.append(change(at - 2 * M, "inventory", "deploy", "version:", "4.18.3", "4.19.0", rng, "ci"))
    f.effects += [
        Effect("inventory-db", "cpu_utilization", at, 0.96, relative=False),
        Effect("inventory-db", "latency_p99", at, 30.0),
        Effect("inventory", "latency_p99", at, 12.0),
        Effect("search", "latency_p99", at + M, 5.0),
        Effect("booking-api", "latency_p99", at + M, 4.0),
    ]
    slow = ("@inventory@inventory LOG:  duration: 1840.221 ms  statement: SELECT * FROM availability WHERE "
            "hotel_id = 7711 AND day BETWEEN $1 AND $2")  # fmt: skip
    f.bursts.append(Burst("inventory-db", at, 20, "info", slow))
    return f


def threads_deadlock(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Hang(
        "threads_deadlock",
        "notifications",
        "recent_change",
        "rollback",
        "booking-api",
        "HighErrorRate",
        "notifications' release takes two locks in opposite orders on the send path; within minutes every "
        "worker thread is blocked, it answers nothing and logs nothing, and booking-api's calls to it time out",
    )
    f.changes.append(change(at - 6 * M, "notifications", "deploy", "version:", "2.7.4", "2.8.0", rng, "ci"))
    f.effects += [
        Effect("notifications", "request_rate", at, 0.02),
        Effect("notifications", "latency_p99", at, 60.0),
        Effect("notifications", "cpu_utilization", at, 0.03, relative=False),
        Effect("booking-api", "error_ratio", at + M, 0.12, relative=False),
        Effect("booking-api", "latency_p99", at + M, 8.0),
    ]
    timeout = ("Booking confirmation not sent: java.net.SocketTimeoutException: Read timed out (POST "
               "http://notifications/v1/send)")  # fmt: skip
    f.bursts.append(Burst("booking-api", at + M, 10, "error", timeout))
    f.quiet_from = at
    return f


def export_query_hogs_db(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "export_query_hogs_db",
        "reporting",
        "recent_change",
        "rollback",
        "booking-api",
        "HighLatency",
        "reporting's release added a partner export that joins every booking with its payments each run; "
        "booking-db's CPU is held and booking-api's queries wait",
    )
    f.changes.append(change(at - 3 * M, "reporting", "deploy", "version:", "1.31.0", "1.32.0", rng, "ci"))
    f.effects += [
        Effect("booking-db", "cpu_utilization", at, 0.97, relative=False),
        Effect("booking-api", "latency_p99", at, 9.0),
        Effect("booking-api", "error_ratio", at + M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("booking-db", at, 1, "info", "@reporting@booking LOG:  duration: 52311.940 ms  statement: SELECT "
              "b.*, p.* FROM bookings b JOIN payments p ON p.booking_id = b.id ORDER BY b.created_at"),
        Burst("booking-db", at + M, 6, "error", "@booking-api@booking ERROR:  canceling statement due to "
              "statement timeout"),
        Burst("booking-api", at + M, 4, "error", "Booking failed: org.postgresql.util.PSQLException: ERROR: "
              "canceling statement due to statement timeout"),
    ]  # fmt: skip
    return f


def synthetic_account_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 20) * M
    f = Fault(
        "synthetic_account_expired",
        "auth",
        "no_incident",
        "none",
        "auth",
        "SyntheticLoginJourneyFailing",
        "the synthetic login check's own test account reached its 90-day password expiry; the check fails "
        "every minute while real users log in as usual",
    )
    f.bursts.append(Burst("auth", at, 1, "warn", "login refused for synthetic-monitor@travel.example: password "
                          "expired, change required"))  # fmt: skip
    return f


FAULTS = [waf_paranoia_raised, tls_too_new_for_partner, cache_keys_renamed, threads_deadlock,
          export_query_hogs_db, synthetic_account_expired]  # fmt: skip
