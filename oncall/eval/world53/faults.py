"""World 53's faults, from PostgreSQL, ActiveMQ Artemis, NextGen Connect and EHR-integration incidents, in this
estate's words: an appointments release looking bookings up by patient without the index its next release
brings (PostgreSQL's CPU pinned by the statement, the portal slow); a notifier release that cannot import its
SMS client, crash-looping, so Artemis blocks every producer on the full notifications address (appointments
slow); an HL7 gateway change polling the EHR vendor every 5 s instead of every minute, throttled with 429s; a
flu-clinic launch's real demand on appointments; the gateway's client certificate to the lab expired, so the
lab refuses the handshake; the weekly full backup making PostgreSQL busy (no incident); the EHR vendor's API
answering 503 in their own outage."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as Argo CD's sync history and the GitOps repository record it."""
    path = f"apps/{svc}/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(28):07x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -7 +7 @@\n-  {key}: {old}\n+  {key}: {new}\n{code}",
    }


def slot_query_regression(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "slot_query_regression",
        "appointments",
        "recent_change",
        "rollback",
        "patient-portal",
        "PortalSlow",
        "an appointments release looks bookings up by patient reference; the index for it ships in the next "
        "release, so each lookup scans the booking table, PostgreSQL's CPU is pinned, and the portal is slow",
    )
    f.changes.append(change(at - 5 * M, "appointments", "deploy", "image.tag", "7.2.4", "7.3.0", rng, "tekton"))
    f.effects += [
        Effect("postgres", "cpu_utilization", at, 0.97, relative=False, ramp=2 * M),
        Effect("postgres", "latency_p99", at, 40.0),
        Effect("appointments", "latency_p99", at + 1 * M, 14.0),
        Effect("appointments", "error_ratio", at + 2 * M, 0.18, relative=False),
        Effect("patient-portal", "latency_p99", at + 1 * M, 9.0),
    ]
    f.bursts += [
        Burst("postgres", at, 25, "info", "LOG:  duration: 4812.120 ms  execute <unnamed>: SELECT b.id, b.slot_id, "
              "b.status FROM booking b WHERE b.patient_ref = $1 ORDER BY b.created_at DESC"),
        Burst("appointments", at + 2 * M, 8, "error", "SQLTransientConnectionException: HikariPool-1 - Connection is "
              "not available, request timed out after 30000ms."),
    ]  # fmt: skip
    return f


def notifier_consumer_crash(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "notifier_consumer_crash",
        "notifier",
        "recent_change",
        "rollback",
        "appointments",
        "AppointmentsLatencyHigh",
        "a notifier release moves to the SMS provider's new SDK and cannot import its client; it crash-loops, "
        "nothing consumes the notifications address, Artemis reaches its max-size-bytes and blocks every producer, "
        "and bookings wait on their reminder's send",
    )
    f.changes.append(change(at - 12 * M, "notifier", "deploy", "image.tag", "3.7.2", "3.8.0", rng, "tekton"))
    f.effects += [
        Effect("notifier", "restarts", at - 11 * M, 5.0, relative=False, ramp=0 * M),
        Effect("notifier", "request_rate", at - 11 * M, 0.02),
        Effect("artemis", "memory_utilization", at - 10 * M, 0.93, relative=False, ramp=10 * M),
        Effect("appointments", "latency_p99", at, 25.0),
        Effect("appointments", "error_ratio", at + 1 * M, 0.07, relative=False),
        Effect("patient-portal", "latency_p99", at + 1 * M, 8.0),
    ]
    f.bursts += [
        Burst("notifier", at - 11 * M, 0.6, "error", "Traceback (most recent call last):\n  File \"/app/notifier/"
              "sms.py\", line 4, in <module>\n    from twilio.rest import TwilioClient\nImportError: cannot import "
              "name 'TwilioClient' from 'twilio.rest' (/app/.venv/lib/python3.12/site-packages/twilio/rest/"
              "__init__.py)"),
        Burst("artemis", at, 1, "warn", "AMQ222183: Blocking message production on address 'notifications'; size is "
              "currently: 104857600 bytes; max-size-bytes on address: 104857600, global-max-size is 0/1073741824"),
        Burst("appointments", at, 6, "warn", "AMQ212054: Destination address=notifications is blocked. If the system "
              "is configured to block make sure you consume messages on this destination."),
    ]  # fmt: skip
    return f


