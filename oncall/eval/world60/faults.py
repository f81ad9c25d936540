"""World 60's faults, from Apache, Oracle, Celery, Keycloak and statutory-insurance incidents, in this estate's words
(German and English): Apache's TLS floor raised to 1.3 in an Ansible change, so the practices' older software
cannot connect and requests drop without an error anywhere (roll back); Oracle's recovery area full of archived
redo logs, so the archiver stops and every write hangs (free the archive destination); the OCR worker's memory
growing until the OOM killer takes it, the receipts queue backing up behind it (restart); the TI-Konnektor
unreachable, so health-card checks fail (escalate); a letter campaign sending members to log in at once,
Keycloak saturated (scale); a claims-api release that queries once per claim line, Oracle's CPU at its ceiling
(roll back); and a blackbox probe still checking a path a change retired (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team's Ansible Tower job records it, with the playbook's diff."""
    path = f"roles/{svc}/defaults/main.yml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"tower job {rng.randint(40000, 49999)} (site-{svc}.yml)",
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -4 +4 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def tls_floor_raised(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "tls_floor_raised",
        "apache",
        "recent_change",
        "rollback",
        "apache",
        "PortalRequestsDropped",
        "an Ansible change raised Apache's SSLProtocol to TLS 1.3 only, following a security scan; the practice "
        "software of many doctors and pharmacies speaks TLS 1.2 only and can no longer connect, so half the "
        "requests never arrive; nothing fails inside; roll the change back",
    )
    conf = (
        "--- a/roles/apache/templates/ssl.conf.j2\n+++ b/roles/apache/templates/ssl.conf.j2\n@@ -12 +12 @@\n"
        "-SSLProtocol -all +TLSv1.2 +TLSv1.3\n+SSLProtocol -all +TLSv1.3\n"
    )
    f.changes.append(change(at - 1 * M, "apache", "config", "apache_ssl_protocol", "-all +TLSv1.2 +TLSv1.3",
                            "-all +TLSv1.3", rng, "it-sicherheit", conf))  # fmt: skip
    f.effects += [
        Effect("apache", "request_rate", at, 0.45, ramp=1 * M),
        Effect("portal", "request_rate", at, 0.5, ramp=1 * M),
        Effect("claims-api", "request_rate", at, 0.6, ramp=1 * M),
    ]
    f.bursts += [
        Burst("apache", at, 40, "info", "[ssl:info] [pid 2211:tid 140231] [client 10.40.{n}.9:51234] AH02008: SSL "
              "library error 1 in handshake (server portal.kasse.example:443)"),
        Burst("apache", at, 40, "info", "[ssl:info] [pid 2211:tid 140231] SSL Library Error: error:0A000102:SSL "
              "routines::unsupported protocol"),
    ]  # fmt: skip
    return f


