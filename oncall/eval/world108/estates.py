"""World 108's estate, written after world 107's rules and scored before any rule saw it.

A Porto restaurant-reservation company ("Mesa": diners book tables on the web, the restaurants' tablets keep the
floor plan live, reminders go out by SMS) on Azure: one Container Apps environment running `web` (Next.js, pino's
JSON), `bookings` (Laravel on PHP-FPM, Monolog's line format to standard error, with a Dapr sidecar publishing
reservation events to Service Bus), `floor` (NestJS over Socket.IO, Nest's default console logger with its colours
on) and `notify` (Python, the logging module's default `LEVEL:logger:message` to standard error, no time); Azure
Database for PostgreSQL flexible server; Azure Front Door in front; Service Bus, ifthenpay (MB WAY deposits) and
Infobip (SMS) outside what the team runs.

Logs: the environment's, the server's and Front Door's diagnostic settings stream resource logs to an Event Hub; a
consumer archives each event's body, one a line: `{"records": [...]}`, a batch of one resource's records of one
category. A Container App's console record names the environment in `resourceId` (upper case, as Azure writes it)
and the app, revision, replica and container (the app's own or `daprd`) in `properties`, its line in `Log`, and no
level: only `Stream` says stdout or stderr, and PHP's and Python's loggers write every line to stderr. The server's
records carry PostgreSQL's `errorLevel` and message in `properties`, its name in `LogicalServerName`; Front Door's
access records each request's status, time taken and the origin it went to. Metrics: Azure Monitor's managed
Prometheus, recording rules by `container_app`."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

SUB = "8F3C2A71-5D4E-4B9A-9E21-0C6B7D5A4F13"
GROUP = f"/SUBSCRIPTIONS/{SUB}/RESOURCEGROUPS/RG-MESA-PROD/PROVIDERS"
ENV = f"{GROUP}/MICROSOFT.APP/MANAGEDENVIRONMENTS/CAE-MESA-PROD"
SERVER = f"{GROUP}/MICROSOFT.DBFORPOSTGRESQL/FLEXIBLESERVERS/MESA-POSTGRES"
PROFILE = f"{GROUP}/MICROSOFT.CDN/PROFILES/AFD-MESA"
APPS_DOMAIN = "bravepond-4c1e7a9b.westeurope.azurecontainerapps.io"
RESTAURANTS = ("tasca-do-ze", "cantinho-do-avillez", "o-paparico", "taberna-dos-mercadores", "casa-guedes",
               "adega-sao-nicolau", "cafe-santiago")  # fmt: skip
REVISIONS = {
    "web": "web--k3x9q2m",
    "bookings": "bookings--p7d4w1z",
    "floor": "floor--c2n8v5t",
    "notify": "notify--h6r3j0s",
}
IMAGES = {
    "web": "mesacr.azurecr.io/web:2029.11.4",
    "bookings": "mesacr.azurecr.io/bookings:2029.11.7",
    "floor": "mesacr.azurecr.io/floor:2029.11.2",
    "notify": "mesacr.azurecr.io/notify:2029.10.9",
}
ROUTES = {"/api/reservas": "bookings", "/socket.io": "floor", "/api/mesas": "floor"}


def _signals() -> dict[str, str]:
    sel = 'container_app="{service}"'
    return {
        "request_rate": f"mesa:http_requests:rate5m{{{sel}}}",
        "error_ratio": f"mesa:http_requests_5xx:ratio5m{{{sel}}}",
        "latency_p99": f"mesa:http_request_duration_seconds:p99_5m{{{sel}}}",
        "cpu_utilization": f"mesa:cpu_usage:ratio_limit{{{sel}}}",
        "memory_utilization": f"mesa:memory_working_set:ratio_limit{{{sel}}}",
        "disk_utilization": f"mesa:storage_used:ratio{{{sel}}}",
        "pool_utilization": f"mesa:db_connections_active:ratio_max{{{sel}}}",
        "restarts": f"mesa:replica_restarts:increase15m{{{sel}}}",
    }


PROD = Estate(
    label="container_app",
    name="mesa",
    namespace="cae-mesa-prod",
    shipper="azure-diagnostic-settings-event-hub-archive",
    signals=_signals(),
    nodes=(
        Node("edge", "frontdoor", ("web", "bookings", "floor"), 150),
        Node("web", "pino", ("bookings",), 90),
        Node("bookings", "laravel", ("postgres", "bus", "ifthenpay"), 60),
        Node("floor", "nest", ("postgres",), 45),
        Node("notify", "pylog", ("bus", "postgres", "infobip"), 6),
        Node("postgres", "pgflex", (), 500),
        Node("bus", "saas", (), 20),
        Node("ifthenpay", "saas", (), 3),
        Node("infobip", "saas", (), 4),
    ),
)

ESTATES = {PROD.name: PROD}

# Front Door's "method|path|status|ms"; Dapr sidecar lines as "daprd|level|scope|message"
BACKGROUND = {
    "frontdoor": ["GET|/api/reservas/disponibilidade?restaurante={restaurant}&pessoas={k}|200|{k}{n}",
                  "GET|/r/{restaurant}|200|{n}{k}", "GET|/socket.io/?EIO=4&transport=websocket&sid={sid}|101|{k}"],
    "pino": ["request completed|GET /r/{restaurant}|200|{k}{n}", "request completed|GET /_next/data/{h6}/r/{restaurant}"
             ".json|200|{k}"],
    "laravel": ['Reservation confirmed {"restaurant":"{restaurant}","covers":{k},"reservation":"R{n}{k}{n}"}',
                'Availability searched {"restaurant":"{restaurant}","covers":{k},"ms":{n}}',
                "daprd|info|dapr.runtime.http|HTTP API Called: POST /v1.0/publish/servicebus-pubsub/"
                "reservation-events"],
    "nest": ["[TablesGateway] Table {k} at {restaurant} set to seated by tablet {k}",
             "[FloorService] Floor plan of {restaurant} sent to {k} tablet(s)"],
    "pylog": ["notify.reminders:Sent {k} reminder(s) for {restaurant} via Infobip",
              "notify.consumer:Handled reservation.created R{n}{k}{n}"],
    "pgflex": ["connection authorized: user=mesa_app database=mesa application_name={appname} SSL enabled "
               "(protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
               "checkpoint complete: wrote {n}{k} buffers (0.{k}%); 0 WAL file(s) added, 0 removed, 1 recycled; "
               "write={k}.{n}1 s, sync=0.00{k} s, total={k}.{n}4 s; sync files={k}, longest=0.001 s, average=0.001 s; "
               "distance={n}{k}1 kB, estimate={n}{k}9 kB; lsn=3/{h6}, redo lsn=3/{h6}"],
}  # fmt: skip
NOISE = {
    "laravel": 'Validation failed for reservation {"restaurant":"{restaurant}","errors":{"phone":["The phone field '
    'format is invalid."]}}',
    "frontdoor": "GET|/wp-admin/setup-config.php|404|{k}",
    "nest": "[TablesGateway] Tablet {k} at {restaurant} disconnected: ping timeout",
}

MONOLOG = {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"}
PINO = {"error": 50, "warn": 40, "info": 30, "debug": 20}
NEST = {"error": ("ERROR", 31), "warn": ("WARN", 33), "info": ("LOG", 32), "debug": ("DEBUG", 35)}
PYLOG = {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"}
PG = {"error": "ERROR", "warn": "WARNING", "info": "LOG", "debug": "LOG"}
APPNAMES = ("bookings", "floor", "notify")


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{restaurant}", RESTAURANTS[int(h[:2], 16) % len(RESTAURANTS)])
        .replace("{appname}", APPNAMES[int(h[2:4], 16) % len(APPNAMES)])
        .replace("{sid}", h[24:44])
        .replace("{h6}", h[40:46].upper())
        .replace("{iso}", f"{at:%Y-%m-%dT%H:%M:%S}")
    )


def _azure_time(at: datetime, h: str) -> str:
    """Azure's seven decimal places."""
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}{int(h[60:62], 16) % 10}Z"


