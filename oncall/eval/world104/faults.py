"""World 104's faults, from release, credential, concurrency, provider, network, storage and maintenance incidents at a
veterinary SaaS on AWS, in its engineers' words: an API release adds the clinic dashboard's query with no index and
RDS' CPU is pinned, every page slow (roll the API back); Secrets Manager rotated the records service's database
password and WildFly's pool, which read it at start, fails every new connection (restart records); the reminders
function at its reserved concurrency on the morning a clinic chain joined (raise it); Twilio's API failing (theirs:
escalate); a Terraform refactor narrowed the broker's security group to one subnet, publishes time out (roll it
back); the imaging function's warm environments filled their /tmp (recycle them); RDS' nightly backup window, a few
slower minutes (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.world104.estates import BROKER
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record

BROKER_HOST = f"{BROKER}.mq.eu-west-1.amazonaws.com"


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's pipeline records it: CodePipeline's deploys and Terraform's applies, by run id."""
    if not code:
        path = f"services/{svc}/deploy.tfvars"
        code = f'--- a/{path}\n+++ b/{path}\n-{key} = "{old}"\n+{key} = "{new}"\n'
    ref = f"codepipeline vetcloud-{svc} execution {rng.getrandbits(128):032x}"
    return change_record(at, svc, kind, key, old, new, who, ref=ref, diff=code)


