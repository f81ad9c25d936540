"""World 88's estate, written after world 87's rules and scored before any rule saw it.

A Wellington university's research cloud on OpenStack, deployed by Kolla-Ansible on three controllers and a
row of compute nodes: Horizon, Keystone, Nova (api, scheduler, conductor, compute), Neutron (server and the
Open vSwitch agent), Glance, Placement, RabbitMQ and a MariaDB Galera cluster; memcached holds tokens and
writes nothing.

Logs are Kolla's central logging: fluentd tails each service's file under /var/log/kolla and parses OpenStack's
oslo.log lines into Kolla's own fields (`Timestamp` as the line wrote it, `Pid`, `log_level`, `python_module`,
`request_id`, `user_id`, `tenant_id`, `Payload`: the rest of the line, a traceback joined onto it), adds
`programname` (the file's service) and `Hostname`, and ships them to OpenSearch (`flog-*` indices, `@timestamp`
added). The team saves them with elasticdump: a hit a line, `_index`, `_id`, `_source`. RabbitMQ's and MariaDB's
own lines are parsed to `Timestamp`, `log_level` (`info`, `warning`; MariaDB's `Note`, `Warning`, `ERROR`) and
`Payload`; HAProxy's and Apache's access lines arrive whole as `Payload`. Metrics: openstack-exporter and the
HAProxy exporter, recorded per `service`."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from oncall.eval.styled import Estate, Node

CONTROLLERS = ("ctl01", "ctl02", "ctl03")
COMPUTES = ("cmp01", "cmp02", "cmp03", "cmp04", "cmp05", "cmp06")
_LEVEL = {"debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR"}
_MARIADB = {"info": "Note", "warn": "Warning", "error": "ERROR"}
_MODULE = {
    "nova-api": "nova.api.openstack.wsgi",
    "nova-scheduler": "nova.scheduler.manager",
    "nova-conductor": "nova.conductor.manager",
    "nova-compute": "nova.compute.manager",
    "neutron-server": "neutron.wsgi",
    "neutron-openvswitch-agent": "neutron.plugins.ml2.drivers.openvswitch.agent.ovs_neutron_agent",
    "glance-api": "glance.api.v2.images",
    "placement-api": "placement.requestlog",
    "keystone": "keystone.server.flask.application",
    "horizon": "openstack_dashboard.api.nova",
}


def _signals() -> dict[str, str]:
    sel = 'service="{service}",region="RegionOne"'
    return {
        "request_rate": f"openstack:api_requests:rate5m{{{sel}}}",
        "error_ratio": f"openstack:api_requests_5xx:ratio5m{{{sel}}}",
        "latency_p99": f"openstack:api_response_seconds:p99_5m{{{sel}}}",
        "cpu_utilization": f"openstack:service_cpu:ratio{{{sel}}}",
        "memory_utilization": f"openstack:service_memory:ratio_limit{{{sel}}}",
        "disk_utilization": f"openstack:service_volume:ratio{{{sel}}}",
        "restarts": f"openstack:container_restarts:increase5m{{{sel}}}",
    }


PROD = Estate(
    label="service",
    name="nectar-wgtn",
    namespace="RegionOne",
    shipper="kolla-fluentd-opensearch-elasticdump",
    signals=_signals(),
    nodes=(
        Node("horizon", "django", ("keystone", "nova-api", "neutron-server", "glance-api"), 12),
        Node("keystone", "wsgi", ("mariadb", "memcached"), 60),
        Node("nova-api", "wsgi", ("keystone", "mariadb", "rabbitmq", "placement-api", "neutron-server", "glance-api"),
             30),
        Node("nova-scheduler", "oslo", ("rabbitmq", "placement-api", "mariadb"), 4),
        Node("nova-conductor", "oslo", ("rabbitmq", "mariadb"), 20),
        Node("nova-compute", "oslo", ("rabbitmq", "neutron-server", "glance-api", "placement-api"), 15),
        Node("neutron-server", "wsgi", ("keystone", "mariadb", "rabbitmq"), 25),
        Node("neutron-openvswitch-agent", "oslo", ("rabbitmq",), 10),
        Node("glance-api", "wsgi", ("keystone", "mariadb"), 8),
        Node("placement-api", "wsgi", ("keystone", "mariadb"), 20),
        Node("rabbitmq", "rabbitmq", (), 150),
        Node("mariadb", "mariadb", (), 200),
        Node("memcached", "memcached", (), 300),
    ),
)  # fmt: skip

ESTATES = {PROD.name: PROD}

BACKGROUND = {
    "wsgi": ['10.20.0.{k} "GET /v2.1/servers/detail HTTP/1.1" status: 200 len: 1{n}{k}3 time: 0.{n}{k}1'],
    "oslo": ["Took {k}.{n} seconds to build instance.", "Running periodic task _sync_power_states",
             "Agent rpc_loop - iteration:{n}{k}{k} completed. Processed ports statistics: {'regular': {'added': 0, "
             "'updated': 0, 'removed': 0}}. Elapsed:0.0{k}{n}"],
    "django": ['10.40.{k}.{n} - - "GET /project/instances/ HTTP/1.1" 200 2{n}{k}1'],
    "rabbitmq": ["accepting AMQP connection <0.{n}{k}.0> (10.20.0.{k}:4{n}12 -> 10.20.0.11:5672)",
                 "connection <0.{n}{k}.0> (10.20.0.{k}:4{n}12 -> 10.20.0.11:5672): user 'openstack' authenticated"],
    "mariadb": ["WSREP: Member 1.0 (ctl02) synced with group.", "InnoDB: Buffer pool(s) load completed"],
    "memcached": ["(none)"],
}  # fmt: skip
NOISE = {
    "oslo": "While synchronizing instance power states, found {k} instances in the database and {n} instances on the "
    "hypervisor.",
    "rabbitmq": "closing AMQP connection <0.{n}{k}.0> (10.20.0.{k}:4{n}12 -> 10.20.0.11:5672, vhost: '/', user: "
    "'openstack')",
}


def _hex(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _fill(at: datetime, text: str) -> str:
    n = int(at.timestamp()) % 61
    return text.replace("{k}", str(n % 9 + 1)).replace("{n}", str(n))


def record(estate: Estate, at: datetime, service: str, pod: str, level: str, text: str) -> dict[str, Any] | list:
    """One hit of the flog-* indices as elasticdump writes it."""
    node = estate.node(service)
    if node.tech == "memcached":  # it writes nothing Kolla ships
        return []
    said, _, exception = text.partition("|exc|")
    kind, _, caught = exception.partition("|")
    said, caught = _fill(at, said), _fill(at, caught)
    h = _hex(service, pod, str(at.timestamp()), said)
    hosts = COMPUTES if service in ("nova-compute", "neutron-openvswitch-agent") else CONTROLLERS
    host = hosts[int(h[:2], 16) % len(hosts)]
    stamp = f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond // 1000:03d}"
    src: dict[str, Any] = {"Hostname": host, "programname": service}
    if node.tech in ("wsgi", "oslo", "django"):
        payload = said
        if kind:  # oslo.log writes the traceback under the line; fluentd's multiline parser joins it on
            payload += (
                f'\nTraceback (most recent call last):\n  File "/var/lib/kolla/venv/lib/python3.10/'
                f'site-packages/{service.split("-")[0]}/manager.py", line {int(h[2:4], 16) + 100}, in _do\n'
                f"{kind}: {caught}"
            )
        request = str(uuid.UUID(h[:32]))
        src |= {"Timestamp": stamp, "Pid": str(int(h[4:8], 16) % 30000 + 1000), "log_level": _LEVEL[level],
                "python_module": _MODULE.get(service, service.replace("-", ".")),
                "request_id": request, "user_id": h[32:64], "tenant_id": h[:32], "Payload": payload}  # fmt: skip
    elif node.tech == "rabbitmq":
        src |= {
            "Timestamp": f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}+00:00",
            "log_level": {"warn": "warning"}.get(level, level),
            "Payload": f"<0.{int(h[:3], 16)}.0> {said}",
        }
    else:  # mariadb
        src |= {"Timestamp": f"{at:%Y-%m-%d %H:%M:%S}", "log_level": _MARIADB[level], "Payload": said}
    src["@timestamp"] = f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"
    return {"_index": f"flog-{at:%Y.%m.%d}", "_type": "_doc", "_id": h[40:60], "_score": 1, "_source": src}
