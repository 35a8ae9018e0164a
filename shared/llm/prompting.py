"""Versioned Russian prompts (jinja2 files in ``prompts/<task>/v<N>.md``) with company text fenced as data.

Why fences: descriptions and news come from users and the web, so a description saying "ignore previous
instructions" must not become one. Every untrusted value is rendered as JSON inside a ``<company_data>``,
``<news_item>`` or ``<partnership_data>`` block, any fence tag inside the data is removed first (so the data
cannot close its block and speak outside it), and the system prompt (``prompts/_system``) tells the model
that block contents are never instructions. The output is also validated against a fixed schema, so an
injected instruction cannot change the answer's shape either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.llm.core import ChatRequest, Message

if TYPE_CHECKING:
    import jinja2

PROMPTS_DIR = Path(__file__).parent / "prompts"
FENCES = ("company_data", "news_item", "partnership_data")
_FENCE_TOKEN = re.compile(r"<\s*/?\s*(?:" + "|".join(FENCES) + r")\b[^>]*>?", re.IGNORECASE)
_MAX_TEXT = 4000  # per string value: a long description must not crowd the task out of the context

# The company fields a model sees: identity, what it sells and to whom, and how it connects.
COMPANY_FIELDS = (
    "id",
    "name",
    "description",
    "industry",
    "sub_industries",
    "business_model",
    "website",
    "headquarters_city",
    "employees_range",
    "funding_stage",
    "tech_stack",
    "integrations",
    "api_available",
)


def strip_fences(text: str) -> str:
    """The text without anything that looks like a fence tag (opening or closing, any case)."""
    previous = None
    while previous != text:  # "<comp<company_data>any_data>" must not reassemble into a tag
        previous, text = text, _FENCE_TOKEN.sub("", text)
    return text


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = strip_fences(value)
        return value if len(value) <= _MAX_TEXT else value[:_MAX_TEXT] + "…"
    if isinstance(value, Mapping):
        return {strip_fences(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def fenced(value: Any, tag: str) -> str:
    """``value`` as JSON inside ``<tag>`` … ``</tag>``, fence tags removed from every string in it."""
    if tag not in FENCES:
        raise ValueError(f"unknown fence {tag!r}")
    body = json.dumps(_clean(value), ensure_ascii=False, default=str)
    return f"<{tag}>\n{body}\n</{tag}>"


def company_view(company: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a company document a prompt shows (empty ones left out)."""
    return {k: company[k] for k in COMPANY_FIELDS if company.get(k) not in (None, "", [], {})}


@cache
def _environment() -> jinja2.Environment:
    import jinja2  # only a function that asks a model renders prompts

    # Prompts are plain text, not HTML: untrusted data goes through `fenced`, not through escaping.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPTS_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fenced"] = fenced
    return env


def render(name: str, version: int = 1, **context: Any) -> str:
    return _environment().get_template(f"{name}/v{version}.md").render(**context).strip()


def build_request(
    task: str,
    schema: dict[str, Any],
    *,
    version: int = 1,
    max_tokens: int = 1000,
    temperature: float = 0.3,
    **context: Any,
) -> ChatRequest:
    """The task's prompt rendered into a request: the system rules with the schema, and the user message."""
    system = render("_system", 1, schema=json.dumps(schema, ensure_ascii=False))
    user = render(task, version, **context)
    return ChatRequest(
        task=task,
        prompt_version=f"{task}@v{version}",
        system=system,
        messages=(Message("user", user),),
        schema=schema,
        max_tokens=max_tokens,
        temperature=temperature,
    )


def correction(request: ChatRequest, answer: str, problem: str) -> ChatRequest:
    """The same request with the invalid answer and what is wrong with it, for one more try."""
    follow_up = f"Ответ не прошёл проверку: {problem}. Верни только исправленный JSON-объект по схеме, без пояснений."
    messages: Sequence[Message] = (*request.messages, Message("assistant", answer[:2000]), Message("user", follow_up))
    return replace(request, messages=tuple(messages))
