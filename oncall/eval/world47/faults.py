"""World 47's faults, from Workers teams' postmortems, in this estate's words: a search release parsing every
facet on each request until the worker exceeds its CPU time limit (a limit's words, a release's cause); the
orders database behind Hyperdrive refusing connections; a wrangler.toml change renaming auth's KV binding
while the code still reads the old name (a TypeError, a config cause); the ERP slowing the order queue's
consumer; Algolia failing, with a hotfix to search deployed minutes after the errors began (a change after
the onset answers it); a catalog-sync release whose D1 migration builds an index in the working day, so
search's reads of the same database queue (alert on search); and the sitemap's scheduled rebuild (no
incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A `wrangler deploy` as the deploy log records it: the version, wrangler.toml's diff, the code's."""
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(40):010x}",
        "diff": f"--- a/workers/{svc}/wrangler.toml\n+++ b/workers/{svc}/wrangler.toml\n@@ -3 +3 @@\n"
        f'-{key} = "{old}"\n+{key} = "{new}"\n{code}',
    }


def cpu_limit_release(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "cpu_limit_release",
        "search",
        "recent_change",
        "rollback",
        "storefront",
        "StorefrontErrorRate",
        "a search release parses the whole facet list from KV on every request; large category pages take the "
        "worker past its CPU time limit and the runtime kills those invocations",
    )
    src = "workers/search/src/facets.ts"
    f.changes.append(change(at - 3 * M, "search", "deploy", "version_id", "0d7e6c41", "a93b5f02", rng,
                            "github-actions", code=f"--- a/{src}\n+++ b/{src}\n@@ -18 +18 @@\n-  const facets = await "
                            "index.searchForFacetValues({ facetName, facetQuery })\n+  const facets = JSON.parse("
                            "await env.FACETS.get('all')).filter((f) => f.name === facetName)\n"))  # fmt: skip
    f.effects += [
        Effect("search", "error_ratio", at, 0.45, relative=False),
        Effect("search", "latency_p99", at, 2.5),
        Effect("storefront", "error_ratio", at + 1 * M, 0.22, relative=False),
    ]
    f.bursts += [
        Burst("search", at, 25, "exceededCpu", "Worker exceeded CPU time limit."),
        Burst("storefront", at + 1 * M, 12, "error", "search failed | Error: search responded 503 Service "
              "Unavailable"),
    ]  # fmt: skip
    return f


def origin_db_refuses(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "origin_db_refuses",
        "orders-db",
        "dependency_failure",
        "escalate",
        "checkout",
        "CheckoutErrorRate",
        "the managed Postgres behind Hyperdrive went down in its region; checkout and the order sync cannot "
        "connect to it",
    )
    said = ("Error: Failed to acquire a connection from the pool | connection to origin database failed: dial tcp "
            "34.12.8.9:5432: connect: connection refused")  # fmt: skip
    f.effects += [
        Effect("checkout", "error_ratio", at, 0.6, relative=False),
        Effect("order-sync", "error_ratio", at, 0.8, relative=False),
        Effect("api-router", "error_ratio", at + 1 * M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("checkout", at, 15, "error", f"order insert failed | {said}"),
        Burst("order-sync", at, 6, "error", f"order status update failed | {said}"),
    ]
    f.failing_calls += [("checkout", "orders-db"), ("order-sync", "orders-db")]
    return f


def kv_binding_renamed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "kv_binding_renamed",
        "auth",
        "recent_change",
        "rollback",
        "api-router",
        "ApiErrorRate",
        "a wrangler.toml tidy-up renamed auth's KV binding from SESSIONS to SESSION_STORE; the code still reads "
        "env.SESSIONS, which is now undefined, so every session check throws",
    )
    f.changes.append(change(at - 2 * M, "auth", "config", "binding", "SESSIONS", "SESSION_STORE", rng,
                            "kai@fernhill.example"))  # fmt: skip
    f.effects += [
        Effect("auth", "error_ratio", at, 0.95, relative=False, ramp=0 * M),
        Effect("api-router", "error_ratio", at, 0.5, relative=False),
        Effect("storefront", "error_ratio", at + 1 * M, 0.18, relative=False),
    ]
    f.bursts += [
        Burst("auth", at, 40, "exception", "TypeError: Cannot read properties of undefined (reading 'get')"),
        Burst("api-router", at, 20, "error", "session check failed | Error: auth responded 500"),
    ]
    return f


