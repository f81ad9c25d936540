"""The service catalog: dependencies, owning repo, config paths, runbook tags,
and the signal vocabulary mapped to queries."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property, lru_cache

import yaml
from pydantic import BaseModel, ValidationError, model_validator

from oncall.core import yamlsafe
from oncall.core.alert import Alert
from oncall.core.errors import BundleError


class ServiceInfo(BaseModel):
    depends_on: list[str] = []
    repo: str | None = None
    config_paths: list[str] = []
    runbook_tags: list[str] = []
    namespace: str = "default"
    owner: str | None = None
    # what it runs on: the commands a brief shows (kubectl's) are only for Kubernetes workloads; a function
    # or a VM gets none rather than a wrong one
    platform: str = "kubernetes"


class Catalog(BaseModel):
    service_label: str = "service"
    services: dict[str, ServiceInfo] = {}
    signals: dict[str, str] = {}

    @model_validator(mode="after")
    def _known_dependencies(self) -> Catalog:
        unknown = sorted({d for s in self.services.values() for d in s.depends_on} - set(self.services))
        if unknown:
            raise ValueError(f"depends_on names services the catalog does not define: {', '.join(unknown)}")
        return self

    @classmethod
    def parse(cls, text: str, where: str = "catalog.yaml") -> Catalog:
        """A catalog from YAML text; BundleError with one line per problem (file, field, what is wrong)."""
        try:
            raw = yamlsafe.load(text) or {}
            return cls.model_validate(raw)
        except (yaml.YAMLError, ValidationError) as e:
            raise BundleError(yamlsafe.problems(e, where)) from None
        except ValueError as e:
            raise BundleError(f"{where}: {e}") from None

    def dependencies(self, service: str, depth: int = 3) -> list[str]:
        """Downstream services, nearest first, up to `depth` hops."""
        seen, frontier, order = {service}, [service], []
        for _ in range(depth):
            nxt = []
            for s in frontier:
                for d in self.services.get(s, ServiceInfo()).depends_on:
                    if d not in seen:
                        seen.add(d)
                        order.append(d)
                        nxt.append(d)
            frontier = nxt
        return order

    def shared(self, share: float = 0.25, at_least: int = 3) -> list[str]:
        """Infrastructure many services use: depended on by at least `at_least` services and a
        quarter of the estate (a flag service, DNS, a config store). Most-used first."""
        users = {s: len(self.dependents(s)) for s in self.services}
        floor = max(at_least, int(share * len(self.services)))
        return sorted((s for s, n in users.items() if n >= floor), key=lambda s: (-users[s], s))

    @cached_property  # a catalog is read once and never changed
    def namespaces(self) -> list[str]:
        """The namespaces its services run in, longest first (one may begin another)."""
        return sorted({info.namespace for info in self.services.values()}, key=len, reverse=True)

    @cached_property  # a catalog is read once and never changed
    def unwired(self) -> list[str]:
        """Services the catalog wires to nothing (no dependencies, no dependents) in an estate of several,
        when they are the exception (a tenth of it at most): in a catalog that wires its services, what no
        service says it uses is infrastructure every service uses without saying so (the cluster's DNS, a
        log shipper, a certificate manager, a mesh's identity service); in one that records few edges,
        being unwired says nothing."""
        if len(self.services) < 2:
            return []
        alone = [s for s, info in self.services.items() if not info.depends_on and not self.users.get(s)]
        return alone if len(alone) <= max(1, len(self.services) // 10) else []

    @cached_property  # a catalog is read once and never changed: its templates' spellings with it
    def affixes(self) -> list[tuple[str, str]]:
        """How the estate's telemetry spells a service where the catalog's own signal templates say so
        (`function_name="shop-prod-{service}"`: a deploy's stage or stack around the name), as
        (prefix, suffix) pairs."""
        found = {(m[1], m[2]) for t in self.signals.values() for m in _TEMPLATED.finditer(t)}
        return sorted(a for a in found if a != ("", ""))

    def aliases(self, service: str) -> list[str]:
        """`service` as the catalog's templates spell it in telemetry, besides its own name."""
        return [f"{p}{service}{s}" for p, s in self.affixes]

    def under(self, service: str) -> str | None:
        """`service` named under its namespace's name, as what is made for an estate is named after it (a Lambda
        function `vetcloud-reminders`, an RDS instance `vetcloud-db`, a Helm release `kuznia-dex`); None in the
        default namespace, where the name is already that, or where that is another service's name."""
        return self._under(service, service)

    def singular_under(self, service: str) -> str | None:
        """`service` in the singular, under its namespace's name (`under`), when its name is a plural: a Kamal app
        names a role's containers `<app>-<role>-<version>`, and the role that runs the `jobs` service is `job`.
        None where the singular is another service's name, or in the default namespace."""
        one = service.removesuffix("s")
        return None if one == service or not one or one in self.services else self._under(service, one)

    def _under(self, service: str, name: str) -> str | None:
        """`name`, a spelling of `service`, under the namespace's name of `service` (see `under`)."""
        info = self.services.get(service)
        if info is None or info.namespace in ("default", name) or name.startswith(f"{info.namespace}-"):
            return None
        named = f"{info.namespace}-{name}"
        return None if named in self.services else named

    def named(self, value: str) -> str | None:
        """The catalogued service `value` names: itself, its spelling in the catalog's templates, or its name
        under its namespace's (`under`)."""
        if value in self.services:
            return value
        for p, s in self.affixes:
            core = value[len(p) : len(value) - len(s)] if value.startswith(p) and value.endswith(s) else ""
            if core in self.services:
                return core
        for ns in self.namespaces:
            core = value.removeprefix(f"{ns}-")
            if core != value and self.under(core) == value:
                return core
        return None

    @cached_property  # a catalog is read once and never changed: who uses whom, inverted once
    def users(self) -> dict[str, list[str]]:
        """Each service's dependents, in the catalog's order (asked per service of a thousand-service
        estate, a scan of every service each time was quadratic)."""
        out: dict[str, list[str]] = {}
        for name, s in self.services.items():
            for d in dict.fromkeys(s.depends_on):
                out.setdefault(d, []).append(name)
        return out

    def dependents(self, service: str) -> list[str]:
        return list(self.users.get(service, ()))

    def resolve(self, alert: Alert) -> str | None:
        """Which catalog service the alert is about: the service label, then any label
        value naming a service (or spelling it as the signal templates do), or a part of a path or an
        ARN naming one, then a service named in the alert's words."""
        if alert.service in self.services:
            return alert.service
        for key in (self.service_label, "service", "app", "job", "deployment", "container", "service_name"):
            if named := self.named(alert.labels.get(key, "")):
                return named
        for value in alert.labels.values():
            if named := self.named(value):
                return named
        # a value written as a path or an ARN names the service one of its parts names: a load balancer's
        # target group (`targetgroup/<service>/<id>`), an ECS service's ARN, a log group (`/ecs/<service>`)
        for value in alert.labels.values():
            for part in re.split(r"[/:]", value):
                if part != value and (named := self.named(part)):
                    return named
        words = " ".join([alert.alertname, alert.text or "", *alert.annotations.values()]).lower()
        for name in sorted(self.services, key=len, reverse=True):
            if mentions(name, words):
                return name
        return None


# a signal template's label value built around the service's name: `="shop-prod-{service}"`
_TEMPLATED = re.compile(r'="([^"{}]*)\{service\}([^"{}]*)"')


# the usual contractions of the words services are named with, as hosts, queues and configs write them
# (ops-control's host `opsctl`, event-manager's `eventmgr`, payment-gateway's `payment-gw`)
CONTRACTIONS = {
    "control": ("ctl", "ctrl"),
    "controller": ("ctl", "ctrl", "ctlr"),
    "manager": ("mgr",),
    "management": ("mgmt",),
    "message": ("msg",),
    "messages": ("msgs",),
    "gateway": ("gw",),
    "database": ("db",),
    "configuration": ("config", "cfg"),
    "notification": ("notif",),
    "notifications": ("notifs",),
    "administration": ("admin",),
    "service": ("svc",),
}


def word_spellings(word: str) -> tuple[str, ...]:
    """A word of a service's name (lower case) and its usual contractions."""
    return (word, *CONTRACTIONS.get(word, ()))


@lru_cache(maxsize=4096)
def spellings(name: str) -> re.Pattern[str]:
    parts = [
        "(?:" + "|".join(re.escape(w) for w in word_spellings(p.lower())) + ")" for p in re.split(r"[-_.]", name) if p
    ]
    core = r"[-_ ]?".join(parts)
    # (`-headless`: the headless Service Kubernetes charts name after the workload it addresses; `Error` and
    # `Exception`: the error class of its client library, UpstashError, StripeException)
    role = "service|svc|client|api|server|headless|error|exception"
    return re.compile(rf"(?<![\w-])(?:{core})(?:s|[-_]?(?:{role}))?(?![\w-])", re.I)


# a setting's name (`Orders_GoPayTimeoutSeconds`, `gopay_timeout_ms`, `GOPAY_URL`) and the words it is written in
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*")
_CAMEL_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def names_setting_for(name: str, text: str) -> bool:
    """Whether a setting named in `text` is named for the service `name`, as settings are named after what they
    are for: its name's words, joined, are a run of the words of an identifier written in camel or snake case
    (`Orders_GoPayTimeoutSeconds` is for gopay), where `mentions` sees only a longer name."""
    want = re.sub(r"[-_. ]", "", name.lower())
    for ident in _IDENTIFIER.findall(text):
        words = [w.lower() for w in _CAMEL_WORD.findall(ident)]
        for i in range(len(words)):
            joined = ""
            for word in words[i:]:
                joined += word
                if joined == want:
                    return True
                if not want.startswith(joined):
                    break
    return False


_HOST_REST = re.compile(r"\.([\w-]+(?:\.[\w-]+)*)")
_MODULE_LEFT = re.compile(r"([\w-]+)\.$")  # the dotted path's part just before a name


def mentions(name: str, text: str, hosts: Iterable[str] = (), own: str | None = None) -> bool:
    """Whether `text` names the service `name` as callers and people write it: as catalogued, joined
    or spaced (productcatalog, product catalog), in the plural (failed to get ads), or as a class or
    host with a role suffix (AdService, cart-svc, ProductCatalogClient, UpstashError). Never inside a
    longer name.
    With `hosts` (other services' names): a host name's left label is a host of the domain on its
    right, so `api.paygate.example` names paygate, not a service called api. With `own` (whose line
    it is): a part of that service's own dotted module or logger name (`forecasts.api`, Python's
    `__name__` of a package named after it) is its code, not a service it called."""
    for m in spellings(name).finditer(text):
        rest = _HOST_REST.match(text, m.end())
        if not rest:
            # (a host's labels run on after it: `api.paygate.example` is no module of a service called api)
            left = _MODULE_LEFT.search(text, 0, m.start()) if own else None
            if left is None or not spellings(own or "").fullmatch(left.group(1)):
                return True
            continue
        labels = set(rest.group(1).lower().split(".")) - {name.lower()}
        if not any(h.lower() in labels for h in hosts):  # (only a name followed by a domain pays for this)
            return True
    return False
