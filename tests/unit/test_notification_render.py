"""Rendering every kind in Russian and English from payloads the real payload models produce: HTML escaping,
Telegram's tag set, the per-recipient slots, and a template that does not fit failing as RenderFailed."""

from __future__ import annotations

import base64
import copy
import json
import re
import uuid
from datetime import UTC, datetime
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
import pytest

from shared.companies.events import CompanyVerificationFailed, CompanyVerified
from shared.discovery.events import FollowUpDrafted, OutreachReviewRequested
from shared.notifications import render as render_module
from shared.notifications.kinds import LANGUAGES, kinds
from shared.notifications.render import (
    RECIPIENT_SLOTS,
    RenderFailed,
    personalize,
    render,
    render_digest,
)
from shared.partnerships.events import PartnershipStatusChanged
from support import ROOT

ME, PARTNER = str(uuid.uuid4()), str(uuid.uuid4())
EVIL = "Ромашка <script>alert('x')</script> & Co"
APP = "https://app.example.ru"
# Telegram's parse_mode=HTML tags (Bot API "HTML style"); nothing else may appear.
TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji",
                 "code", "pre", "blockquote"}  # fmt: skip


def _company(company_id: str, name: str) -> dict[str, Any]:
    raw = json.loads((ROOT / "events/kafka/company_created.json").read_text("utf-8"))
    record = next(iter(raw["records"].values()))[0]
    company = json.loads(base64.b64decode(record["value"]))["payload"]["company"]
    return {**company, "id": company_id, "name": name, "is_verified": True, "ogrn": "1027700229193"}


def _partnership() -> dict[str, Any]:
    raw = json.loads((ROOT / "events/kafka/partnership_status_changed.json").read_text("utf-8"))
    record = next(iter(raw["records"].values()))[0]
    payload = json.loads(base64.b64decode(record["value"]))["payload"]
    payload["partnership"].update(company_a_id=ME, company_b_id=PARTNER)
    return dict(payload)


def payloads() -> dict[str, dict[str, Any]]:
    """A copy of the payloads (a test may spoil its copy)."""
    return copy.deepcopy(_payloads())


@cache
def _payloads() -> dict[str, dict[str, Any]]:
    """A payload per kind, as the producers write it (validated by the registered models)."""
    deadline = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    legal = {"legal_name": 'ООО "РОМАШКА"', "legal_address": "Москва", "ogrn": "1027700229193", "kpp": "770401001",
             "legal_status": "active"}  # fmt: skip
    models = {
        "outreach_review_requested": OutreachReviewRequested.model_validate(
            {
                "kind": "outreach_review_requested",
                "discovery_id": str(uuid.uuid4()),
                "company_id": ME,
                "partner_company_id": PARTNER,
                "user_ids": [str(uuid.uuid4())],
                "subject": "Интеграция <b>&</b>",
                "review_deadline": deadline,
                "links": {"review": "/v1/outreach/x"},
            }
        ),
        "follow_up_drafted": FollowUpDrafted.model_validate(
            {
                "kind": "follow_up_drafted",
                "draft_id": str(uuid.uuid4()),
                "partnership_id": str(uuid.uuid4()),
                "company_id": ME,
                "partner_company_id": PARTNER,
                "days_stalled": 9,
                "user_ids": [],
                "subject": "Напоминание",
            }
        ),
        "partnership_status_changed": PartnershipStatusChanged.model_validate(_partnership()),
        "company_verified": CompanyVerified.model_validate(
            {"legal": legal, "source": "dadata", "company": _company(ME, EVIL)}
        ),
        "company_verification_failed": CompanyVerificationFailed.model_validate(
            {"reason": "В ЕГРЮЛ нет организации с ИНН 7736207544", "company": _company(ME, EVIL)}
        ),
    }
    out = {kind: model.model_dump(mode="json", by_alias=True) for kind, model in models.items()}
    out["discovery_no_match"] = {"kind": "discovery_no_match", "discovery_id": str(uuid.uuid4()), "company_id": ME,
                                 "user_ids": []}  # fmt: skip
    return out


