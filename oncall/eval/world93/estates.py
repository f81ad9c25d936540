"""World 93's estate, written after world 92's rules and scored before any rule saw it.

A Bergen ferry operator's booking and check-in platform on virtual machines in its own data centre (Rocky Linux,
systemd; no cluster): HAProxy in front, a Spring Boot booking API (sailings, cabins and vehicle-deck space), a
Python payments service charging through Nets Easy, a Go check-in gateway the terminals' kiosks and number-plate
cameras talk to, a Python AIS feed turning the Norwegian Coastal Administration's vessel positions into arrival
times, a Node notifier sending SMS through Link Mobility, PostgreSQL and RabbitMQ. The services are named as their
systemd units are, without `.service`.

Logs go to each host's rsyslog, which relays them to Logstash's `syslog` input (ECS compatibility off); its file
output's json_lines are what is exported. An event is as that input makes it: `message` (the text after the tag),
`@timestamp` (the header's time as Logstash's date filter read it, in Europe/Oslo), `timestamp` (the header's time
as written: the sender's wall clock, no year, no zone), `host` (the sender's address), `logsource` (its host name),
`program` and `pid` (the tag), `priority`, `severity`, `facility` and their `_label`s (`Informational`, `Warning`,
...). The programs map their own levels to syslog's: Logback's appender and Python's handler as their levels say;
PostgreSQL sends ERROR as a warning and WARNING as a notice; the Go gateway's writer sends every line at info, its
level only in its logfmt text; HAProxy sends traffic at info; the notifier's pino line is sent whole, as JSON.
Metrics: Telegraf's, into Prometheus, by `systemd_unit` (`booking-api.service`)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from oncall.eval.styled import Estate, Node

HOSTS = {
    "haproxy": ("bgo-lb-01", "bgo-lb-02"),
    "booking-api": ("bgo-app-01", "bgo-app-02", "bgo-app-03"),
    "payments": ("bgo-app-01", "bgo-app-02"),
    "checkin-gw": ("bgo-app-03",),
    "ais-feed": ("bgo-int-01",),
    "notify": ("bgo-int-01",),
    "postgresql": ("bgo-db-01",),
    "rabbitmq": ("bgo-mq-01",),
}
ADDRESS = {"bgo-lb-01": "10.12.1.11", "bgo-lb-02": "10.12.1.12", "bgo-app-01": "10.12.4.21",
           "bgo-app-02": "10.12.4.22", "bgo-app-03": "10.12.4.23", "bgo-int-01": "10.12.4.31",
           "bgo-db-01": "10.12.6.11", "bgo-mq-01": "10.12.6.21"}  # fmt: skip
PROGRAM = {"postgresql": "postgres", "rabbitmq": "rabbitmq"}  # a tag other than the unit's name
FACILITY = {"haproxy": 16, "postgresql": 16, "checkin-gw": 19}  # local0, local3; the rest user-level (1)
SEVERITY = {"error": 3, "warn": 4, "info": 6, "debug": 7}
LABELS = ["Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"]
FACILITIES = {1: "user-level", 16: "local0", 19: "local3"}
ROUTES = ("BGO-HJE", "HJE-BGO", "BGO-STO", "STO-BGO", "HAU-BGO")
OSLO = ZoneInfo("Europe/Oslo")  # the hosts' clocks, and the header times they write


def _signals() -> dict[str, str]:
    sel = 'systemd_unit="{service}.service",site="bgo1"'
    return {
        "request_rate": f"unit:http_requests:rate1m{{{sel}}}",
        "error_ratio": f"unit:http_requests_failed:ratio_rate1m{{{sel}}}",
        "latency_p99": f"unit:http_request_duration_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"unit:procstat_cpu_usage:ratio{{{sel}}}",
        "memory_utilization": f"unit:procstat_memory_rss:ratio{{{sel}}}",
        "disk_utilization": f'unit:disk_used:ratio{{{sel},path="/var/lib"}}',
        "pool_utilization": f"unit:postgresql_backends:ratio{{{sel}}}",
        "restarts": f"unit:systemd_unit_restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="systemd_unit",
    name="ferje",
    namespace="ferje",
    shipper="logstash-syslog-input-json-lines",
    signals=_signals(),
    nodes=(
        Node("haproxy", "haproxy", ("booking-api", "checkin-gw", "payments"), 140),
        Node("booking-api", "spring", ("postgresql", "rabbitmq", "payments"), 110),
        Node("payments", "python", ("nets", "postgresql"), 12),
        Node("checkin-gw", "go", ("booking-api",), 30),
        Node("ais-feed", "aispy", ("kystverket-ais", "postgresql"), 8),
        Node("notify", "node", ("rabbitmq", "link-mobility"), 6),
        Node("postgresql", "postgres", (), 300),
        Node("rabbitmq", "rabbitmq", (), 60),
        Node("nets", "saas", (), 10),
        Node("kystverket-ais", "saas", (), 40),
        Node("link-mobility", "saas", (), 6),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "haproxy": ["fe_https~ bk_booking/bgo-app-0{k} 0/0/1/{n}/{n}{k} 200 {k}{n}12 - - ---- {n}{k}/{n}{k}/3/1/0 0/0 "
                "\"GET /api/v2/sailings?route={route}&date=2028-06-2{k} HTTP/1.1\"",
                "fe_https~ bk_checkin/bgo-app-03 0/0/0/{k}/{k}{n} 200 4{n}1 - - ---- {n}{k}/{n}{k}/1/1/0 0/0 "
                "\"POST /kiosk/v1/heartbeat HTTP/1.1\""],
    "spring": ["INFO [http-nio-8080-exec-{k}] n.v.booking.web.SailingController - GET /api/v2/sailings route={route} "
               "took {n}{k}ms", "INFO [scheduling-1] n.v.booking.deck.CapacityRecalc - deck space recalculated for "
               "{n} departures"],
    "python": ["INFO payments.nets: payment {pid} charged NOK {n}{k}0.00 (Visa) in {n}{k}0 ms",
               "INFO payments.webhook: Nets webhook payment.checkout.completed for {pid}"],
    "go": ["level=info msg=\"kiosk heartbeat\" kiosk=HJE-K{k} terminal=hjellestad",
           "level=info msg=\"plate read\" camera=HJE-ANPR-{k} lane={k} confidence=0.9{n}"],
    "aispy": ["INFO ais.stream: {n}{k}0 sentences in the last minute, {k}{n} vessels in view",
              "INFO ais.eta: ETA for MS Fjordstjerne on {route} updated: +{k} min"],
    "node": ["{\"level\":30,\"time\":{ms},\"pid\":{n}1{k},\"hostname\":\"bgo-int-01\",\"msg\":\"sms sent\","
             "\"provider\":\"linkmobility\",\"kind\":\"departure-reminder\",\"ms\":{n}{k}}"],
    "postgres": ["LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); 0 WAL file(s) added, 0 removed, {k} "
                 "recycled; write={n}.{k}01 s, sync=0.00{k} s, total={n}.{k}12 s",
                 "LOG:  automatic vacuum of table \"ferje.public.booking_line\": index scans: 1"],
    "rabbitmq": ["[info] <0.{n}{k}1.0> accepting AMQP connection <0.{k}{n}2.0> (10.12.4.2{k}:5{n}12 -> "
                 "10.12.6.21:5672)"],
}  # fmt: skip
NOISE = {
    "python": "WARNING payments.nets: Nets answered 402 payment_declined for {pid} (card declined by issuer)",
    "go": 'level=warn msg="plate read below confidence" camera=HJE-ANPR-{k} lane={k} confidence=0.4{n}',
    "spring": "WARN [http-nio-8080-exec-{k}] n.v.booking.web.BookingController - booking {pid}: vehicle length "
    "{k}.{n} m over the deck's limit for this sailing, rejected",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{route}", ROUTES[int(h[:2], 16) % len(ROUTES)])
        .replace("{pid}", "pay_" + h[20:36])
        .replace("{ms}", str(int(at.timestamp() * 1000)))
    )


def _header_time(at: datetime) -> str:
    """RFC 3164's header time, the sender's wall clock: `Jun  4 06:02:11`."""
    local = at.astimezone(OSLO)
    return f"{local:%b} {local.day:>2} {local:%H:%M:%S}"


def _line(tech: str, at: datetime, level: str, said: str, h: str) -> tuple[str, int]:
    """The message after the tag, and the syslog severity its program sends it at."""
    severity = SEVERITY[level]
    if tech == "spring":  # Logback's SyslogAppender, suffixPattern "%-5level [%thread] %logger{36} - %msg"
        if not said.startswith(("INFO", "WARN", "ERROR", "DEBUG")):
            said = f"{level.upper():<5} [http-nio-8080-exec-{int(h[:2], 16) % 20 + 1}] {said}"
        return said, severity
    if tech in ("python", "aispy"):
        if not said.startswith(("INFO", "WARNING", "ERROR", "DEBUG")):
            said = f"{ {'warn': 'WARNING'}.get(level, level.upper()) } {said}"
        return said, severity
    if tech == "go":  # log/syslog's writer, opened at local3.info: every line at info whatever it says
        if not said.startswith("level="):
            said = f"level={level} {said}"
        return said, 6
    if tech == "postgres":
        local = at.astimezone(OSLO)
        word = said.split(":", 1)[0]
        severity = {"ERROR": 4, "WARNING": 5, "FATAL": 3, "PANIC": 2}.get(word, 6)
        seq = int(h[:3], 16) % 900 + 1
        user = "" if word == "LOG" and "duration" not in said else "booking@ferje "
        stamp = f"{local:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} {local:%Z}"
        return f"[{seq}-1] {stamp} [{int(h[3:6], 16) % 9000 + 1000}] {user}{said}", severity
    if tech == "rabbitmq":
        if not said.startswith("["):
            said = f"[{ {'warn': 'warning'}.get(level, level) }] <0.{int(h[:3], 16)}.0> {said}"
        return said, severity
    if tech == "node":  # pino-syslog: the pino line whole, at the level's severity
        if said.startswith("{"):
            return said, severity
        doc = {"level": {"error": 50, "warn": 40, "info": 30, "debug": 20}[level], "time": int(at.timestamp() * 1000),
               "pid": int(h[:3], 16) % 900 + 100, "hostname": "bgo-int-01", "msg": said}  # fmt: skip
        return json.dumps(doc, separators=(",", ":")), severity
    # haproxy: traffic at info, after the client and the accept time; a server's state change at alert
    if level == "error":
        return said, 1
    local = at.astimezone(OSLO)
    client = f"10.{int(h[:2], 16) % 3 + 20}.{int(h[2:4], 16)}.{int(h[4:6], 16)}:{int(h[6:10], 16) % 40000 + 20000}"
    return f"{client} [{local:%d/%b/%Y:%H:%M:%S}.{at.microsecond // 1000:03d}] {said}", 6


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """Logstash's syslog input event for one line one program sent to its host's rsyslog."""
    node = estate.node(service)
    h = _hex(service, pod, str(at.timestamp()), text)
    hosts = HOSTS[service]
    host = hosts[int(h[:2], 16) % len(hosts)]
    said = _fill(at, text, h)
    if said.startswith("host="):  # a line only one host writes
        host, _, said = said.removeprefix("host=").partition(" ")
    message, severity = _line(node.tech, at, level, said, h)
    facility = FACILITY.get(service, 1)
    return {
        "message": message,
        "@version": "1",
        # the date filter read the header's time in Europe/Oslo: the second it names, in UTC
        "@timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.000Z",
        "type": "syslog",
        "host": ADDRESS[host],
        "priority": facility * 8 + severity,
        "timestamp": _header_time(at),
        "logsource": host,
        "program": PROGRAM.get(service, service),
        "pid": str(int(h[6:9], 16) % 30000 + 1200),
        "severity": severity,
        "facility": facility,
        "facility_label": FACILITIES[facility],
        "severity_label": LABELS[severity],
    }
