"""World 73's faults, from payment-provider, Go, ingress, MySQL, Redis and e-mail incidents, in this estate's
words: GMO Payment Gateway answering every merchant "system busy" (escalate); the availability service's release
leaking a goroutine and its buffers per request until it is OOMKilled (roll back); the booking chart's Ingress
annotation cutting nginx's proxy-body-size to 1k, every booking's POST refused with 413 at the edge (roll back);
the booking release's migration altering the reservations table with ALGORITHM=COPY, every query behind its
metadata lock (roll back: kill the ALTER); Redis's maxmemory cut to a tenth, sessions evicted (put it back); the
mailer's SendGrid key rotated to one without the mail.send scope (roll back); and the evening digest the mailer
sends every day (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the OCI DevOps deployment pipeline that applies the Helm charts records it."""
    path = f"charts/{svc}/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"ocid1.devopsdeployment.oc1.ap-osaka-1.amaaaaaa{rng.getrandbits(60):015x}",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -7 +7 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def _spring(level: str, logger: str, text: str) -> str:
    return "{iso}  " + f"{level:>5}" + " 1 --- [booking] [nio-8080-exec-{k}] " + f"{logger:<40}: {text}"


def gmo_busy(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "gmo_busy",
        "gmo-pg",
        "dependency_failure",
        "escalate",
        "payments",
        "PaymentsFailing",
        "GMO Payment Gateway answers E92000001 (system busy) to every merchant; no booking can be paid; nothing of "
        "ours changed; escalate to GMO and hold the bookings for retry",
    )
    f.bursts += [
        Burst("payments", at, 8, "error", "method=POST path=/payments format=json controller=PaymentsController "
              "action=create status=502 duration=3{n}0.4 view=0.0 db=2.1 order=R-{hex} error='GMO::PG::Error: "
              "ErrCode=E92 ErrInfo=E92000001'"),
        Burst("booking", at + 1 * M, 4, "error", _spring("ERROR", "j.r.booking.PaymentsClient", "payment for R-{hex} "
              "failed: payments answered 502 (GMO E92000001)")),
    ]  # fmt: skip
    f.effects += [Effect("payments", "error_ratio", at, 0.55, relative=False)]
    f.failing_calls.append(("payments", "gmo-pg"))
    return f


LEAK_DIFF = (
    "--- a/internal/rooms/watch.go\n+++ b/internal/rooms/watch.go\n@@ -31,6 +31,5 @@ func (s *Server) Rooms(w "
    "http.ResponseWriter, r *http.Request) {\n\tupdates := make(chan Room, 64)\n-\tctx, cancel := context.WithCancel("
    "r.Context())\n-\tdefer cancel()\n+\tctx := context.Background() // keep watching after the response\n\tgo "
    "s.watch(ctx, inn, updates)\n"
)


