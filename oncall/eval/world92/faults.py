"""World 92's faults, from storage, credential, configuration, upgrade, load, network and routine incidents on a
self-managed GitLab, in its administrators' words: a Gitaly node's repository disk full, pushes to the
repositories it holds refused (grow the disk); the LDAP bind account's password expired under the domain's
policy, so nobody signs in and the group sync fails (set the new password in gitlab.rb); gitlab.rb's object
storage endpoint changed to a misspelt host, so no artifact, trace or LFS object is stored (put it back); the
17.6 upgrade's batched background migration rewriting every CI build, PostgreSQL's CPU taken and the site slow
(pause the migration); Renovate's Monday run opening merge requests in three hundred projects, every runner busy and
jobs pending (add runners); a switch port before one Gitaly node flapping, Praefect unable to reach it (the network
team's: escalate); and the nightly backup's load on Gitaly (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M

S = timedelta(seconds=1)
REPOS = "/var/opt/gitlab/git-data/repositories/@cluster/repositories"


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's Ansible runs (gitlab.rb, packages) record it in the change log."""
    run = f"awx-job-{rng.randint(10000, 99999)}"
    if not code:
        code = (
            f"--- a/roles/gitlab/templates/gitlab.rb.j2\n+++ b/roles/gitlab/templates/gitlab.rb.j2\n"
            f"-{key} = {old}\n+{key} = {new}\n"
            if kind == "config"
            else f"apt-get install {key}={new}\n"
        )
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": run,
        "diff": code,
    }


def gitaly_disk_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 11) * M
    f = Fault(
        "gitaly_disk_full",
        "gitaly",
        "resource_exhaustion",
        "scale",
        "gitlab-workhorse",
        "GitPushErrorsHigh",
        "the HIL rig's pipeline commits its test recordings into the repository; gitlab-gitaly-02's git-data disk "
        "filled over the night and every push to a repository it holds is refused; grow the disk (then move the "
        "recordings to LFS)",
    )
    f.effects += [
        Effect("gitaly", "disk_utilization", t - 480 * M, 1.0, relative=False, ramp=480 * M - (t - at)),
        Effect("gitaly", "error_ratio", at, 0.12, relative=False),
        Effect("gitlab-workhorse", "error_ratio", at, 0.08, relative=False),
        Effect("praefect", "error_ratio", at, 0.1, relative=False),
        Effect("sidekiq", "error_ratio", at + M, 0.06, relative=False),
    ]
    enospc = f"write {REPOS}/4b/2e/8812.git/objects/pack/tmp_pack_{{k}}{{n}}: no space left on device"
    f.bursts += [
        Burst("gitaly", at, 5, "error", "host=gitlab-gitaly-02 finished streaming call with code Internal || "
              "grpc.method=PostReceivePack || grpc.service=gitaly.SmartHTTPService || grpc.code=Internal || "
              f"grpc.request.glProjectPath=tools/hil-rig || error=rpc error: code = Internal desc = {enospc}"),
        Burst("gitaly", at + 2 * M, 1, "error", "host=gitlab-gitaly-02 optimizing repository failed || "
              f"grpc.request.glProjectPath=tools/hil-rig || error=repacking objects: {enospc}"),
        Burst("praefect", at, 4, "error", "finished streaming call with code Internal || grpc.method=PostReceivePack "
              "|| grpc.service=gitaly.SmartHTTPService || grpc.code=Internal || virtual_storage=default || "
              f"error=rpc error: code = Internal desc = {enospc}"),
        Burst("gitlab-workhorse", at, 5, "error", "handleReceivePack: copy output of git-receive-pack || "
              "method=POST || uri=/tools/hil-rig.git/git-receive-pack || error=rpc error: code = Internal desc = "
              f"{enospc}"),
        Burst("gitlab-workhorse", at, 5, "info", "access || method=POST || uri=/tools/hil-rig.git/git-receive-pack "
              "|| status=500 || duration_ms={k}{n}12"),
        Burst("sidekiq", at + M, 1, "warn", "job:Projects::GitGarbageCollectWorker fail || error_class=GRPC::Internal"
              f" || error_message=13:repacking objects: {enospc}"),
    ]  # fmt: skip
    return f