def _context(kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "payload": payloads()[kind],
        "companies": {ME: EVIL, PARTNER: "Партнёр"},
        "public_app_url": APP,
        "recipient": {"full_name": "Иван <Иванов>", "email": "ivan@example.ru"},
        "unsubscribe_url": f"{APP}/v1/notifications/unsubscribe?token=abc.def&x=1",
        **extra,
    }


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(kinds()))
def test_every_kind_renders_every_part(kind: str, language: str) -> None:
    rendered = render(kind, language, _context(kind, actor_company_id=PARTNER))
    assert rendered.link.startswith(f"{APP}/") and "{" not in rendered.link
    for part in (rendered.email_subject, rendered.inbox_title, rendered.inbox_body, rendered.push["title"],
                 rendered.push["body"]):  # fmt: skip
        assert part and "\n" not in part
    assert rendered.push["url"] == rendered.link
    assert rendered.link in rendered.email_text and rendered.link in rendered.email_html
    assert "Иван <Иванов>" in rendered.email_text  # plain text is not escaped
    assert "Иван &lt;Иванов&gt;" in rendered.email_html
    assert "token=abc.def&amp;x=1" in rendered.email_html  # the unsubscribe link in the footer
    assert f'href="{rendered.link}"' in rendered.telegram_html
    cyrillic = re.search("[а-яё]", rendered.email_subject + rendered.email_text, re.IGNORECASE)
    if language == "ru":
        assert cyrillic
    elif kind != "company_verification_failed":  # the register's reason is Russian in both
        assert "Здравствуйте" not in rendered.email_text


def test_russian_review_request_reads_as_written() -> None:
    rendered = render("outreach_review_requested", "ru", _context("outreach_review_requested"))
    assert rendered.email_subject == "Черновик письма для «Партнёр» ждёт вашей проверки"
    assert "до 05.12.2026 13:00 MSK" in rendered.email_text  # the deadline in the recipient's zone (default Moscow)
    assert rendered.link == f"{APP}/discoveries/{payloads()['outreach_review_requested']['discovery_id']}"
    english = render("outreach_review_requested", "en", {**_context("outreach_review_requested"),
                                                         "time_zone": "Asia/Novosibirsk"})  # fmt: skip
    assert english.email_subject == "An outreach draft to Партнёр awaits your review"
    assert "05 Dec 2026, 17:00 +07" in english.email_text


@pytest.mark.parametrize("kind", ["company_verified", "outreach_review_requested"])
def test_a_company_name_with_script_is_text_in_html_and_telegram(kind: str) -> None:
    rendered = render(kind, "ru", _context(kind))
    for html in (rendered.email_html, rendered.telegram_html):
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        parsed = _parse(html)
        assert "script" not in parsed.tags
        assert any(EVIL in chunk for chunk in parsed.text) or EVIL in "".join(parsed.text)
    assert EVIL in rendered.inbox_title + rendered.inbox_body + rendered.email_text  # plain parts keep it as is


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(kinds()))
def test_telegram_html_uses_only_telegrams_tags(kind: str, language: str) -> None:
    rendered = render(kind, language, _context(kind))
    tags = _parse(rendered.telegram_html).tags
    assert tags and set(tags) <= TELEGRAM_TAGS, tags
    # Telegram supports only &lt; &gt; &amp; &quot; among named entities (numeric ones are fine)
    assert set(re.findall(r"&([a-z]+);", rendered.telegram_html)) <= {"lt", "gt", "amp", "quot"}
    assert "<br" not in rendered.telegram_html and "<p" not in rendered.telegram_html


def test_partnership_change_names_the_company_that_made_it_or_neither() -> None:
    told = render("partnership_status_changed", "ru", _context("partnership_status_changed", actor_company_id=PARTNER))
    assert told.inbox_title == "«Партнёр» изменила статус партнёрства"
    assert "было «предложено», стало «первый контакт»" in told.inbox_body
    unknown = render("partnership_status_changed", "en", _context("partnership_status_changed"))
    assert unknown.inbox_title == "A partnership's status changed"


def test_slots_are_filled_per_recipient_and_escaped_in_html() -> None:
    once = render("outreach_review_requested", "ru", {**_context("outreach_review_requested"), **RECIPIENT_SLOTS})
    mine = personalize(once, full_name="Анна & <Ко>", email="anna@example.ru", unsubscribe_url=f"{APP}/u?token=t&k=1")
    assert "Здравствуйте, Анна & <Ко>!" in mine.email_text and f"{APP}/u?token=t&k=1" not in mine.email_html
    assert "Анна &amp; &lt;Ко&gt;" in mine.email_html and f'href="{APP}/u?token=t&amp;k=1"' in mine.email_html
    assert "anna@example.ru" in mine.email_html
    assert "\u27e6" not in mine.email_html + mine.email_text + mine.telegram_html


