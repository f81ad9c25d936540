"""World 95's estate, written after world 94's rules and scored before any rule saw it.

A São Paulo contact centre's platform ("Fala Aí Atendimento": customers of its clients call, or write on WhatsApp,
and agents answer in a web softphone) on Docker Swarm across three VMs in a São Paulo data centre: Traefik in front
(Swarm provider), Asterisk (PJSIP) for the calls, an Elixir/Phoenix agent API (queues, the softphone's channel,
Asterisk's AMI events), the clients' CRM in Django, a Node IVR ("URA"), a Go WhatsApp gateway, a Go recordings
uploader, PostgreSQL and Redis as Swarm services; the carrier's SIP trunk, Meta's WhatsApp Cloud API and Wasabi's
object storage outside.

Logs: every container logs through Docker's `journald` driver, and the team reads them with `journalctl -o json`
on each node, one JSON object a line, every value a string: `__REALTIME_TIMESTAMP` (microseconds), `_HOSTNAME`,
`_SYSTEMD_UNIT` (docker.service for every line: dockerd wrote them all), `_COMM` (dockerd), `SYSLOG_IDENTIFIER` and
`CONTAINER_TAG` (the driver's default tag, the container's short ID), `CONTAINER_ID`, `CONTAINER_NAME` as Swarm
names a task's container (`atende_crm.2.x9k2m4p7q1w3e5r8t0y6u2i4o`), `IMAGE_NAME`, `MESSAGE` and `PRIORITY`, which
says only the stream: 6 for what the program wrote to stdout, 3 for stderr (Python's logging, PostgreSQL and the Go
services write everything to stderr, warnings and requests alike). What is in a line is each program's own, its
times Brasília's (UTC-3) where it writes local time, some without a date. Metrics: Prometheus over cAdvisor and the
services' exporters, by `container_label_com_docker_swarm_service_name` (`atende_crm`)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

BRT = timedelta(hours=-3)
STACK = "atende"
NODES = ("swarm-sp-01", "swarm-sp-02", "swarm-sp-03")
CLIENTS = ("clinica-vida", "seguros-horizonte", "telecom-norte", "varejo-pinheiros")


def _signals() -> dict[str, str]:
    sel = 'container_label_com_docker_swarm_service_name="atende_{service}"'
    return {
        "request_rate": f"swarm_service:requests:rate1m{{{sel}}}",
        "error_ratio": f"swarm_service:requests_failed:ratio_rate1m{{{sel}}}",
        "latency_p99": f"swarm_service:request_duration_seconds:p99_1m{{{sel}}}",
        "cpu_utilization": f"swarm_service:container_cpu_usage:ratio_limit{{{sel}}}",
        "memory_utilization": f"swarm_service:container_memory_usage:ratio_limit{{{sel}}}",
        "disk_utilization": f"swarm_service:volume_used:ratio{{{sel}}}",
        "pool_utilization": f"swarm_service:db_connections:ratio_max{{{sel}}}",
        "restarts": f"swarm_service:task_restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="container_label_com_docker_swarm_service_name",
    name="atende",
    namespace=STACK,
    shipper="docker-journald-journalctl-json",
    signals=_signals(),
    nodes=(
        Node("traefik", "traefik", ("agent-api", "crm", "whatsapp-gw"), 180),
        Node("asterisk", "asterisk", ("ura", "agent-api", "sip-trunk", "recordings"), 60),
        Node("agent-api", "phoenix", ("postgres", "redis", "crm", "asterisk"), 140),
        Node("crm", "django", ("postgres", "redis"), 90),
        Node("ura", "pino", ("crm", "redis"), 50),
        Node("whatsapp-gw", "slog", ("whatsapp-cloud", "agent-api", "redis"), 30),
        Node("recordings", "logrus", ("wasabi",), 8),
        Node("postgres", "postgres", (), 500),
        Node("redis", "redis", (), 1200),
        Node("sip-trunk", "saas", (), 60),
        Node("whatsapp-cloud", "saas", (), 30),
        Node("wasabi", "saas", (), 8),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "traefik": ['{"ClientHost":"177.{n}.{k}.{n}","DownstreamStatus":200,"Duration":{n}{k}00000,'
                '"RequestMethod":"GET","RequestPath":"/api/agents/me/queue","ServiceName":"agent-api@swarm",'
                '"level":"info","msg":"","time":"{iso}"}',
                '{"ClientHost":"177.{k}.{n}.{k}{n}","DownstreamStatus":200,"Duration":{k}{n}000000,'
                '"RequestMethod":"GET","RequestPath":"/crm/clientes/{k}{n}{k}","ServiceName":"crm@swarm",'
                '"level":"info","msg":"","time":"{iso}"}'],
    "asterisk": ["[{n}{k}1][C-0000{k}{n}a1] pbx.c: Executing [s@ura-{client}:{k}] Queue(\"PJSIP/tronco-0000{n}{k}1a\", "
                 "\"fila-{client},tT,,,300\") in new stack",
                 "[{n}{k}2][C-0000{n}{k}b2] app_queue.c: PJSIP/agente-{k}{n}-0000{k}{n}3f answered "
                 "PJSIP/tronco-0000{n}{k}1a"],
    "phoenix": ["request_id=F{h8} | GET /api/agents/me/queue",
                "AMI event AgentConnect queue=fila-{client} agent=agente-{k}{n} holdtime={k}"],
    "django": ["django.request GET /crm/clientes/{k}{n}{k} 200 {n}{k} ms",
               "crm.screenpop screen pop served for call C-0000{k}{n}a1 ({client})"],
    "pino": ['{"level":30,"time":{ms},"pid":1,"hostname":"{cid}","call":"C-0000{k}{n}a1","msg":"menu option '
             '{k} chosen"}'],
    "slog": ['{"time":"{iso}","level":"INFO","msg":"message delivered","wamid":"wamid.HBgM{h8}","client":'
             '"{client}"}'],
    "logrus": ['msg="recording uploaded" file=/spool/C-0000{k}{n}a1.wav bytes={n}{k}4301'],
    "postgres": ["LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); 0 WAL file(s) added, 0 removed, {k} "
                 "recycled; write={n}.{k}01 s, sync=0.00{k} s, total={n}.{k}12 s"],
    "redis": ["* {k}{n} changes in 300 seconds. Saving...", "* Background saving terminated with success"],
}  # fmt: skip
NOISE = {
    "asterisk": "NOTICE[{n}{k}3] res_pjsip/pjsip_distributor.c: Request 'REGISTER' from '<sip:{k}{n}0@177.{k}.{n}.9>' "
    "failed for '177.{k}.{n}.9:5060' (callid: {h8}) - No matching endpoint found",
    "django": "django.request Not Found: /crm/wp-login.php",
    "phoenix": "request_id=F{h8} | softphone socket closed by client agente-{k}{n} (tab closed)",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{client}", CLIENTS[int(h[:2], 16) % len(CLIENTS)])
        .replace("{h8}", h[40:48])
        .replace("{cid}", h[:12])
        .replace("{ms}", str(int(at.timestamp() * 1000)))
        .replace("{iso}", at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z")
    )


# stdout (6) or stderr (3): where each program writes, whatever it says
STDERR = {"django", "postgres", "slog", "logrus"}
WORDS = {
    "asterisk": {"error": "ERROR", "warn": "WARNING", "info": "VERBOSE", "debug": "DEBUG"},
    "phoenix": {"error": "error", "warn": "warning", "info": "info", "debug": "debug"},
    "django": {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"},
    "logrus": {"error": "error", "warn": "warning", "info": "info", "debug": "debug"},
}


def _message(tech: str, at: datetime, level: str, said: str) -> str:
    """The line as the program wrote it."""
    local = at + BRT
    ms = f"{at.microsecond // 1000:03d}"
    word = WORDS.get(tech, {}).get(level, "")
    if tech == "asterisk":  # its console log, local time; its word for the level (NOTICE when a line says so)
        return f"[{local:%Y-%m-%d %H:%M:%S}] {'' if said[:1].isupper() else word}{said}"
    if tech == "phoenix":  # Elixir Logger's console format: the time of day only, local; metadata, then the level
        meta, _, body = said.rpartition(" | ")
        return f"{local:%H:%M:%S}.{ms} {meta + ' ' if meta else ''}[{word}] {body}"
    if tech == "django":  # logging's `%(asctime)s %(levelname)s %(name)s %(message)s`, local time
        return f"{local:%Y-%m-%d %H:%M:%S},{ms} {word} {said}"
    if tech == "postgres":  # the container's clock is UTC
        return f"{at:%Y-%m-%d %H:%M:%S}.{ms} UTC [{int(at.timestamp()) % 900 + 60}] {said}"
    if tech == "redis":
        return f"1:M {at:%d %b %Y %H:%M:%S}.{ms} {said}"
    if tech == "logrus":
        return f'time="{at:%Y-%m-%dT%H:%M:%SZ}" level={word} {said}'
    return said  # Traefik's, pino's and slog's JSON as written


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One journal entry of the container's line, as `journalctl -o json` prints it."""
    node = estate.node(service)
    slot, task = pod.rsplit("-", 2)[1:]
    cid = _hex(STACK, service, slot, task)
    h = _hex(service, pod, str(at.timestamp()), text)
    said = _fill(at, text.replace("{cid}", cid[:12]), h)
    host = NODES[int(cid[:2], 16) % len(NODES)]
    us = int(at.timestamp() * 1_000_000)
    image = {"postgres": "postgres:16.4", "redis": "redis:7.2.5", "traefik": "traefik:v3.1.2"}.get(
        node.tech, f"registry.falaai.com.br/atende/{service}"
    )
    return {
        "__CURSOR": f"s={cid[:32]};i={us % 0xFFFFFF:x};b={_hex(host)[:32]};m={us % 0xFFFFFFFF:x};t={us:x};x={h[:16]}",
        "__REALTIME_TIMESTAMP": str(us),
        "__MONOTONIC_TIMESTAMP": str(us % 9_000_000_000_000),
        "_BOOT_ID": _hex(host)[:32],
        "_MACHINE_ID": _hex("machine", host)[:32],
        "_HOSTNAME": host,
        "_TRANSPORT": "journal",
        "_UID": "0",
        "_GID": "0",
        "_COMM": "dockerd",
        "_EXE": "/usr/bin/dockerd",
        "_CMDLINE": "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock",
        "_PID": "1123",
        "_SYSTEMD_CGROUP": "/system.slice/docker.service",
        "_SYSTEMD_UNIT": "docker.service",
        "_SYSTEMD_SLICE": "system.slice",
        "PRIORITY": "3" if node.tech in STDERR else "6",
        "SYSLOG_IDENTIFIER": cid[:12],
        "CONTAINER_TAG": cid[:12],
        "CONTAINER_ID": cid[:12],
        "CONTAINER_ID_FULL": cid,
        "CONTAINER_NAME": f"{STACK}_{service}.{slot}.{task}",
        "IMAGE_NAME": f"{image}@sha256:{_hex('image', image)}",
        "MESSAGE": _message(node.tech, at, level, said),
    }
