"""World 32's estate, written after world 31's rules and scored before any rule saw it.

A managed DNS and edge-delivery provider on bare-metal hosts under systemd (no cluster files), bundled the
plain way DESIGN.md describes by a team in Frankfurt whose relay writes `ts` in the hosts' local time with
its offset (RFC 3339 allows it: `2026-12-02T04:41:12.123456+01:00`), `level` as syslog's numeric severity
(`"3"` err, `"4"` warning, `"6"` info), `pod` the host's name, the program's line whole in `message`. The
programs: Apache Traffic Server at the edge (its diags.log), a Go geo-steering service (zap's console
encoder), PowerDNS Authoritative, Knot DNS secondaries, a zone API in Perl's Mojolicious, and geoipupdate run
by a systemd timer. Metrics carry `instance_group`, every 30 s."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from oncall.eval.styled import Estate, Node

# Node.tech: ats zapgo pdns knot mojo timer saas

LOCAL = timezone(timedelta(hours=1))


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "instance_group:requests:rate1m",
        "error_ratio": "instance_group:failed_requests:ratio1m",
        "latency_p99": "instance_group:response_seconds:p99",
        "cpu_utilization": "instance_group:node_cpu_busy:ratio",
        "memory_utilization": "instance_group:node_memory_used:ratio",
        "disk_utilization": "instance_group:node_filesystem_used:ratio",
        "restarts": "instance_group:systemd_unit_restarts:increase10m",
    }
    return {k: f'{v}{{instance_group="{{service}}"}}' for k, v in names.items()}


EDGE = Estate(
    label="instance_group",
    name="zonecast",
    namespace="prod",
    shipper="rsyslog",
    signals=_signals(),
    nodes=(
        Node("edge", "ats", ("origins", "steering", "ca"), 3000),
        Node("steering", "zapgo", ("auth-dns",), 800),
        Node("auth-dns", "pdns", (), 5000),
        Node("secondaries", "knot", ("auth-dns",), 4000),
        Node("zone-api", "mojo", ("auth-dns",), 20),
        Node("geoip-updater", "timer", ("maxmind",), 0.1),
        Node("origins", "saas", (), 400),
        Node("ca", "saas", (), 2),
        Node("maxmind", "saas", (), 0.1),
    ),
)

ESTATES = {EDGE.name: EDGE}

BACKGROUND = {
    "ats": ["[ET_NET 3] cache hit ratio 0.94 over the last 60 s"],
    "zapgo": ['steered query	{"qname": "www.customer.example.", "pool": "eu-central", "ms": 0.3}'],
    "pdns": ["Queued notification of domain 'customer.example' to 10.20.0.11:53"],
    "knot": ["[customer.example.] refresh, remote primary, zone is up-to-date, serial 2026120207"],
    "mojo": ["POST /v1/zones/customer.example/records (201)"],
    "timer": ["Database GeoLite2-City up to date"],
}
NOISE = {
    "ats": "[ET_NET 1] Connection to origin 203.0.113.7 closed before response header was sent",
    "pdns": "Received NOTIFY for customer.example from 10.20.0.5 which is not a master",
    "mojo": 'Can\'t locate template "zones/help" in @INC',
}
SYSLOG = {"debug": "7", "info": "6", "warn": "4", "error": "3", "fatal": "2"}


def line(tech: str, at: datetime, level: str, text: str) -> str:
    """The line as the program writes it, in the host's local time."""
    t = at.astimezone(LOCAL)
    ms = f"{t.microsecond // 1000:03d}"
    if tech == "ats":
        word = {"warn": "WARNING", "fatal": "FATAL", "error": "ERROR", "debug": "DEBUG"}.get(level, "NOTE")
        head, _, rest = text.partition("] ")
        return (
            f"[{t:%b %e %H:%M:%S}.{ms}] {head}] {word}: {rest}" if rest else f"[{t:%b %e %H:%M:%S}.{ms}] {word}: {text}"
        )
    if tech == "zapgo":
        msg, _, fields = text.partition("\t")
        return f"{t:%Y-%m-%dT%H:%M:%S}.{ms}+0100\t{level.upper()}\tsteering/geo.go:88\t{msg}" + (
            f"\t{fields}" if fields else ""
        )
    if tech == "pdns":
        return text
    if tech == "knot":
        word = {"warn": "warning", "fatal": "critical"}.get(level, level)
        return f"{t:%Y-%m-%dT%H:%M:%S}+0100 {word}: {text}"
    if tech == "mojo":
        return f"[{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 10:05d}] [4411] [{level}] {text}"
    if tech == "timer":
        return f"geoipupdate[{2200 + at.minute}]: {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the relay keeps it: local time with its offset, syslog's numeric severity."""
    t = at.astimezone(LOCAL)
    host = f"{service}-{pod.rsplit('-', 1)[-1]}.fra1"
    return {
        "ts": t.isoformat(timespec="microseconds"),
        "service": service,
        "pod": host,
        "level": SYSLOG[level],
        "message": line(estate.node(service).tech, at, level, text),
    }
