"""World 20's estate, written after world 19's rules and scored before any rule saw it.

An email platform on Debian hosts: Postfix receives (mx), takes customers' mail (submission) and
sends it on (relay); rspamd filters through Postfix's milter protocol; Dovecot serves mailboxes off an
NFS mail store; OpenLDAP holds the accounts; Unbound resolves for everyone; Roundcube behind HAProxy
is the webmail. Every program logs to syslog, and rsyslog forwards each message as JSON with the
template most Logstash tutorials copy: `@timestamp` (RFC 3339 with a numeric offset), `@version`,
`message` (syslog's msg, with its leading space), `sysloghost`, `severity` (syslog's names: err,
warning, notice, info, debug), `facility`, `programname` (`postfix/smtpd`, `dovecot`, `slapd`) and
`procid`: no field names the service, only the host (`mx-02`). Postfix files a deferral at info;
slapd files everything at debug. Metrics are recording rules over node_exporter and the daemons'
exporters, labelled `job`, sampled every 60 s."""

from __future__ import annotations

from datetime import datetime

from oncall.eval.styled import Estate, Node

# Node.tech: haproxy roundcube postfix rspamd unbound slapd dovecot nfs mariadb redis saas


def _signals() -> dict[str, str]:
    names = {
        "request_rate": "job:service_requests:rate5m",
        "error_ratio": "job:service_failures:ratio_rate5m",
        "latency_p99": "job:service_latency_seconds:p99_5m",
        "cpu_utilization": "job:node_cpu_utilisation:avg_rate5m",
        "memory_utilization": "job:node_memory_utilisation:avg",
        "restarts": "job:node_systemd_service_restarts:increase15m",
        "disk_utilization": "job:node_filesystem_used:ratio_max",
    }
    return {k: f'{v}{{job="{{service}}"}}' for k, v in names.items()}


POST = Estate(
    label="job",
    name="post",
    namespace="mail",
    shipper="rsyslog",
    signals=_signals(),
    nodes=(
        Node("edge", "haproxy", ("webmail",), 55),
        Node("webmail", "roundcube", ("imap", "submission", "mailbox-db"), 50),
        Node("mx", "postfix", ("filter", "resolver", "directory", "imap"), 120),
        Node("submission", "postfix", ("filter", "directory", "relay"), 40),
        Node("relay", "postfix", ("resolver", "internet-mx"), 60),
        Node("filter", "rspamd", ("redis", "resolver"), 160),
        Node("imap", "dovecot", ("directory", "mailstore", "mailbox-db"), 300),
        Node("directory", "slapd", (), 400),
        Node("resolver", "unbound", (), 900),
        Node("mailstore", "nfs", (), 600),
        Node("mailbox-db", "mariadb", (), 200),
        Node("redis", "redis", (), 1500),
        Node("internet-mx", "saas", (), 60),
    ),
)

ESTATES = {POST.name: POST}

# The program (syslog's programname) each technology logs as; postfix's daemons by what the line says.
PROGRAM = {
    "haproxy": "haproxy",
    "roundcube": "roundcube",
    "rspamd": "rspamd",
    "unbound": "unbound",
    "slapd": "slapd",
    "dovecot": "dovecot",
    "nfs": "kernel",
    "mariadb": "mariadbd",
    "redis": "redis-server",
}

