"""World 46's estate, written after world 45's rules and scored before any rule saw it.

An AI platform's serving estate on Amazon EKS: an Envoy gateway in front of a FastAPI router that sends
chat requests to vLLM on GPU nodes (or, by weight, to a hosted model provider) after a moderation
vendor's check; a FastAPI retrieval service embeds queries on Triton and searches Qdrant; a Feast
feature server reads Redis; Ray jobs re-embed the documents weekly; CoreDNS answers the cluster's names.
The logs are bundled as a **Sumo Logic search job's messages**, one message's `map` a line: every value
a string, the time only in `_messagetime` (epoch milliseconds), the text in `_raw`, the service only
inside Sumo's Kubernetes metadata (`_sourcecategory` `kubernetes/ml/feature/server`, dashes made
slashes; `_sourcename` `ml.<pod>.<container>`; `_sourcehost` the pod), and **no level field**: each
program's own idiom says it (glog's letter, vLLM's and Qdrant's words, Envoy's status code, CoreDNS's
brackets, structlog's JSON). Metrics: Beyla's HTTP series under OpenTelemetry's old names, in
**milliseconds**, keyed by `k8s_deployment_name`, and kube-prometheus' container series keyed by
`workload`, every 30 s."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: envoy fastapi structlog triton vllm qdrant feast redis coredns ray saas


def _signals() -> dict[str, str]:
    beyla = 'k8s_deployment_name="{service}",k8s_namespace_name="ml"'
    kube = 'namespace="ml",workload="{service}"'
    return {
        "request_rate": f"deployment:http_server_duration_milliseconds_count:rate5m{{{beyla}}}",
        "error_ratio": f"deployment:http_server_duration_milliseconds_count:error_ratio5m{{{beyla}}}",
        "latency_p99": f"deployment:http_server_duration_milliseconds:p99_5m{{{beyla}}}",
        "cpu_utilization": f"workload:container_cpu_usage_seconds:ratio_limit{{{kube}}}",
        "memory_utilization": f"workload:container_memory_working_set_bytes:ratio_limit{{{kube}}}",
        "restarts": f"workload:kube_pod_container_status_restarts:increase10m{{{kube}}}",
        "disk_utilization": f"workload:container_fs_usage_bytes:ratio_limit{{{kube}}}",
    }


LUMEN = Estate(
    label="workload",
    name="lumen",
    namespace="ml",
    shipper="sumo-search-job",
    signals=_signals(),
    nodes=(
        Node("gateway", "envoy", ("router", "retrieval"), 320),
        Node("router", "structlog", ("llm-serving", "hosted-llm", "moderation", "feature-server"), 260),
        Node("retrieval", "fastapi", ("embedder", "vector-db", "feature-server"), 210),
        Node("llm-serving", "vllm", ("model-store",), 240),
        Node("embedder", "triton", ("model-store",), 420),
        Node("vector-db", "qdrant", (), 430),
        Node("feature-server", "feast", ("redis-online",), 650),
        Node("redis-online", "redis", (), 2400),
        Node("reembed", "ray", ("embedder", "vector-db"), 4),
        Node("coredns", "coredns", (), 5200),
        Node("hosted-llm", "saas", (), 15),
        Node("moderation", "saas", (), 260),
        Node("model-store", "saas", (), 2),
    ),
)

ESTATES = {LUMEN.name: LUMEN}

BACKGROUND = {
    "envoy": ['"POST /v1/chat/completions HTTP/1.1" 200 - via_upstream - "-" 812 2301 2210 2209 "10.1.7.22" '
              '"openai-python/1.40.0" "6f1c0a2e-77b1-4d1e-9a43-0c5a1d2b9e10" "api.lumen.example" "10.1.4.31:8000"',
              '"POST /v1/retrieve HTTP/1.1" 200 - via_upstream - "-" 214 5120 96 95 "10.1.7.40" '
              '"lumen-sdk/0.9.2" "0b8e1f3c-2c4d-4a9e-8f17-5d6e7a8b9c01" "api.lumen.example" "10.1.4.52:8000"'],
    "structlog": ['{"event": "completion served", "model": "lumen-chat-8b", "route": "self-hosted", '
                  '"tokens_out": 412, "level": "info", "logger": "router.routes"}',
                  '{"event": "moderation passed", "provider": "moderation", "elapsed_ms": 41, "level": "info", '
                  '"logger": "router.moderation"}'],
    "fastapi": ['INFO:     10.1.7.22:51730 - "POST /v1/retrieve HTTP/1.1" 200 OK',
                "INFO retrieval.search: top_k=8 collection=docs hits=8 elapsed_ms=37"],
    "triton": ["I| http_server.cc:4551] HTTP request: 2 /v2/models/bge-base-en/infer",
               "I| model_lifecycle.cc:473] loading: bge-base-en:2"],
    "vllm": ["INFO [loggers.py:116] Engine 000: Avg prompt throughput: 812.3 tokens/s, Avg generation "
             "throughput: 2210.4 tokens/s, Running: 38 reqs, Waiting: 0 reqs, GPU KV cache usage: 41.2%, "
             "Prefix cache hit rate: 63.0%",
             'INFO:     10.1.4.12:40312 - "POST /v1/chat/completions HTTP/1.1" 200 OK'],
    "qdrant": ['INFO actix_web::middleware::logger: 10.1.4.52 "POST /collections/docs/points/search HTTP/1.1" '
               '200 1822 "-" "qdrant-client/1.9.0 python/3.11.9" 0.004812'],
    "feast": ['INFO:     10.1.4.31:48822 - "POST /get-online-features HTTP/1.1" 200 OK'],
    "redis": ["1:M {T} * 10000 changes in 60 seconds. Saving...",
              "1:M {T} * Background saving terminated with success"],
    "coredns": ['[INFO] 10.1.4.52:53211 - 4411 "A IN vector-db.ml.svc.cluster.local. udp 48 false 512" NOERROR '
                "qr,aa,rd 110 0.000112s"],
    "ray": ["INFO worker.py:1724 -- Connected to Ray cluster. View the dashboard at http://10.1.9.4:8265"],
}  # fmt: skip
NOISE = {
    "structlog": '{"event": "slow client", "elapsed_ms": 30112, "route": "self-hosted", "level": "warning", '
                 '"logger": "router.routes"}',
    "vllm": "WARNING [protocol.py:75] The following fields were present in the request but ignored: {'user'}",
    "triton": "W| pinned_memory_manager.cc:170] Unable to allocate pinned system memory, pinned memory pool "
              "will not be available: CUDA driver version is insufficient for CUDA runtime version",
    "coredns": "[WARNING] No files matching import glob pattern: custom/*.override",
}  # fmt: skip


def _raw(tech: str, at: datetime, text: str) -> str:
    """A line as its program writes it, its own time in its own idiom."""
    ms = f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}"
    if tech == "envoy":
        return f"[{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z] {text}"
    if tech == "structlog":
        return text[:-1] + f', "timestamp": "{at:%Y-%m-%dT%H:%M:%S.%f}Z"}}'
    if tech == "triton":  # glog: severity letter, mmdd, time, thread id
        return f"{text[0]}{at:%m%d %H:%M:%S.%f} 1 {text[3:]}"
    if tech == "vllm" and not text.startswith("INFO:"):  # vLLM's own format has no year
        word, rest = text.split(" ", 1)
        return f"{word} {at:%m-%d %H:%M:%S} {rest}"
    if tech == "qdrant":
        word, rest = text.split(" ", 1)
        return f"{at:%Y-%m-%dT%H:%M:%S.%f}Z  {word} {rest}"
    if tech == "redis":
        return text.replace("{T}", f"{at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d}")
    if tech in ("fastapi", "ray") and not text.startswith("INFO:"):
        return f"{ms}\t{text}" if tech == "ray" else f"{ms} {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One message of a Sumo Logic search job (its `map`): the level is not a field, only the text's."""
    raw = _raw(estate.node(service).tech, at, text)
    ms = int(at.timestamp() * 1000)
    container = {"vllm": "vllm", "envoy": "envoy"}.get(estate.node(service).tech, service)
    return {
        "_blockid": f"-{(ms // 60000) * 7919 % 10**9}",
        "_messagetime": str(ms),
        "_raw": raw,
        "_collector": "lumen-prod-eks",
        "_sourceid": "1783210044",
        "_collectorid": "2091183",
        "_sourcecategory": f"kubernetes/{estate.namespace}/{service}".replace("-", "/"),
        "_sourcename": f"{estate.namespace}.{pod}.{container}",
        "_sourcehost": pod,
        "_source": "lumen-prod-eks/containers",
        "_receipttime": str(ms + 1187),
        "_size": str(len(raw.encode())),
        "_format": "t:fail:o:-1:l:0:p:null",
        "_messagecount": str(ms % 100000),
        "_view": "",
    }
