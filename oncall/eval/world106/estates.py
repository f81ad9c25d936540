"""World 106's estate, written after world 105's rules and scored before any rule saw it.

A Montréal French-language e-learning platform ("Érable": CEGEPs and school boards publish courses, students watch
lessons and hand in work) on bare-metal Kubernetes: OpenResty in front (nginx's error log, Lua's messages in it),
the course API in Scala on Pekko HTTP (Pekko's default log line, its date month first), Ory Hydra for sign-in (Go,
logrus' JSON), `media` on uWSGI and Django (uWSGI's request lines, Django's `levelname:logger:message`), `jobs`
(Dramatiq workers transcoding uploads), Typesense for course search (glog's lines), CouchDB for students' progress,
Ceph's RADOS gateway for the videos; Mux outside.

Logs: Grafana Alloy ships every pod's lines to Loki 3; the team's export script pages through the window with the
query_range API (`{namespace="erable"}`, forward, 400 entries a page) and keeps each response whole, one a line:
`data.result` a list of streams, each its labels (Loki 3's `service_name` and `detected_level` among them) and its
`values`, pairs of the time in epoch nanoseconds (a string) and the line. Metrics: Prometheus recording rules by
`job` (`erable/api`)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from oncall.eval.styled import Estate, Node

MTL = ZoneInfo("America/Toronto")  # Montréal's clocks
SCHOOLS = ("dawson", "vanier", "maisonneuve", "ahuntsic", "rosemont", "marie-victorin", "bois-de-boulogne")
PAGE = 400


def _signals() -> dict[str, str]:
    sel = 'job="erable/{service}"'
    return {
        "request_rate": f"job:http_requests:rate2m{{{sel}}}",
        "error_ratio": f"job:http_requests_5xx:ratio_rate2m{{{sel}}}",
        "latency_p99": f"job:http_request_duration_seconds:p99_2m{{{sel}}}",
        "cpu_utilization": f"job:container_cpu:ratio_request{{{sel}}}",
        "memory_utilization": f"job:container_memory_working_set:ratio_limit{{{sel}}}",
        "disk_utilization": f"job:volume_used:ratio_capacity{{{sel}}}",
        "pool_utilization": f"job:workers_busy:ratio{{{sel}}}",
        "restarts": f"job:kube_pod_restarts:increase15m{{{sel}}}",
    }


PROD = Estate(
    label="job",
    name="erable",
    namespace="erable",
    shipper="loki-query-range-pages",
    signals=_signals(),
    nodes=(
        Node("web", "openresty", ("api", "media", "auth"), 120),
        Node("api", "pekko", ("couchdb", "search", "auth"), 90),
        Node("auth", "hydra", (), 15),
        Node("media", "uwsgi", ("rgw", "mux", "jobs"), 25),
        Node("jobs", "dramatiq", ("rgw", "mux"), 6),
        Node("search", "typesense", (), 40),
        Node("couchdb", "couchdb", (), 300),
        Node("rgw", "rgw", (), 80),
        Node("mux", "saas", (), 5),
    ),
)

ESTATES = {PROD.name: PROD}

# Pekko's lines are "logger|message"; Dramatiq's "actor|message"; Django's "logger|message"
BACKGROUND = {
    "openresty": ["*{n}{k}{n} [lua] session.lua:{k}{n}: session refreshed for {school}, client: 10.44.{k}.{n}, "
                  "server: cours.erable.ca, request: \"GET /cours/{n}{k} HTTP/2.0\", host: \"cours.erable.ca\""],
    "pekko": ["ca.erable.api.CourseRoutes|GET /v2/cours/{n}{k} -> 200 ({k}{n} ms)",
              "ca.erable.api.progress.ProgressStore|progression enregistrée pour l'étudiant {n}{k}{n} (cours {k}{n})"],
    "hydra": ["completed handling request|200",
              "access token introspected|200"],
    "uwsgi": ["[pid: {k}{n}|app: 0|req: {n}{k}/{k}{n}{k}] 10.44.{k}.{n} () {44 vars in 9{n}{k} bytes} [{ctime}] "
              "GET /media/lecons/{n}{k}/manifest => generated {k}{n}{k} bytes in {n} msecs (HTTP/1.1 200) 6 headers "
              "in 2{n}{k} bytes (1 switches on core 0)"],
    "dramatiq": ["transcode.worker|lesson {n}{k}{n} transcoded in {k}{n}.{k}s (1080p, 720p, 480p), errors=0"],
    "typesense": ["raft_server.cpp:5{n}{k}] Term: 4, last_index index: {n}{k}{n}{k}, committed_index: {n}{k}{n}{k}, "
                  "known_applied_index: {n}{k}{n}{k}, applying_index: 0, queued_writes: 0, pending_queue_size: 0",
                  "batched_indexer.cpp:2{k}{n}] Running GC for aborted requests, req map size: 0"],
    "couchdb": ["couchdb@couchdb-0.couchdb.erable.svc.cluster.local <0.{n}{k}{n}.0> {h6} couchdb.erable.svc:5984 "
                "10.44.{k}.{n} api GET /progress/_design/par_cours/_view/etudiant?key=%22{n}{k}{n}%22 200 ok {k}"],
    "rgw": ["req {n}{k}{n}{k} 0.00{k}s s3:get_obj http status=200",
            "beast: 0x7f{h6}: 10.44.{k}.{n} - media [{clf}] \"GET /lecons/{n}{k}/seg-{k}.ts HTTP/1.1\" 200 "
            "1{n}{k}{n}{k}{n} - - - latency=0.00{k}s"],
}  # fmt: skip
NOISE = {
    "openresty": "*{n}{k} [lua] session.lua:8{k}: session expirée pour {school}, redirection vers la connexion, "
    'client: 10.44.{k}.{n}, server: cours.erable.ca, request: "GET /tableau HTTP/2.0", host: "cours.erable.ca"',
    "hydra": "the request could not be authorized|401|request_forbidden: The request is not allowed. Consent was "
    "denied by the user.",
    "pekko": "ca.erable.api.Auth|jeton refusé pour l'étudiant {n}{k}: session révoquée",
}

PEKKO = {"error": "ERROR", "warn": "WARN", "info": "INFO", "debug": "DEBUG"}
LOGRUS = {"error": "error", "warn": "warning", "info": "info", "debug": "debug"}
NGINX = {"error": "error", "warn": "warn", "info": "notice", "debug": "debug"}
DJANGO = {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"}
GLOG = {"error": "E", "warn": "W", "info": "I", "debug": "I"}
COUCH = {"error": "error", "warn": "warning", "info": "notice", "debug": "debug"}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    local = at.astimezone(MTL)
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{school}", SCHOOLS[int(h[:2], 16) % len(SCHOOLS)])
        .replace("{h6}", h[40:46])
        .replace("{h8}", h[40:48])
        .replace("{ctime}", f"{local:%a %b} {local.day:2d} {local:%H:%M:%S %Y}")
        .replace("{clf}", f"{at:%d/%b/%Y:%H:%M:%S} +0000")
    )


def _line(tech: str, at: datetime, level: str, said: str, h: str) -> str:
    """What the program writes for one line of the story."""
    local = at.astimezone(MTL)
    head, sep, rest = said.partition("|")
    if tech == "openresty":  # nginx's error log, in local time
        return f"{local:%Y/%m/%d %H:%M:%S} [{NGINX[level]}] 1#1: {said}"
    if tech == "pekko":  # Pekko's default: [LEVEL] [MM/dd/yyyy HH:mm:ss.SSS] [thread] [source] message
        logger, message = (head, rest) if sep else ("ca.erable.api", said)
        ms = at.microsecond // 1000
        thread = f"erable-api-pekko.actor.default-dispatcher-{int(h[:2], 16) % 9 + 3}"
        return f"[{PEKKO[level]}] [{at:%m/%d/%Y %H:%M:%S}.{ms:03d}] [{thread}] [{logger}] {message}"
    if tech == "hydra":  # logrus' JSON, Hydra's fields
        msg, _, tail = said.partition("|")
        status, _, err = tail.partition("|")
        record: dict[str, Any] = {"audience": "application", "level": LOGRUS[level], "msg": msg,
                                  "service_name": "Ory Hydra", "service_version": "v2.2.0",
                                  "time": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z"}  # fmt: skip
        if status:
            record["http_response"] = {"status": int(status), "took": int(h[:3], 16) * 1000}
        if err:
            record["error"] = {"message": err}
        return json.dumps(record)
    if tech == "uwsgi":  # uWSGI's request line; Django's own lines through its default formatter
        if said.startswith("[pid:"):
            return said
        logger, message = (head, rest) if sep else ("erable.media", said)
        return f"{DJANGO[level]}:{logger}:{message}"
    if tech == "dramatiq":  # Dramatiq's default format
        actor, message = (head, rest) if sep else ("dramatiq.worker", said)
        stamp = f"{local:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}"
        pid, worker = int(h[:2], 16) % 40 + 8, int(h[2], 16) % 8
        return f"[{stamp}] [PID {pid}] [Thread-{worker}] [{actor}] [{DJANGO[level]}] {message}"
    if tech == "typesense":  # glog
        return f"{GLOG[level]}{at:%Y%m%d %H:%M:%S}.{at.microsecond:06d} {int(h[:3], 16) % 900 + 100} {said}"
    if tech == "couchdb":
        return f"[{COUCH[level]}] {at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z {said}"
    if tech == "rgw":  # Ceph's log prefix: time, thread, debug level
        return (
            f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}+0000 7f{h[:10]} {1 if level == 'info' else 0} {said}"
        )
    return said


_LEVEL_FIELD = re.compile(r'\blevel=(\w+)|"level":\s*"(\w+)"', re.I)
_LEVEL_WORDS = (("error", r"err"), ("warn", r"warn"), ("info", r"info|notice"), ("debug", r"debug|trace"))


def detected_level(line: str) -> str:
    """Loki 3's guess at a line's level: a level field's value, else the first level word anywhere in the line
    (so `errors=0` reads as an error), else unknown."""
    if m := _LEVEL_FIELD.search(line):
        word = (m[1] or m[2]).lower()
        return "warn" if word.startswith("warn") else word
    low = line.lower()
    for name, pattern in _LEVEL_WORDS:
        if re.search(pattern, low):
            return name
    return "unknown"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """A line as Loki holds it: its stream's labels, its time in nanoseconds, the line."""
    tech = estate.node(service).tech
    h = _hex(service, pod, str(at.timestamp()), text)
    hp = _hex(service, pod)
    stateful = tech in ("couchdb", "rgw", "typesense")
    pod_name = f"{service}-{int(hp[0], 16) % 3}" if stateful else f"{service}-{hp[:10]}-{hp[10:15]}"
    line = _line(tech, at, level, _fill(at, text, h), h)
    labels = {
        "app": service,
        "container": service,
        "detected_level": detected_level(line),
        "job": f"erable/{service}",
        "namespace": "erable",
        "node_name": f"mtl-k8s-{int(hp[20:22], 16) % 6 + 1:02d}",
        "pod": pod_name,
        "service_name": service,
        "stream": "stderr" if level in ("error", "warn") else "stdout",
    }
    return {"labels": labels, "ns": int(at.timestamp() * 1e9), "line": line}


def batch(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The export's pages: query_range's responses, each the next PAGE entries in time, grouped by stream."""
    entries = sorted(entries, key=lambda e: e["ns"])
    pages = []
    for i in range(0, len(entries), PAGE):
        streams: dict[str, dict[str, Any]] = {}
        for e in entries[i : i + PAGE]:
            key = json.dumps(e["labels"], sort_keys=True)
            s = streams.setdefault(key, {"stream": e["labels"], "values": []})
            s["values"].append([str(e["ns"]), e["line"]])
        page = entries[i : i + PAGE]
        stats = {"summary": {"bytesProcessedPerSecond": 41_000_000 + len(page) * 17, "linesProcessedPerSecond":
                             310_000 + len(page), "totalBytesProcessed": sum(len(e["line"]) for e in page),
                             "totalLinesProcessed": len(page), "execTime": 0.012 + len(streams) / 10_000}}  # fmt: skip
        pages.append({"status": "success", "data": {"resultType": "streams", "result": list(streams.values()),
                                                    "stats": stats}})  # fmt: skip
    return pages
