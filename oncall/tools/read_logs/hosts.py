"""Whose a line is when no field this reader knows names its service: the field naming its host, container or
pod (hosts_field, named after services), the stack a Compose or Kamal container's name carries (stacked,
stack_of, swarm_stack), a log file's path, a database server's name, and the fields whose values name a
service (owners_in)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from oncall.tools.read_logs.fields import FIELDS, column, flat_keys, has_field, keys_of, lowered, texts_in, value_at
from oncall.tools.read_logs.owners import DATABASE_SERVER, HOST_NAMED, Owner, named, owners


def _names_pod(obj: dict[str, Any], names_one: Callable[[Any], bool]) -> bool:
    """Whether a line's pod or host field, one this reader knows, names a service (by `names_one`)."""
    low = lowered(obj)
    for p in FIELDS["pod"]:
        value = value_at(obj, p, low)
        for flat in flat_keys(p):
            if value is None:
                value = obj.get(low.get(flat.lower(), flat))
        if value is not None:
            return names_one(value)
    return False


# The files the kubelet keeps a container's output in name its pod: `/var/log/containers/<pod>_<namespace>_
# <container>-<id>.log` (links) and `/var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log`; a shipper
# tailing them without Kubernetes' metadata (a bare Fluent Bit's or Vector's file source, OCI's agent) names a
# line's pod only there. In syntax Python's re and RE2 (DuckDB) share; the pod is group 1 or group 2.
CONTAINER_LOG = r"^/var/log/(?:containers/([^_/]+)_[^_/]+_[^/]+\.log|pods/[^_/]+_([^_/]+)_[^/]+/[^/]+/[0-9]+\.log)$"


def host_name(value: str) -> str:
    """A host's name as a service's hosts are named: lower case, without its domain (`PAYMENTS-API-02.corp`
    is `payments-api-02`; Windows writes NetBIOS names in capitals), and without what follows a colon: a
    port, or the revision of what runs there (ECS's task definition `payments:44`, FireLens's
    `ecs_task_definition`; an image's tag). A container's log file is its pod's name (CONTAINER_LOG)."""
    if (m := re.match(CONTAINER_LOG, value)) is not None:
        return (m.group(1) or m.group(2)).lower()
    return value.split(".", 1)[0].split(":", 1)[0].lower()


# The tags a list of `key:value` strings names a line's pod by (Datadog's, from its Kubernetes tagger).
POD_TAGS = ("pod_name", "kube_pod_name", "k8s.pod.name")


def pod_tags(sample: list[dict[str, Any]]) -> str | None:
    """The key whose values are lists of `key:value` strings (Datadog's `tags`) that name the line's pod
    (POD_TAGS), None when the sampled lines have none: a host beside them is the node the pod ran on."""
    for key in keys_of(sample):
        lists = [v for obj in sample if isinstance(v := obj.get(key), list)]
        strings = lists and all(isinstance(x, str) for v in lists for x in v)
        if strings and any(x.split(":", 1)[0] in POD_TAGS for v in lists for x in v):
            return key
    return None


def _host_naming(known: list[str]) -> Callable[[Any], bool]:
    """Whether a value names one of the `known` services as a host or pod is named after it (host_name)."""
    prefixes = tuple(f"{k}-" for k in known)
    names = set(known)

    def names_one(value: Any) -> bool:
        return isinstance(value, str) and (
            (name := host_name(value)) in names or name.startswith(prefixes) or stacked(name, names) is not None
        )

    return names_one


def mostly_unowned(sample: list[dict[str, Any]], known: list[str]) -> bool:
    """Whether most sampled lines name no `known` service where this reader looks: a host field whose value
    names no service says where the line ran, not whose it is; only a service field, a log group, or a host
    or pod named after a service says that."""
    if not sample or not known:
        return False
    names_one = _host_naming(known)
    owned = sum(
        1 for obj in sample if has_field(obj, "service") or has_field(obj, "group") or _names_pod(obj, names_one)
    )
    return owned * 2 < len(sample)


# the fields whose values are what a line says or how bad it is, never whose it is
_NOT_OWNERS = ("message", "error", "level", "ts", "http_status")


