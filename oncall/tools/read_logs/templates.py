"""Log template mining with Drain3, shared by every log backend.

Backends first collapse identical messages (after masking numbers and ids) so
Drain3 sees each distinct shape once with its count; this is what keeps a
million lines cheap."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Tokens of well-known credential shapes (whole, so no part of one survives in a template: the
# sample line is redacted, the template is built from masked text), then numbers, hex ids, UUIDs,
# IPs, and a run of twenty or more capitals and digits (a ULID such as GitLab's correlation ids, a tag's or a
# trace's id: no word is so written): masked before grouping. RE2 syntax, so DuckDB can use it too.
MASK_RE = (
    r"(?:xox[abposrce]-|gh[pousr]_|github_pat_|[rs]k_(?:live|test)_|sk-ant-|glpat-|npm_|AKIA|ASIA|eyJ)"
    r"[A-Za-z0-9_./+=-]+"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|0x[0-9a-fA-F]+|\b[0-9a-f]{8,}\b|\b[0-9A-Z]{20,}\b|[0-9]+(?:[.:][0-9]+)*"
)
MASK = "<*>"
MAX_CHARS = 400


@dataclass
class Group:
    """Messages that are identical after masking, with whatever the backend aggregated."""

    masked: str
    payload: Any


def mine(groups: Iterable[Group]) -> dict[int, tuple[str, list[Group]]]:
    """Cluster masked messages with Drain3; returns cluster id -> (template, groups)."""
    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    logging.getLogger("drain3").setLevel(logging.WARNING)
    cfg = TemplateMinerConfig()
    cfg.profiling_enabled = False
    cfg.drain_sim_th = 0.5
    cfg.drain_depth = 4
    cfg.parametrize_numeric_tokens = True
    miner = TemplateMiner(config=cfg)
    members: dict[int, list[Group]] = {}
    for g in groups:
        r = miner.add_log_message(g.masked[:MAX_CHARS])
        members.setdefault(r["cluster_id"], []).append(g)
    out: dict[int, tuple[str, list[Group]]] = {}
    for cluster in miner.drain.clusters:
        if cluster.cluster_id in members:
            out[cluster.cluster_id] = (cluster.get_template(), members[cluster.cluster_id])
    return out
