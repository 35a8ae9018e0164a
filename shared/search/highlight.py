"""Highlighted snippets: adapters mark matched words with two private-use characters, this turns them into HTML.

OpenSearch's highlighter and Postgres's ``ts_headline`` wrap each matched word in `MARK_START`/`MARK_END`
(U+E000, U+E001: characters no company text uses); `render_highlight` HTML-escapes the whole snippet and
only then replaces the marks by ``<mark>``/``</mark>``. So the answer's only markup is those tags: a
company whose description says ``<script>`` is shown as text, whichever backend made the snippet.
Postgres's text parser reads ``<script>`` as an HTML tag, which ``ts_headline`` leaves out, so its adapter
hands it the text with `LESS_THAN`/`GREATER_THAN` (U+E002, U+E003) in place of ``<`` and ``>``, and
they are turned back before escaping.
"""

from __future__ import annotations

import html

MARK_START, MARK_END = "\ue000", "\ue001"
LESS_THAN, GREATER_THAN = "\ue002", "\ue003"


def render_highlight(marked: str | None) -> str | None:
    """Escape a snippet for HTML and turn the marks into ``<mark>`` tags (unbalanced marks are dropped)."""
    if marked is None:
        return None
    plain = marked.replace(LESS_THAN, "<").replace(GREATER_THAN, ">")
    text = html.escape(" ".join(plain.split()), quote=True)
    if text.count(MARK_START) != text.count(MARK_END):
        text = text.replace(MARK_START, "").replace(MARK_END, "")
    text = text.replace(MARK_END + " " + MARK_START, " ")  # adjacent marked words make one <mark>
    return text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>") or None
