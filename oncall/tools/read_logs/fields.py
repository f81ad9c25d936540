"""Which fields of a file's JSON lines hold a line's time, service, pod, level, text and error: the
shippers' spellings this reader knows (FIELDS), and, for a shipper it does not know, the fields found
from a sample of the file's lines (the host a line came from, the text it carries). A nested path is
read whether the shipper nests it (`{"kubernetes": {"pod_name": ...}}`) or flattens it into one dotted
key (`"kubernetes.pod_name"`, as Falcon LogScale and Elastic's flattened fields write it) or one joined by
underscores (`"kubernetes_pod_name"`, as OpenObserve stores it)."""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from oncall.tools.read_logs import otlp, streams
from oncall.tools.read_logs.aggregate import guessed, normalise_levels, streams_only
from oncall.tools.read_logs.clef import templated
from oncall.tools.read_logs.owners import DATABASE_SERVER, HOST_NAMED, Owner, named, owners
from oncall.tools.read_logs.paired import Pair, as_maps, pairs

INSIGHTS_LEVEL = "SeverityLevel"  # the level field numbered on Application Insights' scale (aggregate.INSIGHTS_SCALE)
FIELDS = {
    # RFC 3339 text or epoch numbers (s, ms, us, ns); OpenTelemetry's timeUnixNano, Datadog's date
    # journald's export (journalctl -o json) keeps microseconds in __REALTIME_TIMESTAMP
    "ts": (
        "ts",
        "timestamp",
        "@timestamp",
        "time",
        "timeUnixNano",
        "observedTimeUnixNano",
        "date",
        "TimeGenerated",
        "__REALTIME_TIMESTAMP",
        "received_at",  # Papertrail's events (RFC 3339 with the account's offset)
    ),
    # the shippers' spellings: plain, OpenTelemetry's resource attribute, fluent-bit's Kubernetes labels,
    # Google Cloud Logging's container (and GKE's pod label)
    # (a nested path before its parent: ECS nests service.name, host.name, log.level as objects)
    "service": (
        "service.name",
        "service",
        "app",
        '"service.name"',
        'resource."service.name"',
        'kubernetes.labels."app.kubernetes.io/name"',
        "kubernetes.labels.app",
        'labels."k8s-pod/app"',
        "resource.labels.container_name",
        # Cloud Logging's monitored resource names the owner in its labels: an App Engine service's module_id, a
        # Cloud Run service's service_name, a function's function_name, a Cloud SQL instance's database_id (behind
        # its project: `<project>:<instance>`, as the catalog's templates spell it)
        "resource.labels.module_id",
        "resource.labels.service_name",
        "resource.labels.function_name",
        "resource.labels.database_id",
        "ContainerAppName_s",  # Azure Log Analytics: Container Apps' console logs, AKS's ContainerLogV2
        "ContainerAppName",  # (the same record as a diagnostic setting streams it, beside its ContainerName)
        "LogicalServerName",  # Azure's database servers' resource logs (PostgreSQL's, MySQL's flexible servers)
        "ContainerName",
        "fields.container_name",  # Splunk Connect for Kubernetes: HEC indexed fields
        "kubernetes.container_name",  # Fluent Bit's Kubernetes filter (a pod's own name is read below)
        "_SYSTEMD_UNIT",  # journald: the unit (`checkout.service`; the suffix is dropped)
        # a Loki export (logcli --output=jsonl): the stream's labels
        "labels.service_name",
        "labels.app",
        "labels.container",
        "source_name",  # Papertrail: the sender (a Heroku app, a host)
        # SigNoz's rows (signoz_logs.logs_v2): the record's resource in a map of its texts
        'resources_string."service.name"',
        "_service",  # GELF: additional fields start with an underscore (logback-gelf, graypy)
        "_app",
    ),
    "pod": (
        "pod",
        "fields.pod",  # before host: a Splunk event's host is the node, not the pod
        "_container_name",  # GELF from Docker's driver: host is the node; the container is the task's
        "host.name",
        "host",
        "kubernetes.pod_name",
        'resource."k8s.pod.name"',
        'resource_attributes."k8s.pod.name"',  # OpenTelemetry's record in snake case (Quickwit's otel-logs index)
        '"k8s.pod.name"',  # the resource flattened into the record, under its dotted name (Honeycomb's events)
        "resource.labels.pod_name",
        "logStream",
        "RevisionName_s",
        "ContainerGroupName",  # a Container App's replica, as its diagnostic setting streams its console lines
        "PodName",
        # journald's entry from Docker's journald log driver: the container (a Swarm task's is named
        # `<stack>_<service>.<slot>.<task id>`), where _HOSTNAME is the node it ran on
        "CONTAINER_NAME",
        "_HOSTNAME",  # journald: the machine, named after its service on VM estates
        "event.syslog.host",  # Loggly's search API: the syslog header it parsed (the machine)
        "labels.pod",
        "@logStream",  # CloudWatch Logs Insights' fields: @timestamp, @message, @logStream, @log
        '"__TAG__.pod_name"',  # Tencent CLS's LogListener: a container's metadata, as __TAG__ fields
    ),
    # journald's PRIORITY is the syslog number, 6 for whatever a program writes to stdout
    "level": (
        # CloudNativePG writes each of PostgreSQL's own lines inside a record at level info: the server's
        # severity (LOG, ERROR, FATAL) is the line's
        "record.error_severity",
        # the Windows event log's level in words (Get-WinEvent's LevelDisplayName): its Level is numbered on the
        # event log's own scale (WINDOWS_SCALE), which a record without the words is read on
        "LevelDisplayName",
        "level",
        "severity",
        "lvl",
        "severityText",
        "severity_text",  # OpenTelemetry's data model in snake case (Quickwit's, Vector's opentelemetry source's)
        "status",
        "log.level",
        '"log.level"',
        "PRIORITY",
        "event.syslog.severity",  # Loggly's search API: the syslog severity spelt out (Informational, Error)
        "labels.level",
        "labels.detected_level",  # Loki's own guess, when the stream has no level label
        "levelname",  # python-json-logger: the logging module's name of the level
        "errorLevel",  # Azure's PostgreSQL servers' resource logs: the server's severity (LOG, ERROR, FATAL)
        # Application Insights' traces and exceptions: 0 verbose to 4 critical, up where syslog's numbers run
        # down (aggregate.INSIGHTS_SCALE reads it on its own scale)
        INSIGHTS_LEVEL,
        "@l",  # Serilog's compact JSON: left out at Information (the line's text then decides)
        # Cloudflare's Workers Trace Events (Logpush): each console call's level, the worst of them; an
        # invocation that logged nothing is as bad as its Outcome (exception, exceededCpu, ok)
        "Logs[*].Level",
        "Outcome",
    ),
    # Cloud Logging keeps a parsed line's text in jsonPayload.message, an unparsed one in textPayload
    # (Splunk's HEC event; journald's MESSAGE)
    "message": (
        "record.message",  # CloudNativePG: PostgreSQL's own line (its `msg` is only "record")
        "_msg",  # VictoriaLogs: the line's text, whichever field it was ingested from
        "message",
        "msg",
        "logmsg",  # Loggly's search API: the line as received (its parsed fields beside it, in `event`)
        "__CONTENT__",  # Tencent CLS: a line LogListener collected whole (single-line or multi-line full text)
        "@m",  # Serilog's compact JSON: the rendered message (RenderedCompactJsonFormatter), else its template
        "@mt",
        # Log Cache's v2 envelope (Cloud Foundry) as its read API returns it: the line's bytes, in base64
        "log.payload",
        "log",
        # (Quickwit keeps an OpenTelemetry record's text body as an object: `{"message": text}`)
        "body.message",
        "body",
        "jsonPayload.message",
        # (a structured line's record as Cloud Logging keeps it: zap's and slog's msg, structlog's event)
        "jsonPayload.msg",
        "jsonPayload.event",
        "textPayload",
        # App Engine's request log: the lines its runtime attached to the request (the first-generation
        # runtimes' app logs, App Engine's own notices such as a memory limit exceeded), beside the request
        "protoPayload.line[*].logMessage",
        # a record with no text of its own (a request log: lograge's method, path and status) is read whole
        "jsonPayload",
        "Log_s",
        "LogMessage",
        # Workers Trace Events: the invocation's console calls (each a list of parts, joined as the console
        # prints them), else what it threw; with neither, the event (its request and response) is its text
        "Logs[*].Message[*]",
        "Exceptions[*].Message",
        "event",
        "MESSAGE",
        "line",  # a Loki export's raw line
        "short_message",  # GELF (Graylog): the line; level is the syslog number (Docker: 6 stdout, 3 stderr)
        "@message",
        "text",  # Coralogix's entries: the line (a JSON logger's object as an object)
        # OCI Logging's search results: a custom log's line in its CloudEvents envelope's data (the agent's
        # tail of a file, unparsed); the envelope's source is the host, its subject the file tailed
        "logContent.data.message",
        # Application Insights' exceptions: no message of their own, the thrown exception's in OuterMessage
        "OuterMessage",
        "RenderedMessage",  # Seq's API: an event's message rendered from its template (asked for with render=true)
    ),
    # the error detail structured loggers keep apart (pino's err, zerolog's error, the traceback Python's
    # structlog and Lambda Powertools keep in exception): appended to the message
    # (logstash-logback-encoder, Java's usual JSON logger, and Logstash's JSON keep a throwable in stack_trace)
    # (python-json-logger keeps a traceback in exc_info, Serilog's compact JSON an exception in @x, Quarkus'
    # JSON logging nests the exception's type and message under exception)
    "error": (
        "err.message",
        "error.message",
        "error",
        "err",
        "exception.message",
        # an OpenTelemetry record keeps its logger's fields as attributes: slog's err (otelslog), tracing's error
        # (its appender), the exception the Java agent and Python's handler caught (semantic conventions)
        "attributes.err",
        "attributes.error",
        'attributes."exception.message"',
        # the Collector's ClickHouse exporter keeps them in its otel_logs table's LogAttributes map (ClickStack)
        'LogAttributes."exception.message"',
        # (Cloud Logging's jsonPayload: what zap and lograge caught in error, slog's and pino's in err,
        # structlog's in exception)
        "jsonPayload.error",
        "jsonPayload.err",
        "jsonPayload.exception",
        # SigNoz's rows keep the record's attributes in maps by type: the texts in attributes_string
        'attributes_string."exception.message"',
        "attributes_string.error",
        "exception",
        "stack_trace",
        "exc_info",
        "@x",
        "ExceptionType",  # Application Insights' exceptions: the type thrown (a column, so on every row)
    ),
    # the HTTP status of a request log kept as its own field (a 5xx is appended to the message, so that a
    # response filed at info still reads as the server error it was: aggregate.SERVED_5XX)
    "http_status": (
        "status",
        "status_code",
        "statusCode",
        "http.status_code",
        '"http.status_code"',
        "http.response.status_code",
        '"http.response.status_code"',
        "response_code",
        "ResultCode",  # Application Insights' requests (no text of their own)
        "httpRequest.status",  # Cloud Logging's request logs (a load balancer's, Cloud Run's): no text of their own
        "Event.Response.Status",  # Workers Trace Events: a fetch's response
    ),
    # CloudWatch Logs: the service is only in the log group's name (/ecs/<service>, /aws/lambda/<function>)
    # (a Logs Insights export's @log is "<account>:<group>")
    "group": ("logGroup", "@log"),
}
# a log group named for a file on a machine as well as its owner (Beanstalk's
# /aws/elasticbeanstalk/<environment>/var/log/web.stdout.log): the file's path says which file, not whose
GROUP_FILE = r"/(?:var|opt|srv|home|usr|tmp)/.+$"


