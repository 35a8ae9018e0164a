"""What a rebuild did, whichever read model: counts, where the rebuilt model lives, and how it reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from shared.companies.aggregate import CompanyState
from shared.rebuild import View


@dataclass
class RebuildReport:
    read_model: str
    target: str  # where the rebuilt model lives, e.g. "opensearch alias companies -> companies_v2"
    aggregates: int = 0  # folded from the event store
    live: int = 0
    deleted: int = 0
    written: int = 0  # rows, documents or cache entries written
    repaired: int = 0  # rows or documents that differed from the rebuilt ones (missing ones included)
    missing: int = 0  # of those, the ones that were not there at all
    extra: int = 0  # rows or documents of aggregates the event store does not know (gone now)
    conflicts: int = 0  # companies rows that had to give up a slug, INN or OGRN to their owner
    orphans: int = 0  # companies rows without events: not event-sourced, left alone
    caught_up: int = 0  # aggregates folded again because events were appended during the rebuild
    dropped: int = 0  # cache keys deleted
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.aggregates / self.seconds if self.seconds > 0 else 0.0


def count_folded(report: RebuildReport, folded: Iterable[View | CompanyState]) -> None:
    """Count `folded` into `report`: aggregates, live and deleted."""
    for item in folded:
        report.aggregates += 1
        if item.deleted:
            report.deleted += 1
        else:
            report.live += 1


def format_report(report: RebuildReport) -> list[str]:
    lines = [f"rebuilt {report.read_model} ({report.target}) in {report.seconds:.2f} s"]
    if report.read_model == "cache":
        lines.append(f"  dropped {report.dropped} keys")
        if report.aggregates:
            lines.append(
                f"  warmed {report.written} entries from {report.aggregates} aggregates "
                f"({report.live} live, {report.deleted} deleted)"
            )
        return lines + [f"  {note}" for note in report.notes]
    lines.append(
        f"  {report.aggregates} aggregates ({report.live} live, {report.deleted} deleted), "
        f"{report.written} written, {report.per_second:.0f}/s"
    )
    fixes = [
        f"{report.repaired} differed" if report.repaired else "",
        f"{report.missing} were missing" if report.missing else "",
        f"{report.extra} unknown removed" if report.extra else "",
        f"{report.conflicts} unique values taken back" if report.conflicts else "",
        f"{report.caught_up} caught up" if report.caught_up else "",
    ]
    if any(fixes):
        lines.append("  " + ", ".join(f for f in fixes if f))
    return lines + [f"  {note}" for note in report.notes]