def ldap_bind_password_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 12) * M
    f = Fault(
        "ldap_bind_password_expired",
        "gitlab-rails",
        "expired_credential",
        "config_change",
        "gitlab-rails",
        "SignInFailuresHigh",
        "the LDAP bind account svc-gitlab's password reached the domain's 180-day maximum age overnight (AD's "
        "data 532); every LDAP sign-in and the group sync fail; set the new password in gitlab.rb and reconfigure",
    )
    f.effects += [
        Effect("gitlab-rails", "error_ratio", at, 0.16, relative=False),
        Effect("gitlab-workhorse", "error_ratio", at + M, 0.05, relative=False),
        Effect("sidekiq", "error_ratio", at + 3 * M, 0.05, relative=False),
    ]
    bind = (
        "Net::LDAP bind as CN=svc-gitlab,OU=Service Accounts,DC=ads,DC=auerbach-antriebe,DC=de failed: Invalid "
        "Credentials (49): 80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 532, v4563"
    )
    f.bursts += [
        Burst("gitlab-rails", at, 4, "error", f"app:{bind} || provider=ldapmain"),
        Burst("gitlab-rails", at, 4, "info", "req:POST /users/auth/ldapmain/callback 401 "
              "OmniauthCallbacksController#ldapmain || exception.class=Net::LDAP::Error || exception.message="
              f"{bind}"),
        Burst("gitlab-workhorse", at + M, 2, "info", "access || method=POST || uri=/{proj}.git/git-upload-pack || "
              "status=401 || duration_ms={n}{k}"),
        Burst("sidekiq", at + 3 * M, 0.5, "error", f"job:LdapGroupSyncWorker fail || error_class=Net::LDAP::Error"
              f" || error_message={bind}"),
    ]  # fmt: skip
    return f


def object_store_endpoint_misspelt(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "object_store_endpoint_misspelt",
        "gitlab-rails",
        "recent_change",
        "rollback",
        "gitlab-runner",
        "CiArtifactUploadFailures",
        "a gitlab.rb change meant to move object storage to the new MinIO name spelt it mino.s3; every artifact, "
        "job trace and LFS upload fails to resolve it and jobs fail on upload; put the endpoint back",
    )
    old, new = '"https://minio.s3.auerbach-antriebe.lan:9000"', '"https://mino.s3.auerbach-antriebe.lan:9000"'
    f.changes.append(change(at - 3 * M, "gitlab-rails", "config", "gitlab_rails['object_store']['connection']"
                            "['endpoint']", old, new, rng, "k.huber@auerbach-antriebe.de"))  # fmt: skip
    f.effects += [
        Effect("gitlab-workhorse", "error_ratio", at, 0.07, relative=False),
        Effect("gitlab-runner", "error_ratio", at, 0.45, relative=False),
        Effect("sidekiq", "error_ratio", at + M, 0.08, relative=False),
        Effect("minio", "request_rate", at, 0.15),
    ]
    lookup = "dial tcp: lookup mino.s3.auerbach-antriebe.lan on 10.40.0.2:53: no such host"
    f.bursts += [
        Burst("gitlab-workhorse", at, 5, "error", "ObjectStore: upload failed || method=POST || "
              "uri=/api/v4/jobs/{n}{k}8{k}1/artifacts || error=PUT https://mino.s3.auerbach-antriebe.lan:9000/"
              f"gitlab-artifacts/tmp/uploads/{{k}}{{n}}: {lookup}"),
        Burst("gitlab-runner", at, 5, "error", "Uploading artifacts as \"archive\" to coordinator... 500 Internal "
              "Server Error || id={n}{k}8{k}1 || responseStatus=500 Internal Server Error || status=500 || "
              "token=glcbt-64"),
        Burst("gitlab-runner", at, 5, "warn", "Job failed: exit status 1 || duration_s={n}{k}.{k} || job={n}{k}8{k}1 "
              "|| project={k}{n} || runner=Xk29fLm1"),
        Burst("sidekiq", at + M, 2, "warn", "job:Ci::ArchiveTraceWorker fail || error_class=Excon::Error::Socket || "
              f"error_message=getaddrinfo: Name or service not known ({lookup})"),
    ]  # fmt: skip
    return f


