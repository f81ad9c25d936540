"""World 35's estate, written after world 34's rules and scored before any rule saw it.

A programmable-voice provider (calls and SMS through a REST API, like the public CPaaS companies) on Docker
Swarm across bare-metal hosts (no cluster files), bundled the plain way DESIGN.md describes by a Fluentd
aggregator on the hosts: `ts` each record's time in the hosts' zone, **Europe/Paris with its `+01:00` offset**
(`2026-01-19T05:41:12.123+01:00`); `service` the **Swarm service's name with its stack's prefix**
(`voice_sbc`, as Docker's log driver gives it, while the catalog calls it `sbc`); `pod` the Swarm task's
container (`voice_sbc.2.k3j2...`); `level` **only where Fluentd's parser for the program found one** (the
Node API's pino label, Celery's level word): the telephony programs' lines carry their level in their own
text and the record has no `level` key at all. The programs: Kamailio at the SIP edge, rtpengine relaying
media, FreeSWITCH running calls, a Node REST API, Celery workers delivering status callbacks, a Python
transcription service, RabbitMQ, PostgreSQL for call records and Redis; the PSTN carrier and the
speech-to-text vendor are others', seen only through what the platform logs about them. Metrics are
cAdvisor's and the programs' exporters' through recording rules keyed by Swarm's
`service_name="voice_<name>"`, every 15 s for traffic and every 60 s for the hosts' resources."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from oncall.eval.styled import Estate, Node

# Node.tech: kamailio rtpengine freeswitch node celery py rabbitmq postgres redis saas

STACK = "voice"
PARIS = timedelta(hours=1)  # the hosts' zone in January (CET)


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "swarm_service:requests:rate1m",
        "error_ratio": "swarm_service:failures:ratio1m",
        "latency_p99": "swarm_service:response_seconds:p99_1m",
        "cpu_utilization": "swarm_service:container_cpu_usage:ratio",
        "memory_utilization": "swarm_service:container_memory_working_set:ratio",
        "disk_utilization": "swarm_service:host_volume_used:ratio",
        "restarts": "swarm_service:task_restarts:increase10m",
    }
    return {k: f'{v}{{service_name="{STACK}_{{service}}"}}' for k, v in names.items()}


VOICE = Estate(
    label="service_name",
    name="callwave",
    namespace="voice",
    shipper="fluentd",
    signals=_signals(),
    nodes=(
        Node("sbc", "kamailio", ("media", "switch", "carrier"), 220),
        Node("media", "rtpengine", (), 220),
        Node("switch", "freeswitch", ("api", "cdrdb", "transcribe"), 180),
        Node("api", "node", ("cdrdb", "cache", "broker"), 600),
        Node("webhooks", "celery", ("broker", "cdrdb"), 350),
        Node("transcribe", "py", ("stt", "broker"), 40),
        Node("broker", "rabbitmq", (), 900),
        Node("cdrdb", "postgres", (), 1400),
        Node("cache", "redis", (), 2500),
        Node("carrier", "saas", (), 200),
        Node("stt", "saas", (), 40),
    ),
)

ESTATES = {VOICE.name: VOICE}

BACKGROUND = {
    "kamailio": [" 9(2871) NOTICE: <script>: INVITE sip:+4930901820@carrier.example from 10.20.1.14 routed to "
                 "switch 10.20.3.7:5080"],
    "rtpengine": ["INFO: [7f3c1e5a9b2d4e6f]: [core] Final packet stats: --- SSRC 3912873 : 8812 packets, "
                  "0 lost"],
    "freeswitch": ["[NOTICE] switch_channel.c:1142 New Channel sofia/external/+4930901820@carrier.example "
                   "[6a0f2b1c-9d3e-4f5a-8b7c-1d2e3f4a5b6c]"],
    "node": ["POST /2010-04-01/Accounts/AC5f1e/Calls.json 201 84ms"],
    "celery": ["Task webhooks.deliver_status[5c9f0a12-33b1-4d2e-9f81-0a1b2c3d4e5f] succeeded in 0.08s: 204"],
    "py": ["transcription tr_88213 completed in 2.4s (31 s of audio)"],
    "rabbitmq": ["accepting AMQP connection <0.28812.3> (10.20.4.21:51234 -> 10.20.5.3:5672)"],
    "postgres": ["LOG:  checkpoint complete: wrote 2231 buffers (1.7%); 0 WAL file(s) added, 0 removed, "
                 "3 recycled; write=26.9 s, sync=0.004 s, total=27.0 s"],
    "redis": ["1:M 19 Jan 2026 05:41:12.123 * 100 changes in 300 seconds. Saving..."],
}  # fmt: skip
NOISE = {
    "kamailio": " 11(2873) WARNING: <core> [core/msg_translator.c:2866]: via_builder(): TCP/TLS connection "
    "(id: 0) for SIP message not found",
    "postgres": "LOG:  could not receive data from client: Connection reset by peer",
    "node": "request aborted by the client after 30000ms: GET /2010-04-01/Accounts/AC5f1e/Recordings.json",
}
_LEVEL_WORD = {"debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR", "fatal": "CRITICAL"}
_PINO = {"debug": "debug", "info": "info", "warn": "warn", "error": "error", "fatal": "fatal"}


def line(tech: str, at: datetime, level: str, text: str) -> str:
    """The line as the program writes it: each telephony program names its level in its own way."""
    if tech == "kamailio" and not text.startswith(" "):
        word = {"warn": "WARNING", "error": "ERROR", "fatal": "CRITICAL"}.get(level, "NOTICE")
        return f" 9(2871) {word}: {text}"
    if tech == "rtpengine" and not text[:4].isupper():
        word = {"warn": "WARNING", "error": "ERR", "fatal": "CRIT"}.get(level, "INFO")
        return f"{word}: {text}"
    if tech == "freeswitch" and not text.startswith("["):
        word = {"warn": "WARNING", "error": "ERR", "fatal": "CRIT"}.get(level, "NOTICE")
        return f"[{word}] {text}"
    if tech == "postgres" and not text.startswith(("LOG:", "WARNING:", "ERROR:", "FATAL:", "PANIC:")):
        word = {"warn": "WARNING", "error": "ERROR", "fatal": "PANIC"}.get(level, "LOG")
        return f"{word}:  {text}"
    if tech == "rabbitmq":
        word = {"warn": "warning", "error": "error", "fatal": "critical"}.get(level, "info")
        return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}+00:00 [{word}] <0.812.0> {text}"
    if tech == "redis" and not text.startswith("1:M"):
        mark = {"warn": "#", "error": "#"}.get(level, "*")
        return f"1:M {at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d} {mark} {text}"
    return text


def _task(service: str, pod: str) -> str:
    slot = pod.split("-")[-1]
    digest = hashlib.sha1(f"{service}.{slot}".encode()).hexdigest()[:25]
    return f"{STACK}_{service}.{slot}.{digest}"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One line as the Fluentd aggregator writes it: the hosts' local time with its offset, the Swarm names,
    and a level only for the programs whose parser finds one."""
    tech = estate.node(service).tech
    local = at + PARIS
    rec: dict[str, str] = {
        "ts": f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}+01:00",
        "service": f"{STACK}_{service}",
        "pod": _task(service, pod),
    }
    if tech == "node":
        rec["level"] = _PINO[level]
    elif tech in ("celery", "py"):
        rec["level"] = _LEVEL_WORD[level]
    rec["message"] = line(tech, at, level, text)
    return rec