def _console(at: datetime, tech: str, level: str, said: str, h: str, replica: str) -> tuple[str, str, str]:
    """(container, stream, line) of one line a Container App's program (or its Dapr sidecar) writes."""
    if said.startswith("daprd|"):  # Dapr's sidecar: logrus' text formatter, to stdout
        _, lvl, scope, msg = said.split("|", 3)
        app = replica.split("--")[0]
        return "daprd", "stdout", (f'time="{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}{int(h[:3], 16) % 1000:03d}Z" '
                                   f"level={lvl} msg={json.dumps(msg)} app_id={app} instance={replica} "
                                   f"scope={scope} type=log ver=1.13.6")  # fmt: skip
    if tech == "pino":  # pino through Next.js' custom server; requests as pino-http logs them
        record: dict[str, Any] = {"level": PINO[level], "time": int(at.timestamp() * 1000), "pid": 1,
                                  "hostname": replica}  # fmt: skip
        if said.startswith("request completed|"):
            _, req, status, ms = said.split("|")
            method, url = req.split(" ", 1)
            record |= {"req": {"id": int(h[:5], 16), "method": method, "url": url},
                       "res": {"statusCode": int(status)}, "responseTime": int(ms),
                       "msg": "request completed"}  # fmt: skip
        else:
            record["msg"] = said
        return "web", "stdout", json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    if tech == "laravel":  # Monolog's LineFormatter, LOG_CHANNEL=stderr: every level on stderr
        body = f"{said} []" if " {" in said else f"{said} [] []"  # "%message% %context% %extra%"
        return "bookings", "stderr", f"[{at:%Y-%m-%d %H:%M:%S}] production.{MONOLOG[level]}: {body}"
    if tech == "nest":  # Nest's ConsoleLogger, colours on (no TTY does not turn them off)
        name, colour = NEST[level]
        ctx, _, msg = said.partition("] ")
        hour = at.hour % 12 or 12
        stamp = f"{at:%m/%d/%Y}, {hour}:{at:%M:%S} {'AM' if at.hour < 12 else 'PM'}"
        line = (f"\x1b[{colour}m[Nest] 1  - \x1b[39m{stamp} \x1b[{colour}m{name:>7}\x1b[39m "
                f"\x1b[33m{ctx}]\x1b[39m \x1b[{colour}m{msg}\x1b[39m")  # fmt: skip
        return "floor", "stderr" if level == "error" else "stdout", line
    if tech == "pylog":  # logging.basicConfig's default format, to stderr, whatever the level
        return "notify", "stderr", f"{PYLOG[level]}:{said}"
    return "app", "stdout", said


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> list[dict[str, Any]]:
    """One resource-log record as the diagnostic setting streams it (with the key its batch is made by)."""
    tech = estate.node(service).tech
    h = _hex(service, pod, str(at.timestamp()), text)
    said = _fill(at, text, h)
    base = {"time": _azure_time(at, h), "location": "westeurope"}
    if tech == "frontdoor":
        method, path, status, ms = said.split("|")
        app = next((a for p, a in ROUTES.items() if path.startswith(p)), "web")
        secs = f"{int(ms) / 1000:.3f}"
        rec = base | {"resourceId": PROFILE, "category": "FrontDoorAccessLog", "operationName":
                      "Microsoft.Cdn/Profiles/AccessLog/Write", "properties": {
                          "trackingReference": f"0{h[:31].upper()}", "httpMethod": method, "httpVersion": "2.0.0",
                          "requestUri": f"https://mesa.pt:443{path}", "hostName": "mesa.pt",
                          "requestBytes": str(int(h[32:35], 16)), "responseBytes": str(int(h[35:39], 16)),
                          "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)",
                          "clientIp": f"85.{int(h[39:41], 16)}.{int(h[41:43], 16)}.{int(h[43:45], 16)}",
                          "clientPort": str(int(h[45:49], 16)), "socketIp": "85.240.1.9", "timeToFirstByte": secs,
                          "timeTaken": secs, "requestProtocol": "HTTPS", "securityProtocol": "TLS 1.3",
                          "rulesEngineMatchNames": [], "httpStatusCode": status, "httpStatusDetails": status,
                          "pop": "LIS", "cacheStatus": "CONFIG_NOCACHE", "errorInfo": "NoError",
                          "ErrorInfo": "NoError", "result": "N/A", "endpoint": "mesa-e7f1c2.z01.azurefd.net",
                          "routingRuleName": f"route-{app}", "originName": f"{app}.{APPS_DOMAIN}:443",
                          "originUrl": f"https://{app}.{APPS_DOMAIN}:443{path}", "originIp": "10.20.0.4:443",
                          "sni": "mesa.pt"}}  # fmt: skip
        return [rec | {"_key": PROFILE + "|FrontDoorAccessLog"}]
    if tech == "pgflex":
        pid = f"{int(h[:4], 16):x}"
        rec = base | {"resourceId": SERVER, "category": "PostgreSQLLogs", "operationName": "LogEvent",
                      "LogicalServerName": "mesa-postgres", "properties": {
                          "prefix": f"{at:%Y-%m-%d %H:%M:%S} UTC-{h[4:12]}.{pid}-", "message": said, "detail": "",
                          "errorLevel": PG[level], "domain": "postgres-16", "schemaName": "", "tableName": "",
                          "columnName": "", "datatypeName": ""}}  # fmt: skip
        return [rec | {"_key": SERVER + "|PostgreSQLLogs"}]
    replica = f"{REVISIONS[service]}-{_hex(pod)[:9]}-{pod[-3:]}"
    container, stream, line = _console(at, tech, level, said, h, replica)
    if container != "daprd":
        container = service
    rec = base | {"resourceId": ENV, "category": "ContainerAppConsoleLogs", "operationName":
                  "Microsoft.App/managedEnvironments/containerApps/consoleLogs/write", "properties": {
                      "ContainerAppName": service, "RevisionName": REVISIONS[service], "ContainerName": container,
                      "ContainerGroupName": replica, "ContainerGroupId": _hex(replica)[:32],
                      "ContainerId": f"containerd://{_hex(replica, container)[:64]}",
                      "ContainerImage": "mcr.microsoft.com/daprio/daprd:1.13.6" if container == "daprd"
                      else IMAGES[service], "EnvironmentName": "cae-mesa-prod", "Stream": stream,
                      "Log": line}}  # fmt: skip
    return [rec | {"_key": ENV + "|ContainerAppConsoleLogs"}]


def batch(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Event Hub events as the archive keeps them: a resource's records of a category that came within thirty
    seconds of its batch's first, at most forty, one event each, in the order the events were read (each
    resource's events on their own partition, so partitions' events interleave by their first record's time)."""
    records = sorted(records, key=lambda r: r["time"])
    open_: dict[str, dict[str, Any]] = {}
    events: list[dict[str, Any]] = []
    for r in records:
        key = r.pop("_key")
        ev = open_.get(key)
        first = ev["records"][0]["time"] if ev else ""
        if ev is None or len(ev["records"]) >= 40 or _seconds(r["time"]) - _seconds(first) > 30:
            ev = {"records": []}
            open_[key] = ev
            events.append(ev)
        ev["records"].append(r)
    return events


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp[:26]).timestamp()
