"""World 96's estate, written after world 95's rules and scored before any rule saw it.

A Nairobi mobile lender ("Mkopo Haraka": a customer applies for a small loan in the app or by USSD, is scored
against the credit bureau, and is paid by M-Pesa in minutes; repayments come back through M-Pesa's paybill) on AWS
Elastic Beanstalk in Cape Town (af-south-1): one environment per service, `mkopo-prod-<service>`. A Node gateway
for the app, Django for loans, a Spring Boot scoring service, a Node M-Pesa service (Daraja: B2C disbursements,
C2B repayment callbacks), a Laravel USSD menu behind Africa's Talking, a Python worker environment sending SMS,
RDS PostgreSQL; Safaricom's Daraja, the Metropol credit bureau and Africa's Talking outside.

Logs: Beanstalk streams each instance's log files to CloudWatch Logs, one log group per environment and file
(`/aws/elasticbeanstalk/mkopo-prod-loans/var/log/web.stdout.log`, `.../var/log/nginx/access.log`,
`.../var/log/nginx/error.log`; the USSD menu's Laravel log and the worker's sqsd log streamed by the team's own
config), RDS its `postgresql` group. The team reads them with a Logs Insights query over every group
(`fields @timestamp, @message, @logStream, @log`), saved with `jq -c '.results[] | map({(.field): .value}) | add'`:
`@timestamp` in UTC without a zone, the line in `@message`, the instance in `@logStream`, the group in `@log`
behind the account. The environment is only in the middle of the group's name. What is in a line is each
program's own: the platform writes the app's standard output through the journal as syslog text (`Dec  1 10:00:00
ip-172-31-8-19 web[2381]: ...`, the program always `web`), with the Node services' pino JSON, Django's and
Laravel's lines in Nairobi time (UTC+3), Spring Boot's in UTC. Metrics: the team's recording rules over CloudWatch
(through YACE), by `environment`."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

ACCOUNT = "524880193377"
REGION = "af-south-1"
ENV = "mkopo-prod-{service}"
EAT = timedelta(hours=3)
COUNTIES = ("Nairobi", "Kiambu", "Nakuru", "Mombasa", "Kisumu", "Machakos")


def _signals() -> dict[str, str]:
    sel = 'environment="mkopo-prod-{service}"'
    return {
        "request_rate": f"eb:application_requests:rate1m{{{sel}}}",
        "error_ratio": f"eb:application_requests_5xx:ratio_rate1m{{{sel}}}",
        "latency_p99": f"eb:application_latency_p99_seconds{{{sel}}}",
        "cpu_utilization": f"eb:instance_cpu_utilization:avg_ratio{{{sel}}}",
        "memory_utilization": f"eb:instance_memory_utilization:avg_ratio{{{sel}}}",
        "disk_utilization": f"rds:storage_used:ratio{{{sel}}}",
        "pool_utilization": f"rds:connections:ratio_max{{{sel}}}",
        "restarts": f"eb:instances_replaced:increase10m{{{sel}}}",
    }


PROD = Estate(
    label="environment",
    name="mkopo",
    namespace="mkopo-prod",
    shipper="cloudwatch-logs-insights-elasticbeanstalk",
    signals=_signals(),
    nodes=(
        Node("gateway", "express", ("loans", "scoring", "mpesa"), 120),
        Node("loans", "django", ("db", "scoring", "mpesa"), 60),
        Node("scoring", "spring", ("crb", "db"), 40),
        Node("mpesa", "express", ("daraja", "db", "loans"), 50),
        Node("ussd", "laravel", ("loans", "africastalking"), 30),
        Node("notify", "worker", ("africastalking",), 15),
        Node("db", "postgres", (), 400),
        Node("daraja", "saas", (), 50),
        Node("crb", "saas", (), 30),
        Node("africastalking", "saas", (), 30),
    ),
)

ESTATES = {PROD.name: PROD}

# a line's file: "access|" nginx's access log, "nginx|" its error log, "sqsd|" the worker daemon's; else the app's
BACKGROUND = {
    "express": ['access|"GET /v1/loans/{k}{n}{k}/status HTTP/1.1" 200 {n}{k}4 "-" "okhttp/4.12.0"',
                "info|request completed|GET /v1/customers/me 200 {k}{n}ms",
                "info|health check|GET /health 200 1ms"],
    "django": ['access|"POST /api/v1/loans/apply HTTP/1.1" 201 3{n}{k} "-" "mkopo-gateway/3.8"',
               "loans.apply application {k}{n}{k}{n}4 received from {county} (KES {k}{n}00)",
               "loans.repay repayment matched to loan LN{k}{n}{k}{n}2 (KES {n}{k}0)"],
    "spring": ['access|"POST /score HTTP/1.1" 200 {k}{n} "-" "python-requests/2.32.3"',
               "k.c.m.scoring.ScoreController          : scored application {k}{n}{k}{n}4 band {band} in {n}{k} ms",
               "k.c.m.scoring.CreditCheckClient        : bureau report fetched for application {k}{n}{k}{n}4"],
    "laravel": ['access|"POST /ussd/callback HTTP/1.1" 200 {k}{n} "-" "AfricasTalking/1.0"',
                "USSD session ATUid_{h8} menu {k} for 2547{n}{k}{n}{k}{n}"],
    "worker": ["sqsd|Message: {h8}-{k}{n} sent to http://localhost:80/tasks/sms (200)",
               "INFO:notify.sms:SMS sent to +2547{k}{n}XXXX{n} via AfricasTalking (status Success, cost KES 0.80)"],
    "postgres": ["LOG:  checkpoint complete: wrote {n}{k} buffers ({k}.{n}%); 0 WAL file(s) added, 0 removed, {k} "
                 "recycled; write={n}.{k}01 s, sync=0.00{k} s, total={n}.{k}12 s",
                 "LOG:  automatic vacuum of table \"mkopo.public.loans_repayment\": index scans: 1"],
}  # fmt: skip
NOISE = {
    "express": 'access|"GET /wp-login.php HTTP/1.1" 404 153 "-" "Mozilla/5.0 (compatible; zgrab/0.x)"',
    "django": "django.security.DisallowedHost Invalid HTTP_HOST header: '13.245.{k}.{n}'. You may need to add "
    "'13.245.{k}.{n}' to ALLOWED_HOSTS.",
    "laravel": "USSD session ATUid_{h8} timed out by the network after menu {k}",
}

# each program's word for a level
WORDS: dict[str, dict[str, str | int]] = {
    "express": {"error": 50, "warn": 40, "info": 30, "debug": 20},
    "django": {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"},
    "spring": {"error": "ERROR", "warn": " WARN", "info": " INFO", "debug": "DEBUG"},
    "laravel": {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"},
    "worker": {"error": "ERROR", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"},
}
FILES = {
    "access": "var/log/nginx/access.log",
    "nginx": "var/log/nginx/error.log",
    "sqsd": "var/log/aws-sqsd/default.log",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{county}", COUNTIES[int(h[:2], 16) % len(COUNTIES)])
        .replace("{band}", "ABCDE"[int(h[2:4], 16) % 5])
        .replace("{h8}", h[40:48])
        .replace("{ms}", str(int(at.timestamp() * 1000)))
    )


def _host(instance: str) -> str:
    b = bytes.fromhex(instance[2:10])
    return f"ip-172-31-{b[0] % 48}-{b[1]}"


def _syslog(at: datetime, host: str, pid: int, line: str) -> str:
    """The platform's web.stdout.log: the journal's line for the `web` unit, as rsyslog writes it."""
    return f"{at:%b} {at.day:2d} {at:%H:%M:%S} {host} web[{pid}]: {line}"


def _app(tech: str, at: datetime, level: str, said: str, host: str, pid: int, h: str) -> str:
    word = WORDS.get(tech, {}).get(level, "")
    local = at + EAT
    ms = f"{at.microsecond // 1000:03d}"
    if tech == "express":  # pino: its JSON line; "info|msg|request" for a request, else the message alone
        parts = said.split("|")
        msg, extra = (parts[1], f',"req":"{parts[2]}"') if len(parts) == 3 else (said, "")
        line = (f'{{"level":{word},"time":{int(at.timestamp() * 1000)},"pid":{pid},"hostname":"{host}.{REGION}.'
                f'compute.internal","reqId":"req-{h[:6]}"{extra},"msg":"{msg}"}}')  # fmt: skip
        return _syslog(at, host, pid, line)
    if tech == "django":  # LOGGING's `%(levelname)s %(asctime)s %(name)s %(message)s`, TIME_ZONE Africa/Nairobi
        name, _, msg = said.partition(" ")
        return _syslog(at, host, pid, f"{word} {local:%Y-%m-%d %H:%M:%S},{ms} {name} {msg}")
    if tech == "spring":  # Spring Boot 3's console pattern, in UTC
        return _syslog(at, host, pid, f"{at:%Y-%m-%dT%H:%M:%S}.{ms}Z {word} {pid} --- [scoring] "
                                      f"[nio-5000-exec-{int(h[:2], 16) % 9 + 1}] {said}")  # fmt: skip
    if tech == "laravel":  # storage/logs/laravel.log, the app's timezone Africa/Nairobi
        return f"[{local:%Y-%m-%d %H:%M:%S}] production.{word}: {said}"
    if tech == "worker":  # Python's logging.basicConfig, on the worker's standard output
        return _syslog(at, host, pid, said if said[:5] in ("INFO:", "ERROR", "WARNI") else f"{word}:notify:{said}")
    if tech == "postgres":  # RDS's log_line_prefix, UTC
        return f"{at:%Y-%m-%d %H:%M:%S} UTC:172.31.{pid % 48}.{pid % 250}({50000 + pid}):mkopo@mkopo:[{pid}]:{said}"
    return said


def _nginx(kind: str, at: datetime, said: str, h: str) -> str:
    client = f"172.31.{int(h[:2], 16) % 48}.{int(h[2:4], 16)}"
    if kind == "access":  # the platform's log_format main, its $http_x_forwarded_for last
        return f'{client} - - [{at:%d/%b/%Y:%H:%M:%S} +0000] {said} "41.90.{int(h[4:6], 16)}.{int(h[6:8], 16)}"'
    if kind == "sqsd":
        return f"{at:%Y-%m-%dT%H:%M:%S}Z {said}"
    return f"{at:%Y/%m/%d %H:%M:%S} {said.replace('{client}', client)}"


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One row of the team's Logs Insights query, as their jq writes it."""
    tech = estate.node(service).tech
    env = ENV.format(service=service)
    instance = "i-0" + _hex(env, pod)[:16]
    host = _host(instance)
    h = _hex(service, pod, str(at.timestamp()), text)
    pid = 2000 + int(_hex(pod)[:4], 16) % 7000
    kind, sep, rest = text.partition("|")
    if sep and kind in FILES:
        said = _fill(at, rest, h)
        message, file = _nginx(kind, at, said, h), FILES[kind]
    else:
        said = _fill(at, text, h)
        message = _app(tech, at, level, said, host, pid, h)
        file = "var/app/current/storage/logs/laravel.log" if tech == "laravel" else "var/log/web.stdout.log"
    if tech == "postgres":
        group, stream = f"/aws/rds/instance/{env}/postgresql", env
    else:
        group, stream = f"/aws/elasticbeanstalk/{env}/{file}", instance
    ptr = base64.b64encode(bytes.fromhex(_hex(group, h)[:48])).decode()
    return {
        "@timestamp": at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
        "@message": message,
        "@logStream": stream,
        "@log": f"{ACCOUNT}:{group}",
        "@ptr": ptr,
    }