def test_a_missing_payload_field_is_render_failed_naming_the_template() -> None:
    context = _context("follow_up_drafted")
    del context["payload"]["days_stalled"]
    with pytest.raises(RenderFailed) as caught:
        render("follow_up_drafted", "en", context)
    assert caught.value.kind == "follow_up_drafted"
    assert "follow_up_drafted/en" in caught.value.reason and "days_stalled" in caught.value.reason


def test_an_unknown_company_id_or_link_field_is_render_failed() -> None:
    context = _context("outreach_review_requested", companies={})
    with pytest.raises(RenderFailed, match="UndefinedError"):
        render("outreach_review_requested", "ru", context)
    context = _context("discovery_no_match")
    del context["payload"]["discovery_id"]
    with pytest.raises(RenderFailed, match="discovery_id"):
        render("discovery_no_match", "ru", context)


def test_a_broken_template_file_is_render_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A template that does not even compile (a deploy mistake) fails the same way."""
    for path in render_module.TEMPLATES.rglob("*"):
        if path.is_file():
            target = tmp_path / path.relative_to(render_module.TEMPLATES)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    (tmp_path / "discovery_no_match/ru.tg.html").write_text("<b>{{ payload.company_id </b>", "utf-8")
    monkeypatch.setattr(render_module, "TEMPLATES", tmp_path)
    render_module._environment.cache_clear()
    try:
        with pytest.raises(RenderFailed, match=r"discovery_no_match/ru: TemplateSyntaxError"):
            render("discovery_no_match", "ru", _context("discovery_no_match"))
    finally:
        monkeypatch.undo()
        render_module._environment.cache_clear()


def test_unknown_kind_or_language_is_render_failed() -> None:
    with pytest.raises(RenderFailed):
        render("nope", "ru", _context("discovery_no_match"))
    with pytest.raises(RenderFailed, match="de"):
        render("discovery_no_match", "de", _context("discovery_no_match"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_digest_lists_every_item(language: str) -> None:
    items = [
        {"title": f"Пункт {n} <{n}>", "body": f"Текст {n}", "link": f"{APP}/discoveries/{n}"} for n in range(3)
    ] + [{"title": "Без ссылки", "body": "", "link": None}]
    digest = render_digest(
        language,
        {
            "items": items,
            "date_label": "03.12.2026",
            "link": f"{APP}/notifications",
            "recipient": {"full_name": "Иван", "email": "ivan@example.ru"},
            "unsubscribe_url": f"{APP}/u?token=t",
        },
    )
    assert "4" in digest.subject and "03.12.2026" in digest.subject
    for n in range(3):
        assert f"Пункт {n} <{n}>" in digest.text and f"{APP}/discoveries/{n}" in digest.text
        assert f"Пункт {n} &lt;{n}&gt;" in digest.html and f'href="{APP}/discoveries/{n}"' in digest.html
    assert "Без ссылки" in digest.html and f"{APP}/u?token=t" in digest.text and f"{APP}/u?token=t" in digest.html


def test_text_templates_are_not_autoescaped_and_html_ones_are() -> None:
    environment = render_module._environment()
    assert isinstance(environment.undefined, type) and issubclass(environment.undefined, jinja2.StrictUndefined)
    assert callable(environment.autoescape)
    assert environment.autoescape("discovery_no_match/ru.txt") is False
    assert environment.autoescape("discovery_no_match/ru.html") is True
    assert environment.autoescape("discovery_no_match/ru.tg.html") is True


def test_the_default_unsubscribe_token_is_one_the_unsubscribe_service_accepts() -> None:
    """dispatch signs with shared.notifications.tokens for the purpose and claims unsubscribe.target reads."""
    from shared.notifications import tokens
    from shared.notifications.dispatch import default_unsubscribe_token
    from shared.notifications.unsubscribe import PURPOSE
    from shared.settings import Settings

    secrets = {"algoarts/notification-signing-key": "k" * 48}
    settings = Settings(database_url="postgresql://unused", redis_url="redis://unused")
    sign = default_unsubscribe_token(settings, secret=secrets.__getitem__)
    user = str(uuid.uuid4())
    token = sign(user, "company_verified")
    assert token.count(".") == 2 and "k" * 48 not in token
    claims = tokens.verify(tokens.signing_key(settings, secret=secrets.__getitem__), PURPOSE, token)
    assert (claims["u"], claims["k"], claims["c"]) == (user, "company_verified", "email")
    assert tokens.verify(tokens.signing_key(settings, secret=secrets.__getitem__), PURPOSE, sign(user, "*"))["k"] == "*"
