"""World 46's faults, from AI-platform teams' postmortems, in this estate's words: a raised context length
that vLLM cannot fit in its GPU's KV cache, so it never starts; an embedding model swapped for one with
wider vectors, which the vector database refuses as bad input (the embedder is healthy; retrieval fails);
a retrieval release opening a fresh HTTP client for every call, whose name lookups take CoreDNS to its
limit so several services fail to resolve names (no catalog lists DNS); a router weight flip sending all
chat to the hosted provider, which rate-limits it; vLLM's model cache filling the node's ephemeral
storage until its pods are evicted; the moderation vendor slowing; and the weekly re-embedding job's
index optimisation (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, extra: str = ""
) -> dict:
    path = f"apps/{svc}/values.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(40):010x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -14 +14 @@\n-  {key}: {old}\n+  {key}: {new}\n{extra}",
    }


def _router(event: str, level: str, **kv: object) -> str:
    fields = "".join(f', "{k}": {v!r}'.replace("'", '"') for k, v in kv.items())
    return f'{{"event": "{event}"{fields}, "level": "{level}", "logger": "router.upstream"}}'


def _gateway(status: int, flags: str, path: str = "/v1/chat/completions") -> str:
    return (
        f'"POST {path} HTTP/1.1" {status} {flags} via_upstream - "-" 812 91 10012 10011 "10.1.7.22" '
        '"openai-python/1.40.0" "9d2e4f61-0a3b-4c5d-8e7f-1a2b3c4d5e6f" "api.lumen.example" "10.1.4.31:8000"'
    )


def context_length_raised(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "context_length_raised",
        "llm-serving",
        "recent_change",
        "rollback",
        "router",
        "RouterUpstreamErrors",
        "a values change raised vLLM's max_model_len from 8192 to 32768; the KV cache that fits on the GPU "
        "holds 21440 tokens, so every new engine fails to start and the router has nowhere to send chat",
    )
    f.changes.append(change(at - 3 * M, "llm-serving", "config", "max_model_len", "8192", "32768", rng,
                            "ravi@lumen.example"))  # fmt: skip
    f.effects += [
        Effect("llm-serving", "restarts", at, 4.0, relative=False, ramp=0 * M),
        Effect("llm-serving", "request_rate", at, 0.05),
        Effect("router", "error_ratio", at + 1 * M, 0.6, relative=False),
        Effect("gateway", "error_ratio", at + 1 * M, 0.45, relative=False),
    ]
    f.bursts += [
        Burst("llm-serving", at, 2, "info", "INFO [config.py:1604] Using max model len 32768"),
        Burst("llm-serving", at, 2, "error", "ERROR [core.py:586] EngineCore failed to start."),
        Burst("llm-serving", at, 2, "error", "ERROR [core.py:586] ValueError: To serve at least one request with "
              "the models's max seq len (32768), (4.00 GiB KV cache is needed, which is larger than the available "
              "KV cache memory (2.61 GiB). Based on the available memory, the estimated maximum model length is "
              "21440. Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing "
              "the engine."),
        Burst("router", at + 1 * M, 25, "error", _router("upstream request failed", "error", upstream="llm-serving",
              error="httpx.ConnectError: [Errno 111] Connection refused")),
        Burst("gateway", at + 1 * M, 15, "error", _gateway(503, "-")),
    ]  # fmt: skip
    f.events.append(KEvent("llm-serving", "BackOff", "Back-off restarting failed container vllm", at,
                           waiting="CrashLoopBackOff"))  # fmt: skip
    return f


def embedding_width_changed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "embedding_width_changed",
        "embedder",
        "recent_change",
        "rollback",
        "retrieval",
        "RetrievalErrorBudgetBurn",
        "the embedder's model was swapped from bge-base-en (768 dimensions) to bge-large-en (1024); the "
        "documents' collection holds 768-wide vectors, so Qdrant refuses every search as bad input",
    )
    path = "models/bge/config.pbtxt"
    f.changes.append(change(at - 2 * M, "embedder", "deploy", "model", "bge-base-en:2", "bge-large-en:3", rng,
                            "argocd", extra=f"--- a/{path}\n+++ b/{path}\n@@ -9 +9 @@\n-    dims: [ 768 ]\n"
                            "+    dims: [ 1024 ]\n"))  # fmt: skip
    f.effects += [
        Effect("retrieval", "error_ratio", at, 0.9, relative=False, ramp=1 * M),
        Effect("gateway", "error_ratio", at + 1 * M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("embedder", at - 1 * M, 1, "info", "I| model_lifecycle.cc:818] successfully loaded 'bge-large-en' "
              "version 3", minutes=1),
        Burst("vector-db", at, 30, "info", 'INFO actix_web::middleware::logger: 10.1.4.52 "POST /collections/docs/'
              'points/search HTTP/1.1" 400 112 "-" "qdrant-client/1.9.0 python/3.11.9" 0.000512'),
        Burst("retrieval", at, 30, "error", "ERROR retrieval.search: vector search failed: qdrant_client.http."
              "exceptions.UnexpectedResponse: Unexpected Response: 400 (Bad Request) Raw response content: "
              "b'{\"status\":{\"error\":\"Wrong input: Vector dimension error: expected dim: 768, got 1024\"},"
              "\"time\":0.000412}'"),
        Burst("gateway", at + 1 * M, 10, "error", _gateway(500, "-", "/v1/retrieve")),
    ]  # fmt: skip
    return f


def client_per_call_dns(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "client_per_call_dns",
        "retrieval",
        "recent_change",
        "rollback",
        "gateway",
        "GatewayErrorRate",
        "a retrieval release opens a fresh HTTP client for every call (meant to drop stale connections after a "
        "vector-db failover); each call looks its hosts up anew, CoreDNS reaches its CPU limit, and retrieval, "
        "the feature server and the router fail to resolve names",
    )
    src = "src/retrieval/clients.py"
    f.changes.append(change(at - 2 * M, "retrieval", "deploy", "image", "ghcr.io/lumen-ai/retrieval:5.11.2",
                            "ghcr.io/lumen-ai/retrieval:5.12.0", rng, "argocd",
                            extra=f"--- a/{src}\n+++ b/{src}\n@@ -21,4 +21,4 @@\n-_client = httpx.AsyncClient("
                            "timeout=5.0)\n+def _client() -> httpx.AsyncClient:\n+    return httpx.AsyncClient("
                            "timeout=5.0)  # fresh connections: no stale peers after a failover\n"))  # fmt: skip
    f.effects += [
        Effect("coredns", "cpu_utilization", at, 1.0, relative=False, ramp=1 * M),
        Effect("retrieval", "error_ratio", at + 1 * M, 0.35, relative=False),
        Effect("retrieval", "latency_p99", at + 1 * M, 6.0),
        Effect("feature-server", "error_ratio", at + 1 * M, 0.1, relative=False),
        Effect("router", "error_ratio", at + 2 * M, 0.08, relative=False),
        Effect("gateway", "error_ratio", at + 2 * M, 0.25, relative=False),
        Effect("gateway", "latency_p99", at + 2 * M, 3.0),
    ]
    f.bursts += [
        Burst("coredns", at, 20, "error", "[ERROR] plugin/errors: 2 vector-db.ml.svc.cluster.local. A: read udp "
              "10.1.0.14:41544->10.0.0.2:53: i/o timeout"),
        Burst("retrieval", at + 1 * M, 40, "error", "ERROR retrieval.search: vector search failed: httpx.ConnectError:"
              " [Errno -3] Temporary failure in name resolution"),
        Burst("feature-server", at + 1 * M, 8, "error", "ERROR:feast.infra.online_stores.redis:Error -3 connecting to "
              "redis-online.ml.svc.cluster.local:6379. Temporary failure in name resolution."),
        Burst("router", at + 2 * M, 5, "error", _router("feature fetch failed", "error", upstream="feature-server",
              error="httpx.ConnectError: [Errno -3] Temporary failure in name resolution")),
        Burst("gateway", at + 2 * M, 12, "error", _gateway(503, "-", "/v1/retrieve")),
    ]  # fmt: skip
    return f


def fallback_weight_flipped(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "fallback_weight_flipped",
        "router",
        "recent_change",
        "rollback",
        "router",
        "RouterErrorRate",
        "a router config change meant to send 5 % of chat to the hosted provider set its weight to 1.0; all chat "
        "goes there, past the account's request quota, and the provider answers 429 while vLLM idles",
    )
    f.changes.append(change(at - 3 * M, "router", "config", "fallback_weight", "0.05", "1.0", rng,
                            "mei@lumen.example"))  # fmt: skip
    f.effects += [
        Effect("llm-serving", "request_rate", at, 0.05),
        Effect("llm-serving", "cpu_utilization", at, 0.08, relative=False),
        Effect("router", "error_ratio", at, 0.45, relative=False),
        Effect("router", "latency_p99", at, 2.0),
        Effect("gateway", "error_ratio", at + 1 * M, 0.4, relative=False),
    ]
    f.bursts += [
        Burst("router", at, 40, "error", _router("fallback provider refused", "error", provider="hosted-llm",
              status=429, error="Rate limit reached for gpt-4o-mini in organization org-lumen on requests per min "
              "(RPM): Limit 10000, Used 10000, Requested 1.")),
        Burst("gateway", at + 1 * M, 20, "error", _gateway(503, "-")),
    ]  # fmt: skip
    f.failing_calls.append(("router", "hosted-llm"))
    return f


def model_cache_fills_node(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "model_cache_fills_node",
        "llm-serving",
        "resource_exhaustion",
        "scale",
        "router",
        "RouterLatencyHigh",
        "every restart of vLLM downloads the model into the pod's Hugging Face cache on the node's ephemeral "
        "storage and never removes the old revisions; the storage ran out, the kubelet evicts the pods, and the "
        "survivors queue every request",
    )
    f.effects += [
        Effect("llm-serving", "disk_utilization", t - timedelta(hours=6), 0.99, relative=False,
               ramp=timedelta(hours=6)),
        Effect("llm-serving", "restarts", at, 2.0, relative=False, ramp=0 * M),
        Effect("llm-serving", "request_rate", at, 0.5),
        Effect("llm-serving", "latency_p99", at, 5.0),
        Effect("router", "latency_p99", at, 4.0),
        Effect("router", "error_ratio", at + 1 * M, 0.15, relative=False),
    ]  # fmt: skip
    f.bursts += [
        Burst("llm-serving", at - 20 * M, 1, "warn", "WARNING [file_download.py:1398] Not enough free disk space to "
              "download the file. The expected file size is: 4976.70 MB. The target location /root/.cache/"
              "huggingface/hub/models--lumen--chat-8b/blobs only has 1203.22 MB free disk space.", minutes=20),
        Burst("llm-serving", at, 3, "error", "ERROR [core.py:586] OSError: [Errno 28] No space left on device"),
        Burst("router", at, 15, "error", _router("upstream request failed", "error", upstream="llm-serving",
              error="httpx.ReadTimeout: The read operation timed out")),
    ]  # fmt: skip
    evicted = (
        "The node was low on resource: ephemeral-storage. Threshold quantity: 19085192161, available: "
        "1203220Ki. Container vllm was using 96Gi, request is 0, has larger consumption of ephemeral-storage."
    )
    f.events.append(KEvent("llm-serving", "Evicted", evicted, at, minutes=20, per_minute=0.5))
    return f


def moderation_vendor_slow(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "moderation_vendor_slow",
        "moderation",
        "dependency_failure",
        "escalate",
        "gateway",
        "GatewayLatencyHigh",
        "the moderation vendor's API answers in seconds instead of milliseconds; the router checks every prompt "
        "with it before answering, so chat slows and some requests time out",
    )
    f.effects += [
        Effect("router", "latency_p99", at, 12.0),
        Effect("router", "error_ratio", at + 1 * M, 0.08, relative=False),
        Effect("gateway", "latency_p99", at, 8.0),
    ]
    f.bursts.append(Burst("router", at, 25, "warn", _router("moderation check timed out", "warning",
                          provider="moderation", timeout_s=10, error="httpx.ReadTimeout: The read operation "
                          "timed out")))  # fmt: skip
    f.failing_calls.append(("router", "moderation"))
    return f


def weekly_reembed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(3, 6) * M
    f = Fault(
        "weekly_reembed",
        "vector-db",
        "no_incident",
        "none",
        "vector-db",
        "VectorDbCpuHigh",
        "the weekly re-embedding job upserted the documents and Qdrant re-indexed its segments, taking the CPU "
        "for a while; every search was answered in time (no incident)",
    )
    f.effects += [
        Effect("vector-db", "cpu_utilization", at - 3 * M, 0.88, relative=False, ramp=2 * M),
        Effect("vector-db", "latency_p99", at - 3 * M, 1.3),
    ]
    f.bursts += [
        Burst("reembed", at - 5 * M, 2, "info", "INFO dataset.py:412 -- Upserted 250000 points into collection "
              "docs (batch 12 of 40)"),
        Burst("vector-db", at - 4 * M, 1, "info", "INFO qdrant::segment::optimizers: Optimizing segments of "
              "collection docs: indexing 3 segments", minutes=10),
    ]  # fmt: skip
    return f


FAULTS = [context_length_raised, embedding_width_changed, client_per_call_dns, fallback_weight_flipped,
          model_cache_fills_node, moderation_vendor_slow, weekly_reembed]  # fmt: skip
