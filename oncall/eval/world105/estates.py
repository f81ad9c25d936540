"""World 105's estate, written after world 104's rules and scored before any rule saw it.

A Christchurch electricity retailer ("Kōwhai Energy": 60,000 homes buy power at half-hourly prices, see their usage
and switch in from other retailers) on Catalyst Cloud's Kubernetes: the customer portal (Blazor Server), `accounts`
(an ASP.NET Core API), `billing` (a .NET worker service running Hangfire's jobs), `switching` (ASP.NET Core, talking
to the Electricity Authority's registry), all four logging with Serilog's CompactJsonFormatter (CLEF: `@t`, the
message template in `@mt` with its properties beside it and no rendered message, `@l` left out at Information, the
exception in `@x`); `meters` (Go, slog's text handler) taking the distributors' half-hourly reads; PostgreSQL,
RabbitMQ and Redis in the cluster (their own lines); the registry and the distributors' meter-data API outside.

Logs: Vector's kubernetes_logs source into S3, one CLEF event a line so that Seq can read the archive back: a
line that is CLEF already is kept with Vector's `Application` (the pod's `app.kubernetes.io/name` label) and
`MachineName` (the pod) added as properties; any other line becomes `{"@t": <when Vector read it>, "@mt": <the line,
its braces doubled as a template's are>}` with the same two properties and the stream: no `@l`, so CLEF reads it as
Information whatever it says. Metrics: the OpenTelemetry Collector's Prometheus exporter and recording rules, every
series by `job`, which the exporter writes as `service.namespace/service.name`: `job="kowhai/accounts"`."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from oncall.eval.styled import Estate, Node

NZ = ZoneInfo("Pacific/Auckland")  # the programs' local time: NZST, or NZDT from September to April
SUBURBS = ("riccarton", "sydenham", "papanui", "halswell", "sumner", "hornby", "linwood", "fendalton")
DOTNET = ("blazor", "aspnet", "hangfire")


def _signals() -> dict[str, str]:
    sel = 'job="kowhai/{service}"'
    return {
        "request_rate": f"job:http_server_request_duration_seconds_count:rate5m{{{sel}}}",
        "error_ratio": f"job:http_server_request_errors:ratio_rate5m{{{sel}}}",
        "latency_p99": f"job:http_server_request_duration_seconds:p99_5m{{{sel}}}",
        "cpu_utilization": f"job:container_cpu_usage:ratio_limit{{{sel}}}",
        "memory_utilization": f"job:container_memory_working_set:ratio_limit{{{sel}}}",
        "disk_utilization": f"job:kubelet_volume_stats_used:ratio{{{sel}}}",
        "pool_utilization": f"job:db_client_connections_usage:ratio_max{{{sel}}}",
        "restarts": f"job:kube_pod_container_status_restarts:increase10m{{{sel}}}",
    }


PROD = Estate(
    label="job",
    name="kowhai",
    namespace="kowhai",
    shipper="vector-clef-archive",
    signals=_signals(),
    nodes=(
        Node("portal", "blazor", ("accounts", "switching"), 45),
        Node("accounts", "aspnet", ("postgres", "redis", "rabbitmq"), 80),
        Node("billing", "hangfire", ("postgres", "rabbitmq"), 6),
        Node("switching", "aspnet", ("postgres", "registry"), 4),
        Node("meters", "goslog", ("rabbitmq", "mdr"), 25),
        Node("postgres", "postgres", (), 600),
        Node("rabbitmq", "rabbit", (), 140),
        Node("redis", "redis", (), 900),
        Node("registry", "saas", (), 3),
        Node("mdr", "saas", (), 20),
    ),
)

ESTATES = {PROD.name: PROD}

# .NET lines: "SourceContext|template~Hole=value~Hole=value" (a value may be JSON: a number, an object); meters' are
# "message~key=value" (slog's attributes); the others are the program's own text
BACKGROUND = {
    "blazor": ["Microsoft.AspNetCore.Hosting.Diagnostics|Request finished {Protocol} {Method} {Path} - {StatusCode} "
               "in {ElapsedMilliseconds}ms~Protocol=HTTP/2~Method=GET~Path=/usage/{suburb}~StatusCode=200"
               "~ElapsedMilliseconds=1{n}.{k}",
               "Kowhai.Portal.Usage.UsageChart|Rendered usage chart for ICP {Icp} with {Points} half-hours"
               "~Icp=000{n}{k}{n}7CA{k}3D~Points=1{n}4{k}"],
    "aspnet": ["Microsoft.AspNetCore.Hosting.Diagnostics|Request finished {Protocol} {Method} {Path} - {StatusCode} "
               "in {ElapsedMilliseconds}ms~Protocol=HTTP/1.1~Method=GET~Path=/v1/accounts/{n}{k}{n}/usage"
               "~StatusCode=200~ElapsedMilliseconds={k}.{n}",
               "Microsoft.EntityFrameworkCore.Database.Command|Executed DbCommand ({Elapsed}ms) "
               "[Parameters=[{Parameters}], CommandType='{CommandType}', CommandTimeout='{CommandTimeout}']"
               "~Elapsed={k}~Parameters=\"@__accountId_0='{n}{k}{n}'\"~CommandType=\"Text\"~CommandTimeout=30"],
    "hangfire": ["Hangfire.Server.Worker|Job {JobId} succeeded in {Duration}ms~JobId=\"{n}{k}{n}{k}\"~Duration={n}{k}",
                 "Kowhai.Billing.Jobs.PriceSync|Loaded {Count} half-hourly prices for {Node}~Count=48"
                 "~Node=\"ISL0661\""],
    "goslog": ["read batch stored~distributor=orion~reads=4{n}{k}~took={k}{n}ms",
               "mdr poll done~next=30s~pending=0"],
    "postgres": ["LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); 0 WAL file(s) added, 0 removed, "
                 "1 recycled",
                 "LOG:  automatic vacuum of table \"kowhai.public.half_hour_reads\": index scans: 1"],
    "rabbit": ["accepting AMQP connection 10.42.{k}.{n}:5{n}{k} -> 10.42.7.3:5672",
               "connection 10.42.{k}.{n}:5{n}{k} -> 10.42.7.3:5672: user 'kowhai' authenticated and granted access "
               "to vhost '/'"],
    "redis": ["DB saved on disk", "Background saving started by pid {n}{k}"],
}  # fmt: skip
NOISE = {
    "aspnet": "Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler|{AuthenticationScheme} was not "
    'authenticated. Failure message: {FailureMessage}~AuthenticationScheme="Bearer"~FailureMessage="IDX10223: '
    'Lifetime validation failed. The token is expired."',
    "blazor": "Microsoft.AspNetCore.Components.Server.Circuits.RemoteRenderer|Unhandled exception rendering component: "
    '{Message}~Message="JavaScript interop calls cannot be issued at this time"',
    "rabbit": "closing AMQP connection <0.{n}{k}.0> (10.42.{k}.{n}:5{n}{k} -> 10.42.7.3:5672, vhost: '/', user: "
    "'kowhai'): client unexpectedly closed TCP connection",
}

SERILOG = {"error": "Error", "warn": "Warning", "info": None, "debug": "Debug"}
SLOG = {"error": "ERROR", "warn": "WARN", "info": "INFO", "debug": "DEBUG"}
PG = {"error": "ERROR", "warn": "WARNING", "info": "LOG", "debug": "DEBUG"}
RABBIT = {"error": "error", "warn": "warning", "info": "info", "debug": "debug"}
REDIS = {"error": "#", "warn": "#", "info": "*", "debug": "."}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{suburb}", SUBURBS[int(h[:2], 16) % len(SUBURBS)])
        .replace("{h8}", h[40:48])
    )


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _quoted(v: str) -> str:
    """slog's text handler quotes a value with spaces or quotes in it, as strconv.Quote does."""
    return json.dumps(v) if " " in v or '"' in v else v


