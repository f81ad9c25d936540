"""World 98's estate, written after world 97's rules and scored before any rule saw it.

A Brno e-book and audiobook store ("Čtečka": readers buy e-books and audiobooks, pay by card through GoPay, read
in the app under an LCP licence) on an Azure Service Fabric cluster of Windows nodes: the .NET 8 services
`storefront` (the shop's API), `catalog`, `orders`, `licensing` (issues LCP licences, its key in Key Vault) and
`audio` (streams audiobooks), an Apache Pulsar cluster and Cassandra on Linux VMs beside it; GoPay and Microsoft
Entra ID outside.

Logs: each service writes NLog's default layout to a file per day in its application's work folder
(`D:\\SvcFab\\_App\\Ctecka_App7\\work\\logs\\Ctecka.Orders-2029-03-12.log`), Cassandra and Pulsar their own files;
the Azure Monitor Agent collects every one as a custom text log into Log Analytics, one row a line, unparsed
(`RawData`), with the file it came from (`FilePath`) and the machine (`Computer`); the team's export is `az monitor
log-analytics query` over the table, a row a line. Which service a line is from is only in the file's name. NLog's
`longdate` is the node's local time (Central European, no zone), the row's `TimeGenerated` when the agent sent it
(UTC, seconds later); Cassandra and Pulsar write UTC. Metrics: the team's Prometheus (Azure Monitor's managed
service), by scrape `job`."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from oncall.eval.styled import Estate, Node

WORKSPACE = "4f8c2a1e-93d1-4b2e-a1c0-5e7d9b3f6a21"
TITLES = ("Babička", "Krakatit", "Saturnin", "Válka s mloky", "Osudy dobrého vojáka Švejka", "R.U.R.")


def _signals() -> dict[str, str]:
    sel = 'job="{service}"'
    return {
        "request_rate": f"job:http_requests:rate1m{{{sel}}}",
        "error_ratio": f"job:http_requests_failed:ratio_rate1m{{{sel}}}",
        "latency_p99": f"job:http_request_duration_seconds:p99{{{sel}}}",
        "cpu_utilization": f"job:process_cpu:ratio{{{sel}}}",
        "memory_utilization": f"job:process_working_set:ratio_of_limit{{{sel}}}",
        "disk_utilization": f"job:node_filesystem_used:ratio{{{sel}}}",
        "pool_utilization": f"job:threadpool_queue:ratio_of_max{{{sel}}}",
        "restarts": f"job:process_restarts:increase10m{{{sel}}}",
    }


PROD = Estate(
    label="job",
    name="ctecka",
    namespace="ctecka-prod",
    shipper="azure-monitor-agent-text-logs",
    signals=_signals(),
    nodes=(
        Node("storefront", "aspnet", ("catalog", "orders", "licensing", "audio"), 140),
        Node("catalog", "aspnet", ("cassandra",), 90),
        Node("orders", "aspnet", ("gopay", "cassandra", "pulsar"), 25),
        Node("licensing", "aspnet", ("entra", "pulsar", "cassandra"), 20),
        Node("audio", "aspnet", ("cassandra",), 40),
        Node("pulsar", "pulsar", (), 60),
        Node("cassandra", "cassandra", (), 400),
        Node("gopay", "saas", (), 25),
        Node("entra", "saas", (), 5),
    ),
)

ESTATES = {PROD.name: PROD}

# "logger|message" for the .NET services (NLog's ${logger}); the rest as written
BACKGROUND = {
    "aspnet": ["Microsoft.AspNetCore.Hosting.Diagnostics|Request finished HTTP/1.1 GET https://{svc}.ctecka.internal"
               "/api/health - 200 null text/plain 0.{n}{k}ms",
               "Ctecka.{Svc}.Api|{title}: served to reader {h8} in {n}{k} ms",
               "Microsoft.AspNetCore.Hosting.Diagnostics|Request finished HTTP/1.1 GET https://{svc}.ctecka.internal"
               "/api/books/{k}{n}{k} - 200 {n}{k}1 application/json {k}{n}.{k}ms"],
    "pulsar": ["[pulsar-io-3-{k}] INFO  org.apache.pulsar.broker.service.ServerCnx - [/10.20.1.{n}:5{n}{k}4] "
               "Subscribing on topic persistent://ctecka/shop/order-paid to subscription licensing",
               "[pulsar-ordered-OrderedExecutor-{k}-0] INFO  org.apache.bookkeeper.mledger.impl.OpAddEntry - "
               "[ctecka/shop/persistent/order-paid] Ledger {n}{k}{n}{k} closed, entries {n}{k}3"],
    "cassandra": ["INFO  [CompactionExecutor:{k}] {ts} CompactionTask.java:241 - Compacted (id {h8}) 4 sstables to "
                  "[/var/lib/cassandra/data/ctecka/books-{h8}/nb-{n}{k}-big] to level=0. {k}{n}MiB to {k}{n}MiB",
                  "INFO  [ScheduledTasks:1] {ts} StatusLogger.java:65 - Pool Name Active Pending Completed Blocked"],
}  # fmt: skip
NOISE = {
    "aspnet": 'Microsoft.AspNetCore.Server.Kestrel|Connection id "0HN{h8}" bad request data: "Invalid request '
    "line: 'GET /.env HTTP/1.1'\"",
    "cassandra": "WARN  [Native-Transport-Requests-{k}] {ts} NoSpamLogger.java:108 - Maximum memory usage reached "
    "(512.000MiB), cannot allocate chunk of 1.000MiB",
}

CET = timedelta(hours=1)
NLOG = {"error": "ERROR", "warn": "WARN", "info": "INFO", "debug": "DEBUG"}
SCALE_SETS = {"aspnet": "nt1", "pulsar": "pulsar", "cassandra": "cassandra"}
FILES = {"pulsar": "/var/log/pulsar/pulsar-{role}-{host}.log", "cassandra": "/var/log/cassandra/system.log"}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str, h: str, service: str) -> str:
    n = int(at.timestamp()) % 61
    return (
        text.replace("{k}", str(n % 9 + 1))
        .replace("{n}", str(n))
        .replace("{title}", TITLES[int(h[:2], 16) % len(TITLES)])
        .replace("{h8}", h[40:48])
        .replace("{svc}", service)
        .replace("{Svc}", service.capitalize())
        .replace("{ts}", f"{at:%Y-%m-%d %H:%M:%S},{at.microsecond // 1000:03d}")
    )


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any]:
    """One row of the team's export of the custom log table, as `az monitor log-analytics query` writes it."""
    tech = estate.node(service).tech
    h = _hex(service, pod, str(at.timestamp()), text)
    said = _fill(at, text, h, service)
    slot = int(_hex(pod)[:2], 16) % 5
    if tech == "aspnet":  # NLog's default layout, in the node's local time, no zone
        logger, sep, message = said.partition("|")
        if not sep:
            logger, message = f"Ctecka.{service.capitalize()}.Api", said
        local = at + CET
        raw = f"{local:%Y-%m-%d %H:%M:%S}.{local.microsecond // 100:04d}|{NLOG[level]}|{logger}|{message}"
        computer = f"ctecka-nt1{slot:06d}"
        path = f"D:\\SvcFab\\_App\\Ctecka_App7\\work\\logs\\Ctecka.{service.capitalize()}-{local:%Y-%m-%d}.log"
    elif tech == "pulsar":  # log4j2's pattern in Pulsar's conf: ISO time with its offset, thread, level, logger
        computer = f"pulsar-{slot % 3 + 1}"
        role, sep, rest = said.partition("|")  # "bookie|...": the bookie's log on the same machine, else the broker's
        said = rest if sep and role == "bookie" else said
        raw = f"{at:%Y-%m-%dT%H:%M:%S},{at.microsecond // 1000:03d}+0000 {said}"
        path = FILES["pulsar"].format(role="bookie" if sep and role == "bookie" else "broker", host=computer)
    else:  # Cassandra's logback pattern: level, thread, time, file:line - message
        computer = f"cass-{slot % 3 + 1}"
        raw = said
        path = FILES["cassandra"]
    sent = at + timedelta(seconds=2 + int(h[8:10], 16) % 20)
    return {
        "TenantId": WORKSPACE,
        "TimeGenerated": sent.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z",
        "RawData": raw,
        "FilePath": path,
        "Computer": computer,
        "Type": "CtekaText_CL",
        "_ResourceId": f"/subscriptions/7d1e5b40-0c1f-4e9e-9a4b-2b51c3e8d7f0/resourcegroups/ctecka-prod/providers/"
        f"microsoft.compute/virtualmachinescalesets/{SCALE_SETS[tech]}",
    }
