"""Three estates to break: a web shop like Online Boutique, a payments
platform and a data pipeline. Each service has a kind (what its metrics and
logs look like), a logging style, and a share of the entry traffic."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Svc:
    name: str
    deps: tuple[str, ...]
    kind: str  # api | worker | db | cache | queue
    style: str  # json | logfmt | java | go | python | pg | redis | kafka
    share: float  # fraction of entry traffic it serves
    latency: float  # normal p99, seconds
    external: str | None = None  # third-party host it calls
    replicas: int = 3
    hpa_max: int = 6
    owner: str = "#team-platform"

    @property
    def stateful(self) -> bool:
        return self.kind in ("db", "cache", "queue")

    @property
    def pooled(self) -> bool:
        return self.kind in ("api", "worker", "db")


def S(name: str, deps: str, kind: str, style: str, share: float, latency: float, **kw) -> Svc:
    return Svc(name, tuple(d for d in deps.split() if d), kind, style, share, latency, **kw)


TOPOLOGIES: dict[str, list[Svc]] = {
    "webshop": [
        S(
            "frontend",
            "productcatalog currency cart recommendation checkout ad shipping",
            "api",
            "go",
            1.0,
            0.25,
            replicas=4,
            hpa_max=8,
            owner="#team-web",
        ),
        S("productcatalog", "catalog-db inventory", "api", "go", 0.8, 0.04, owner="#team-catalog"),
        S("inventory", "", "api", "java", 0.5, 0.03, replicas=2, owner="#team-catalog"),
        S("catalog-db", "", "db", "pg", 0.9, 0.008, replicas=1, hpa_max=1, owner="#team-data"),
        S("currency", "", "api", "json", 0.9, 0.02, replicas=2, owner="#team-checkout"),
        S("cart", "redis-cart", "api", "java", 0.35, 0.06, owner="#team-checkout"),
        S("recommendation", "productcatalog", "api", "python", 0.3, 0.12, owner="#team-catalog"),
        S(
            "checkout",
            "productcatalog cart currency shipping email payment",
            "api",
            "go",
            0.06,
            0.45,
            owner="#team-checkout",
        ),
        S("payment", "", "api", "json", 0.06, 0.35, external="api.stripe.com", replicas=2, owner="#team-checkout"),
        S("shipping", "", "api", "go", 0.12, 0.05, replicas=2, owner="#team-checkout"),
        S("email", "", "worker", "python", 0.06, 0.2, replicas=2, owner="#team-web"),
        S("ad", "", "api", "java", 0.5, 0.03, replicas=2, owner="#team-web"),
        S("redis-cart", "", "cache", "redis", 0.7, 0.004, replicas=1, hpa_max=1, owner="#team-checkout"),
    ],
    "payments": [
        S("api-edge", "auth payments-api merchants", "api", "go", 1.0, 0.3, replicas=4, hpa_max=10),
        S("auth", "auth-db", "api", "java", 0.9, 0.05, owner="#team-identity"),
        S("auth-db", "", "db", "pg", 1.2, 0.01, replicas=1, hpa_max=1, owner="#team-data"),
        S("merchants", "merchants-db", "api", "python", 0.15, 0.08, owner="#team-merchant"),
        S("merchants-db", "", "db", "pg", 0.3, 0.01, replicas=1, hpa_max=1, owner="#team-data"),
        S("payments-api", "risk ledger fx card-gateway notifications", "api", "java", 0.6, 0.4, owner="#team-payments"),
        S("risk", "feature-store risk-model", "api", "python", 0.6, 0.15, owner="#team-risk"),
        S("feature-store", "redis-features", "api", "go", 0.6, 0.02, owner="#team-risk"),
        S("redis-features", "", "cache", "redis", 1.0, 0.003, replicas=1, hpa_max=1, owner="#team-risk"),
        S("risk-model", "", "api", "python", 0.6, 0.06, owner="#team-risk"),
        S("ledger", "ledger-db", "api", "java", 0.6, 0.07, owner="#team-ledger"),
        S("ledger-db", "", "db", "pg", 1.5, 0.012, replicas=1, hpa_max=1, owner="#team-data"),
        S("fx", "", "api", "go", 0.3, 0.09, external="api.fxrates.example", replicas=2, owner="#team-payments"),
        S("card-gateway", "psp-adapter", "api", "go", 0.55, 0.5, owner="#team-payments"),
        S("psp-adapter", "", "api", "java", 0.55, 0.45, external="checkout-live.adyen.example", owner="#team-payments"),
        S("notifications", "kafka", "worker", "python", 0.5, 0.03, owner="#team-payments"),
        S("kafka", "", "queue", "kafka", 1.0, 0.01, replicas=3, hpa_max=3, owner="#team-data"),
    ],
    "pipeline": [
        S("dashboard-api", "warehouse query-cache user-profiles", "api", "json", 0.25, 0.6, owner="#team-bi"),
        S(
            "ingest-api",
            "kafka schema-registry auth-proxy",
            "api",
            "go",
            1.0,
            0.08,
            replicas=4,
            hpa_max=12,
            owner="#team-ingest",
        ),
        S("auth-proxy", "", "api", "go", 1.0, 0.01, owner="#team-ingest"),
        S("schema-registry", "", "api", "java", 0.5, 0.01, replicas=2, owner="#team-ingest"),
        S("kafka", "", "queue", "kafka", 2.0, 0.01, replicas=3, hpa_max=3, owner="#team-data"),
        S("stream-processor", "kafka enrichment schema-registry", "worker", "java", 1.0, 0.2, owner="#team-streaming"),
        S("enrichment", "geo-db user-profiles cache", "api", "python", 1.0, 0.05, owner="#team-streaming"),
        S("geo-db", "", "db", "pg", 0.8, 0.006, replicas=1, hpa_max=1, owner="#team-data"),
        S("user-profiles", "profiles-db identity-resolver", "api", "go", 1.0, 0.02, owner="#team-streaming"),
        S("identity-resolver", "", "api", "python", 0.6, 0.03, replicas=2, owner="#team-streaming"),
        S("profiles-db", "", "db", "pg", 1.0, 0.008, replicas=1, hpa_max=1, owner="#team-data"),
        S("cache", "", "cache", "redis", 1.5, 0.002, replicas=1, hpa_max=1, owner="#team-streaming"),
        S("sink-writer", "kafka object-store-gw warehouse", "worker", "go", 1.0, 0.3, owner="#team-streaming"),
        S("object-store-gw", "", "api", "go", 0.6, 0.12, external="s3.eu-west-1.amazonaws.com", owner="#team-data"),
        S("warehouse", "", "db", "pg", 0.5, 0.9, replicas=1, hpa_max=1, owner="#team-data"),
        S(
            "batch-etl",
            "object-store-gw warehouse scheduler",
            "worker",
            "python",
            0.05,
            2.0,
            replicas=1,
            owner="#team-bi",
        ),
        S("scheduler", "", "worker", "python", 0.02, 0.05, replicas=1, owner="#team-bi"),
        S("query-cache", "", "cache", "redis", 0.3, 0.002, replicas=1, hpa_max=1, owner="#team-bi"),
        S("alert-evaluator", "warehouse notifier", "worker", "go", 0.05, 0.4, replicas=2, owner="#team-bi"),
        S("notifier", "", "worker", "python", 0.01, 0.3, external="hooks.slack.com", replicas=1, owner="#team-bi"),
    ],
}

ENTRY_RPS = {"webshop": 180.0, "payments": 90.0, "pipeline": 400.0}
NAMESPACE = {"webshop": "shop", "payments": "payments", "pipeline": "data"}


def by_name(topology: str) -> dict[str, Svc]:
    return {s.name: s for s in TOPOLOGIES[topology]}


def callers(topology: str, name: str) -> list[str]:
    return [s.name for s in TOPOLOGIES[topology] if name in s.deps]


def path_up(topology: str, root: str, hops: int) -> list[str] | None:
    """A caller chain [top, ..., root] of exactly `hops` hops, preferring the topmost callers."""
    chains = [[root]]
    for _ in range(hops):
        chains = [[c, *ch] for ch in chains for c in callers(topology, ch[0])]
        if not chains:
            return None
    return sorted(chains, key=lambda ch: (len(callers(topology, ch[0])), ch))[0]
