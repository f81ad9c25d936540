"""World 32's faults, from DNS and CDN providers' postmortems, in this estate's words: a zone API release
that writes SOA serials lower than the last ones, so the secondaries keep their stale zones; a GeoIP database
update that arrived truncated, so geo-steering cannot load it and sends everyone to one pool; response rate
limiting on the authoritative servers set ten times too low; the certificate authority's OCSP responder
failing, so the edge cannot staple fresh responses; an edge change that put every query string into the cache
key, so the hit ratio collapses and the customers' origins time out under the misses; the kernel's connection
tracking table filling on the edge hosts at the evening peak; and a failed probe from one monitoring location
whose own network was down (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"hosts/group_vars/{svc}.yml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"CHG{rng.randint(100000, 999999)}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -7 +7 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def serial_regression(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "serial_regression",
        "zone-api",
        "recent_change",
        "rollback",
        "secondaries",
        "SecondaryZonesStale",
        "zone-api 4.2.0 builds SOA serials from the date in UTC with a two-digit counter reset, lower than the "
        "serials it wrote before; the secondaries keep their zones and new records do not resolve",
    )
    f.changes.append(change(at - rng.randint(2, 4) * M, "zone-api", "deploy", "zone_api_version", "4.1.7", "4.2.0",
                            rng, "ansible"))  # fmt: skip
    f.effects += [
        Effect("secondaries", "error_ratio", at + M, 0.2, relative=False),
        Effect("zone-api", "request_rate", at, 1.0),
    ]
    f.bursts += [
        Burst("secondaries", at, 10, "warn", "[customer.example.] refresh, remote 10.20.0.5@53, remote serial "
              f"{at:%Y%m%d}01 is lower than the local serial {at:%Y%m%d}14, not updating"),
        Burst("zone-api", at, 2, "info", f"pushed zone customer.example serial {at:%Y%m%d}01 to primary"),
    ]  # fmt: skip
    return f


def geoip_truncated(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "geoip_truncated",
        "geoip-updater",
        "recent_change",
        "rollback",
        "edge",
        "EdgeLatencyHigh",
        "the nightly GeoIP update wrote a truncated database; geo-steering could not load it and steers every "
        "query to its default pool, whose edges are far from most users",
    )
    f.changes.append(change(at - M, "geoip-updater", "data", "GeoLite2-City.mmdb", "sha256:4be1c0", "sha256:9f03aa",
                            rng, "geoipupdate.timer"))  # fmt: skip
    f.effects += [
        Effect("steering", "error_ratio", at, 0.4, relative=False),
        Effect("edge", "latency_p99", at + M, 4.0),
    ]
    f.bursts += [
        Burst("geoip-updater", at - M, 1, "info", "Database GeoLite2-City successfully updated: 9f03aa", minutes=1),
        Burst("steering", at, 12, "error", 'reloading geo database failed, steering to default pool eu-west\t{"err": '
              '"invalid MaxMind DB file: unexpected end of database"}'),
    ]  # fmt: skip
    return f


def rrl_too_low(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "rrl_too_low",
        "auth-dns",
        "recent_change",
        "rollback",
        "auth-dns",
        "AuthoritativeAnswersDropped",
        "a change to the authoritative servers' response rate limiting set 5 responses a second per network "
        "where 50 was meant; large resolvers' queries are dropped and their users see SERVFAIL",
    )
    f.changes.append(change(at - 2 * M, "auth-dns", "config", "rrl_responses_per_second", "50", "5", rng,
                            "dns-team"))  # fmt: skip
    f.effects += [
        Effect("auth-dns", "error_ratio", at, 0.45, relative=False),
        Effect("steering", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts.append(Burst("auth-dns", at, 30, "warn", "Rate limiting responses to 8.8.8.0/24: responses-per-second "
                          "limit 5 exceeded, dropping"))  # fmt: skip
    return f


def ocsp_responder_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "ocsp_responder_down",
        "ca",
        "dependency_failure",
        "escalate",
        "edge",
        "EdgeTlsHandshakeFailures",
        "the certificate authority's OCSP responder answers 503; the edge's stapled responses expired and "
        "clients requiring a staple refuse the handshake",
    )
    f.effects.append(Effect("edge", "error_ratio", at, 0.12, relative=False))
    f.bursts += [
        Burst("edge", at - 30 * M, 2, "warn", "[ET_OCSP 0] failed to refresh OCSP response for certificate "
              "*.customer.example: responder http://r11.o.lencr.org returned 503", minutes=50),
        Burst("edge", at, 20, "error", "[ET_NET 2] SSL handshake failed: stapled OCSP response expired for "
              "*.customer.example"),
    ]  # fmt: skip
    f.failing_calls.append(("edge", "ca"))
    return f


def cache_key_query_strings(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "cache_key_query_strings",
        "edge",
        "recent_change",
        "rollback",
        "edge",
        "EdgeOriginErrors",
        "a remap change added every query parameter to the cache key; the hit ratio fell from 0.94 to 0.2 and "
        "the customers' origins time out under the misses",
    )
    f.changes.append(change(at - 3 * M, "edge", "config", "cachekey_params", "'--exclude-params=*'",
                            "'--include-params=*'", rng, "cdn-team"))  # fmt: skip
    f.effects += [
        Effect("edge", "latency_p99", at, 8.0),
        Effect("edge", "error_ratio", at + M, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("edge", at, 4, "info", "[ET_NET 3] cache hit ratio 0.21 over the last 60 s"),
        Burst("edge", at + M, 30, "error", "[ET_NET 5] origin 203.0.113.7 did not respond within 30 s: 504 Gateway "
              "Timeout for GET /assets/app.js?v=88213"),
    ]  # fmt: skip
    f.failing_calls.append(("edge", "origins"))
    return f


def conntrack_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "conntrack_full",
        "edge",
        "resource_exhaustion",
        "config_change",
        "edge",
        "EdgeConnectErrors",
        "at the evening peak the edge hosts' connection tracking table reached nf_conntrack_max; the kernel "
        "drops new connections",
    )
    f.effects += [
        Effect("edge", "request_rate", at - 20 * M, 1.3),
        Effect("edge", "error_ratio", at, 0.18, relative=False),
        Effect("edge", "latency_p99", at, 3.0),
    ]
    f.bursts.append(Burst("edge", at, 25, "warn", "kernel: nf_conntrack: nf_conntrack: table full, dropping packet"))
    return f


def probe_location_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "probe_location_down",
        "edge",
        "no_incident",
        "none",
        "edge",
        "EdgeProbeFailed",
        "the external monitor's Sydney location lost its own upstream network; its probes of the edge failed "
        "while every other location and every signal of ours stayed healthy (no incident)",
    )
    f.bursts.append(Burst("edge", at, 1, "info", "[ET_NET 0] cache hit ratio 0.94 over the last 60 s",
                          minutes=1))  # fmt: skip
    return f


FAULTS = [serial_regression, geoip_truncated, rrl_too_low, ocsp_responder_down, cache_key_query_strings,
          conntrack_full, probe_location_down]  # fmt: skip
