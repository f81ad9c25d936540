"""Load generator for the burst benchmark: runs in its own process so it does not compete
with the server for the interpreter lock. Prints {"seconds", "accepted"}."""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.bundles import alertmanager


def main(port: int, token: str, alerts: int = 1000, groups: int = 50) -> None:
    bodies = []
    for i in range(alerts):
        p = alertmanager(f"Burst{i % groups}", "api-gateway")
        p["groupKey"] = f"group-{i % groups}"
        p["alerts"][0]["fingerprint"] = f"burst-{i:04d}"
        bodies.append(json.dumps(p).encode())
    local = threading.local()

    def post(body: bytes) -> int:
        conn = getattr(local, "conn", None) or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local.conn = conn
        conn.request(
            "POST", "/alertmanager", body, {"content-type": "application/json", "authorization": f"Bearer {token}"}
        )
        r = conn.getresponse()
        return json.loads(r.read())["accepted"] if r.status == 202 else 0

    t0 = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        accepted = sum(pool.map(post, bodies))
    print(json.dumps({"seconds": time.perf_counter() - t0, "accepted": accepted}))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
