"""What a file's texts are: a field holding each line's text when no field this reader knows does
(text_field), syslog frames, a container runtime's prefix, ASP.NET Core's event log header, a program's JSON
line kept whole, base64 of text, a time written in front of each line."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from oncall.tools.read_logs.envelopes import json_object
from oncall.tools.read_logs.fields import FIELDS, column, flat_keys, has_field, lowered, value_at

# A line's time written in front of its text by what captured it: `kubectl logs --timestamps`, `docker logs -t`
# and stern's --timestamps put the RFC 3339 time the runtime recorded first (group 1), as CRI's files do.
TIME_LEAD = r"^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:Z|[+-][0-9]{2}:[0-9]{2})) "
# A container runtime's own line around what a program wrote (CRI's log format, containerd's and CRI-O's
# files): its RFC 3339 time, the stream, F for a full line or P for part of one, then the program's line. A
# shipper that tails the files unparsed keeps it; the stream is where the line went, not how bad it is.
RUNTIME_PREFIX = TIME_LEAD + r"(?:stdout|stderr) [FP] "


# An RFC 5424 syslog frame kept whole as a line's text (a Logplex drain's receiver keeps each frame Heroku sends): the
# priority and version, the time the line was written, the host, the app and process names, the message id and
# the structured data (Logplex writes none), then what the program wrote. Groups: 1 the time, 3 the app, 4 the
# process.
FRAME = (
    r"^<[0-9]{1,3}>[0-9]{1,2} ([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(?:Z|[+-][0-9]{2}:[0-9]{2})) (\S+) (\S+) (\S+) \S+ "
    r"(?:(?:-|(?:\[[^\]]*\])+) )?"
)


# A traditional (RFC 3164) syslog line kept whole as a line's text, as rsyslog writes the file a shipper then tails
# (Elastic Beanstalk's web.stdout.log, a VM's /var/log/messages): the time without its year or zone, the host, the
# program and its process id, then what the program wrote. Groups as FRAME's: 1 the time, 3 the program, 4 the pid.
BSD_FRAME = (
    r"^((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +[0-9]{1,2} [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?) "
    r"(\S+) ([^\s\[\]:]+)(?:\[([0-9]+)\])?: "
)


def syslog_frames(sample: list[dict[str, Any]], known: list[str], text: str | None = None) -> tuple[str, ...]:
    """The catalog's services, when most sampled lines' texts are syslog frames (FRAME): each is read after its
    header, at the header's time, and as the service its process or app name is (an instance's number after a
    dot or dash left off: `postgres.29410`), where that is a catalogued one; a drain carries the lines of what
    runs beside an app (its database's) as the app's. Empty when they are not."""
    return tuple(known) if mostly_begin(sample, text, FRAME) else ()


def traditional_frames(sample: list[dict[str, Any]], text: str | None = None) -> bool:
    """Whether any sampled line's text is a traditional syslog line (BSD_FRAME): those lines are read after their
    header as syslog_frames' are, the others as they are (a shipper that tails a machine's files sends the
    journal's file beside ones each program writes itself)."""
    return share_begin(sample, text, BSD_FRAME) > 0


def text_path(obj: dict[str, Any], text: str | None) -> str | None:
    """The path of the message field a line's text is read from (the first it has, or `text`)."""
    low = lowered(obj)
    return next(
        (p for p in [*([text] if text else []), *FIELDS["message"]] if isinstance(value_at(obj, p, low), str)), None
    )


def share_begin(objs: list[dict[str, Any]], text: str | None, prefix: str) -> float:
    """The share of these lines' texts (the first message field each has, or `text`, a field found to hold them)
    that begin with `prefix`."""
    said = [value_at(obj, p) for obj in objs if (p := text_path(obj, text)) is not None]
    return sum(1 for t in said if re.match(prefix, t)) / len(said) if said else 0.0


# ASP.NET Core's event log provider (Microsoft.Extensions.Logging.EventLog) writes the logger's category, the event
# id and any scopes above a blank line, then the message: the message is what the line says, read after that
EVENTLOG_HEADER = r"^Category: [^\n]*\nEventId: [^\n]*\n(?:[^\n]*[^\r\n][^\n]*\n)*\r?\n"


def eventlog_headers(sample: list[dict[str, Any]]) -> bool:
    """Whether any sampled line's top-level text begins with ASP.NET Core's event log header (EVENTLOG_HEADER), as
    an event log export keeps its Message: each line that does is read after it (the provider's events beside other
    programs' in one server's log). Only top-level texts: a look through every message path of every sampled line
    costs each file's read more than the header is worth."""
    return any(
        isinstance(v, str) and v.startswith("Category: ") and re.match(EVENTLOG_HEADER, v) is not None
        for obj in sample
        for v in obj.values()
    )


def mostly_begin(objs: list[dict[str, Any]], text: str | None, prefix: str) -> bool:
    """Whether most of these lines' texts begin with `prefix` (share_begin)."""
    return share_begin(objs, text, prefix) > 0.5


# what a program's JSON line says, in the fields programs most often write it in (pino's, bunyan's, logrus',
# Serilog's compact JSON, structlog's; GitLab's Sidekiq its error_message, Rails its exception.message): a syslog
# frame's JSON body is read by these alone (embedded._unframed); a JSON line kept whole as a line's text is at the
# level these say (embedded._objects)
JSON_LINE = {
    "message": ("msg", "message", "@m", "@mt", "event"),
    "error": (
        "err.message",
        "error.message",
        "error",
        "err",
        "exception",
        "@x",
        '"exception.message"',
        "error_message",
    ),
    "level": ("level", "severity", "lvl", "levelname", "@l"),
}


def json_lines(sample: list[dict[str, Any]], text: str | None = None) -> bool:
    """Whether sampled lines' texts (the first message field each has, or `text`) include a program's JSON line
    kept whole, an object holding its own message or level (JSON_LINE): a shipper tailing a file (Vector's file
    source) sends logrus' or GitLab's lines as they were written, among its other programs' text lines. Each such
    line is at the level its JSON gives (embedded._objects), however far into the line its logger put it."""
    for obj in sample:
        said = value_at(obj, p) if (p := text_path(obj, text)) is not None else None
        inner = json_object(said) if said and said.startswith("{") else None
        if inner is not None and any(k in inner for k in (*JSON_LINE["message"], *JSON_LINE["level"])):
            return True
    return False


# protobuf's JSON writes a bytes field in base64 (RFC 4648's alphabet, padded): a line's text kept so is read decoded
_BASE64 = re.compile(r"[A-Za-z0-9+/]{8,}={0,2}")


def _decoded(value: Any) -> str | None:
    """The text `value` holds in base64, or None when it is not base64 of text (UTF-8 with no control
    characters but tab and line ends): a word such as `Done` is valid base64 of bytes that are not text."""
    if not isinstance(value, str) or not _BASE64.fullmatch(value):
        return None
    try:
        said = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return None if any(c < " " and c not in "\t\r\n" for c in said) else said


def coded_records(sample: list[dict[str, Any]]) -> str | None:
    """A top-level field that holds, on every sampled line that has it and on most lines, base64 of a JSON
    object that is an event (a time or a text of its own): a message bus delivering each event encoded (a Pub/Sub
    push's `data`, a Kinesis record's, an Event Hubs capture's body). The event is read decoded, as the line's
    record (envelopes.json_text); None when no field is so."""
    counts: dict[str, int] = {}
    for obj in sample:
        for key, value in obj.items():
            if isinstance(value, str) and len(value) >= 16 and _BASE64.fullmatch(value):
                said = _decoded(value)
                event = json_object(said) if said is not None and said.startswith("{") else None
                if event is None or not (has_field(event, "ts") or has_field(event, "message")):
                    counts[key] = -len(sample)  # (one line whose value is not such an event: the field is not)
                    continue
                counts[key] = counts.get(key, 0) + 1
    best = max(counts, key=lambda k: (counts[k], k), default=None)
    return best if best is not None and counts[best] * 2 >= len(sample) else None


def with_records(sample: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """The sampled lines with the event each holds in base64 under `key` decoded into its object."""
    out = []
    for obj in sample:
        said = _decoded(obj.get(key))
        event = json_object(said) if said is not None else None
        out.append({**obj, key: event} if event is not None else obj)
    return out


def decoded_texts(sample: list[dict[str, Any]], text: str | None = None) -> list[dict[str, Any]] | None:
    """The sampled lines with their texts decoded, when every sampled line's text is base64 of text: protobuf's
    JSON writes a bytes field so (Log Cache's envelope payload, a Pub/Sub message's data, a Kinesis record's), and
    such a text is read decoded (what is found in the texts is found in them decoded). None when any is not, or
    when no sampled line has a text (nothing says the file's texts are encoded)."""

    def put(obj: dict[str, Any], names: list[str], value: str) -> dict[str, Any]:
        inner = put(obj[names[0]], names[1:], value) if len(names) > 1 else value
        return {**obj, names[0]: inner}

    out, seen = [], False
    for obj in sample:
        if (path := text_path(obj, text)) is None:  # (a text through a list's entries is never one value)
            out.append(obj)
            continue
        if (said := _decoded(value_at(obj, path))) is None:
            return None
        key, inner = column(path)
        names = [next(k for k in obj if k.lower() == key.lower()), *(inner[2:].split(".") if inner else [])]
        out.append(put(obj, names, said))
        seen = True
    return out if seen else None


def runtime_lines(sample: list[dict[str, Any]], text: str | None = None) -> bool:
    """Whether most sampled lines' texts are a container runtime's lines (RUNTIME_PREFIX): each is read after
    that prefix."""
    return mostly_begin(sample, text, RUNTIME_PREFIX)


def time_led(sample: list[dict[str, Any]], text: str | None = None) -> bool:
    """Whether most sampled lines have no time field this reader knows, and most of those lines' texts begin
    with their time (TIME_LEAD): it is read from there, and the text after it. Asked only when no field was
    found to hold their time either (`Found.in_sample`). Lines with a time field keep theirs: a program's line
    that starts with its own time (Spring Boot's) is not a capture's."""
    untimed = [obj for obj in sample if not has_field(obj, "ts")]
    return len(untimed) * 2 > len(sample) and mostly_begin(untimed, text, TIME_LEAD)


# the message fields that are top-level keys, in FIELDS' order, in lower case (a table's columns are)
_TOP_MESSAGE_KEYS = tuple(dict.fromkeys(p.lower() for p in FIELDS["message"] if column(p)[1] is None and "." not in p))


def blank_text(sample: list[dict[str, Any]]) -> bool:
    """Whether a sampled line writes a message field empty beside another one: a table's export writes every
    column on every row (Application Insights' union of traces, which have a Message, exceptions, whose text is
    their OuterMessage, and requests, with neither), so the line's text may be in a later one, and an empty
    field says nothing of the line. (Any row shows it: the rare rows that hold their text elsewhere need not
    be among those sampled.)"""
    for obj in sample:
        low = {k.lower(): v for k, v in obj.items()}
        given = [low[k] for k in _TOP_MESSAGE_KEYS if k in low]
        if len(given) >= 2 and given[0] == "":
            return True
    return False


def text_field(sample: list[dict[str, Any]], taken: tuple[str | None, ...] = ()) -> str | None:
    """A top-level field of a shipper this reader does not know that holds each line's text as written:
    when most sampled lines have no message field it knows, the text field that is the longest of its
    line on at least half of them, and says something different on most of them (LogScale's `@rawstring`;
    not a label repeating a few values). A field read
    for another part of the line (its time, service, pod, level, or one `taken` for its host or time)
    is never its text. None when the lines carry their text in a field this reader knows, or no other
    field is the longest on most lines."""
    if not sample or sum(1 for obj in sample if has_field(obj, "message")) * 2 >= len(sample):
        return None
    other = {k.lower() for k in taken if k} | {
        name.lower()
        for group, paths in FIELDS.items()
        if group not in ("message", "error")
        for p in paths
        for name in (column(p)[0], *flat_keys(p))
    }
    longest: dict[str, int] = {}
    values: dict[str, set[str]] = {}
    for obj in sample:
        texts = [(len(v), k) for k, v in obj.items() if isinstance(v, str) and k.lower() not in other]
        if texts:
            key = max(texts)[1]
            longest[key] = longest.get(key, 0) + 1
            values.setdefault(key, set()).add(obj[key])
    best = max(longest, key=lambda k: (longest[k], k), default=None)
    # a line's text varies from line to line; a field holding a handful of values over many lines is a
    # label (Cloud Logging's logName on request entries, which have no text), not the text
    if best is None or longest[best] * 2 < len(sample) or len(values[best]) < max(2, longest[best] / 10):
        return None
    return best
