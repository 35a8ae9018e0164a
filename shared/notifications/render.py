"""Rendering a notification from its jinja2 templates (templates/<kind>/<language>.*), once per language.

Per kind and language there are three files:
- `<lang>.txt`: the plain-text parts as blocks, each rendered on its own (subject, text, push_title,
  push_body, inbox_title, inbox_body); not escaped (plain text is not markup).
- `<lang>.html`: the HTML email body, extending the shared `layout.html` (action button, unsubscribe footer);
  autoescaped, so a company called `<script>` arrives as text.
- `<lang>.tg.html`: the Telegram message (parse_mode=HTML); autoescaped too, which is exactly the escaping
  Telegram asks for (&lt; &gt; &amp; and numeric entities such as &#34;), and it may use only Telegram's tags.

Undefined variables fail (StrictUndefined): a template that does not fit its event raises `RenderFailed`
before the dispatcher writes anything of that event, so the event is dead-lettered whole, never half-sent.

The dispatcher renders once per language and event, not per recipient (a fan-out to 10,000 users renders
twice): the recipient's name, address and unsubscribe URL go in as slots (`RECIPIENT_SLOTS`) and
`personalize` fills them per recipient, escaped where the part is HTML. A test that renders with real values
passes them straight in the context.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import escape

from shared.notifications.kinds import LANGUAGES, kinds
from shared.notifications.schedule import zone

TEMPLATES = Path(__file__).with_name("templates")
TEXT_BLOCKS = ("subject", "text", "push_title", "push_body", "inbox_title", "inbox_body")

# Stand-ins for per-recipient values: characters that neither HTML escaping nor the templates change.
NAME_SLOT = "\u27e6recipient.full_name\u27e7"
EMAIL_SLOT = "\u27e6recipient.email\u27e7"
UNSUBSCRIBE_SLOT = "\u27e6unsubscribe_url\u27e7"
RECIPIENT_SLOTS: Mapping[str, Any] = {
    "recipient": {"full_name": NAME_SLOT, "email": EMAIL_SLOT},
    "unsubscribe_url": UNSUBSCRIBE_SLOT,
}


class RenderFailed(Exception):
    """A kind's template could not be rendered for an event: the reason names the template and what failed."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"{kind}: {reason}")
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class Rendered:
    """Every channel's content of one notification in one language."""

    email_subject: str
    email_text: str
    email_html: str
    telegram_html: str
    push: dict[str, str] = field(hash=False)  # title, body, url
    inbox_title: str
    inbox_body: str
    link: str


@dataclass(frozen=True)
class RenderedDigest:
    """The daily digest email in one language."""

    subject: str
    text: str
    html: str


def render(kind: str, language: str, context: Mapping[str, Any]) -> Rendered:
    """Render `kind` in `language` ('ru' | 'en').

    `context` holds `payload` (the event payload as JSON), `companies` (company id -> name, every id the
    templates name), `public_app_url`, `recipient` (full_name, email) and `unsubscribe_url` (or the slots of
    `RECIPIENT_SLOTS`), and optionally `time_zone` (for dates) and `actor_company_id`. The link is the
    kind's (kinds.json) formatted over the payload and `public_app_url`."""
    try:
        spec = kinds()[kind]
    except KeyError:
        raise RenderFailed(kind, "not a notification kind (kinds.json)") from None
    if language not in LANGUAGES:
        raise RenderFailed(kind, f"no language {language!r} (one of {', '.join(LANGUAGES)})")
    try:
        link = spec.link.format_map({**context["payload"], "public_app_url": context["public_app_url"]})
        variables = {"actor_company_id": None, "time_zone": None, **context, "language": language, "link": link}
        blocks = _blocks(f"{spec.template}/{language}.txt", variables)
        html = _environment().get_template(f"{spec.template}/{language}.html").render(variables)
        telegram = _environment().get_template(f"{spec.template}/{language}.tg.html").render(variables)
    except (jinja2.TemplateError, KeyError, IndexError, AttributeError, TypeError, ValueError) as exc:
        raise RenderFailed(kind, f"{spec.template}/{language}: {type(exc).__name__}: {exc}") from exc
    return Rendered(
        email_subject=_one_line(blocks["subject"]),
        email_text=blocks["text"].strip() + "\n",
        email_html=html.strip() + "\n",
        telegram_html=telegram.strip(),
        push={"title": _one_line(blocks["push_title"]), "body": _one_line(blocks["push_body"]), "url": link},
        inbox_title=_one_line(blocks["inbox_title"]),
        inbox_body=_one_line(blocks["inbox_body"]),
        link=link,
    )


