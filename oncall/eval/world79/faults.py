"""World 79's faults, from fleet-management, DNS, data-provider, certificate, memory-leak, IAM and shift-change
incidents, in this estate's words: dispatch's release polling the roster every second instead of every thirty,
the roster drowning under it (roll dispatch back); a CoreDNS forward rule sending every name outside the cluster
to a resolver that does not know the mine's private zone (roll it back); the weather provider sending wind in
km/h where it sent m/s, every haul road closed though nothing of ours failed (escalate); EMQX's listener
certificate expired after cert-manager could not renew it, the trucks unable to connect (renew it); the
maintenance service's release leaking memory since the night before, OOM-killed now (roll it back); a Terraform
change taking the roster's role's read of its exports bucket away (roll it back); and the 08:00 shift change,
every operator logging in at once, dispatch busy and nothing failing (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M

H = timedelta(hours=1)


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Flux records its reconciliations of the fleet repository (or Terraform Cloud its runs)."""
    path = f"clusters/faena-prod/{svc}/release.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(160):040x}"[:12],
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -14 +14 @@\n-    {key}: {old}\n+    {key}: {new}\n",
    }


def _pg(level: str, text: str) -> str:
    return "{ymd} {hms}.{ms} UTC [{n}{k}] " + f"{level}:  {text}"


def roster_poll_flood(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "roster_poll_flood",
        "dispatch",
        "recent_change",
        "rollback",
        "roster",
        "RosterLatencyHigh",
        "dispatch's release asks the roster for the shift's assignments every second instead of every thirty; the "
        "roster's requests rose twenty-fold, its CPU is at its limit and it sheds load; roll dispatch back",
    )
    f.changes.append(change(at - 4 * M, "dispatch", "config", "assignments.pollInterval", "30s", "1s", rng, "flux"))
    f.effects += [
        Effect("roster", "request_rate", at - 2 * M, 20.0, ramp=2 * M),
        Effect("roster", "cpu_utilization", at - M, 0.98, relative=False),
        Effect("roster", "latency_p99", at, 14.0),
        Effect("roster", "error_ratio", at, 0.12, relative=False),
        Effect("dispatch", "error_ratio", at + M, 0.06, relative=False),
    ]
    f.bursts += [
        Burst("roster", at, 25, "warn", "request queue full ({n}{k} waiting), answering 503 to GET /v1/assignments"),
        Burst("dispatch", at + M, 6, "error", "fetching assignments for shift failed|exc|*fmt.wrapError|roster: GET "
              "/v1/assignments: 503 Service Unavailable"),
    ]  # fmt: skip
    return f


def coredns_forward(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "coredns_forward",
        "coredns",
        "recent_change",
        "rollback",
        "maintenance",
        "WorkOrderSyncFailing",
        "a CoreDNS Corefile change forwards every name outside the cluster to the corporate resolvers, which do not "
        "know the mine's private zone (faena.internal) where SAP PM's and the weather proxy's names live; every "
        "lookup of them fails; roll the Corefile back",
    )
    f.changes.append(change(at - 2 * M, "coredns", "config", "forward", ". /etc/resolv.conf", ". 10.1.0.53 10.1.0.54",
                            rng, "flux"))  # fmt: skip
    f.effects += [
        Effect("maintenance", "error_ratio", at, 0.9, relative=False),
        Effect("dispatch", "error_ratio", at, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("coredns", at, 30, "info", '[INFO] 10.20.{k}.{n}:{n}{k}31 - {n}{k} "A IN sap-pm.faena.internal. udp 44 '
              'false 512" NXDOMAIN qr,rd,ra 119 0.0{k}{n}s'),
        Burst("maintenance", at, 8, "error", "Work order sync failed for WO-{n}{k}88|exc|System.Net.Http."
              "HttpRequestException|Name or service not known (sap-pm.faena.internal:443)"),
        Burst("dispatch", at, 10, "error", "wind check failed, routing on last known reading|exc|*net.OpError|"
              "dial tcp: lookup weather-proxy.faena.internal on 172.20.0.10:53: no such host"),
    ]  # fmt: skip
    return f


def weather_units(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "weather_units",
        "weather",
        "dependency_failure",
        "escalate",
        "dispatch",
        "HaulCyclesDropped",
        "the weather provider's API began sending wind speed in km/h in the field that held m/s; every reading is "
        "3.6 times too high, dispatch closes every haul road and trucks wait at the shovels; nothing of ours "
        "changed; escalate to the provider (and open the roads by hand meanwhile)",
    )
    f.effects += [
        Effect("dispatch", "request_rate", at, 0.3),
        Effect("contour", "request_rate", at, 0.5),
    ]
    f.bursts += [
        Burst("dispatch", at, 20, "warn", "road R-{k} closed: wind 7{k}.{n} m/s over 20.0 m/s limit (station PAJ-{k}, "
              "from weather API)"),
        Burst("dispatch", at + M, 8, "warn", "truck CAT793-{k}{n} held at shovel PH4100-{k}: no open road to crusher"),
    ]  # fmt: skip
    return f


def emqx_cert_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "emqx_cert_expired",
        "emqx",
        "expired_credential",
        "config_change",
        "telemetry-ingest",
        "FleetTelemetryStale",
        "EMQX's MQTT listener certificate expired: cert-manager's renewals had failed for a month (the DNS-01 "
        "challenge's credentials were rotated); every truck's reconnect fails its TLS handshake and no telemetry "
        "arrives; renew the certificate",
    )
    f.effects += [
        Effect("telemetry-ingest", "request_rate", at, 0.05, ramp=2 * M),
        Effect("emqx", "request_rate", at, 0.05, ramp=2 * M),
    ]
    f.bursts += [
        Burst("emqx", at, 40, "warn", "{iso6}+00:00 [warning] msg: ssl_handshake_error, peername: 10.40.{k}.{n}:"
              "{n}{k}12, reason: {tls_alert,{certificate_expired,\"TLS server: In state certify received CLIENT "
              "ALERT: Fatal - Certificate Expired\\n\"}}"),
        Burst("telemetry-ingest", at + 2 * M, 2, "warn", "no payloads from fleet/+/telemetry for 60s (subscribed, "
              "broker emqx:8883 connected)"),
    ]  # fmt: skip
    return f