def goroutine_leak(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    deploy = t - timedelta(hours=2, minutes=rng.randint(0, 45))
    f = Fault(
        "goroutine_leak",
        "availability",
        "recent_change",
        "rollback",
        "ingress",
        "IngressErrors",
        "availability 4.8.0 starts a watcher per request that is never cancelled; goroutines and their buffers pile "
        "up for two hours until the pods are OOMKilled and the ingress answers 502/503 while they restart; roll "
        "availability back",
    )
    f.changes.append(change(deploy, "availability", "deploy", "image.tag", "4.7.3", "4.8.0", rng, "oci-devops",
                            code=LEAK_DIFF))  # fmt: skip
    f.effects += [
        Effect("availability", "memory_utilization", deploy, 0.99, relative=False, ramp=at - deploy),
        Effect("availability", "error_ratio", at, 0.3, relative=False),
        Effect("ingress", "error_ratio", at, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("ingress", at, 10, "info", '10.0.{k}.{n} - - [{clf}] "GET /api/v1/rooms?inn=I{n}{k} HTTP/1.1" 502 150 '
              '"-" "RyokanApp/4.2 (iPhone)" 3{n}1 0.0{n}1 [ryokan-availability-8080] [] 10.244.{k}.{n}:8080 0 '
              '0.0{n}1 502 {hex}'),
        Burst("booking", at, 4, "error", _spring("ERROR", "j.r.booking.AvailabilityClient", "hold failed for R-{hex}: "
              "I/O error on GET request for \\\"http://availability:8080/rooms\\\": Connection refused")),
    ]  # fmt: skip
    f.events.append(KEvent("availability", "BackOff", "Back-off restarting failed container availability in pod "
                           "availability", at, terminated="OOMKilled"))  # fmt: skip
    return f


BODY_DIFF = (
    "--- a/charts/booking/templates/ingress.yaml\n+++ b/charts/booking/templates/ingress.yaml\n@@ -6 +6 @@\n"
    '-    nginx.ingress.kubernetes.io/proxy-body-size: "8m"\n+    nginx.ingress.kubernetes.io/proxy-body-size: "1k"\n'
)


def body_size_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "body_size_cut",
        "booking",
        "recent_change",
        "rollback",
        "booking",
        "BookingsDropped",
        "the booking chart's Ingress annotation cut nginx's proxy-body-size from 8m to 1k; every booking's POST "
        "(its guests and requests) is larger, so the ingress refuses it with 413 and bookings stop arriving; put "
        "the annotation back",
    )
    f.changes.append(change(at - 2 * M, "booking", "config", "nginx.ingress.kubernetes.io/proxy-body-size", '"8m"',
                            '"1k"', rng, "oci-devops", code=BODY_DIFF))  # fmt: skip
    f.effects += [Effect("booking", "request_rate", at, 0.3, ramp=M)]
    f.bursts += [
        Burst("ingress", at, 12, "info", '10.0.{k}.{n} - - [{clf}] "POST /api/v1/bookings HTTP/1.1" 413 176 "-" '
              '"RyokanApp/4.2 (iPhone)" 2{n}11 0.000 [ryokan-booking-8080] [] - - - - {hex}'),
        Burst("ingress", at, 12, "error", '{iso} [error] 31#31: *{n}{k}1 client intended to send too large body: '
              '2{n}11 bytes, client: 10.0.{k}.{n}, server: api.ryokan.jp, request: "POST /api/v1/bookings HTTP/1.1", '
              'host: "api.ryokan.jp"'),
    ]  # fmt: skip
    return f


ALTER_DIFF = (
    "--- /dev/null\n+++ b/src/main/resources/db/migration/V88__reservation_notes.sql\n@@ -0,0 +1,2 @@\n+ALTER TABLE "
    "reservations ADD COLUMN guest_notes TEXT,\n+  ALGORITHM=COPY, LOCK=SHARED;\n"
)
LOCK = "Lock wait timeout exceeded; try restarting transaction"


def alter_table_copy(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "alter_table_copy",
        "booking",
        "recent_change",
        "rollback",
        "availability",
        "AvailabilityLatencyHigh",
        "booking 7.2.0's Flyway migration copies the reservations table (ALGORITHM=COPY) under a metadata lock; "
        "every write, then every read, of reservations waits behind it; kill the ALTER and roll booking back",
    )
    f.changes.append(change(at - 3 * M, "booking", "deploy", "image.tag", "7.1.4", "7.2.0", rng, "oci-devops",
                            code=ALTER_DIFF))  # fmt: skip
    f.effects += [
        Effect("mysql", "cpu_utilization", at - 2 * M, 0.8, relative=False),
        Effect("availability", "latency_p99", at, 20.0),
        Effect("availability", "error_ratio", at, 0.25, relative=False),
        Effect("booking", "latency_p99", at, 15.0),
        Effect("booking", "error_ratio", at, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("availability", at, 10, "error", '{{"level":"error","inn":"I{n}{k}","error":"Error 1205 (HY000): '
              + LOCK + '","time":"{iso}","message":"availability query failed"}}'),
        Burst("booking", at, 6, "error", _spring("ERROR", "o.h.engine.jdbc.spi.SqlExceptionHelper", LOCK)),
        Burst("mysql", at - 2 * M, 1, "info", "{iso} 9 [Note] [MY-013386] [InnoDB] Running ALTER TABLE reservations "
              "with ALGORITHM=COPY: copying {n}{k}0000 rows"),
    ]  # fmt: skip
    return f


def redis_maxmemory_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "redis_maxmemory_cut",
        "redis",
        "recent_change",
        "rollback",
        "booking",
        "BookingErrors",
        "the platform team's Redis values set maxmemory to 400mb (it was 4gb) with allkeys-lru; Redis evicts the "
        "guests' sessions and held rooms within minutes, so bookings fail at payment; put maxmemory back",
    )
    f.changes.append(change(at - 3 * M, "redis", "config", "maxmemory", "4gb", "400mb", rng, "platform-team"))
    f.effects += [
        Effect("redis", "memory_utilization", at - 2 * M, 0.99, relative=False, ramp=2 * M),
        Effect("booking", "error_ratio", at, 0.3, relative=False),
        Effect("ingress", "error_ratio", at + 1 * M, 0.1, relative=False),
    ]
    f.bursts += [
        Burst("booking", at, 10, "error", _spring("ERROR", "j.r.booking.HoldService", "hold for R-{hex} expired "
              "before payment: key hold:R-{hex} not found in Redis (evicted?)")),
        Burst("payments", at, 3, "warn", "method=POST path=/payments format=json controller=PaymentsController "
              "action=create status=409 duration=1{n}.2 view=0.1 db=1.2 order=R-{hex} warning=hold_missing"),
    ]  # fmt: skip
    return f


def sendgrid_scope_missing(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "sendgrid_scope_missing",
        "mailer",
        "recent_change",
        "rollback",
        "mailer",
        "MailerFailures",
        "the security team rotated the mailer's SendGrid API key to one made without the mail.send scope; every "
        "send is refused with 403; put the old key back and reissue the new one with its scope",
    )
    f.changes.append(change(at - 2 * M, "mailer", "secret", "SENDGRID_API_KEY", "SG.***f3k (full access)",
                            "SG.***q8d (restricted)", rng, "security-team"))  # fmt: skip
    f.bursts += [
        Burst("mailer", at, 6, "error", "[mailer] {iso} error send failed for R-{hex}: ResponseError: Forbidden "
              "(403) {{\"errors\":[{{\"message\":\"access forbidden\",\"field\":null,\"help\":null}}]}}"),
        Burst("booking", at + 1 * M, 2, "warn", _spring("WARN", "j.r.booking.MailerClient", "confirmation for R-{hex} "
              "not sent: mailer answered 502")),
    ]  # fmt: skip
    f.effects += [Effect("mailer", "error_ratio", at, 0.9, relative=False)]
    return f


def evening_digest(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 18) * M
    f = Fault(
        "evening_digest",
        "mailer",
        "no_incident",
        "none",
        "mailer",
        "MailerBacklog",
        "the mailer's daily digest of tomorrow's arrivals goes to every inn at once; its CPU and queue rise for "
        "half an hour and drain; nothing fails; no incident",
    )
    f.effects += [
        Effect("mailer", "cpu_utilization", at, 0.7, relative=False, ramp=3 * M),
        Effect("mailer", "request_rate", at, 3.0, ramp=3 * M),
        Effect("mailer", "latency_p99", at, 1.6, ramp=3 * M),
    ]
    f.bursts += [
        Burst("mailer", at, 30, "info", "[mailer] {iso} info digest mail queued for inn I{n}{k}", minutes=30),
    ]
    return f


FAULTS = [gmo_busy, goroutine_leak, body_size_cut, alter_table_copy, redis_maxmemory_cut, sendgrid_scope_missing,
          evening_digest]  # fmt: skip
