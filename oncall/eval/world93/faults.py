"""World 93's faults, from release, credential, provider, storage, network and planned-work incidents on a ferry
operator's booking platform, in its operators' words: a booking API release that reads each booking line of a
departure's manifest with a query of its own, PostgreSQL's CPU taken (roll it back); finance rotating the Nets
secret key in Nets' portal, every charge refused (put the new key in Vault); the Coastal Administration's AIS
stream going silent, arrival times stale (theirs: escalate); a replication slot nobody reads holding WAL until the
database's disk is full (grow the disk, then drop the slot); a notifier release, deployed the evening before, that
crashes on older bookings when the morning's reminders run, the broker's memory alarm then blocking the booking
API's publishes (roll it back); the IPsec tunnel to the Hjellestad terminal down, kiosks and gates unreachable (the
network team's: escalate); and the next season's timetable's planned import (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M

H = timedelta(hours=1)


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's change log keeps it: the CAB ticket, and the Ansible or package change behind it."""
    if not code:
        code = (
            f"--- a/group_vars/{svc}.yml\n+++ b/group_vars/{svc}.yml\n-{key}: {old}\n+{key}: {new}\n"
            if kind == "config"
            else f"dnf -y install {svc}-{new}  # was {old}\n"
        )
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key} {old}",
        "to": f"{key} {new}",
        "author": who,
        "ref": f"CHG{rng.randint(40000, 49999):07d}",
        "diff": code,
    }


def manifest_query_release(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "manifest_query_release",
        "booking-api",
        "recent_change",
        "rollback",
        "booking-api",
        "BookingApiLatencyHigh",
        "booking-api 4.12.0 builds a departure's passenger manifest by reading each booking line with a query of its "
        "own (thousands a manifest); the morning departures' manifests took PostgreSQL's CPU and the API's "
        "connections, and requests wait thirty seconds for one; roll back to 4.11.3",
    )
    f.changes.append(change(at - 3 * M, "booking-api", "deploy", "rpm", "4.11.3", "4.12.0", rng, "jenkins"))
    f.effects += [
        Effect("postgresql", "cpu_utilization", at, 0.96, relative=False),
        Effect("postgresql", "pool_utilization", at, 0.98, relative=False),
        Effect("booking-api", "latency_p99", at, 11.0),
        Effect("booking-api", "error_ratio", at + M, 0.08, relative=False),
        Effect("haproxy", "error_ratio", at + M, 0.05, relative=False),
        Effect("checkin-gw", "error_ratio", at + M, 0.04, relative=False),
    ]
    f.bursts += [
        Burst("postgresql", at, 30, "info", "LOG:  duration: 1{n}{k}.4{k} ms  execute <unnamed>: SELECT bl.* FROM "
              "booking_line bl WHERE bl.booking_id = $1"),
        Burst("booking-api", at + M, 4, "error", "ERROR [http-nio-8080-exec-{k}] n.v.booking.web.ManifestController - "
              "GET /api/v2/departures/{n}{k}41/manifest failed: org.springframework.jdbc."
              "CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is java.sql."
              "SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after "
              "30000ms."),
        Burst("haproxy", at + M, 4, "info", "fe_https~ bk_booking/bgo-app-0{k} 0/0/1/-1/30002 504 194 - - sH-- "
              "{n}{k}/{n}{k}/{k}/1/0 0/0 \"GET /api/v2/departures/{n}{k}41/manifest HTTP/1.1\""),
        Burst("checkin-gw", at + 2 * M, 2, "error", "level=error msg=\"manifest fetch failed\" departure={n}{k}41 "
              "status=504 took=30.0s"),
    ]  # fmt: skip
    return f


def nets_key_rotated(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 12) * M
    f = Fault(
        "nets_key_rotated",
        "payments",
        "expired_credential",
        "config_change",
        "payments",
        "PaymentFailuresHigh",
        "finance rotated the Nets Easy secret key in Nets' portal this morning and the old key stopped working; every "
        "charge is refused 401 and no booking can be paid; put the new key in Vault (secret/payments/nets) and "
        "restart payments",
    )
    f.effects += [
        Effect("payments", "error_ratio", at, 0.9, relative=False),
        Effect("booking-api", "error_ratio", at, 0.06, relative=False),
        Effect("haproxy", "error_ratio", at, 0.03, relative=False),
    ]
    f.bursts += [
        Burst("payments", at, 5, "error", "ERROR payments.nets: charge for {pid} failed: Nets answered 401 "
              "Unauthorized (POST https://api.dibspayment.eu/v1/payments): invalid or revoked secret key"),
        Burst("booking-api", at, 4, "warn", "WARN [http-nio-8080-exec-{k}] n.v.booking.pay.PaymentClient - payment "
              "for booking {n}{k}7{k} not taken: payments answered 502"),
        Burst("haproxy", at, 4, "info", "fe_https~ bk_booking/bgo-app-0{k} 0/0/0/{n}{k}1/{n}{k}4 502 311 - - ---- "
              "{n}{k}/{n}{k}/2/1/0 0/0 \"POST /api/v2/bookings/{n}{k}7{k}/pay HTTP/1.1\""),
    ]  # fmt: skip
    f.failing_calls.append(("payments", "nets"))
    return f


