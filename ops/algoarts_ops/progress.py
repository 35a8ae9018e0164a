"""Progress of the long operator loops (a rebuild's batches, an import's rows), on stderr.

One helper for every command: tqdm on a terminal (it is in the `local` extras; without it, the plain
counter), a plain counter line otherwise, so that logs and pipes get whole lines rather than carriage
returns, and nothing at all with `quiet`. The loops take a `ProgressFactory`, so a library call or a
test stays silent unless it asks for progress.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol, cast


class Progress(Protocol):
    def update(self, n: int = 1) -> object: ...

    def close(self) -> None: ...


class Silent:
    """No output: `quiet`, and the default of the library functions."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class PlainProgress:
    """A counter line on stderr at most once per `every` seconds (and at the end): for logs and pipes."""

    def __init__(self, desc: str, total: int | None, *, every: float = 1.0, stream: Any = None) -> None:
        self.desc, self.total, self.every, self.done = desc, total, every, 0
        self._stream = stream if stream is not None else sys.stderr
        self._shown = time.monotonic()
        self._last_line = -1

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._shown >= self.every:
            self._shown = now
            self._line()

    def close(self) -> None:
        if self._last_line != self.done:
            self._line()

    def _line(self) -> None:
        self._last_line = self.done
        of = f"/{self.total}" if self.total is not None else ""
        self._stream.write(f"{self.desc}: {self.done}{of}\n")
        self._stream.flush()


def progress_bar(
    desc: str, total: int | None, *, unit: str = "it", quiet: bool = False, tty: bool | None = None
) -> Progress:
    """tqdm on a terminal, a plain counter otherwise, nothing with `quiet`; `tty` None: stderr's."""
    if quiet:
        return Silent()
    if tty is None:
        tty = sys.stderr.isatty()
    if tty:
        try:
            tqdm = importlib.import_module("tqdm").tqdm  # in the local extras
        except ImportError:
            pass
        else:
            return cast(Progress, tqdm(total=total, desc=desc, unit=unit, file=sys.stderr))
    return PlainProgress(desc, total)


ProgressFactory = Callable[[str, int | None], Progress]


def no_progress(desc: str, total: int | None) -> Progress:
    """The default `ProgressFactory` of the library functions."""
    return Silent()
