"""World 66's estate, written after world 65's rules and scored before any rule saw it.

An Icelandic fish auction and landings platform on Scaleway's Kapsule (Paris): HAProxy at the edge (its HTTP log
format on stdout, Iceland's time being UTC), a Clojure auction service (timbre's default output: a two-digit year,
the pod's host name, the namespace and line), a Perl landings registry on Mojolicious (Mojo::Log's format) that
checks each vessel's quota with the Directorate of Fisheries' API, a Go pricing service (logrus' JSON), Python
logistics and settlement services (python-json-logger: asctime, levelname, name, message), a nightly Python
catch report, and a Node notifier (winston's JSON); NATS JetStream and Redis in the cluster (their own log
formats). The managed PostgreSQL, the Directorate's API (Fiskistofa), the card acquirer (Straumur) and DHL
show nothing of their own.

Vector's `kubernetes_logs` source ships each container's lines to Axiom; the bundle is Axiom's query API result,
one match a line: `_time` (nanoseconds), `_sysTime`, `_rowId`, and `data`: Vector's event (`message` the line as
written, `stream`, `file`, `source_type`, and `kubernetes` with `pod_name`, `container_name` (`main` for every
application container), `pod_namespace`, `pod_node_name`, `pod_labels`). No level anywhere but in the lines.
Metrics: Scaleway Cockpit's recording rules by `app_kubernetes_io_name`, every 30 s for HTTP and 60 s for the
rest."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: haproxy timbre mojo logrus pyjson winston natsd redis saas
NAMESPACE = "uppbod"


def _signals() -> dict[str, str]:
    sel = 'app_kubernetes_io_name="{service}",cluster="kapsule-par-uppbod"'
    return {
        "request_rate": f"http_requests_per_second:sum_by_app{{{sel}}}",
        "error_ratio": f"http_errors_ratio:sum_by_app{{{sel}}}",
        "latency_p99": f"http_latency_p99_seconds:by_app{{{sel}}}",
        "cpu_utilization": f"cpu_usage_of_limit_ratio:by_app{{{sel}}}",
        "memory_utilization": f"memory_rss_of_limit_ratio:by_app{{{sel}}}",
        "restarts": f"pod_restarts:increase15m_by_app{{{sel}}}",
        "disk_utilization": f"pvc_usage_ratio:by_app{{{sel}}}",
    }


PROD = Estate(
    label="app_kubernetes_io_name",
    name="uppbod",
    namespace=NAMESPACE,
    shipper="vector-axiom",
    signals=_signals(),
    nodes=(
        Node("haproxy", "haproxy", ("auction", "registry", "logistics", "settlement"), 90),
        Node("auction", "timbre", ("postgresql", "redis", "nats", "pricing"), 50),
        Node("registry", "mojo", ("postgresql", "fiskistofa"), 12),
        Node("pricing", "logrus", ("redis", "postgresql"), 60),
        Node("logistics", "pyjson", ("postgresql", "dhl", "nats"), 15),
        Node("settlement", "pyjson", ("straumur", "postgresql", "nats"), 10),
        Node("catch-report", "pyjob", ("postgresql",), 1),
        Node("notifier", "winston", ("nats",), 20),
        Node("nats", "natsd", (), 400),
        Node("redis", "redis", (), 500),
        Node("postgresql", "saas", (), 300),
        Node("fiskistofa", "saas", (), 12),
        Node("straumur", "saas", (), 10),
        Node("dhl", "saas", (), 8),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "haproxy": ['10.64.{n}.17:5{n}34 [{clf}] fe_https~ be_auction/auction-{k} 0/0/1/2{n}/3{n} 200 1{n}34 - - ---- '
                '14/14/3/1/0 0/0 "POST /api/v2/bids HTTP/1.1"',
                '10.64.{n}.21:4{n}10 [{clf}] fe_https~ be_registry/registry-{k} 0/0/0/8{n}/9{n} 201 4{n}2 - - ---- '
                '9/9/1/1/0 0/0 "POST /api/landings HTTP/1.1"'],
    "timbre": ["{yy} {pod} INFO [is.uppbod.auction.bids:118] - Bid accepted lot=L-44{n} buyer=B-2{n} isk_kg=41{n}"],
    "mojo": ["[{mojo}] [12] [info] Landing registered vessel=29{n} port=Grindavik kg=1{n}400"],
    "logrus": ['{"level":"info","msg":"price band refreshed","species":"thorskur","time":"{iso_s}"}'],
    "pyjson": ['{"asctime": "{py}", "levelname": "INFO", "name": "{svc}.worker", "message": "job done id={n}7a2"}'],
    "pyjob": ['{"asctime": "{py}", "levelname": "INFO", "name": "catch_report", '
              '"message": "report rows written 1{n}0"}'],
    "winston": ['{"level":"info","message":"sms queued to=+3546{n}1204 template=auction_won","timestamp":"{iso}"}'],
    "natsd": ["[1] {nats} [INF] 10.64.{n}.17:5{n}22 - cid:{n}41 - Client connection created"],
    "redis": ["1:M {redis} * 100 changes in 300 seconds. Saving...",
              "1:M {redis} * Background saving terminated with success"],
}  # fmt: skip
NOISE = {
    "timbre": "{yy} {pod} WARN [is.uppbod.auction.lots:77] - Lot L-44{n} closed with no bids",
    "mojo": "[{mojo}] [12] [warn] Fiskistofa quota lookup slow for vessel 29{n}: 2.{n}s",
    "natsd": "[1] {nats} [WRN] 10.64.{n}.17:5{n}22 - cid:{n}41 - Readloop processing time: 2.{n}s",
}  # fmt: skip


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _line(at: datetime, text: str, pod: str, svc: str) -> str:
    n = int(at.timestamp()) % 71
    return (
        text.replace("{iso_s}", f"{at:%Y-%m-%dT%H:%M:%S}Z")
        .replace("{iso}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z")
        .replace("{clf}", f"{at:%d/%b/%Y:%H:%M:%S}.{at.microsecond // 1000:03d}")
        .replace("{yy}", f"{at:%y-%m-%d %H:%M:%S}")
        .replace("{mojo}", f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 10:05d}")
        .replace("{py}", f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}")
        .replace("{nats}", f"{at:%Y/%m/%d %H:%M:%S}.{at.microsecond:06d}")
        .replace("{redis}", f"{at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d}")
        .replace("{pod}", pod)
        .replace("{svc}", svc)
        .replace("{k}", str(n % 3))
        .replace("{n}", str(n))
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One match of Axiom's query result: Vector's kubernetes_logs event under `data`."""
    tech = estate.node(service).tech
    h = _hex(pod)
    if tech in ("natsd", "redis"):
        name = f"{service}-{int(h[:2], 16) % 3}"
    elif tech == "pyjob":
        name = f"{service}-29{int(h[:4], 16) % 90000:05d}-{h[4:9]}"
    else:
        name = f"{service}-{h[:10]}-{h[10:15]}"
    line = _line(at, text, name, service)
    stream = "stderr" if level == "error" and tech in ("mojo", "timbre") else "stdout"
    ns = f"{int(at.timestamp()):d}{at.microsecond:06d}{int(h[15:17], 16) % 1000:03d}"
    container = tech if tech in ("haproxy", "natsd", "redis") else "main"
    return {
        "_time": f"{at:%Y-%m-%dT%H:%M:%S}.{ns[-9:]}Z",
        "_sysTime": f"{at:%Y-%m-%dT%H:%M:%S}.{(at.microsecond + 412000) % 1000000:06d}Z",
        "_rowId": f"{h[:8]}-{ns}",
        "data": {
            "file": f"/var/log/pods/{NAMESPACE}_{name}_{h[20:28]}/{container}/0.log",
            "kubernetes": {
                "container_name": container,
                "pod_labels": {"app.kubernetes.io/instance": f"uppbod-{service}", "pod-template-hash": h[:10]},
                "pod_name": name,
                "pod_namespace": NAMESPACE,
                "pod_node_name": f"scw-kapsule-par-pool-apps-{h[30:34]}",
            },
            "message": line,
            "source_type": "kubernetes_logs",
            "stream": stream,
        },
    }
