"""World 109's faults, from memory, database, credential, capacity, provider, batch and egress incidents at a Lyon
library network on GKE Autopilot, in its engineers' words: ebooks' release cutting its memory limit below what its
EPUB repackaging needs (roll it back); a cost-saving Terraform change moving Cloud SQL to a smaller tier, whose
lower max_connections the services' pools no longer fit in (roll it back); Cantook expiring the API token ebooks
signs its loan requests with (a new token); the rentrée littéraire's first Saturday holding lending at its
maximum replicas (more capacity); Cantook's API failing (theirs: escalate); search's nightly re-index of the
catalogue (no incident); the Cloud NAT gateway out of ports for ebooks' bursts of connections to Cantook (more NAT
ports)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record

VALUES = "deploy/{svc}/values.yaml"


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's deploy log keeps it: the Cloud Deploy release that rolled it out, and the diff."""
    path = VALUES.format(svc=svc)
    if not code:
        code = f"--- a/{path}\n+++ b/{path}\n-  {key}: {old}\n+  {key}: {new}\n"
    ref = f"gcloud deploy releases create rel-{rng.getrandbits(28):07x} --delivery-pipeline={svc} ({who})"
    return change_record(at, svc, kind, key, old, new, who, ref=ref, diff=code)


def ebooks_memory_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "ebooks_memory_cut",
        "ebooks",
        "recent_change",
        "rollback",
        "ebooks",
        "BibliEbooksLoansFailing",
        "ebooks' release lowered its memory limit from 1Gi to 384Mi with Autopilot's cost review; repackaging an "
        "EPUB with its illustrations takes more, so the container is OOM-killed mid-loan and restarts; roll it back",
    )
    f.changes.append(change(at - 3 * M, "ebooks", "deploy", "resources.limits.memory", "1Gi", "384Mi", rng, "camille"))
    f.effects += [
        Effect("ebooks", "memory_utilization", at - 2 * M, 0.99, relative=False, ramp=2 * M),
        Effect("ebooks", "restarts", at, 4.0, relative=False),
        Effect("ebooks", "error_ratio", at, 0.35, relative=False),
        Effect("opac", "error_ratio", at + M, 0.04, relative=False),
    ]
    f.bursts += [
        Burst("ebooks", at, 2, "info", "repackaging epub|title=ean:97820{n}{k}{n}77{k}|size_mb={k}{n}"),
        Burst("opac", at + M, 3, "error", "POST /api/prets-numeriques 502 {k}{n}ms"),
    ]
    f.events.append(KEvent("ebooks", "BackOff", "Back-off restarting failed container ebooks in pod ebooks",
                           at, terminated="OOMKilled"))  # fmt: skip
    return f


def cloudsql_tier_downsized(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "cloudsql_tier_downsized",
        "postgres",
        "recent_change",
        "rollback",
        "lending",
        "BibliLendingErrors",
        "a cost-saving Terraform change moved the Cloud SQL instance from db-custom-4-16384 to db-custom-2-7680; "
        "its max_connections follows the memory and fell from 400 to 200, fewer than the services' pools open "
        "between them, so new connections are refused; roll the tier back",
    )
    diff = (
        "--- a/terraform/cloudsql.tf\n+++ b/terraform/cloudsql.tf\n"
        ' resource "google_sql_database_instance" "bibli" {\n   settings {\n'
        '-    tier = "db-custom-4-16384"\n+    tier = "db-custom-2-7680"\n'
    )
    f.changes.append(change_record(at - 2 * M, "postgres", "config", "tier", "db-custom-4-16384", "db-custom-2-7680",
                                   "theo", ref="terraform apply (Cloud Build infra-main)", diff=diff))  # fmt: skip
    f.effects += [
        Effect("lending", "error_ratio", at, 0.4, relative=False),
        Effect("catalog", "error_ratio", at + M, 0.2, relative=False),
        Effect("postgres", "pool_utilization", at, 1.0, relative=False),
        Effect("lending", "latency_p99", at, 4.0),
    ]
    f.bursts += [
        Burst("postgres", at, 6, "error", "FATAL:  remaining connection slots are reserved for non-replication "
              "superuser connections"),
        Burst("lending", at, 5, "error", "Hold failed|branch={branch}|error=psycopg.OperationalError: connection "
              "failed: FATAL:  remaining connection slots are reserved for non-replication superuser connections"),
        Burst("catalog", at + M, 3, "error", "DBI connect('dbname=bibli;host=10.80.0.3','catalog',...) failed: "
              "FATAL:  remaining connection slots are reserved for non-replication superuser connections"),
    ]  # fmt: skip
    return f


