"""World 101's faults, from release, credential, storage, provider, broker and grid incidents at a solar-monitoring
service, in its engineers' words: a fleet-api release queries the readings hypertable without its site index and
TimescaleDB's CPU is spent on it, so ingest's writes time out (roll fleet-api back); billing's Paystack secret key was
rolled in Paystack's dashboard and billing still sends the old one (install the new key); TimescaleDB's volume full
of uncompressed chunks after the compression job failed for a week (more disk); Clickatell down (theirs: escalate);
an EMQX authorization change denies ingest's subscription to the inverters' telemetry (roll it back); and stage 6
load-shedding, every inverter switching to battery at once (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Argo CD records the sync of the team's GitOps repository."""
    if not code:
        code = f"argocd app sync {svc}  # image ghcr.io/sunmeter/{svc}:{old} -> {new}\n"
    ref = f"argocd sync {svc} rev {rng.getrandbits(28):07x}"
    return change_record(at, svc, kind, key, old, new, who, ref=ref, diff=code)


def readings_scan(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "readings_scan",
        "fleet-api",
        "recent_change",
        "rollback",
        "ingest",
        "IngestWriteErrors",
        "fleet-api 0.9.3's new daily-yield endpoint queries the readings hypertable by installer without the "
        "site_id index; every dashboard load scans a week of chunks, TimescaleDB's CPU is spent on it and ingest's "
        "batch writes time out; roll fleet-api back",
    )
    path = "src/Fleet/Yield.hs"
    diff = (
        f'--- a/{path}\n+++ b/{path}\n-  "SELECT sum(energy_wh) FROM readings WHERE site_id = ? AND ts > now() - '
        "interval '1 day'\"\n+  \"SELECT site_id, sum(energy_wh) FROM readings WHERE installer_id = ? AND ts > "
        "now() - interval '7 days' GROUP BY site_id\"\n"
    )
    f.changes.append(change(at - 3 * M, "fleet-api", "deploy", "image", "0.9.2", "0.9.3", rng, "argocd", diff))
    f.effects += [
        Effect("timescale", "cpu_utilization", at, 0.99, relative=False),
        Effect("fleet-api", "latency_p99", at, 12.0),
        Effect("ingest", "error_ratio", at + M, 0.35, relative=False),
        Effect("alerts", "latency_p99", at + M, 6.0),
        Effect("portal", "latency_p99", at + M, 8.0),
    ]
    f.bursts += [
        Burst("timescale", at, 6, "info", "LOG:  duration: 9{n}{k}2.118 ms  execute <unnamed>: SELECT site_id, "
              "sum(energy_wh) FROM readings WHERE installer_id = $1 AND ts > now() - interval '7 days' GROUP BY "
              "site_id"),
        Burst("ingest", at + M, 8, "error", "batch write failed|table=readings error=\"timeout: context deadline "
              "exceeded\" rows={n}{k}0"),
        Burst("fleet-api", at, 3, "warn", "Fleet.Yield|daily yield for installer {k}{n} took {k}{n}{k}{n} ms"),
    ]  # fmt: skip
    return f


def paystack_key_rolled(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "paystack_key_rolled",
        "billing",
        "expired_credential",
        "config_change",
        "billing",
        "BillingChargesFailing",
        "finance rolled the live secret key in Paystack's dashboard after a contractor left, and the old key stopped "
        "working at once; billing still sends it and every subscription charge is refused; put the new key in "
        "billing's secret",
    )
    f.effects += [Effect("billing", "error_ratio", at, 0.9, relative=False)]
    f.bursts += [
        Burst("billing", at, 4, "error", "Charge for subscription {k}{n}{k} failed: Paystack answered 401: "
              "{\"status\":false,\"message\":\"Invalid key\"} [request-id: {H8}]"),
        Burst("portal", at + M, 1, "error", "app|Renewal for installer {k}{n} could not be charged: billing answered "
              "502"),
    ]  # fmt: skip
    f.failing_calls.append(("billing", "paystack"))
    return f


