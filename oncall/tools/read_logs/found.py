"""The fields of a file found from a sample of its lines (Found): what the sniffing modules say of a shipper
this reader does not know, gathered once per file for its read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oncall.tools.read_logs import otlp
from oncall.tools.read_logs.aggregate import guessed, streams_only
from oncall.tools.read_logs.clef import templated
from oncall.tools.read_logs.envelopes import json_text, unwrapped
from oncall.tools.read_logs.fields import column, keys_of
from oncall.tools.read_logs.hosts import (
    database_servers,
    file_owner,
    mostly_unowned,
    named_hosts,
    owners_in,
    pod_tags,
    stack_of,
    swarm_stack,
)
from oncall.tools.read_logs.levels import (
    coralogix_entries,
    docker_streams,
    level_values,
    severity_numbers,
    upward_numbers,
    windows_events,
)
from oncall.tools.read_logs.owners import Owner
from oncall.tools.read_logs.paired import Pair, as_maps, pairs
from oncall.tools.read_logs.texts import (
    blank_text,
    coded_records,
    decoded_texts,
    eventlog_headers,
    json_lines,
    runtime_lines,
    syslog_frames,
    text_field,
    time_led,
    traditional_frames,
    with_records,
)
from oncall.tools.read_logs.times import time_field, zoned_time


@dataclass(frozen=True)
class Found:
    """Fields of a shipper this reader does not know, found from a sample of a file's lines: the one that
    names each line's host, the one that holds its text, the one that holds its time (None: not needed,
    or not found)."""

    host: str | None = None
    text: str | None = None
    time: str | None = None
    # the level field names output streams, not levels (aggregate.streams_only, docker_streams)
    streams: bool = False
    coloured: bool = False  # lines keep a terminal's colour codes (ANSI escapes): dropped before reading
    # the level field's numbers run up with severity, 3 info (coralogix_entries, upward_numbers), not syslog's
    ascending: bool = False
    envelope: str | None = None  # the key each line's event is under (envelopes.envelope), None: the line is it
    inner: str | None = None  # the field whose text is a JSON object of the line's fields (json_text)
    inner_keys: tuple[str, ...] = ()  # the keys the sampled lines' objects in `inner` use
    stack: str | None = None  # the host field's values name containers under this stack (stacked)
    pairs: tuple[Pair, ...] = ()  # maps written as a keys' list and a values' list (paired.pairs)
    tags: str | None = None  # the list of `key:value` strings that names the line's pod (pod_tags)
    runtime: bool = False  # the texts are a container runtime's lines, the program's after a prefix (runtime_lines)
    blank: bool = False  # a message field is written empty beside another, so empty ones are skipped (blank_text)
    led: bool = False  # no field holds a line's time: its text begins with it (time_led)
    guessed: bool = False  # the level field is a collector's guess from the words (aggregate.guessed)
    owners: tuple[Owner, ...] = ()  # no field names a line's service: the fields whose values do (owners_in)
    windows: bool = False  # Windows event log records: a numbered level is on its scale (windows_events)
    headed: bool = False  # texts begin with ASP.NET Core's event log header (eventlog_headers)
    severity: bool = False  # the level field is OpenTelemetry's SeverityNumber (severity_numbers)
    framed: tuple[str, ...] = ()  # texts are syslog frames: the services a frame's names may be (syslog_frames)
    objects: bool = False  # some texts are a program's JSON lines kept whole (json_lines)
    zoned: str | None = None  # the time field read first, the one FIELDS lists first being a wall clock (zoned_time)
    swarm: str | None = None  # the pod field names Swarm tasks' containers of services under this stack (swarm_stack)
    # the frames are traditional syslog lines (traditional_frames): the line's own time and instance come first
    traditional: bool = False
    encoded: bool = False  # the texts are base64 of text, read decoded (decoded_texts)
    listed: bool = False  # the envelope's values are each in a list (listed): read out of it
    batch: bool = False  # the envelope holds a list of events a line (batched), each read under the line's fields
    templated: bool = False  # Serilog's compact JSON with templates only: each read rendered (clef.templated)
    paged: bool = False  # the envelope is a body of Loki's streams (streams.paged), each entry a line
    coded: str | None = None  # the field holding each line's event in base64 (texts.coded_records): read decoded

    @classmethod
    def in_sample(
        cls,
        sample: list[dict[str, Any]],
        known: list[str],
        envelope: str | None = None,
        listed: bool = False,
        batch: bool = False,
        paged: bool = False,
    ) -> Found:
        """From the sampled events (already taken out of their `envelope`, if any, and out of the lists it keeps
        their values in when `listed`, which the read then does too; with the fields of an object written as text
        in one of theirs, if any)."""
        found_pairs = tuple(pairs(sample))
        sample = as_maps(sample, list(found_pairs)) if found_pairs else sample
        # (an event a message bus delivered in base64: read decoded, as the record it is)
        coded = coded_records(sample)
        sample = with_records(sample, coded) if coded is not None else sample
        inner = json_text(sample)
        inner_keys: tuple[str, ...] = ()
        if inner is not None:
            merged = unwrapped(sample, inner)
            own = keys_of(sample)
            inner_keys = tuple(dict.fromkeys(k for obj in merged for k in obj if k not in own))
            sample = merged
        unowned = mostly_unowned(sample, known)
        host, time = named_hosts(sample, known) if unowned else None, time_field(sample)
        levels = {v.upper() for v in level_values(sample)}
        streams = streams_only(levels) or docker_streams(sample)
        ascending = coralogix_entries(sample) or upward_numbers(sample)
        stack = stack_of(sample, host, known) if host is not None else None
        text = text_field(sample, (host, time))
        # (what the texts say is found in them decoded)
        decoded = decoded_texts(sample, text)
        encoded = decoded is not None
        sample = decoded if decoded is not None else sample
        coloured = any("\x1b" in v for r in sample for v in r.values() if isinstance(v, str))
        tags = pod_tags(sample)
        framed, traditional = syslog_frames(sample, known, text), traditional_frames(sample, text)
        return cls(
            host,
            text,
            time,
            streams,
            coloured,
            ascending,
            envelope,
            inner,
            inner_keys,
            stack,
            found_pairs,
            tags,
            runtime_lines(sample, text),
            blank_text(sample),
            time is None and time_led(sample, text),
            guessed(levels),
            owners_in(sample, known, (text, time))
            if unowned and host is None
            else (*database_servers(sample, host, known), *file_owner(sample, known)),
            windows_events(sample),
            eventlog_headers(sample),
            severity_numbers(sample),
            framed or (tuple(known) if traditional else ()),
            json_lines(sample, text),
            zoned_time(sample),
            swarm_stack(sample, known),
            not framed and traditional,
            encoded,
            listed,
            batch,
            templated(sample),
            paged,
            coded,
        )

    @property
    def many_a_line(self) -> bool:
        """Each line holds several events (OTLP/JSON's batches, Loki's streams, or a list under the envelope): each
        is cited by the line of its batch."""
        return self.envelope == otlp.BATCH_KEY or self.batch or self.paged

    def keys(self) -> list[str]:
        """The top-level keys these fields are read from (the host's may be nested in one, or in `inner`)."""
        host = column(self.host)[0] if self.host is not None else None
        lists: tuple[str, ...] = ()
        if host in self.inner_keys:
            host = self.inner
        elif host is not None and (pair := self.pair(host)) is not None:  # read from its two lists
            host, lists = None, (pair.keys, pair.values)
        owners = [self.inner if column(o.path)[0] in self.inner_keys else column(o.path)[0] for o in self.owners]
        # (every map written as two lists: a field this reader knows may be in one, not only the host)
        lists = (*lists, *(k for p in self.pairs for k in (p.keys, p.values)))
        keys = (host, *lists, self.text, self.time, self.inner, self.tags, *owners)
        return [k for k in dict.fromkeys(keys) if k is not None]

    def pair(self, name: str) -> Pair | None:
        """The map written as two lists that `name` stands for, if it is one."""
        return next((p for p in self.pairs if p.name == name), None)
