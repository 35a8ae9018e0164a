"""The one progress helper of the operator commands (rebuild, companies import): lines, tqdm, or nothing."""

from __future__ import annotations

import io

from algoarts_ops.progress import PlainProgress, progress_bar


def test_the_plain_progress_counter_writes_lines_not_carriage_returns() -> None:
    out = io.StringIO()
    bar = PlainProgress("rebuild search", 1200, every=3600, stream=out)
    bar.update(500)
    bar.update(700)
    bar.close()
    assert out.getvalue() == "rebuild search: 1200/1200\n"
    out = io.StringIO()
    bar = PlainProgress("drop cache keys", None, every=0, stream=out)
    bar.update(3)
    bar.close()
    assert out.getvalue() == "drop cache keys: 3\n"


def test_progress_is_tqdm_on_a_terminal_a_counter_otherwise_and_nothing_when_quiet() -> None:
    assert isinstance(progress_bar("x", 1, tty=False), PlainProgress)
    bar = progress_bar("x", 1, tty=True)
    assert type(bar).__name__ == "tqdm"
    bar.close()
    assert not isinstance(progress_bar("x", 1, quiet=True, tty=True), PlainProgress)
