"""World 70's estate, written after world 69's rules and scored before any rule saw it.

A French veterinary clinics' booking and records SaaS, a .NET shop, on OVHcloud's Managed Kubernetes
(Gravelines): a YARP gateway (Serilog's request logging, a 5xx at Error), a Blazor Server portal the clinics'
staff work in, an ASP.NET Core bookings API, an ASP.NET Core records API on PostgreSQL through Npgsql, a billing
worker running Hangfire jobs that charge through Stripe, a Node reminders service sending SMS through Brevo from a
RabbitMQ queue (pino-seq), a Python lab-sync job fetching partner laboratories' results over SFTP (seqlog), and
RabbitMQ in the cluster (its own lines through Seq's GELF input). Managed PostgreSQL, Stripe, Brevo and the
partner laboratory show nothing of their own.

Every event goes to Seq; the bundle is Seq's HTTP API read back, `GET /api/events?render=true` paged with
`afterId` and written oldest first with `jq -c 'reverse | .[]'`: each line an event entity, its `Timestamp` with
seven digits of fraction and the server's offset, `Level` left out at Information (Seq's null), the message in
`RenderedMessage`, an exception's full text in `Exception`, and every other property in `Properties`, a list of
`{"Name": ..., "Value": ...}` pairs: the service is the `Application` property the loggers are enriched with, the
pod `MachineName` (RabbitMQ's GELF events have `host` and `container_name` instead). Metrics: prometheus-net's and
cAdvisor's through recording rules, the service as Prometheus' own `job` label."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: yarp blazor aspnet npgsql hangfire pinoseq seqlog rabbitmq saas
NAMESPACE = "vetcare"
PARIS = timezone(timedelta(hours=1))
# Seq's level names; Information is null (left out)
LEVEL = {"debug": "Debug", "info": None, "warn": "Warning", "error": "Error", "critical": "Fatal"}
SOURCE = {
    "yarp": "Serilog.AspNetCore.RequestLoggingMiddleware",
    "blazor": "VetCare.Portal.Circuits",
    "aspnet": "VetCare.Bookings.Api",
    "npgsql": "VetCare.Records.Api",
    "hangfire": "VetCare.Billing.Jobs",
    "pinoseq": "reminders",
    "seqlog": "labsync",
}


def _signals() -> dict[str, str]:
    job = 'job="{service}",namespace="vetcare"'
    work = 'workload="{service}",namespace="vetcare"'
    return {
        "request_rate": f"job:http_requests_received:rate1m{{{job}}}",
        "error_ratio": f"job:http_requests_received_5xx:ratio_rate1m{{{job}}}",
        "latency_p99": f"job:http_request_duration_seconds:p99_1m{{{job}}}",
        "cpu_utilization": f"namespace_workload:container_cpu_usage_seconds:ratio_of_limit{{{work}}}",
        "memory_utilization": f"namespace_workload:container_memory_working_set_bytes:ratio_of_limit{{{work}}}",
        "restarts": f"namespace_workload:kube_pod_container_status_restarts:increase10m{{{work}}}",
        "disk_utilization": f"namespace_workload:kubelet_volume_stats_used_bytes:ratio{{{work}}}",
    }


PROD = Estate(
    label="job",
    name="vetcare",
    namespace=NAMESPACE,
    shipper="seq-api-export",
    signals=_signals(),
    nodes=(
        Node("gateway", "yarp", ("portal", "bookings-api", "records-api"), 110),
        Node("portal", "blazor", ("bookings-api", "records-api"), 40),
        Node("bookings-api", "aspnet", ("postgres", "rabbitmq", "stripe"), 50),
        Node("records-api", "npgsql", ("postgres",), 45),
        Node("billing-worker", "hangfire", ("postgres", "stripe"), 6),
        Node("reminders", "pinoseq", ("rabbitmq", "brevo"), 5),
        Node("lab-sync", "seqlog", ("records-api", "labopartner"), 2),
        Node("rabbitmq", "rabbitmq", (), 200),
        Node("postgres", "saas", (), 300),
        Node("stripe", "saas", (), 10),
        Node("brevo", "saas", (), 5),
        Node("labopartner", "saas", (), 1),
    ),
)

ESTATES = {PROD.name: PROD}

# a line's rendered message; "message||Name=Value;Name=Value" for its properties; "message##exception" for an
# exception's text
BACKGROUND = {
    "yarp": ["HTTP GET /portail/agenda responded 200 in {n}.2041 ms",
             "HTTP POST /api/bookings responded 201 in 4{n}.8812 ms"],
    "blazor": ["Circuit {hex} connected for clinic C-{k}0{n}", "Rendered agenda for clinic C-{k}0{n} in {n} ms"],
    "aspnet": ["Booking B-{hex} created for clinic C-{k}0{n}", "Deposit of 2{n}.00 EUR captured for booking B-{hex}"],
    "npgsql": ["Record R-{n}{k}81 updated by Dr {k}", "Executed DbCommand ({n}ms) [Parameters=[@p0='?'], "
               "CommandType='Text', CommandTimeout='30'] SELECT r.\"Id\" FROM records AS r "
               "WHERE r.\"PatientId\" = @p0"],
    "hangfire": ["Job {n}{k}412 'ChargeInvoice' succeeded in 1{n}2 ms", "Invoice INV-{hex} paid through Stripe"],
    "pinoseq": ["reminder sent for appointment A-{hex} via Brevo", "consumed message from queue reminders.sms"],
    "seqlog": ["fetched {k} result files from labopartner", "imported result LR-{hex} for patient P-{n}{k}"],
    "rabbitmq": ["accepting AMQP connection <0.{n}{k}3.0> (10.2.{k}.{n}:4{n}22 -> 10.2.0.9:5672)",
                 "connection <0.{n}{k}3.0> (10.2.{k}.{n}:4{n}22 -> 10.2.0.9:5672): user 'vetcare' authenticated"],
}  # fmt: skip
NOISE = {
    "aspnet": "Slow Stripe call: {n}00 ms for PaymentIntent pi_{hex}",
    "npgsql": "Query took 1{n}00 ms: loading vaccination history for patient P-{n}{k}",
    "seqlog": "labopartner SFTP listing slow: {n}.2 s",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, svc: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{hex}", _hex(svc, str(at.timestamp()))[:10]).replace("{k}", str(n % 9 + 1)).replace("{n}", str(n))
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One event entity of Seq's API, rendered."""
    tech = estate.node(service).tech
    text, _, exception = _fill(at, text, service).partition("##")
    message, _, props = text.partition("||")
    h = _hex(pod, at.isoformat())
    local = at.astimezone(PARIS)
    ticks = f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond:06d}{int(h[0], 16) % 10}+01:00"
    properties: list[dict[str, Any]] = []
    if tech == "rabbitmq":  # through Seq's GELF input: no Application, the container's name and host instead
        properties += [{"Name": "host", "Value": f"node-{h[:6]}"}, {"Name": "container_name", "Value": service},
                       {"Name": "_pid", "Value": "<0.250.0>"}]  # fmt: skip
    else:
        properties += [{"Name": "SourceContext", "Value": SOURCE[tech]}, {"Name": "Application", "Value": service},
                       {"Name": "MachineName", "Value": pod}]  # fmt: skip
    for pair in filter(None, props.split(";")):
        k, _, v = pair.partition("=")
        properties.append({"Name": k, "Value": int(v) if v.isdigit() else v})
    event: dict[str, Any] = {"Timestamp": ticks, "Properties": properties, "MessageTemplateTokens": [{"Text": message}]}
    event["EventType"] = "$" + _hex(tech, message[:12])[:8].upper()
    if LEVEL[level] is not None:
        event["Level"] = LEVEL[level]
    if exception:
        event["Exception"] = exception
    event["RenderedMessage"] = message
    event["Id"] = f"event-{h[:32]}"
    event["Links"] = {"Self": f"api/events/event-{h[:32]}{{?download,render,clef}}", "Group": "api/events/resources"}
    return event