def ais_stream_silent(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 15) * M
    f = Fault(
        "ais_stream_silent",
        "kystverket-ais",
        "dependency_failure",
        "escalate",
        "ais-feed",
        "VesselEtaStale",
        "the Coastal Administration's AIS stream (153.44.253.27:5631) accepts the connection and then sends nothing; "
        "no vessel positions arrive and every arrival time on the boards and in the app is stale; theirs: escalate "
        "to Kystverket's service desk",
    )
    f.effects += [
        Effect("ais-feed", "request_rate", at, 0.03, ramp=M),
        Effect("ais-feed", "error_ratio", at + 2 * M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("ais-feed", at + 2 * M, 1, "warn", "WARNING ais.stream: no sentences from 153.44.253.27:5631 for 120 s, "
              "reconnecting"),
        Burst("ais-feed", at + 2 * M, 1, "error", "ERROR ais.stream: reconnected to 153.44.253.27:5631 but no "
              "sentences arrived within 60 s"),
        Burst("ais-feed", at + 5 * M, 2, "warn", "WARNING ais.eta: ETA for MS Fjordstjerne on {route} is {n} min "
              "old: no position since {k}:{n}"),
        Burst("booking-api", at + 5 * M, 1, "warn", "WARN [scheduling-2] n.v.booking.eta.EtaSync - arrival times "
              "for {k} departures not refreshed: ais-feed has no position newer than 5 minutes"),
    ]  # fmt: skip
    f.failing_calls.append(("ais-feed", "kystverket-ais"))
    return f


def wal_slot_disk_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "wal_slot_disk_full",
        "postgresql",
        "resource_exhaustion",
        "scale",
        "booking-api",
        "BookingErrorsHigh",
        "the data warehouse's replication slot (dwh_debezium) has not been read since its connector was paused on "
        "Friday; PostgreSQL kept every WAL segment for it until /var/lib/pgsql filled, and the database stops and "
        "recovers in a loop; grow the volume, then drop the slot",
    )
    f.effects += [
        Effect("postgresql", "disk_utilization", t - 10 * H, 1.0, relative=False, ramp=10 * H - (t - at)),
        Effect("postgresql", "restarts", at, 3.0, relative=False),
        Effect("booking-api", "error_ratio", at, 0.3, relative=False),
        Effect("payments", "error_ratio", at, 0.2, relative=False),
        Effect("haproxy", "error_ratio", at, 0.12, relative=False),
    ]
    f.bursts += [
        Burst("postgresql", at, 1, "error", "PANIC:  could not write to file \"pg_wal/xlogtemp.{k}{n}11\": No space "
              "left on device"),
        Burst("postgresql", at, 2, "info", "LOG:  database system was not properly shut down; automatic "
              "recovery in progress"),
        Burst("postgresql", at, 6, "info", "FATAL:  the database system is in recovery mode"),
        Burst("booking-api", at, 5, "error", "ERROR [http-nio-8080-exec-{k}] n.v.booking.web.BookingController - POST "
              "/api/v2/bookings failed: org.postgresql.util.PSQLException: FATAL: the database system is in recovery "
              "mode"),
        Burst("payments", at, 2, "error", "ERROR payments.store: psycopg.OperationalError: connection failed: FATAL: "
              " the database system is in recovery mode"),
        Burst("haproxy", at, 4, "info", "fe_https~ bk_booking/bgo-app-0{k} 0/0/0/{n}/{n}{k} 500 220 - - ---- "
              "{n}{k}/{n}{k}/2/1/0 0/0 \"POST /api/v2/bookings HTTP/1.1\""),
    ]  # fmt: skip
    return f


