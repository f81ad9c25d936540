"""World 65's estate, written after world 64's rules and scored before any rule saw it.

A Kenyan farm-produce marketplace on Azure Kubernetes Service (South Africa North): Traefik at the edge (its JSON
access log, every entry at level info whatever the status), a Laravel marketplace for buyers and co-operatives
(Monolog's line format in the app's time zone, Africa/Nairobi, without an offset), a Go USSD gateway answering
Africa's Talking's session callbacks for farmers on feature phones (zerolog's JSON), a .NET 8 payments service
collecting through M-Pesa's Daraja API (the JSON console formatter), a Django prices service under gunicorn (its
access lines in local time with the offset), RabbitMQ between them, and a Python SMS sender draining RabbitMQ into
Africa's Talking (the logging module's default format: no time at all). Azure Database for PostgreSQL, Azure Cache
for Redis, Daraja and Africa's Talking are managed or outside: no logs or metrics of theirs here.

Container insights collects stdout and stderr into Log Analytics' ContainerLogV2 table, exported one row a line by
a data export rule: `TimeGenerated` (seven fractional digits), `Computer` (the node), `ContainerName` (every
application container of this team is called `app`), `PodName`, `PodNamespace`, `LogSource`, `LogMessage` (a JSON
object when the line was JSON, the line's text otherwise), `LogLevel` (the agent's: a JSON line's own level in
capitals, UNKNOWN for every text line), `TenantId`, `Type`, `_ResourceId`. Metrics: Azure Managed Prometheus
recording rules by `workload`, HTTP and messages every 30 s, the rest every 60 s."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: traefik laravel zerolog dotnetjson gunicorn rabbitmq pylogging saas
NAIROBI = timezone(timedelta(hours=3))
NAMESPACE = "shamba"


def _signals() -> dict[str, str]:
    sel = 'workload="{service}",namespace="shamba",cluster="aks-shamba-prod"'
    return {
        "request_rate": f"workload:requests_handled:rate2m{{{sel}}}",
        "error_ratio": f"workload:requests_failed:ratio2m{{{sel}}}",
        "latency_p99": f"workload:request_duration_seconds:p99_2m{{{sel}}}",
        "cpu_utilization": f"workload:cpu_usage:ratio_of_limit{{{sel}}}",
        "memory_utilization": f"workload:memory_working_set:ratio_of_limit{{{sel}}}",
        "restarts": f"workload:container_restarts:delta15m{{{sel}}}",
        "disk_utilization": f"workload:pvc_used_bytes:ratio{{{sel}}}",
    }


PROD = Estate(
    label="workload",
    name="shamba-direct",
    namespace=NAMESPACE,
    shipper="azuremonitor-containerinsights",
    signals=_signals(),
    nodes=(
        Node("traefik", "traefik", ("marketplace", "ussd", "payments", "prices"), 150),
        Node("marketplace", "laravel", ("postgresql", "redis", "payments", "rabbitmq"), 60),
        Node("ussd", "zerolog", ("redis", "marketplace", "prices", "rabbitmq"), 45),
        Node("payments", "dotnetjson", ("mpesa-daraja", "postgresql", "rabbitmq"), 20),
        Node("prices", "gunicorn", ("postgresql", "redis"), 35),
        Node("rabbitmq", "rabbitmq", (), 300),
        Node("sms-sender", "pylogging", ("rabbitmq", "africastalking"), 18),
        Node("postgresql", "saas", (), 300),
        Node("redis", "saas", (), 600),
        Node("mpesa-daraja", "saas", (), 20),
        Node("africastalking", "saas", (), 18),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "traefik": ['{"ClientHost":"10.244.{n}.17","DownstreamContentSize":1{n}4,"DownstreamStatus":200,'
                '"Duration":4{n}12000,'
                '"OriginStatus":200,"RequestMethod":"GET","RequestPath":"/api/v2/listings?county=nakuru&crop=maize",'
                '"RequestProtocol":"HTTP/2.0","RouterName":"shamba-marketplace@kubernetescrd",'
                '"ServiceName":"shamba-marketplace-80@kubernetescrd","level":"info","msg":"","time":"{iso_s}"}',
                '{"ClientHost":"196.201.{n}.4","DownstreamContentSize":96,"DownstreamStatus":200,"Duration":2{n}0000,'
                '"OriginStatus":200,"RequestMethod":"POST","RequestPath":"/ussd/callback","RequestProtocol":"HTTP/1.1",'
                '"RouterName":"shamba-ussd@kubernetescrd","ServiceName":"shamba-ussd-8080@kubernetescrd",'
                '"level":"info","msg":"","time":"{iso_s}"}'],
    "laravel": ['[{local}] production.INFO: Order placed {"order_id":"SD-26{n}41","cooperative":"KCU-{n}",'
                '"total_kes":24{n}0}',
                '[{local}] production.INFO: Listing published {"listing_id":{n}8812,"crop":"avocado",'
                '"county":"Murang\'a"}'],
    "zerolog": ['{"level":"info","session":"ATUid_{n}a9f3c","menu":"prices","hops":3,"time":"{iso_s}",'
                '"message":"session step served"}'],
    "dotnetjson": ['{"EventId":0,"LogLevel":"Information","Category":"Shamba.Payments.Daraja.StkPushClient",'
                   '"Message":"STK push accepted order=SD-26{n}41 CheckoutRequestID=ws_CO_03062026{n}4412 amount=2450",'
                   '"State":{"Message":"STK push accepted order=SD-26{n}41","{OriginalFormat}":"STK push accepted '
                   'order={Order}"}}'],
    "gunicorn": ['10.244.{n}.21 - - [{local_clf}] "GET /api/prices/maize?county=nakuru HTTP/1.1" 200 1{n}23 "-" '
                 '"Go-http-client/1.1"'],
    "rabbitmq": ["{rmq} [info] <0.{n}41.0> accepting AMQP connection <0.{n}41.0> (10.244.{n}.17:5{n}12 -> "
                 "10.244.3.9:5672)",
                 "{rmq} [info] <0.{n}41.0> closing AMQP connection <0.{n}41.0> (10.244.{n}.17:5{n}12 -> "
                 "10.244.3.9:5672, vhost: 'shamba', user: 'ussd')"],
    "pylogging": ["INFO:sms.sender:sent to=+2547{n}1204 status=Success cost=KES 0.8000 messageId=ATXid_{n}e3f"],
}  # fmt: skip
NOISE = {
    "laravel": "[{local}] production.WARNING: Slow query on listings search {\"ms\":8{n}2,\"county\":\"kiambu\"}",
    "zerolog": '{"level":"warn","session":"ATUid_{n}c1d0e","time":"{iso_s}","message":"session expired by carrier"}',
    "pylogging": "WARNING:sms.sender:delivery report late messageId=ATXid_{n}77a after 9{n}s",
}  # fmt: skip

# what writes to standard error: gunicorn's and Django's loggers, the logging module's default handler
STDERR = ("gunicorn", "pylogging")


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _line(at: datetime, text: str) -> str:
    loc = at.astimezone(NAIROBI)
    return (
        text.replace("{iso_s}", f"{at:%Y-%m-%dT%H:%M:%S}Z")
        .replace("{iso}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z")
        .replace("{local}", f"{loc:%Y-%m-%d %H:%M:%S}")
        .replace("{local_clf}", f"{loc:%d/%b/%Y:%H:%M:%S} +0300")
        .replace("{rmq}", f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}+00:00")
        .replace("{n}", str(int(at.timestamp()) % 83))
    )


def _level(message: Any) -> str:
    """The agent's LogLevel: a JSON line's own level in capitals, UNKNOWN for text."""
    if not isinstance(message, dict):
        return "UNKNOWN"
    said = str(message.get("level") or message.get("LogLevel") or "").lower()
    return {"information": "INFO", "warn": "WARNING", "warning": "WARNING", "error": "ERROR", "fatal": "CRITICAL",
            "critical": "CRITICAL", "debug": "DEBUG", "info": "INFO"}.get(said, "UNKNOWN")  # fmt: skip


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One ContainerLogV2 row as a Log Analytics data export writes it."""
    tech = estate.node(service).tech
    h = _hex(pod)
    name = f"rabbitmq-{int(h[:2], 16) % 3}" if tech == "rabbitmq" else f"{service}-{h[:10]}-{h[10:15]}"
    line = _line(at, text)
    message: Any = line
    if line.startswith("{"):
        message = json.loads(line)
    stream = "stderr" if tech in STDERR or (tech == "laravel" and level == "error") else "stdout"
    ticks = f"{at.microsecond:06d}{int(_hex(line)[:2], 16) % 10}"
    return {
        "TenantId": "8c2f61d4-5b7e-4a90-b1c3-6e2d9f0a7b15",
        "TimeGenerated": f"{at:%Y-%m-%dT%H:%M:%S}.{ticks}Z",
        "Computer": f"aks-apps-31847265-vmss00000{int(h[2], 16) % 6}",
        "ContainerId": h,
        "ContainerName": tech if tech in ("traefik", "rabbitmq") else "app",
        "PodName": name,
        "PodNamespace": NAMESPACE,
        "LogMessage": message,
        "LogSource": stream,
        "LogLevel": _level(message),
        "SourceSystem": "Containers",
        "Type": "ContainerLogV2",
        "_ResourceId": "/subscriptions/3b9e7c10-4f2a-4d61-9e85-0a1b2c3d4e5f/resourcegroups/rg-shamba-prod/providers/"
                       "microsoft.containerservice/managedclusters/aks-shamba-prod",
    }  # fmt: skip
