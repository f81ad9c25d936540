"""World 56's faults, from PostgreSQL, keepalived, Docker, Spring Boot and PIX incidents, in this estate's
words (English and Portuguese): a DBA's hardening migration revoking the ledger role's INSERT on its table; the
database's virtual IP moved by keepalived while the switch kept the old ARP entry, so the callers find no route
to it (the network team must clear it); the ledger's connection pool still pointing at the old primary after a
planned Patroni switchover, every write refused as read-only (restart it); payday's rush (the 5th working day);
a Compose change cutting the gateway's pids_limit so the JVM cannot start threads; the central bank's DICT
answering 503; the nightly reconciliation batch loading the database (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.world56.estates import BRT
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the platform's AWX job log records it: the job that applied it, and the diff of the stack's
    Compose file (or of the migration it ran)."""
    job = rng.randint(30_000, 49_999)
    diff = code or (
        f"--- a/stacks/{svc}/docker-compose.yml\n+++ b/stacks/{svc}/docker-compose.yml\n@@ -12,7 +12,7 @@ services:\n"
        f"   {svc}:\n-    {key}: {old}\n+    {key}: {new}\n"
    )
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"awx job {job} (deploy-stack.yml, stack {svc})",
        "diff": diff,
    }


def grant_revoked(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "grant_revoked",
        "postgres",
        "permission_denied",
        "rollback",
        "pix-gateway",
        "PixTransferenciasComErro",
        "a DBA's hardening migration moved writes on ledger.lancamentos to a new ledger_writer role and revoked "
        "INSERT and UPDATE from ledger_app, the role the ledger still logs in as; every posting is refused and "
        "PIX transfers fail; revert the migration's revoke",
        also_accept=["recent_change"],
    )
    sql = (
        "--- /dev/null\n+++ b/migrations/V412__hardening_grants.sql\n@@ -0,0 +1,4 @@\n"
        "+CREATE ROLE ledger_writer NOLOGIN;\n+GRANT INSERT, UPDATE ON ledger.lancamentos TO ledger_writer;\n"
        "+REVOKE INSERT, UPDATE ON ledger.lancamentos FROM ledger_app;\n+-- ledger_app keeps SELECT\n"
    )
    f.changes.append(change(at - 1 * M, "postgres", "config", "grants on ledger.lancamentos for ledger_app",
                            "SELECT, INSERT, UPDATE", "SELECT", rng, "dba-team", sql))  # fmt: skip
    f.effects += [
        Effect("ledger", "error_ratio", at, 0.7, relative=False),
        Effect("pix-gateway", "error_ratio", at + 1 * M, 0.4, relative=False),
        Effect("edge", "error_ratio", at + 1 * M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("postgres", at, 15, "error", "ERROR:  permission denied for table lancamentos"),
        Burst("postgres", at, 15, "error", "STATEMENT:  INSERT INTO ledger.lancamentos (conta, valor_centavos, "
              "e2e_id) VALUES ($1, $2, $3)"),
        Burst("ledger", at, 15, "error", 'msg="falha ao registrar lançamento" err="ERROR: permission denied for '
              'table lancamentos (SQLSTATE 42501)" conta=4412'),
        Burst("pix-gateway", at + 1 * M, 8, "error", "b.c.pagaja.pix.TransferenciaService   : Transferência "
              "rejeitada: ledger respondeu 500 (LEDGER_INDISPONIVEL)"),
    ]  # fmt: skip
    return f


def vip_arp_stale(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    f = Fault(
        "vip_arp_stale",
        "postgres",
        "network",
        "escalate",
        "ledger",
        "LedgerLancamentosFalhando",
        "vm-db-01 was live-migrated to another hypervisor; keepalived moved the database's virtual IP 10.20.0.50 "
        "to vm-db-02, but the top-of-rack switch ignored the gratuitous ARP and still sends the address to the old "
        "port, so the ledger and anti-fraud find no route to PostgreSQL; the database itself is healthy and idle; "
        "the network team must clear the switch's ARP entry",
    )
    f.effects += [
        Effect("postgres", "request_rate", at, 0.05),
        Effect("postgres", "cpu_utilization", at, 0.03, relative=False),
        Effect("ledger", "error_ratio", at, 0.8, relative=False),
        Effect("ledger", "latency_p99", at, 60.0),
        Effect("antifraud", "error_ratio", at, 0.5, relative=False),
        Effect("pix-gateway", "error_ratio", at + 1 * M, 0.45, relative=False),
    ]
    f.bursts += [
        Burst("postgres", at - 1 * M, 1, "info", "host: Keepalived_vrrp[1187]: (VI_PG) Entering MASTER STATE",
              minutes=1),
        Burst("postgres", at - 1 * M, 1, "info", "host: Keepalived_vrrp[1187]: (VI_PG) Sending/queueing "
              "gratuitous ARPs on ens192 for 10.20.0.50", minutes=1),
        Burst("ledger", at, 20, "error", 'msg="falha ao registrar lançamento" err="failed to connect to '
              '`host=10.20.0.50 user=ledger_app database=pix`: dial error (dial tcp 10.20.0.50:5432: connect: no '
              'route to host)"'),
        Burst("antifraud", at, 10, "error", 'antifraud.store:load_profile:61 - connection failed: connection to server '
              'at "10.20.0.50", port 5432 failed: No route to host'),
        Burst("pix-gateway", at + 1 * M, 6, "error", "b.c.pagaja.pix.TransferenciaService   : Transferência "
              "rejeitada: ledger respondeu 500 (LEDGER_INDISPONIVEL)"),
    ]  # fmt: skip
    return f


def pool_on_old_primary(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(7, 11) * M
    f = Fault(
        "pool_on_old_primary",
        "ledger",
        "dependency_failure",
        "restart",
        "ledger",
        "LedgerLancamentosFalhando",
        "the DBAs switched the primary over with Patroni for patching; the old primary came back as a replica, and "
        "the ledger's pgx pool kept its connections to it (it pins the address it resolved at start), so every "
        "write is refused as read-only; anti-fraud reconnected and is fine; restarting the ledger reconnects it",
    )
    f.changes.append(change(at - 2 * M, "postgres", "ops", "primary", "vm-db-01", "vm-db-02 (patronictl switchover "
                            "--candidate vm-db-02 --force, kernel patching)", rng, "dba-team",
                            "patronictl switchover pix --candidate vm-db-02 --force\n"))  # fmt: skip
    f.effects += [
        Effect("ledger", "error_ratio", at, 0.75, relative=False),
        Effect("pix-gateway", "error_ratio", at + 1 * M, 0.4, relative=False),
    ]
    f.bursts += [
        Burst("postgres", at - 2 * M, 2, "info", "LOG:  received fast shutdown request", minutes=1),
        Burst("postgres", at - 1 * M, 2, "info", "LOG:  database system is ready to accept read-only connections",
              minutes=1),
        Burst("postgres", at, 15, "error", "ERROR:  cannot execute INSERT in a read-only transaction"),
        Burst("ledger", at, 15, "error", 'msg="falha ao registrar lançamento" err="ERROR: cannot execute INSERT in a '
              'read-only transaction (SQLSTATE 25006)" conta=4412'),
        Burst("pix-gateway", at + 1 * M, 6, "error", "b.c.pagaja.pix.TransferenciaService   : Transferência "
              "rejeitada: ledger respondeu 500 (LEDGER_INDISPONIVEL)"),
    ]  # fmt: skip
    return f


def payday_rush(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(9, 13) * M
    f = Fault(
        "payday_rush",
        "pix-gateway",
        "capacity",
        "scale",
        "pix-gateway",
        "PixLatenciaAlta",
        "the fifth working day: salaries land and everyone pays their bills at once; PIX transfers rise fourfold, "
        "the gateway's CPU is at its limit with every Tomcat thread busy, and requests queue",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("pix-gateway", "request_rate", at - 4 * M, 4.0, ramp=5 * M),
        Effect("edge", "request_rate", at - 4 * M, 3.8, ramp=5 * M),
        Effect("ledger", "request_rate", at - 4 * M, 3.9, ramp=5 * M),
        Effect("pix-gateway", "cpu_utilization", at, 0.97, relative=False),
        Effect("pix-gateway", "latency_p99", at + 1 * M, 8.0),
        Effect("edge", "latency_p99", at + 1 * M, 6.0),
    ]
    f.bursts += [
        Burst("pix-gateway", at + 1 * M, 3, "warn", "o.a.tomcat.util.threads.ThreadPoolExecutor : todas as 200 "
              "threads do pool http-nio-8080 ocupadas; 480 requisições na fila"),
        Burst("edge", at + 2 * M, 4, "warn", "[warn] 31#31: *88412 an upstream response is buffered to a temporary "
              "file /var/cache/nginx/proxy_temp/4/12/0000000124 while reading upstream"),
    ]  # fmt: skip
    return f


def pids_limit_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(7, 10) * M
    f = Fault(
        "pids_limit_cut",
        "pix-gateway",
        "recent_change",
        "rollback",
        "pix-gateway",
        "PixTransferenciasComErro",
        "a hardening change to the gateway's Compose stack set pids_limit to 100 (it was 1024); the JVM runs "
        'about 260 threads, so it cannot start new ones ("unable to create native thread", though memory is '
        "fine) and requests fail; revert the change",
    )
    f.changes.append(change(at - 1 * M, "pix-gateway", "config", "pids_limit", "1024", "100", rng,
                            "platform-team"))  # fmt: skip
    f.effects += [
        Effect("pix-gateway", "error_ratio", at, 0.5, relative=False),
        Effect("pix-gateway", "latency_p99", at, 3.0),
        Effect("pix-gateway", "restarts", at + 2 * M, 2.0, relative=False, ramp=0 * M),
        Effect("edge", "error_ratio", at, 0.35, relative=False),
    ]
    f.bursts += [
        Burst("pix-gateway", at, 8, "error", "o.a.c.c.C.[.[.[/].[dispatcherServlet]   : Servlet.service() for servlet "
              "[dispatcherServlet] threw exception java.lang.OutOfMemoryError: unable to create native thread: "
              "possibly out of memory or process/resource limits reached"),
        Burst("pix-gateway", at, 4, "warn", "o.s.s.concurrent.ThreadPoolTaskExecutor  : falha ao criar thread do "
              "pool dict-lookup: pthread_create failed (EAGAIN)"),
        Burst("edge", at, 10, "error", "[error] 31#31: *88412 upstream prematurely closed connection while reading "
              'response header from upstream, client: 10.20.1.7, server: api.pagaja.example, request: "POST '
              '/pix/v1/transferencias HTTP/1.1", upstream: "http://10.20.4.11:8080/pix/v1/transferencias"'),
    ]  # fmt: skip
    return f


def dict_unavailable(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "dict_unavailable",
        "dict-api",
        "dependency_failure",
        "escalate",
        "pix-gateway",
        "PixTransferenciasComErro",
        "the central bank's DICT answers 503 for key lookups (its status page says degraded); transfers to a PIX "
        "key cannot be resolved and fail; nothing of ours changed; open a ticket with the central bank and tell "
        "customers",
    )
    f.effects += [
        Effect("pix-gateway", "error_ratio", at, 0.3, relative=False),
        Effect("pix-gateway", "latency_p99", at, 4.0),
        Effect("edge", "error_ratio", at + 1 * M, 0.25, relative=False),
    ]
    f.bursts += [
        Burst("pix-gateway", at, 10, "error", "b.c.pagaja.pix.DictClient             : Falha ao consultar chave PIX "
              "no DICT: HTTP 503 Service Unavailable (https://dict.pi.rsfn.net.br:16522/api/v2/entries/+55119...)"),
        Burst("pix-gateway", at + 2 * M, 1, "warn", "i.g.r.c.i.CircuitBreakerStateMachine    : CircuitBreaker "
              "'dict' changed state from CLOSED to OPEN"),
    ]  # fmt: skip
    f.failing_calls.append(("pix-gateway", "dict-api"))
    return f


def reconciliation_batch(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 18) * M
    f = Fault(
        "reconciliation_batch",
        "postgres",
        "no_incident",
        "none",
        "postgres",
        "PostgresCPUAlta",
        "the nightly reconciliation against the central bank's settlement file runs as scheduled and reads the "
        "day's postings; the database's CPU rises for its half hour and the alert's threshold is crossed, nothing "
        "fails and transfers are as fast as ever (no incident)",
    )
    loc = at.astimezone(BRT)  # the schedule names the local time the run started
    f.effects += [
        Effect("postgres", "cpu_utilization", at, 0.86, relative=False, ramp=2 * M),
        Effect("postgres", "latency_p99", at, 1.6, ramp=2 * M),
    ]
    f.bursts += [
        Burst("ledger", at, 0.5, "info", f'msg="conciliação iniciada" arquivo=ACCS_{loc:%Y%m%d}.xml '
              f'agendamento="{loc.minute} {loc.hour} * * *"', minutes=1),
        Burst("postgres", at + 1 * M, 1, "info", "LOG:  duration: 61234.118 ms  statement: SELECT conta, sum("
              "valor_centavos) FROM ledger.lancamentos WHERE criado_em >= $1 GROUP BY conta", minutes=10),
    ]  # fmt: skip
    return f


FAULTS = [grant_revoked, vip_arp_stale, pool_on_old_primary, payday_rush, pids_limit_cut, dict_unavailable,
          reconciliation_batch]  # fmt: skip
