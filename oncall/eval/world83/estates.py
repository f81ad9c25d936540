"""World 83's estate, written after world 82's rules and scored before any rule saw it.

A Melbourne café-loyalty app (members collect stamps and redeem them at the counter) built on Supabase: the
project's API gateway (Kong, behind Cloudflare) in front of PostgREST, GoTrue (auth, phone sign-in through
Twilio), Storage (receipt photos in S3) and Realtime (a member's stamp card updating live); three Deno edge
functions (redeem-points charging the café's Square terminal, stripe-webhook taking gift-card top-ups, send-push
sending Expo notifications, asked by a database webhook through the gateway); Supavisor pooling the functions'
connections to Postgres.

Logs come from the Supabase Management API's log endpoint (`/v1/projects/{ref}/analytics/endpoints/logs.all`),
one Logs Explorer query per source since log tables cannot be joined, each the Studio's own query with the team's
`'<name>' as source` added, run over the window and saved with `jq -c '.result[]'` one source after another (each
newest first). `timestamp` is Logflare's, microseconds since the epoch; the columns are what each query unnests
from `metadata`: edge_logs' `method`, `path`, `status_code` (its event_message `GET | 200 | ip | ray | url | ua`);
postgres_logs' `error_severity`, `user_name`, `sql_state_code`; auth_logs' `level`, `status`, `path`, `msg`,
`error` (its event_message GoTrue's own JSON line); function_logs' `event_type`, `function_id`, `level`
(console.log's `log`); storage, realtime and Supavisor's `level`; PostgREST's access log line alone. Metrics: the
project's Prometheus endpoint through the team's recording rules, keyed by `service`."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

REF = "qzvbnhtkpmwlarsoyedc"
_LEVELS = {  # each program's own word for a level
    "gotrue": {"debug": "debug", "info": "info", "warn": "warning", "error": "error"},
    "node": {"debug": "debug", "info": "info", "warn": "warn", "error": "error"},
    "elixir": {"debug": "debug", "info": "info", "warn": "warning", "error": "error"},
    "supavisor": {"debug": "debug", "info": "info", "warn": "warning", "error": "error"},
    "deno": {"debug": "debug", "info": "log", "warn": "warning", "error": "error"},
    "postgres": {"debug": "DEBUG1", "info": "LOG", "warn": "WARNING", "error": "ERROR"},
}


def _signals() -> dict[str, str]:
    sel = f'service="{{service}}",project="{REF}"'
    return {
        "request_rate": f"beanstalk:requests:rate5m{{{sel}}}",
        "error_ratio": f"beanstalk:errors:ratio5m{{{sel}}}",
        "latency_p99": f"beanstalk:latency_seconds:p99_5m{{{sel}}}",
        "cpu_utilization": f"beanstalk:cpu:utilization{{{sel}}}",
        "memory_utilization": f"beanstalk:memory:utilization{{{sel}}}",
        "disk_utilization": f"beanstalk:disk:utilization{{{sel}}}",
        "restarts": f"beanstalk:restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="service",
    name="beanstalk",
    namespace="beanstalk",
    shipper="supabase-management-api-logs",
    signals=_signals(),
    nodes=(
        Node("api-gateway", "kong", ("rest", "auth", "storage", "realtime", "redeem-points", "stripe-webhook",
                                     "send-push"), 90),
        Node("rest", "postgrest", ("postgres",), 55),
        Node("auth", "gotrue", ("postgres", "twilio"), 10),
        Node("storage", "node", ("postgres", "s3"), 8),
        Node("realtime", "elixir", ("postgres",), 12),
        Node("redeem-points", "deno", ("supavisor", "square"), 6),
        Node("stripe-webhook", "deno", ("supavisor", "stripe"), 2),
        Node("send-push", "deno", ("supavisor", "expo"), 4),
        Node("supavisor", "supavisor", ("postgres",), 20),
        Node("postgres", "postgres", (), 160),
        Node("twilio", "saas", (), 2),
        Node("s3", "saas", (), 8),
        Node("square", "saas", (), 6),
        Node("stripe", "saas", (), 2),
        Node("expo", "saas", (), 4),
    ),
)  # fmt: skip

ESTATES = {PROD.name: PROD}

# `key=value` pairs (` | ` apart) make a structured logger's record; `|exc|` the error it recorded apart
BACKGROUND = {
    "kong": ["GET /rest/v1/stamps?select=*&member_id=eq.m{n}{k}1 200",
             "POST /auth/v1/token?grant_type=refresh_token 200",
             "GET /storage/v1/object/authenticated/receipts/r{n}{k}.jpg 200"],
    "postgrest": ['172.31.{k}.{n} - authenticated [{clf}] "GET /stamps?select=*&member_id=eq.m{n}{k}1 HTTP/1.1" 200 - '
                  '"" "Beanstalk/4.2 (iPhone; iOS 18.1)"'],
    "gotrue": ["msg=request completed | method=POST | path=/token | status=200 | component=api"],
    "node": ["msg=request completed | req.method=GET | req.url=/object/authenticated/receipts/r{n}{k}.jpg | "
             "res.statusCode=200 | responseTime={k}{n}"],
    "elixir": ["Tenant {ref}: postgres_changes subscription started for stamps (member m{n}{k}1)"],
    "supavisor": ["ClientHandler: client {n}{k} authenticated to tenant {ref} in transaction mode"],
    "deno": ["stamp card m{n}{k}1 checked: {k} of 10"],
    "postgres": ["checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); write={k}.{n}1 s, sync=0.00{k} s"],
}  # fmt: skip
NOISE = {
    "postgrest": '172.31.{k}.{n} - anon [{clf}] "GET /stamps?select=* HTTP/1.1" 401 - "" "curl/8.5.0"',
    "deno": "Square sandbox ping skipped in production",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _uuid(h: str) -> str:
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _fill(at: datetime, text: str, tech: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{clf}", f"{at:%d/%b/%Y:%H:%M:%S} +0000")
        .replace("{ymd}", f"{at:%Y-%m-%d}")
        .replace("{hms}", f"{at:%H:%M:%S}")
        .replace("{ms}", f"{at.microsecond // 1000:03d}")
        .replace("{ref}", REF)
        .replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
    )


def _pairs(text: str) -> dict[str, Any] | None:
    """`k=v | k=v` as a record, else None (a line of text)."""
    if "=" not in text.split(" | ")[0]:
        return None
    out: dict[str, Any] = {}
    for part in text.split(" | "):
        key, _, value = part.partition("=")
        out[key] = int(value) if value.isdigit() else value
    return out


def record(
    estate: Estate, at: datetime, service: str, pod: str, level: str, text: str
) -> dict[str, Any] | list[dict[str, Any]]:
    """One row of a source's Logs Explorer query, as the Management API returns it, with the team's source."""
    node = estate.node(service)
    said, _, exception = text.partition("|exc|")
    tech = node.tech
    said = _fill(at, said, tech)
    kind, _, caught = exception.partition("|")
    caught = _fill(at, caught, tech)
    h = _hex(service, str(at.timestamp()), said)
    row: dict[str, Any] = {"id": _uuid(h), "timestamp": int(at.timestamp() * 1_000_000)}
    words = _LEVELS.get(tech, {})
    if tech == "kong":  # edge_logs: the request as Cloudflare and Kong saw it
        method, path, status = said.split(" ")[:3]
        ua = "Beanstalk/4.2 (iPhone; iOS 18.1)" if not path.startswith("/functions/v1/send-push") else "pg_net/0.10.0"
        row |= {
            "identifier": REF,
            "event_message": f"{method} | {status} | 203.0.113.{int(h[:2], 16) % 250} | {h[2:18]}-SYD | "
                             f"https://{REF}.supabase.co{path} | {ua}",
            "method": method, "path": path.split("?")[0], "status_code": int(status),
        }  # fmt: skip
    elif tech == "postgrest":  # postgrest_logs: PostgREST's access log, nothing else
        row["event_message"] = said
    elif tech == "postgres":  # postgres_logs, unnested to parsed
        row |= {
            "identifier": REF,
            "event_message": said + (f" ({caught})" if caught else ""),
            "error_severity": words[level],
            "user_name": "authenticator" if "statement" in said else "supabase_admin",
            "sql_state_code": "57014" if "statement timeout" in said else "00000",
        }
    elif tech == "gotrue":  # auth_logs: GoTrue's JSON line, and what the Studio's query unnests
        fields = _pairs(said) or {"msg": said}
        line = {"component": "api", "level": words[level], **fields, "time": f"{at:%Y-%m-%dT%H:%M:%SZ}"}
        if caught:
            line["error"] = caught
        row |= {
            "event_message": json.dumps(line, separators=(",", ":")),
            "level": words[level], "status": fields.get("status"), "path": fields.get("path"),
            "msg": fields.get("msg"), "error": caught or None,
        }  # fmt: skip
    elif tech == "deno":  # function_logs: what the function wrote to the console
        message = said + (f"\n{kind}: {caught}\n    at handler (file:///src/index.ts:4{h[0]}:1{h[1]})" if kind else "")
        row |= {
            "event_message": message + "\n",
            "event_type": "Log",
            "function_id": _uuid(_hex("function", service)),
            "level": words[level],
        }
        if said.startswith("shutdown: "):  # the runtime's own event, not the function's output
            row |= {"event_message": said.removeprefix("shutdown: "), "event_type": "Shutdown", "level": "log"}
    else:  # storage (pino's record), realtime and Supavisor: their message and level
        pino = _pairs(said) if tech == "node" else None
        if pino is not None:
            said = pino.pop("msg")
            if caught:
                said = f"{said}: {kind}: {caught}"
        elif caught:
            said = f"{said}: {caught}"
        row |= {"event_message": said, "level": words[level]}
    row["source"] = service
    return row
