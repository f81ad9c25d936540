"""World 67's estate, written after world 66's rules and scored before any rule saw it.

A South African prepaid-electricity vending platform (customers buy 20-digit STS tokens for their meters from
banking apps, retailers' tills and USSD) on Rancher's RKE2 in its own data centre in Johannesburg: Apache APISIX
at the edge (its default access log, South African time with its +0200 offset), an Elixir/Phoenix vending
service (Elixir Logger's default console format: the time of day without a date, metadata, `[error]`), a Rust
STS signer in front of the hardware security module (env_logger's default format), a Ruby on Rails accounts
service (lograge's key=value request lines, Ruby Logger's `E, [time #pid] ERROR -- :` for the rest), a Spring
Boot meters service that ingests smart-meter readings from Kafka (Spring Boot's structured ECS JSON, dotted
keys written flat), a Go notices service (log/slog's text handler, logfmt), and in the cluster Apache Kafka
(log4j's `[time] LEVEL message`), PostgreSQL (its stderr format) and Valkey (Redis' format). The HSM, the bank
switch and the SMS gateway show nothing of their own.

Fluent Bit tails each container (the CRI parser, the kubernetes filter with Merge_Log into `log_processed`)
and produces to the Kafka topic `logs.k8s` (Format json, its @timestamp a double); the bundle is that topic
read back with `kcat -C -J`: one message a line, `ts` Kafka's create time in milliseconds (when Fluent Bit
flushed, a second or few after the line), `key` null, and the record as JSON text in `payload`. Metrics: the
platform's recording rules named `service:<what>:<how>` by `service_name`, every 30 s for HTTP, 60 s else."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: apisix phoenix envlogger rails springecs slogtext kafka postgres valkey saas
NAMESPACE = "tokenvend"
SAST = timezone(timedelta(hours=2))


def _signals() -> dict[str, str]:
    sel = 'service_name="{service}",cluster="rke2-jnb-prod"'
    return {
        "request_rate": f"service:http_server_requests:rate1m{{{sel}}}",
        "error_ratio": f"service:http_server_errors:ratio_rate1m{{{sel}}}",
        "latency_p99": f"service:http_server_duration_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"service:container_cpu_usage:ratio_of_limit{{{sel}}}",
        "memory_utilization": f"service:container_memory_working_set:ratio_of_limit{{{sel}}}",
        "restarts": f"service:kube_pod_container_restarts:increase10m{{{sel}}}",
        "disk_utilization": f"service:kubelet_volume_used:ratio{{{sel}}}",
    }


PROD = Estate(
    label="service_name",
    name="tokenvend",
    namespace=NAMESPACE,
    shipper="fluent-bit-kafka-kcat",
    signals=_signals(),
    nodes=(
        Node("apisix", "apisix", ("vending", "accounts", "meters", "notices"), 120),
        Node("vending", "phoenix", ("sts-signer", "accounts", "postgres", "valkey", "kafka"), 60),
        Node("sts-signer", "envlogger", ("hsm",), 55),
        Node("accounts", "rails", ("postgres", "valkey", "bank-switch"), 40),
        Node("meters", "springecs", ("kafka", "postgres"), 25),
        Node("notices", "slogtext", ("kafka", "sms-gateway"), 15),
        Node("kafka", "kafka", (), 600),
        Node("postgres", "postgres", (), 400),
        Node("valkey", "valkey", (), 900),
        Node("hsm", "saas", (), 55),
        Node("bank-switch", "saas", (), 20),
        Node("sms-gateway", "saas", (), 12),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "apisix": ['10.42.{n}.8 - - [{clf}] api.tokenvend.co.za "POST /v2/tokens HTTP/1.1" 200 4{n}1 0.0{n} "-" '
               '"okhttp/4.12.0" 10.42.3.{n}:4000 200 0.0{n} "http://vending.tokenvend.svc:4000/v2/tokens"',
               '10.42.{n}.9 - - [{clf}] api.tokenvend.co.za "GET /v1/accounts/7{n}12/meters HTTP/1.1" 200 8{n}3 '
               '0.0{n} "-" "Dart/3.5 (dart:io)" 10.42.4.{n}:3000 200 0.0{n} '
               '"http://accounts.tokenvend.svc:3000/v1/accounts/7{n}12/meters"'],
    "phoenix": ["{tod} request_id=F{hex} [info] POST /v2/tokens",
                "{tod} request_id=F{hex} meter=04{n}123456 [info] Sent 200 in {n}ms"],
    "envlogger": ["[{iso_s} INFO  sts_signer::tokens] token generated meter=04{n}123456 tid={n}77 kwh=1{n}.4"],
    "rails": ['method=GET path=/v1/accounts/7{n}12/meters format=json controller=MetersController action=index '
              'status=200 allocations=1{n}04 duration={n}.12 view=0.{n} db=1.{n}',
              "I, [{ruby} #1]  INFO -- : [{hex}] Card top-up authorised account=7{n}12 amount=1{n}0.00"],
    "springecs": ['{"@timestamp":"{iso}","log.level":"INFO","process.pid":1,"process.thread.name":"ingest-{n}",'
                  '"service.name":"meters","log.logger":"za.co.tokenvend.meters.ReadingIngest",'
                  '"message":"batch stored readings=5{n}0 partition={k}","ecs.version":"8.11"}'],
    "slogtext": ['time={iso} level=INFO msg="sms sent" to=+277{n}1234 template=token_receipt provider=sms-gateway'],
    "kafka": ["[{kafka}] INFO [LocalLog partition=meter-readings-{k}, dir=/var/lib/kafka/data] Rolled new log segment "
              "at offset 8{n}1234 in 2 ms. (kafka.log.LocalLog)"],
    "postgres": ["{pg} UTC [{n}1] LOG:  checkpoint complete: wrote 1{n}4 buffers (0.{n}%); 0 WAL file(s) added, "
                 "0 removed, 1 recycled; write=26.{n} s, sync=0.002 s, total=26.{n} s"],
    "valkey": ["1:M {redis} * 10000 changes in 60 seconds. Saving...",
               "1:M {redis} * Background saving terminated with success"],
}  # fmt: skip
NOISE = {
    "phoenix": "{tod} request_id=F{hex} meter=04{n}123456 [warning] STS signer slow: {n}00ms",
    "rails": "W, [{ruby} #1]  WARN -- : [{hex}] Bank switch answered slowly: 2.{n}s",
    "kafka": "[{kafka}] WARN [SocketServer listenerType=BROKER, nodeId=1] Unexpected error from /10.42.{n}.9 "
             "(channel=10.42.1.4:9092-10.42.{n}.9:5{n}11-3); closing connection (org.apache.kafka.common.network."
             "Selector)",
}  # fmt: skip


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _line(at: datetime, text: str, svc: str) -> str:
    n = int(at.timestamp()) % 67
    local = at.astimezone(SAST)
    ms = at.microsecond // 1000
    return (
        text.replace("{iso_s}", f"{at:%Y-%m-%dT%H:%M:%S}Z")
        .replace("{iso}", f"{at:%Y-%m-%dT%H:%M:%S}.{ms:03d}Z")
        .replace("{clf}", f"{local:%d/%b/%Y:%H:%M:%S} +0200")
        .replace("{tod}", f"{at:%H:%M:%S}.{ms:03d}")
        .replace("{ruby}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}")
        .replace("{kafka}", f"{at:%Y-%m-%d %H:%M:%S},{ms:03d}")
        .replace("{pg}", f"{at:%Y-%m-%d %H:%M:%S}.{ms:03d}")
        .replace("{redis}", f"{at:%d %b %Y %H:%M:%S}.{ms:03d}")
        .replace("{hex}", _hex(svc, str(at.timestamp()))[:20])
        .replace("{svc}", svc)
        .replace("{k}", str(n % 6))
        .replace("{n}", str(n))
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One message of the logs topic as `kcat -C -J` prints it: the Fluent Bit record as JSON text."""
    tech = estate.node(service).tech
    h = _hex(pod)
    if tech in ("kafka", "postgres", "valkey"):
        name = f"{service}-{int(h[:2], 16) % 3}"
    else:
        name = f"{service}-{h[:9]}-{h[9:14]}"
    line = _line(at, text, service)
    rec: dict[str, Any] = {
        "@timestamp": round(at.timestamp(), 6),
        "time": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}{int(h[14:17], 16) % 1000:03d}Z",
        "stream": "stderr" if tech in ("postgres", "rails") or (level == "error" and tech == "envlogger") else "stdout",
        "logtag": "F",
        "log": line,
    }
    if line.startswith("{"):  # the kubernetes filter's Merge_Log: a JSON line parsed beside its text
        rec["log_processed"] = json.loads(line)
    rec["kubernetes"] = {
        "pod_name": name,
        "namespace_name": NAMESPACE,
        "pod_id": f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}",
        "labels": {"app.kubernetes.io/name": service, "app.kubernetes.io/part-of": "tokenvend"},
        "host": f"rke2-jnb-worker-{int(h[40:42], 16) % 6 + 1:02d}",
        "container_name": service,
        "docker_id": h[:64],
        "container_image": f"harbor.tokenvend.co.za/platform/{service}:stable",
    }
    # Fluent Bit flushes every few seconds: Kafka's create time is the flush's
    flushed = at + timedelta(seconds=1 + int(h[50:52], 16) % 4, milliseconds=int(h[52:55], 16) % 1000)
    partition = int(h[56:58], 16) % 6
    return {
        "topic": "logs.k8s",
        "partition": partition,
        "offset": int(at.timestamp() * 10) % 900_000_000 + partition,
        "tstype": "create",
        "ts": int(flushed.timestamp() * 1000),
        "broker": partition % 3 + 1,
        "key": None,
        "payload": json.dumps(rec, separators=(",", ":")),
    }
