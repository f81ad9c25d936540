"""World 64's estate, written after world 63's rules and scored before any rule saw it.

Almaty's public bike share on Yandex Managed Service for Kubernetes: Envoy at the edge (its default access log),
a Spring Boot rides API (Spring Boot 3's console format, local time, the application's name in brackets), a Go
unlock service (log/slog's text handler) sending commands to the bikes through a self-hosted Mosquitto broker
(its log: epoch seconds, a colon, the message), a FastAPI payments service (uvicorn's access lines, the app's
records in the logging module's asctime format) charging through Kaspi Pay and keeping receipts in Object Storage,
a Celery rebalancer planning the vans' routes, and a Node notifier (console.log, errors on standard error).
Managed PostgreSQL, Managed Redis, Kaspi Pay, Object Storage and the SMS gateway are managed or outside: no
logs or metrics of theirs here. Teams write in English and Russian.

Fluent Bit's `yc-logging` output sends each record to Yandex Cloud Logging with `message_key log`,
`level_key severity` (no program sets it, so every entry is at the output's default, INFO), the pod as the
resource's id and the container as the stream's name; the rest of the record (the Kubernetes filter's metadata,
the stream) becomes the entry's `json_payload`. The bundle is `yc logging read --format json` flattened one entry
a line: `uid`, `resource` {`type`, `id`}, `timestamp`, `ingested_at`, `saved_at`, `level`, `message`,
`json_payload`, `stream_name`, `log_group_id`. Metrics: recording rules by `app` in Managed Prometheus, HTTP
every 20 s, the rest every 60 s."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: envoy spring goslog mosquitto fastapi celery nodeconsole saas
ALMATY = timezone(timedelta(hours=5))
NAMESPACE = "velo-prod"


def _signals() -> dict[str, str]:
    sel = 'app="{service}",env="prod",cluster="mk8s-almaty"'
    return {
        "request_rate": f"app:http_server_requests:rate1m{{{sel}}}",
        "error_ratio": f"app:http_server_requests_5xx:ratio_rate1m{{{sel}}}",
        "latency_p99": f"app:http_server_requests_seconds:p99_rate1m{{{sel}}}",
        "cpu_utilization": f"app:container_cpu_usage:ratio_request{{{sel}}}",
        "memory_utilization": f"app:container_memory_working_set:ratio_limit{{{sel}}}",
        "restarts": f"app:kube_pod_container_status_restarts:increase10m{{{sel}}}",
        "disk_utilization": f"app:kubelet_volume_stats_used:ratio{{{sel}}}",
    }


PROD = Estate(
    label="app",
    name="velo-almaty",
    namespace=NAMESPACE,
    shipper="fluent-bit-yc-logging",
    signals=_signals(),
    nodes=(
        Node("edge", "envoy", ("rides-api", "payments", "unlock"), 180),
        Node("rides-api", "spring", ("postgresql", "redis", "unlock", "payments"), 90),
        Node("unlock", "goslog", ("mosquitto", "redis"), 40),
        Node("mosquitto", "mosquitto", (), 900),
        Node("payments", "fastapi", ("kaspi-pay", "object-storage", "postgresql"), 25),
        Node("rebalancer", "celery", ("postgresql", "redis"), 2),
        Node("notifier", "nodeconsole", ("redis", "sms-gateway"), 30),
        Node("postgresql", "saas", (), 400),
        Node("redis", "saas", (), 800),
        Node("kaspi-pay", "saas", (), 25),
        Node("object-storage", "saas", (), 25),
        Node("sms-gateway", "saas", (), 20),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "envoy": ['[{iso}] "POST /v1/rides HTTP/1.1" 201 - 182 412 3{n} 3{n} "10.112.0.{n}" "VeloAlmaty/3.2 (Android 14)" '
              '"5b1c{n}e2-7d0a-4f1e-9c2b-{n}a7f3e9d0c1" "api.velo.kz" "10.112.1.{n}:8080"',
              '[{iso}] "GET /v1/stations/nearby?lat=43.23&lon=76.9 HTTP/1.1" 200 - 0 2311 1{n} 1{n} "10.112.0.{n}" '
              '"VeloAlmaty/3.2 (iOS 18.1)" "9e0a{n}c1-2b3d-4e5f-8a9b-{n}c0d1e2f3a4" "api.velo.kz" "10.112.1.{n}:8080"'],
    "spring": ["{local}  INFO 1 --- [rides-api] [nio-8080-exec-{n}] kz.velo.rides.RideController             : "
               "ride started ride=R26{n}412 station=ST-{n} bike=B-{n}07"],
    "goslog": ['time={iso} level=INFO msg="unlock acknowledged" bike=B-{n}07 latency_ms=4{n}'],
    "mosquitto": ["{epoch}: New client connected from 10.113.{n}.14:5{n}22 as bike-B{n}07 (p2, c1, k60, u'bike').",
                  "{epoch}: Client bike-B{n}11 closed its connection."],
    "fastapi": ['INFO:     10.112.1.{n}:4{n}12 - "POST /v1/payments HTTP/1.1" 201 Created',
                "{local_py} INFO payments.kaspi: charge captured order=P26{n}88 amount=350 KZT"],
    "celery": ["[{local_py}: INFO/ForkPoolWorker-{n}] Task rebalance.plan[7c1e{n}a2-4b5d-4e6f-8a9b-0c1d2e3f4a{n}] "
               "succeeded in 2.{n}s: None"],
    "nodeconsole": ["{iso} push sent user=77{n}1204 template=ride_receipt"],
}  # fmt: skip
NOISE = {
    "spring": "{local}  WARN 1 --- [rides-api] [nio-8080-exec-{n}] kz.velo.rides.StationCache             : "
              "station ST-{n} status stale for 9{n}s, refreshing",
    "goslog": 'time={iso} level=WARN msg="ack slow" bike=B-{n}07 latency_ms=28{n}',
    "mosquitto": "{epoch}: Client bike-B{n}33 has exceeded timeout, disconnecting.",
}  # fmt: skip

# what writes to standard error: Mosquitto's log (its stderr destination), uvicorn, Node's console.error
STDERR = ("mosquitto",)


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _line(at: datetime, text: str) -> str:
    loc = at.astimezone(ALMATY)
    return (
        text.replace("{iso}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z")
        .replace("{local}", f"{loc:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}+05:00")
        .replace("{local_py}", f"{loc:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}")
        .replace("{epoch}", str(int(at.timestamp())))
        .replace("{n}", str(int(at.timestamp()) % 79))
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One Cloud Logging entry as `yc logging read --format json` prints it, written from Fluent Bit's record."""
    tech = estate.node(service).tech
    h = _hex(pod)
    name = f"mosquitto-{int(h[:2], 16) % 2}" if tech == "mosquitto" else f"{service}-{h[:10]}-{h[10:15]}"
    line = _line(at, text)
    stream = "stderr" if tech in STDERR or (tech == "nodeconsole" and level == "error") else "stdout"
    saved = at + timedelta(milliseconds=300 + int(_hex(line)[:3], 16) % 900)
    node = f"cl1q2vd6kt3b{h[15:19]}-{'abcdefgh'[int(h[19], 16) % 8]}x{h[20:22]}"
    return {
        "uid": f"{int(at.timestamp() * 1e6):x}:{h[:8]}",
        "resource": {"type": NAMESPACE, "id": name},
        "timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z",
        "ingested_at": f"{saved:%Y-%m-%dT%H:%M:%S}.{saved.microsecond:06d}Z",
        "saved_at": f"{saved:%Y-%m-%dT%H:%M:%S}.{saved.microsecond:06d}Z",
        "level": "INFO",
        "message": line,
        "json_payload": {
            "kubernetes": {
                "container_image": f"cr.yandex/crp8velo/{service}:4.{int(h[:2], 16) % 9}.1",
                "container_name": service,
                "host": node,
                "labels": {"app": service, "pod-template-hash": h[:10]},
                "namespace_name": NAMESPACE,
                "pod_id": f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}",
                "pod_name": name,
            },
            "stream": stream,
        },
        "stream_name": service,
        "log_group_id": "e23velo0prod0logs0g",
    }
