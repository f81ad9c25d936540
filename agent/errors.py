"""Errors the entry points turn into one-line messages and documented exit codes."""

from __future__ import annotations


class CopilotError(Exception):
    exit_code = 1


class BundleError(CopilotError):
    """The incident bundle is missing or unreadable."""

    exit_code = 3


class AlertInputError(CopilotError):
    """The alert file is missing or not valid JSON."""

    exit_code = 4


class AlertFormatError(CopilotError):
    """The payload is valid JSON but not an alert format we know."""

    exit_code = 5