def upgrade_batched_migration(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "upgrade_batched_migration",
        "sidekiq",
        "recent_change",
        "config_change",
        "gitlab-rails",
        "WebLatencyHigh",
        "the 17.6 upgrade queued a batched background migration that rewrites every CI build's partition; Sidekiq "
        "runs it in batches so large that PostgreSQL's CPU is taken and the site's queries wait and time out; pause "
        "the migration (Admin > Monitoring > Background migrations) and shrink its batch",
    )
    f.changes.append(change(at - 40 * M, "gitlab-rails", "deploy", "gitlab-ee", "17.5.3-ee.0", "17.6.0-ee.0", rng,
                            "awx"))  # fmt: skip
    f.changes.append(change(at - 4 * M, "sidekiq", "deploy", "gitlab-ee", "17.5.3-ee.0", "17.6.0-ee.0", rng,
                            "awx"))  # fmt: skip
    f.effects += [
        Effect("postgresql", "cpu_utilization", at, 0.97, relative=False),
        Effect("postgresql", "latency_p99", at, 12.0),
        Effect("gitlab-rails", "latency_p99", at, 7.0),
        Effect("gitlab-rails", "error_ratio", at + M, 0.06, relative=False),
        Effect("sidekiq", "latency_p99", at, 9.0),
    ]
    f.bursts += [
        Burst("sidekiq", at, 2, "info", "job:Database::BatchedBackgroundMigration::CiExecutionWorker done || "
              "job_name=BackfillPCiBuildsPartitionId || batch_size=250000 || duration_s=4{n}.{k}"),
        Burst("postgresql", at, 3, "info", "LOG:  duration: 4{n}{k}12.031 ms  statement: UPDATE \"p_ci_builds\" SET "
              "\"partition_id\" = 102 WHERE \"p_ci_builds\".\"id\" BETWEEN {n}{k}0000 AND {k}{n}50000"),
        Burst("postgresql", at + M, 3, "info", "ERROR:  canceling statement due to statement timeout"),
        Burst("gitlab-rails", at + M, 3, "info", "req:GET /{proj}/-/pipelines 500 Projects::PipelinesController#"
              "index || exception.class=ActiveRecord::QueryCanceled || exception.message=PG::QueryCanceled: ERROR:  "
              "canceling statement due to statement timeout"),
    ]  # fmt: skip
    return f


def renovate_pipeline_storm(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 18) * M
    f = Fault(
        "renovate_pipeline_storm",
        "gitlab-runner",
        "capacity",
        "scale",
        "gitlab-runner",
        "CiJobsPendingTooLong",
        "Renovate's Monday run opened merge requests in about three hundred projects within minutes; their "
        "pipelines took every runner's forty slots and jobs wait for one; raise the runners' autoscaling maximum",
    )
    f.effects += [
        Effect("gitlab-runner", "request_rate", at, 5.0),
        Effect("gitlab-runner", "cpu_utilization", at, 0.98, relative=False),
        Effect("gitlab-runner", "latency_p99", at, 30.0),
        Effect("gitlab-rails", "request_rate", at, 2.2),
        Effect("sidekiq", "request_rate", at, 3.0),
        Effect("nginx", "request_rate", at, 2.0),
    ]
    f.bursts += [
        Burst("sidekiq", at, 20, "info", "job:MergeRequests::CreatePipelineWorker done || meta.user=renovate-bot"),
        Burst("gitlab-rails", at, 12, "info", "req:POST /api/v4/projects/{k}{n}/merge_requests 201 "
              "API::MergeRequests#create || meta.user=renovate-bot"),
        Burst("gitlab-runner", at + 2 * M, 6, "warn", "Concurrent limit reached, job waits || limit=40 || "
              "runner=Xk29fLm1"),
        Burst("gitlab-runner", at, 15, "info", "Checking for jobs... received || job={n}{k}8{k}1 || repo_url="
              "https://git.auerbach-antriebe.de/{proj}.git || runner=Xk29fLm1"),
    ]  # fmt: skip
    return f


