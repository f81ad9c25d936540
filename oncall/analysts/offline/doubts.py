"""Doubts an SRE keeps before saying "this is it": each caps the diagnosis at MEDIUM, however well the top
suspect scores, while its evidence is still shown:

- a change on something it depends on landed just before it broke, and the diagnosis does not name it
  (a version bump does not count, nor does it when a resource of its own is at its limit);
- another service the catalog does not connect to it broke in the same minutes with errors of its own
  of the same kind: a cause they share beyond the catalog (a clock, a quota, an agent) is not ruled out;
- the kernel's OOM killer took its process while its own memory, which we watch, stayed flat;
- a change blamed for breaking its users while another user of it that we watch came through unharmed."""

from __future__ import annotations

from oncall.analysts.offline import weights as w
from oncall.analysts.offline.findings import change_tokens, log_tokens, reaction
from oncall.analysts.offline.patterns import OOM_KILLER
from oncall.analysts.offline.suspect import Suspect
from oncall.core import diffs
from oncall.core.catalog import Catalog
from oncall.core.results import ToolResult
from oncall.tools.read_metrics import MetricStats


def doubted(
    top: Suspect, suspects: list[Suspect], catalog: Catalog, results: list[ToolResult], seen: set[str]
) -> str | None:
    """Why the top suspect, however well it scores, is likely rather than established (None: no doubt).
    `seen`: the services whose metrics were read."""
    if _resource_not_its_own(top, results):
        return "the kernel's OOM killer took it while its own memory stayed at baseline"
    if _others_fine(top, suspects, catalog, seen):
        return "another user of it came through its change unharmed"
    if top.onset is None:
        return None
    info = catalog.services.get(top.service)
    deps = set(info.depends_on) if info else set()
    if top.category != "recent_change" and not top.at_limit():  # a resource of its own at its limit explains it
        for s in suspects:
            if s.service in deps:
                for c in s.changes():
                    near_onset = c.at and top.onset - w.JUST_AFTER <= c.at <= top.onset + w.NEAR
                    if near_onset and not reaction(c.detail) and not diffs.version_only(c.detail.diff):
                        return f"{s.service}, which it depends on, changed just before it broke"
    kinds = {f.category for f in top.logs("own") if f.category and f.weight >= 1}
    near = deps | set(catalog.dependencies(top.service)) | set(catalog.dependents(top.service))
    for s in suspects:
        if s is top or s.service in near or top.service in catalog.dependencies(s.service) or s.onset is None:
            continue
        if abs(s.onset - top.onset) <= w.NEAR and kinds & {f.category for f in s.logs("own") if f.weight >= 1}:
            return f"{s.service}, which it is not connected to, failed the same way at the same time"
    return None


def _resource_not_its_own(top: Suspect, results: list[ToolResult]) -> bool:
    """The kernel's OOM killer took its process while its own memory, which we watch, stayed at baseline:
    something else on the host used the memory up, so why it died is not established. (Its own heap
    running out, or its container's limit, is its own memory: not this.)"""
    if not any(OOM_KILLER.search(f.words) for f in top.logs()) or (
        top.metrics("saturation") and any(m.signal == "memory_utilization" for m in top.metrics("saturation"))
    ):
        return False
    return any(
        r.ok and isinstance(r.data, MetricStats) and r.data.service == top.service
        and any(x.signal == "memory_utilization" and not x.anomalous for x in r.data.signals)
        for r in results
    )  # fmt: skip


def _others_fine(top: Suspect, suspects: list[Suspect], catalog: Catalog, seen: set[str]) -> bool:
    """A change blamed for breaking what uses it, while another user of it that we watch shows nothing
    wrong after it: the change did not break everyone, and the users that fail may hold something of
    their own (a stale connection, a cache) that the others let go."""
    if top.category != "recent_change" or not top.change or not top.change.at:
        return False
    if any(f.weight >= 1 for f in top.logs("own")):
        return False  # it broke itself
    users = {s.service: s for s in suspects if s.service in catalog.dependents(top.service)}
    failing = [s for s in users.values() if s.anomalous]
    words = change_tokens(top.change.detail)
    if any(words & log_tokens(" ".join(f.words for f in s.logs())) for s in failing):
        return False  # their errors repeat the change: it reached them, whoever else came through
    fine = [s for s in users.values() if not s.anomalous and s.service in seen]
    return bool(failing) and bool(fine)