def owners_in(sample: list[dict[str, Any]], known: list[str], taken: tuple[str | None, ...] = ()) -> tuple[Owner, ...]:
    """The fields a line's service is read from, asked when most sampled lines name no service where this
    reader looks (mostly_unowned) and no host field was found either (owners.owners): the texts of the lines' other
    fields (not their text, time or level, nor a field `taken` for those), a server's field known by its name or
    as a pod's (FIELDS["pod"])."""
    said = [p for group in _NOT_OWNERS for p in FIELDS[group]]
    skip = {p.lower() for p in said} | {column(p)[0].lower() for p in said} | {k.lower() for k in taken if k}
    pods = {p.lower() for p in FIELDS["pod"]}
    lines = [{p: v for p, v in texts_in(obj, []) if p.lower() not in skip and v} for obj in sample]
    return owners(lines, known, lambda p: p.lower() in pods or HOST_NAMED.search(p) is not None)


# a log file's path as a tailing shipper records it (Vector's `file`, Filebeat's `log.file.path`): absolute, and a
# log's by its folder or its name (`/var/log/gitlab/gitaly/current`, `/srv/api/logs/app.log`), not a request's URL
LOG_FILE = re.compile(r"(?i)^(?:/|[a-z]:\\)\S*(?:[/\\]logs?[/\\]\S*|\.log(?:\.\d+)?)$")
# the folders every log is kept under, and a log's extension: they name no program (`log` is not log-shipper's)
_LOG_PLACES = re.compile(r"(?i)(?:^|[/\\])(?:var|log|logs)(?=[/\\])|\.log(?:\.\d+)?$")


def file_owner(sample: list[dict[str, Any]], known: list[str]) -> tuple[Owner, ...]:
    """The field holding the path of the file each line was read from, when those paths name catalogued services
    by what is left of them once the folders every log is kept under are left out (`/var/log/kern.log` names no
    service, though `log` is a word of log-shipper's name): a log file is the program's that writes it, while the
    host it was read on may run several (NGINX, Workhorse and Puma on one node named after one of them), so a line
    with no service field of its own is read as its path's (where it names one), then its host's. () when no
    field holds such paths."""
    hits: Counter[str] = Counter()
    maps: dict[str, dict[str, str]] = {}
    for obj in sample:
        for p, v in texts_in(obj, []):
            if LOG_FILE.match(v) and (service := named(_LOG_PLACES.sub("/", v), known)) is not None:
                maps.setdefault(p, {})[v] = service
                hits[p] += 1
    best = max(hits, key=lambda p: (hits[p], p), default=None)
    return (Owner(best, tuple(sorted(maps[best].items()))),) if best is not None else ()


def database_servers(sample: list[dict[str, Any]], host: str | None, known: list[str]) -> tuple[Owner, ...]:
    """The host field's values that are a database server's own name (DATABASE_SERVER: a syslog tag `postgres`
    beside `booking-api`, where the other tags name services as hosts are named): those lines are the estate's one
    database service's (`postgresql`), as owners.named reads such a name. () when there are none, or no host
    field."""
    if host is None:
        return ()
    seen = {v for obj in sample if isinstance(v := value_at(obj, host), str)}
    found = {v: s for v in seen if DATABASE_SERVER.match(v) and (s := named(v, known)) is not None}
    return (Owner(host, tuple(sorted(found.items()))),) if found else ()


def hosts_field(sample: list[dict[str, Any]], known: list[str]) -> str | None:
    """A field of a shipper this reader does not know that names where each line came from, as a FIELDS
    path: when most sampled lines have no service field or log group it knows, nor a host or pod field naming
    a catalogued service (Fly's `host` is a server's short id), the text field, wherever it is
    nested, whose values most often are the catalog's services or hosts and pods named after them
    (`mx-02`; rsyslog's `sysloghost`; Cloud Run's `resource.labels.service_name`; FireLens's `payments:44`), in
    any case and with or without a domain (host_name). None when the lines name their service in a field it
    knows, or nothing names one."""
    return named_hosts(sample, known) if mostly_unowned(sample, known) else None


