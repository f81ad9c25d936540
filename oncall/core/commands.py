"""The commands a brief may show an engineer, generated here from an action's kind and its
catalogued service, never taken from what a tool read (a log line, a model reply). The only
other source is a runbook the action cites, quoted verbatim (checked by grounding).

Names go into a shell command only when they are plain Kubernetes names (DNS-1123 labels),
so a catalog entry such as `api; rm -rf /` yields no command at all; kubectl's commands only for a
service the catalog says runs on Kubernetes (the default)."""

from __future__ import annotations

import re

from oncall.core.catalog import Catalog

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_SHA = re.compile(r"^[0-9a-f]{7,40}$")


def plain_name(value: str | None) -> bool:
    return bool(value) and bool(_NAME.match(value or ""))


def command_for(kind: str, service: str, catalog: Catalog, *, revert_ref: str | None = None) -> str | None:
    """The command for an action of `kind` on `service`, or None when there is none to show.
    A rollback of a config change (not a deploy) reverts its commit: `revert_ref` is that commit."""
    info = catalog.services.get(service)
    if info is None or not plain_name(service) or not plain_name(info.namespace):
        return None
    ns = info.namespace
    if kind == "rollback" and revert_ref is not None:  # a commit is reverted the same way whatever runs it
        return f"git revert {revert_ref}" if _SHA.match(revert_ref) else None
    if info.platform != "kubernetes":
        return None
    if kind == "rollback":
        return f"kubectl rollout undo deployment/{service} -n {ns}"
    if kind == "restart":
        return f"kubectl rollout restart deployment/{service} -n {ns}"
    if kind == "scale":  # look before adding: the HPA's maximum and the deployment's replicas
        return f"kubectl get hpa,deployment/{service} -n {ns}"
    return None  # config_change, escalate, none: what to change is for the engineer to decide


def allowed(kind: str, service: str, catalog: Catalog, refs: list[str]) -> set[str]:
    """Every command code would generate for this action, given the refs of the service's changes."""
    out = {command_for(kind, service, catalog)}
    if kind == "rollback":
        out |= {command_for(kind, service, catalog, revert_ref=r) for r in refs}
    return {c for c in out if c}