def notify_release_reminders(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 20) * M
    f = Fault(
        "notify_release_reminders",
        "notify",
        "recent_change",
        "rollback",
        "rabbitmq",
        "RabbitmqMemoryAlarm",
        "notify 2.3.0 (deployed last evening) reads each booking's sms_opt_in, which bookings made before May lack; "
        "when the morning's departure reminders ran it crashed on the first old booking, systemd restarted it, and "
        "the redelivered message crashed it again; 1.2 million reminders piled up in RabbitMQ until its memory alarm "
        "blocked every publisher, the booking API among them; roll notify back to 2.2.4",
    )
    f.changes.append(change(at - rng.randint(13, 16) * H, "notify", "deploy", "rpm", "2.2.4", "2.3.0", rng,
                            "jenkins"))  # fmt: skip
    f.effects += [
        Effect("notify", "restarts", at, 6.0, relative=False),
        Effect("notify", "request_rate", at, 0.05),
        Effect("rabbitmq", "memory_utilization", at, 0.97, relative=False, ramp=8 * M),
        Effect("booking-api", "latency_p99", at + 8 * M, 9.0),
        Effect("booking-api", "error_ratio", at + 9 * M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("notify", at, 3, "error", "{\"level\":60,\"time\":{ms},\"pid\":{n}1{k},\"hostname\":\"bgo-int-01\","
              "\"msg\":\"uncaughtException: TypeError: Cannot read properties of undefined (reading 'phone')\","
              "\"err\":{\"type\":\"TypeError\",\"stack\":\"TypeError: Cannot read properties of undefined (reading "
              "'phone')\\n    at reminderRecipients (/opt/notify/lib/reminders.js:88:41)\"}}"),
        Burst("notify", at, 3, "info", "{\"level\":30,\"time\":{ms},\"pid\":{n}1{k},\"hostname\":\"bgo-int-01\","
              "\"msg\":\"consumer started\",\"queue\":\"departure-reminders\",\"prefetch\":50}"),
        Burst("rabbitmq", at + 8 * M, 1, "warn", "[warning] <0.4{n}.0> memory resource limit alarm set on node "
              "'rabbit@bgo-mq-01'."),
        Burst("rabbitmq", at + 8 * M, 1, "error", "[error] <0.4{n}.0> *** Publishers will be blocked until this "
              "alarm clears ***"),
        Burst("booking-api", at + 9 * M, 3, "warn", "WARN [http-nio-8080-exec-{k}] n.v.booking.events.Publisher - "
              "publish of booking.confirmed waited {k}{n}00 ms: connection blocked by the broker (low on memory)"),
    ]  # fmt: skip
    return f


def terminal_tunnel_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "terminal_tunnel_down",
        "checkin-gw",
        "network",
        "escalate",
        "checkin-gw",
        "KioskHeartbeatsMissing",
        "the IPsec tunnel to the Hjellestad terminal went down when the terminal's ISP gave its router a new public "
        "address; the kiosks, number-plate cameras and gate controllers there are unreachable and cars are checked "
        "in by hand; the gateway is fine; the network team's: escalate",
    )
    f.effects += [
        Effect("checkin-gw", "request_rate", at, 0.35),
        Effect("checkin-gw", "error_ratio", at, 0.25, relative=False),
        Effect("checkin-gw", "latency_p99", at, 6.0),
    ]
    f.bursts += [
        Burst("checkin-gw", at, 4, "warn", "level=warn msg=\"kiosk heartbeat missed\" kiosk=HJE-K{k} "
              "terminal=hjellestad last_seen={n}s"),
        Burst("checkin-gw", at, 3, "error", "level=error msg=\"push boarding list failed\" gate=HJE-GATE-{k} "
              "err=\"dial tcp 10.31.2.1{k}:8443: connect: no route to host\""),
        Burst("checkin-gw", at + M, 1, "error", "level=error msg=\"camera stream lost\" camera=HJE-ANPR-{k} "
              "err=\"read tcp 10.12.4.23:4{n}12->10.31.2.3{k}:554: i/o timeout\""),
    ]  # fmt: skip
    return f


def timetable_import(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 15) * M
    f = Fault(
        "timetable_import",
        "postgresql",
        "no_incident",
        "none",
        "postgresql",
        "PostgresCpuHigh",
        "the next season's timetable's planned import loads forty thousand departures and their deck plans; "
        "PostgreSQL's CPU and the API's latency rise until it finishes; nothing is wrong (no incident)",
    )
    f.effects += [
        Effect("postgresql", "cpu_utilization", at, 0.88, relative=False, until=at + 30 * M),
        Effect("booking-api", "latency_p99", at, 1.5, until=at + 30 * M),
    ]
    f.bursts += [
        Burst("booking-api", at, 2, "info", "INFO [timetable-import-1] n.v.booking.timetable.Importer - imported "
              "{n}{k}00 of 40000 departures (next season's timetable)", minutes=30),
        Burst("postgresql", at, 2, "info", "LOG:  duration: {k}{n}1.2 ms  statement: COPY departure_staging FROM "
              "STDIN WITH (FORMAT csv)", minutes=30),
    ]  # fmt: skip
    return f


FAULTS = [manifest_query_release, nets_key_rotated, ais_stream_silent, wal_slot_disk_full, notify_release_reminders,
          terminal_tunnel_down, timetable_import]  # fmt: skip
