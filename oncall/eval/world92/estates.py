"""World 92's estate, written after world 91's rules and scored before any rule saw it.

A Regensburg automotive supplier's self-managed GitLab (Omnibus packages, GitLab's 3k reference architecture):
NGINX, Workhorse and Puma (`gitlab-rails`) on two Rails nodes, a Sidekiq node, Gitaly Cluster (Praefect before
three Gitaly nodes), PostgreSQL and Redis nodes, the container registry, MinIO for object storage, six runner hosts
and the company's Active Directory for sign-in. The services are named as `gitlab-ctl status` and the metrics'
`type` label name them.

Logs are Vector's `file` source events, shipped as they are: `file` (the path read), `host`, `message` (the line
whole), `source_type` and `timestamp` (when Vector read the line, not when it was written). The service is only in
the path (`/var/log/gitlab/<service>/current`, the Rails logs under `gitlab-rails/`). What is in the line is each
component's own: Gitaly, Praefect, Workhorse and the registry log logrus JSON (`level`, `msg`, `time`, `grpc.code`;
a gRPC call's level is its code's: Unavailable and ResourceExhausted warn, Internal errors); Rails'
production_json.log has no level at all (a request's `status`, its `exception.class` and `exception.message` as
dotted keys), application_json.log a `severity`; Sidekiq's JSON a `severity` and a `job_status`; PostgreSQL and
Redis write text behind runit's svlogd stamp (`2028-05-03_02:00:01.12345`); NGINX its access format; the runners
their own text (`WARNING: Job failed: ...   duration_s=... job=... runner=...`). Metrics: GitLab's metrics catalog's
recording rules (`gitlab_component_ops:rate_5m`, `gitlab_component_saturation:ratio{component=...}`) by `type`."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

HOSTS = {
    "gitlab-rails": ("gitlab-rails-01", "gitlab-rails-02"),
    "gitlab-workhorse": ("gitlab-rails-01", "gitlab-rails-02"),
    "nginx": ("gitlab-rails-01", "gitlab-rails-02"),
    "registry": ("gitlab-rails-01", "gitlab-rails-02"),
    "sidekiq": ("gitlab-sidekiq-01",),
    "praefect": ("gitlab-praefect-01",),
    "gitaly": ("gitlab-gitaly-01", "gitlab-gitaly-02", "gitlab-gitaly-03"),
    "postgresql": ("gitlab-db-01",),
    "redis": ("gitlab-redis-01",),
    "minio": ("minio-01", "minio-02", "minio-03", "minio-04"),
    "gitlab-runner": ("ci-runner-01", "ci-runner-02", "ci-runner-03", "ci-runner-04", "ci-runner-05", "ci-runner-06"),
}
DOMAIN = "auerbach-antriebe.lan"
LOGRUS = ("gitaly", "praefect", "gitlab-workhorse", "registry")
PROJECTS = ("powertrain/ecu-firmware", "powertrain/inverter-control", "tools/hil-rig", "plm/bom-sync")


def _signals() -> dict[str, str]:
    sel = 'type="{service}"'
    return {
        "request_rate": f"gitlab_component_ops:rate_5m{{{sel}}}",
        "error_ratio": f"gitlab_component_errors:ratio_5m{{{sel}}}",
        "latency_p99": f"gitlab_component_latency_seconds:p99_5m{{{sel}}}",
        "cpu_utilization": f'gitlab_component_saturation:ratio{{{sel},component="cpu"}}',
        "memory_utilization": f'gitlab_component_saturation:ratio{{{sel},component="memory"}}',
        "disk_utilization": f'gitlab_component_saturation:ratio{{{sel},component="disk_space"}}',
        "pool_utilization": f'gitlab_component_saturation:ratio{{{sel},component="pg_active_db_connections"}}',
        "restarts": f"gitlab_component_restarts:increase_5m{{{sel}}}",
    }


PROD = Estate(
    label="type",
    name="gitlab",
    namespace="gitlab",
    shipper="vector-file-source-events",
    signals=_signals(),
    nodes=(
        Node("nginx", "nginx", ("gitlab-workhorse",), 160),
        Node("gitlab-workhorse", "workhorse", ("gitlab-rails", "praefect", "minio", "redis"), 150),
        Node("gitlab-rails", "puma", ("postgresql", "redis", "praefect", "minio", "active-directory"), 120),
        Node("sidekiq", "sidekiq", ("postgresql", "redis", "praefect", "minio"), 40),
        Node("praefect", "praefect", ("gitaly", "postgresql"), 90),
        Node("gitaly", "gitaly", (), 90),
        Node("postgresql", "postgres", (), 400),
        Node("redis", "redis", (), 900),
        Node("registry", "registry", ("minio",), 20),
        Node("minio", "minio", (), 60),
        Node("gitlab-runner", "runner", ("nginx",), 12),
        Node("active-directory", "saas", (), 4),
    ),
)

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "gitaly": ["finished unary call with code OK || grpc.method=FindCommit || grpc.service=gitaly.CommitService || "
               "grpc.code=OK || grpc.time_ms={n}.{k}",
               "finished streaming call with code OK || grpc.method=PostUploadPackWithSidechannel || "
               "grpc.service=gitaly.SmartHTTPService || grpc.code=OK || grpc.time_ms={n}{k}.4"],
    "praefect": ["finished unary call with code OK || grpc.method=FindCommit || grpc.service=gitaly.CommitService || "
                 "grpc.code=OK || grpc.time_ms={n}.{k}"],
    "workhorse": ["access || method=GET || uri=/{proj}/-/merge_requests/{n}{k} || status=200 || "
                         "duration_ms={n}{k}",
                         "access || method=POST || uri=/{proj}.git/git-upload-pack || status=200 || "
                         "duration_ms={k}{n}1"],
    "puma": ["req:GET /{proj}/-/merge_requests/{n}{k} 200 Projects::MergeRequestsController#show",
             "req:POST /api/v4/jobs/request 201 Ci::API::Jobs#request"],
    "sidekiq": ["job:PipelineProcessWorker done", "job:PostReceive done",
                "job:MergeRequests::UpdateHeadPipelineWorker done"],
    "postgres": ["LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); 0 WAL file(s) added, 0 removed, {k} "
                 "recycled; write={n}.{k}01 s, sync=0.00{k} s, total={n}.{k}12 s"],
    "redis": ["* {n}{k} changes in 60 seconds. Saving...", "* Background saving terminated with success"],
    "nginx": ["GET /{proj}/-/pipelines/{n}{k}31 200", "POST /api/v4/jobs/request 201"],
    "registry": ["response completed || http.request.method=GET || http.request.uri=/v2/{proj}/build-env/manifests/"
                 "latest || http.response.status=200 || http.response.duration={n}ms"],
    "minio": ["scanner: cycle {n}{k} completed, {k}{n}412 objects scanned"],
    "runner": ["Job succeeded || duration_s={n}{k}.{k} || job={n}{k}8{k}1 || project={k}{n} || runner=Xk29fLm1",
               "Checking for jobs... received || job={n}{k}8{k}1 || repo_url=https://git.auerbach-antriebe.de/{proj}"
               ".git || runner=Xk29fLm1"],
}  # fmt: skip
NOISE = {
    "runner": "Job failed: exit code 1 || duration_s={n}{k}.{n} || job={k}{n}9{k}3 || project={k}{n} || "
    "runner=Xk29fLm1",
    "sidekiq": "job:RepositoryUpdateMirrorWorker fail || error_class=Gitlab::Git::CommandError || "
    "error_message=remote: HTTP Basic: Access denied (mirror of https://github.com/acme-oss/canopen-stack.git)",
    "puma": "app:Rack_Attack: throttle || matched=throttle_unauthenticated_api || remote_ip=10.40.{k}.{n}",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{proj}", PROJECTS[int(h[:2], 16) % len(PROJECTS)])
        .replace("{jid}", h[32:56])
    )


def _fields(said: str) -> tuple[str, dict[str, Any]]:
    """`msg || key=value || ...` -> the message and its fields (whole numbers as numbers)."""
    msg, *pairs = said.split(" || ")
    out: dict[str, Any] = {}
    for p in pairs:
        k, _, v = p.partition("=")
        out[k] = int(v) if v.isdigit() else v
    return msg, out


def _iso(at: datetime) -> str:
    return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"


def _svlogd(at: datetime) -> str:
    return f"{at:%Y-%m-%d_%H:%M:%S}.{at.microsecond // 10:05d}"


def _cid(h: str) -> str:
    """A correlation id as GitLab makes them (a ULID)."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "01J" + "".join(alphabet[int(h[i : i + 2], 16) % 32] for i in range(0, 46, 2))


