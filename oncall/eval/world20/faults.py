"""World 20's faults, from public postmortems of mail platforms, none a shape an earlier world wrote: the
resolver's queries per thread cut, so lookups fail for everyone who resolves (the relay's deferrals
are the loud part, filed at info); a filter rule map so slow that every scan outlives Postfix's milter
timeout, so inbound mail is tempfailed; a disk failing in the mail store's array, whose rebuild
starves the store's I/O (no change anywhere); the directory's index on `mail` dropped, so every
lookup scans and submission tempfails; the relay told to require TLS of every destination (a few
small domains offer none); and a spam run rejected at the door by the DNS blocklists as designed (no
incident, though the reject rate alerts)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str) -> dict:
    path = f"roles/{svc}/{'defaults/main.yml' if kind == 'deploy' else 'templates/main.cf.j2'}"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key} {old}",
        "to": f"{key} {new}",
        "author": who,
        "ref": f"{rng.getrandbits(28):07x}",
        "diff": f"--- a/{path}\n+++ b/{path}\n@@ -4,1 +4,1 @@\n-{key} {old}\n+{key} {new}\n",
    }


def resolver_queries_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "resolver_queries_cut",
        "resolver",
        "recent_change",
        "rollback",
        "relay",
        "OutboundDeferredHigh",
        "resolver's num-queries-per-thread went from 4096 to 64; at the day's volume the request list is full, "
        "queries are dropped, and the relay cannot resolve its destinations' MX records",
    )
    f.changes.append(change(at - 2 * M, "resolver", "config", "num-queries-per-thread:", "4096", "64", rng,
                            "mail-platform"))  # fmt: skip
    f.effects += [
        Effect("resolver", "error_ratio", at, 0.34, relative=False),
        Effect("resolver", "latency_p99", at, 9.0),
        Effect("relay", "error_ratio", at + M, 0.41, relative=False),
        Effect("relay", "latency_p99", at + M, 6.0),
        Effect("mx", "error_ratio", at + M, 0.12, relative=False),
        Effect("filter", "latency_p99", at + M, 3.0),
    ]
    f.bursts += [
        Burst("relay", at + M, 40, "info", "smtp|8C1D2E40A11: to=<carol@gmail.com>, relay=none, delay=312, "
              "delays=300/0.01/12/0, dsn=4.4.3, status=deferred (Host or domain name not found. Name service error "
              "for name=gmail.com type=MX: Host not found, try again)"),
        Burst("mx", at + M, 15, "warn", "smtpd|warning: hostname mail-ed1-f41.google.com does not resolve to address "
              "209.85.208.41: Temporary failure in name resolution"),
        Burst("filter", at + M, 10, "warn", "(normal) <0b11aa>; lua; rbl.lua:612: error requesting RBL "
              "zen.spamhaus.org: timeout"),
    ]  # fmt: skip
    return f


def milter_timeout(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "milter_timeout",
        "filter",
        "recent_change",
        "rollback",
        "mx",
        "InboundTempfailRate",
        "filter's multimap gained a map of 41,000 subject regexps; each scan now takes 8 s, longer than "
        "Postfix's milter timeout, so mx tempfails inbound mail",
    )
    f.changes.append(change(at - 3 * M, "filter", "config", "multimap.bad_subjects:", "absent",
                            "regexp map /etc/rspamd/local.d/bad_subjects.map", rng, "abuse-desk"))  # fmt: skip
    f.effects += [
        Effect("filter", "cpu_utilization", at, 0.97, relative=False),
        Effect("filter", "latency_p99", at, 60.0),
        Effect("mx", "error_ratio", at + M, 0.33, relative=False),
        Effect("submission", "error_ratio", at + M, 0.27, relative=False),
        Effect("relay", "request_rate", at + M, 0.5),
    ]
    f.bursts += [
        Burst("filter", at, 45, "warn", "(normal) <7a1f2c>; task; rspamd_task_timeout: processing of task time out: "
              "8.0 second spent; 1.0 seconds limit; forced processing"),
        Burst("mx", at + M, 30, "warn", "cleanup|warning: milter inet:filter.post.internal:11332: can't read "
              "SMFIC_BODYEOB reply packet header: Connection timed out"),
        Burst("mx", at + M, 30, "info", "cleanup|4B2C91D0A12: milter-reject: END-OF-MESSAGE from "
              "mail-ed1-f41.google.com[209.85.208.41]: 4.7.1 Service unavailable - try again later; "
              "from=<news@shop.example> to=<alice@example.com> proto=ESMTP helo=<mail-ed1-f41.google.com>"),
        Burst("submission", at + M, 10, "warn", "cleanup|warning: milter inet:filter.post.internal:11332: can't "
              "read SMFIC_BODYEOB reply packet header: Connection timed out"),
    ]  # fmt: skip
    return f


def raid_rebuild(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "raid_rebuild",
        "mailstore",
        "dependency_failure",
        "escalate",
        "webmail",
        "WebmailSlow",
        "a disk of mailstore's array failed; the rebuild takes the array's I/O, NFS answers slowly, and "
        "Dovecot's index locks and the webmail's IMAP calls wait on it",
        also_accept=["resource_exhaustion"],
    )
    f.effects += [
        Effect("mailstore", "latency_p99", at, 25.0),
        Effect("mailstore", "cpu_utilization", at, 0.62, relative=False),
        Effect("imap", "latency_p99", at + M, 12.0),
        Effect("webmail", "latency_p99", at + M, 8.0),
        Effect("webmail", "error_ratio", at + 2 * M, 0.14, relative=False),
        Effect("mx", "latency_p99", at + M, 4.0),
    ]
    f.bursts += [
        Burst("mailstore", at - M, 1, "error", "kernel|md/raid:md0: Disk failure on sdc, disabling device.",
              minutes=1),
        Burst("mailstore", at, 1, "warn", "kernel|md: recovery of RAID array md0", minutes=1),
        Burst("mailstore", at + 2 * M, 1, "error", "kernel|INFO: task nfsd:2231 blocked for more than 120 seconds."),
        Burst("imap", at + M, 20, "warn", "imap(bob@example.com)<18812><Kx9a2QIA>: Warning: Locking transaction log "
              "file /srv/mail/b/bob/dovecot.index.log took 31 seconds (syncing)"),
        Burst("webmail", at + 2 * M, 8, "error", "<i3k2aa> IMAP Error: Empty startup greeting (imap.post.internal:143) "
              "in /var/www/roundcube/program/lib/Roundcube/rcube_imap_generic.php on line 1054 "
              "(GET /?_task=mail&_action=list)"),
    ]  # fmt: skip
    return f


def directory_index_dropped(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(4, 9) * M
    f = Fault(
        "directory_index_dropped",
        "directory",
        "recent_change",
        "rollback",
        "submission",
        "SubmissionTempfailRate",
        "directory's olcDbIndex lost `mail eq`; every lookup by address scans the whole database, slapd's "
        "CPU is spent, and Postfix's and Dovecot's lookups time out",
    )
    f.changes.append(change(at - 2 * M, "directory", "config", "olcDbIndex:", "uid,mail eq", "uid eq", rng,
                            "identity-team"))  # fmt: skip
    f.effects += [
        Effect("directory", "cpu_utilization", at, 0.99, relative=False),
        Effect("directory", "latency_p99", at, 40.0),
        Effect("submission", "error_ratio", at + M, 0.36, relative=False),
        Effect("mx", "error_ratio", at + M, 0.2, relative=False),
        Effect("imap", "error_ratio", at + M, 0.15, relative=False),
    ]
    f.bursts += [
        Burst("directory", at, 80, "debug", "<= mdb_equality_candidates: (mail) not indexed"),
        Burst("directory", at + M, 20, "debug", "conn=2231 op=4 SEARCH RESULT tag=101 err=3 nentries=0 text="),
        Burst("submission", at + M, 30, "warn", "trivial-rewrite|warning: ldap:/etc/postfix/ldap-senders.cf lookup "
              "error for \"alice@example.com\""),
        Burst("submission", at + M, 30, "info", "smtpd|NOQUEUE: reject: RCPT from unknown[198.51.100.7]: 451 4.3.0 "
              "<bob@example.org>: Temporary lookup failure; from=<alice@example.com> to=<bob@example.org> "
              "proto=ESMTP helo=<laptop>"),
        Burst("imap", at + M, 10, "error", "auth: Error: ldap(alice@example.com,10.20.0.7): Connection appears to be "
              "hanging, reconnecting"),
    ]  # fmt: skip
    return f


def tls_required(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 10) * M
    f = Fault(
        "tls_required",
        "relay",
        "recent_change",
        "rollback",
        "relay",
        "OutboundDeferredHigh",
        "relay's smtp_tls_security_level went from may to encrypt; mail to the domains whose MX offers no "
        "STARTTLS is deferred",
    )
    f.changes.append(change(at - 2 * M, "relay", "config", "smtp_tls_security_level =", "may", "encrypt", rng,
                            "security-team"))  # fmt: skip
    f.effects += [
        Effect("relay", "error_ratio", at, 0.13, relative=False),
        Effect("relay", "latency_p99", at, 1.6),
    ]
    f.bursts += [
        Burst("relay", at, 25, "info", "smtp|9D3E1F22B07: to=<orders@smallbiz.example>, relay=none, delay=0.9, "
              "delays=0.01/0/0.88/0, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host "
              "mx.smallbiz.example[192.0.2.25])"),
    ]  # fmt: skip
    return f


def spam_run_rejected(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 12) * M
    f = Fault(
        "spam_run_rejected",
        "mx",
        "no_incident",
        "none",
        "mx",
        "InboundRejectRateHigh",
        "a botnet's spam run: mx turns away four times its usual connections at the door (the clients are on "
        "the DNS blocklists), as designed; real senders' mail is accepted and delivered as fast as ever",
    )
    f.effects += [
        Effect("mx", "request_rate", at, 4.0),
        Effect("mx", "error_ratio", at, 0.62, relative=False),
        Effect("mx", "cpu_utilization", at, 0.52, relative=False),
    ]
    f.bursts += [
        Burst("mx", at, 150, "info", "smtpd|NOQUEUE: reject: RCPT from unknown[185.220.101.4]: 554 5.7.1 Service "
              "unavailable; Client host [185.220.101.4] blocked using zen.spamhaus.org; from=<x@lottery.example> "
              "to=<alice@example.com> proto=ESMTP helo=<WIN-8K1>"),
        Burst("mx", at, 90, "info", "postscreen|PREGREET 11 after 0.12 from [185.220.101.4]:51234: EHLO WIN-8K1\\r\\n"),
    ]  # fmt: skip
    return f


FAULTS = [resolver_queries_cut, milter_timeout, raid_rebuild, directory_index_dropped, tls_required,
          spam_run_rejected]  # fmt: skip
