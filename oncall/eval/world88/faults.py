"""World 88's faults, from credential, configuration, broker, release, storage and routine incidents on an
OpenStack cloud, in its operators' words: Keystone's fernet keys rotated on one controller and not synced to the
others, tokens it issues refused by the two that validate with the old keys (sync the keys); the CPU allocation
ratio meant for the GPU aggregate merged for every compute node, Placement offering a quarter of the cores and
every boot failing with no valid host (roll it back); RabbitMQ at its memory watermark from a notifications queue
nobody has consumed since telemetry was removed, publishers blocked (purge it and stop the notifications); an
Open vSwitch agent image that cannot reach the switch's database, ports never bound and boots failing (roll it
back); Glance's image store full after a lab's uploads (grow it); and the semester's first lab, three hundred
students booting instances, every one built (no incident)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from oncall.eval.styled import Estate
from oncall.eval.worlds import Burst, Effect, Fault, M

S = timedelta(seconds=1)


def change(
    at: datetime, svc: str, kind: str, key: str, old: str, new: str, rng: random.Random, who: str, code: str = ""
) -> dict:
    """A change as the team records kolla-ansible's runs: the globals or service config it applied."""
    path = f"etc/kolla/config/{svc.split('-')[0]}/{svc}.conf" if kind == "config" else "etc/kolla/globals.yml"
    sep = " = " if kind == "config" else ": "  # (an INI file's setting; globals.yml's YAML)
    return {
        "ts": at,
        "service": svc,
        "kind": kind,
        "from": f"{key}: {old}",
        "to": f"{key}: {new}",
        "author": who,
        "ref": f"{rng.getrandbits(160):040x}"[:10],
        "diff": code or f"--- a/{path}\n+++ b/{path}\n@@ -9 +9 @@\n-{key}{sep}{old}\n+{key}{sep}{new}\n",
    }


_INSTANCE = "[instance: 4{n}f{k}c2e1-9b7a-4d3c-8e2f-1a{k}b{n}c{k}d{n}e{k}f]"


def fernet_keys_unsynced(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "fernet_keys_unsynced",
        "keystone",
        "recent_change",
        "config_change",
        "nova-api",
        "OpenStackApiUnauthorized",
        "the fernet key rotation ran on ctl01 and the sync to ctl02 and ctl03 failed; tokens ctl01 issues with the "
        "new key are refused by the two controllers still holding the old keys, so two requests in three are "
        "answered 401 across every API; copy ctl01's key repository to the others (kolla's fernet sync)",
        also_accept=["expired_credential"],
    )
    f.changes.append(change(at - M, "keystone", "rotation", "fernet_keys", "primary key 41", "primary key 42 "
                            "(keystone-manage fernet_rotate, cron on ctl01)", rng, "kolla-keystone-fernet",
                            code="keystone-manage fernet_rotate --keystone-user keystone --keystone-group keystone\n"
                                 "staged key 42 promoted to primary on ctl01\n"))  # fmt: skip
    for svc in ("nova-api", "neutron-server", "glance-api", "placement-api"):
        f.effects.append(Effect(svc, "error_ratio", at + rng.randint(0, 40) * S, 0.6, relative=False))
        f.bursts.append(Burst(svc, at, 6, "warn", "Authorization failed for token"))
    f.effects += [Effect("keystone", "error_ratio", at, 0.6, relative=False)]
    f.bursts += [
        Burst("keystone", at, 10, "warn", "Authorization failed. The request you have made requires "
              "authentication. from 10.20.0.{k}"),
        Burst("horizon", at + M, 4, "error", "Unable to retrieve instances.|exc|keystoneauth1.exceptions.http."
              "Unauthorized|The request you have made requires authentication. (HTTP 401) (Request-ID: req-{n}a{k})"),
    ]  # fmt: skip
    return f


def allocation_ratio_merged(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "allocation_ratio_merged",
        "nova-compute",
        "recent_change",
        "rollback",
        "nova-conductor",
        "NovaBuildFailures",
        "a change meant for the GPU aggregate set cpu_allocation_ratio from 4.0 to 1.0 in every compute node's "
        "nova.conf; Placement now offers a quarter of the cores and every new instance fails to schedule with "
        "no valid host; roll the setting back",
    )
    f.changes.append(change(at - 3 * M, "nova-compute", "config", "cpu_allocation_ratio", "4.0", "1.0", rng,
                            "kolla-ansible reconfigure"))  # fmt: skip
    f.effects += [
        Effect("nova-api", "error_ratio", at, 0.05, relative=False),
        Effect("nova-conductor", "error_ratio", at, 0.9, relative=False),
    ]
    f.bursts += [
        Burst("nova-scheduler", at, 6, "info", "Got no allocation candidates from the Placement API. This could be "
              "due to insufficient resources or a temporary occurrence as compute nodes start up."),
        Burst("nova-conductor", at, 6, "error", "Failed to compute_task_build_instances: No valid host was found. "
              "There are not enough hosts available.|exc|nova.exception.NoValidHost|No valid host was found. "
              "There are not enough hosts available."),
        Burst("nova-compute", at - 2 * M, 0.3, "info", "Compute node resource provider inventory updated: VCPU "
              "total=64 allocation_ratio=1.0"),
    ]  # fmt: skip
    return f


