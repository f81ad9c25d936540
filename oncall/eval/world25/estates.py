"""World 25's estate, written after world 24's rules and scored before any rule saw it.

A hospital group's patient portal and clinical integration on Kubernetes, bundled the plain way
DESIGN.md describes by a team whose collector writes `level` as bunyan's numbers (20 debug, 30 info,
40 warn, 50 error, 60 fatal) whatever the program said, and `ts` in the hospital's local time with its
offset (`2026-03-09T14:05:11.274+01:00`), each program's line whole in `message`: ingress-nginx,
Django behind gunicorn, HAPI FHIR on Spring Boot, Mirth Connect, ASP.NET Core's console logger, Redis,
PostgreSQL with a `%t [%p]` prefix, RabbitMQ and cert-manager. Metrics are recording rules labelled
`workload`, every 15 s for requests and 60 s for resources."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from oncall.eval.styled import Estate, Node

# Node.tech: nginx django hapi mirth dotnet redis postgres rabbitmq certmanager saas
LOCAL = timezone(timedelta(hours=1))


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "workload:requests_per_second:1m",
        "error_ratio": "workload:request_errors:ratio_1m",
        "latency_p99": "workload:request_duration_seconds:p99_1m",
        "cpu_utilization": "workload:cpu:saturation_5m",
        "memory_utilization": "workload:memory:saturation",
        "disk_utilization": "workload:volume:used_ratio",
        "restarts": "workload:container_restarts:15m",
    }
    return {k: f'{v}{{workload="{{service}}"}}' for k, v in names.items()}


CARE = Estate(
    label="workload",
    name="careportal",
    namespace="clinical",
    shipper="vector",
    signals=_signals(),
    nodes=(
        Node("ingress", "nginx", ("portal", "fhir"), 260),
        Node("portal", "django", ("fhir", "appointments", "sessions", "national-id"), 240),
        Node("fhir", "hapi", ("clinical-db",), 180),
        Node("appointments", "dotnet", ("clinical-db", "events"), 60),
        Node("integration", "mirth", ("fhir", "events", "lab-system"), 40),
        Node("sessions", "redis", (), 600),
        Node("clinical-db", "postgres", (), 420),
        Node("events", "rabbitmq", (), 90),
        Node("cert-manager", "certmanager", (), 1),
        Node("national-id", "saas", (), 30),
        Node("lab-system", "saas", (), 40),
    ),
)

ESTATES = {CARE.name: CARE}

BACKGROUND = {
    "nginx": ["GET /api/v2/appointments 200"],
    "django": ['"GET /portal/records/ HTTP/1.1" 200 18211'],
    "hapi": ["Request completed: GET /fhir/Observation?patient=88213 in 34ms"],
    "mirth": ["Channel ADT_IN deployed; 1 message(s) processed in the last minute"],
    "dotnet": ["info: Appointments.Api.SlotsController[0]\n      Returned 14 slots for clinic 21"],
    "redis": ["Background saving terminated with success"],
    "postgres": ["LOG:  checkpoint complete: wrote 1208 buffers (7.4%)"],
    "rabbitmq": ["accepting AMQP connection <0.8841.0> (10.8.2.4:50211 -> 10.8.7.2:5672)"],
    "certmanager": ['"msg"="certificate does not require re-issuance" "key"="clinical/portal-tls"'],
}
NOISE = {
    "django": "Not Found: /favicon.ico",
    "hapi": "HAPI-0302: Unknown resource type 'Patient2' - Server knows how to handle: [Patient, Observation]",
    "postgres": "LOG:  could not receive data from client: Connection reset by peer",
}
# the collector's numbers for the levels
NUMBER = {"debug": 20, "info": 30, "warn": 40, "error": 50, "fatal": 60}


def line(tech: str, at: datetime, pod: str, level: str, text: str) -> str:
    """The line as the program writes it."""
    local = at.astimezone(LOCAL)
    if tech == "nginx":  # ingress-nginx's upstream format
        if text[:1] in "GP" and text.split(" ")[-1].isdigit():
            req, status = text.rsplit(" ", 1)
            stamp = f"{local:%d/%b/%Y:%H:%M:%S +0100}"
            return f'10.8.0.{at.second} - - [{stamp}] "{req} HTTP/2.0" {status} 1211 "-" "okhttp/4.12" 512 0.031'
        return f"{local:%Y/%m/%d %H:%M:%S} [{level}] 31#31: *8841 {text}"
    if tech == "django":
        if text.startswith('"'):
            return f"[{local:%Y-%m-%d %H:%M:%S +0100}] [12] [INFO] 10.8.3.1 - - {text}"
        return f"{level.upper()} {local:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} portal.views {text}"
    if tech == "hapi":  # Spring Boot's default pattern
        return (f"{local:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}+01:00 {level.upper():>5} 1 --- "
                f"[io-8080-exec-12] c.u.f.j.r.BaseHapiFhirDao               : {text}")  # fmt: skip
    if tech == "mirth":
        return f"{level.upper():<5} {local:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} [ADT_IN Source] {text}"
    if tech == "dotnet":  # the console logger's own level names
        if text.startswith(("info:", "warn:", "fail:", "crit:")):
            return text
        word = {"error": "fail", "warn": "warn", "fatal": "crit"}.get(level, "info")
        return f"{word}: Appointments.Api.Program[0]\n      {text}"
    if tech == "redis":
        return f"1:M {local:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d} # {text}"
    if tech == "postgres":
        return f"{local:%Y-%m-%d %H:%M:%S} CET [{2200 + at.second}] {text}"
    if tech == "rabbitmq":
        return f"{local:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}+01:00 [{level}] <0.8841.0> {text}"
    if tech == "certmanager":  # klog's header
        return f"{level[0].upper()}{local:%m%d %H:%M:%S}.{at.microsecond:06d}       1 controller.go:162] {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the team's bundle keeps it."""
    tech = estate.node(service).tech
    if tech in ("redis", "postgres", "rabbitmq"):
        pod = f"{service}-{sum(map(ord, pod)) % 3}"
    local = at.astimezone(LOCAL)
    return {
        "ts": f"{local:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}+01:00",
        "service": service,
        "pod": pod,
        "level": NUMBER.get(level, 30),
        "message": line(tech, at, pod, level, text),
    }
