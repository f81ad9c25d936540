"""What world 103's first contact taught (a Warsaw public-sector code forge on OVHcloud's Managed Kubernetes, its logs
Elasticsearch hits exported with the search API's `fields` option; written after world 102's rules and scored before
any rule saw it): 0.500 on each of seeds 1-4, no wrong HIGH. No line was read: every value of such a hit is a list.
Read, the LDAP server's expired certificate was put on Dex, which had rejected it, at HIGH. Its lessons:

- a hit exported with `fields` holds every value in a list (a field may hold several): a list of one is that value;
- a traditional syslog frame's host is the machine that wrote the line, where the field that names other lines'
  pods holds a file's path (a VM's /var/log/slapd.log, through the same shipper as the containers');
- a certificate a client verified and rejected is the other side's, and the other side is the dependency that
  logged, in the same minutes, clients' handshakes failing (OpenLDAP's "TLS negotiation failure");
- a service is named by its name under its namespace's prefix too (a Helm release named for the namespace,
  `kuznia-dex`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from oncall.analysts.offline.findings import attribute
from oncall.tools.read_logs.envelopes import listed, unlisted
from tests.bundles import ALERT_AT as AT
from tests.bundles import END, T0, M, S, alertmanager, flat_then, iso, read_logs_of, series, verdict, write_bundle

BASELINE = [AT - 6 * 60 * M + 5 * i * M for i in range(72)]


def _hit(t: datetime, fields: dict) -> dict:
    """A hit as the search API gives it with `fields` and `_source` off: every value a list."""
    return {"_index": ".ds-logs-app-default", "_id": "x", "_score": None, "fields": fields, "sort": [0]}


def test_a_hit_exported_with_fields_is_read_out_of_its_lists(tmp_path: Path) -> None:
    def line(t: datetime, service: str, level: str, text: str) -> dict:
        return _hit(t, {"@timestamp": [iso(t)], "service.name": [service], "log.level": [level], "message": [text],
                        "tags": ["k8s", "prod"]})  # fmt: skip

    at = AT - 8 * M
    records = [line(t, s, "info", "request served") for t in BASELINE for s in ("api", "db")] + [
        line(at + 10 * i * S, "api", "error", "query failed: db answered 53300 too many connections") for i in range(30)
    ]
    said = read_logs_of(tmp_path, records)
    assert "30 ERROR" in said["api"] and "too many connections" in said["api"], said["api"]
    assert "lines in baseline" in said["db"] and "0 lines in window (none); 0 lines" not in said["db"]
    # only where every value is a list: a hit with a value of its own is no such export
    assert listed([{"a": ["1"], "b": []}]) and not listed([{"a": ["1"], "b": "2"}]) and not listed([])
    assert unlisted({"a": ["x"], "b": ["y", "z"], "c": []}) == {"a": "x", "b": "y z"}


def test_a_syslog_frames_host_names_the_machine_where_a_file_path_stands_for_a_pod(tmp_path: Path) -> None:
    """The containers' lines name their pods by their log files' paths; the database VM's come through the same
    shipper from /var/log/postgresql.log, a syslog frame naming its host."""

    def line(t: datetime, path: str, text: str) -> dict:
        return {"@timestamp": iso(t), "log.file.path": path, "message": text}

    records = []
    for i, t in enumerate(BASELINE):
        records.append(line(t, f"/var/log/containers/api-7d9f-x{i % 3}_prod_api-{i % 3:064x}.log", "GET /v1 200"))
        stamp = f"{t:%b} {t.day:>2} {t:%H:%M:%S}"
        records.append(line(t, "/var/log/postgresql.log", f"{stamp} db-01 postgres[812]: LOG:  checkpoint complete"))
    said = read_logs_of(tmp_path, records)
    assert "6 lines in window (6 INFO); 66 lines in baseline" in said["db"], said["db"]  # every one of its lines
    assert "0 lines in window (none); 0 lines in baseline" not in said["db"], said["db"]


def _ldap(tmp_path: Path, server_says: str | None, who: str = "directory", level: str = "info", before: int = 0) -> str:
    """portal signs in through dex, which binds to the directory (and keeps its state in store); dex rejects the
    certificate it verifies from eight minutes before the alert, naming no service; `who` logs `server_says` at
    `level`, from `before` minutes earlier than that until the alert."""
    at = AT - 8 * M
    said_at = at - before * M

    def log(t: datetime, service: str, level: str, message: str) -> dict:
        return {"ts": iso(t), "service": service, "level": level, "message": message}

    expired = ('failed to login user connector_id=ldap error="failed to connect: tls: failed to verify certificate: '
               'x509: certificate has expired or is not yet valid"')  # fmt: skip
    root = write_bundle(
        tmp_path,
        services={"portal": ["dex"], "dex": ["directory", "store"], "directory": [], "store": []},
        alert=alertmanager("SignInFailures", "portal"),
        logs=[log(t, s, "info", "ok") for t in BASELINE for s in ("portal", "dex", "directory", "store")]
        + [log(at + 10 * i * S, "dex", "error", expired) for i in range(45)]
        + ([log(said_at + 10 * i * S + 2 * S, who, level, server_says) for i in range(45 + 6 * before)]
           if server_says else []),
        metric_lines=series("error_ratio", "dex", flat_then(T0, END, 0.002, at, 0.9))
        + series("error_ratio", "directory", flat_then(T0, END, 0.001))
        + series("error_ratio", "store", flat_then(T0, END, 0.001)),
    )  # fmt: skip
    return verdict(root)


def test_the_certificate_a_client_rejected_is_the_servers_that_logged_the_handshakes_failing(tmp_path: Path) -> None:
    said = "conn=1042 fd=23 closed (TLS negotiation failure)"
    assert _ldap(tmp_path / "openldap", said).startswith("directory/expired_credential")
    assert _ldap(tmp_path / "nginx", "SSL_do_handshake() failed (SSL: error) while SSL handshaking").startswith(
        "directory/expired_credential"
    )
    # with nothing from the other side, the rejection stays the client's to explain: the directory silent, or
    # logging something else, or its handshakes failing from long before (another matter), or only a caller of the
    # client logging failed handshakes (its own clients', not the server's side of this one)
    assert not _ldap(tmp_path / "silent", None).startswith("directory/")
    assert not _ldap(tmp_path / "other", "conn=1042 op=3 SRCH took 2.4s", level="warn").startswith("directory/")
    assert not _ldap(tmp_path / "earlier", said, before=25).startswith("directory/")
    assert not _ldap(tmp_path / "caller", "SSL handshake failure", who="portal").startswith("portal/")


def test_a_service_is_named_under_its_namespaces_prefix(tmp_path: Path) -> None:
    words = "OAuth2 sign-in with kuznia-dex failed: oauth2: server response missing access_token (500)"
    assert attribute(words, ["dex", "store"], "forgejo", ["kuznia"])[:2] == ("peer", "dex")
    assert attribute(words, ["dex", "store"], "forgejo", ["other"])[:2] != ("peer", "dex")
    assert attribute(words.replace("kuznia-dex", "kuznia-dexter"), ["dex"], "forgejo", ["kuznia"])[1] != "dex"
