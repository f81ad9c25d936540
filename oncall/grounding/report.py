"""What grounding kept and dropped, as the brief, the audit log and the eval report it."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel


class Failure(BaseModel):
    where: str  # e.g. "evidence[2]"
    reasons: list[str]


@dataclass
class GroundingReport:
    checked: int = 0
    failures: list[Failure] = field(default_factory=list)
    root_cause_supported: bool = True

    @property
    def dropped(self) -> int:
        return sum(1 for f in self.failures if f.where != "root_cause")

    @property
    def kept(self) -> int:
        return self.checked - len(self.failures)

    @property
    def rate(self) -> float:
        return self.kept / self.checked if self.checked else 1.0