def maintenance_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "maintenance_leak",
        "maintenance",
        "recent_change",
        "rollback",
        "maintenance",
        "MaintenanceUnavailable",
        "the maintenance service's release last night caches every SAP PM response without eviction; its memory "
        "has climbed since and its pods are now OOM-killed in turn; roll the release back (a restart only buys "
        "hours)",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(t - 10 * H, "maintenance", "deploy", "image.tag", "5.2.3", "5.3.0", rng, "flux"))
    f.effects += [
        Effect("maintenance", "memory_utilization", t - 8 * H, 0.99, relative=False, ramp=8 * H - 8 * M),
        Effect("maintenance", "restarts", at, 2, relative=False),
        Effect("maintenance", "error_ratio", at, 0.35, relative=False),
        Effect("contour", "error_ratio", at, 0.04, relative=False),
    ]
    f.bursts += [
        Burst("maintenance", at - 40 * M, 1, "warn", "Gen2 GC took {k}{n}0ms; heap {n}{k}00 MB after collection",
              minutes=40),
        Burst("contour", at, 10, "error", '[{iso}Z] "GET /api/v3/maintenance/work-orders HTTP/2" 503 UF 0 91 '
              '{k} - "10.20.{k}.{n}" "FaenaOperator/5.{k} (Windows NT 10.0)" "{hex}" '
              '"maintenance.faena.svc.cluster.local:8080" "10.20.{k}.{n}:8080"'),
    ]  # fmt: skip
    f.events.append(KEvent("maintenance", "BackOff", "Back-off restarting failed container maintenance in pod "
                           "maintenance", at, terminated="OOMKilled"))  # fmt: skip
    return f


def roster_iam(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "roster_iam",
        "roster",
        "recent_change",
        "rollback",
        "roster",
        "RosterErrors",
        "a Terraform run tidying the platform's IAM removed s3:GetObject on the roster exports bucket from the "
        "roster's role (IRSA); every shift plan it reads is refused; roll the policy back",
    )
    f.changes.append(change(at - 3 * M, "roster", "iam", "policy.faena-roster.s3", "GetObject,PutObject", "PutObject",
                            rng, "terraform-cloud"))  # fmt: skip
    f.effects += [
        Effect("roster", "error_ratio", at, 0.6, relative=False),
        Effect("dispatch", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("roster", at, 12, "error", "loading shift plan failed|exc|botocore.exceptions.ClientError|An error "
              "occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:sts::4417:assumed-role/"
              "faena-roster/botocore-session-{n}{k} is not authorized to perform: s3:GetObject on resource: "
              "\"arn:aws:s3:::faena-roster-exports/plans/{ymd}.parquet\""),
        Burst("dispatch", at + M, 6, "error", "fetching assignments for shift failed|exc|*fmt.wrapError|roster: GET "
              "/v1/assignments: 500 Internal Server Error"),
    ]  # fmt: skip
    f.failing_calls.append(("roster", "s3"))
    return f


def shift_change(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "shift_change",
        "dispatch",
        "no_incident",
        "none",
        "dispatch",
        "DispatchCPUHigh",
        "the 08:00 shift change: every operator logs in and every truck is assigned at once; dispatch's CPU is high "
        "while it serves four times its usual requests, the autoscaler adds pods, nothing fails (no incident)",
    )
    f.changes.append(change(at + 2 * M, "dispatch", "scale", "replicas", "4", "8", rng, "horizontal-pod-autoscaler"))
    f.effects += [
        Effect("dispatch", "request_rate", at, 4.0, ramp=5 * M, until=at + 40 * M),
        Effect("contour", "request_rate", at, 3.0, ramp=5 * M, until=at + 40 * M),
        Effect("roster", "request_rate", at, 3.0, ramp=5 * M, until=at + 40 * M),
        Effect("dispatch", "cpu_utilization", at, 0.86, relative=False, ramp=5 * M, until=at + 40 * M),
        Effect("dispatch", "latency_p99", at, 1.4, ramp=5 * M, until=at + 40 * M),
    ]
    f.bursts += [
        Burst(
            "dispatch",
            at,
            40,
            "info",
            "assigned truck CAT793-{k}{n} to shovel PH4100-{k} (queue {k}, eta {n}s)",
            minutes=35,
        ),
        Burst("roster", at, 20, "info", "operator {n}{k} signed in for shift B on CAT793-{k}{n}", minutes=20),
    ]
    return f


FAULTS = [roster_poll_flood, coredns_forward, weather_units, emqx_cert_expired, maintenance_leak, roster_iam,
          shift_change]  # fmt: skip
