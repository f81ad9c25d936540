"""World 39's faults, from code-hosting and CI providers' postmortems, in this estate's words: a Terraform
change taking the runner manager's permission to start machines, so jobs stay pending; Docker Hub's pull rate
limit refusing the runners' image pulls; one monorepo's enormous push keeping Gitaly's CPU busy for everyone
(real load); a Sidekiq release whose pipeline worker raises on every pipeline; the object store's access key
rotated while Workhorse still signs with the old one; the registry's certificate renewed for the wrong name;
and the nightly scheduled pipelines filling the job queue for ten minutes (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"environments/prod/{svc}.tf" if kind == "iam" else f"values/{svc}.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key} = {old}",
        "to": f"{key} = {new}",
        "author": who,
        "ref": f"{rng.getrandbits(28):07x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -14 +14 @@\n-  {key} = {old}\n+  {key} = {new}\n",
    }


def runner_iam_narrowed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "runner_iam_narrowed",
        "runner-manager",
        "recent_change",
        "rollback",
        "runner-manager",
        "JobsPendingTooLong",
        "a Terraform change meant to tighten the runner manager's role dropped ec2:RunInstances; it can start "
        "no machine, and every job waits in the queue",
    )
    f.also_accept.append("permission_denied")
    f.changes.append(change(at - 4 * M, "runner-manager", "iam", "actions",
                            '["ec2:RunInstances", "ec2:TerminateInstances"]', '["ec2:TerminateInstances"]', rng,
                            "terraform"))  # fmt: skip
    f.effects += [
        Effect("runner-manager", "error_ratio", at, 0.8, relative=False),
        Effect("runner-manager", "request_rate", at, 0.3),
    ]
    f.bursts.append(Burst("runner-manager", at, 6, "error", "failed to provision machine: operation error EC2: "
                          "RunInstances, https response error StatusCode: 403, api error UnauthorizedOperation: "
                          "You are not authorized to perform this operation."))  # fmt: skip
    return f


def hub_rate_limit(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "hub_rate_limit",
        "dockerhub",
        "dependency_failure",
        "escalate",
        "runner-manager",
        "JobFailureRateHigh",
        "Docker Hub began refusing the runners' anonymous pulls at its rate limit; every job whose image comes "
        "from it fails before it starts",
    )
    f.effects.append(Effect("runner-manager", "error_ratio", at, 0.35, relative=False))
    pulled = (
        'Job failed (system failure): failed to pull image \\"node:20\\": toomanyrequests: You have reached your '
        "pull rate limit. You may increase the limit by authenticating and upgrading"
    )
    f.bursts.append(Burst("runner-manager", at, 20, "error", pulled))
    f.failing_calls.append(("runner-manager", "dockerhub"))
    return f


def monorepo_push(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "monorepo_push",
        "gitaly",
        "capacity",
        "scale",
        "webservice",
        "GitOperationsSlow",
        "a team pushed a monorepo's full history (40 GB) and its clones began at once across two hundred jobs; "
        "Gitaly's CPU is taken and every repository's operations queue",
    )
    f.effects += [
        Effect("gitaly", "request_rate", at - 10 * M, 4.0, ramp=5 * M),
        Effect("gitaly", "cpu_utilization", at - 6 * M, 0.98, relative=False),
        Effect("gitaly", "latency_p99", at - 5 * M, 20.0),
        Effect("webservice", "latency_p99", at - 4 * M, 8.0),
        Effect("webservice", "error_ratio", at, 0.05, relative=False),
    ]
    f.bursts.append(Burst("gitaly", at - 5 * M, 4, "warn", "concurrency queue wait: /gitaly.SmartHTTPService/"
                          "PostUploadPackWithSidechannel queued 8.2s (limit 20 in flight)"))  # fmt: skip
    return f


def pipeline_worker_raises(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "pipeline_worker_raises",
        "sidekiq",
        "recent_change",
        "rollback",
        "sidekiq",
        "PipelinesStuck",
        "a Sidekiq release's pipeline worker calls a method the new model no longer has; every pipeline stays "
        "created and none of its jobs start",
    )
    f.changes.append(change(at - 2 * M, "sidekiq", "deploy", "image.tag", '"16.8.1"', '"16.8.2"', rng, "helm"))
    f.effects.append(Effect("sidekiq", "error_ratio", at, 0.4, relative=False))
    f.bursts.append(Burst("sidekiq", at, 25, "error", "Pipelines::ProcessWorker JID-4a1b fail: NoMethodError: "
                          "undefined method `stage_idx' for an instance of Ci::Build"))  # fmt: skip
    return f


def objectstore_key_rotated(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "objectstore_key_rotated",
        "workhorse",
        "expired_credential",
        "config_change",
        "workhorse",
        "ArtifactUploadsFailing",
        "the object store's access key was rotated on schedule; Workhorse's secret still holds the old one, so "
        "every artifact upload it signs is refused",
    )
    f.effects.append(Effect("workhorse", "error_ratio", at, 0.25, relative=False))
    f.bursts.append(Burst("workhorse", at, 15, "error", "artifact upload failed: PUT https://objects.example/"
                          "artifacts/412/88213: 403 SignatureDoesNotMatch: The request signature we calculated "
                          "does not match the signature you provided"))  # fmt: skip
    return f


def registry_cert_name(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "registry_cert_name",
        "registry",
        "recent_change",
        "rollback",
        "runner-manager",
        "JobFailureRateHigh",
        "the registry's certificate was renewed from the wrong request and names only the forge's main host; "
        "every runner refuses the registry's handshake when it pulls a project's image",
    )
    f.changes.append(change(at - 2 * M, "registry", "secret", "tls.commonName", '"registry.buildyard.example"',
                            '"buildyard.example"', rng, "cert-manager"))  # fmt: skip
    f.effects += [
        Effect("runner-manager", "error_ratio", at, 0.3, relative=False),
        Effect("registry", "request_rate", at, 0.4),
    ]
    refused = (
        'Job failed (system failure): Error response from daemon: Get \\"https://registry.buildyard.example/v2/\\": '
        "tls: failed to verify certificate: x509: certificate is valid for buildyard.example, not "
        "registry.buildyard.example"
    )
    f.bursts.append(Burst("runner-manager", at, 15, "error", refused))
    return f


def nightly_schedules(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "nightly_schedules",
        "runner-manager",
        "no_incident",
        "none",
        "runner-manager",
        "PendingJobsHigh",
        "the nightly scheduled pipelines start at midnight; pending jobs rose past the alert's threshold while "
        "machines started, and drained within ten minutes (no incident)",
    )
    f.effects += [
        Effect("runner-manager", "request_rate", at - 5 * M, 3.0, ramp=3 * M),
        Effect("webservice", "request_rate", at - 5 * M, 1.6, ramp=3 * M),
    ]
    return f


FAULTS = [runner_iam_narrowed, hub_rate_limit, monorepo_push, pipeline_worker_raises, objectstore_key_rotated,
          registry_cert_name, nightly_schedules]  # fmt: skip
