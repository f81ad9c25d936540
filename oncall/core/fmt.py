"""One number and time format for every summary and claim, so claims can quote numbers exactly."""

from __future__ import annotations

from datetime import datetime


def fmt_num(x: float) -> str:
    """One number format for every summary, so claims can quote numbers exactly."""
    if x == 0:
        return "0"
    ax = abs(x)
    if ax >= 10:
        return str(round(x)) if ax >= 100 else f"{x:.1f}".rstrip("0").rstrip(".")
    if ax >= 1:
        s = f"{x:.2f}"
    elif ax >= 0.01:
        s = f"{x:.3f}"
    else:
        s = f"{x:.2g}"
        if "e" in s:
            s = f"{x:.6f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def fmt_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def fmt_hm(t: datetime) -> str:
    return t.strftime("%H:%M")