def notifications_fill_broker(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(6, 10) * M
    f = Fault(
        "notifications_fill_broker",
        "rabbitmq",
        "resource_exhaustion",
        "config_change",
        "nova-api",
        "OpenStackApiErrors",
        "telemetry was removed last month but the services still emit notifications; the notifications.info queue "
        "has had no consumer since and RabbitMQ reached its memory high watermark; it blocks every publisher, and "
        "RPC calls across Nova and Neutron time out; purge the queue and turn the notifications off",
    )
    f.effects += [
        Effect("rabbitmq", "memory_utilization", t - 300 * M, 1.0, relative=False, ramp=300 * M - (t - at)),
        Effect("nova-api", "error_ratio", at + M, 0.4, relative=False),
        Effect("nova-api", "latency_p99", at + M, 60.0, relative=False),
        Effect("neutron-server", "error_ratio", at + M, 0.3, relative=False),
    ]
    f.bursts += [
        Burst("rabbitmq", at, 1, "warn", "memory resource limit alarm set on node 'rabbit@ctl01'.\n\n"
              "**********************************************************\n*** Publishers will be blocked until "
              "this alarm clears ***\n**********************************************************"),
        Burst("nova-api", at + M, 6, "error", "Unexpected exception in API method|exc|oslo_messaging.exceptions."
              "MessagingTimeout|Timed out waiting for a reply to message ID {n}f{k}a1c{k}e2b"),
        Burst("neutron-server", at + M, 4, "error", "Failed to notify nova on events|exc|oslo_messaging.exceptions."
              "MessagingTimeout|Timed out waiting for a reply to message ID {k}c{n}e9a{k}"),
        Burst("nova-compute", at + M, 3, "error", "Error updating resources for node cmp0{k}.|exc|oslo_messaging."
              "exceptions.MessagingTimeout|Timed out waiting for a reply to message ID {n}b{k}d7"),
    ]  # fmt: skip
    return f


def ovs_agent_image(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "ovs_agent_image",
        "neutron-openvswitch-agent",
        "recent_change",
        "rollback",
        "nova-conductor",
        "NovaBuildFailures",
        "the Open vSwitch agent's new image runs as a user that cannot open the switch's database socket; the agent "
        "stops binding ports, and every new instance fails when its port never comes up; roll the image back",
    )
    f.changes.append(change(at - 2 * M, "neutron-openvswitch-agent", "deploy", "neutron_openvswitch_agent_image",
                            "2024.1-ubuntu-jammy:20280601", "2024.1-ubuntu-jammy:20280612", rng,
                            "kolla-ansible upgrade"))  # fmt: skip
    f.effects += [
        Effect("nova-conductor", "error_ratio", at + M, 0.8, relative=False),
        Effect("neutron-openvswitch-agent", "restarts", at, 2, relative=False),
    ]
    f.bursts += [
        Burst("neutron-openvswitch-agent", at, 8, "error", "Error while processing VIF ports|exc|RuntimeError|"
              "ovs-vsctl: unix:/run/openvswitch/db.sock: database connection failed (Permission denied)"),
        Burst("nova-compute", at + M, 4, "error", _INSTANCE + " Instance failed to spawn|exc|nova.exception."
              "VirtualInterfaceCreateException|Virtual Interface creation failed"),
        Burst("nova-conductor", at + 2 * M, 3, "error", "Failed to compute_task_build_instances: Exceeded maximum "
              "number of retries. Exhausted all hosts available for retrying build failures for instance "
              "4{n}f{k}c2e1.|exc|nova.exception.MaxRetriesExceeded|Exceeded maximum number of retries."),
    ]  # fmt: skip
    return f


def image_store_full(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(5, 9) * M
    f = Fault(
        "image_store_full",
        "glance-api",
        "resource_exhaustion",
        "scale",
        "glance-api",
        "GlanceUploadFailures",
        "a genomics lab uploaded forty large images over the afternoon and Glance's file store on the shared "
        "volume is full; every upload fails and snapshots with it; grow the store, then ask the lab to prune",
    )
    f.effects += [
        Effect("glance-api", "disk_utilization", t - 200 * M, 1.0, relative=False, ramp=200 * M - (t - at)),
        Effect("glance-api", "error_ratio", at, 0.5, relative=False),
    ]
    f.bursts += [
        Burst("glance-api", at, 5, "error", "Failed to upload image data due to internal error|exc|glance_store."
              "exceptions.StorageFull|There is not enough disk space on the image storage media."),
        Burst("nova-compute", at + M, 2, "error", _INSTANCE + " Error while trying to clean up image|exc|"
              "glanceclient.exc.HTTPRequestEntityTooLarge|HTTP 413 Request Entity Too Large: Image storage media is "
              "full"),
    ]  # fmt: skip
    return f


def semester_first_lab(e: Estate, rng: random.Random, t: datetime) -> Fault:
    at = t - rng.randint(10, 14) * M
    f = Fault(
        "semester_first_lab",
        "nova-api",
        "no_incident",
        "none",
        "nova-api",
        "NovaApiLatencyHigh",
        "the semester's first cloud-computing lab: three hundred students each boot two instances at ten; the "
        "APIs take three times their requests and answer a little slower, and every instance builds (no incident)",
    )
    for svc, k in (("nova-api", 3.0), ("keystone", 2.5), ("neutron-server", 2.2), ("placement-api", 2.5),
                   ("horizon", 3.0)):  # fmt: skip
        f.effects.append(Effect(svc, "request_rate", at, k, ramp=5 * M, until=at + 45 * M))
    f.effects += [Effect("nova-api", "latency_p99", at, 1.5, ramp=4 * M, until=at + 45 * M)]
    f.bursts += [Burst("nova-compute", at, 20, "info", _INSTANCE + " Took {k}.{n} seconds to build instance.")]
    return f


FAULTS = [fernet_keys_unsynced, allocation_ratio_merged, notifications_fill_broker, ovs_agent_image,
          image_store_full, semester_first_lab]  # fmt: skip