def cantook_token_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "cantook_token_expired",
        "ebooks",
        "expired_credential",
        "config_change",
        "ebooks",
        "BibliEbooksLoansFailing",
        "the API token Cantook issued a year ago for ebooks' loan requests expired at midnight; every loan is "
        "refused 401; put a new token in ebooks' secret",
    )
    f.effects += [
        Effect("ebooks", "error_ratio", at, 0.6, relative=False),
        Effect("opac", "error_ratio", at + M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("ebooks", at, 5, "error", 'loan refused by cantook|status=401|body={"error":"token_expired",'
              '"message":"API token expired on 2029-11-30"}|title=ean:97820{n}{k}{n}77{k}'),
        Burst("opac", at + M, 3, "error", "POST /api/prets-numeriques 502 {k}{n}ms"),
    ]  # fmt: skip
    f.failing_calls.append(("ebooks", "cantook"))
    return f


def rentree_saturday_holds(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "rentree_saturday_holds",
        "lending",
        "capacity",
        "scale",
        "lending",
        "BibliLendingSlow",
        "the first Saturday after the rentrée littéraire's prize lists: holds on the shortlisted novels tripled "
        "and lending has been at its autoscaler's eight replicas since, its CPU at the limit; raise the maximum",
    )
    f.effects += [
        Effect("lending", "request_rate", at - 30 * M, 3.0, ramp=20 * M),
        Effect("opac", "request_rate", at - 30 * M, 2.2, ramp=20 * M),
        Effect("lending", "cpu_utilization", at - 15 * M, 0.97, relative=False, ramp=10 * M),
        Effect("lending", "latency_p99", at, 5.5),
        Effect("opac", "latency_p99", at + M, 2.5),
    ]
    f.bursts += [
        Burst("lending", at, 3, "warn", "Hold queue slow|branch={branch}|wait_ms=3{k}{n}0|queue={n}"),
    ]
    return f


def cantook_api_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "cantook_api_down",
        "cantook",
        "dependency_failure",
        "escalate",
        "ebooks",
        "BibliEbooksLoansFailing",
        "Cantook's lending API answers 503 (their incident, on their status page); e-book loans cannot start; "
        "theirs: escalate, say so on the catalogue",
    )
    f.effects += [
        Effect("ebooks", "error_ratio", at, 0.55, relative=False),
        Effect("opac", "error_ratio", at + M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("ebooks", at, 5, "error", "loan request failed|status=503|url=https://api.cantook.net/v2/loans|"
              "title=ean:97820{n}{k}{n}77{k}|attempt={k}"),
    ]  # fmt: skip
    f.failing_calls.append(("ebooks", "cantook"))
    return f


def nightly_reindex(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "nightly_reindex",
        "search",
        "no_incident",
        "none",
        "search",
        "BibliSearchLatency",
        "search's nightly re-index of the catalogue's 1.9 million records: Meilisearch's p99 rises while it "
        "indexes; every query is answered (no incident)",
    )
    f.effects += [
        Effect("search", "latency_p99", at, 3.2, until=at + 40 * M),
        Effect("search", "cpu_utilization", at, 0.85, relative=False, until=at + 40 * M),
    ]
    f.bursts += [
        Burst("search", at, 1, "info", "index_scheduler: A batch of tasks was successfully completed with "
              "{n}{k}000 documents indexed out of 1900000", minutes=30),
    ]  # fmt: skip
    return f


def nat_ports_exhausted(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "nat_ports_exhausted",
        "nat",
        "resource_exhaustion",
        "scale",
        "ebooks",
        "BibliEbooksLoansFailing",
        "the Cloud NAT gateway gives each node 64 ports; ebooks' loan sync opens a connection per title to "
        "Cantook, and at the evening's peak its node ran out of NAT ports: new connections are dropped and "
        "time out; raise the gateway's minimum ports per VM (or turn on dynamic port allocation)",
    )
    f.effects += [
        Effect("ebooks", "error_ratio", at, 0.45, relative=False),
        Effect("ebooks", "latency_p99", at, 8.0),
        Effect("opac", "error_ratio", at + M, 0.04, relative=False),
    ]
    f.bursts += [
        Burst("nat", at, 12, "info", "DROPPED|10.52.3.{n}|4{n}{k}0|185.60.{k}.12|443"),
        Burst("ebooks", at, 5, "error", "loan request failed|error=Post \"https://api.cantook.net/v2/loans\": dial "
              "tcp 185.60.{k}.12:443: i/o timeout|title=ean:97820{n}{k}{n}77{k}"),
    ]  # fmt: skip
    return f


FAULTS = [ebooks_memory_cut, cloudsql_tier_downsized, cantook_token_expired, rentree_saturday_holds, cantook_api_down,
          nightly_reindex, nat_ports_exhausted]  # fmt: skip
