"""Load generator for the burst benchmark: runs in its own process so it does not compete with the
servers for the interpreter lock. Alert i belongs to group i % groups, so every group's members are
spread over the whole burst (late members arrive while, or after, their group is investigated);
every 50th member adds a severity (a follow-up). Requests alternate over the given ports (replicas).
Prints {"seconds", "accepted", "p50_ms", "p99_ms", "fingerprints"}."""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.bundles import alertmanager


def main(ports: list[int], token: str, alerts: int = 1000, groups: int = 50) -> None:
    bodies = []
    for i in range(alerts):
        p = alertmanager(f"Burst{i % groups}", "api-gateway")
        p["groupKey"] = f"group-{i % groups}"
        p["alerts"][0]["fingerprint"] = f"burst-{i:05d}"
        if i % 50 == 49:
            p["alerts"][0]["labels"]["severity"] = "warning"
        bodies.append((ports[i % len(ports)], json.dumps(p).encode()))
    local = threading.local()
    latencies: list[float] = []

    def post(item: tuple[int, bytes]) -> int:
        port, body = item
        conns = getattr(local, "conns", None) or {}
        local.conns = conns
        conn = conns.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conns[port] = conn
        t = time.perf_counter()
        conn.request(
            "POST", "/alertmanager", body, {"content-type": "application/json", "authorization": f"Bearer {token}"}
        )
        r = conn.getresponse()
        ok = json.loads(r.read())["accepted"] if r.status == 202 else 0
        latencies.append(time.perf_counter() - t)
        return ok

    t0 = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        accepted = sum(pool.map(post, bodies))
    seconds = time.perf_counter() - t0
    lat = sorted(latencies)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "accepted": accepted,
                "p50_ms": lat[len(lat) // 2] * 1000,
                "p99_ms": lat[int(len(lat) * 0.99)] * 1000,
                "fingerprints": [f"burst-{i:05d}" for i in range(alerts)],
            }
        )
    )


if __name__ == "__main__":
    main([int(p) for p in sys.argv[1].split(",")], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