def ehr_poll_throttled(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    f = Fault(
        "ehr_poll_throttled",
        "hl7-gateway",
        "recent_change",
        "rollback",
        "hl7-gateway",
        "Hl7BacklogGrowing",
        "a gateway change meant for the test channel sets the EHR poll from every 60 s to every 5 s in production; "
        "the vendor throttles the client with 429s and inbound messages back up",
    )
    f.changes.append(change(at - 3 * M, "hl7-gateway", "config", "channels.ehrPoll.intervalMs", "60000", "5000",
                            rng, "integration-team"))  # fmt: skip
    f.effects += [
        Effect("hl7-gateway", "request_rate", at - 2 * M, 11.0),
        Effect("hl7-gateway", "error_ratio", at, 0.55, relative=False),
    ]
    f.bursts += [
        Burst("hl7-gateway", at, 20, "error", "[Channel: EHR-POLL] HTTP Sender: request to https://interconnect."
              "ehr-vendor.example/api/FHIR/R4/Encounter failed: 429 Too Many Requests (Retry-After: 120)"),
    ]  # fmt: skip
    f.failing_calls.append(("hl7-gateway", "ehr-vendor"))
    return f


def flu_clinic_launch(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(9, 13) * M
    f = Fault(
        "flu_clinic_launch",
        "appointments",
        "capacity",
        "scale",
        "patient-portal",
        "PortalSlow",
        "the flu-clinic booking campaign went out by SMS and e-mail at eight: four times the usual bookings, the "
        "appointments pods' CPU at their limit, the portal slow",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("patient-portal", "request_rate", at - 4 * M, 3.5, ramp=4 * M),
        Effect("appointments", "request_rate", at - 4 * M, 4.2, ramp=4 * M),
        Effect("appointments", "cpu_utilization", at, 0.98, relative=False),
        Effect("appointments", "latency_p99", at + 1 * M, 11.0),
        Effect("patient-portal", "latency_p99", at + 1 * M, 7.0),
        Effect("postgres", "cpu_utilization", at, 0.55, relative=False),
    ]
    f.bursts += [
        Burst("appointments", at + 1 * M, 3, "warn", "Slow request: POST /api/appointments took 4812 ms (threshold "
              "2000 ms)"),
    ]  # fmt: skip
    return f


def lab_client_cert_expired(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 8) * M
    f = Fault(
        "lab_client_cert_expired",
        "hl7-gateway",
        "expired_credential",
        "config_change",
        "hl7-gateway",
        "Hl7OutboundFailing",
        "the gateway's client certificate for the lab's MLLP over TLS endpoint expired at midnight UTC; the lab "
        "refuses the handshake and no order reaches it",
    )
    f.effects += [
        Effect("hl7-gateway", "error_ratio", at, 0.35, relative=False),
    ]
    f.bursts += [
        Burst("hl7-gateway", at, 12, "error", "[Channel: LAB-ORM-OUT] TCP Sender: Error connecting to lab-mllp."
              "meridian-labs.example:6661: javax.net.ssl.SSLHandshakeException: Received fatal alert: "
              "certificate_expired"),
    ]  # fmt: skip
    return f


def weekly_backup(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 20) * M
    f = Fault(
        "weekly_backup",
        "postgres",
        "no_incident",
        "none",
        "postgres",
        "PostgresCPUHigh",
        "the weekly full pgBackRest backup runs from its CronJob at its hour: PostgreSQL's CPU and its statements' "
        "latency rise a little, nothing fails (no incident)",
    )
    f.effects += [
        Effect("postgres", "cpu_utilization", at, 0.82, relative=False, ramp=3 * M),
        Effect("postgres", "latency_p99", at, 1.8, ramp=3 * M),
    ]
    f.bursts += [
        Burst("postgres", at, 0.2, "info", "LOG:  checkpoint starting: force wait"),
    ]
    return f


def ehr_vendor_outage(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "ehr_vendor_outage",
        "ehr-vendor",
        "dependency_failure",
        "escalate",
        "hl7-gateway",
        "Hl7BacklogGrowing",
        "the EHR vendor's interconnect API answers 503 in their own outage; every poll fails and inbound "
        "messages back up",
    )
    f.effects += [
        Effect("hl7-gateway", "error_ratio", at, 0.92, relative=False),
    ]
    f.bursts += [
        Burst("hl7-gateway", at, 10, "error", "[Channel: EHR-POLL] HTTP Sender: request to https://interconnect."
              "ehr-vendor.example/api/FHIR/R4/Encounter failed: 503 Service Unavailable"),
    ]  # fmt: skip
    f.failing_calls.append(("hl7-gateway", "ehr-vendor"))
    return f


FAULTS = [slot_query_regression, notifier_consumer_crash, ehr_poll_throttled, flu_clinic_launch,
          lab_client_cert_expired, weekly_backup, ehr_vendor_outage]  # fmt: skip