def api_dashboard_query_release(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "api_dashboard_query_release",
        "api",
        "recent_change",
        "rollback",
        "web",
        "VetCloudBookingSlow",
        "the API's 5.8.0 adds the clinic dashboard's 'overdue vaccinations' query, which scans appointments with no "
        "index; RDS' CPU is pinned and every page waits on it; roll the API back, add the index before shipping again",
    )
    f.changes.append(change(at - 2 * M, "api", "deploy", "image_tag", "5.7.4", "5.8.0", rng, "codepipeline"))
    f.effects += [
        Effect("db", "cpu_utilization", at, 0.99, relative=False),
        Effect("db", "latency_p99", at, 30.0),
        Effect("api", "latency_p99", at, 9.0),
        Effect("records", "latency_p99", at + M, 4.0),
        Effect("web", "latency_p99", at + M, 7.0),
        Effect("api", "error_ratio", at + 2 * M, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("db", at, 6, "info", "LOG:  duration: {n}{k}{n}{k}.{n} ms  statement: SELECT a.* FROM appointments a "
              "JOIN vaccinations v ON v.patient_id = a.patient_id WHERE a.clinic_id = $1 AND v.due_at < now() ORDER "
              "BY v.due_at"),
        Burst("api", at + M, 4, "warn", "play.api.db.HikariCPConnectionPool|HikariPool-1 - Connection is not "
              "available, request timed out after 30000ms (total=20, active=20, idle=0, waiting={n})"),
        Burst("web", at + M, 3, "error", "[request error] [unhandled] [504] FetchError: [GET] "
              "\"http://api.vetcloud.svc.cluster.local:9000/v1/clinics/{clinic}/dashboard\": 504 Gateway Timeout"),
    ]  # fmt: skip
    return f


def records_stale_db_password(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "records_stale_db_password",
        "records",
        "expired_credential",
        "restart",
        "records",
        "VetCloudRecordsErrors",
        "Secrets Manager's scheduled rotation set a new password for the records service's database user; WildFly's "
        "datasource read the secret at start and every new connection presents the old one; restart records so it "
        "reads the current secret (then have it read the secret on failure)",
    )
    rotation = (
        "secretsmanager RotateSecret vetcloud/rds/records: createSecret, setSecret (ALTER ROLE records PASSWORD), "
        "testSecret, finishSecret: AWSCURRENT moved to the new version\n"
    )
    old, new = f"{rng.getrandbits(32):08x}", f"{rng.getrandbits(32):08x}"
    f.changes.append(change(at - 4 * M, "records", "config", "secret_version", old, new, rng, "secretsmanager",
                            rotation))  # fmt: skip
    auth = 'FATAL: password authentication failed for user "records"'
    f.effects += [
        Effect("records", "error_ratio", at, 0.7, relative=False),
        Effect("api", "error_ratio", at + M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("records", at, 6, "error", "org.jboss.jca.core.connectionmanager.pool.strategy.OnePool|IJ000604: "
              "Throwable while attempting to get a new connection: null: jakarta.resource.ResourceException: "
              f"IJ031084: Unable to create connection: org.postgresql.util.PSQLException: {auth}"),
        Burst("db", at, 6, "error", 'FATAL:  password authentication failed for user "records"'),
        Burst("api", at + M, 4, "error", "services.RecordsClient|GET records/patients/{n}{k}{n} failed: 500 Internal "
              "Server Error"),
    ]  # fmt: skip
    return f


def reminders_concurrency_ceiling(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "reminders_concurrency_ceiling",
        "reminders",
        "capacity",
        "scale",
        "reminders",
        "VetCloudRemindersBacklog",
        "a 40-clinic chain joined overnight and the morning's reminders doubled; the reminders function runs at its "
        "reserved concurrency of 20, the rest throttled and the broker's queue grows; raise its reserved concurrency",
    )
    throttled = (
        "botocore.errorfactory.TooManyRequestsException: An error occurred (TooManyRequestsException) when calling "
        "the Invoke operation (reached max retries: 4): Rate Exceeded."
    )
    f.effects += [
        Effect("api", "request_rate", at - 30 * M, 1.8, ramp=20 * M),
        Effect("reminders", "request_rate", at - 20 * M, 2.0, ramp=10 * M),
        Effect("reminders", "pool_utilization", at - 10 * M, 1.0, relative=False, ramp=8 * M),
        Effect("reminders", "latency_p99", at, 1.3),
        Effect("api", "error_ratio", at, 0.04, relative=False),
    ]
    f.bursts += [
        Burst("api", at, 4, "error", f"services.ReminderClient|send-now reminder for appointment {{n}}{{k}}{{n}} "
              f"failed: {throttled}"),
        Burst("reminders", at - 20 * M, 6, "info", "app.handler:4{k}|processed batch of 10 messages"),
    ]  # fmt: skip
    return f


def twilio_api_failing(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "twilio_api_failing",
        "twilio",
        "dependency_failure",
        "escalate",
        "reminders",
        "VetCloudReminderFailures",
        "Twilio's Messaging API answers 503 to most requests (their incident); reminders fail and are retried from "
        "the queue; theirs: escalate, hold the morning batch",
    )
    f.effects += [Effect("reminders", "error_ratio", at, 0.8, relative=False)]
    f.bursts += [
        Burst("reminders", at, 5, "error", "app.handler:7{k}|TwilioRestException: HTTP 503 error: Unable to create "
              "record: Service is unavailable. Please try again (https://api.twilio.com/2010-04-01/Accounts/"
              "AC{h8}/Messages.json)"),
    ]  # fmt: skip
    f.failing_calls.append(("reminders", "twilio"))
    return f


def broker_security_group_narrowed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "broker_security_group_narrowed",
        "rabbitmq",
        "network",
        "rollback",
        "api",
        "VetCloudApiErrors",
        "a Terraform refactor moved the broker's security group into a module and its ingress for the cluster's "
        "subnets became 10.20.0.0/24, one subnet of four; pods elsewhere time out connecting to the broker; roll the "
        "apply back",
        also_accept=["recent_change"],  # the change that cut the way is the cause to undo (worlds 57, 65, 100, 102)
    )
    diff = (
        "--- a/infra/mq.tf\n+++ b/infra/mq.tf\n"
        '-resource "aws_security_group_rule" "mq_from_eks" {\n-  cidr_blocks = ["10.20.0.0/16"]\n'
        '+module "mq_sg" {\n+  source  = "./modules/sg"\n+  ingress = [{ port = 5671, cidr = "10.20.0.0/24" }]\n'
    )
    f.changes.append(change(at - 2 * M, "rabbitmq", "config", "ingress_cidr", "10.20.0.0/16", "10.20.0.0/24", rng,
                            "terraform", diff))  # fmt: skip
    timeout = f"java.net.SocketTimeoutException: Connect timed out (amqps://{BROKER_HOST}:5671)"
    f.effects += [
        Effect("rabbitmq", "request_rate", at, 0.3),
        Effect("api", "error_ratio", at, 0.2, relative=False),
        Effect("api", "latency_p99", at, 5.0),
        Effect("records", "error_ratio", at, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("api", at, 5, "error", f"services.EventPublisher|publish appointment.booked failed: {timeout}"),
        Burst("records", at, 3, "warn", f"com.vetcloud.records.events.Publisher|publish failed, retrying: {timeout}"),
        Burst("rabbitmq", at, 2, "warn", "closing AMQP connection <0.{n}{k}.0> (10.20.{k}.{n}:5{n}{k} -> "
              "10.30.1.10:5671, vhost: '/', user: 'api'): missed heartbeats from client, timeout: 60s"),
    ]  # fmt: skip
    return f


def imaging_tmp_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "imaging_tmp_full",
        "imaging",
        "resource_exhaustion",
        "restart",
        "api",
        "VetCloudPreviewErrors",
        "the imaging function writes each X-ray preview to /tmp and never deletes it; after a busy morning its warm "
        "environments' 512 MB of ephemeral storage is full and every render fails; recycle the environments (then "
        "clean /tmp in the handler)",
    )
    f.effects += [
        Effect("imaging", "error_ratio", at, 0.75, relative=False),
        Effect("api", "error_ratio", at + M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("imaging", at, 6, "error", "app.render:8{k}|OSError: [Errno 28] No space left on device: "
              "'/tmp/preview-{h8}.png'"),
        Burst("api", at + M, 3, "error", "services.ImagingClient|preview for study {h8} failed: Lambda function "
              "error Unhandled"),
    ]  # fmt: skip
    return f


def rds_backup_window(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "rds_backup_window",
        "api",
        "no_incident",
        "none",
        "api",
        "VetCloudApiLatencyHigh",
        "RDS' automated backup in its nightly window: the snapshot's first minutes slow the volume's I/O and the API's "
        "p99 rises for a while; nothing fails (no incident)",
    )
    f.effects += [
        Effect("db", "latency_p99", at, 1.8, until=at + 18 * M),
        Effect("api", "latency_p99", at + M, 1.6, until=at + 18 * M),
    ]
    f.bursts += [
        Burst("db", at, 1, "info", "LOG:  checkpoint starting: time", minutes=3),
        Burst("api", at + M, 2, "warn", "controllers.DashboardController|slow request GET /v1/clinics/{clinic}/"
              "dashboard took {k}{n}00 ms", minutes=12),
    ]  # fmt: skip
    return f


FAULTS = [api_dashboard_query_release, records_stale_db_password, reminders_concurrency_ceiling, twilio_api_failing,
          broker_security_group_narrowed, imaging_tmp_full, rds_backup_window]  # fmt: skip
