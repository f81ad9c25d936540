"""Which fields of a file's JSON lines hold a line's time, service, pod, level, text and error: the
shippers' spellings this reader knows (FIELDS), and, for a shipper it does not know, the fields found
from a sample of the file's lines (the host a line came from, the text it carries). A nested path is
read whether the shipper nests it (`{"kubernetes": {"pod_name": ...}}`) or flattens it into one dotted
key (`"kubernetes.pod_name"`, as Falcon LogScale and Elastic's flattened fields write it) or one joined by
underscores (`"kubernetes_pod_name"`, as OpenObserve stores it)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

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
        # a structured line's own level as Cloud Logging keeps it (slog's, zap's, logrus'): its severity is only the
        # stream's (INFO on stdout, ERROR on stderr) when the line has no `severity` key of its own
        "jsonPayload.level",
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
        "jsonPayload.status",  # (a structured line's status as Cloud Logging keeps it: slog's, zap's `status`)
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
    """A FIELDS path as `value_at` walks it: its top-level key in lower case and as written, the steps inside that key's
    value (a name, quoted or plain, or a list's entry), and whether it reads every entry of a list."""
    key, inner = column(path)
    steps = tuple(re.findall(r'"([^"]*)"|(\[(?:\*|\d+)\]|[^."\[]+)', (inner or "$")[1:]))
    return key.lower(), key, steps, "[*]" in (inner or "")


def value_at(obj: dict[str, Any], path: str, low: dict[str, str] | None = None) -> Any:
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


def has_field(obj: dict[str, Any], group: str) -> bool:
    """Whether a line has a field of this FIELDS group, nested or flattened, in any case (an object that
    could hold a nested one is not enough: Cloud Logging's `labels` holds no service name)."""
    low = lowered(obj)
    return any(p.lower() in low or value_at(obj, p, low) is not None for p in FIELDS[group])


def keys_of(sample: list[dict[str, Any]]) -> set[str]:
    return {k for obj in sample for k in obj}


def _path(keys: list[str]) -> str:
    """The FIELDS path of a value nested under these keys (one holding a dot is quoted)."""
    return ".".join(f'"{k}"' if "." in k else k for k in keys)


def texts_in(obj: dict[str, Any], above: list[str], depth: int = 3) -> Iterator[tuple[str, str]]:
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
            yield from texts_in(value, [*above, key], depth - 1)