def gitaly_port_flapping(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "gitaly_port_flapping",
        "gitaly",
        "network",
        "escalate",
        "gitlab-workhorse",
        "GitFetchErrorsHigh",
        "the switch port before gitlab-gitaly-03 flaps (its LACP bond keeps renegotiating); Praefect cannot reach "
        "it half the time and the repositories it is primary for fail; gitaly itself is healthy; the network "
        "team's, escalate",
    )
    f.effects += [
        Effect("praefect", "error_ratio", at, 0.15, relative=False),
        Effect("gitlab-workhorse", "error_ratio", at, 0.06, relative=False),
        Effect("gitlab-rails", "error_ratio", at + 30 * S, 0.04, relative=False),
        Effect("praefect", "latency_p99", at, 8.0),
    ]
    dial = ("rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: dial "
            "tcp 10.40.3.13:8075: i/o timeout\"")  # fmt: skip
    f.bursts += [
        Burst("praefect", at, 4, "warn", f"error when pinging healthcheck || storage=gitaly-3 || "
              f"virtual_storage=default || error={dial}"),
        Burst("praefect", at, 5, "warn", "finished streaming call with code Unavailable || grpc.method="
              "PostUploadPackWithSidechannel || grpc.service=gitaly.SmartHTTPService || grpc.code=Unavailable || "
              f"error={dial}"),
        Burst("gitlab-workhorse", at, 4, "error", "handleUploadPack: PostUploadPackWithSidechannel || method=POST || "
              f"uri=/{{proj}}.git/git-upload-pack || error={dial}"),
        Burst("gitlab-rails", at + 30 * S, 2, "error", "app:Gitlab::Git::CommandError: 14:failed to connect to all "
              "addresses || exception.class=GRPC::Unavailable"),
    ]  # fmt: skip
    return f


def nightly_backup(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 16) * M
    f = Fault(
        "nightly_backup",
        "gitaly",
        "no_incident",
        "none",
        "gitaly",
        "GitalyCpuSaturation",
        "the nightly gitlab-backup streams every repository's bundle from Gitaly; its CPU rises and fetches are "
        "a little slower until it finishes; nothing is wrong (no incident)",
    )
    f.effects += [
        Effect("gitaly", "cpu_utilization", at, 0.88, relative=False, until=at + 40 * M),
        Effect("gitaly", "latency_p99", at, 1.6, until=at + 40 * M),
    ]
    f.bursts += [
        Burst("gitaly", at, 6, "info", "finished streaming call with code OK || grpc.method=BackupRepository || "
              "grpc.service=gitaly.RepositoryService || grpc.code=OK || grpc.time_ms={n}{k}31.2", minutes=40),
        Burst("sidekiq", at, 0.2, "info", "job:BackupWorker start || backup_id={n}{k}_2028_05_03_17.6.0-ee",
              minutes=1),
    ]  # fmt: skip
    return f


FAULTS = [gitaly_disk_full, ldap_bind_password_expired, object_store_endpoint_misspelt, upgrade_batched_migration,
          renovate_pipeline_storm, gitaly_port_flapping, nightly_backup]  # fmt: skip