def _offset(local: datetime) -> str:
    z = f"{local:%z}"
    return f"{z[:3]}:{z[3:]}"


def _stamp(at: datetime) -> str:
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}0Z"


def _clef(at: datetime, level: str, said: str, h: str, service: str) -> dict[str, Any]:
    """Serilog's CompactJsonFormatter: the template, its properties, the level unless Information, the exception."""
    head, sep, rest = said.partition("|")
    context, body = (head, rest) if sep else (f"Kowhai.{service.title()}", said)
    template, *holes = body.split("~")
    event: dict[str, Any] = {"@t": _stamp(at), "@mt": template}
    if SERILOG[level]:
        event["@l"] = SERILOG[level]
    props: dict[str, Any] = {}
    for hole in holes:
        name, _, raw = hole.partition("=")
        if name == "@x":
            event["@x"] = raw
        else:
            props[name] = _value(raw)
    if "ElapsedMilliseconds" in props or "Elapsed" in props:  # a formatted hole's rendering
        event["@r"] = [f"{props.get('ElapsedMilliseconds', props.get('Elapsed'))}"]
    event["@tr"] = h[:32]
    event["@sp"] = h[32:48]
    event.update(props)
    event["SourceContext"] = context
    if context.startswith("Microsoft.AspNetCore") or service != "billing":
        event["RequestId"] = f"0HN{h[48:55].upper()}:0000000{int(h[55], 16) % 9 + 1}"
    event["EnvironmentName"] = "Production"
    return event


