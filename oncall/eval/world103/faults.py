"""World 103's faults, from certificate, storage, release, connection, provider and deadline incidents at a public
code forge, in its engineers' words: the LDAP VM's server certificate expired and Dex cannot bind, so nobody signs in
(renew LDAP's certificate); SeaweedFS has no writable volume left and LFS pushes and artifacts fail (more volume
servers); a Forgejo release turns on the repository indexer, which indexes every repository at start and pins its
CPU (roll it back); a Woodpecker agent release opens a KeyDB connection per log line it streams and takes every
client KeyDB allows, so Forgejo's sessions fail (roll the agents back); Brevo's relay refuses mail (theirs:
escalate); and the end-of-semester deadline, students' pipelines queueing (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's Argo CD records the sync of its Helm values."""
    if not code:
        code = f"--- a/charts/{svc}/values.yaml\n+++ b/charts/{svc}/values.yaml\n-  tag: {old}\n+  tag: {new}\n"
    ref = f"argocd app sync kuznia-{svc} revision {rng.getrandbits(40):010x}"
    return change_record(at, svc, kind, key, old, new, who, ref=ref, diff=code)


def ldap_certificate_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "ldap_certificate_expired",
        "openldap",
        "expired_credential",
        "config_change",
        "forgejo",
        "ForgejoSignInFailures",
        "the ministry's OpenLDAP VM serves LDAPS with a certificate issued by hand two years ago, which expired at "
        "midnight; Dex refuses the handshake and nobody can sign in; renew the LDAP server's certificate",
    )
    today = t.strftime("%Y-%m-%dT%H:%M:%SZ")
    midnight = t.replace(hour=0, minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    expired = (
        'LDAP Result Code 200 \\"Network Error\\": tls: failed to verify certificate: x509: certificate has expired '
        f"or is not yet valid: current time {today} is after {midnight}"
    )
    f.effects += [
        Effect("dex", "error_ratio", at, 0.85, relative=False),
        Effect("forgejo", "error_ratio", at + M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("dex", at, 6, "error", f"failed to login user|connector_id=ldap error=\"ldap: failed to connect: "
              f"{expired}\""),
        Burst("forgejo", at + M, 3, "error", "routers/web/auth/oauth.go:1012:SignInOAuthCallback()|OAuth2 sign-in "
              "with kuznia-dex failed: oauth2: server response missing access_token (500 Internal Server Error)"),
        Burst("openldap", at, 4, "info", "conn=1{n}{k}{n} fd=2{k} closed (TLS negotiation failure)"),
    ]  # fmt: skip
    return f


def seaweed_no_writable_volumes(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "seaweed_no_writable_volumes",
        "seaweedfs",
        "resource_exhaustion",
        "scale",
        "forgejo",
        "ForgejoLfsErrors",
        "CI artifacts kept for a year filled SeaweedFS' volume servers; the master has no writable volume left, every "
        "LFS push and artifact upload fails; add volume servers (then shorten the artifacts' retention)",
    )
    f.effects += [
        Effect("seaweedfs", "disk_utilization", t - 400 * M, 0.99, relative=False, ramp=395 * M),
        Effect("seaweedfs", "error_ratio", at, 0.6, relative=False),
        Effect("forgejo", "error_ratio", at, 0.08, relative=False),
        Effect("agents", "error_ratio", at, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("seaweedfs", at, 6, "error", "master_grpc_server_volume.go:{n}|no more writable volumes for collection "
              "\"lfs\" replication 001"),
        Burst("seaweedfs", at, 3, "warn", "disk_location.go:4{n}|volume server 10.2.{k}.{n}:8080 disk free 0.4%, "
              "marking all volumes readonly"),
        Burst("forgejo", at, 4, "error", "services/lfs/server.go:3{n}{k}:UploadHandler()|Error putting LFS MetaObject "
              "[{h8}] into content store: failed to assign a file id: no writable volumes"),
        Burst("agents", at, 5, "error", "artifact upload failed|step=build error=\"assign fid: no writable volumes\""),
    ]  # fmt: skip
    return f


def forgejo_indexer_release(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "forgejo_indexer_release",
        "forgejo",
        "recent_change",
        "rollback",
        "forgejo",
        "ForgejoSlowResponses",
        "Forgejo 9.0.2's values turn on the repository indexer (bleve); at start every pod indexes all 18,000 "
        "repositories, its CPU is pinned and pages time out; roll the values back, index on one pod at night",
    )
    diff = (
        "--- a/charts/forgejo/values.yaml\n+++ b/charts/forgejo/values.yaml\n   indexer:\n"
        "-    REPO_INDEXER_ENABLED: false\n+    REPO_INDEXER_ENABLED: true\n+    REPO_INDEXER_TYPE: bleve\n"
        "-  tag: 9.0.1\n+  tag: 9.0.2\n"
    )
    f.changes.append(change(at - 2 * M, "forgejo", "deploy", "tag", "9.0.1", "9.0.2", rng, "argocd", diff))
    f.effects += [
        Effect("forgejo", "cpu_utilization", at, 0.99, relative=False),
        Effect("forgejo", "latency_p99", at, 14.0),
        Effect("forgejo", "error_ratio", at + M, 0.1, relative=False),
        Effect("woodpecker", "latency_p99", at + M, 4.0),
    ]
    f.bursts += [
        Burst("forgejo", at - M, 1, "info", "modules/indexer/code/indexer.go:1{n}{k}:Init()|Initializing Repository "
              "Indexer at: /data/indexers/repos.bleve", minutes=2),
        Burst("forgejo", at, 8, "info", "modules/indexer/code/indexer.go:2{n}{k}:index()|Indexing repository "
              "{org}/{k}{n}-portal ({n}{k}{n} files)"),
        Burst("forgejo", at + M, 3, "warn", "routers/common/middleware.go:1{n}{k}:ServeHTTP()|slow request GET "
              "/{org}/{k}{n}-portal/src/branch/main took {k}{n}.{k}s"),
    ]  # fmt: skip
    return f


def agents_connection_per_line(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "agents_connection_per_line",
        "agents",
        "recent_change",
        "rollback",
        "forgejo",
        "ForgejoSessionErrors",
        "the Woodpecker agents' 3.1.0 streams each log line over a KeyDB connection of its own and closes none; "
        "within minutes they hold every one of KeyDB's 10,000 clients and Forgejo's and Woodpecker's session "
        "lookups are refused; roll the agents back",
    )
    f.changes.append(change(at - 3 * M, "agents", "deploy", "tag", "3.0.4", "3.1.0", rng, "argocd"))
    refused = "ERR max number of clients reached"
    f.effects += [
        Effect("keydb", "pool_utilization", at, 1.0, relative=False, ramp=2 * M),
        Effect("forgejo", "error_ratio", at + M, 0.2, relative=False),
        Effect("woodpecker", "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("forgejo", at + M, 5, "error", "modules/session/store.go:8{k}:Get()|session store: failed to read "
              f"session: {refused}"),
        Burst("woodpecker", at + M, 4, "error", f"failed to publish pipeline update|repo={{org}}/{{k}}{{n}}-api "
              f"error=\"{refused}\""),
        Burst("agents", at, 2, "warn", "log stream reconnect|step=build attempt={k}"),
    ]  # fmt: skip
    return f


def brevo_relay_refuses(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "brevo_relay_refuses",
        "brevo",
        "dependency_failure",
        "escalate",
        "forgejo",
        "ForgejoMailQueueGrowing",
        "Brevo's SMTP relay answers every message with a temporary refusal (their incident); notifications and "
        "sign-up mails queue in Forgejo; theirs: escalate",
    )
    f.effects += [Effect("forgejo", "error_ratio", at, 0.03, relative=False)]
    f.bursts += [
        Burst("forgejo", at, 5, "error", "services/mailer/mailer.go:3{n}{k}:Send()|Failed to send emails "
              "[jan.{h4}@{org}.gov.pl]: failed to send mail: 421 4.3.0 Service temporarily unavailable, try again "
              "later (smtp-relay.brevo.com:587)"),
        Burst("forgejo", at + M, 1, "warn", "modules/queue/workergroup.go:2{n}:doWorkerHandle()|mail queue: "
              "{k}{n}{k} items waiting"),
    ]  # fmt: skip
    f.failing_calls.append(("forgejo", "brevo"))
    return f


def semester_deadline(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "semester_deadline",
        "woodpecker",
        "no_incident",
        "none",
        "woodpecker",
        "CiQueueLong",
        "the universities' semester deadline at midnight: students push at once, pipelines queue for a few minutes "
        "while the agents' autoscaler adds nodes; every pipeline runs (no incident)",
    )
    f.changes.append(change(at + 2 * M, "agents", "scale", "replicas", "8", "24", rng, "cluster-autoscaler",
                            "cluster-autoscaler: scale-up node-pool b2-15 from 3 to 7 nodes\n"))  # fmt: skip
    f.effects += [
        Effect("forgejo", "request_rate", at, 3.0),
        Effect("woodpecker", "request_rate", at, 4.0),
        Effect("woodpecker", "latency_p99", at, 2.5, until=at + 14 * M),
        Effect("agents", "cpu_utilization", at, 0.9, relative=False, until=at + 10 * M),
    ]
    f.bursts += [
        Burst("woodpecker", at, 30, "info", "pipeline queued|repo={org}/{k}{n}-lab pipeline={n}{k}{n} waiting={n}"),
        Burst("forgejo", at, 20, "info", "modules/queue/workergroup.go:219:doStartNewWorker()|push_update: "
              "{k} pushes processed"),
    ]  # fmt: skip
    f.events.append(KEvent("agents", "FailedScheduling", "0/3 nodes are available: 3 Insufficient cpu. "
                           "preemption: 0/3 nodes are available", at + M, minutes=3, per_minute=2))  # fmt: skip
    return f


FAULTS = [ldap_certificate_expired, seaweed_no_writable_volumes, forgejo_indexer_release, agents_connection_per_line,
          brevo_relay_refuses, semester_deadline]  # fmt: skip