def archivelog_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 9) * M
    f = Fault(
        "archivelog_full",
        "oracle",
        "resource_exhaustion",
        "config_change",
        "claims-api",
        "ClaimsApiErrors",
        "the archived redo logs filled Oracle's fast recovery area (the nightly RMAN job that backs them up and "
        "deletes them failed for three nights); the archiver stops, and every write waits; back the archived "
        "logs up and delete them, then fix the backup job",
        also_accept=["capacity"],
    )
    f.effects += [
        Effect("oracle", "disk_utilization", at - 40 * M, 1.0, relative=False, ramp=40 * M),
        Effect("claims-api", "error_ratio", at, 0.7, relative=False),
        Effect("claims-api", "latency_p99", at, 20.0),
        Effect("portal", "error_ratio", at + 1 * M, 0.3, relative=False),
        Effect("keycloak", "error_ratio", at + 1 * M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("oracle", at - 20 * M, 0.5, "warn", "ORA-19815: WARNING: db_recovery_file_dest_size of 214748364800 "
              "bytes is 99.{n}% used, and has 102400 remaining bytes available.", minutes=20),
        Burst("oracle", at, 4, "error", "ARC1: Error 19809 Creating archive log file to "
              "'/u03/fra/ORCLCDB/archivelog/2026_06_04/o1_mf_1_482{n}_.arc'"),
        Burst("oracle", at, 4, "error", "ORA-00257: Archiver error. Connect AS SYSDBA only until resolved."),
        Burst("claims-api", at, 20, "error", '{"level":"ERROR","loggerName":"de.kasse.claims.ClaimResource",'
              '"message":"Speichern des Leistungsfalls 88{n}12 fehlgeschlagen: java.sql.SQLException: ORA-00257: '
              'Archiver error. Connect AS SYSDBA only until resolved.","threadName":"executor-thread-9"}'),
    ]  # fmt: skip
    return f


def ocr_memory_growth(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "ocr_memory_growth",
        "ocr",
        "resource_exhaustion",
        "restart",
        "rabbitmq",
        "BelegQueueBacklog",
        "the OCR worker keeps every page image it has rendered (a cache with no limit); its memory grows until "
        "the OOM killer takes its pool processes, receipts are redelivered and the queue backs up; restart it "
        "to reclaim the memory, then cap the cache",
    )
    f.effects += [
        Effect("ocr", "memory_utilization", at - 60 * M, 0.99, relative=False, ramp=60 * M),
        Effect("ocr", "restarts", at, 3.0, relative=False, ramp=0 * M),
        Effect("ocr", "request_rate", at, 0.25),
        Effect("ocr", "error_ratio", at, 0.4, relative=False),
    ]
    f.bursts += [
        Burst("ocr", at, 4, "error", "ERROR/MainProcess] Process 'ForkPoolWorker-{n}' pid:31211 exited with 'signal "
              "9 (SIGKILL)'"),
        Burst("ocr", at, 4, "error", "ERROR/MainProcess] Task handler raised error: WorkerLostError('Worker exited "
              "prematurely: signal 9 (SIGKILL) Job: 4211.')"),
        Burst("rabbitmq", at + 1 * M, 2, "warn", "[warning] <0.812.0> closing AMQP connection <0.812.0> "
              "(10.40.4.7:40112 -> 10.40.2.5:5672): client unexpectedly closed TCP connection"),
    ]  # fmt: skip
    return f


def konnektor_unreachable(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "konnektor_unreachable",
        "ti-konnektor",
        "dependency_failure",
        "escalate",
        "portal",
        "VersichertenstammdatenFehler",
        "the TI-Konnektor in the data centre cannot be reached (its provider's maintenance ran over); health-card "
        "checks at the portal fail; nothing of ours changed; call the provider",
    )
    f.effects += [
        Effect("portal", "error_ratio", at, 0.35, relative=False),
        Effect("portal", "latency_p99", at, 6.0),
    ]
    f.bursts += [
        Burst("portal", at, 12, "error", "ERROR 2211 --- [nio-8080-exec-5] d.k.portal.ti.VsdmClient           : "
              "VSDM ReadVSD am Konnektor fehlgeschlagen: java.net.SocketTimeoutException: Connect timed out "
              "(ti-konnektor.kasse.intern:443)"),
    ]  # fmt: skip
    f.failing_calls.append(("portal", "ti-konnektor"))
    return f


def login_campaign(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "login_campaign",
        "keycloak",
        "capacity",
        "scale",
        "portal",
        "PortalLoginSlow",
        "a letter to two million members asked them to log in to confirm their bank details; logins run at four "
        "times the usual rate and Keycloak's two VMs are at their CPU; add Keycloak nodes",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("keycloak", "request_rate", at - 5 * M, 4.0, ramp=5 * M),
        Effect("portal", "request_rate", at - 5 * M, 2.2, ramp=5 * M),
        Effect("apache", "request_rate", at - 5 * M, 2.0, ramp=5 * M),
        Effect("keycloak", "cpu_utilization", at, 0.97, relative=False),
        Effect("keycloak", "latency_p99", at + 1 * M, 9.0),
        Effect("portal", "latency_p99", at + 1 * M, 4.0),
    ]
    f.bursts += [
        Burst("keycloak", at + 1 * M, 3, "warn", "WARN  [com.arjuna.ats.arjuna] (Transaction Reaper) ARJUNA012117: "
              "TransactionReaper::check timeout for TX 0:ffff0a28{n}:1f in state  RUN"),
    ]  # fmt: skip
    return f


def query_per_line_release(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(7, 10) * M
    f = Fault(
        "query_per_line_release",
        "claims-api",
        "recent_change",
        "rollback",
        "oracle",
        "OracleCpuHigh",
        "claims-api 4.13.0 loads each claim's lines one query at a time (a lazy association in a loop); every "
        "claim view now costs hundreds of queries, Oracle's CPU is at its ceiling and everything on it slows; "
        "roll the release back",
    )
    f.changes.append(change(at - 3 * M, "claims-api", "deploy", "claims_api_version", "4.12.2", "4.13.0", rng,
                            "release-pipeline"))  # fmt: skip
    f.effects += [
        Effect("oracle", "cpu_utilization", at, 0.96, relative=False),
        Effect("oracle", "request_rate", at, 9.0),
        Effect("claims-api", "latency_p99", at, 6.0),
        Effect("keycloak", "latency_p99", at + 1 * M, 3.0),
    ]
    f.bursts += [
        Burst("claims-api", at, 6, "warn", '{"level":"WARN","loggerName":"de.kasse.claims.ClaimResource","message":'
              '"Langsame Anfrage GET /claims/88{n}12: 1.9 s","threadName":"executor-thread-7"}'),
    ]  # fmt: skip
    return f


def retired_path_probe(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(8, 12) * M
    f = Fault(
        "retired_path_probe",
        "apache",
        "no_incident",
        "none",
        "apache",
        "BlackboxProbeFailed",
        "the old portal's /legacy path was switched off as planned this afternoon; the blackbox probe still "
        "checks /legacy/health and fails with 404; members are unaffected (no incident): retire the probe",
    )
    conf = (
        "--- a/roles/apache/templates/portal.conf.j2\n+++ b/roles/apache/templates/portal.conf.j2\n@@ -40,4 +40,0 @@\n"
        "-<Location /legacy>\n-  ProxyPass http://vm-legacy-01:8080/\n-</Location>\n"
    )
    f.changes.append(change(at - rng.randint(90, 150) * M, "apache", "config", "apache_legacy_portal", "enabled",
                            "removed (Altportal abgeschaltet, geplant)", rng, "portal-team", conf))  # fmt: skip
    f.bursts += [
        Burst("apache", at - 150 * M, 4, "info", '10.40.9.5 - - [{date}] "GET /legacy/health HTTP/1.1" 404 196 "-" '
              '"Blackbox Exporter/0.25.0"', minutes=170),
    ]  # fmt: skip
    return f


FAULTS = [tls_floor_raised, archivelog_full, ocr_memory_growth, konnektor_unreachable, login_campaign,
          query_per_line_release, retired_path_probe]  # fmt: skip
