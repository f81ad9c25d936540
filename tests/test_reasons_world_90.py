"""What world 90's first contact taught (a Tallinn telecom's Hadoop platform, its logs Filebeat's events saved from
Elasticsearch; written after world 89's rules and scored before any rule saw it): 0.600 on each of seeds 1-4, and
four wrong HIGHs a seed; every line was read right, times in Spark's and the DataNode's own formats included. Its
lessons: Kerberos' words for a ticket the service cannot read with the key it holds (a keytab renewed under a
running service) are a credential out of date; and HDFS's balancer is planned work, like a rebalance."""

from __future__ import annotations

from pathlib import Path

from tests.bundles import ALERT_AT as AT
from tests.bundles import (
    END,
    T0,
    M,
    S,
    alertmanager,
    flat_then,
    log,
    quiet_logs,
    series,
    setting_change,
    signals,
    verdict,
    write_bundle,
)

REFUSED = (
    "SASL negotiation failure: javax.security.sasl.SaslException: GSS initiate failed [Caused by GSSException: "
    "Failure unspecified at GSS-API level (Mechanism level: Checksum failed)]"
)


def _keytab(tmp_path: Path, name: str, said: str = REFUSED) -> str:
    """metastore's keytab was renewed two minutes before it began refusing its clients' tickets, saying `said`."""
    at = AT - 8 * M
    root = write_bundle(
        tmp_path / name,
        services={"etl": ["metastore"], "metastore": ["db"], "db": []},
        alert=alertmanager("EtlFailures", "etl"),
        logs=quiet_logs("etl", "metastore", "db")
        + [log(at + i * 10 * S, "metastore", "error", said) for i in range(40)]
        + [log(at + M + i * 15 * S, "etl", "error", "Failed to connect to the MetaStore Server: GSS initiate failed")
           for i in range(20)],
        metric_lines=series("error_ratio", "metastore", flat_then(T0, END, 0.002, at, 0.9))
        + series("error_ratio", "etl", flat_then(T0, END, 0.002, at + M, 0.5)),
        changes=[setting_change(at - 2 * M, "metastore", "keytab hive/master@EXAMPLE", "kvno 4",
                                "kvno 5 (ipa-getkeytab, rotated)", kind="credential")],
        signals=signals("error_ratio"),
    )  # fmt: skip
    return verdict(root)


def test_a_ticket_the_service_cannot_read_after_its_keytab_was_renewed_is_a_stale_credential(tmp_path: Path) -> None:
    assert _keytab(tmp_path, "checksum").startswith("metastore/expired_credential")
    for name, said in [
        ("kvno", "KrbException: Specified version of key is not available (44)"),
        ("no-tgt", "GSSException: No valid credentials provided (Mechanism level: Failed to find any Kerberos tgt)"),
        ("expired", "javax.security.auth.login.LoginException: Ticket expired (32)"),
        ("preauth", "KrbException: Pre-authentication information was invalid (24)"),
    ]:
        assert _keytab(tmp_path, name, said=said).startswith("metastore/expired_credential"), name


def _balancer(tmp_path: Path, name: str, key: str = "hdfs-balancer",
              job: str = "running (hdfs balancer -threshold 10, weekly)") -> str:  # fmt: skip
    """datanode's writes twice as slow and its CPU busier from a minute after `job` began on it; nothing fails."""
    at = AT - 12 * M
    root = write_bundle(
        tmp_path / name,
        services={"etl": ["datanode"], "datanode": []},
        alert=alertmanager("DataNodeSlowWrites", "datanode", severity="warning"),
        logs=quiet_logs("etl", "datanode"),
        metric_lines=series("latency_p99", "datanode", flat_then(T0, END, 0.06, at, 0.125))
        + series("cpu_utilization", "datanode", flat_then(T0, END, 0.4, at, 0.7))
        + series("error_ratio", "datanode", flat_then(T0, END, 0.002)),
        changes=[setting_change(at - M, "datanode", key, "idle", job, kind="job")],
        signals=signals("latency_p99", "cpu_utilization", "error_ratio"),
    )
    return verdict(root)


def test_hdfs_balancer_is_planned_work(tmp_path: Path) -> None:
    assert _balancer(tmp_path, "balancer") == "datanode/no_incident"
    # a job that is not planned work: the change is what slowed it
    assert _balancer(tmp_path, "import", "cdr-import", "running (cdr import, hourly)") != "datanode/no_incident"
