"""World 47's estate, written after world 46's rules and scored before any rule saw it.

An outdoor-gear retailer's headless storefront on **Cloudflare Workers**: a Remix storefront and Hono workers
(an API router, cart on Durable Objects, auth on KV, checkout on Stripe and a Postgres origin through
Hyperdrive, search on Algolia with a D1 catalog, images on R2), a queue consumer syncing orders to the ERP and
a cron worker rebuilding the catalog. No pods, no hosts, no Kubernetes. The logs are bundled as **Workers Trace
Events from Logpush**: one JSON object an invocation, the worker only in `ScriptName`, the time only in
`EventTimestampMs` (epoch milliseconds, a number), what the code said inside `Logs` (a list of console calls,
each a `Level` and a list of `Message` parts) and what it threw inside `Exceptions`, the request and its status
nested in `Event`, and an `Outcome` (`ok`, `exception`, `exceededCpu`). Metrics: recording rules over the
Cloudflare exporter's worker series, keyed by `script_name`, wall time in milliseconds; nothing else (a worker
has no CPU, memory or restarts to watch)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: remix hono sync (workers); saas d1 kv do r2 postgres (what they bind to, unseen)


def _signals() -> dict[str, str]:
    s = 'script_name="{service}"'
    return {
        "request_rate": f"script_name:cloudflare_worker_requests:rate5m{{{s}}}",
        "error_ratio": f"script_name:cloudflare_worker_errors:ratio5m{{{s}}}",
        "latency_p99": f"script_name:cloudflare_worker_wall_time_milliseconds:p99_5m{{{s}}}",
    }


FERNHILL = Estate(
    label="script_name",
    name="fernhill",
    namespace="fernhill-production",
    shipper="workers-logpush",
    signals=_signals(),
    nodes=(
        Node("storefront", "remix", ("api-router", "search", "images"), 420),
        Node("api-router", "hono", ("cart", "auth", "checkout"), 300),
        Node("search", "hono", ("algolia", "catalog-db"), 160),
        Node("cart", "hono", ("cart-store",), 210),
        Node("auth", "hono", ("sessions-kv",), 260),
        Node("checkout", "hono", ("stripe", "orders-db"), 22),
        Node("images", "hono", ("media-r2",), 520),
        Node("order-sync", "sync", ("orders-db", "erp"), 12),
        Node("catalog-sync", "sync", ("catalog-db", "algolia"), 1),
        Node("algolia", "saas", (), 160),
        Node("stripe", "saas", (), 22),
        Node("erp", "saas", (), 12),
        Node("catalog-db", "d1", (), 200),
        Node("sessions-kv", "kv", (), 260),
        Node("cart-store", "do", (), 210),
        Node("media-r2", "r2", (), 300),
        Node("orders-db", "postgres", (), 40),
    ),
)

ESTATES = {FERNHILL.name: FERNHILL}
UNSEEN = ("saas", "d1", "kv", "do", "r2", "postgres")

BACKGROUND = {
    "remix": ['GET /c/tents 200 | {"loader":"routes/c.$slug","ms":38}', "GET /p/ridgeline-2p-tent 200"],
    "hono": ["<-- POST /api/cart/items", "--> POST /api/cart/items 200 12ms", 'session refreshed | {"ttl":3600}'],
    "sync": ['batch processed | {"messages":10,"acked":10}', 'catalog delta applied | {"products":14}'],
}
NOISE = {
    "remix": 'Warning: Prop `className` did not match. Server: "btn btn-primary" Client: "btn"',
    "hono": 'slow request | {"path":"/api/cart","ms":812}',
}
PATHS = {
    "storefront": "/c/tents",
    "api-router": "/api/cart/items",
    "search": "/search?q=tent",
    "cart": "/cart",
    "auth": "/session",
    "checkout": "/checkout/confirm",
    "images": "/img/ridgeline-2p.webp",
}


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One Workers Trace Event as Logpush writes it: what the code logged or threw is nested in the event."""
    ms = int(at.timestamp() * 1000)
    logs: list[dict[str, Any]] = []
    exceptions: list[dict[str, Any]] = []
    outcome = "ok"
    if level in ("exception", "exceededCpu"):
        name, _, said = text.partition(": ") if text.split(":")[0].isidentifier() else ("Error", "", text)
        exceptions.append({"Name": name, "Message": said or text, "TimestampMs": ms})
        outcome = level
    else:
        console = {"info": "log", "warn": "warn", "error": "error"}.get(level, "log")
        logs.append({"Level": console, "Message": text.split(" | "), "TimestampMs": ms})
    if service == "order-sync":
        event: dict[str, Any] = {"Queue": "order-events", "BatchSize": 10}
        kind = "queue"
    elif service == "catalog-sync":
        event, kind = {"Cron": "*/30 * * * *", "ScheduledTimeMs": ms - ms % 1_800_000}, "scheduled"
    else:
        status = 500 if outcome != "ok" or level == "error" else 200
        event = {
            "RayID": f"{(ms * 2654435761) % 2**64:016x}"[:16],
            "Request": {"URL": f"https://{estate.name}.example{PATHS[service]}", "Method": "GET"},
            "Response": {"Status": status},
        }
        kind = "fetch"
    return {
        "CPUTimeMs": 50 if outcome == "exceededCpu" else 3,
        "DispatchNamespace": "",
        "Entrypoint": "",
        "Event": event,
        "EventTimestampMs": ms,
        "EventType": kind,
        "Exceptions": exceptions,
        "Logs": logs,
        "Outcome": outcome,
        "ScriptName": service,
        "ScriptTags": [],
        "ScriptVersion": {"ID": f"{(len(service) * 7919 + 11) % 10**8:08x}-2c4d-4a9e-8f17-5d6e7a8b9c01"},
        "WallTimeMs": 41,
    }
