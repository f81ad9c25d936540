"""World 97's estate, written after world 96's rules and scored before any rule saw it.

A Lisbon transit-ticketing company ("Passe Tejo": riders top up their Navegante card in the app and pay with MB
WAY, plan journeys on live vehicle positions, and are e-mailed a receipt) on Google App Engine in europe-west1:
the app's `default` service (Flask, the app's backend), `topup` (a Java 8 service on the first-generation runtime,
never migrated), `journeys` (Go), `fares` (Flask under gunicorn), `receipts` (Node, a Cloud Tasks handler), and
the Cloud SQL for MySQL instance `tejo-mysql`; SIBS's API Market (MB WAY), Carris Metropolitana's open API (live
vehicle positions) and SendGrid outside.

Logs: a Log Router sink to Cloud Storage writes each log's LogEntry JSON to hourly files under a folder per log
name; the team's `gsutil cat` of the folders keeps that order, so the file is grouped by log, not by time. Which
service a line is from is only in `resource.labels.module_id` (App Engine's old word for a service) or, for the
database, `resource.labels.database_id` behind the project. What a line says is where its runtime put it: the
Java 8 runtime's and App Engine's own lines inside the request log's `protoPayload.line[].logMessage`, beside the
request; Go's and the Flask app's structured JSON in `jsonPayload` (Go's error in an `err` field beside its
`message`); gunicorn's and Node's plain text in `textPayload` from stdout or stderr, where everything written to
stderr is severity ERROR whatever it says; MySQL's error log as text. Metrics: the team's recording rules over
Managed Service for Prometheus's Cloud Monitoring metrics, by `module_id`, the database's by `database_id`."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

PROJECT = "passe-tejo-prod"
ZONES = ("europe-west1-b", "europe-west1-c", "europe-west1-d")
CARDS = ("Navegante Municipal", "Navegante Metropolitano", "Navegante 12", "Navegante +65")
APPS = ("flask", "java8", "go", "gunicorn", "node")


def _signals() -> dict[str, str]:
    gae, sql = 'module_id="{service}"', f'database_id="{PROJECT}:{{service}}"'
    return {
        "request_rate": f"gae:http_server_response_count:rate1m{{{gae}}}",
        "error_ratio": f"gae:http_server_response_5xx:ratio_rate1m{{{gae}}}",
        "latency_p99": f"gae:http_server_response_latencies:p99_seconds{{{gae}}}",
        "cpu_utilization": f"gae:system_cpu_usage:ratio{{{gae}}}",
        "memory_utilization": f"gae:system_memory_usage:ratio_of_instance_class{{{gae}}}",
        "restarts": f"gae:instances_shut_down_unhealthy:increase10m{{{gae}}}",
        "disk_utilization": f"cloudsql:database_disk_utilization:ratio{{{sql}}}",
        "pool_utilization": f"cloudsql:database_network_connections:ratio_of_max{{{sql}}}",
    }


PROD = Estate(
    label="module_id",
    name="passe-tejo",
    namespace=PROJECT,
    shipper="cloud-logging-gcs-sink",
    signals=_signals(),
    nodes=(
        Node("default", "flask", ("topup", "journeys", "fares"), 150),
        Node("topup", "java8", ("tejo-mysql", "sibs", "fares", "receipts"), 40),
        Node("journeys", "go", ("gtfs",), 90),
        Node("fares", "gunicorn", ("tejo-mysql",), 60),
        Node("receipts", "node", ("sendgrid",), 10),
        Node("tejo-mysql", "mysql", (), 300),
        Node("sibs", "saas", (), 40),
        Node("gtfs", "saas", (), 20),
        Node("sendgrid", "saas", (), 10),
    ),
)

ESTATES = {PROD.name: PROD}

# "access|METHOD PATH STATUS AGENT": App Engine's request log alone; "req|METHOD PATH STATUS|said": said inside it
BACKGROUND = {
    "flask": ["access|GET /api/stations/nearby 200 Dalvik/2.1.0",
              "card {h8} balance read for the app in {n}{k} ms",
              "session refreshed for rider {h8}"],
    "java8": ["access|GET /v1/cards/04{n}{k}{n}{k}/balance 200 AppEngine-Google",
              "req|POST /v1/topups 200|com.passetejo.topup.TopUpServlet doPost: top-up {h8} of EUR {k}0.00 to card "
              "04{n}{k}{n}{k} authorised by MB WAY",
              "req|GET /v1/cards/04{n}{k}{n}{k} 200|com.passetejo.topup.CardService load: card 04{n}{k}{n}{k} loaded "
              "({card})"],
    "go": ["access|GET /v1/plan 200 passe-tejo-default",
           "route plan served ({k} legs, {n}{k} ms)",
           "vehicle positions refreshed ({n}{k}{k} vehicles)"],
    "gunicorn": ["access|GET /v1/quote 200 python-requests/2.32.3",
                 "[{ts}] INFO in pricing: quote zone {k} to zone {n} EUR 1.{k}5 ({card})"],
    "node": ["access|POST /tasks/receipt 200 Google-Cloud-Tasks",
             "receipt R-{h8} e-mailed (template topup_ok)"],
    "mysql": ["[Note] [MY-010914] [Server] Aborted connection {n}{k} to db: 'tejo' user: 'fares' host: '10.8.0.{k}' "
              "(Got an error reading communication packets).",
              "[Warning] [MY-010055] [Server] IP address '10.8.0.{k}' could not be resolved: Name or service not "
              "known"],
}  # fmt: skip
NOISE = {
    "flask": "access|GET /.env 404 Mozilla/5.0 (compatible; Nuclei)",
    "go": "plan request abandoned by client|context canceled",
    "node": "task retried by Cloud Tasks (attempt 2) for receipt R-{h8}",
}

SEVERITY = {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"}
FLASK_WORD = {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"}
AGENTS = {"flask": "passe-tejo-app/5.2 (Android)", "java8": "passe-tejo-default", "go": "passe-tejo-default",
          "gunicorn": "passe-tejo-topup", "node": "Google-Cloud-Tasks"}  # fmt: skip
VERSIONS = {"default": "20281219t101512", "topup": "20270611t083000", "journeys": "20281230t152201",
            "fares": "20281222t094417", "receipts": "20281102t110309"}  # fmt: skip


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{card}", CARDS[int(h[:2], 16) % len(CARDS)])
        .replace("{h8}", h[40:48])
        .replace("{ts}", f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}")
    )


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _request(service: str, at: datetime, said: str, h: str, clone: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """App Engine's request log for one request, with the lines the runtime attached to it."""
    method, path, status, *agent = said.split(" ", 3)
    latency = 0.02 + int(h[8:12], 16) / 65535 * (9.5 if status.startswith("5") else 0.4)
    rid = h[:40].upper()
    agent_s = agent[0] if agent else "AppEngine-Google; (+http://code.google.com/appengine)"
    host = f"{service}-dot-{PROJECT}.ew.r.appspot.com"
    payload = {
        "@type": "type.googleapis.com/google.appengine.logging.v1.RequestLog",
        "appId": f"e~{PROJECT}",
        "moduleId": service,
        "versionId": VERSIONS[service],
        "requestId": rid,
        "ip": f"10.{int(h[12:14], 16)}.{int(h[14:16], 16)}.{int(h[16:18], 16)}",
        "startTime": _stamp(at - timedelta(seconds=latency)),
        "endTime": _stamp(at),
        "latency": f"{latency:.6f}s",
        "method": method,
        "resource": path,
        "httpVersion": "HTTP/1.1",
        "status": int(status),
        "responseSize": str(200 + int(h[18:21], 16) % 3000),
        "userAgent": agent_s,
        "urlMapEntry": "auto",
        "host": host,
        "instanceIndex": -1,
        "finished": True,
        "instanceId": clone,
        "appEngineRelease": "1.9.71",
        "traceId": h[21:53],
        "first": True,
        **({"line": lines} if lines else {}),
    }
    worst = max((ln["severity"] for ln in lines), key=list(SEVERITY.values())[::-1].index, default="")
    entry: dict[str, Any] = {
        "protoPayload": payload,
        "httpRequest": {"status": int(status)},
        "logName": f"projects/{PROJECT}/logs/appengine.googleapis.com%2Frequest_log",
        "operation": {"id": rid, "producer": "appengine.googleapis.com/request_id", "first": True, "last": True},
        "trace": f"projects/{PROJECT}/traces/{h[21:53]}",
    }
    if worst:
        entry["severity"] = worst
    return entry


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One LogEntry as the sink writes it."""
    tech = estate.node(service).tech
    h = _hex(service, pod, str(at.timestamp()), text)
    clone = "00c61b117c" + _hex(service, pod)[:86]
    kind, sep, rest = text.partition("|")
    said = _fill(at, rest if sep and kind in ("access", "req") else text, h)
    entry: dict[str, Any]
    if tech == "mysql":  # Cloud SQL's mysql.err, MySQL 8's own format
        entry = {
            "textPayload": f"{_stamp(at)[:-1]}Z {int(h[:3], 16)} {said}",
            "logName": f"projects/{PROJECT}/logs/cloudsql.googleapis.com%2Fmysql.err",
            "severity": {"[Note]": "INFO", "[Warning]": "WARNING", "[System]": "NOTICE"}.get(
                said.split(" ")[0], "ERROR"
            ),
        }
        resource = {"type": "cloudsql_database",
                    "labels": {"database_id": f"{PROJECT}:{service}", "project_id": PROJECT,
                               "region": "europe-west1"}}  # fmt: skip
    else:
        if kind == "access" and sep:
            entry = _request(service, at, said, h, clone, [])
        elif kind == "req" and sep:  # the runtime's line, attached to its request
            request, _, message = said.partition("|")
            line = {"time": _stamp(at), "severity": SEVERITY[level], "logMessage": message}
            entry = _request(service, at, request, h, clone, [line])
        elif tech == "java8":  # the Java 8 runtime attaches every java.util.logging line to a request
            status = "500" if level == "error" else "200"
            line = {"time": _stamp(at), "severity": SEVERITY[level], "logMessage": said}
            entry = _request(service, at, f"POST /v1/topups {status}", h, clone, [line])
        elif tech in ("flask", "go"):  # structured JSON on stdout: the agent lifts severity out of the payload
            message, _, err = said.partition("|")
            payload: dict[str, Any] = {"message": message}
            if err:
                payload["err"] = err
            if tech == "go":
                payload["component"] = "feeds" if "vehicle" in message else "planner"
            entry = {"jsonPayload": payload, "logName": f"projects/{PROJECT}/logs/stdout",
                     "severity": SEVERITY[level]}  # fmt: skip
        elif tech == "gunicorn":  # Flask's default handler writes to stderr: ERROR to Cloud Logging, every line
            if said.startswith("["):
                text_ = said
            else:
                text_ = f"[{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}] {FLASK_WORD[level]} in app: {said}"
            entry = {"textPayload": text_, "logName": f"projects/{PROJECT}/logs/stderr", "severity": "ERROR"}
        else:  # Node: console.log to stdout (no severity), console.error to stderr
            to_stderr = level == "error"
            entry = {"textPayload": said, "logName": f"projects/{PROJECT}/logs/{'stderr' if to_stderr else 'stdout'}"}
            if to_stderr:
                entry["severity"] = "ERROR"
        entry.setdefault("labels", {"clone_id": clone})
        resource = {"type": "gae_app",
                    "labels": {"project_id": PROJECT, "module_id": service, "version_id": VERSIONS[service],
                               "zone": ZONES[int(_hex(pod)[:2], 16) % len(ZONES)]}}  # fmt: skip
    received = at + timedelta(milliseconds=40 + int(h[53:56], 16) % 900)
    return {
        "insertId": h[56:64] + h[:6],
        **entry,
        "resource": resource,
        "timestamp": _stamp(at),
        "receiveTimestamp": _stamp(received),
    }
