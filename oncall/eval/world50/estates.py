"""World 50's estate, written after world 49's rules and scored before any rule saw it.

An EV charging network operator on bare-metal Kubernetes (Talos): twelve thousand charge points hold OCPP
1.6J WebSockets to an Elixir gateway (Logger's console format: a time of day without a date), which asks a
Go sessions service (zerolog's JSON) and publishes meter values to RabbitMQ; a Rust consumer (tracing's text)
batches them into ClickHouse; drivers' apps reach a Django API (python-json-logger: `levelname`, `asctime`,
tracebacks in `exc_info`) through ingress-nginx; prices come from a Quarkus tariffs service (its JSON logging:
the exception nested under `exception`); a .NET roaming hub speaks OCPI to Hubject (Serilog's compact JSON:
`@t`, `@m`, `@l` only when not Information, the exception in `@x`); a Node notifier (winston) pushes through
FCM; Keycloak signs drivers in; PostgreSQL runs under CloudNativePG (its JSON: every line at level info, the
server's own line nested in `record`, its severity in `record.error_severity`); Redis, CoreDNS. The logs
are bundled as a **VictoriaLogs** query export (`/select/logsql/query`, Vector's Kubernetes source feeding
it): one JSON object a line, fields in alphabetical order, every value a string, nested objects flattened
into dotted keys, the time in `_time` (RFC 3339 with up to nine digits), the text in `_msg` (the first of
`message`, `msg`, `@m` a JSON line had, else the line), `_stream` and `_stream_id` beside them. Metrics:
VictoriaMetrics recording rules keyed by the pod label `app_kubernetes_io_name`, every minute."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: nginx django phoenix zerolog quarkus dotnet rust winston keycloak rabbitmq cnpg redis clickhouse
# coredns saas


def _signals() -> dict[str, str]:
    app = 'app_kubernetes_io_name="{service}",cluster="hel1-prod"'
    return {
        "request_rate": f"app:http_server_requests:rate1m{{{app}}}",
        "error_ratio": f"app:http_server_requests_5xx:ratio_rate1m{{{app}}}",
        "latency_p99": f"app:http_server_request_duration_seconds:p99_rate1m{{{app}}}",
        "cpu_utilization": f"app:container_cpu_usage:ratio_limit{{{app}}}",
        "memory_utilization": f"app:container_memory_working_set:ratio_limit{{{app}}}",
        "restarts": f"app:kube_pod_container_status_restarts:increase15m{{{app}}}",
        "disk_utilization": f"app:kubelet_volume_stats_used:ratio_capacity{{{app}}}",
    }


VOLTLINE = Estate(
    label="app_kubernetes_io_name",
    name="voltline",
    namespace="charging",
    shipper="victorialogs",
    signals=_signals(),
    nodes=(
        Node("ingress-nginx", "nginx", ("driver-api", "ocpi-hub", "keycloak"), 240),
        Node("driver-api", "django", ("sessions", "tariffs", "keycloak", "postgres", "redis", "adyen"), 140),
        Node("ocpp-gateway", "phoenix", ("sessions", "rabbitmq", "redis"), 620),
        Node("sessions", "zerolog", ("tariffs", "postgres", "rabbitmq", "redis"), 260),
        Node("tariffs", "quarkus", ("postgres",), 95),
        Node("ocpi-hub", "dotnet", ("sessions", "tariffs", "hubject"), 40),
        Node("meter-ingest", "rust", ("rabbitmq", "clickhouse"), 780),
        Node("notifier", "winston", ("rabbitmq", "fcm"), 30),
        Node("keycloak", "keycloak", ("postgres",), 45),
        Node("rabbitmq", "rabbitmq", (), 1500),
        Node("postgres", "cnpg", (), 520),
        Node("redis", "redis", (), 1900),
        Node("clickhouse", "clickhouse", (), 320),
        Node("coredns", "coredns", (), 2600),
        Node("adyen", "saas", (), 18),
        Node("hubject", "saas", (), 12),
        Node("fcm", "saas", (), 30),
    ),
)

ESTATES = {VOLTLINE.name: VOLTLINE}

BACKGROUND = {
    "nginx": ['10.42.0.1 - - [{clf}] "GET /api/v1/stations/nearby?lat=52.52&lon=13.40 HTTP/2.0" 200 1832 "-" '
              '"Voltline/5.2 (Android 14)" 61 0.041 [charging-driver-api-8000] [] 10.42.1.17:8000 1832 0.041 200 '
              "9c1e4a7d2b",
              '10.42.0.1 - - [{clf}] "POST /ocpi/2.2.1/sessions HTTP/1.1" 200 212 "-" "Hubject-OCPI/2.2" 803 0.066 '
              "[charging-ocpi-hub-8080] [] 10.42.3.9:8080 212 0.066 200 1f7b2c9e0a"],
    "django": ['{"levelname":"INFO","name":"voltline.sessions.views","message":"session start requested",'
               '"evse_id":"DE*VLT*E1234*1"}',
               '{"levelname":"INFO","name":"voltline.accounts.views","message":"charging history served",'
               '"rows":24}'],
    "phoenix": ["[info] [DE*VLT*C00412] MeterValues accepted (connector 1, 14.2 kWh)",
                "[info] [DE*VLT*C00977] Heartbeat"],
    "zerolog": ['{"level":"info","service":"sessions","message":"session started","session_id":"s_8812",'
                '"evse":"DE*VLT*E1234*1"}',
                '{"level":"info","service":"sessions","message":"session stopped","session_id":"s_8790",'
                '"kwh":"31.7"}'],
    "quarkus": ['{"loggerName":"io.voltline.tariffs.TariffResource","level":"INFO","message":"tariff resolved for '
                'DE*VLT*E1234*1: AC-22-STD","threadName":"executor-thread-3","sequence":8812}'],
    "dotnet": ['{"@m":"Pushed session s_8812 to Hubject in 212 ms","@i":"6f2a1c3b","SessionId":"s_8812",'
               '"ElapsedMs":212,"SourceContext":"Voltline.Ocpi.HubjectClient"}',
               '{"@m":"Pulled 40 tariffs from partner DE*EWE","@i":"0c9d2e11","Partner":"DE*EWE",'
               '"SourceContext":"Voltline.Ocpi.TariffSync"}'],
    "rust": ["INFO meter_ingest::sink: batch written rows=5000 elapsed_ms=38",
             "INFO meter_ingest::consumer: acked deliveries=5000"],
    "winston": ['{"level":"info","message":"push sent","service":"notifier","kind":"session_finished"}'],
    "keycloak": ['INFO  [org.keycloak.events] (executor-thread-12) type="LOGIN", realmId="voltline", '
                 'clientId="driver-app", userId="4c1f9e2a", ipAddress="10.42.0.1"'],
    "rabbitmq": ["[info] <0.4012.0> accepting AMQP connection <0.4012.0> (10.42.2.31:51234 -> 10.42.4.12:5672)",
                 "[info] <0.4012.0> connection <0.4012.0> (10.42.2.31:51234 -> 10.42.4.12:5672): user 'ocpp' "
                 "authenticated and granted access to vhost '/'"],
    "cnpg": ['{"level":"info","logger":"postgres","msg":"record","record":{"error_severity":"LOG",'
             '"sql_state_code":"00000","message":"checkpoint complete: wrote 1822 buffers (11.1%); write=179.9 s, '
             'sync=0.004 s","backend_type":"checkpointer"}}',
             '{"level":"info","logger":"wal-archive","msg":"Archived WAL file","walName":"00000001000000A2000000F3"}'],
    "redis": ["* 10000 changes in 60 seconds. Saving...", "* Background saving terminated with success"],
    "clickhouse": ["<Information> meter.values (8b1c2d3e) (MergerMutator): Merged 6 parts: [202606_1_6_1]",
                   "<Information> executeQuery: Read 5000 rows, 412.00 KiB in 0.021 sec."],
    "coredns": ['[INFO] 10.42.2.31:41234 - 8812 "A IN postgres-rw.charging.svc.cluster.local. udp 58 false 512" '
                "NOERROR qr,aa,rd 124 0.000102s"],
}  # fmt: skip
NOISE = {
    "django": '{"levelname":"WARNING","name":"django.request","message":"Not Found: /api/v1/stations/DE*VLT*S9",'
              '"status_code":404}',
    "phoenix": "[warning] [DE*VLT*C01190] StatusNotification: connector 2 Faulted (GroundFailure)",
    "zerolog": '{"level":"warn","service":"sessions","message":"remote stop ignored: session already ended",'
               '"session_id":"s_8701"}',
    "cnpg": '{"level":"info","logger":"postgres","msg":"record","record":{"error_severity":"LOG","sql_state_code":'
            '"00000","message":"duration: 1312.402 ms  statement: SELECT * FROM charging_history WHERE driver_id = $1",'
            '"user_name":"driver_api","backend_type":"client backend"}}',
}  # fmt: skip
# how the platform names pods: CloudNativePG, the RabbitMQ and ClickHouse operators, Bitnami's Redis chart
STATEFUL = {"cnpg": "postgres-{n}", "rabbitmq": "rabbitmq-server-{m}", "clickhouse": "chi-meter-main-0-{m}-0",
            "redis": "redis-master-0", "keycloak": "keycloak-{m}"}  # fmt: skip
CONTAINER = {"nginx": "controller"}  # a chart's container named for its role, not its service
NAMESPACE = {"nginx": "ingress-nginx", "coredns": "kube-system"}


def _time(at: datetime) -> str:
    """VictoriaLogs' `_time`: RFC 3339 with nanoseconds, trailing zeros dropped (Go's RFC3339Nano)."""
    frac = f"{at.microsecond:06d}000".rstrip("0")
    return f"{at:%Y-%m-%dT%H:%M:%S}{'.' + frac if frac else ''}Z"


def _line(tech: str, at: datetime, text: str) -> str:
    """A line as its program prints it, its own time in its own idiom (JSON loggers: their own fields)."""
    ms = at.microsecond // 1000
    if tech == "nginx":
        return text.replace("{clf}", f"{at:%d/%b/%Y:%H:%M:%S} +0000")
    if tech == "django":  # python-json-logger with asctime: logging's default time, a comma before the ms
        return json.dumps({"asctime": f"{at:%Y-%m-%d %H:%M:%S},{ms:03d}", **json.loads(text)})
    if tech == "phoenix":  # Logger's default console format: the time of day only
        return f"{at:%H:%M:%S}.{ms:03d} {text}"
    if tech == "zerolog":  # zerolog's default: RFC 3339 to the second
        fields = json.loads(text)
        return json.dumps({"level": fields.pop("level"), "service": fields.pop("service"),
                           "time": f"{at:%Y-%m-%dT%H:%M:%S}Z", **fields}, separators=(",", ":"))  # fmt: skip
    if tech == "quarkus":
        fields = {"timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z", **json.loads(text)}
        return json.dumps(fields | {"processName": "tariffs", "processId": 1}, separators=(",", ":"))
    if tech == "dotnet":  # Serilog's RenderedCompactJsonFormatter: seven digits of the second
        return json.dumps({"@t": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}0Z", **json.loads(text)},
                          separators=(",", ":"))  # fmt: skip
    if tech == "rust":  # tracing_subscriber's default text format
        return f"{at:%Y-%m-%dT%H:%M:%S.%f}Z  {text}"
    if tech == "winston":
        return json.dumps({**json.loads(text), "timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z"})
    if tech == "keycloak":
        return f"{at:%Y-%m-%d %H:%M:%S},{ms:03d} {text}"
    if tech == "rabbitmq":
        return f"{at:%Y-%m-%d %H:%M:%S.%f}+00:00 {text}"
    if tech == "cnpg":  # the instance manager's JSON; a server line's own time inside its record
        fields = json.loads(text)
        if "record" in fields:
            fields["record"] = {"log_time": f"{at:%Y-%m-%d %H:%M:%S}.{ms:03d} UTC", **fields["record"]}
        return json.dumps({"level": fields.pop("level"), "ts": _time(at), **fields}, separators=(",", ":"))
    if tech == "redis":
        return f"1:M {at:%d %b %Y %H:%M:%S}.{ms:03d} {text}"
    if tech == "clickhouse":
        return f"{at:%Y.%m.%d %H:%M:%S.%f} [ {at.second * 13 % 900 + 100} ] {{}} {text}"
    return text  # coredns: its log plugin's line has no time of its own


def _flat(obj: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """VictoriaLogs' ingestion: nested objects flattened into dotted keys, every value a string, empty dropped."""
    out: dict[str, str] = {}
    for k, v in obj.items():
        if isinstance(v, dict):
            out |= _flat(v, f"{prefix}{k}.")
        elif v not in ("", None, [], {}):
            out[f"{prefix}{k}"] = json.dumps(v) if isinstance(v, list) else str(v).lower() if isinstance(
                v, bool) else str(v)  # fmt: skip
    return out


