"""Secret redaction: the one implementation every output and every model input goes through
(tool results, alerts, the brief in every format, Slack, PR titles, bodies, commits and files,
the audit log, --show-context and --record). It also drops terminal control sequences, so that
nothing read (a coloured log line, an escape planted in an alert) acts on a terminal or a chat.

The rule set is detect-secrets' (its plugins' regular expressions, loaded as data, and its
keyword detector), with a few forms it does not cover (credentials inside URLs, Authorization
headers, password-like keys with any value, bare AWS secret keys) and an entropy check for
`key=value` contexts. Text is processed line by line and every line stays a line, so citations
such as R3:L12 still point where they did: a private key is masked line for line, and one with
no END line ends where its base64 body ends, not at the end of the text."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

MASK = "[REDACTED]"

Rule = tuple[re.Pattern[str], int | None]  # the pattern, and the group holding the secret (None: whole match)

# Forms detect-secrets does not cover, or covers only in source-code syntax.
_OWN: list[Rule] = [
    (re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:([^\s@/]+)@"), 1),  # scheme://user:password@host
    (
        re.compile(
            r"(?i)\b(?:proxy-)?authorization\s*[:=]\s*(?:bearer|basic|token|apikey)?\s*([A-Za-z0-9._~+/=-]{6,})"
        ),
        1,
    ),
    (re.compile(r"(?i)\bbearer\s+([A-Za-z0-9._~+/=-]{12,})"), 1),
    (re.compile(r"""(?i)\b[\w.-]*(?:password|passwd|pwd)["']?\s*[:=]\s*["']?(?!\[REDACTED\])([^\s"',;&}]{3,})"""), 1),
    (re.compile(r"\bxox[abposrce]-[A-Za-z0-9-]{10,}"), None),  # Slack, any length detect-secrets misses
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{30,}"), None),
    (re.compile(r"\bsk-(?:ant-)?[A-Za-z0-9_-]{20,}"), None),
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), None),
    (re.compile(r"\b[rs]k_(?:live|test)_[0-9a-zA-Z]{16,}"), None),  # Stripe, also the 99-character keys
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), None),  # JWT
    (
        re.compile(
            r"(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*\d)"
            r"[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
        ),
        None,
    ),  # a bare AWS secret access key
]
# key=value / key: value / "key": "value", for the entropy check
_KV = re.compile(r"""(?i)["']?([\w.-]{2,64})["']?\s*[:=]\s*["']?([A-Za-z0-9+/_=.~-]{20,})["']?""")
# keys whose long values are identifiers an engineer needs, not secrets
_ID_KEYS = re.compile(
    r"(?i)(trace|span|request|correlation|commit|sha|digest|etag|hash|checksum|revision|uuid|_id$|^id$)"
)
_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
_END = re.compile(r"-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
# base64 lines, PEM headers such as "Proc-Type: 4,ENCRYPTED", blank lines; prose (words and spaces) is not
_KEY_BODY = re.compile(r"^\s*([A-Za-z0-9+/=]+|[A-Za-z-]+: [^\s].*)?\s*$")
_INLINE_KEY = re.compile(  # a whole key on one line, as in JSON ("...KEY-----\nMIIE...")
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----(?:\\[nr]|[A-Za-z0-9+/=\s:,-])*?"
    r"(?:-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|(?=[\"'`}\]]|$))"
)
_PASSWORD_KEY = re.compile(r"(?i)pass|pwd")


@cache
def _rules() -> tuple[list[Rule], Any, Any]:
    """detect-secrets' regex plugins as data, and its keyword detector (imported once, on first use)."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.keyword import CONFIG_DENYLIST_REGEX_TO_GROUP, KeywordDetector

    skip = {"IPPublicDetector", "PrivateKeyDetector"}  # public IPs are evidence; keys are handled line by line
    rules: list[Rule] = []
    plugins: list[type[Any]] = list(get_mapping_from_secret_type_to_class().values())
    for plugin in plugins:
        if issubclass(plugin, RegexBasedDetector) and plugin.__name__ not in skip:
            # the whole match (some groups hold only a prefix, such as ghp_), but the password of basic auth
            group = 1 if plugin.__name__ == "BasicAuthDetector" else None
            for rx in plugin.denylist:  # type: ignore[attr-defined]  # a class attribute, typed as a property
                rules.append((rx, group))
    return rules, KeywordDetector(), CONFIG_DENYLIST_REGEX_TO_GROUP


def load_rules() -> None:
    """Load the rule set now (a server does at start: a burst's first requests must not wait on it)."""
    _rules()


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _generated(value: str) -> bool:
    """A value that looks made by a machine: hex of key length, or a long run mixing letters and
    digits, and unpredictable. Names made of words (http_latency_p99_seconds, ghcr.io/acme/api)
    are identifiers an engineer needs, not secrets."""
    if re.fullmatch(r"[0-9a-fA-F]{32,}", value):
        return _entropy(value) >= 3.0
    if _pathlike(value):
        return False
    runs = re.findall(r"[A-Za-z0-9+/=]{16,}", value)
    mixed = [r for r in runs if re.search(r"[A-Za-z]", r) and len(re.findall(r"\d", r)) >= 2]
    return bool(mixed) and _entropy(value) >= 3.3


def _pathlike(value: str) -> bool:
    """A URL or path whose every segment is a word or a number (/wiki/spaces/OPS/pages/4002)."""
    parts = [s for s in re.split(r"[/:]+", value) if s]
    return len(parts) > 1 and all(re.fullmatch(r"[A-Za-z._~-]+|\d+", s) for s in parts)


def _mask_spans(line: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(set(spans), reverse=True):
        line = line[:start] + MASK + line[end:]
    return line


def _line(line: str) -> str:
    # labels and templates repeat (a burst of one alert name, the same log shape): a short line is
    # redacted once; the result depends on the line alone
    return _short_line(line) if len(line) <= 256 else _scan_line(line)


@lru_cache(maxsize=8192)
def _short_line(line: str) -> str:
    return _scan_line(line)


def _scan_line(line: str) -> str:
    if not line or line == MASK:
        return line
    line = _INLINE_KEY.sub(MASK, line)
    rules, keyword, config_forms = _rules()
    spans: list[tuple[int, int]] = []
    for rx, group in [*_OWN, *rules]:
        for m in rx.finditer(line):
            g = group if group is not None and m.group(group) is not None else 0
            if MASK not in m.group(g):
                spans.append(m.span(g))
    line = _mask_spans(line, _merge(spans)) if spans else line
    for value in {*keyword.analyze_string(line), *keyword.analyze_string(line, config_forms)}:
        if value and MASK not in value and (_generated(value) or _PASSWORD_KEY.search(line)) and len(value) >= 3:
            line = line.replace(value, MASK)
    kv: list[tuple[int, int]] = []
    for m in _KV.finditer(line):
        key, value = m.group(1), m.group(2)
        hexlike = re.fullmatch(r"[0-9a-fA-F]+", value)
        long_enough = len(value) >= (40 if hexlike else 24)
        if long_enough and not _ID_KEYS.search(key) and _generated(value):
            kv.append(m.span(2))
    return _mask_spans(line, kv) if kv else line


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping matches (two rules on one token) become one span."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


# A terminal's control sequences (colours, cursor moves, a window title) and the other control characters
# but tab, newline and a newline's carriage return: what a log line or a reply carries is shown as text,
# never acted on by the terminal, chat or file it is written to
# A control sequence (ECMA-48's CSI: colours, cursor moves), in syntax Python's re and RE2 (DuckDB) share
CSI = r"\x1b\[[0-?]*[ -/]*[@-~]"
_CONTROL = re.compile(
    CSI + r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?"  # and OSC (a window title), other escapes
    r"|\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)


def plain(text: str) -> str:
    """Text without terminal control sequences or other control characters (its lines kept)."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def redact(text: str) -> str:
    """Return text with credentials replaced by [REDACTED] and control sequences dropped (plain), with as many
    lines as it had."""
    if not text:
        return text
    text = plain(text)
    out: list[str] = []
    in_key = False
    for line in text.split("\n"):
        if in_key:
            ends = _END.search(line)
            if ends or _KEY_BODY.match(line):
                out.append(MASK + line[ends.end() :] if ends else MASK)
                in_key = not ends
                continue
            in_key = False  # the body ended without an END line: the rest is ordinary text
        begin = _BEGIN.search(line)
        if begin:
            rest = line[begin.end() :]
            if _END.search(rest) or "\\n" in rest:
                out.append(_line(line))  # the whole key is on this line
                continue
            out.append(_line(line[: begin.start()]) + MASK)
            in_key = True
            continue
        out.append(_line(line))
    return "\n".join(out)


def redact_data(value: Any) -> Any:
    """Every string inside a JSON-like value redacted, keys included; the structure is kept, so
    what is serialised after is valid JSON whatever the secrets looked like."""
    walk: Callable[[Any], Any] = redact_data
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(k) if isinstance(k, str) else k: walk(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [walk(v) for v in value]
    return value


def contains_secret(text: str) -> bool:
    return redact(text) != plain(text)