def envelope(sample: list[dict[str, Any]]) -> str | None:
    """The key the sampled lines carry their events in: OTLP/JSON's batches (otlp.BATCH_KEY, many a line), or
    the one key that, when most lines have no time field this reader knows of their own, holds in most of
    them an object that has one, or a field whose name says it is a time and whose value reads as one.
    Exports wrap each event so: Elasticsearch's and OpenSearch's hits (`_source`), Datadog's Logs API
    (`attributes`), Vector's native_json (`log`), Graylog's search API (`message`), Splunk's export
    (`result`, its time in `_time`); the names are the export's, so none is listed. An OpenTelemetry
    record's `attributes` sits beside its own time, so it is no envelope; Docker's `log` is a line's text
    (a string), so none either. A key holding a list of such objects is one too, in a line with no time of
    its own: a batch of events a line (batched). Of two such keys, the one more lines wrap their events in
    (then the first written). None when the lines are the events."""
    if otlp.batches(sample):
        return otlp.BATCH_KEY
    if (key := streams.paged(sample)) is not None:  # Loki's streams, a body a line
        return key
    untimed = [obj for obj in sample if not _known(obj, "ts")]
    if not untimed or len(untimed) * 2 < len(sample):  # most lines are events of their own
        return None
    inside: dict[str, int] = {}
    for obj in untimed:
        # (a line with a time of its own is one event, whatever list of its parts it holds: a Worker's console calls)
        batch = not _timed(obj)
        for key, inner in obj.items():
            if _event(inner) or (batch and isinstance(inner, list) and inner and all(_event(e) for e in inner)):
                inside[key] = inside.get(key, 0) + 1
    if not inside:
        return None
    key, n = max(inside.items(), key=lambda kv: kv[1])  # (the first of equals: the first written)
    return key if n * 2 >= len(sample) else None


def _event(value: Any) -> bool:
    """Whether a value is an event: an object with a time field this reader knows or one named and read as one."""
    return isinstance(value, dict) and (_known(value, "ts") or _timed(value))


def batched(sample: list[dict[str, Any]], key: str) -> bool:
    """Whether the lines keep a list of events under their envelope's `key`, not one: a batch a line, as
    CloudWatch Logs' subscription delivers a stream's events (`logEvents`) and Azure's diagnostic exports their
    `records`. Each event is a line to this reader, under the fields of the line that holds it (the log group
    and stream the batch is of)."""
    return key != otlp.BATCH_KEY and any(isinstance(obj.get(key), list) for obj in sample)


def _timed(obj: dict[str, Any]) -> bool:
    """Whether an object has a field whose name says it is a time and whose value reads as one."""
    return any(TIME_NAMED.search(k) and _as_time(v, True) is not None for k, v in obj.items())


