"""World 33's faults, from public postmortems and Cloud Foundry operators' write-ups, in this estate's words:
a buildpack upgrade whose memory calculator gave the claims API a smaller heap at restage, so it runs out of
heap and crashes; an application security group change that dropped the policy service's egress to its
database; a hailstorm's claims (real load) outrunning the document generator; the credit bureau timing out;
the claims API's fraud-screening key reaching its expiry date; a blue-green pipeline that left the quote
service's route mapped to nothing; and the platform team's rolling upgrade of the cells, which restarts
every instance once (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"apps/{svc}/manifest.yml" if kind != "security_group" else "spaces/prod/asgs.json"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"concourse build {rng.randint(3000, 8999)}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -6 +6 @@\n-  {key}: {old}\n+  {key}: {new}\n",
    }


def buildpack_heap_shrunk(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "buildpack_heap_shrunk",
        "claims-api",
        "recent_change",
        "rollback",
        "claims-api",
        "ClaimsApiInstancesCrashing",
        "the platform team's Java buildpack upgrade changed its memory calculator; at restage the claims API got "
        "-Xmx412M instead of -Xmx780M and runs out of heap under ordinary load, crashing one instance after another",
    )
    old, new = "java_buildpack_offline v4.66.0", "java_buildpack_offline v4.69.0"
    f.changes.append(change(at - rng.randint(2, 4) * M, "claims-api", "buildpack", "buildpacks", old, new, rng,
                            "cf-platform"))  # fmt: skip
    f.effects += [
        Effect("claims-api", "memory_utilization", at, 0.98, relative=False),
        Effect("claims-api", "restarts", at + M, 3, relative=False),
        Effect("claims-api", "error_ratio", at + M, 0.3, relative=False),
        Effect("portal", "error_ratio", at + 2 * M, 0.08, relative=False),
    ]
    f.bursts += [
        Burst("claims-api", at - 2 * M, 1, "info", "STG: JVM Memory Configuration: -Xmx412M -Xss1M "
              "-XX:ReservedCodeCacheSize=240M -XX:MaxDirectMemorySize=10M -XX:MaxMetaspaceSize=143M", minutes=1),
        Burst("claims-api", at, 8, "error", "o.a.c.c.C.[.[.[/].[dispatcherServlet] : Servlet.service() for servlet "
              "[dispatcherServlet] threw exception java.lang.OutOfMemoryError: Java heap space"),
        Burst("claims-api", at + M, 1, "info", "CELL: Exit status 137 (out of memory)"),
        Burst("claims-api", at + M, 1, "info", 'API: Process has crashed with type: "web"'),
    ]  # fmt: skip
    return f


def asg_egress_removed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "asg_egress_removed",
        "policy-svc",
        "recent_change",
        "rollback",
        "portal",
        "PortalPolicyPagesFailing",
        "a change to the prod space's application security group dropped the rule letting the policy service "
        "reach its database's network; every query times out connecting and the portal's policy pages fail",
    )
    f.changes.append(change(at - 2 * M, "policy-svc", "security_group", "egress", "10.30.0.0/24 tcp 5432",
                            "(rule removed)", rng, "cf-security"))  # fmt: skip
    f.effects += [
        Effect("policy-svc", "error_ratio", at, 0.6, relative=False),
        Effect("policy-svc", "latency_p99", at, 60.0),
        Effect("portal", "error_ratio", at + M, 0.2, relative=False),
        Effect("quote-web", "error_ratio", at + M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("policy-svc", at, 30, "error", 'policy.store:could not reach the database: connection to server at '
              '"10.30.0.12", port 5432 failed: Connection timed out'),
        Burst("portal", at + M, 10, "error", "Faraday::TimeoutError (Net::ReadTimeout with #<TCPSocket:(closed)>) "
              "calling policy-svc GET /v1/policies"),
    ]  # fmt: skip
    f.failing_calls.append(("policy-svc", "policy-db"))
    return f


def storm_claims_surge(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "storm_claims_surge",
        "docs-gen",
        "capacity",
        "scale",
        "docs-gen",
        "ClaimDocumentsDelayed",
        "a hailstorm brought four times the usual first notices of loss; the document generator's three "
        "instances cannot render the claim packs as fast as they arrive and the queue grows",
    )
    f.effects += [
        Effect("claims-api", "request_rate", at - 25 * M, 4.0, ramp=10 * M),
        Effect("portal", "request_rate", at - 25 * M, 2.0, ramp=10 * M),
        Effect("docs-gen", "request_rate", at - 20 * M, 3.0, ramp=5 * M),
        Effect("docs-gen", "cpu_utilization", at - 15 * M, 0.97, relative=False),
        Effect("docs-gen", "latency_p99", at - 10 * M, 8.0),
    ]
    f.bursts += [
        Burst("claims-api", at - 25 * M, 30, "info", "c.h.claims.FnolController : first notice of loss received: "
              "peril=HAIL region=TX-North", minutes=40),
        Burst("docs-gen", at, 4, "warn", "render queue behind: 18422 messages waiting, oldest 412s"),
    ]  # fmt: skip
    return f


def bureau_timeouts(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "bureau_timeouts",
        "bureau",
        "dependency_failure",
        "escalate",
        "quote-web",
        "QuoteLatencyHigh",
        "the credit bureau's scoring API stopped answering within the quote service's 10 s timeout; every "
        "home and motor quote waits for it and then fails",
    )
    f.effects += [
        Effect("quote-web", "latency_p99", at, 30.0),
        Effect("quote-web", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts.append(Burst("quote-web", at, 15, "error", "credit score lookup failed: ETIMEDOUT after 10000ms "
                          "(provider bureau)"))  # fmt: skip
    f.failing_calls.append(("quote-web", "bureau"))
    return f


def fraud_key_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "fraud_key_expired",
        "claims-api",
        "expired_credential",
        "config_change",
        "claims-api",
        "ClaimsSubmissionErrors",
        "the fraud-screening partner's API key in the claims API's user-provided service reached its expiry "
        "date; every claim submission is refused at screening",
    )
    f.effects.append(Effect("claims-api", "error_ratio", at, 0.5, relative=False))
    f.bursts.append(Burst("claims-api", at, 12, "error", "c.h.claims.fraud.FraudClient : fraud screening refused: 401 "
                          'Unauthorized {"error":"key_expired","message":"API key ck_live_7f3a expired"}'))  # fmt: skip
    f.failing_calls.append(("claims-api", "fraud-check"))
    return f


def route_unmapped(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "route_unmapped",
        "quote-web",
        "recent_change",
        "rollback",
        "quote-web",
        "QuoteSiteDown",
        "the blue-green pipeline's last step mapped the quote route to the green app's name, which it had "
        "already deleted; the router answers 404 unknown_route and no request reaches the quote service",
    )
    f.changes.append(change(at - M, "quote-web", "route", "routes", "quote.apps.harbourmutual.example.com",
                            "quote-green.apps.harbourmutual.example.com", rng, "concourse"))  # fmt: skip
    f.effects += [
        Effect("quote-web", "request_rate", at, 0.02, ramp=0 * M),
        Effect("portal", "error_ratio", at + M, 0.25, relative=False),
    ]
    f.bursts.append(Burst("portal", at, 15, "error", "Faraday::ResourceNotFound (the server responded with status "
                          "404) GET https://quote.apps.harbourmutual.example.com/v1/quote"))  # fmt: skip
    return f


def cell_evacuation(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "cell_evacuation",
        "claims-api",
        "no_incident",
        "none",
        "claims-api",
        "ClaimsApiInstanceRestarts",
        "the platform team's rolling upgrade of the Diego cells evacuated each instance once: every app "
        "restarted one instance at a time while serving normally (no incident)",
    )
    for i, svc in enumerate(("claims-api", "portal", "policy-svc")):
        start = at + i * M
        f.effects.append(Effect(svc, "restarts", start, 2, relative=False, ramp=0 * M, until=start + 8 * M))
        f.bursts += [
            Burst(svc, start, 0.5, "info", "CELL: Cell 4c1e9a evacuating: requesting replacement for this instance",
                  minutes=6),
            Burst(svc, start + M, 0.5, "info", "CELL: Cell 9b27d0 successfully created container for instance",
                  minutes=6),
        ]  # fmt: skip
    return f


FAULTS = [buildpack_heap_shrunk, asg_egress_removed, storm_claims_surge, bureau_timeouts, fraud_key_expired,
          route_unmapped, cell_evacuation]  # fmt: skip
