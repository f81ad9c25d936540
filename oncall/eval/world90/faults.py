"""World 90's faults, from configuration, storage, memory, credential and routine incidents on a Hadoop platform,
in its data engineers' words: the nightly Spark job's executor memory cut from 8g to 2g in a cost review, YARN
killing its executors over their limit until the DAG fails (put it back); the DataNodes' disks full, every write
to HDFS refused (add disks or nodes); the NameNode's heap nearly full of small files' metadata, its garbage
collector pausing it for tens of seconds (raise its heap); the Hive metastore's keytab renewed in FreeIPA while
the metastore kept the old key, every client's ticket refused (restart it, so it reads the new keytab); and the
weekly HDFS balancer (no incident)."""

from __future__ import annotations

import random
from datetime import datetime

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the platform's Ansible repository and FreeIPA's audit record them."""
    path = f"roles/{svc}/templates/{svc}.conf.j2"
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(160):040x}"[:9],
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -12 +12 @@\n-{key} {old}\n+{key} {new}\n",
    }


def executor_memory_cut(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "executor_memory_cut",
        "spark-etl",
        "recent_change",
        "rollback",
        "airflow-scheduler",
        "AirflowDagFailed",
        "a cost review cut the nightly job's spark.executor.memory from 8g to 2g; YARN kills each executor over "
        "its container's limit, the stages retry until the job fails and the DAG with it; put the memory back",
    )
    f.changes.append(change(at - 25 * M, "spark-etl", "config", "spark.executor.memory", "8g", "2g", rng,
                            "kadri@telco.ee"))  # fmt: skip
    f.effects += [
        Effect("spark-etl", "error_ratio", at, 0.6, relative=False),
        Effect("airflow-scheduler", "error_ratio", at + 2 * M, 0.5, relative=False),
        Effect("yarn-resourcemanager", "request_rate", at, 2.0, ramp=2 * M),
    ]
    f.bursts += [
        Burst("spark-etl", at, 6, "error", "ERROR cluster.YarnScheduler: Lost executor {k} on dp-worker-0{k}: "
              "Container killed by YARN for exceeding memory limits. 2.{k} GB of 2 GB physical memory used. "
              "Consider boosting spark.yarn.executor.memoryOverhead."),
        Burst("airflow-scheduler", at + 2 * M, 2, "error", "{taskinstance.py:2698} ERROR - Task failed with "
              "exception|exc|airflow.exceptions.AirflowException|Cannot execute: spark-submit --master yarn "
              "--name cdr_daily etl.py. Error code is: 1."),
    ]  # fmt: skip
    return f


def datanode_disks_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "datanode_disks_full",
        "hdfs-datanode",
        "resource_exhaustion",
        "scale",
        "spark-etl",
        "SparkJobFailures",
        "the DataNodes' disks filled with a quarter's raw CDRs kept past their retention; HDFS refuses every "
        "new block and the jobs writing to it fail; add disks or DataNodes, then apply the retention",
    )
    f.effects += [
        Effect("hdfs-datanode", "disk_utilization", t - 360 * M, 0.99, relative=False, ramp=360 * M - (t - at)),
        Effect("spark-etl", "error_ratio", at, 0.5, relative=False),
    ]
    f.bursts += [
        Burst("hdfs-datanode", at, 6, "error", "ERROR datanode.DataNode: dp-worker-0{k}:9866:DataXceiver error "
              "processing WRITE_BLOCK operation|exc|org.apache.hadoop.util.DiskChecker$DiskOutOfSpaceException|Out "
              "of space: The volume with the most available space (=1{k}24 B) is less than the block size "
              "(=134217728 B)."),
        Burst("spark-etl", at, 5, "error", "ERROR datasources.FileFormatWriter: Aborting job {n}f{k}a.|exc|org."
              "apache.hadoop.ipc.RemoteException(java.io.IOException)|File /warehouse/cdr/day=0{k}/_temporary/0/"
              "part-00{n}.parquet could only be written to 0 of the 1 minReplication nodes. There are 8 datanode(s) "
              "running and 8 node(s) are excluded in this operation."),
    ]  # fmt: skip
    return f


def namenode_gc_pauses(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "namenode_gc_pauses",
        "hdfs-namenode",
        "resource_exhaustion",
        "scale",
        "spark-etl",
        "SparkJobFailures",
        "a year of small files filled the NameNode's heap with their metadata; its garbage collector now pauses "
        "it for tens of seconds at a time and every client's calls time out meanwhile; raise its heap, then "
        "compact the small files",
    )
    f.effects += [
        Effect("hdfs-namenode", "memory_utilization", t - 600 * M, 0.98, relative=False, ramp=600 * M - (t - at)),
        Effect("hdfs-namenode", "latency_p99", at, 45.0, relative=False),
        Effect("spark-etl", "error_ratio", at + M, 0.4, relative=False),
        Effect("hive-metastore", "error_ratio", at + M, 0.2, relative=False),
    ]
    f.bursts += [
        Burst("hdfs-namenode", at, 1.5, "warn", "WARN org.apache.hadoop.util.JvmPauseMonitor: Detected pause in JVM "
              "or host machine (eg GC): pause of approximately 4{n}{k}15ms GC pool 'G1 Old Generation' had "
              "collection(s): count=1 time=4{n}{k}01ms"),
        Burst("spark-etl", at + M, 5, "warn", "WARN ipc.Client: Retrying connect to server: dp-master-01/10.20.0.5:"
              "8020. Already tried {k} time(s); maxRetries=45|exc|java.net.SocketTimeoutException|60000 millis "
              "timeout while waiting for channel to be ready for read. ch : java.nio.channels.SocketChannel"),
        Burst("hive-metastore", at + M, 2, "error", "ERROR [pool-6-thread-{k}] metastore.RetryingHMSHandler: "
              "MetaException(message:Got exception: java.net.SocketTimeoutException Call From dp-master-01 to "
              "dp-master-01:8020 failed on socket timeout exception)"),
    ]  # fmt: skip
    return f


def metastore_keytab_renewed(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "metastore_keytab_renewed",
        "hive-metastore",
        "expired_credential",
        "restart",
        "spark-etl",
        "SparkJobFailures",
        "the hive/dp-master-01 principal's keytab was renewed in FreeIPA (a new key version) while the running "
        "metastore kept the key it read at start; every client's service ticket, issued with the new key, is "
        "refused; restart the metastore so it reads the new keytab",
    )
    f.changes.append(change(at - 2 * M, "hive-metastore", "credential", "keytab hive/dp-master-01@TELCO.EE",
                            "kvno 4", "kvno 5 (ipa-getkeytab, rotated)", rng, "ipa-admin",
                            code="ipa-getkeytab -p hive/dp-master-01@TELCO.EE -k /etc/security/keytabs/hive.service."
                                 "keytab\nKeytab successfully retrieved and stored in: /etc/security/keytabs/hive."
                                 "service.keytab\n"))  # fmt: skip
    f.effects += [
        Effect("hive-metastore", "error_ratio", at, 0.9, relative=False),
        Effect("spark-etl", "error_ratio", at + M, 0.5, relative=False),
    ]
    f.bursts += [
        Burst("hive-metastore", at, 6, "error", "ERROR [pool-6-thread-{k}] transport.TSaslTransport: SASL "
              "negotiation failure|exc|javax.security.sasl.SaslException|GSS initiate failed [Caused by "
              "GSSException: Failure unspecified at GSS-API level (Mechanism level: Checksum failed)]"),
        Burst("spark-etl", at + M, 4, "error", "ERROR hive.metastore: Failed to connect to the MetaStore Server..."
              "|exc|org.apache.thrift.transport.TTransportException|GSS initiate failed"),
    ]  # fmt: skip
    return f


def weekly_balancer(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 14) * M
    f = Fault(
        "weekly_balancer",
        "hdfs-datanode",
        "no_incident",
        "none",
        "hdfs-datanode",
        "DataNodeSlowWrites",
        "the weekly HDFS balancer moves blocks between the DataNodes; their writes are slower while it runs and "
        "every write succeeds (no incident)",
    )
    f.changes.append(change(at - M, "hdfs-datanode", "job", "hdfs-balancer", "idle", "running (hdfs balancer "
                            "-threshold 10, weekly)", rng, "cron"))  # fmt: skip
    f.effects += [
        Effect("hdfs-datanode", "latency_p99", at, 2.0, ramp=3 * M, until=at + 50 * M),
        Effect("hdfs-datanode", "cpu_utilization", at, 0.7, relative=False, ramp=3 * M, until=at + 50 * M),
    ]
    f.bursts += [
        Burst(
            "hdfs-datanode",
            at,
            4,
            "info",
            "INFO balancer.Dispatcher: Successfully moved "
            "blk_10737{n}{k}{k}9 with size=134217728 from 10.20.1.{k}:9866 to 10.20.1.{n}:9866",
        )
    ]
    return f


FAULTS = [executor_memory_cut, datanode_disks_full, namenode_gc_pauses, metastore_keytab_renewed, weekly_balancer]
