"""World 24's estate, written after world 23's rules and scored before any rule saw it.

A news publisher on Kubernetes, bundled the plain way DESIGN.md describes by a team whose collector
files every line under syslog's severity names (`level`: `crit`, `err`, `warning`, `notice`, `info`),
`ts` to the second with no fraction, and each program's line whole in `message`: Varnish's
varnishncsa, WordPress's PHP error log under php-fpm, imgproxy's logfmt-like lines, Node's winston JSON,
gunicorn with Python's logging, MySQL 8's error log, CoreDNS's log plugin and memcached's verbose lines.
Metrics are recording rules named in the `app:` style and labelled `app`, every 30 s."""

from __future__ import annotations

import json
from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: varnish php imgproxy node python mysql coredns memcached saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "app:http_requests:rate2m",
        "error_ratio": "app:http_5xx:ratio_rate2m",
        "latency_p99": "app:http_latency_seconds:p99_2m",
        "cpu_utilization": "app:cpu_usage:ratio_of_request",
        "memory_utilization": "app:memory_rss:ratio_of_limit",
        "restarts": "app:restarts:increase5m",
    }
    return {k: f'{v}{{app="{{service}}"}}' for k, v in names.items()}


NEWS = Estate(
    label="app",
    name="newsroom",
    namespace="web",
    shipper="fluentd",
    signals=_signals(),
    nodes=(
        Node("varnish", "varnish", ("wordpress", "images", "paywall"), 1800),
        Node("wordpress", "php", ("mysql", "memcached", "search-api", "coredns"), 220),
        Node("images", "imgproxy", ("media-bucket",), 640),
        Node("paywall", "node", ("identity", "mysql", "coredns"), 300),
        Node("search-api", "python", ("recs-store", "coredns"), 90),
        Node("mysql", "mysql", (), 900),
        Node("memcached", "memcached", (), 2400),
        Node("recs-store", "mysql", (), 160),
        Node("coredns", "coredns", (), 3000),
        Node("identity", "saas", (), 300),
        Node("media-bucket", "saas", (), 640),
    ),
)

ESTATES = {NEWS.name: NEWS}

BACKGROUND = {
    "varnish": ["GET /2026/05/04/markets-rally/ 200"],
    "php": ['10.4.2.9 -  04/May/2026:10:11:12 +0000 "GET /index.php" 200'],
    "imgproxy": ["Completed in 41.2ms /insecure/rs:fit:1200:0/plain/s3://media/2026/05/lead.jpg status=200"],
    "node": ["entitlement checked"],
    "python": ['"GET /v1/search?q=election HTTP/1.1" 200 1822'],
    "mysql": [
        "[Note] [MY-010914] [Server] Aborted connection 88121 to db: 'wp' user: 'wp' host: '10.4.2.9' "
        "(Got timeout reading communication packets)."
    ],
    "coredns": [
        '[INFO] 10.4.2.9:40211 - 12121 "A IN mysql.web.svc.cluster.local. udp 49 false 512" NOERROR '
        "qr,aa,rd 98 0.000131s"
    ],
    "memcached": ["<28 get wp_:options:alloptions"],
}
NOISE = {
    "php": 'PHP Warning:  Undefined array key "utm_source" in '
    "/var/www/html/wp-content/themes/daily/functions.php on line 212",
    "node": "entitlement cache miss",
    "mysql": "[Warning] [MY-010055] [Server] IP address '10.4.7.3' could not be resolved: Name or service not known",
}


def line(tech: str, at: datetime, pod: str, level: str, text: str) -> str:
    """The line as the program writes it."""
    if tech == "varnish":  # varnishncsa's default format
        if text[:1] in "GP" and text.split(" ")[-1].isdigit():
            req, status = text.rsplit(" ", 1)
            stamp = f"{at:%d/%b/%Y:%H:%M:%S +0000}"
            return f'10.4.0.{at.second} - - [{stamp}] "{req} HTTP/1.1" {status} 48211 "-" "Mozilla/5.0"'
        return text
    if tech == "php":  # php-fpm's access line, or WordPress's PHP error log
        if text.startswith("10."):
            return text
        return f"[{at:%d-%b-%Y %H:%M:%S} UTC] {text}"
    if tech == "imgproxy":
        return f'time="{at:%Y-%m-%dT%H:%M:%SZ}" level={level} msg="{text}"'
    if tech == "node":  # winston's JSON format
        doc: dict = {"level": level, "message": text, "service": "paywall", "timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.000Z"}
        if " :: " in text:
            doc["message"], doc["error"] = text.split(" :: ", 1)
        return json.dumps(doc)
    if tech == "python":  # gunicorn's access log, or the app's logging
        if text.startswith('"'):
            return f"10.4.3.2 - - [{at:%d/%b/%Y:%H:%M:%S +0000}] {text}"
        return f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d} {level.upper()} [search.api] {text}"
    if tech == "mysql":
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z 0 {text}"
    return text


SEVERITY = {"error": "err", "warn": "warning", "info": "info"}


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the team's bundle keeps it."""
    tech = estate.node(service).tech
    if tech in ("mysql", "memcached"):
        pod = f"{service}-{sum(map(ord, pod)) % 2}"
    sev = SEVERITY.get(level, level)
    if text.startswith("!crit "):  # a line the program files as critical
        text, sev = text[6:], "crit"
    return {
        "ts": f"{at:%Y-%m-%dT%H:%M:%SZ}",
        "service": service,
        "pod": pod,
        "level": sev,
        "message": line(tech, at, pod, level, text),
    }
