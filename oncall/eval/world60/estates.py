"""World 60's estate, written after world 59's rules and scored before any rule saw it.

A German statutory health insurer's member and claims platform on virtual machines (RHEL, systemd; no cluster):
Apache httpd in front, a Spring Boot member portal, a Quarkus claims API (JSON logs) on Oracle, a Python OCR
worker (Celery) reading scanned receipts from MinIO through RabbitMQ, Keycloak for logins, and two outside
parties: the telematics infrastructure's connector (the TI-Konnektor, for health-card checks) and the bank.
Teams write German as often as English.

Dynatrace's OneAgent reads every process's log files, and the bundle is the Log Monitoring API v2 export
(`/api/v2/logs/export`, `results` written one record a line): `timestamp` in epoch milliseconds (a number),
`content` the line as written, `status` the level OneAgent detected (`NONE` where it found none: it knows
the upper-case words, not `[ssl:error]` or `[info]`, nor an Oracle message), `eventType`, and everything else
in `additionalColumns`, each value a list of one string: `host.name`, `dt.process.name` (the process group as
Dynatrace named it: `Apache Web Server httpd`, `Oracle Database ORCLCDB`), `log.source` (the file),
`loglevel` again, and Dynatrace's entity ids. Metrics: Prometheus by `service`, every 60 s."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: httpd springboot quarkus python rabbitmq oracle minio keycloak saas
BERLIN = timezone(timedelta(hours=2))


def _signals() -> dict[str, str]:
    sel = 'service="{service}",mandant="kasse"'
    return {
        "request_rate": f"dt_service_requests_per_second{{{sel}}}",
        "error_ratio": f"dt_service_failure_ratio{{{sel}}}",
        "latency_p99": f"dt_service_response_time_p99_seconds{{{sel}}}",
        "cpu_utilization": f"dt_process_cpu_usage_ratio{{{sel}}}",
        "memory_utilization": f"dt_process_memory_used_ratio{{{sel}}}",
        "restarts": f"dt_process_restarts_15m{{{sel}}}",
        "disk_utilization": f"dt_host_disk_used_ratio{{{sel}}}",
    }


PROD = Estate(
    label="service",
    name="kasse-prod",
    namespace="versicherte",
    shipper="dynatrace-logs-export",
    signals=_signals(),
    nodes=(
        Node("apache", "httpd", ("portal", "claims-api"), 300),
        Node("portal", "springboot", ("keycloak", "claims-api", "ti-konnektor"), 180),
        Node("claims-api", "quarkus", ("oracle", "minio", "rabbitmq", "bank"), 90),
        Node("ocr", "python", ("minio", "rabbitmq", "claims-api"), 12),
        Node("keycloak", "keycloak", ("oracle",), 120),
        Node("rabbitmq", "rabbitmq", (), 400),
        Node("oracle", "oracle", (), 700),
        Node("minio", "minio", (), 150),
        Node("ti-konnektor", "saas", (), 40),
        Node("bank", "saas", (), 5),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "httpd": ['10.40.{n}.21 - - [{date}] "GET /portal/api/v1/leistungen HTTP/1.1" 200 5120 "-" '
              '"Mozilla/5.0 (Windows NT 10.0; Win64; x64)"'],
    "springboot": [" INFO 2211 --- [nio-8080-exec-3] d.k.portal.web.LeistungController  : Leistungsübersicht "
                   "für Versicherte K{n}4411 geladen (14 ms)"],
    "quarkus": ['{"level":"INFO","loggerName":"de.kasse.claims.ClaimResource","message":"Leistungsfall 88{n}12 '
                'angelegt (3 Positionen)","threadName":"executor-thread-3"}'],
    "python": ["INFO/ForkPoolWorker-3] Task ocr.process[7f3c{n}a1] succeeded in 2.31s: {'pages': 2}"],
    "rabbitmq": ["[info] <0.1234.0> accepting AMQP connection <0.1234.0> (10.40.3.{n}:51234 -> 10.40.2.5:5672)"],
    "oracle": ["Thread 1 advanced to log sequence 482{n} (LGWR switch)"],
    "minio": ['{"level":"INFO","time":"{iso}","api":{"name":"PutObject","args":{"bucket":"belege",'
              '"object":"2026/06/{n}.pdf"},"statusCode":200}}'],
    "keycloak": ['INFO  [org.keycloak.events] (executor-thread-12) type="LOGIN", realmId="versicherte", '
                 'clientId="portal", userId="{n}a1-b2", ipAddress="10.40.7.{n}"'],
}  # fmt: skip
NOISE = {
    "keycloak": 'WARN  [org.keycloak.events] (executor-thread-4) type="LOGIN_ERROR", realmId="versicherte", '
    'clientId="portal", userId="null", ipAddress="10.40.7.{n}", error="invalid_user_credentials"',
    "springboot": " WARN 2211 --- [nio-8080-exec-7] d.k.portal.web.UploadController    : Upload abgelehnt: "
    "Datei zu groß (12 MB)",
}  # fmt: skip

PROCESS = {
    "httpd": "Apache Web Server httpd",
    "springboot": "Apache Tomcat portal",
    "quarkus": "claims-api-runner",
    "python": "celery worker ocr",
    "rabbitmq": "RabbitMQ",
    "oracle": "Oracle Database ORCLCDB",
    "minio": "minio server",
    "keycloak": "Keycloak",
}
SOURCE = {
    "httpd": "/var/log/httpd/ssl_access_log",
    "springboot": "/opt/portal/logs/portal.log",
    "quarkus": "/var/log/claims-api/claims-api.json",
    "python": "/var/log/ocr/worker.log",
    "rabbitmq": "/var/log/rabbitmq/rabbit@vm-rabbitmq-01.log",
    "oracle": "/u01/app/oracle/diag/rdbms/orclcdb/ORCLCDB/trace/alert_ORCLCDB.log",
    "minio": "/var/log/minio/minio.log",
    "keycloak": "/opt/keycloak/log/keycloak.log",
}
# OneAgent's level detection: the upper-case words only
DETECTED = (("ERROR|SEVERE|FATAL|CRITICAL", "ERROR"), ("WARNING|WARN", "WARN"), ("INFO|DEBUG|NOTICE", "INFO"))


def _line(tech: str, at: datetime, text: str) -> str:
    """The line as the program writes it to its file."""
    loc = at.astimezone(BERLIN)
    ms = at.microsecond // 1000
    if tech == "httpd":
        if text.startswith("["):  # the error log: Apache 2.4's [module:level]
            return f"[{loc:%a %b %d %H:%M:%S}.{at.microsecond:06d} {loc:%Y}] {text}"
        return text.replace("{date}", f"{loc:%d/%b/%Y:%H:%M:%S} +0200")
    if tech == "springboot":
        return f"{loc:%Y-%m-%d %H:%M:%S}.{ms:03d} {text}"
    if tech == "quarkus":
        obj = json.loads(text)
        return json.dumps({"timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z", **obj, "hostName": "vm-claims-api",
                           "processName": "claims-api-runner"}, ensure_ascii=False)  # fmt: skip
    if tech == "python":  # Celery's worker log format
        return f"[{loc:%Y-%m-%d %H:%M:%S},{ms:03d}: {text}"
    if tech == "rabbitmq":
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}+00:00 {text}"
    if tech == "oracle":  # the alert log's 12.2+ form: the time on its own line, each written as a record here
        return f"{loc:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}+02:00 {text}"
    if tech == "minio":
        return text.replace("{iso}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z")
    if tech == "keycloak":
        return f"{loc:%Y-%m-%d %H:%M:%S},{ms:03d} {text}"
    return text


def _detected(line: str) -> str:
    obj: Any = None
    if line.startswith("{"):
        obj = json.loads(line)
    if isinstance(obj, dict) and isinstance(obj.get("level"), str):
        level = obj["level"].upper()
        return next((name for words, name in DETECTED if re.fullmatch(words, level)), "NONE")
    for words, name in DETECTED:
        if re.search(rf"\b({words})\b", line[:80]):
            return name
    return "NONE"


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One record of the Log Monitoring API v2 export, as the API returns it."""
    tech = estate.node(service).tech
    text = text.replace("{n}", str(int(at.timestamp()) % 83))
    line = _line(tech, at, text)
    status = _detected(line)
    host = f"vm-{service}-0{1 + int(_hex(pod)[:2], 16) % 2}"
    return {
        "timestamp": int(at.timestamp() * 1000),
        "status": status,
        "content": line,
        "eventType": "LOG",
        "additionalColumns": {
            "loglevel": [status],
            "host.name": [host],
            "dt.process.name": [PROCESS[tech]],
            "log.source": [SOURCE[tech]],
            "dt.entity.host": [f"HOST-{_hex(host)[:16].upper()}"],
            "dt.entity.process_group": [f"PROCESS_GROUP-{_hex(tech)[:16].upper()}"],
            "dt.entity.process_group_instance": [f"PROCESS_GROUP_INSTANCE-{_hex(host, tech)[:16].upper()}"],
            "dt.security_context": ["kasse-prod"],
            "dt.os.type": ["LINUX"],
        },
    }
