"""Prompt texts live as plain Markdown beside this file, so they are reviewed like
prose and shipped as package data."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8").strip()


def tool_description(tool: str) -> str:
    return load(f"tools/{tool}.md")