def _logrus(at: datetime, level: str, said: str, h: str, service: str) -> str:
    msg, fields = _fields(said)
    word = {"warn": "warning", "error": "error", "info": "info", "debug": "debug"}[level]
    doc: dict[str, Any] = {"correlation_id": _cid(h), "level": word, "msg": msg, "pid": int(h[2:5], 16) % 3000 + 900}
    if service in ("gitaly", "praefect") and "grpc.method" in fields:
        doc.update({"component": "gitaly.StreamServerInterceptor" if "streaming" in msg else
                    "gitaly.UnaryServerInterceptor", "grpc.meta.client_name": "gitlab-web", "span.kind": "server",
                    "system": "grpc"})  # fmt: skip
    doc.update(fields)
    doc["time"] = _iso(at)
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))


def _rails(at: datetime, level: str, said: str, h: str) -> tuple[str, str]:
    """A request as production_json.log writes it (no level), or application_json.log's line."""
    if said.startswith("req:"):
        head, _, rest = said.removeprefix("req:").partition(" || ")
        method, path, status, caller = head.split(" ", 3)
        doc: dict[str, Any] = {"method": method, "path": path, "format": "json" if "/api/" in path else "html",
                               "status": int(status), "time": _iso(at), "correlation_id": _cid(h),
                               "meta.caller_id": caller, "remote_ip": f"10.40.{int(h[4:6], 16)}.{int(h[6:8], 16)}",
                               "ua": "gitlab-runner 17.5.3 (17-5-stable; go1.22.7; linux/amd64)" if "/jobs/" in path
                               else "Mozilla/5.0", "duration_s": round(0.05 + int(h[8:10], 16) / 900, 5)}  # fmt: skip
        if rest:
            doc.update(_fields("x || " + rest)[1])
        return "/var/log/gitlab/gitlab-rails/production_json.log", json.dumps(doc, separators=(",", ":"))
    msg, fields = _fields(said.removeprefix("app:"))
    word = {"warn": "WARN", "error": "ERROR", "info": "INFO", "debug": "DEBUG"}[level]
    doc = {"severity": word, "time": _iso(at), "correlation_id": _cid(h), "message": msg, **fields}
    return "/var/log/gitlab/gitlab-rails/application_json.log", json.dumps(doc, separators=(",", ":"))