def named_hosts(sample: list[dict[str, Any]], known: list[str]) -> str | None:
    """hosts_field, for a sample already found to name no service where this reader looks (mostly_unowned): of the
    fields that name a service on most lines, the one that tells the most services apart (a field naming one on
    every line of three programs, a Kamal container's `role` of `web`, says what the line is for, not whose it
    is), then the one that names one on the most lines."""
    names_one = _host_naming(known)
    # (a line's text is not where it came from: `payments: charge failed` names no host; but the fields beside
    # a text nested in an object may say where it came from: OCI's logContent.subject beside logContent.data)
    said = (*FIELDS["message"], *FIELDS["error"])
    text = {p.lower() for p in said} | {column(p)[0].lower() for p in said if column(p)[1] is None}
    hits: dict[str, int] = {}
    told: dict[str, set[str]] = {}
    for obj in sample:
        for key, value in texts_in(obj, []):
            if column(key)[0].lower() not in text and key.lower() not in text and names_one(value):
                hits[key] = hits.get(key, 0) + 1
                told.setdefault(key, set()).add(service_of(value, known))
    most = [k for k in hits if hits[k] * 2 >= len(sample)]
    return max(most, key=lambda k: (len(told[k]), hits[k], k), default=None)


def service_of(value: str, known: list[str]) -> str:
    """The service a host or container name that names one (_host_naming) names: itself, the longest name it
    begins with, or the service a stack's container is of (stacked)."""
    name, names = host_name(value), set(known)
    if name in names:
        return name
    if (begun := max((k for k in known if name.startswith(f"{k}-")), key=len, default=None)) is not None:
        return begun
    stack = stacked(name, names)
    return name if stack is None else re.sub(r"[-_][^-_]*$", "", name[len(stack) :])


# what follows a service's name in its container's: Compose's replica number, or the version Kamal names a role's
# container with (its image's Git commit, abbreviated or not)
_INSTANCE = re.compile(r"[0-9]+|[0-9a-f]{7,40}")


def stacked(name: str, names: set[str]) -> str | None:
    """The stack's part of a container named as Docker Compose names one, `<project>-<service>-<n>` (`_` before
    Compose v2), or as Kamal names an app's role's, `<app>-<role>-<version>`: `pagaja-` of `pagaja-pix-gateway-2`
    when pix-gateway is a service; the project is the stack's name, not the service's. None when `name` is not
    so named."""
    parts = re.split(r"([-_])", name)  # (the separators kept, at odd places)
    if len(parts) < 5 or not _INSTANCE.fullmatch(parts[-1]):
        return None
    for i in range(2, len(parts) - 2, 2):
        if "".join(parts[i:-2]) in names:
            return "".join(parts[:i])
    return None


# a Swarm task's container, as Docker names it: `<service>.<slot>.<task id>` (a global service's: the node's ID for
# the slot), the service `<stack>_<name>` when a stack deployed it
SWARM_TASK = re.compile(r"^(?P<service>[A-Za-z0-9][\w.-]*?)\.(?P<slot>\d+|[a-z0-9]{25})\.(?P<task>[a-z0-9]{25})$")


def swarm_stack(sample: list[dict[str, Any]], known: list[str]) -> str | None:
    """The stack (`atende_` of `atende_crm.2.x9k2...`, or "" where the services were created without one) under
    which the sampled lines' pod fields name Swarm tasks' containers of catalogued services, the most often if
    several; else None. A task's container is its service's, as a pod is its deployment's (embedded reads it as
    `<name>-<slot>-<task id>`)."""
    names, seen = set(known), dict[str, int]()
    longest = sorted(names, key=lambda n: (-len(n), n))
    for obj in sample:
        low = lowered(obj)
        pod = next((v for p in FIELDS["pod"] if isinstance(v := value_at(obj, p, low), str)), None)
        if pod is None or (m := SWARM_TASK.match(pod)) is None:
            continue
        service = m["service"]
        # (where the catalog spells the service only with its stack, no stack is cut)
        stack = next((service[: -len(n)] for n in longest if service.endswith(f"_{n}")), None)
        if stack is None and service in names:
            stack = ""
        if stack is not None:
            seen[stack] = seen.get(stack, 0) + 1
    return max(seen, key=lambda k: (seen[k], k), default=None)


def stack_of(sample: list[dict[str, Any]], path: str, known: list[str]) -> str | None:
    """The stack (see `stacked`) most sampled lines' `path` names their container under, else None."""
    names, seen = set(known), dict[str, int]()
    for obj in sample:
        if isinstance(value := value_at(obj, path), str) and (stack := stacked(host_name(value), names)) is not None:
            seen[stack] = seen.get(stack, 0) + 1
    best = max(seen, key=lambda k: (seen[k], k), default=None)
    return best if best is not None and seen[best] * 2 >= len(sample) else None
