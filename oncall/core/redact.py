"""Secret redaction. Every text that leaves a tool passes through `redact`,
so no backend, summariser or renderer can forget it."""

from __future__ import annotations

import re

MASK = "[REDACTED]"

# Order matters: whole-token credentials first, then key=value forms.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.S), MASK),
    # scheme://user:password@host -> keep user and host, hide the password
    (
        re.compile(r"(?P<p>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:)[^\s@/]+(?P<s>@)"),
        r"\g<p>" + MASK + r"\g<s>",
    ),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), MASK),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), MASK),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"), MASK),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{30,}"), MASK),
    (re.compile(r"\bsk-(?:ant-)?[A-Za-z0-9_-]{20,}"), MASK),
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), MASK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), MASK),  # JWT
    (
        re.compile(
            r"(?i)(?P<p>\b(?:authorization|proxy-authorization)\s*[:=]\s*(?:bearer|basic|token)?\s*)"
            r"[A-Za-z0-9._~+/=-]{6,}"
        ),
        r"\g<p>" + MASK,
    ),
    (re.compile(r"(?i)(?P<p>\bbearer\s+)[A-Za-z0-9._~+/=-]{12,}"), r"\g<p>" + MASK),
    # password-like keys: any value is secret
    (
        re.compile(
            r"""(?ix)(?P<p>\b[\w.-]*(?:password|passwd|pwd)["']?\s*[:=]\s*["']?)(?!\[REDACTED\])"""
            r"""[^\s"',;&}]{3,}"""
        ),
        r"\g<p>" + MASK,
    ),
    # token/secret/key-like keys: only values that look generated (long, with a digit or symbol),
    # so prose such as "rejected token: signature ..." stays readable
    (
        re.compile(r"""(?ix)(?P<p>\b[\w.-]*(?:secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|
                    credentials?|auth)["']?\s*[:=]\s*["']?)(?!\[REDACTED\])
                    (?=[^\s"',;&}]*[0-9+/_=-])[^\s"',;&}]{12,}"""),
        r"\g<p>" + MASK,
    ),
]


def redact(text: str) -> str:
    """Return text with credentials replaced by [REDACTED]."""
    if not text:
        return text
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


def contains_secret(text: str) -> bool:
    return redact(text) != text