def _pod(service: str, tech: str, pod: str) -> str:
    if tech in STATEFUL:
        return STATEFUL[tech].format(n=sum(map(ord, pod)) % 3 + 1, m=sum(map(ord, pod)) % 3)
    if tech == "nginx":
        return f"ingress-nginx-controller-{pod.removeprefix(service + '-')}"
    return pod


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One row of a VictoriaLogs export: Vector's event (a JSON line's fields merged in place of the line),
    flattened as VictoriaLogs stores it, its fields in alphabetical order."""
    tech = estate.node(service).tech
    line = _line(tech, at, text)
    name = _pod(service, tech, pod)
    container = CONTAINER.get(tech, service)
    namespace = NAMESPACE.get(tech, estate.namespace)
    event: dict[str, Any] = {
        "file": f"/var/log/pods/{namespace}_{name}_{hashlib.md5(name.encode()).hexdigest()[:8]}/{container}/0.log",
        "kubernetes": {
            "container_name": container,
            "pod_name": name,
            "pod_namespace": namespace,
            "pod_node_name": f"talos-w{len(name) % 6 + 1}",
            "pod_labels": {"app.kubernetes.io/name": service}
            | ({"app.kubernetes.io/part-of": "voltline"} if namespace == estate.namespace else {}),
        },
        "source_type": "kubernetes_logs",
        "stream": "stderr" if tech in ("rust", "phoenix", "keycloak") else "stdout",
    }
    msg = line
    if line.startswith("{"):  # Vector's remap: a JSON line's fields merged in, the line itself dropped
        fields = json.loads(line)
        msg = next((str(fields.pop(k)) for k in ("message", "msg", "@m") if k in fields), "")
        event |= fields
    flat = _flat(event)
    stream = (f'{{kubernetes.container_name="{container}",kubernetes.pod_name="{name}",'
              f'kubernetes.pod_namespace="{namespace}"}}')  # fmt: skip
    flat |= {
        "_msg": msg,
        "_stream": stream,
        "_stream_id": "00000000000000001c2e" + hashlib.sha1(stream.encode()).hexdigest()[:28],
        "_time": _time(at),
    }
    return dict(sorted(flat.items()))
