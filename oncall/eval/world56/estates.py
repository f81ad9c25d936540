"""World 56's estate, written after world 55's rules and scored before any rule saw it.

A Brazilian payments company's PIX platform (instant transfers) on virtual machines running Docker Compose
stacks, deployed by GitLab CI through AWX: nginx at the edge, a Spring Boot PIX gateway (Boot 3's console
pattern), a Go ledger (slog's text handler), a Python anti-fraud scorer (loguru, to standard error), a Node
notifier (bunyan's JSON, its levels numbers), PostgreSQL behind a keepalived virtual IP, RabbitMQ, Redis, and
the central bank's DICT (the PIX key directory). The teams log in Portuguese as often as in English.

Every container logs through Docker's splunk logging driver (`splunk-format: inline`, `tag: {{.Name}}`), so
each event's `_raw` is the driver's JSON text, `{"line": ..., "source": "stdout"|"stderr", "tag":
"pagaja-ledger-1"}`: the program's line, its stream, and Compose's container name (project, service, index).
The bundle is Splunk's REST export (`search/jobs/export?output_mode=json`), one result a line, newest
first: `{"preview": false, "offset": N, "result": {"_time": ..., "_raw": ..., "host": ..., ...}}`, the
time in São Paulo's offset (-03:00), every value a string; the host is the VM. Metrics: Prometheus
recording rules by `compose_service`, every 15 s."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: nginx java golang python node postgres rabbitmq redis saas
BRT = timezone(timedelta(hours=-3))


def _signals() -> dict[str, str]:
    sel = 'compose_service="{service}",env="prd"'
    return {
        "request_rate": f"pagaja:http_requests:rate1m{{{sel}}}",
        "error_ratio": f"pagaja:http_requests_errors:ratio_rate1m{{{sel}}}",
        "latency_p99": f"pagaja:http_request_duration_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"pagaja:container_cpu_usage:ratio_limit{{{sel}}}",
        "memory_utilization": f"pagaja:container_memory_working_set:ratio_limit{{{sel}}}",
        "restarts": f"pagaja:container_restarts:increase15m{{{sel}}}",
        "disk_utilization": f'pagaja:host_filesystem_used:ratio{{{sel},mountpoint="/var/lib/docker"}}',
    }


PRD = Estate(
    label="compose_service",
    name="prd",
    namespace="pix",
    shipper="splunk-rest-export",
    signals=_signals(),
    nodes=(
        Node("edge", "nginx", ("pix-gateway",), 300),
        Node("pix-gateway", "java", ("ledger", "antifraud", "dict-api", "redis"), 120),
        Node("ledger", "golang", ("postgres", "rabbitmq"), 150),
        Node("antifraud", "python", ("postgres", "redis"), 120),
        Node("notifier", "node", ("rabbitmq",), 40),
        Node("postgres", "postgres", (), 400),
        Node("rabbitmq", "rabbitmq", (), 200),
        Node("redis", "redis", (), 900),
        Node("dict-api", "saas", (), 60),
    ),
)

ESTATES = {PRD.name: PRD}

BACKGROUND = {
    "nginx": ['10.20.1.{n} - - [{date}] "POST /pix/v1/transferencias HTTP/1.1" 201 312 "-" "okhttp/4.12.0" '
              'rt=0.212 uct=0.001 urt=0.210',
              '10.20.1.{n} - - [{date}] "GET /pix/v1/chaves/+5511999{n} HTTP/1.1" 200 187 "-" "okhttp/4.12.0" '
              'rt=0.048 uct=0.000 urt=0.047'],
    "java": ["b.c.pagaja.pix.TransferenciaService   : Transferência E{n}2026 liquidada em 212 ms",
             "b.c.pagaja.pix.DictClient             : chave consultada no DICT em 41 ms (tipo=PHONE)"],
    "golang": ['msg="lançamento registrado" conta=4412{n} valor_centavos=15000 duracao_ms=7',
               'msg="evento publicado" exchange=lancamentos routing_key=lancamento.criado'],
    "python": ["antifraud.score:score:88 - score=0.07 decisão=APROVAR transação E{n}2026 (12 ms)"],
    "node": ["push enviado para o dispositivo (template=pix_recebido, 84 ms)"],
    "postgres": ["LOG:  checkpoint complete: wrote 2291 buffers (1.7%); write=26.112 s, sync=0.004 s, total=26.180 s"],
    "rabbitmq": ["accepting AMQP connection <0.{n}.0> (10.20.2.14:51234 -> 10.20.3.10:5672)"],
    "redis": ["100 changes in 300 seconds. Saving...", "Background saving terminated with success"],
}  # fmt: skip
NOISE = {
    "java": "b.c.pagaja.pix.DictClient             : DICT respondeu em 1840 ms (acima do esperado) para chave "
            "tipo=EVP",
    "golang": 'msg="retrying publish" attempt=1 err="channel/connection is not open"',
    "node": "template pix_agendado sem tradução para en-US; usando pt-BR",
}  # fmt: skip
IMAGES = {
    "nginx": "nginx:1.27.1",
    "java": "registry.pagaja.example/pix/pix-gateway:7.12.0",
    "golang": "registry.pagaja.example/pix/ledger:4.3.2",
    "python": "registry.pagaja.example/pix/antifraud:2.9.1",
    "node": "registry.pagaja.example/pix/notifier:1.18.0",
    "postgres": "postgres:16.4",
    "rabbitmq": "rabbitmq:3.13.6-management",
    "redis": "redis:7.2.5",
}
HOSTS = {
    "nginx": ("vm-edge-01", "vm-edge-02"),
    "postgres": ("vm-db-01", "vm-db-02"),
    "rabbitmq": ("vm-mq-01",),
    "redis": ("vm-cache-01",),
}
LEVELS = {"info": "INFO", "warn": "WARN", "error": "ERROR"}
BUNYAN = {"info": 30, "warn": 40, "error": 50}
# who writes to standard error: loguru's default sink, PostgreSQL's server log, nginx's error log
STDERR = ("python", "postgres")


def _line(tech: str, at: datetime, level: str, text: str) -> str:
    """The line as the program writes it, in the VMs' zone (São Paulo)."""
    loc = at.astimezone(BRT)
    ms, us = loc.microsecond // 1000, loc.microsecond
    if tech == "nginx":
        if text.startswith("["):  # the error log
            return f"{loc:%Y/%m/%d %H:%M:%S} {text}"
        return text.replace("{date}", f"{loc:%d/%b/%Y:%H:%M:%S} -0300")
    if tech == "java":  # Spring Boot 3's console pattern
        thread = f"nio-8080-exec-{us % 40 + 1}"
        return f"{loc:%Y-%m-%dT%H:%M:%S}.{ms:03d}-03:00 {LEVELS[level]:>5} 1 --- [pix-gateway] [{thread:>15}] {text}"
    if tech == "golang":  # slog's text handler
        return f"time={loc:%Y-%m-%dT%H:%M:%S}.{ms:03d}-03:00 level={LEVELS[level]} {text}"
    if tech == "python":  # loguru's default format
        return f"{loc:%Y-%m-%d %H:%M:%S}.{ms:03d} | {LEVELS[level].replace('WARN', 'WARNING'):<8} | {text}"
    if tech == "node":  # bunyan: the time in UTC
        stamp = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"
        fields = {"name": "notifier", "hostname": "c0ffee1d2e3f", "pid": 1, "level": BUNYAN[level]}
        return json.dumps({**fields, "msg": text, "time": stamp, "v": 0}, ensure_ascii=False)
    if tech == "postgres":
        return f"{loc:%Y-%m-%d %H:%M:%S}.{ms:03d} -03 [{2100 + us % 97}] {text}"
    if tech == "rabbitmq":
        word = {"info": "info", "warn": "warning", "error": "error"}[level]
        return f"{loc:%Y-%m-%d %H:%M:%S}.{us:06d}-03:00 [{word}] <0.{us % 9000}.0> {text}"
    if tech == "redis":
        mark = {"info": "*", "warn": "#", "error": "#"}[level]
        return f"1:M {loc:%d %b %Y %H:%M:%S}.{ms:03d} {mark} {text}"
    return text


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One result of Splunk's export: the docker splunk driver's inline event in `_raw`; the offset and the
    last row's mark are set once the search's rows are ordered (newest first)."""
    tech = estate.node(service).tech
    text = text.replace("{n}", str(int(at.timestamp()) % 97))
    index = int(pod.rsplit("-", 1)[-1]) if pod.rsplit("-", 1)[-1].isdigit() else 1
    hosts = HOSTS.get(tech, ("vm-app-01", "vm-app-02", "vm-app-03", "vm-app-04"))
    host = hosts[int(_hex(pod)[:4], 16) % len(hosts)]
    if text.startswith("host:"):  # the VM's own daemon (keepalived, the kernel) through the host's syslog
        said = text.removeprefix("host:").strip()
        host = hosts[-1]  # the standby, where keepalived moves the address
        raw = f"{at.astimezone(BRT):%b %d %H:%M:%S} {host} {said}"
        source, sourcetype = "/var/log/syslog", "syslog"
    else:
        stream = "stderr" if tech in STDERR or (tech == "nginx" and text.startswith("[")) else "stdout"
        line = _line(tech, at, level, text)
        raw = json.dumps({"line": line, "source": stream, "tag": f"pagaja-{service}-{index}"}, ensure_ascii=False)
        source, sourcetype = "http:docker-splunk-driver", "httpevent"
    loc = at.astimezone(BRT)
    return {
        "preview": False,
        "offset": 0,
        "result": {
            "_bkt": f"pix~{412 + at.day}~4C1F2A7E-9B3D-4E5F-8A1B-2C3D4E5F6A7B",
            "_cd": f"{412 + at.day}:{int(_hex(raw)[:6], 16)}",
            "_indextime": str(int(at.timestamp()) + 2),
            "_raw": raw,
            "_serial": "0",
            "_si": ["idx-01", "pix"],
            "_sourcetype": sourcetype,
            "_time": f"{loc:%Y-%m-%dT%H:%M:%S}.{loc.microsecond // 1000:03d}-03:00",
            "host": host,
            "index": "pix",
            "linecount": "1",
            "source": source,
            "sourcetype": sourcetype,
            "splunk_server": "idx-01",
        },
    }
