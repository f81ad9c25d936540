"""World 37's estate, written after world 36's rules and scored before any rule saw it.

A regional grocery chain's online shop and store systems on virtual machines managed by Ansible (no cluster
files), bundled the plain way DESIGN.md describes by a team whose Filebeat ships **every physical line as
its own record, with no multiline joining**: a Java exception arrives as one record for its header line,
one for the exception, and one for each `\tat ...` frame, all with the header's time; the records carry
**no `level` key at all** (the level is in each program's own text, where it has one). `ts` RFC 3339 with
milliseconds and `Z`; `pod` the VM's short host name (`shop-web-03`). The programs: Spring MVC on Tomcat for
the storefront, cart, pricing and payments (log4j's `%d %p [%t] %c{1.} - %m`), a Django inventory service
(Python's logging), a Go store-sync daemon (logrus's text format), MySQL, memcached and ActiveMQ; the
payment provider is others', seen only through what payments logs. Metrics carry Prometheus' `job`, every
30 s."""

from __future__ import annotations

from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: spring django gosync mysql memcached activemq saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "job:http_server_requests:rate1m",
        "error_ratio": "job:http_server_requests_5xx:ratio1m",
        "latency_p99": "job:http_server_requests_seconds:p99",
        "cpu_utilization": "job:node_cpu_utilisation:avg1m",
        "memory_utilization": "job:node_memory_utilisation:ratio",
        "disk_utilization": "job:node_filesystem_utilisation:ratio",
        "restarts": "job:systemd_service_restarts:increase10m",
    }
    return {k: f'{v}{{job="{{service}}"}}' for k, v in names.items()}


GROCER = Estate(
    label="job",
    name="freshway",
    namespace="shop",
    shipper="filebeat",
    signals=_signals(),
    nodes=(
        Node("storefront", "spring", ("cart", "pricing", "inventory", "cache"), 260),
        Node("cart", "spring", ("pricing", "db", "cache"), 140),
        Node("pricing", "spring", ("db", "cache"), 400),
        Node("payments", "spring", ("psp", "db"), 12),
        Node("inventory", "django", ("db", "mq"), 90),
        Node("storesync", "gosync", ("mq", "inventory"), 25),
        Node("db", "mysql", (), 1800),
        Node("cache", "memcached", (), 5000),
        Node("mq", "activemq", (), 120),
        Node("psp", "saas", (), 12),
    ),
)

ESTATES = {GROCER.name: GROCER}

BACKGROUND = {
    "spring": ["Completed 200 OK in 38ms"],
    "django": ['"GET /api/stock/?store=118&sku=40021 HTTP/1.1" 200 812'],
    "gosync": ["synced 412 sales from store 118 (batch 88213)"],
    "mysql": ["[Note] [MY-010914] [Server] Aborted connection 4412 to db: 'shop' user: 'shop' host: "
              "'10.30.1.12' (Got an error reading communication packets)."],
    "memcached": ["STAT curr_connections 412"],
    "activemq": ["Apache ActiveMQ 5.18.3 (shop-mq-01, ID:shop-mq-01-41233-1768801272-0:1) is running"],
}  # fmt: skip
NOISE = {
    "spring": "Resolved [org.springframework.web.HttpRequestMethodNotSupportedException: Request method 'HEAD' "
    "is not supported]",
    "django": "Not Found: /favicon.ico",
    "gosync": "store 207 did not answer the sync poll; will retry",
}
_LOGGER = {"storefront": "c.f.s.web.ShopController", "cart": "c.f.c.CartService", "pricing": "c.f.p.PromoCalculator",
           "payments": "c.f.pay.CheckoutService"}  # fmt: skip
_WORD = {"debug": "DEBUG", "info": "INFO", "warn": "WARN", "error": "ERROR", "fatal": "FATAL"}


def lines(tech: str, service: str, at: datetime, level: str, text: str) -> list[str]:
    """The physical lines the program writes for one event: a Java exception is its header, the exception and
    its frames on lines of their own (`text` holds them after newlines)."""
    head, *rest = text.split("\n")
    if tech == "spring":
        stamp = f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}"
        return [f"{stamp} {_WORD[level]:<5} [http-nio-8080-exec-7] {_LOGGER[service]} - {head}", *rest]
    if tech == "django":
        return [f"{_WORD[level].replace('WARN', 'WARNING')} {at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} "
                f"{head}", *rest]  # fmt: skip
    if tech == "gosync":
        word = {"warn": "warning", "fatal": "fatal"}.get(level, level)
        return [f'time="{at:%Y-%m-%dT%H:%M:%SZ}" level={word} msg="{head}"', *rest]
    if tech == "mysql" and not head.startswith("["):
        word = {"warn": "Warning", "error": "ERROR", "fatal": "ERROR"}.get(level, "Note")
        return [f"[{word}] {head}", *rest]
    return [head, *rest]


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> list[dict]:
    """The event's physical lines as Filebeat ships them: each a record of its own, with the event's time."""
    tech = estate.node(service).tech
    host = f"shop-{service}-0{pod.split('-')[-1]}"
    ts = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"
    return [{"ts": ts, "service": service, "pod": host, "message": m} for m in lines(tech, service, at, level, text)]
