"""Every error the copilot raises on purpose, in one place. Entry points turn a
`CopilotError` into one line and its documented exit code (or an HTTP 4xx);
`ToolError` is what a tool tells the model and the engineer."""

from __future__ import annotations


class CopilotError(Exception):
    exit_code = 1


class UsageError(CopilotError):
    """The command line asks for something that cannot be done as asked."""

    exit_code = 2


class BundleError(CopilotError):
    """The incident bundle is missing or unreadable."""

    exit_code = 3


class AlertInputError(CopilotError):
    """The alert file is missing or not valid JSON."""

    exit_code = 4


class AlertFormatError(CopilotError):
    """The payload is valid JSON but not an alert format we know."""

    exit_code = 5


class ConfigError(CopilotError):
    """The configuration file is invalid, a secret it names is not set, or a backend does not work."""

    exit_code = 6


class ToolError(Exception):
    """A tool could not answer; the message is shown to the model and the engineer."""
