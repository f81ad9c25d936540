"""Grounding: every claim of a diagnosis is checked against the tool output it cites,
in code, before anyone sees it."""

from oncall.grounding.claims import check_claim, ground, numbers
from oncall.grounding.report import Failure, GroundingReport

__all__ = ["Failure", "GroundingReport", "check_claim", "ground", "numbers"]
