"""World 35's faults, from voice providers' and messaging platforms' postmortems, in this estate's words: the
SIP edge's TLS certificate expiring so the carrier refuses every outbound call's handshake; a change that
narrowed the media relay's port range until it ran out of ports; a webhook worker release that dropped the
retry backoff, so failed status callbacks retry at once and flood the broker until it blocks the API's
publishes (the broker alarms, the cause is its caller); the speech-to-text vendor failing; the call-record
database's disk filling over hours with WAL held for a replica that was gone (already rising when the window
opens); a customer's legitimate dialer campaign filling every call slot on the switches (real load); and New
Year's Eve bringing three times the calls while every call connects (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M, change_record


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"stacks/voice/{svc}.env"
    return change_record(
        at,
        svc,
        kind,
        key,
        old,
        new,
        who,
        ref=f"{rng.getrandbits(28):07x}",
        diff=f"--- a/{path}\n+++ b/{path}\n@@ -7 +7 @@\n-{key}={old}\n+{key}={new}\n",
    )


def sbc_certificate_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "sbc_certificate_expired",
        "sbc",
        "expired_credential",
        "config_change",
        "sbc",
        "OutboundCallsFailing",
        "the SIP edge's TLS certificate for the carrier trunk expired at midnight UTC; the carrier's side "
        "answers every handshake with a certificate-expired alert, so no outbound call connects",
    )
    f.effects += [
        Effect("sbc", "error_ratio", at, 0.45, relative=False),
        Effect("switch", "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("sbc", at, 30, "error", "tls [tls_util.h:49]: tls_err_ret(): TLS connect:error:0A000415:SSL "
              "routines::sslv3 alert certificate expired (sni: sip.carrier.example)"),
        Burst("switch", at + M, 12, "warn", "sofia.c:7524 Hangup sofia/external/+4930901820 [CS_CONSUME_MEDIA] "
              "[NORMAL_TEMPORARY_FAILURE] from the edge: 503 Service Unavailable"),
    ]  # fmt: skip
    f.failing_calls.append(("sbc", "carrier"))
    return f


def rtp_port_range_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "rtp_port_range_cut",
        "media",
        "recent_change",
        "rollback",
        "sbc",
        "CallSetupFailures",
        "a change meant to move the media relay's ports set port-max to 30400 instead of 40000; with 200 ports "
        "for two per call the relay ran out at the morning's first peak and new calls are rejected",
    )
    f.changes.append(change(at - 9 * M, "media", "config", "RTPENGINE_PORT_MAX", "40000", "30400", rng,
                            "j.morel"))  # fmt: skip
    f.effects += [
        Effect("sbc", "error_ratio", at, 0.28, relative=False),
        Effect("media", "error_ratio", at, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("media", at, 20, "error", "[core] Failed to get 2 consecutive ports on interface public for RTP "
              "(port range 30000-30400 exhausted)"),
        Burst("sbc", at, 20, "error", "rtpengine [rtpengine.c:2870]: rtpp_function_call(): proxy replied with "
              "error: Ran out of ports"),
    ]  # fmt: skip
    return f


def callback_retry_storm(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "callback_retry_storm",
        "webhooks",
        "recent_change",
        "rollback",
        "api",
        "ApiLatencyHigh",
        "a webhook worker release dropped the retry backoff; status callbacks to customers' failing endpoints "
        "retried at once, thousands a second, until the broker's memory alarm blocked every publisher and the "
        "API's calls waited on their publishes",
    )
    f.changes.append(change(at - 14 * M, "webhooks", "deploy", "IMAGE", "callwave/webhooks:3.18.2",
                            "callwave/webhooks:3.19.0", rng, "ci"))  # fmt: skip
    f.effects += [
        Effect("webhooks", "request_rate", at - 12 * M, 14.0, ramp=6 * M),
        Effect("broker", "request_rate", at - 12 * M, 9.0, ramp=6 * M),
        Effect("broker", "memory_utilization", at - 6 * M, 0.97, relative=False, ramp=5 * M),
        Effect("api", "latency_p99", at, 40.0),
        Effect("api", "error_ratio", at + M, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("webhooks", at - 12 * M, 40, "warn", "Task webhooks.deliver_status[5c9f0a12-33b1-4d2e-9f81-"
              "0a1b2c3d4e5f] retry: Retry in 0s: ConnectTimeout(https://hooks.customer.example/status)"),
        Burst("broker", at - M, 1, "warn", "memory resource limit alarm set on node rabbit@broker-1. "
              "Publishers will be blocked until this alarm clears", minutes=2),
        Burst("api", at, 25, "error", "publish to exchange 'call.events' timed out after 5000ms: connection "
              "blocked by broker (low on memory)"),
    ]  # fmt: skip
    return f


def stt_vendor_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "stt_vendor_down",
        "stt",
        "dependency_failure",
        "escalate",
        "transcribe",
        "TranscriptionFailures",
        "the speech-to-text vendor's batch endpoint began answering 503 in every region we use; recordings "
        "wait untranscribed",
    )
    f.effects += [
        Effect("transcribe", "error_ratio", at, 0.85, relative=False),
        Effect("transcribe", "latency_p99", at, 6.0),
    ]
    f.bursts.append(Burst("transcribe", at, 8, "error", "transcription tr_88213 failed: 503 Service "
                          "Unavailable from https://speech.vendor.example/v2/recognize (attempt 3 of 3)"))  # fmt: skip
    f.failing_calls.append(("transcribe", "stt"))
    return f


def cdr_wal_held(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 7) * M
    f = Fault(
        "cdr_wal_held",
        "cdrdb",
        "resource_exhaustion",
        "config_change",
        "api",
        "ApiErrors",
        "a replication slot kept for a replica retired last week held every WAL segment since; the call-record "
        "database's volume filled over nine hours and it stopped at no space left on device",
    )
    f.effects += [
        Effect("cdrdb", "disk_utilization", at - 9 * 60 * M, 1.0, relative=False, ramp=9 * 60 * M),
        Effect("cdrdb", "restarts", at + M, 2, relative=False),
        Effect("api", "error_ratio", at, 0.4, relative=False),
        Effect("webhooks", "error_ratio", at, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("cdrdb", at - 20 * M, 1, "warn", "WARNING:  could not write to file \"pg_wal/xlogtemp.8812\": "
              "No space left on device; retrying", minutes=20),
        Burst("cdrdb", at, 2, "fatal", "PANIC:  could not write to file \"pg_wal/xlogtemp.8812\": No space left "
              "on device"),
        Burst("api", at, 20, "error", "insert into calls failed: Connection terminated unexpectedly"),
        Burst("webhooks", at, 10, "error", "psycopg.OperationalError: connection failed: FATAL:  the database "
              "system is in recovery mode"),
    ]  # fmt: skip
    return f


def dialer_campaign(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "dialer_campaign",
        "switch",
        "capacity",
        "scale",
        "api",
        "CallsRejected",
        "a customer's appointment-reminder campaign, within its contract, started at nine and quadrupled "
        "outbound calls; every switch reached its session limit and new calls are refused",
    )
    f.effects += [
        Effect("api", "request_rate", at - 12 * M, 4.0, ramp=6 * M),
        Effect("switch", "request_rate", at - 12 * M, 4.0, ramp=6 * M),
        Effect("sbc", "request_rate", at - 12 * M, 4.0, ramp=6 * M),
        Effect("switch", "cpu_utilization", at - 6 * M, 0.96, relative=False),
        Effect("api", "error_ratio", at, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("switch", at, 20, "fatal", "switch_core_session.c:2535 The system cannot create any sessions at "
              "this time (max-sessions 2000 reached)"),
        Burst("api", at, 20, "warn", "call CA8f21 rejected by the switch: 503 Maximum Calls In Progress"),
    ]  # fmt: skip
    return f


def new_year_peak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "new_year_peak",
        "sbc",
        "no_incident",
        "none",
        "sbc",
        "CallVolumeUnusual",
        "New Year's Eve at midnight brought three times the usual calls; every call connected and the volume "
        "alert fired on the rate alone (no incident)",
    )
    f.effects += [
        Effect("sbc", "request_rate", at - 10 * M, 3.0, ramp=8 * M),
        Effect("switch", "request_rate", at - 10 * M, 3.0, ramp=8 * M),
        Effect("media", "request_rate", at - 10 * M, 3.0, ramp=8 * M),
        Effect("switch", "cpu_utilization", at - 5 * M, 0.62, relative=False),
    ]
    return f


FAULTS = [sbc_certificate_expired, rtp_port_range_cut, callback_retry_storm, stt_vendor_down, cdr_wal_held,
          dialer_campaign, new_year_peak]  # fmt: skip