def _text(tech: str, at: datetime, level: str, said: str, h: str) -> str:
    """What a program that is not .NET writes for one line of the story."""
    local = at.astimezone(NZ)
    if tech == "goslog":  # slog's TextHandler: time=... level=... msg=... key=value
        message, *attrs = said.split("~")
        quoted = json.dumps(message) if " " in message else message
        pairs = "".join(f" {k}={_quoted(v)}" for k, _, v in (a.partition("=") for a in attrs))
        stamp = f"{local:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}{_offset(local)}"
        return f"time={stamp} level={SLOG[level]} msg={quoted}{pairs}"
    if tech == "postgres":  # log_line_prefix '%m [%p] %q%u@%d '
        text = said if said[:4] in ("LOG:", "ERRO", "FATA", "WARN", "DETA", "STAT") else f"{PG[level]}:  {said}"
        who = "" if text.startswith("LOG:  checkpoint") or "automatic vacuum" in text else "kowhai@kowhai "
        return (
            f"{local:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} {local:%Z} [{int(h[:4], 16) % 30000}] {who}{text}"
        )
    if tech == "rabbit":  # RabbitMQ 3.13's default console format
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}+00:00 [{RABBIT[level]}] <0.{int(h[:3], 16)}.0> {said}"
    if tech == "redis":
        return f"1:M {at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d} {REDIS[level]} {said}"
    return said


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """A line as Vector archives it: a CLEF event, the pod's own or wrapped around its text."""
    tech = estate.node(service).tech
    h = _hex(service, pod, str(at.timestamp()), text)
    said = _fill(at, text, h)
    hp = _hex(service, pod)
    machine = f"{service}-{hp[:9]}-{hp[9:14]}" if tech not in ("postgres", "rabbit", "redis") else f"{service}-0"
    if tech in DOTNET:
        event = _clef(at, level, said, h, service)
    else:
        line = _text(tech, at, level, said, h)
        read = at + timedelta(milliseconds=int(h[:2], 16) % 200)
        event = {"@t": _stamp(read), "@mt": line.replace("{", "{{").replace("}", "}}")}
        event["Stream"] = "stderr" if level in ("error", "warn") and tech != "redis" else "stdout"
    event["Application"] = service
    event["MachineName"] = machine
    return event