def timescale_volume_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "timescale_volume_full",
        "timescale",
        "resource_exhaustion",
        "scale",
        "ingest",
        "IngestWriteErrors",
        "the compression policy's job has failed for a week (a lock timeout nobody watched), so the readings chunks "
        "stay uncompressed and TimescaleDB's 200 GB volume filled; every insert fails; grow the volume, then fix the "
        "compression job",
    )
    f.effects += [
        Effect("timescale", "disk_utilization", t - 300 * M, 1.0, relative=False, ramp=290 * M),
        Effect("ingest", "error_ratio", at, 0.95, relative=False),
        Effect("alerts", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("timescale", at, 6, "error", "ERROR:  could not extend file \"base/16384/{n}{k}{n}{k}{n}.{k}\": No space "
              "left on device"),
        Burst("timescale", at, 1, "error", "HINT:  Check free disk space."),
        Burst("ingest", at, 8, "error", "batch write failed|table=readings error=\"ERROR: could not extend file: No "
              "space left on device (SQLSTATE 53100)\" rows={n}{k}0"),
    ]  # fmt: skip
    return f


def clickatell_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "clickatell_down",
        "clickatell",
        "dependency_failure",
        "escalate",
        "alerts",
        "InstallerSmsFailing",
        "Clickatell's platform answers 503 to every message (their incident); installers get no fault texts; "
        "Clickatell's: escalate, and send the day's faults by e-mail",
    )
    f.effects += [Effect("alerts", "error_ratio", at, 0.6, relative=False)]
    f.bursts += [
        Burst("alerts", at, 5, "error", "alerts.sms:send:57|SMS to installer {k}{n} failed: 503 Service Temporarily "
              "Unavailable from https://platform.clickatell.com/messages"),
    ]  # fmt: skip
    f.failing_calls.append(("alerts", "clickatell"))
    return f


def emqx_acl_denies_ingest(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "emqx_acl_denies_ingest",
        "emqx",
        "permission_denied",
        "rollback",
        "ingest",
        "NoTelemetry",
        "a change to EMQX's file authorization, meant to stop inverters reading each other's topics, ends with a "
        "deny-all rule above ingest's allow; ingest's subscription to sites/+/telemetry is refused and no reading "
        "arrives; roll the ACL back",
        also_accept=["recent_change"],
    )
    path = "emqx/acl.conf"
    diff = (
        f'--- a/{path}\n+++ b/{path}\n {{allow, {{username, "dashboard"}}, subscribe, ["$SYS/#"]}}.\n'
        '+{deny, all, subscribe, ["sites/+/telemetry"]}.\n {allow, {username, "ingest"}, subscribe, '
        '["sites/+/telemetry"]}.\n'
    )
    f.changes.append(change(at - 2 * M, "emqx", "config", "authorization", "acl.conf@4f1e2a0", "acl.conf@9b73c55",
                            rng, "argocd", diff))  # fmt: skip
    f.effects += [
        Effect("ingest", "request_rate", at, 0.02),
        Effect("alerts", "request_rate", at + 2 * M, 0.3),
    ]
    f.bursts += [
        Burst("emqx", at, 4, "warn", "msg: cannot_subscribe_topic_filter; clientid: ingest-{k}; topic: "
              "sites/+/telemetry; reason: not_authorized"),
        Burst("ingest", at, 2, "error", "subscribe refused|topic=sites/+/telemetry error=\"SUBACK reason code 135: Not "
              "authorized\""),
    ]  # fmt: skip
    return f


def load_shedding(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 16) * M
    f = Fault(
        "load_shedding",
        "ingest",
        "no_incident",
        "none",
        "ingest",
        "IngestLatencyHigh",
        "Eskom announces stage 6 load-shedding: at the top of the hour every inverter in the shed areas switches to "
        "battery and reports the event at once; ingest's message rate goes to five times and its latency crossed "
        "the alert until the autoscaler had added pods; every reading was written (no incident)",
    )
    f.changes.append(change(at + 3 * M, "ingest", "scale", "replicas", "4", "12", rng, "horizontal-pod-autoscaler",
                            "HorizontalPodAutoscaler sunmeter/ingest: New size: 12; reason: cpu resource utilization "
                            "(percentage of request) above target\n"))  # fmt: skip
    f.effects += [
        Effect("ingest", "request_rate", at, 5.0),
        Effect("ingest", "latency_p99", at, 3.0, until=at + 12 * M),
        Effect("ingest", "cpu_utilization", at, 0.9, relative=False, until=at + 12 * M),
        Effect("alerts", "request_rate", at + M, 2.5),
    ]
    f.bursts += [
        Burst("ingest", at, 40, "info", "batch written|rows={n}{k}00 table=readings"),
        Burst("alerts", at + M, 10, "info", "alerts.rules:evaluate:88|site {k}{n}{k} switched to battery (grid lost)"),
    ]  # fmt: skip
    return f


FAULTS = [readings_scan, paystack_key_rolled, timescale_volume_full, clickatell_down, emqx_acl_denies_ingest,
          load_shedding]  # fmt: skip
