"""What world 99's first contact taught (a Kuala Lumpur toll e-wallet on Alibaba Cloud ACK, its logs a Log Service
logstore exported with `aliyun log get_logs`; written after world 98's rules and scored before any rule saw it):
0.917 / 1.000 / 1.000 / 1.000 on seeds 1-4, with one wrong HIGH: Redis filling to maxmemory after toll's release
set its cache's TTL to 0 (no expiry) was put on Redis itself at HIGH, because another user of Redis, wallet, had a
routine release two minutes after toll's, and a store that filled from where two of its users changed was blamed on
neither. Its lesson:

- of the changes landed as a store began to fill, the one that set how long it keeps what it is given (a time to
  live, an expiry, a retention, an eviction) is why it filled; another that set no such thing (a version moved) is
  no rival to it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.bundles import ALERT_AT as AT
from tests.bundles import END, T0, M, S, alertmanager, flat_then, iso, series, signals, verdict, write_bundle

BASELINE = [AT - 6 * 60 * M + 5 * i * M for i in range(72)]
TTL_DIFF = (
    "--- a/toll/src/main/resources/application-prod.yml\n+++ b/toll/src/main/resources/application-prod.yml\n"
    " tolpay:\n   cache:\n-    tag-ttl: 300s\n+    tag-ttl: 0\n"
)


def _filling(start: datetime, until: datetime) -> list[tuple[datetime, float]]:
    """Redis' memory, flat at half until `start`, then filling steadily to its limit at `until`."""
    out, t = [], T0
    while t <= END:
        k = min(1.0, max(0.0, (t - start) / (until - start)))
        out.append((t, round(0.5 + 0.5 * k, 4)))
        t += M
    return out


def _cache(tmp_path: Path, toll_diff: str, wallet_diff: str) -> str:
    """toll released (`toll_diff`) forty minutes before Redis reached its limit, wallet (`wallet_diff`) two minutes
    after toll; once full, Redis refuses both their writes."""
    at = AT - 8 * M
    began = at - 40 * M

    def log(t: datetime, service: str, level: str, message: str) -> dict:
        return {"ts": iso(t), "service": service, "level": level, "message": message}

    oom = "OOM command not allowed when used memory > 'maxmemory'."

    def change(t: datetime, service: str, diff: str) -> dict:
        return {"ts": iso(t), "service": service, "kind": "deploy", "from": "image=1.0.0", "to": "image=1.0.1",
                "author": "gitlab-ci", "ref": "pipeline #48213", "diff": diff}  # fmt: skip

    root = write_bundle(
        tmp_path,
        services={"toll": ["redis"], "wallet": ["redis"], "redis": []},
        alert=alertmanager("TollTransactionErrors", "toll"),
        logs=[log(t, s, "info", "served") for t in BASELINE for s in ("toll", "wallet", "redis")]
        + [
            log(at + 10 * i * S, "toll", "error", f"Transaction failed: RedisCommandExecutionException: {oom}")
            for i in range(45)
        ]
        + [log(at + M + 20 * i * S, "wallet", "error", f"hold not recorded: {oom}") for i in range(20)],
        metric_lines=series("error_ratio", "toll", flat_then(T0, END, 0.002, at, 0.5))
        + series("error_ratio", "wallet", flat_then(T0, END, 0.002, at + M, 0.2))
        + series("memory_utilization", "redis", _filling(began, at)),
        changes=[change(began, "toll", toll_diff), change(began + 2 * M, "wallet", wallet_diff)],
        signals=signals("error_ratio", "memory_utilization"),
    )
    return verdict(root)


def test_of_changes_as_a_store_began_filling_the_one_setting_how_long_it_keeps_things_filled_it(
    tmp_path: Path,
) -> None:
    bump = "kubectl -n tolpay set image deployment/wallet wallet=registry/wallet:1.0.1  # was 1.0.0\n"
    assert _cache(tmp_path / "ttl", TTL_DIFF, bump).startswith("toll/recent_change")
    # both set how long it keeps things: neither is the one, and the store's filling is all that is known
    wallet_ttl = TTL_DIFF.replace("toll/", "wallet/").replace("tag-ttl", "hold-ttl")
    assert _cache(tmp_path / "both", TTL_DIFF, wallet_ttl).startswith("redis/")
    # toll's set something else (its log level): nothing tells the two changes apart
    level = TTL_DIFF.replace("tag-ttl: 300s", "log-level: info").replace("tag-ttl: 0", "log-level: debug")
    assert _cache(tmp_path / "level", level, bump).startswith("redis/")


def test_what_sets_how_long_a_store_keeps_things() -> None:
    from oncall.analysts.offline.patterns import KEEPING

    for said in ("tag-ttl: 0", "time_to_live: 3600", "expire_after_write: 0", "expiresIn: never", "retention.ms: -1",
                 "maxmemory-policy: noeviction", "max-age: 0", "spring.cache.redis.time-to-live: 0"):  # fmt: skip
        assert KEEPING.search(said), said
    for said in ("log-level: debug", "replicas: 3", "image: toll:5.9.0", "timeout: 30s"):
        assert not KEEPING.search(said), said
