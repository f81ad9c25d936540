"""What a file's level field says: the routine levels its lines are filed at, and whether its values are
streams (Docker's), numbers running up with severity (Coralogix's, the Windows event log's, OpenTelemetry's
SeverityNumber) rather than syslog's."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from oncall.tools.read_logs.aggregate import normalise_levels
from oncall.tools.read_logs.fields import FIELDS, column, flat_keys, spelt


def routine_levels(sample: list[dict[str, Any]]) -> list[str]:
    """The spellings of info and debug among the sampled lines' level fields, and the usual ones: the
    lines whose info is shaped from a sample. A spelling the sample missed is shaped on every line, which
    costs time, never a count."""
    # as written (`info` and `INFO`): the scan groups lines by their level's spelling and names it per mark
    seen = {"INFO", "DEBUG", "LOG", "NOTICE", "TRACE", *level_values(sample)}
    named = normalise_levels({s.upper() for s in seen})
    return sorted(s for s in seen if named[s.upper()] in ("INFO", "DEBUG"))


# Coralogix's log entries (its REST API's, and what a shipper posts there): the service's environment and
# component beside a severity numbered 1 (debug), 2 (verbose), 3 (info), 4 (warn), 5 (error), 6 (critical),
# which runs up with severity where syslog's runs down (its 3 is an error)
CORALOGIX_KEYS = ("applicationName", "subsystemName", "severity")


def coralogix_entries(sample: list[dict[str, Any]]) -> bool:
    """Whether the sampled lines are Coralogix entries (a file is written by one shipper): its keys, a
    severity of one digit from 1 to 6."""
    return any(all(k in obj for k in CORALOGIX_KEYS) and str(obj["severity"]) in "123456" for obj in sample)


# Docker's GELF and journald log drivers name each line's container and image (GELF's `_container_name`,
# `_image_name`, which a GELF server may store without the underscore; journald's `CONTAINER_NAME`, `IMAGE_NAME`)
# and file what a program writes to standard output at 6, to standard error at 3, whatever the line says
# (uvicorn, Monolog, NATS and PostgreSQL write info there)
DOCKER_KEYS = ("container_name", "image_name")
DOCKER_STREAMS = {"3", "6"}


def docker_streams(sample: list[dict[str, Any]]) -> bool:
    """Whether the sampled lines' level field is Docker's GELF or journald driver's stream (see DOCKER_KEYS):
    most lines name their container as those drivers do and their levels are only its two. A pipeline that set the
    level from the text would have written others."""
    docker = [obj for obj in sample if {*DOCKER_KEYS} <= {k.lower().removeprefix("_") for k in obj}]
    return len(docker) * 2 > len(sample) and bool(levels := level_values(docker)) and levels <= DOCKER_STREAMS


def level_values(sample: list[dict[str, Any]]) -> set[str]:
    """The values of the sampled lines' level fields (their keys in any case), as written."""
    return {v for levels in _line_levels(sample) for v in levels}


def _line_levels(sample: list[dict[str, Any]]) -> Iterator[list[str]]:
    """Each sampled line's level fields' values, in FIELDS' order (the first is the one read), as written."""
    # (where the level is, worked out once per set of keys: a file's lines share a few)
    where: dict[tuple[str, ...], list[tuple[str, str | None]]] = {}
    for obj in sample:
        keys = tuple(obj)
        if keys not in where:
            where[keys] = []
            for path in FIELDS["level"]:
                key, inner = column(path)
                flat = next((k for f in flat_keys(path) if (k := spelt(list(keys), f))), None)
                # in the file's own case
                if name := flat or spelt(list(keys), key):
                    where[keys].append((name, inner))
        levels = []
        for name, inner in where[keys]:
            value = obj.get(name)
            if inner is not None and isinstance(value, dict):
                value = value.get(inner.removeprefix("$."))
            if isinstance(value, str | int) and not isinstance(value, bool):
                levels.append(str(value))
        yield levels


# the properties a Windows event log record is exported with (Get-WinEvent's EventLogRecord; NXLog's and
# Winlogbeat's own names are other fields)
WINDOWS_RECORD = ("ProviderName", "Level", "Id")


def windows_events(sample: list[dict[str, Any]]) -> bool:
    """Whether most sampled lines are Windows event log records as Get-WinEvent exports them (WINDOWS_RECORD):
    their numbered Level is the event log's (aggregate.WINDOWS_SCALE), not syslog's."""
    records = sum(1 for obj in sample if all(spelt(list(obj), k) is not None for k in WINDOWS_RECORD))
    return bool(sample) and records * 2 > len(sample)


def upward_numbers(sample: list[dict[str, Any]]) -> bool:
    """Whether the level read for most sampled lines is a digit on a scale that runs up with severity, 3 its
    info (Coralogix's 1 debug to 6 critical, DataSet's 0 finest to 6 fatal), not syslog's, which runs down (its
    3 an error): most lines of any estate are routine, so the number most of them carry is the file's info.
    Not when the numbers are only 3 and 6: Docker's GELF driver's two streams (docker_streams)."""
    read = [levels[0] for levels in _line_levels(sample) if levels]
    if not read or len(read) * 2 < len(sample) or not all(len(v) == 1 and v in "0123456" for v in read):
        return False
    common, count = Counter(read).most_common(1)[0]
    return common == "3" and count * 2 > len(read) and set(read) != {"3", "6"}


def severity_numbers(sample: list[dict[str, Any]]) -> bool:
    """Whether the level read for most sampled lines is OpenTelemetry's SeverityNumber (aggregate.SEVERITY_SCALE:
    9 info, 13 warn, 17 error), as Logfire's level column writes it: numbers, most of them an info's (9 to 12),
    which syslog's scale (0 to 7) cannot write and pino's (30 its info) does not."""
    read = [levels[0] for levels in _line_levels(sample) if levels]
    if not read or not all(v.isdigit() for v in read):
        return False
    return sum(1 for v in read if 9 <= int(v) <= 12) * 2 > len(read)