def _sidekiq(at: datetime, level: str, said: str, h: str) -> str:
    head, _, rest = said.removeprefix("job:").partition(" || ")
    cls, status = head.split(" ", 1)
    word = {"warn": "WARN", "error": "ERROR", "info": "INFO", "debug": "DEBUG"}[level]
    doc: dict[str, Any] = {"severity": word, "time": _iso(at), "class": cls, "jid": h[32:56], "retry": 3,
                           "correlation_id": _cid(h), "job_status": status,
                           "duration_s": round(int(h[10:13], 16) / 1000, 3)}  # fmt: skip
    if rest:
        doc.update(_fields("x || " + rest)[1])
    return json.dumps(doc, separators=(",", ":"))


def _runner(level: str, said: str) -> str:
    """gitlab-runner's text: a level word for warnings and errors, the message padded, then its fields."""
    msg, fields = _fields(said)
    word = {"warn": "WARNING: ", "error": "ERROR: "}.get(level, "")
    return f"{word}{msg:<40} " + " ".join(f"{k}={v}" for k, v in fields.items())


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """Vector's event for one line of one GitLab component's log file."""
    node = estate.node(service)
    h = _hex(service, pod, str(at.timestamp()), text)
    hosts = HOSTS[service]
    host = hosts[int(h[:2], 16) % len(hosts)]
    said = _fill(at, text, h)
    path = f"/var/log/gitlab/{service}/current"
    if said.startswith("host="):  # a line only one host writes
        host, _, said = said.removeprefix("host=").partition(" ")
    if service in LOGRUS:
        line = _logrus(at, level, said, h, service)
    elif node.tech == "puma":
        path, line = _rails(at, level, said, h)
    elif node.tech == "sidekiq":
        line = _sidekiq(at, level, said, h)
    elif node.tech == "postgres":
        line = f"{_svlogd(at)} {said}"
    elif node.tech == "redis":
        pid = int(h[2:5], 16) % 3000 + 900
        line = f"{_svlogd(at)} {pid}:M {at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d} {said}"
    elif node.tech == "nginx":
        if said.startswith("err:"):
            path = "/var/log/gitlab/nginx/gitlab_error.log"
            line = f"{at:%Y/%m/%d %H:%M:%S} [{level}] 2{h[:3]}#0: *{int(h[3:9], 16)} {said.removeprefix('err:')}"
        else:
            path = "/var/log/gitlab/nginx/gitlab_access.log"
            method, uri, status = said.split(" ")
            agent = "gitlab-runner 17.5.3 (17-5-stable; go1.22.7; linux/amd64)" if "/jobs/" in uri else "git/2.45.2"
            line = (f'10.40.{int(h[4:6], 16)}.{int(h[6:8], 16)} - - [{at:%d/%b/%Y:%H:%M:%S} +0000] '
                    f'"{method} {uri} HTTP/1.1" {status} {int(h[8:12], 16)} "" "{agent}" -')  # fmt: skip
    elif node.tech == "minio":
        path = "/var/log/minio/minio.log"
        msg, fields = _fields(said)
        word = {"warn": "WARNING", "error": "ERROR"}.get(level, "INFO")
        doc: dict[str, Any] = {"level": word, "errKind": "ALL" if level == "error" else "", "time": _iso(at)}
        if level == "info":
            doc["message"] = msg
        else:
            doc["error"] = {"message": msg, "source": ["cmd/" + fields.pop("source", "server-main.go:512")]}
        doc.update(fields)
        line = json.dumps(doc, separators=(",", ":"))
    else:
        path = "/var/log/gitlab-runner/gitlab-runner.log"
        line = _runner(level, said)
    read = at + timedelta(milliseconds=40 + int(h[10:13], 16) % 900)
    return {"file": path, "host": f"{host}.{DOMAIN}", "message": line, "source_type": "file",
            "timestamp": f"{read:%Y-%m-%dT%H:%M:%S}.{read.microsecond:06d}Z"}  # fmt: skip
