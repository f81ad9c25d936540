"""World 74's estate, written after world 73's rules and scored before any rule saw it.

A Korean webtoon (web comics) platform on NHN Cloud's Kubernetes Service (NKS) in Pyeongchon: Tyk at the edge
(logrus text: `time="Mar 12 14:03:21"` with no year, its access log a `prefix=access-log` line), a Kotlin viewer
API on Ktor (logback's default pattern), a NestJS coins service that sells the coins readers unlock episodes with
(Nest's console logger: a 12-hour local date, the level padded to seven), a Python recommender (loguru's default
line), a Rust thumbnailer (env_logger's default), MongoDB (its JSON log lines) and PostgreSQL for the coins
ledger. Toss Payments and the object storage show nothing of their own.

Nobody ships these logs anywhere: the bundle is what the on-call engineer captured with
`stern -n webtoon . --timestamps -o json`, one JSON object per line with `message` (the line as the container
wrote it, after the RFC 3339 timestamp with nanoseconds that --timestamps puts in front), `nodeName`,
`namespace`, `podName` and `containerName`. No time field and no level field: the time is the message's first
word and the level each line's own words. Metrics: the OpenTelemetry Collector's kubeletstats and span metrics in
Prometheus, by `k8s_deployment_name`."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: tyk ktor nest loguru envlogger mongo postgres saas
NAMESPACE = "webtoon"


def _signals() -> dict[str, str]:
    sel = 'k8s_deployment_name="{service}",k8s_namespace_name="webtoon"'
    return {
        "request_rate": f'webtoon:traces_span_metrics_calls:rate1m{{{sel},span_kind="SPAN_KIND_SERVER"}}',
        "error_ratio": f"webtoon:traces_span_metrics_calls_error:ratio_rate1m{{{sel}}}",
        "latency_p99": f"webtoon:traces_span_metrics_duration_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"k8s_container_cpu_limit_utilization_ratio{{{sel}}}",
        "memory_utilization": f"k8s_container_memory_limit_utilization_ratio{{{sel}}}",
    }


PROD = Estate(
    label="k8s_deployment_name",
    name="webtoon",
    namespace=NAMESPACE,
    shipper="stern-json",
    signals=_signals(),
    nodes=(
        Node("gateway", "tyk", ("viewer", "coins", "recommend"), 120),
        Node("viewer", "ktor", ("mongodb", "thumbs", "recommend"), 90),
        Node("coins", "nest", ("postgres", "toss-payments"), 12),
        Node("recommend", "loguru", ("mongodb", "viewer"), 30),
        Node("thumbs", "envlogger", ("object-storage",), 60),
        Node("mongodb", "mongo", (), 300),
        Node("postgres", "postgres", (), 80),
        Node("toss-payments", "saas", (), 12),
        Node("object-storage", "saas", (), 60),
    ),
)

ESTATES = {PROD.name: PROD}

# a line as the program writes it ({LVL}: the logger's own level word where its format has one)
BACKGROUND = {
    "tyk": ['time="{tyk}" level=info api_id=6f1c{hex} api_key=00000000 api_name=viewer client_ip=10.0.{k}.{n} '
            'host=api.webtoon.kr latency_total=1{n} method=GET org_id=5e9d path=/v1/titles/{n}{k}/episodes/{k} '
            'prefix=access-log protocol=HTTP/1.1 remote_addr=10.0.{k}.{n} status=200 upstream_addr=http://'
            'viewer.webtoon.svc:8080/v1/titles/{n}{k}/episodes/{k} upstream_latency={n} user_agent="Webtoon/8.1 '
            '(Android 14)"',
            'time="{tyk}" level=info api_id=2a7b{hex} api_key=00000000 api_name=coins client_ip=10.0.{k}.{n} '
            'host=api.webtoon.kr latency_total=4{n} method=POST org_id=5e9d path=/v1/coins/unlock prefix=access-log '
            'protocol=HTTP/1.1 remote_addr=10.0.{k}.{n} status=201 upstream_addr=http://coins.webtoon.svc:3000/v1/'
            'coins/unlock upstream_latency=3{n} user_agent="Webtoon/8.1 (iOS 18.2)"'],
    "ktor": ["{ymd} {hms}.{ms} [eventLoopGroupProxy-4-{k}] {LVL5} k.w.viewer.EpisodeRoutes - served episode {k} of "
             "title {n}{k} ({n} panels)",
             "{ymd} {hms}.{ms} [DefaultDispatcher-worker-{k}] {LVL5} k.w.viewer.ReadingProgress - progress saved for "
             "reader U{hex}"],
    "nest": ["[Nest] 1  - {nestdate} {NEST} [CoinsService] unlock E{n}{k} for reader U{hex}: 3 coins, balance "
             "{n}{k}",
             "[Nest] 1  - {nestdate} {NEST} [LedgerService] ledger entry {hex} written"],
    "loguru": ["{ymd} {hms}.{ms} | {LOGURU} | recommend.api:score:88 - scored 20 titles for reader U{hex} in "
               "{n} ms"],
    "envlogger": ["[{iso0}Z {LVL5} thumbs::resize] resized title {n}{k} episode {k} panel {n} to 720w"],
    "mongo": ['{{"t":{{"$date":"{isoms}+00:00"}},"s":"I","c":"NETWORK","id":22943,"ctx":"listener","msg":'
              '"Connection accepted","attr":{{"remote":"10.244.{k}.{n}:4{n}12","uuid":"{uuid}","connectionId":'
              '{n}{k}1,"connectionCount":4{k}}}}}',
              '{{"t":{{"$date":"{isoms}+00:00"}},"s":"I","c":"NETWORK","id":22944,"ctx":"conn{n}{k}1","msg":'
              '"Connection ended","attr":{{"remote":"10.244.{k}.{n}:4{n}12","uuid":"{uuid}","connectionId":'
              '{n}{k}1,"connectionCount":4{k}}}}}'],
    "postgres": ["{ymd} {hms}.{ms} UTC [{n}{k}] LOG:  checkpoint starting: time",
                 "{ymd} {hms}.{ms} UTC [{n}{k}] LOG:  checkpoint complete: wrote {n}{k} buffers (0.{k}%); 0 WAL "
                 "file(s) added, 0 removed, 1 recycled; write=2{n}.1{k}2 s, sync=0.00{k} s, total=2{n}.2 s"],
}  # fmt: skip
NOISE = {
    "ktor": "{ymd} {hms}.{ms} [eventLoopGroupProxy-4-{k}]  WARN k.w.viewer.RecommendClient - recommendations for "
    "reader U{hex} took 9{n}0 ms, serving the defaults",
    "nest": "[Nest] 1  - {nestdate}    WARN [TossClient] Toss confirm for P{hex} took 2{n}00 ms",
    "loguru": "{ymd} {hms}.{ms} | WARNING  | recommend.api:score:102 - cold start for reader U{hex}, popular "
    "titles served",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, tech: str, level: str) -> str:
    n = int(at.timestamp()) % 61
    word = {"warn": "WARN", "critical": "ERROR"}.get(level, level.upper())
    h = _hex(tech, str(at.timestamp()))
    hour = at.hour % 12 or 12
    return (
        text.replace("{hex}", h[:10])
        .replace("{uuid}", f"{h[10:18]}-{h[18:22]}-{h[22:26]}-{h[26:30]}-{h[30:42]}")
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{tyk}", f"{at:%b %d %H:%M:%S}")
        .replace("{ymd}", f"{at:%Y-%m-%d}")
        .replace("{hms}", f"{at:%H:%M:%S}")
        .replace("{ms}", f"{at.microsecond // 1000:03d}")
        .replace("{isoms}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}")
        .replace("{iso0}", f"{at:%Y-%m-%dT%H:%M:%S}")
        .replace("{nestdate}", f"{at:%m/%d/%Y}, {hour}:{at:%M:%S} {'AM' if at.hour < 12 else 'PM'}")
        .replace("{NEST}", {"INFO": "LOG"}.get(word, word).rjust(7))
        .replace("{LOGURU}", {"WARN": "WARNING"}.get(word, word).ljust(8))
        .replace("{LVL5}", f"{word:<5}")
        .replace("{LVL}", word)
        .replace("{lvl}", {"warn": "warn", "critical": "error"}.get(level, level))
        .replace("{{", "{")
        .replace("}}", "}")
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One line of `stern -o json --timestamps`: the container's line after its RFC 3339 nanosecond timestamp."""
    tech = estate.node(service).tech
    line = _fill(at, text, tech, level)
    container = {"tyk": "tyk-gateway", "mongo": "mongod", "postgres": "postgres"}.get(tech, service)
    return {
        "message": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond * 1000:09d}Z {line}",
        "nodeName": f"webtoon-prod-default-worker-node-{int(_hex(pod)[:2], 16) % 4}",
        "namespace": NAMESPACE,
        "podName": pod,
        "containerName": container,
    }