def erp_slow(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "erp_slow",
        "erp",
        "dependency_failure",
        "escalate",
        "order-sync",
        "OrderSyncSlow",
        "the ERP's sales-order API answers in tens of seconds; the queue consumer's batches time out and are "
        "retried, and orders reach the warehouse late",
    )
    f.effects += [
        Effect("order-sync", "latency_p99", at, 20.0),
        Effect("order-sync", "error_ratio", at + 1 * M, 0.3, relative=False),
    ]
    f.bursts.append(Burst("order-sync", at, 10, "warn", "ERP POST /sales-orders timed out after 30000 ms | message "
                          "will be retried (attempt 3 of 5)"))  # fmt: skip
    f.failing_calls.append(("order-sync", "erp"))
    return f


def hotfix_after_onset(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(7, 10) * M
    f = Fault(
        "hotfix_after_onset",
        "algolia",
        "dependency_failure",
        "escalate",
        "storefront",
        "StorefrontLatencyHigh",
        "Algolia's cluster for the app fails over and answers slowly or not at all; three minutes in, an engineer "
        "deploys a search hotfix falling back to D1 (which does not help); the cause is the provider",
    )
    src = "workers/search/src/index.ts"
    f.changes.append(change(at + 3 * M, "search", "deploy", "version_id", "5b21c9e0", "77f0d3aa", rng,
                            "nina@fernhill.example", code=f"--- a/{src}\n+++ b/{src}\n@@ -40 +40,2 @@\n-  return "
                            "c.json(await algolia.search(q))\n+  try { return c.json(await algolia.search(q)) }\n"
                            "+  catch { return c.json(await fallbackSearch(c.env.CATALOG_DB, q)) }\n"))  # fmt: skip
    f.effects += [
        Effect("search", "latency_p99", at, 8.0),
        Effect("search", "error_ratio", at, 0.2, relative=False),
        Effect("storefront", "latency_p99", at, 4.0),
        Effect("storefront", "error_ratio", at + 1 * M, 0.06, relative=False),
    ]
    f.bursts.append(Burst("search", at, 20, "error", "algolia search failed | RetryError: Unreachable hosts - your "
                          "application id may be incorrect. If the error persists, please reach out to the Algolia "
                          "Support team: https://alg.li/support"))  # fmt: skip
    f.failing_calls.append(("search", "algolia"))
    return f


def migration_overloads_d1(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "migration_overloads_d1",
        "catalog-sync",
        "recent_change",
        "rollback",
        "search",
        "SearchErrorRate",
        "a catalog-sync release ships migration 0042, building an index on the products table of the catalog's "
        "D1 database in the working day; search's reads of the same database queue behind it and fail",
    )
    mig = "workers/catalog-sync/migrations/0042_products_tags_index.sql"
    f.changes.append(change(at - 2 * M, "catalog-sync", "deploy", "version_id", "3e8a1f77", "c4d29b10", rng,
                            "github-actions", code=f"--- /dev/null\n+++ b/{mig}\n@@ -0,0 +1 @@\n+CREATE INDEX "
                            "idx_products_tags ON products(tags);\n"))  # fmt: skip
    f.effects += [
        Effect("search", "error_ratio", at, 0.4, relative=False),
        Effect("search", "latency_p99", at, 5.0),
        Effect("storefront", "error_ratio", at + 1 * M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("catalog-sync", at - 1 * M, 1, "info", "Applying migration 0042_products_tags_index.sql", minutes=1),
        Burst("search", at, 25, "error", "catalog read failed | D1_ERROR: D1 DB is overloaded. Requests queued for "
              "too long."),
        Burst("storefront", at + 1 * M, 8, "error", "search failed | Error: search responded 500 Internal Server "
              "Error"),
    ]  # fmt: skip
    return f


def sitemap_rebuild(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(3, 6) * M
    f = Fault(
        "sitemap_rebuild",
        "catalog-sync",
        "no_incident",
        "none",
        "catalog-sync",
        "CatalogSyncSlow",
        "the nightly sitemap rebuild ran on its schedule and took minutes of wall time; nothing failed and no "
        "one waited on it (no incident)",
    )
    f.effects.append(Effect("catalog-sync", "latency_p99", at - 4 * M, 6.0))
    f.bursts.append(Burst("catalog-sync", at - 4 * M, 1, "info", "sitemap rebuilt | {\"urls\":48211,\"files\":14}",
                          minutes=3))  # fmt: skip
    return f


FAULTS = [cpu_limit_release, origin_db_refuses, kv_binding_renamed, erp_slow, hotfix_after_onset,
          migration_overloads_d1, sitemap_rebuild]  # fmt: skip