def events(objs: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """The events the lines carry under their envelope's `key`, each as a line of its own would be."""
    if key == otlp.BATCH_KEY:
        return [r for obj in objs for r in otlp.records(obj)]
    if streams.paged(objs) == key:
        return [e for obj in objs for e in streams.entries(obj)]
    if batched(objs, key):  # each event under its line's own fields, its own first
        return [
            {**{k: v for k, v in obj.items() if k != key}, **event}
            for obj in objs
            for event in _as_list(obj.get(key))
            if isinstance(event, dict)
        ]
    return [obj[key] for obj in objs if isinstance(obj.get(key), dict)]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def listed(events: list[dict[str, Any]]) -> bool:
    """Whether every sampled event holds each of its values in a list: Elasticsearch's and OpenSearch's search API
    answers so when asked for `fields` (a field may hold several values, so every one is given as a list), and a
    hit exported that way has its time, its text and its names each in a list of one."""
    return bool(events) and all(obj and all(isinstance(v, list) for v in obj.values()) for obj in events)


def unlisted(obj: dict[str, Any]) -> dict[str, Any]:
    """An event whose values are lists (`listed`), each taken out of its list: the one value it holds, or its
    values joined by spaces (an empty list: no value)."""
    return {k: v[0] if len(v) == 1 else " ".join(map(str, v)) for k, v in obj.items() if v}


@functools.cache  # a path's parts are asked for every sampled line's every FIELDS path: read each path once
def column(path: str) -> tuple[str, str | None]:
    """A FIELDS path as (its top-level key, the JSON path inside that key's value or None)."""
    if path.startswith('"'):
        key, _, rest = path[1:].partition('"')
        if rest.startswith("["):  # a list's entry in a key holding a dot: `"host.name"[0]`
            return key, f"${rest}"
        rest = rest.lstrip(".")
    elif (m := re.match(r"(\w+)(\[(?:\*|\d+)\].*)", path)) is not None:  # a list's: `Logs[*].Message[*]`, `host[0]`
        return m.group(1), f"${m.group(2)}"
    else:
        key, _, rest = path.partition(".")
    return key, (f"$.{rest}" if rest else None)


def all_keys() -> list[str]:
    """Every top-level key FIELDS names, in order, one of any that differ only in case (message, not
    MESSAGE: DuckDB will not take both; a file's own spelling is found by `spelt`)."""
    return deduped([column(p)[0] for group in FIELDS.values() for p in group])


def flat_keys(path: str) -> tuple[str, ...]:
    """The top-level keys a store that flattens objects writes a nested FIELDS path as: joined by dots
    (`kubernetes.pod_name`, Elastic's and LogScale's), or by underscores, every other character that is not a
    letter or digit one too (`kubernetes_pod_name`, `kubernetes_labels_app_kubernetes_io_name`: OpenObserve's);
    none for a top-level path or a list's."""
    if "." not in path or "[" in path:
        return ()
    underscored = re.sub(r"[^0-9A-Za-z]+", "_", path.replace('"', "")).strip("_")
    return (underscored,) if '"' in path else (path, underscored)


# error fields that are a table's columns, on every exported row whatever it holds: a sample that shows none
# shows the table has none, so they are not read on the chance that only error lines carry them
TABLE_COLUMNS = frozenset({"ExceptionType", "attributes_string"})  # (SigNoz's rows carry their map, empty or not)
# the top-level keys an error field is read from: a nested path's key, or its flattened spelling
# (`exception.message`), in lower case
ERROR_KEYS = frozenset(
    {column(p)[0].lower() for p in FIELDS["error"]} | {f.lower() for p in FIELDS["error"] for f in flat_keys(p)}
)


def spelt(keys: list[str], key: str) -> str | None:
    """`key` as the file spells it among `keys`: itself, or the one that differs from it only in case
    (NXLog writes `Message` and `Severity`)."""
    if key in keys:
        return key
    low = key.lower()
    return next((k for k in keys if k.lower() == low), None)


def deduped(keys: list[str]) -> list[str]:
    """The keys, the first of any that differ only in case kept: DuckDB will not read two such columns."""
    out: dict[str, str] = {}
    for k in keys:
        out.setdefault(k.lower(), k)
    return list(out.values())


def used_keys(sample: list[dict[str, Any]]) -> list[str] | None:
    """The top-level keys FIELDS names that the sampled lines use, as they spell them (a nested path's
    flattened key among them), and the error fields always (they appear on error lines only); None when
    no sampled line is a JSON object."""
    seen: list[str] = list(dict.fromkeys(k for obj in sample for k in obj))
    if not seen:
        return None
    errors = [column(p)[0] for p in FIELDS["error"] if column(p)[0] not in TABLE_COLUMNS]
    keys = [k for k in (spelt(seen, k) for k in all_keys()) if k is not None]
    flat = [f for group in FIELDS.values() for p in group for f in flat_keys(p)]
    return deduped([*keys, *(k for k in (spelt(seen, f) for f in flat) if k is not None), *errors])


@functools.cache
def _steps(path: str) -> tuple[str, str, tuple[tuple[str, str], ...], bool]:
    """A FIELDS path as `_at` walks it: its top-level key in lower case and as written, the steps inside that key's
    value (a name, quoted or plain, or a list's entry), and whether it reads every entry of a list."""
    key, inner = column(path)
    steps = tuple(re.findall(r'"([^"]*)"|(\[(?:\*|\d+)\]|[^."\[]+)', (inner or "$")[1:]))
    return key.lower(), key, steps, "[*]" in (inner or "")


def _at(obj: dict[str, Any], path: str, low: dict[str, str] | None = None) -> Any:
    """The value at a FIELDS path in a line, its top-level key in any case (None when the line has none);
    through a list's entries (`Logs[*].Message[*]`), the values found in them (None when there are none),
    as the SQL reader reads that path (embedded._value). `low` is the line's keys by their lower case, when the
    caller has it already (`lowered`)."""
    lower, key, steps, every = _steps(path)
    low = lowered(obj) if low is None else low
    value = obj.get(low.get(lower, key))
    if value is None or not steps:  # (nothing is found inside a value the line does not have)
        return value
    values = [value]
    for quoted, plain in steps:
        if plain == "[*]":
            values = [e for v in values if isinstance(v, list) for e in v]
        elif plain.startswith("["):  # one entry of a list: `[0]`
            i = int(plain[1:-1])
            values = [v[i] for v in values if isinstance(v, list) and len(v) > i]
        else:
            values = [v.get(quoted or plain) for v in values if isinstance(v, dict)]
    found = [v for v in values if v is not None]
    if every:
        return found or None
    return found[0] if found else None


def lowered(obj: dict[str, Any]) -> dict[str, str]:
    """A line's keys by their lower case (the last of any that differ only in case)."""
    return {k.lower(): k for k in obj}


def _known(obj: dict[str, Any], group: str) -> bool:
    """Whether a line has a field of this FIELDS group, nested or flattened, in any case (an object that
    could hold a nested one is not enough: Cloud Logging's `labels` holds no service name)."""
    low = lowered(obj)
    return any(p.lower() in low or _at(obj, p, low) is not None for p in FIELDS[group])


def _keys_of(sample: list[dict[str, Any]]) -> set[str]:
    return {k for obj in sample for k in obj}


def _path(keys: list[str]) -> str:
    """The FIELDS path of a value nested under these keys (one holding a dot is quoted)."""
    return ".".join(f'"{k}"' if "." in k else k for k in keys)


def _texts(obj: dict[str, Any], above: list[str], depth: int = 3) -> Iterator[tuple[str, str]]:
    """(FIELDS path, value) of every text value in a line, nested objects to `depth` levels."""
    for key, value in obj.items():
        if '"' in key:  # a name a path cannot spell
            continue
        if isinstance(value, str):
            yield _path([*above, key]), value
        elif isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            # a list of one text is that text: Dynatrace's additionalColumns write every value so
            yield _path([*above, key]) + "[0]", value[0]
        elif isinstance(value, dict) and depth > 1:
            yield from _texts(value, [*above, key], depth - 1)


def _names_pod(obj: dict[str, Any], names_one: Callable[[Any], bool]) -> bool:
    """Whether a line's pod or host field, one this reader knows, names a service (by `names_one`)."""
    low = lowered(obj)
    for p in FIELDS["pod"]:
        value = _at(obj, p, low)
        for flat in flat_keys(p):
            if value is None:
                value = obj.get(low.get(flat.lower(), flat))
        if value is not None:
            return names_one(value)
    return False


# The files the kubelet keeps a container's output in name its pod: `/var/log/containers/<pod>_<namespace>_
# <container>-<id>.log` (links) and `/var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log`; a shipper
# tailing them without Kubernetes' metadata (a bare Fluent Bit's or Vector's file source, OCI's agent) names a
# line's pod only there. In syntax Python's re and RE2 (DuckDB) share; the pod is group 1 or group 2.
CONTAINER_LOG = r"^/var/log/(?:containers/([^_/]+)_[^_/]+_[^/]+\.log|pods/[^_/]+_([^_/]+)_[^/]+/[^/]+/[0-9]+\.log)$"


def host_name(value: str) -> str:
    """A host's name as a service's hosts are named: lower case, without its domain (`PAYMENTS-API-02.corp`
    is `payments-api-02`; Windows writes NetBIOS names in capitals), and without what follows a colon: a
    port, or the revision of what runs there (ECS's task definition `payments:44`, FireLens's
    `ecs_task_definition`; an image's tag). A container's log file is its pod's name (CONTAINER_LOG)."""
    if (m := re.match(CONTAINER_LOG, value)) is not None:
        return (m.group(1) or m.group(2)).lower()
    return value.split(".", 1)[0].split(":", 1)[0].lower()


# A line's time written in front of its text by what captured it: `kubectl logs --timestamps`, `docker logs -t`
# and stern's --timestamps put the RFC 3339 time the runtime recorded first (group 1), as CRI's files do.
TIME_LEAD = r"^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:Z|[+-][0-9]{2}:[0-9]{2})) "
# A container runtime's own line around what a program wrote (CRI's log format, containerd's and CRI-O's
# files): its RFC 3339 time, the stream, F for a full line or P for part of one, then the program's line. A
# shipper that tails the files unparsed keeps it; the stream is where the line went, not how bad it is.
RUNTIME_PREFIX = TIME_LEAD + r"(?:stdout|stderr) [FP] "


# An RFC 5424 syslog frame kept whole as a line's text (a Logplex drain's receiver keeps each frame Heroku sends): the
# priority and version, the time the line was written, the host, the app and process names, the message id and
# the structured data (Logplex writes none), then what the program wrote. Groups: 1 the time, 3 the app, 4 the
# process.
FRAME = (
    r"^<[0-9]{1,3}>[0-9]{1,2} ([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:Z|[+-][0-9]{2}:[0-9]{2})) (\S+) (\S+) (\S+) \S+ "
    r"(?:(?:-|(?:\[[^\]]*\])+) )?"
)


# A traditional (RFC 3164) syslog line kept whole as a line's text, as rsyslog writes the file a shipper then tails
# (Elastic Beanstalk's web.stdout.log, a VM's /var/log/messages): the time without its year or zone, the host, the
# program and its process id, then what the program wrote. Groups as FRAME's: 1 the time, 3 the program, 4 the pid.
BSD_FRAME = (
    r"^((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +[0-9]{1,2} [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?) "
    r"(\S+) ([^\s\[\]:]+)(?:\[([0-9]+)\])?: "
)


def syslog_frames(sample: list[dict[str, Any]], known: list[str], text: str | None = None) -> tuple[str, ...]:
    """The catalog's services, when most sampled lines' texts are syslog frames (FRAME): each is read after its
    header, at the header's time, and as the service its process or app name is (an instance's number after a
    dot or dash left off: `postgres.29410`), where that is a catalogued one; a drain carries the lines of what
    runs beside an app (its database's) as the app's. Empty when they are not."""
    return tuple(known) if _mostly_begin(sample, text, FRAME) else ()


def traditional_frames(sample: list[dict[str, Any]], text: str | None = None) -> bool:
    """Whether any sampled line's text is a traditional syslog line (BSD_FRAME): those lines are read after their
    header as syslog_frames' are, the others as they are (a shipper that tails a machine's files sends the
    journal's file beside ones each program writes itself)."""
    return _share_begin(sample, text, BSD_FRAME) > 0


def _text_path(obj: dict[str, Any], text: str | None) -> str | None:
    """The path of the message field a line's text is read from (the first it has, or `text`)."""
    low = lowered(obj)
    return next((p for p in [*([text] if text else []), *FIELDS["message"]] if isinstance(_at(obj, p, low), str)), None)


def _share_begin(objs: list[dict[str, Any]], text: str | None, prefix: str) -> float:
    """The share of these lines' texts (the first message field each has, or `text`, a field found to hold them)
    that begin with `prefix`."""
    said = [_at(obj, p) for obj in objs if (p := _text_path(obj, text)) is not None]
    return sum(1 for t in said if re.match(prefix, t)) / len(said) if said else 0.0


# ASP.NET Core's event log provider (Microsoft.Extensions.Logging.EventLog) writes the logger's category, the event
# id and any scopes above a blank line, then the message: the message is what the line says, read after that
EVENTLOG_HEADER = r"^Category: [^\n]*\nEventId: [^\n]*\n(?:[^\n]*[^\r\n][^\n]*\n)*\r?\n"


def eventlog_headers(sample: list[dict[str, Any]]) -> bool:
    """Whether any sampled line's top-level text begins with ASP.NET Core's event log header (EVENTLOG_HEADER), as
    an event log export keeps its Message: each line that does is read after it (the provider's events beside other
    programs' in one server's log). Only top-level texts: a look through every message path of every sampled line
    costs each file's read more than the header is worth."""
    return any(
        isinstance(v, str) and v.startswith("Category: ") and re.match(EVENTLOG_HEADER, v) is not None
        for obj in sample
        for v in obj.values()
    )


def _mostly_begin(objs: list[dict[str, Any]], text: str | None, prefix: str) -> bool:
    """Whether most of these lines' texts begin with `prefix` (_share_begin)."""
    return _share_begin(objs, text, prefix) > 0.5


# what a program's JSON line says, in the fields programs most often write it in (pino's, bunyan's, logrus',
# Serilog's compact JSON, structlog's; GitLab's Sidekiq its error_message, Rails its exception.message): a syslog
# frame's JSON body is read by these alone (embedded._unframed); a JSON line kept whole as a line's text is at the
# level these say (embedded._objects)
JSON_LINE = {
    "message": ("msg", "message", "@m", "@mt", "event"),
    "error": (
        "err.message",
        "error.message",
        "error",
        "err",
        "exception",
        "@x",
        '"exception.message"',
        "error_message",
    ),
    "level": ("level", "severity", "lvl", "levelname", "@l"),
}


def json_lines(sample: list[dict[str, Any]], text: str | None = None) -> bool:
    """Whether sampled lines' texts (the first message field each has, or `text`) include a program's JSON line
    kept whole, an object holding its own message or level (JSON_LINE): a shipper tailing a file (Vector's file
    source) sends logrus' or GitLab's lines as they were written, among its other programs' text lines. Each such
    line is at the level its JSON gives (embedded._objects), however far into the line its logger put it."""
    for obj in sample:
        said = _at(obj, p) if (p := _text_path(obj, text)) is not None else None
        inner = _object(said) if said and said.startswith("{") else None
        if inner is not None and any(k in inner for k in (*JSON_LINE["message"], *JSON_LINE["level"])):
            return True
    return False


# protobuf's JSON writes a bytes field in base64 (RFC 4648's alphabet, padded): a line's text kept so is read decoded
_BASE64 = re.compile(r"[A-Za-z0-9+/]{8,}={0,2}")


def _decoded(value: Any) -> str | None:
    """The text `value` holds in base64, or None when it is not base64 of text (UTF-8 with no control
    characters but tab and line ends): a word such as `Done` is valid base64 of bytes that are not text."""
    if not isinstance(value, str) or not _BASE64.fullmatch(value):
        return None
    try:
        said = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return None if any(c < " " and c not in "\t\r\n" for c in said) else said


def decoded_texts(sample: list[dict[str, Any]], text: str | None = None) -> list[dict[str, Any]] | None:
    """The sampled lines with their texts decoded, when every sampled line's text is base64 of text: protobuf's
    JSON writes a bytes field so (Log Cache's envelope payload, a Pub/Sub message's data, a Kinesis record's), and
    such a text is read decoded (what is found in the texts is found in them decoded). None when any is not, or
    when no sampled line has a text (nothing says the file's texts are encoded)."""

    def put(obj: dict[str, Any], names: list[str], value: str) -> dict[str, Any]:
        inner = put(obj[names[0]], names[1:], value) if len(names) > 1 else value
        return {**obj, names[0]: inner}

    out, seen = [], False
    for obj in sample:
        if (path := _text_path(obj, text)) is None:  # (a text through a list's entries is never one value)
            out.append(obj)
            continue
        if (said := _decoded(_at(obj, path))) is None:
            return None
        key, inner = column(path)
        names = [next(k for k in obj if k.lower() == key.lower()), *(inner[2:].split(".") if inner else [])]
        out.append(put(obj, names, said))
        seen = True
    return out if seen else None


def runtime_lines(sample: list[dict[str, Any]], text: str | None = None) -> bool:
    """Whether most sampled lines' texts are a container runtime's lines (RUNTIME_PREFIX): each is read after
    that prefix."""
    return _mostly_begin(sample, text, RUNTIME_PREFIX)


def time_led(sample: list[dict[str, Any]], text: str | None = None) -> bool:
    """Whether most sampled lines have no time field this reader knows, and most of those lines' texts begin
    with their time (TIME_LEAD): it is read from there, and the text after it. Asked only when no field was
    found to hold their time either (`Found.in_sample`). Lines with a time field keep theirs: a program's line
    that starts with its own time (Spring Boot's) is not a capture's."""
    untimed = [obj for obj in sample if not _known(obj, "ts")]
    return len(untimed) * 2 > len(sample) and _mostly_begin(untimed, text, TIME_LEAD)


# The tags a list of `key:value` strings names a line's pod by (Datadog's, from its Kubernetes tagger).
POD_TAGS = ("pod_name", "kube_pod_name", "k8s.pod.name")


def pod_tags(sample: list[dict[str, Any]]) -> str | None:
    """The key whose values are lists of `key:value` strings (Datadog's `tags`) that name the line's pod
    (POD_TAGS), None when the sampled lines have none: a host beside them is the node the pod ran on."""
    for key in _keys_of(sample):
        lists = [v for obj in sample if isinstance(v := obj.get(key), list)]
        strings = lists and all(isinstance(x, str) for v in lists for x in v)
        if strings and any(x.split(":", 1)[0] in POD_TAGS for v in lists for x in v):
            return key
    return None


def _host_naming(known: list[str]) -> Callable[[Any], bool]:
    """Whether a value names one of the `known` services as a host or pod is named after it (host_name)."""
    prefixes = tuple(f"{k}-" for k in known)
    names = set(known)

    def names_one(value: Any) -> bool:
        return isinstance(value, str) and (
            (name := host_name(value)) in names or name.startswith(prefixes) or stacked(name, names) is not None
        )

    return names_one


def _unowned(sample: list[dict[str, Any]], known: list[str]) -> bool:
    """Whether most sampled lines name no `known` service where this reader looks: a host field whose value
    names no service says where the line ran, not whose it is; only a service field, a log group, or a host
    or pod named after a service says that."""
    if not sample or not known:
        return False
    names_one = _host_naming(known)
    owned = sum(1 for obj in sample if _known(obj, "service") or _known(obj, "group") or _names_pod(obj, names_one))
    return owned * 2 < len(sample)


# the fields whose values are what a line says or how bad it is, never whose it is
_NOT_OWNERS = ("message", "error", "level", "ts", "http_status")


def owners_in(sample: list[dict[str, Any]], known: list[str], taken: tuple[str | None, ...] = ()) -> tuple[Owner, ...]:
    """The fields a line's service is read from, asked when most sampled lines name no service where this
    reader looks (_unowned) and no host field was found either (owners.owners): the texts of the lines' other
    fields (not their text, time or level, nor a field `taken` for those), a server's field known by its name or
    as a pod's (FIELDS["pod"])."""
    said = [p for group in _NOT_OWNERS for p in FIELDS[group]]
    skip = {p.lower() for p in said} | {column(p)[0].lower() for p in said} | {k.lower() for k in taken if k}
    pods = {p.lower() for p in FIELDS["pod"]}
    lines = [{p: v for p, v in _texts(obj, []) if p.lower() not in skip and v} for obj in sample]
    return owners(lines, known, lambda p: p.lower() in pods or HOST_NAMED.search(p) is not None)


# a log file's path as a tailing shipper records it (Vector's `file`, Filebeat's `log.file.path`): absolute, and a
# log's by its folder or its name (`/var/log/gitlab/gitaly/current`, `/srv/api/logs/app.log`), not a request's URL
LOG_FILE = re.compile(r"(?i)^(?:/|[a-z]:\\)\S*(?:[/\\]logs?[/\\]\S*|\.log(?:\.\d+)?)$")
# the folders every log is kept under, and a log's extension: they name no program (`log` is not log-shipper's)
_LOG_PLACES = re.compile(r"(?i)(?:^|[/\\])(?:var|log|logs)(?=[/\\])|\.log(?:\.\d+)?$")


def file_owner(sample: list[dict[str, Any]], known: list[str]) -> tuple[Owner, ...]:
    """The field holding the path of the file each line was read from, when those paths name catalogued services
    by what is left of them once the folders every log is kept under are left out (`/var/log/kern.log` names no
    service, though `log` is a word of log-shipper's name): a log file is the program's that writes it, while the
    host it was read on may run several (NGINX, Workhorse and Puma on one node named after one of them), so a line
    with no service field of its own is read as its path's (where it names one), then its host's. () when no
    field holds such paths."""
    hits: Counter[str] = Counter()
    maps: dict[str, dict[str, str]] = {}
    for obj in sample:
        for p, v in _texts(obj, []):
            if LOG_FILE.match(v) and (service := named(_LOG_PLACES.sub("/", v), known)) is not None:
                maps.setdefault(p, {})[v] = service
                hits[p] += 1
    best = max(hits, key=lambda p: (hits[p], p), default=None)
    return (Owner(best, tuple(sorted(maps[best].items()))),) if best is not None else ()


def database_servers(sample: list[dict[str, Any]], host: str | None, known: list[str]) -> tuple[Owner, ...]:
    """The host field's values that are a database server's own name (DATABASE_SERVER: a syslog tag `postgres`
    beside `booking-api`, where the other tags name services as hosts are named): those lines are the estate's one
    database service's (`postgresql`), as owners.named reads such a name. () when there are none, or no host
    field."""
    if host is None:
        return ()
    seen = {v for obj in sample if isinstance(v := _at(obj, host), str)}
    found = {v: s for v in seen if DATABASE_SERVER.match(v) and (s := named(v, known)) is not None}
    return (Owner(host, tuple(sorted(found.items()))),) if found else ()


def hosts_field(sample: list[dict[str, Any]], known: list[str]) -> str | None:
    """A field of a shipper this reader does not know that names where each line came from, as a FIELDS
    path: when most sampled lines have no service field or log group it knows, nor a host or pod field naming
    a catalogued service (Fly's `host` is a server's short id), the text field, wherever it is
    nested, whose values most often are the catalog's services or hosts and pods named after them
    (`mx-02`; rsyslog's `sysloghost`; Cloud Run's `resource.labels.service_name`; FireLens's `payments:44`), in
    any case and with or without a domain (host_name). None when the lines name their service in a field it
    knows, or nothing names one."""
    return _named_hosts(sample, known) if _unowned(sample, known) else None


def _named_hosts(sample: list[dict[str, Any]], known: list[str]) -> str | None:
    """hosts_field, for a sample already found to name no service where this reader looks (_unowned): of the
    fields that name a service on most lines, the one that tells the most services apart (a field naming one on
    every line of three programs, a Kamal container's `role` of `web`, says what the line is for, not whose it
    is), then the one that names one on the most lines."""
    names_one = _host_naming(known)
    # (a line's text is not where it came from: `payments: charge failed` names no host; but the fields beside
    # a text nested in an object may say where it came from: OCI's logContent.subject beside logContent.data)
    said = (*FIELDS["message"], *FIELDS["error"])
    text = {p.lower() for p in said} | {column(p)[0].lower() for p in said if column(p)[1] is None}
    hits: dict[str, int] = {}
    told: dict[str, set[str]] = {}
    for obj in sample:
        for key, value in _texts(obj, []):
            if column(key)[0].lower() not in text and key.lower() not in text and names_one(value):
                hits[key] = hits.get(key, 0) + 1
                told.setdefault(key, set()).add(service_of(value, known))
    most = [k for k in hits if hits[k] * 2 >= len(sample)]
    return max(most, key=lambda k: (len(told[k]), hits[k], k), default=None)


def service_of(value: str, known: list[str]) -> str:
    """The service a host or container name that names one (_host_naming) names: itself, the longest name it
    begins with, or the service a stack's container is of (stacked)."""
    name, names = host_name(value), set(known)
    if name in names:
        return name
    if (begun := max((k for k in known if name.startswith(f"{k}-")), key=len, default=None)) is not None:
        return begun
    stack = stacked(name, names)
    return name if stack is None else re.sub(r"[-_][^-_]*$", "", name[len(stack) :])


# what follows a service's name in its container's: Compose's replica number, or the version Kamal names a role's
# container with (its image's Git commit, abbreviated or not)
_INSTANCE = re.compile(r"[0-9]+|[0-9a-f]{7,40}")


def stacked(name: str, names: set[str]) -> str | None:
    """The stack's part of a container named as Docker Compose names one, `<project>-<service>-<n>` (`_` before
    Compose v2), or as Kamal names an app's role's, `<app>-<role>-<version>`: `pagaja-` of `pagaja-pix-gateway-2`
    when pix-gateway is a service; the project is the stack's name, not the service's. None when `name` is not
    so named."""
    parts = re.split(r"([-_])", name)  # (the separators kept, at odd places)
    if len(parts) < 5 or not _INSTANCE.fullmatch(parts[-1]):
        return None
    for i in range(2, len(parts) - 2, 2):
        if "".join(parts[i:-2]) in names:
            return "".join(parts[:i])
    return None


# a Swarm task's container, as Docker names it: `<service>.<slot>.<task id>` (a global service's: the node's ID for
# the slot), the service `<stack>_<name>` when a stack deployed it
SWARM_TASK = re.compile(r"^(?P<service>[A-Za-z0-9][\w.-]*?)\.(?P<slot>\d+|[a-z0-9]{25})\.(?P<task>[a-z0-9]{25})$")


def swarm_stack(sample: list[dict[str, Any]], known: list[str]) -> str | None:
    """The stack (`atende_` of `atende_crm.2.x9k2...`, or "" where the services were created without one) under
    which the sampled lines' pod fields name Swarm tasks' containers of catalogued services, the most often if
    several; else None. A task's container is its service's, as a pod is its deployment's (embedded reads it as
    `<name>-<slot>-<task id>`)."""
    names, seen = set(known), dict[str, int]()
    longest = sorted(names, key=lambda n: (-len(n), n))
    for obj in sample:
        low = lowered(obj)
        pod = next((v for p in FIELDS["pod"] if isinstance(v := _at(obj, p, low), str)), None)
        if pod is None or (m := SWARM_TASK.match(pod)) is None:
            continue
        service = m["service"]
        # (where the catalog spells the service only with its stack, no stack is cut)
        stack = next((service[: -len(n)] for n in longest if service.endswith(f"_{n}")), None)
        if stack is None and service in names:
            stack = ""
        if stack is not None:
            seen[stack] = seen.get(stack, 0) + 1
    return max(seen, key=lambda k: (seen[k], k), default=None)


def stack_of(sample: list[dict[str, Any]], path: str, known: list[str]) -> str | None:
    """The stack (see `stacked`) most sampled lines' `path` names their container under, else None."""
    names, seen = set(known), dict[str, int]()
    for obj in sample:
        if isinstance(value := _at(obj, path), str) and (stack := stacked(host_name(value), names)) is not None:
            seen[stack] = seen.get(stack, 0) + 1
    best = max(seen, key=lambda k: (seen[k], k), default=None)
    return best if best is not None and seen[best] * 2 >= len(sample) else None


def json_text(sample: list[dict[str, Any]]) -> str | None:
    """A top-level field of a shipper this reader does not know whose text is a JSON object on most sampled
    lines: an event a forwarder wrote down as text (Splunk's `_raw` of Docker's splunk driver's inline
    events: the line, its stream, the container's tag), holding on those lines a time, service, pod, level or
    text the line has none of (Mezmo's `_line` only repeats the fields it merged in beside it); or whose value
    is an object holding a line's text: the event an export wraps beside its own time (Axiom's `data`, Vector's
    event; not Fly's `fly`, its app's name beside the line's `message`). Its fields are read as the line's own
    where the line has none of its own. A field this reader knows is one only when its object is a collector's
    record of the line (`collector_record`): a program's JSON line in `log` or `message` is read as its text, its
    level and words from it, as ever. A collector's record is read wherever a line holds one, however few do: a
    file of several sources (a subscription's log groups, the cluster's among a database's and functions') has
    the cluster's lines among others that are text. None when no field is."""
    known = {column(p)[0].lower() for paths in FIELDS.values() for p in paths}
    counts: dict[str, int] = {}
    records: dict[str, int] = {}
    for obj in sample:
        for key, value in obj.items():
            if key.lower() in known:
                said = isinstance(value, str) and value.startswith("{") and collector_record(_object(value))
                records[key] = records.get(key, 0) + said
            elif isinstance(value, dict):  # an event it wraps holds a line's text (Fly's `fly` holds its app's name)
                said = _known(value, "message")
            elif isinstance(value, str) and value.startswith("{"):
                inner = _object(value)
                # only an object that says something the line does not: Mezmo's `_line` repeats what it merged
                said = inner is not None and any(_known(inner, g) and not _known(obj, g) for g in _GIVEN)
            else:
                said = False
            if said:
                counts[key] = counts.get(key, 0) + 1
    best = max(counts, key=lambda k: (counts[k], k), default=None)
    if best is not None and counts[best] * 2 >= len(sample):
        return best
    held = max(records, key=lambda k: (records[k], k), default=None)
    return held if held is not None and records[held] else None


_GIVEN = ("ts", "service", "pod", "level", "message")  # what a line's own fields give


def collector_record(obj: dict[str, Any] | None) -> bool:
    """Whether a line's text, a JSON object, is a collector's record of the program's line rather than the
    program's own JSON line: it holds the program's text in a message field of its own beside the pod that
    wrote it, in an object of the orchestrator's (OpenShift's ViaQ record as a LokiStack keeps it: `message`
    beside `kubernetes.pod_name`; Vector's or Fluent Bit's event stored whole). A program's JSON logger
    writes its words and its own fields, never its pod's metadata under a key of its own."""
    if obj is None or not _known(obj, "message"):
        return False
    return any("." in p and isinstance(obj.get(column(p)[0]), dict) and _at(obj, p) is not None for p in FIELDS["pod"])


def _object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def unwrapped(sample: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """The sampled lines with the fields of the JSON object written in `key` beside their own (theirs win)."""
    return [{**_as_object(obj.get(key)), **obj} for obj in sample]


def _as_object(value: Any) -> dict[str, Any]:
    """An object's fields, whether it is one or is written as JSON text (else none)."""
    if isinstance(value, dict):
        return value
    return (_object(value) or {}) if isinstance(value, str) else {}


def routine_levels(sample: list[dict[str, Any]]) -> list[str]:
    """The spellings of info and debug among the sampled lines' level fields, and the usual ones: the
    lines whose info is shaped from a sample. A spelling the sample missed is shaped on every line, which
    costs time, never a count."""
    # as written (`info` and `INFO`): the scan groups lines by their level's spelling and names it per mark
    seen = {"INFO", "DEBUG", "LOG", "NOTICE", "TRACE", *level_values(sample)}
    named = normalise_levels({s.upper() for s in seen})
    return sorted(s for s in seen if named[s.upper()] in ("INFO", "DEBUG"))


# Coralogix's log entries (its REST API's, and what a shipper posts there): the service's environment and
# component beside a severity numbered 1 (debug), 2 (verbose), 3 (info), 4 (warn), 5 (error), 6 (critical),
# which runs up with severity where syslog's runs down (its 3 is an error)
CORALOGIX_KEYS = ("applicationName", "subsystemName", "severity")


# the message fields that are top-level keys, in FIELDS' order, in lower case (a table's columns are)
_TOP_MESSAGE_KEYS = tuple(dict.fromkeys(p.lower() for p in FIELDS["message"] if column(p)[1] is None and "." not in p))


def blank_text(sample: list[dict[str, Any]]) -> bool:
    """Whether a sampled line writes a message field empty beside another one: a table's export writes every
    column on every row (Application Insights' union of traces, which have a Message, exceptions, whose text is
    their OuterMessage, and requests, with neither), so the line's text may be in a later one, and an empty
    field says nothing of the line. (Any row shows it: the rare rows that hold their text elsewhere need not
    be among those sampled.)"""
    for obj in sample:
        low = {k.lower(): v for k, v in obj.items()}
        given = [low[k] for k in _TOP_MESSAGE_KEYS if k in low]
        if len(given) >= 2 and given[0] == "":
            return True
    return False


def coralogix_entries(sample: list[dict[str, Any]]) -> bool:
    """Whether the sampled lines are Coralogix entries (a file is written by one shipper): its keys, a
    severity of one digit from 1 to 6."""
    return any(all(k in obj for k in CORALOGIX_KEYS) and str(obj["severity"]) in "123456" for obj in sample)


# Docker's GELF and journald log drivers name each line's container and image (GELF's `_container_name`,
# `_image_name`, which a GELF server may store without the underscore; journald's `CONTAINER_NAME`, `IMAGE_NAME`)
# and file what a program writes to standard output at 6, to standard error at 3, whatever the line says
# (uvicorn, Monolog, NATS and PostgreSQL write info there)
DOCKER_KEYS = ("container_name", "image_name")
DOCKER_STREAMS = {"3", "6"}


def docker_streams(sample: list[dict[str, Any]]) -> bool:
    """Whether the sampled lines' level field is Docker's GELF or journald driver's stream (see DOCKER_KEYS):
    most lines name their container as those drivers do and their levels are only its two. A pipeline that set the
    level from the text would have written others."""
    docker = [obj for obj in sample if {*DOCKER_KEYS} <= {k.lower().removeprefix("_") for k in obj}]
    return len(docker) * 2 > len(sample) and bool(levels := level_values(docker)) and levels <= DOCKER_STREAMS


def level_values(sample: list[dict[str, Any]]) -> set[str]:
    """The values of the sampled lines' level fields (their keys in any case), as written."""
    return {v for levels in _line_levels(sample) for v in levels}


def _line_levels(sample: list[dict[str, Any]]) -> Iterator[list[str]]:
    """Each sampled line's level fields' values, in FIELDS' order (the first is the one read), as written."""
    # (where the level is, worked out once per set of keys: a file's lines share a few)
    where: dict[tuple[str, ...], list[tuple[str, str | None]]] = {}
    for obj in sample:
        keys = tuple(obj)
        if keys not in where:
            where[keys] = []
            for path in FIELDS["level"]:
                key, inner = column(path)
                flat = next((k for f in flat_keys(path) if (k := spelt(list(keys), f))), None)
                # in the file's own case
                if name := flat or spelt(list(keys), key):
                    where[keys].append((name, inner))
        levels = []
        for name, inner in where[keys]:
            value = obj.get(name)
            if inner is not None and isinstance(value, dict):
                value = value.get(inner.removeprefix("$."))
            if isinstance(value, str | int) and not isinstance(value, bool):
                levels.append(str(value))
        yield levels


# the properties a Windows event log record is exported with (Get-WinEvent's EventLogRecord; NXLog's and
# Winlogbeat's own names are other fields)
WINDOWS_RECORD = ("ProviderName", "Level", "Id")


def windows_events(sample: list[dict[str, Any]]) -> bool:
    """Whether most sampled lines are Windows event log records as Get-WinEvent exports them (WINDOWS_RECORD):
    their numbered Level is the event log's (aggregate.WINDOWS_SCALE), not syslog's."""
    records = sum(1 for obj in sample if all(spelt(list(obj), k) is not None for k in WINDOWS_RECORD))
    return bool(sample) and records * 2 > len(sample)


def upward_numbers(sample: list[dict[str, Any]]) -> bool:
    """Whether the level read for most sampled lines is a digit on a scale that runs up with severity, 3 its
    info (Coralogix's 1 debug to 6 critical, DataSet's 0 finest to 6 fatal), not syslog's, which runs down (its
    3 an error): most lines of any estate are routine, so the number most of them carry is the file's info.
    Not when the numbers are only 3 and 6: Docker's GELF driver's two streams (docker_streams)."""
    read = [levels[0] for levels in _line_levels(sample) if levels]
    if not read or len(read) * 2 < len(sample) or not all(len(v) == 1 and v in "0123456" for v in read):
        return False
    common, count = Counter(read).most_common(1)[0]
    return common == "3" and count * 2 > len(read) and set(read) != {"3", "6"}


def severity_numbers(sample: list[dict[str, Any]]) -> bool:
    """Whether the level read for most sampled lines is OpenTelemetry's SeverityNumber (aggregate.SEVERITY_SCALE:
    9 info, 13 warn, 17 error), as Logfire's level column writes it: numbers, most of them an info's (9 to 12),
    which syslog's scale (0 to 7) cannot write and pino's (30 its info) does not."""
    read = [levels[0] for levels in _line_levels(sample) if levels]
    if not read or not all(v.isdigit() for v in read):
        return False
    return sum(1 for v in read if 9 <= int(v) <= 12) * 2 > len(read)


def text_field(sample: list[dict[str, Any]], taken: tuple[str | None, ...] = ()) -> str | None:
    """A top-level field of a shipper this reader does not know that holds each line's text as written:
    when most sampled lines have no message field it knows, the text field that is the longest of its
    line on at least half of them, and says something different on most of them (LogScale's `@rawstring`;
    not a label repeating a few values). A field read
    for another part of the line (its time, service, pod, level, or one `taken` for its host or time)
    is never its text. None when the lines carry their text in a field this reader knows, or no other
    field is the longest on most lines."""
    if not sample or sum(1 for obj in sample if _known(obj, "message")) * 2 >= len(sample):
        return None
    other = {k.lower() for k in taken if k} | {
        name.lower()
        for group, paths in FIELDS.items()
        if group not in ("message", "error")
        for p in paths
        for name in (column(p)[0], *flat_keys(p))
    }
    longest: dict[str, int] = {}
    values: dict[str, set[str]] = {}
    for obj in sample:
        texts = [(len(v), k) for k, v in obj.items() if isinstance(v, str) and k.lower() not in other]
        if texts:
            key = max(texts)[1]
            longest[key] = longest.get(key, 0) + 1
            values.setdefault(key, set()).add(obj[key])
    best = max(longest, key=lambda k: (longest[k], k), default=None)
    # a line's text varies from line to line; a field holding a handful of values over many lines is a
    # label (Cloud Logging's logName on request entries, which have no text), not the text
    if best is None or longest[best] * 2 < len(sample) or len(values[best]) < max(2, longest[best] / 10):
        return None
    return best


def time_field(sample: list[dict[str, Any]]) -> str | None:
    """A top-level field of a shipper this reader does not know that holds each line's time: of the sampled
    lines with no time field it knows, the field whose values read as a date and time on at least half of
    them; of several, the one that is the earliest on most lines (a line's own time comes first: a later one
    is when it was received or shipped, NXLog's EventReceivedTime after EventTime). Only those lines: a
    shipper that merges a JSON line's fields into its event (Better Stack, New Relic) gives a program's
    own `time` to its JSON lines alone, and its own time field is what dates every other line."""
    untimed = [obj for obj in sample if not _known(obj, "ts")]
    if not untimed:
        return None
    reads: dict[str, int] = {}
    earliest: dict[str, int] = {}
    for obj in untimed:
        times = {k: t for k, v in obj.items() if (t := _as_time(v, TIME_NAMED.search(k) is not None)) is not None}
        for k in times:
            reads[k] = reads.get(k, 0) + 1
        if times:
            first = min(times, key=lambda k: (times[k], k))
            earliest[first] = earliest.get(first, 0) + 1
    candidates = [k for k, n in reads.items() if n * 2 >= len(untimed)]
    return max(candidates, key=lambda k: (earliest.get(k, 0), k), default=None)


# syslog's traditional time (RFC 3164, rsyslog's and syslogd's default): `Jan 19 05:41:12`, `Feb  6 00:22:02`
SYSLOG_TIME = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d\d:\d\d:\d\d(\.\d+)?"
# a time written with its zone: RFC 3339's `Z` or an offset after it
_ZONE = re.compile(r"(?:[Zz]|[+-]\d\d:?\d\d)$")


def _wall_clock(value: Any) -> bool:
    """A syslog header's time (`Jun 14 06:02:11`): the sender's wall clock, its zone and year unsaid. (An ISO time
    without a zone is not taken for one: exports write UTC so, beside a shipper's later time of its own.)"""
    return isinstance(value, str) and re.fullmatch(SYSLOG_TIME, value) is not None


def _zoned(value: Any) -> bool:
    """A time that names its instant: written with its zone, or an epoch number (UTC by definition)."""
    if isinstance(value, str) and _ZONE.search(value):
        return True
    return _EPOCH.fullmatch(str(value)) is not None


def zoned_time(sample: list[dict[str, Any]]) -> str | None:
    """The time field to read before the one FIELDS lists first, when that one is a wall clock: on at least half
    of the sampled lines, the first time field of FIELDS they carry is a syslog header's time (the sender's local
    clock, no zone, no year) and a later one is written with its zone or as an epoch number (Logstash's
    `@timestamp`). A zoned time names the instant; a wall clock names it only in a zone the line does not say."""
    tops = [p for p in FIELDS["ts"] if "." not in p]
    votes: Counter[str] = Counter()
    for obj in sample:
        present = [k for k in tops if obj.get(k) not in (None, "")]
        if len(present) >= 2 and _wall_clock(obj[present[0]]):
            zoned = next((k for k in present[1:] if _zoned(obj[k])), None)
            if zoned is not None:
                votes[zoned] += 1
    best = votes.most_common(1)
    return best[0][0] if best and best[0][1] * 2 >= len(sample) else None


# a field whose name says it holds a time: Sumo Logic's _messagetime, eventTime, timestamp_ms, created_at
TIME_NAMED = re.compile(r"(?i)time|date|epoch|(^|[_.])ts($|[_.])|_at$")
# an epoch number's digits: seconds, milliseconds, microseconds, nanoseconds (as epoch_seconds reads them)
_EPOCH = re.compile(r"\d{10}(\d{3}){0,3}(\.\d+)?")
_EPOCH_YEARS = (946_684_800, 4_102_444_800)  # 2000 to 2100
# .NET's JSON date (Windows PowerShell 5.1's ConvertTo-Json, DataContractJsonSerializer): `/Date(ms)/`, the
# milliseconds since the epoch in UTC (group 1) and optionally the writer's offset, which moves nothing
DOTNET_DATE = re.compile(r"/Date\((-?\d{1,15})(?:[+-]\d{4})?\)/")


def _as_time(value: Any, named: bool = False) -> float | None:
    """Seconds since the epoch of a date and time written as text (ISO 8601 or RFC 3339, with or without
    a zone: without one it is UTC, as the reader takes it), else None. A number is taken only from a
    field whose name says it is a time (`named`): elsewhere a count or an id reads as an epoch as
    readily as a time does."""
    if named and isinstance(value, int | float | str) and not isinstance(value, bool) and _EPOCH.fullmatch(str(value)):
        digits = len(str(value).split(".")[0])
        seconds = float(value) / 10 ** (digits - 10)
        return seconds if _EPOCH_YEARS[0] <= seconds < _EPOCH_YEARS[1] else None
    if isinstance(value, str) and (m := DOTNET_DATE.fullmatch(value)) is not None:
        return int(m.group(1)) / 1000
    if not isinstance(value, str) or len(value) < 16 or ":" not in value or not value[:4].isdigit():
        return None
    # the zone named after the time, as Better Stack's export and Ruby's Time#to_s write UTC (DuckDB reads it)
    value = value.removesuffix(" UTC").removesuffix(" GMT")
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True)
class Found:
    """Fields of a shipper this reader does not know, found from a sample of a file's lines: the one that
    names each line's host, the one that holds its text, the one that holds its time (None: not needed,
    or not found)."""

    host: str | None = None
    text: str | None = None
    time: str | None = None
    # the level field names output streams, not levels (aggregate.streams_only, docker_streams)
    streams: bool = False
    coloured: bool = False  # lines keep a terminal's colour codes (ANSI escapes): dropped before reading
    # the level field's numbers run up with severity, 3 info (coralogix_entries, upward_numbers), not syslog's
    ascending: bool = False
    envelope: str | None = None  # the key each line's event is under (fields.envelope), None: the line is it
    inner: str | None = None  # the field whose text is a JSON object of the line's fields (json_text)
    inner_keys: tuple[str, ...] = ()  # the keys the sampled lines' objects in `inner` use
    stack: str | None = None  # the host field's values name containers under this stack (stacked)
    pairs: tuple[Pair, ...] = ()  # maps written as a keys' list and a values' list (paired.pairs)
    tags: str | None = None  # the list of `key:value` strings that names the line's pod (pod_tags)
    runtime: bool = False  # the texts are a container runtime's lines, the program's after a prefix (runtime_lines)
    blank: bool = False  # a message field is written empty beside another, so empty ones are skipped (blank_text)
    led: bool = False  # no field holds a line's time: its text begins with it (time_led)
    guessed: bool = False  # the level field is a collector's guess from the words (aggregate.guessed)
    owners: tuple[Owner, ...] = ()  # no field names a line's service: the fields whose values do (owners_in)
    windows: bool = False  # Windows event log records: a numbered level is on its scale (windows_events)
    headed: bool = False  # texts begin with ASP.NET Core's event log header (eventlog_headers)
    severity: bool = False  # the level field is OpenTelemetry's SeverityNumber (severity_numbers)
    framed: tuple[str, ...] = ()  # texts are syslog frames: the services a frame's names may be (syslog_frames)
    objects: bool = False  # some texts are a program's JSON lines kept whole (json_lines)
    zoned: str | None = None  # the time field read first, the one FIELDS lists first being a wall clock (zoned_time)
    swarm: str | None = None  # the pod field names Swarm tasks' containers of services under this stack (swarm_stack)
    # the frames are traditional syslog lines (traditional_frames): the line's own time and instance come first
    traditional: bool = False
    encoded: bool = False  # the texts are base64 of text, read decoded (decoded_texts)
    listed: bool = False  # the envelope's values are each in a list (listed): read out of it
    batch: bool = False  # the envelope holds a list of events a line (batched), each read under the line's fields
    templated: bool = False  # Serilog's compact JSON with templates only: each read rendered (clef.templated)
    paged: bool = False  # the envelope is a body of Loki's streams (streams.paged), each entry a line

    @classmethod
    def in_sample(
        cls,
        sample: list[dict[str, Any]],
        known: list[str],
        envelope: str | None = None,
        listed: bool = False,
        batch: bool = False,
        paged: bool = False,
    ) -> Found:
        """From the sampled events (already taken out of their `envelope`, if any, and out of the lists it keeps
        their values in when `listed`, which the read then does too; with the fields of an object written as text
        in one of theirs, if any)."""
        found_pairs = tuple(pairs(sample))
        sample = as_maps(sample, list(found_pairs)) if found_pairs else sample
        inner = json_text(sample)
        inner_keys: tuple[str, ...] = ()
        if inner is not None:
            merged = unwrapped(sample, inner)
            own = _keys_of(sample)
            inner_keys = tuple(dict.fromkeys(k for obj in merged for k in obj if k not in own))
            sample = merged
        unowned = _unowned(sample, known)
        host, time = _named_hosts(sample, known) if unowned else None, time_field(sample)
        levels = {v.upper() for v in level_values(sample)}
        streams = streams_only(levels) or docker_streams(sample)
        ascending = coralogix_entries(sample) or upward_numbers(sample)
        stack = stack_of(sample, host, known) if host is not None else None
        text = text_field(sample, (host, time))
        # (what the texts say is found in them decoded)
        decoded = decoded_texts(sample, text)
        encoded = decoded is not None
        sample = decoded if decoded is not None else sample
        coloured = any("\x1b" in v for r in sample for v in r.values() if isinstance(v, str))
        tags = pod_tags(sample)
        framed, traditional = syslog_frames(sample, known, text), traditional_frames(sample, text)
        return cls(
            host,
            text,
            time,
            streams,
            coloured,
            ascending,
            envelope,
            inner,
            inner_keys,
            stack,
            found_pairs,
            tags,
            runtime_lines(sample, text),
            blank_text(sample),
            time is None and time_led(sample, text),
            guessed(levels),
            owners_in(sample, known, (text, time))
            if unowned and host is None
            else (*database_servers(sample, host, known), *file_owner(sample, known)),
            windows_events(sample),
            eventlog_headers(sample),
            severity_numbers(sample),
            framed or (tuple(known) if traditional else ()),
            json_lines(sample, text),
            zoned_time(sample),
            swarm_stack(sample, known),
            not framed and traditional,
            encoded,
            listed,
            batch,
            templated(sample),
            paged,
        )

    @property
    def many_a_line(self) -> bool:
        """Each line holds several events (OTLP/JSON's batches, Loki's streams, or a list under the envelope): each
        is cited by the line of its batch."""
        return self.envelope == otlp.BATCH_KEY or self.batch or self.paged

    def keys(self) -> list[str]:
        """The top-level keys these fields are read from (the host's may be nested in one, or in `inner`)."""
        host = column(self.host)[0] if self.host is not None else None
        lists: tuple[str, ...] = ()
        if host in self.inner_keys:
            host = self.inner
        elif host is not None and (pair := self.pair(host)) is not None:  # read from its two lists
            host, lists = None, (pair.keys, pair.values)
        owners = [self.inner if column(o.path)[0] in self.inner_keys else column(o.path)[0] for o in self.owners]
        # (every map written as two lists: a field this reader knows may be in one, not only the host)
        lists = (*lists, *(k for p in self.pairs for k in (p.keys, p.values)))
        keys = (host, *lists, self.text, self.time, self.inner, self.tags, *owners)
        return [k for k in dict.fromkeys(keys) if k is not None]

    def pair(self, name: str) -> Pair | None:
        """The map written as two lists that `name` stands for, if it is one."""
        return next((p for p in self.pairs if p.name == name), None)