BACKGROUND = {
    "haproxy": [
        "10.20.0.7:51334 [{clf}] https~ webmail/web-02 0/0/1/38/39 200 5120 - - ---- 14/14/2/1/0 0/0 "
        '"GET /?_task=mail&_action=list HTTP/1.1"'
    ],
    "roundcube": ["<a81kq2> Successful login for alice@example.com (ID: 4211) from 10.20.0.7 in session 9f1c"],
    "postfix": [
        "smtpd|connect from mail-ed1-f41.google.com[209.85.208.41]",
        "qmgr|3F2A81C0412: from=<news@shop.example>, size=18211, nrcpt=1 (queue active)",
        "smtp|3F2A81C0412: to=<bob@example.org>, relay=aspmx.l.google.com[142.250.102.27]:25, delay=0.41, "
        "delays=0.01/0/0.12/0.28, dsn=2.0.0, status=sent (250 2.0.0 OK 1772424420 a1si8812)",
    ],
    "rspamd": [
        "(normal) <7a1f2c>; task; rspamd_task_write_log: id: <CAF9@mail.gmail.com>, qid: <3F2A81C0412>, "
        "ip: 209.85.208.41, (default: F (no action): [0.52/15.00] [DKIM_SIGNED(0.00){gmail.com;s}]), len: 2048, "
        "time: 45.113ms, dns req: 12"
    ],
    "unbound": ["[1123:0] info: server stats for thread 0: 41123 queries, 38912 answers from cache, 2211 recursions"],
    "slapd": [
        'conn=1034 op=2 SRCH base="ou=users,dc=post,dc=example" scope=2 deref=0 filter="(mail=alice@example.com)"',
        "conn=1034 op=2 SEARCH RESULT tag=101 err=0 nentries=1 text=",
    ],
    "dovecot": [
        "imap(alice@example.com)<18812><Kx9a2QIA>: Disconnected: Logged out in=122 out=4521 deleted=0 expunged=0",
        "lmtp(bob@example.com)<2231><aA7cLx1>: msgid=<CAF9@mail.gmail.com>: saved mail to INBOX",
    ],
    "nfs": ["rpc.mountd|authenticated mount request from 10.20.3.12:812 for /srv/mail (/srv/mail)"],
    "mariadb": [
        "[Note] Aborted connection 8812 to db: 'roundcube' user: 'rc' host: '10.20.1.4' (Got timeout "
        "reading communication packets)"
    ],
    "redis": ["* Background saving started by pid 2231", "* DB saved on disk"],
}
NOISE = {
    "postfix": "smtpd|warning: hostname 41-88-12-9.dyn.example does not resolve to address 41.88.12.9: Name or "
    "service not known",
    "dovecot": "imap-login: Disconnected: Inactivity (no auth attempts in 180 secs): user=<>, rip=198.51.100.23",
    "rspamd": "(normal) <0b11aa>; lua; rbl.lua:612: error requesting RBL zen.spamhaus.org: timeout",
}

SEVERITY = {"error": "err", "warn": "warning", "warning": "warning", "info": "info", "debug": "debug"}


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict:
    """One syslog message as rsyslog's JSON template forwards it."""
    tech = estate.node(service).tech
    host = f"{service}-{(sum(map(ord, pod)) % 3) + 1:02d}"
    program = PROGRAM.get(tech, tech)
    if tech == "postfix" and "|" in text.split(" ")[0]:  # which postfix daemon said it
        daemon, text = text.split("|", 1)
        program = f"postfix/{daemon}"
    elif tech == "postfix":
        program = "postfix/smtpd"
    elif tech == "nfs" and "|" in text.split(" ")[0]:
        program, text = text.split("|", 1)
    if tech == "haproxy":
        text = text.replace("{clf}", f"{at:%d/%b/%Y:%H:%M:%S}.{at.microsecond // 1000:03d}")
    if tech == "redis":
        text = f"1:M {at:%d %b %Y %H:%M:%S}.{at.microsecond // 1000:03d} {text}"
    if tech == "slapd":  # slapd logs its stats at debug, whatever they say
        level = "debug"
    return {
        "@timestamp": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond:06d}+00:00",
        "@version": "1",
        "message": f" {text}",
        "sysloghost": host,
        "severity": SEVERITY.get(level, level),
        "facility": "mail" if tech in ("postfix", "dovecot", "rspamd") else "daemon",
        "programname": program,
        "procid": str(1000 + sum(map(ord, host)) % 9000),
    }
