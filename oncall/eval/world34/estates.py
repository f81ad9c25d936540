"""World 34's estate, written after world 33's rules and scored before any rule saw it.

A university's learning platform (Moodle) on virtual machines managed by Puppet (no cluster files), bundled
the plain way DESIGN.md describes by a team whose rsyslog template writes `ts` as `%timereported%` in the
hosts' UTC without a zone or a `T` (`2026-12-02 04:41:12.123456`), `level` as rsyslog's
`facility.severity` (`local0.err`, `daemon.warning`, `user.info`), `pod` the host's full name
(`web-03.lms.uni.example`), the program's line whole in `message`. The programs: HAProxy at the edge, Moodle on
PHP-FPM (PHP's error log: `PHP Warning:  text in /var/www/moodle/... on line 88`, and Moodle's own debugging
lines), Moodle's cron (PHP CLI), MariaDB Galera (its error log: `2026-12-02  4:41:12 0 [Note] WSREP: ...`),
Redis for sessions, the NFS file store (kernel and rpc lines) and ClamAV's clamd; Active Directory and the
proctoring service are the university's and a vendor's, seen only through what the platform logs about
them. Metrics carry Puppet's `role`, every 15 s."""

from __future__ import annotations

from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: haproxy php cron galera redis nfs clamd saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "role:requests:rate5m",
        "error_ratio": "role:responses_5xx:ratio5m",
        "latency_p99": "role:request_duration_seconds:p99_5m",
        "cpu_utilization": "role:node_cpu_busy:avg5m",
        "memory_utilization": "role:node_memory_used:ratio",
        "disk_utilization": "role:node_filesystem_used:ratio",
        "restarts": "role:systemd_unit_restarts:increase15m",
    }
    return {k: f'{v}{{role="{{service}}"}}' for k, v in names.items()}


LMS = Estate(
    label="role",
    name="lms",
    namespace="prod",
    shipper="rsyslog",
    signals=_signals(),
    nodes=(
        Node("lb", "haproxy", ("web",), 400),
        Node("web", "php", ("db", "sessions", "filestore", "clamd", "ad", "proctor"), 400),
        Node("cron", "cron", ("db", "filestore"), 2),
        Node("db", "galera", (), 2500),
        Node("sessions", "redis", (), 900),
        Node("filestore", "nfs", (), 300),
        Node("clamd", "clamd", (), 8),
        Node("ad", "saas", (), 30),
        Node("proctor", "saas", (), 15),
    ),
)

ESTATES = {LMS.name: LMS}

BACKGROUND = {
    "haproxy": ['10.8.0.14:51234 [02/Dec/2026:04:41:12.123] moodle~ web/web-02 0/0/1/84/85 200 5123 - - ---- '
                '312/310/2/1/0 0/0 "GET /course/view.php?id=2231 HTTP/1.1"'],
    "php": ["Course 2231 viewed by user 88213"],
    "cron": ["Scheduled task complete: Update overview of courses (\\core\\task\\course_overview)"],
    "galera": ["[Note] WSREP: Member 2.0 (db-03) synced with group."],
    "redis": ["DB 0: 18422 keys (18422 volatile) in 32768 slots HT."],
    "nfs": ["nfsd: last server has exited, flushing export cache"],
    "clamd": ["SelfCheck: Database status OK."],
}  # fmt: skip
NOISE = {
    "php": "PHP Notice:  Undefined index: theme in /var/www/moodle/theme/boost/lib.php on line 412",
    "galera": "[Warning] Aborted connection 4412 to db: 'moodle' user: 'moodle' host: '10.8.1.12' (Got timeout "
    "reading communication packets)",
    "haproxy": "Server web/web-04 is DOWN for maintenance.",
}
FACILITY = {"haproxy": "local0", "php": "local1", "cron": "local1", "galera": "daemon", "redis": "daemon",
            "nfs": "kern", "clamd": "daemon"}  # fmt: skip
SEVERITY = {"debug": "debug", "info": "info", "warn": "warning", "error": "err", "fatal": "crit"}


def line(tech: str, at: datetime, level: str, text: str) -> str:
    """The line as the program writes it (PHP's error log names its level in words; the rest their own way)."""
    if tech == "php" and not text.startswith("PHP "):
        word = {"warn": "PHP Warning", "error": "PHP Fatal error", "fatal": "PHP Fatal error"}.get(level)
        return f"{word}:  {text}" if word else text
    if tech == "galera":
        if text.startswith("["):
            return f"{at:%Y-%m-%d} {at.hour:2d}:{at:%M:%S} 0 {text}"
        word = {"warn": "Warning", "error": "ERROR", "fatal": "ERROR"}.get(level, "Note")
        return f"{at:%Y-%m-%d} {at.hour:2d}:{at:%M:%S} 0 [{word}] {text}"
    if tech == "redis":
        mark = {"warn": "#", "error": "#", "debug": "."}.get(level, "*")
        return f"1187:M {at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d} {mark} {text}"
    if tech == "clamd":
        return f"{at:%a %b %e %H:%M:%S %Y} -> {text}"
    return text


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the rsyslog template writes it: reported time without a zone, facility.severity."""
    tech = estate.node(service).tech
    host = f"{service}-0{pod.split('-')[-1]}.lms.uni.example"
    return {
        "ts": f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}",
        "service": service,
        "pod": host,
        "level": f"{FACILITY[tech]}.{SEVERITY[level]}",
        "message": line(tech, at, level, text),
    }
