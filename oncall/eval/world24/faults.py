"""World 24's faults, from publishers' postmortems: a WordPress plugin update whose sitemap loads every
post into memory (PHP's memory limit kills the requests that build it); a cache rule pushed to Varnish
that stops caching article pages (the origin takes every request); a CoreDNS config change that drops
the stub domain the search service's feature store is reached through; one enormous upload that
imgproxy cannot decode within its memory limit (the pods are OOMKilled while it is retried); the
identity provider rotating its signing keys while the paywall keeps the old set cached (subscribers'
tokens refused); and the nightly sitemap rebuild raising the CPU alert (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.telemetry import KEvent
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"charts/{svc}/values-prod.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key} {old}",
        "to": f"{key} {new}",
        "author": who,
        "ref": f"newsroom/platform#{rng.randint(2000, 4999)}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -12,1 +12,1 @@\n-{key} {old}\n+{key} {new}\n",
    }


def plugin_sitemap_memory(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "plugin_sitemap_memory",
        "wordpress",
        "recent_change",
        "rollback",
        "varnish",
        "Origin5xxHigh",
        "the SEO plugin's update builds its news sitemap by loading every post; PHP's memory limit kills "
        "each request that builds it and the pages that wait on it fail",
        also_accept=["resource_exhaustion"],
    )
    f.changes.append(change(at - 3 * M, "wordpress", "deploy", "seoPluginVersion:", "21.4", "22.0", rng, "argocd"))
    f.effects += [
        Effect("wordpress", "error_ratio", at, 0.22, relative=False),
        Effect("wordpress", "memory_utilization", at, 0.81, relative=False),
        Effect("varnish", "error_ratio", at + M, 0.05, relative=False),
    ]
    f.bursts += [
        Burst("wordpress", at, 12, "error", "!crit PHP Fatal error:  Allowed memory size of 268435456 bytes "
              "exhausted (tried to allocate 20480 bytes) in /var/www/html/wp-includes/class-wpdb.php on line 2187"),
        Burst("varnish", at + M, 10, "warn", "FetchError backend wordpress: http first read error: EOF"),
    ]  # fmt: skip
    return f


def cache_rule_stops_caching(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "cache_rule_stops_caching",
        "varnish",
        "recent_change",
        "rollback",
        "varnish",
        "PageLatencyHigh",
        "a VCL change meant for previews set the TTL of every article response to zero; Varnish passes "
        "each page request to WordPress, whose CPU is pinned",
    )
    f.changes.append(change(at - 2 * M, "varnish", "config", "articleTTL:", "300s", "0s", rng, "web-team"))
    f.effects += [
        Effect("wordpress", "request_rate", at, 7.5),
        Effect("wordpress", "cpu_utilization", at, 0.99, relative=False),
        Effect("wordpress", "latency_p99", at, 12.0),
        Effect("mysql", "cpu_utilization", at + M, 0.74, relative=False),
        Effect("varnish", "latency_p99", at + M, 9.0),
    ]
    f.bursts.append(Burst("wordpress", at + M, 6, "warn", "WARNING: [pool www] server reached pm.max_children "
                          "setting (40), consider raising it"))  # fmt: skip
    return f


def dns_stub_dropped(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "dns_stub_dropped",
        "coredns",
        "network",
        "rollback",
        "search-api",
        "SearchErrorsHigh",
        "a tidy-up of CoreDNS's Corefile dropped the stub domain for features.internal; the search "
        "service can no longer resolve its feature store's name",
        also_accept=["recent_change"],
    )
    f.changes.append(change(at - rng.randint(2, 4) * M, "coredns", "config", "stubDomains:",
                            "{features.internal: [10.20.0.53]}", "{}", rng, "platform"))  # fmt: skip
    f.effects += [
        Effect("search-api", "error_ratio", at, 0.61, relative=False),
        Effect("wordpress", "latency_p99", at + M, 2.0),
    ]
    f.bursts += [
        Burst("search-api", at, 15, "error", "feature lookup failed: (2003, \"Can't connect to MySQL server on "
              "'recs.features.internal' ([Errno -2] Name or service not known)\")"),
        Burst("coredns", at, 30, "info", '[INFO] 10.4.3.2:51812 - 3311 "A IN recs.features.internal. udp 41 '
              'false 512" NXDOMAIN qr,rd,ra 116 0.000212s'),
    ]  # fmt: skip
    return f


def huge_upload_oom(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "huge_upload_oom",
        "images",
        "resource_exhaustion",
        "restart",
        "varnish",
        "ImageErrorsHigh",
        "a photographer uploaded a 24,000 x 16,000 pixel TIFF; every resize of it takes more memory than "
        "imgproxy's limit, the pods are OOMKilled while the request is retried, and other images fail with them",
        also_accept=["capacity"],
    )
    f.effects += [
        Effect("images", "memory_utilization", at - M, 0.99, relative=False, ramp=timedelta(minutes=1)),
        Effect("images", "restarts", at, 4.0, relative=False),
        Effect("images", "error_ratio", at, 0.18, relative=False),
        Effect("varnish", "error_ratio", at + M, 0.03, relative=False),
    ]
    f.bursts += [
        Burst("images", at - M, 2, "warn", "Processing /insecure/rs:fit:1200:0/plain/s3://media/uploads/raw/"
              "DSC_8841.tif: image resolution 384000000 px is close to the limit"),
        Burst("varnish", at + M, 8, "warn", "FetchError backend images: backend write error: 104 (Connection "
              "reset by peer)"),
    ]  # fmt: skip
    f.events.append(KEvent("images", "BackOff", "Back-off restarting failed container imgproxy", at,
                           terminated="OOMKilled"))  # fmt: skip
    return f


def jwks_rotated_cached(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "jwks_rotated_cached",
        "paywall",
        "expired_credential",
        "restart",
        "paywall",
        "SubscriberEntitlementFailures",
        "the identity provider rotated its signing keys; the paywall caches the old key set for 24 hours "
        "and refuses every newly issued subscriber token",
    )
    f.effects.append(Effect("paywall", "error_ratio", at, 0.34, relative=False))
    f.bursts.append(Burst("paywall", at, 14, "error", "entitlement check failed :: JsonWebTokenError: invalid "
                          "signature (kid=k-2026-05 not in cached JWKS)"))  # fmt: skip
    return f


def nightly_sitemap_cpu(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "nightly_sitemap_cpu",
        "wordpress",
        "no_incident",
        "none",
        "wordpress",
        "OriginCPUHigh",
        "the nightly sitemap and feed rebuild runs as a WP-Cron event; it holds WordPress's CPU for a quarter "
        "of an hour every night while pages are served as usual from the cache (no incident)",
    )
    f.effects.append(Effect("wordpress", "cpu_utilization", at, 0.93, relative=False, until=at + timedelta(minutes=16)))
    f.bursts += [
        Burst("wordpress", at, 1, "info", "Cron reschedule event error for hook: news_sitemap_rebuild, Error "
              "code: none, Error message: none", minutes=1),
        Burst("wordpress", at + 15 * M, 1, "info", "news_sitemap_rebuild finished: 48211 posts in 903s",
              minutes=1),
    ]  # fmt: skip
    return f


FAULTS = [plugin_sitemap_memory, cache_rule_stops_caching, dns_stub_dropped, huge_upload_oom,
          jwks_rotated_cached, nightly_sitemap_cpu]  # fmt: skip