def render_digest(language: str, context: Mapping[str, Any]) -> RenderedDigest:
    """The daily digest: `context` has `items` (title, body, link), `date_label`, `link` (the inbox),
    `recipient`, `unsubscribe_url`, and optionally `time_zone`."""
    if language not in LANGUAGES:
        raise RenderFailed("digest", f"no language {language!r}")
    variables = {"time_zone": None, **context, "language": language}
    try:
        blocks = _blocks(f"digest/{language}.txt", variables, ("subject", "text"))
        html = _environment().get_template(f"digest/{language}.html").render(variables)
    except (jinja2.TemplateError, KeyError, AttributeError, TypeError, ValueError) as exc:
        raise RenderFailed("digest", f"digest/{language}: {type(exc).__name__}: {exc}") from exc
    return RenderedDigest(_one_line(blocks["subject"]), blocks["text"].strip() + "\n", html.strip() + "\n")


def personalize(rendered: Rendered, *, full_name: str, email: str, unsubscribe_url: str) -> Rendered:
    """`rendered` (made with `RECIPIENT_SLOTS`) for one recipient: plain parts get the raw values, HTML parts
    the escaped ones."""
    plain = {NAME_SLOT: full_name, EMAIL_SLOT: email, UNSUBSCRIBE_SLOT: unsubscribe_url}
    html = {slot: str(escape(value)) for slot, value in plain.items()}
    return replace(
        rendered,
        email_subject=_fill(rendered.email_subject, plain),
        email_text=_fill(rendered.email_text, plain),
        email_html=_fill(rendered.email_html, html),
        telegram_html=_fill(rendered.telegram_html, html),
    )


def _fill(text: str, values: Mapping[str, str]) -> str:
    for slot, value in values.items():
        text = text.replace(slot, value)
    return text


def _blocks(name: str, variables: Mapping[str, Any], names: tuple[str, ...] = TEXT_BLOCKS) -> dict[str, str]:
    template = _environment().get_template(name)
    context = template.new_context(dict(variables))
    missing = [block for block in names if block not in template.blocks]
    if missing:
        raise ValueError(f"{name} lacks the block(s) {', '.join(missing)}")
    return {block: "".join(template.blocks[block](context)) for block in names}


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@jinja2.pass_context
def _when(context: jinja2.runtime.Context, value: str | datetime) -> str:
    """A moment in the recipient's time zone, as people of the language write it (`03.12.2026 18:00 MSK`)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    local = moment.astimezone(_zone(context.get("time_zone")))
    if context.get("language") == "ru":
        return f"{local:%d.%m.%Y %H:%M} {local.tzname()}"
    return f"{local:%d %b %Y, %H:%M} {local.tzname()}"


def _zone(name: object) -> ZoneInfo:
    return zone(name if isinstance(name, str) else None)


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    filters: dict[str, Callable[..., Any]] = {"when": _when}
    environment.filters.update(filters)
    return environment


def template_names() -> Iterator[str]:
    """Every template file a kind or the digest needs (for the consistency test)."""
    for spec in kinds().values():
        for language in LANGUAGES:
            for suffix in ("txt", "html", "tg.html"):
                yield f"{spec.template}/{language}.{suffix}"
    for language in LANGUAGES:
        yield f"digest/{language}.txt"
        yield f"digest/{language}.html"
