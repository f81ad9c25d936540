"""World 63's estate, written after world 62's rules and scored before any rule saw it.

A game studio's live services for its online shooter, on k3s at Hetzner (Falkenstein, fsn1): Caddy at the edge
(its JSON log: access entries as "handled request", epoch seconds in `ts`), Open Match's frontend and director
as the matchmaker (logrus' JSON, every line saying `"app":"openmatch"`), Agones' allocator (its own JSON:
`severity`, `message`, `source`) handing out dedicated game servers from a Fleet (Unreal Engine's log format:
`[2026.12.05-01.02.03:456][ 12]LogNet: Warning: ...`), an ASP.NET Core player-profile service on
CloudNativePG (.NET's JSON console formatter: `LogLevel`, `Category`, `Message`, `Exception`), a Node store
(winston's JSON) selling through Steam, PlayStation and Stripe, a Go leaderboard on ScyllaDB (the standard
library's `log`: a date and a time, no level) with its weekly reset CronJob, a Python telemetry ingest (the
logging module's default format: `ERROR:name:message`, no time at all) producing to Redpanda, and Vector
sinking telemetry into ClickHouse Cloud. ScyllaDB and Redpanda log in Seastar's format; CoreDNS in its own.
Steam, PSN, Stripe and ClickHouse Cloud are outside: no logs or metrics of theirs here.

Fluent Bit tails the containers (its CRI parser takes the runtime's prefix off, its Kubernetes filter adds
the pod's metadata) and ships to OpenObserve, which flattens every nested key with underscores; the bundle
is OpenObserve's search API hits one a line: `_timestamp` in epoch microseconds, `log` (the line),
`stream`, `_p`, and `kubernetes_*` (`kubernetes_pod_name`, `kubernetes_container_name`, which is the
vendor chart's name for vendor software: `vector`, `postgres`, `redpanda`; `kubernetes_labels_*`).
Metrics: OpenTelemetry's HTTP server metrics by `job` (`<namespace>/<service>`, as the Collector's Prometheus
exporter writes it) every 30 s, and kube-prometheus' workload recording rules every 60 s."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

# Node.tech: caddy openmatch agones unreal dotnet winston gostd gojob pylog vector seastar redpanda cnpg coredns saas
NAMESPACE = "ashfall-live"


def _signals() -> dict[str, str]:
    job = 'job="ashfall-live/{service}"'
    wl = 'namespace="ashfall-live",workload="{service}",cluster="k3s-fsn1"'
    return {
        "request_rate": f"job:http_server_request_duration_seconds_count:rate1m{{{job}}}",
        "error_ratio": f"job:http_server_request_duration_seconds_count:ratio_5xx_rate1m{{{job}}}",
        "latency_p99": f"job:http_server_request_duration_seconds:p99_rate1m{{{job}}}",
        "cpu_utilization": f"namespace_workload:container_cpu_usage_seconds:ratio_limit{{{wl}}}",
        "memory_utilization": f"namespace_workload:container_memory_working_set_bytes:ratio_limit{{{wl}}}",
        "restarts": f"namespace_workload:kube_pod_container_status_restarts_total:increase5m{{{wl}}}",
        "disk_utilization": f"namespace_workload:kubelet_volume_stats_used_bytes:ratio_capacity{{{wl}}}",
    }


LIVE = Estate(
    label="service",
    name="ashfall-live",
    namespace=NAMESPACE,
    shipper="fluent-bit-openobserve",
    signals=_signals(),
    nodes=(
        Node("edge", "caddy", ("matchmaker", "profile", "store", "leaderboard", "telemetry-ingest"), 420),
        Node("matchmaker", "openmatch", ("allocator", "profile"), 120),
        Node("allocator", "agones", ("ashfall-server",), 25),
        Node("ashfall-server", "unreal", ("profile", "telemetry-ingest"), 60),
        Node("profile", "dotnet", ("players-db", "psn", "steam"), 260),
        Node("store", "winston", ("players-db", "steam", "psn", "stripe"), 40),
        Node("leaderboard", "gostd", ("scylla",), 150),
        Node("leaderboard-reset", "gojob", ("scylla",), 1),
        Node("telemetry-ingest", "pylog", ("redpanda",), 600),
        Node("telemetry-sink", "vector", ("redpanda", "clickhouse-cloud"), 600),
        Node("players-db", "cnpg", (), 500),
        Node("scylla", "seastar", (), 900),
        Node("redpanda", "redpanda", (), 700),
        Node("coredns", "coredns", (), 1500),
        Node("steam", "saas", (), 30),
        Node("psn", "saas", (), 30),
        Node("stripe", "saas", (), 15),
        Node("clickhouse-cloud", "saas", (), 600),
    ),
)

ESTATES = {LIVE.name: LIVE}

BACKGROUND = {
    "caddy": ['{"level":"info","ts":{epoch_f},"logger":"http.log.access.log0","msg":"handled request","request":'
              '{"remote_ip":"10.42.0.1","remote_port":"4{n}12","client_ip":"203.0.113.{n}","proto":"HTTP/2.0",'
              '"method":"POST","host":"api.ashfall.gg","uri":"/v1/matchmaking/tickets"},"bytes_read":212,'
              '"user_id":"","duration":0.0{n}1,"size":96,"status":201}',
              '{"level":"info","ts":{epoch_f},"logger":"http.log.access.log0","msg":"handled request","request":'
              '{"remote_ip":"10.42.0.1","remote_port":"5{n}07","client_ip":"198.51.100.{n}","proto":"HTTP/2.0",'
              '"method":"GET","host":"api.ashfall.gg","uri":"/v1/profile/me/loadout"},"bytes_read":0,'
              '"user_id":"","duration":0.01{n},"size":2211,"status":200}'],
    "openmatch": ['{"app":"openmatch","component":"app.frontend","level":"info","msg":"ticket created",'
                  '"ticket_id":"cf{n}a1k2","time":"{iso}"}',
                  '{"app":"openmatch","component":"app.director","level":"info","msg":"match assigned",'
                  '"match_id":"profile-eu-{n}","connection":"10.42.7.{n}:7777","time":"{iso}"}'],
    "agones": ['{"message":"GameServer allocated","severity":"info","source":"*gameserverallocations.Allocator",'
               '"gs":"ashfall-fleet-{n}x7k-2bd9m","time":"{iso}"}'],
    "unreal": ["[{ue}][{frame}]LogAshfall: Match started: 12/12 players, map=Quarry, match=profile-eu-{n}",
               "[{ue}][{frame}]LogNet: Join succeeded: Player_{n}"],
    "dotnet": ['{"Timestamp":"{iso}","EventId":0,"LogLevel":"Information","Category":"Microsoft.AspNetCore.'
               'Hosting.Diagnostics","Message":"Request finished HTTP/1.1 GET http://profile/v1/loadout - 200 '
               '1843 application/json 1{n}.2ms","State":{"Message":"Request finished HTTP/1.1 GET '
               'http://profile/v1/loadout - 200 1843 application/json 1{n}.2ms","ElapsedMilliseconds":1{n}.2,'
               '"StatusCode":200}}'],
    "winston": ['{"level":"info","message":"purchase completed","orderId":"ord_{n}b71","sku":"season-pass",'
                '"provider":"steam","service":"store","timestamp":"{iso}"}'],
    "gostd": ["{gostd} GET /v1/leaderboards/season-{n}/top 200 {n}ms"],
    "gojob": ["{gostd} leaderboard-reset: idle, next run on Monday 00:00 UTC"],
    "pylog": ["INFO:ingest.http:accepted batch events=5{n} client=ashfall-server"],
    "vector": ['{vector}  INFO sink{component_kind="sink" component_id=clickhouse component_type=clickhouse}: '
               'vector::sinks::util::retries: Request succeeded. events=4{n}00'],
    "seastar": ["INFO  {seastar} [shard {shard}:main] compaction - [Compact telemetry.raw {n}a1] Compacted 4 "
                "sstables to [/var/lib/data/md-{n}1-big-Data.db]. 2{n}MB to 1{n}MB"],
    "redpanda": ["INFO  {seastar} [shard {shard}:main] storage - segment.cc:3{n}0 - Rolled segment "
                 "/var/lib/redpanda/data/kafka/telemetry-raw/{shard}_41/1{n}2211-7-v1.log",
                 "INFO  {seastar} [shard {shard}:main] cluster - Leadership of {kafka/telemetry-raw/{shard}} "
                 "balanced, term 7"],
    "cnpg": ['{"level":"info","ts":"{iso}","logger":"postgres","msg":"record","logging_pod":"players-db-1",'
             '"record":{"log_time":"{pgtime}","user_name":"streaming_replica","process_id":"3{n}1",'
             '"error_severity":"LOG","sql_state_code":"00000","message":"checkpoint complete: wrote {n}21 buffers",'
             '"backend_type":"checkpointer"}}'],
    "coredns": ['[INFO] 10.42.3.{n}:4{n}17 - {n}311 "A IN profile.ashfall-live.svc.cluster.local. udp 62 false '
                '512" NOERROR qr,aa,rd 128 0.000{n}s'],
}  # fmt: skip
NOISE = {
    "dotnet": '{"Timestamp":"{iso}","EventId":3,"LogLevel":"Warning","Category":"Profile.Api.Psn.TrophySync",'
              '"Message":"PSN trophy sync slow for player {n}A77 ({n}00 ms), will retry later","State":{}}',
    "openmatch": '{"app":"openmatch","component":"app.director","level":"warning","msg":"backfill ticket expired",'
                 '"ticket_id":"bf{n}k9","time":"{iso}"}',
    "unreal": "[{ue}][{frame}]LogNet: Warning: UNetConnection::Tick: Connection TIMED OUT. Closing connection.. "
              "Elapsed: 30.00, Real: 30.00, Good: 30.00, DriverElapsed: 0.00, Threshold: 30.00, "
              "[UNetConnection] RemoteAddr: 203.0.113.{n}:5{n}11",
    "seastar": "WARN  {seastar} [shard {shard}:stmt] large_data - Writing large partition "
               "telemetry/raw:player-{n} (1{n} MiB) to md-{n}2-big-Data.db",
}  # fmt: skip

# vendor software runs in its chart's container; our own images are named after the service
CONTAINER = {"telemetry-sink": "vector", "players-db": "postgres", "redpanda": "redpanda", "scylla": "scylla",
             "coredns": "coredns"}  # fmt: skip
STDERR = ("pylog", "caddy", "unreal")
VENDOR_IMAGES = {
    "vector": "timberio/vector:0.43.1-distroless-libc",
    "postgres": "ghcr.io/cloudnative-pg/postgresql:16.6",
    "redpanda": "docker.redpanda.com/redpandadata/redpanda:v24.2.7",
    "scylla": "scylladb/scylla:6.2.1",
    "coredns": "rancher/mirrored-coredns-coredns:1.11.3",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _line(tech: str, pod: str, at: datetime, text: str) -> str:
    n = int(at.timestamp()) % 89
    return (
        text.replace("{iso}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z")
        .replace("{epoch_f}", f"{at.timestamp():.7f}")
        .replace("{ue}", f"{at:%Y.%m.%d-%H.%M.%S}:{at.microsecond // 1000:03d}")
        .replace("{frame}", f"{(int(at.timestamp() * 30)) % 1000:3d}")
        .replace("{gostd}", f"{at:%Y/%m/%d %H:%M:%S}")
        .replace("{vector}", f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}Z")
        .replace("{seastar}", f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}")
        .replace("{pgtime}", f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d} UTC")
        .replace("{shard}", str(int(_hex(pod)[:2], 16) % 8))
        .replace("{n}", str(n))
    )


def _pod(estate: Estate, service: str, pod: str) -> tuple[str, str, dict[str, str]]:
    """The pod's name, its namespace and its labels, as the workload's controller names and labels it."""
    h = _hex(pod)
    tech = estate.node(service).tech
    if tech == "unreal":  # an Agones GameServer: the fleet, its GameServerSet, a suffix
        return (f"ashfall-fleet-{h[:5]}-{h[5:10]}", NAMESPACE,
                {"agones_dev_fleet": "ashfall-fleet", "agones_dev_role": "gameserver"})  # fmt: skip
    if tech == "cnpg":
        return f"{service}-{int(h[:2], 16) % 3 + 1}", NAMESPACE, {"cnpg_io_cluster": service, "role": "primary"}
    if tech == "coredns":
        return f"coredns-6799fbcd5-{h[:5]}", "kube-system", {"k8s_app": "kube-dns"}
    if tech in ("seastar", "redpanda", "vector"):
        name = f"scylla-fsn1-rack1-{int(h[:2], 16) % 3}" if service == "scylla" else f"{service}-{int(h[:2], 16) % 3}"
        return name, NAMESPACE, {"app_kubernetes_io_name": CONTAINER[service], "app_kubernetes_io_instance": service}
    if tech == "gojob":
        return f"{service}-2915{h[:4]}-{h[4:9]}", NAMESPACE, {"batch_kubernetes_io_job_name": f"{service}-2915{h[:4]}"}
    labels = {"app_kubernetes_io_name": service, "app_kubernetes_io_part_of": "ashfall", "pod_template_hash": h[:9]}
    return f"{service}-{h[:9]}-{h[9:14]}", NAMESPACE, labels


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One hit of OpenObserve's search API: Fluent Bit's record, every nested key flattened with underscores."""
    tech = estate.node(service).tech
    name, namespace, labels = _pod(estate, service, pod)
    container = CONTAINER.get(service, service)
    line = _line(tech, name, at, text)
    image = VENDOR_IMAGES.get(container, f"registry.kestrelforge.dev/ashfall/{container}:2.14.0")
    hit: dict[str, Any] = {
        "_timestamp": int(at.timestamp() * 1_000_000),
        "_p": "F",
        "kubernetes_container_hash": f"{image.split(':')[0]}@sha256:{_hex(image)}",
        "kubernetes_container_image": image,
        "kubernetes_container_name": container,
        "kubernetes_docker_id": _hex(name, container),
        "kubernetes_host": f"k3s-agent-fsn1-{int(_hex(name)[:2], 16) % 6 + 1:02d}",
    }
    hit |= {f"kubernetes_labels_{k}": v for k, v in labels.items()}
    hit |= {
        "kubernetes_namespace_name": namespace,
        "kubernetes_pod_id": str(uuid.UUID(_hex(name)[:32])),
        "kubernetes_pod_name": name,
        "log": line,
        "stream": "stderr" if tech in STDERR else "stdout",
    }
    return hit
