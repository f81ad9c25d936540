"""Scenario generators and the evaluator that scores the analyst on them."""

from __future__ import annotations

from pathlib import Path


def highest_world() -> int:
    """The highest scenario world present: world 1 is the first generator (eval/scenarios), every other world
    N is its own package eval/worldN. Read from the folder, so a new world needs no number written elsewhere."""
    numbers = [int(p.name[5:]) for p in Path(__file__).parent.glob("world*") if p.name[5:].isdigit()]
    return max(numbers, default=1)
