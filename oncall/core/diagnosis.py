"""The Diagnosis contract (DESIGN.md): what every model returns, what grounding
checks, what the brief renders. Every claim carries `cites` to tool results."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Confidence = Literal["HIGH", "MEDIUM", "LOW"]
Category = Literal[
    "recent_change",
    "resource_exhaustion",
    "capacity",
    "dependency_failure",
    "expired_credential",
    "permission_denied",
    "network",
    "no_incident",
    "unknown",
]
ActionKind = Literal["rollback", "restart", "scale", "config_change", "escalate", "none"]
# Safest first: undoing a change beats restarting, which beats adding capacity, ...
ACTION_ORDER: tuple[str, ...] = ("rollback", "restart", "scale", "config_change", "escalate", "none")

Cites = list[str]
CITE_HELP = "tool result ids such as R4, or a line inside one such as R1:L3"


class Claim(BaseModel):
    text: str
    cites: Cites = Field(description=CITE_HELP)


class RootCause(BaseModel):
    service: str
    category: Category
    statement: str
    confidence: Confidence
    cites: Cites = Field(description=CITE_HELP)


class Evidence(BaseModel):
    text: str
    quote: str | None = Field(None, description="verbatim text from the cited result")
    cites: Cites = Field(description=CITE_HELP)


class Action(BaseModel):
    kind: ActionKind
    target: str
    description: str
    command: str | None = None
    cites: Cites = Field(description=CITE_HELP)


class RunbookQuote(BaseModel):
    page: str
    section: str
    quote: str = Field(description="verbatim text from the cited runbook result")
    cites: Cites = Field(description=CITE_HELP)


class SimilarIncident(BaseModel):
    id: str
    resolution: str
    cites: Cites = Field(description=CITE_HELP)


class PullRequest(BaseModel):
    url: str
    branch: str
    title: str | None = None


class Candidate(BaseModel):
    """A ranked alternative (the first is the root cause)."""

    service: str
    category: Category
    score: float
    ruled_down: str | None = Field(None, description="why this hypothesis ranks below the root cause")


class Diagnosis(BaseModel):
    summary: list[Claim]
    root_cause: RootCause
    evidence: list[Evidence] = []
    # what does not fit the root cause (an earlier anomaly elsewhere, a resource that stayed steady):
    # shown so the engineer can weigh it, grounded like the evidence
    against: list[Evidence] = []
    actions: list[Action] = []
    runbook: list[RunbookQuote] = []
    similar_incidents: list[SimilarIncident] = []
    missing_evidence: list[str] = []
    pr: PullRequest | None = None
    alternatives: list[Candidate] = []
    warnings: list[Claim] = []  # set by grounding: tool output that tried to instruct the copilot

    def ordered(self) -> Diagnosis:
        """Actions sorted safest first, whatever order the model gave."""
        acts = sorted(self.actions, key=lambda a: ACTION_ORDER.index(a.kind))
        return self.model_copy(update={"actions": acts})
