"""World 52's faults, from Db2, IBM MQ, Apache and WebLogic incidents, in this estate's words: a rules-engine
change running its nightly recompute as one transaction, so Db2's transaction log fills and every writer fails
(the movements consumer alarms); the ops-control partner's queue manager going down, so no flight movement
arrives and the consumer goes quiet (its staleness alarm); the monthly roster's publication sending every crew
member to the portal at once, Apache at its MaxRequestWorkers; a WebLogic change cutting the crew data source's
capacity from 50 to 5; a roster release panicking on a nil map, restarting in a loop; httpd's LogLevel left at
debug two days ago, filling its volume; a DBA's scheduled REORG of the duties table (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change ticket as the change-management tool exports it once implemented."""
    path = f"ansible/roles/{svc}/defaults/main.yml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"CHG{rng.randint(100000, 999999)}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -4 +4 @@\n-{key}: {old}\n+{key}: {new}\n{code}",
    }


def db2_log_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "db2_log_full",
        "rules",
        "recent_change",
        "rollback",
        "movements",
        "MovementsApplyFailing",
        "a rules-engine change runs the nightly duty-time recompute as one unit of work (commit_every 500 -> 0); "
        "it never commits, Db2's active transaction log fills (SQL0964C), and every writer, the movements "
        "consumer first, fails",
    )
    f.changes.append(change(at - 25 * M, "rules", "config", "recompute.commit_every", "500", "0", rng, "jpatel"))
    f.effects += [
        Effect("rules", "cpu_utilization", at - 20 * M, 0.7, relative=False),
        Effect("db2", "disk_utilization", at - 20 * M, 0.9, relative=False, ramp=20 * M),
        Effect("movements", "error_ratio", at, 0.6, relative=False),
        Effect("roster", "error_ratio", at + 1 * M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("rules", at - 20 * M, 1, "info", "INFO rules.recompute: recompute started for 48211 crew (one unit "
              "of work)"),
        Burst("db2", at, 4, "error", "Error FUNCTION: DB2 UDB, data protection services, sqlpgResSpace, probe:2860 "
              "MESSAGE : ADM1823E The active log is full and is held by application handle \"0-8812\". Terminate "
              "this application by COMMIT, ROLLBACK or FORCE APPLICATION."),
        Burst("movements", at, 12, "error", "ERROR c.s.movements.MovementListener - apply failed for BA0117: "
              "com.ibm.db2.jcc.am.SqlException: DB2 SQL Error: SQLCODE=-964, SQLSTATE=57011, SQLERRMC=null: "
              "The transaction log for the database is full"),
        Burst("roster", at + 1 * M, 4, "error", 'level=error msg="duty update failed" err="SQL0964C The transaction '
              'log for the database is full. SQLSTATE=57011"'),
    ]  # fmt: skip
    return f


def partner_qmgr_down(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(15, 22) * M
    f = Fault(
        "partner_qmgr_down",
        "ops-control",
        "dependency_failure",
        "escalate",
        "movements",
        "MovementsStale",
        "the ops-control partner's queue manager went down in their maintenance-free hours; the sender channel "
        "OPS.TO.CREW retries, no flight movement arrives, and the movements consumer goes quiet",
    )
    f.effects += [
        Effect("movements", "request_rate", at, 0.02),
        Effect("mq", "request_rate", at, 0.05),
    ]
    f.bursts += [
        Burst("mq", at, 1, "error", "AMQ9202E: Remote host 'opsctl.partner.example (10.99.4.12) (1414)' not "
              "available, retry later. EXPLANATION: The attempt to allocate a conversation using TCP/IP to host "
              "'opsctl.partner.example' for channel OPS.TO.CREW was not successful."),
        Burst("mq", at, 0.5, "warn", "AMQ9508W: Program cannot connect to the queue manager. Channel 'OPS.TO.CREW' "
              "is retrying."),
    ]  # fmt: skip
    f.failing_calls.append(("mq", "ops-control"))
    return f


def roster_day(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 14) * M
    f = Fault(
        "roster_day",
        "httpd",
        "capacity",
        "config_change",
        "haproxy",
        "PortalLatencyHigh",
        "the monthly roster was published at nine: every crew member opens the portal at once, four times the "
        "usual requests; Apache reaches its MaxRequestWorkers of 150 and requests queue in HAProxy",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("haproxy", "request_rate", at, 4.0, ramp=3 * M),
        Effect("httpd", "request_rate", at, 3.0, ramp=3 * M),
        Effect("crew-portal", "request_rate", at, 3.0, ramp=3 * M),
        Effect("httpd", "cpu_utilization", at + 2 * M, 0.6, relative=False),
        Effect("haproxy", "latency_p99", at + 3 * M, 20.0),
        Effect("httpd", "latency_p99", at + 3 * M, 6.0),
    ]
    f.bursts += [
        Burst("httpd", at + 3 * M, 0.5, "error", "[mpm_event:error] [pid 2211:tid 140211] AH00484: server reached "
              "MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting"),
        Burst("haproxy", at + 3 * M, 8, "warn", "10.20.1.14:51234 [{hap}] www~ portal/httpd2 0/4512/1/38/4551 200 "
              '4120 - - ---- 412/412/150/75/0 0/88 "GET /crew/roster?month=2026-07 HTTP/1.1"'),
    ]  # fmt: skip
    return f


def datasource_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "datasource_cut",
        "crew-portal",
        "recent_change",
        "rollback",
        "crew-portal",
        "CrewPortalErrors",
        "a WebLogic change (meant for the test domain) set the CrewDS data source's maximum capacity from 50 to 5; "
        "at the morning's load requests wait for a connection and fail",
    )
    f.changes.append(change(at - 4 * M, "crew-portal", "config", "jdbc.CrewDS.MaxCapacity", "50", "5", rng,
                            "wlsadmin"))  # fmt: skip
    f.effects += [
        Effect("crew-portal", "error_ratio", at, 0.3, relative=False),
        Effect("crew-portal", "latency_p99", at, 8.0),
        Effect("httpd", "error_ratio", at + 1 * M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("crew-portal", at, 15, "error", "<Error> <JDBC> <<WLS Kernel>> <BEA-001112> <Test \"SELECT 1 FROM "
              "SYSIBM.SYSDUMMY1\" set up for pool \"CrewDS\" failed with exception: weblogic.common.resourcepool."
              "ResourceLimitException: No resources currently available in pool CrewDS to allocate to applications, "
              "please increase the size of the pool and retry..>"),
    ]  # fmt: skip
    return f


def nil_map_panic(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "nil_map_panic",
        "roster",
        "recent_change",
        "rollback",
        "crew-portal",
        "CrewPortalErrors",
        "a roster release reads a new standby field into a map it never makes; every roster with a standby duty "
        "panics, systemd restarts it, and the portal's roster pages fail",
    )
    f.changes.append(change(at - 3 * M, "roster", "deploy", "roster_version", "4.12.0", "4.13.0", rng, "jenkins"))
    f.effects += [
        Effect("roster", "restarts", at, 6.0, relative=False, ramp=0 * M),
        Effect("roster", "error_ratio", at, 0.4, relative=False),
        Effect("crew-portal", "error_ratio", at + 1 * M, 0.18, relative=False),
    ]
    f.bursts += [
        Burst("roster", at, 1, "error", "panic: assignment to entry in nil map\n\ngoroutine 88 [running]:\n"
              "skycrew/roster/internal/duty.(*Builder).addStandby(...)"),
        Burst("crew-portal", at + 1 * M, 10, "error", "<Error> <HTTP> <<WLS Kernel>> <BEA-101020> <[ServletContext@"
              "1812211[app:crew module:crew]] Servlet failed with an Exception java.net.ConnectException: Connection "
              "refused (roster1.lhr2.skycrew.example:8080)>"),
    ]  # fmt: skip
    return f


def debug_log_fill(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 8) * M
    f = Fault(
        "debug_log_fill",
        "httpd",
        "resource_exhaustion",
        "config_change",
        "httpd",
        "PortalErrors",
        "Apache's LogLevel was raised to debug two days ago to chase a TLS question and never lowered; its error "
        "log filled /data, and it can no longer write its logs or serve",
        also_accept=["recent_change"],
    )
    f.changes.append(change(t - timedelta(days=2, hours=rng.randint(1, 5)), "httpd", "config", "httpd_loglevel",
                            "warn", "debug", rng, "mlopez"))  # fmt: skip
    f.effects += [
        Effect("httpd", "disk_utilization", at - 240 * M, 1.0, relative=False, ramp=238 * M),
        Effect("httpd", "error_ratio", at, 0.5, relative=False),
        Effect("haproxy", "error_ratio", at + 1 * M, 0.4, relative=False),
    ]
    f.bursts += [
        Burst("httpd", at - 240 * M, 30, "info", "[ssl:debug] [pid 2211:tid 140211] ssl_engine_kernel.c(2394): "
              "[client 10.20.1.14:51234] AH02043: SSL virtual host for servername crew.skycrew.example found"),
        Burst("httpd", at, 2, "error", "(28)No space left on device: [client 10.20.1.14:51234] AH00646: Error "
              "writing to /data/httpd/logs/error_log"),
    ]  # fmt: skip
    return f


def reorg_scheduled(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(12, 20) * M
    f = Fault(
        "reorg_scheduled",
        "db2",
        "no_incident",
        "none",
        "db2",
        "Db2CpuHigh",
        "the DBA team's scheduled REORG of the duties table runs in its window: Db2's CPU and its statements' "
        "latency rise a little, nothing fails (no incident)",
    )
    f.changes.append(change(at - 1 * M, "db2", "dba", "job", "none", "REORG TABLE CREW.DUTIES INPLACE ALLOW WRITE "
                            "ACCESS", rng, "dba-team"))  # fmt: skip
    f.effects += [
        Effect("db2", "cpu_utilization", at, 0.85, relative=False, ramp=3 * M),
        Effect("db2", "latency_p99", at, 2.2, ramp=3 * M),
    ]
    f.bursts += [
        Burst("db2", at, 0.2, "info", "Info FUNCTION: DB2 UDB, data management, sqldInplaceReorg, probe:1 MESSAGE : "
              "ADM9504W Inplace reorg has started on table \"CREW.DUTIES\""),
    ]  # fmt: skip
    return f


FAULTS = [db2_log_full, partner_qmgr_down, roster_day, datasource_cut, nil_map_panic, debug_log_fill,
          reorg_scheduled]  # fmt: skip
