"""World 34's faults, from universities' and hosting providers' postmortems, in this estate's words: the
inter-campus link failing so the Galera node in one data centre loses quorum and refuses queries; the
first morning of exams bringing five times the usual logins (real load) until PHP-FPM has no child left;
a Puppet change pointing the session handler at another Redis database, so every session vanishes; the
directory service account's password reaching Active Directory's maximum age; a lecturer's bulk upload
making the file store's predicted-full alert fire while it is half empty (no incident); the proctoring
vendor's API slowing every quiz submission; and ClamAV's signature reload doubling clamd's memory until
the kernel kills it, so uploads cannot be scanned."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"hieradata/role/{svc}.yaml"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(28):07x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -12 +12 @@\n-{key}: {old}\n+{key}: {new}\n",
    }


def galera_non_primary(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "galera_non_primary",
        "db",
        "network",
        "escalate",
        "web",
        "MoodleDatabaseErrors",
        "the link between the two campuses' data centres failed; the Galera node on the far side lost sight of "
        "the other two, went non-Primary and refuses every query from the web nodes that use it",
    )
    f.effects += [
        Effect("web", "error_ratio", at, 0.33, relative=False),
        Effect("db", "request_rate", at, 0.66),
    ]
    f.bursts += [
        Burst("db", at - M, 6, "warn", "[Warning] WSREP: evs::proto(db-03) suspecting node: 6a1f8c2e, "
              "last heard 5.2 s ago", minutes=2),
        Burst("db", at, 2, "info", "[Note] WSREP: New COMPONENT: primary = no, bootstrap = no, my_idx = 0, "
              "memb_num = 1", minutes=3),
        Burst("db", at, 1, "warn", "[Warning] WSREP: Quorum: No node with complete state: non-Primary"),
        Burst("web", at, 25, "error", "Error reading from database: WSREP has not yet prepared node for "
              "application use (1047) in /var/www/moodle/lib/dml/mysqli_native_moodle_database.php on line 1134"),
    ]  # fmt: skip
    return f


def exam_morning_surge(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "exam_morning_surge",
        "web",
        "capacity",
        "scale",
        "lb",
        "MoodleSlowResponses",
        "the first morning of the exam period brought five times the usual logins at nine; every PHP-FPM child "
        "on the web nodes is busy and requests queue at HAProxy",
    )
    f.effects += [
        Effect("lb", "request_rate", at - 15 * M, 5.0, ramp=8 * M),
        Effect("web", "request_rate", at - 15 * M, 5.0, ramp=8 * M),
        Effect("web", "cpu_utilization", at - 8 * M, 0.97, relative=False),
        Effect("web", "latency_p99", at - 5 * M, 9.0),
        Effect("lb", "latency_p99", at - 5 * M, 9.0),
        Effect("lb", "error_ratio", at, 0.06, relative=False),
    ]
    f.bursts.append(Burst("web", at - 5 * M, 2, "warn", "[pool www] server reached pm.max_children setting (120), "
                          "consider raising it"))  # fmt: skip
    return f


def session_db_moved(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "session_db_moved",
        "web",
        "recent_change",
        "rollback",
        "web",
        "MoodleLoginLoop",
        "a Puppet change set the session handler's Redis database from 0 to 2; every signed-in user's session "
        "was lost and the login page sends them round in a loop",
    )
    f.changes.append(change(at - M, "web", "config", "moodle::session_redis_database", "0", "2", rng, "puppet"))
    f.effects += [
        Effect("web", "error_ratio", at, 0.12, relative=False),
        Effect("web", "request_rate", at, 2.2),
        Effect("sessions", "request_rate", at, 1.8),
    ]
    f.bursts += [
        Burst("web", at, 30, "warn", "Your session has most likely timed out. Please log in again. (sesskey "
              "mismatch for user 88213)"),
    ]  # fmt: skip
    return f


def ad_password_max_age(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "ad_password_max_age",
        "web",
        "expired_credential",
        "config_change",
        "web",
        "MoodleLoginFailures",
        "the directory service account Moodle's LDAP plugin binds as reached Active Directory's maximum "
        "password age; every login is refused at the bind",
    )
    f.effects.append(Effect("web", "error_ratio", at, 0.2, relative=False))
    f.bursts.append(Burst("web", at, 20, "warn", "LDAP bind failed for cn=svc-moodle,ou=Service Accounts,"
                          "dc=uni,dc=example: 80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext "
                          "error, data 532, v4563 (Invalid credentials)"))  # fmt: skip
    f.failing_calls.append(("web", "ad"))
    return f


def bulk_upload_prediction(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 8) * M
    f = Fault(
        "bulk_upload_prediction",
        "filestore",
        "no_incident",
        "none",
        "filestore",
        "FileStoreWillFillIn4Hours",
        "a lecturer uploaded a term's recorded lectures at once; the file store's use rose from 0.42 to 0.55 in "
        "twenty minutes and the predicted-full alert fired, then it levelled off (no incident)",
    )
    f.effects.append(Effect("filestore", "disk_utilization", at - 20 * M, 0.55, relative=False, ramp=20 * M))
    f.effects.append(Effect("web", "request_rate", at - 20 * M, 1.1))
    f.bursts.append(Burst("web", at - 20 * M, 3, "info", "File uploaded to course 2231 by user 4410 "
                          "(lecture-recording.mp4, 1.9 GB)", minutes=20))  # fmt: skip
    return f


def proctor_slow(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "proctor_slow",
        "proctor",
        "dependency_failure",
        "escalate",
        "web",
        "QuizSubmissionSlow",
        "the proctoring vendor's API began answering in twenty seconds; every quiz attempt waits for it at submission",
    )
    f.effects += [
        Effect("web", "latency_p99", at, 12.0),
        Effect("web", "error_ratio", at + 2 * M, 0.05, relative=False),
    ]
    f.bursts.append(Burst("web", at, 10, "warn", "quizaccess_proctoring: session report for attempt 771203 "
                          "took 20.4 s (cURL error 28: Operation timed out after 20000 milliseconds)"))  # fmt: skip
    f.failing_calls.append(("web", "proctor"))
    return f


def clamd_reload_oom(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "clamd_reload_oom",
        "clamd",
        "resource_exhaustion",
        "scale",
        "web",
        "UploadsFailing",
        "freshclam's new signatures made clamd load a second copy of its database beside the first, as it "
        "does at every reload; the host's memory ran out and the kernel killed clamd, so no upload can be scanned",
    )
    f.also_accept.append("recent_change")
    f.changes.append(change(at - 2 * M, "clamd", "data", "daily.cvd", "27471", "27472", rng, "freshclam"))
    f.effects += [
        Effect("clamd", "memory_utilization", at - 2 * M, 0.99, relative=False, ramp=2 * M),
        Effect("clamd", "restarts", at + M, 2, relative=False),
        Effect("web", "error_ratio", at + M, 0.04, relative=False),
    ]
    f.bursts += [
        Burst("clamd", at - 2 * M, 1, "info", "Reading databases from /var/lib/clamav", minutes=2),
        Burst("clamd", at, 0.5, "error", "kernel: Out of memory: Killed process 2231 (clamd) total-vm:2988412kB, "
              "anon-rss:2743112kB"),
        Burst("web", at + M, 6, "error", "antivirus_clamav: Unable to connect to clamd socket "
              "/var/run/clamav/clamd.ctl: Connection refused"),
    ]  # fmt: skip
    return f


FAULTS = [galera_non_primary, exam_morning_surge, session_db_moved, ad_password_max_age, bulk_upload_prediction,
          proctor_slow, clamd_reload_oom]  # fmt: skip
