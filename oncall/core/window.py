"""The incident's time frame, shared by every tool and the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Window:
    """The incident's time frame. Tools default to it; the model may ask for others."""

    alert_at: datetime
    start: datetime  # start of the incident window
    end: datetime  # end of the incident window (usually "now")
    baseline_start: datetime  # normal behaviour is measured from here to `start`
    changes_since: datetime  # how far back to look for deploys and config changes

    @classmethod
    def around(
        cls,
        alert_at: datetime,
        *,
        before: timedelta = timedelta(minutes=30),
        after: timedelta = timedelta(minutes=15),
        baseline: timedelta = timedelta(hours=6),
        changes: timedelta = timedelta(hours=24),
    ) -> Window:
        start = alert_at - before
        return cls(
            alert_at=alert_at,
            start=start,
            end=alert_at + after,
            baseline_start=start - baseline,
            changes_since=alert_at - changes,
        )

    def asked(self, start: datetime | None, end: datetime | None) -> tuple[datetime, datetime, datetime]:
        """(start, end, baseline start) of a tool call that may name its own window: the incident's
        where it does not; the baseline reaches back at least as far as the incident's."""
        start, end = start or self.start, end or self.end
        return start, end, min(self.baseline_start, start)
