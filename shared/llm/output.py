"""The models' answers as data: each task's output schema, and the parser that turns text into it.

Models wrap JSON in code fences or a sentence now and then; the parser strips fences, takes the outermost
JSON object, and validates it with the task's pydantic model. Anything else is `InvalidModelOutput` with a
short, model-readable reason (the chain sends it back once as a correction request).
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shared.llm.core import InvalidModelOutput

_FENCE = re.compile(r"^\s*```[a-zA-Z0-9_-]*\s*\n?(?P<body>.*?)\n?\s*```\s*$", re.DOTALL)


class _Output(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class ExplanationOut(_Output):
    text: str = Field(min_length=20, max_length=2000)


class OutreachOut(_Output):
    subject: str = Field(min_length=3, max_length=150)
    body: str = Field(min_length=20, max_length=3000)


class EnrichmentOut(_Output):
    summary: str = Field(min_length=10, max_length=600)
    tags: list[str] = Field(default_factory=list, max_length=10)
    sentiment: float = Field(ge=-1, le=1)

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        cleaned = [t.strip().lower() for t in tags if t and t.strip()]
        if any(len(t) > 40 for t in cleaned):
            raise ValueError("each tag is at most 40 characters")
        return list(dict.fromkeys(cleaned))


class InsightOut(_Output):
    summary: str = Field(min_length=10, max_length=600)
    partnership_angle: str = Field(min_length=10, max_length=1000)


class NudgeOut(_Output):
    subject: str = Field(min_length=3, max_length=150)
    body: str = Field(min_length=20, max_length=2000)


def _taxonomy_codes(schema: dict[str, Any]) -> None:
    """The schema of a kind's code lists the taxonomy's codes (YandexGPT's structured output then cannot
    answer another); read when the schema is built, not at import."""
    from shared.taxonomy import taxonomy

    schema["enum"] = sorted(taxonomy().industry_of_sub())


class KindGuess(_Output):
    code: str = Field(json_schema_extra=_taxonomy_codes)
    confidence: float = Field(ge=0, le=1)

    @field_validator("code")
    @classmethod
    def _known(cls, code: str) -> str:
        from shared.taxonomy import taxonomy

        if code not in taxonomy().industry_of_sub():
            raise ValueError(f"{code!r} is not a code from the list: answer only codes from the list")
        return code


class ClassificationOut(_Output):
    """The kinds of product a company is, best first (at most three, each once)."""

    kinds: list[KindGuess] = Field(max_length=3)

    @field_validator("kinds")
    @classmethod
    def _once(cls, kinds: list[KindGuess]) -> list[KindGuess]:
        seen: dict[str, KindGuess] = {}
        for kind in kinds:
            seen.setdefault(kind.code, kind)
        return sorted(seen.values(), key=lambda k: -k.confidence)


def output_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A plain JSON schema (no titles) for structured output and for the prompt."""
    schema = model.model_json_schema()

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "title"}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    cleaned: dict[str, Any] = strip(schema)
    cleaned["additionalProperties"] = False
    return cleaned


def extract_json(text: str) -> Any:
    """The JSON value in a model's answer: fences stripped, else the outermost {...}; ValueError if none."""
    candidate = text.strip()
    fenced = _FENCE.match(candidate)
    if fenced:
        candidate = fenced["body"].strip()
    try:
        return json.loads(candidate)
    except json.JSONDecodeError:
        pass
    start, end = candidate.find("{"), candidate.rfind("}")
    if start == -1 or end <= start:
        raise ValueError("the answer holds no JSON object")
    try:
        return json.loads(candidate[start : end + 1])
    except json.JSONDecodeError as exc:
        raise ValueError(f"the answer is not valid JSON ({exc.msg} at position {exc.pos})") from None


def parse[T: BaseModel](text: str, model: type[T], *, task: str, provider: str) -> T:
    """Validate a model's answer; InvalidModelOutput with a reason a model can act on."""
    try:
        data = extract_json(text)
    except ValueError as exc:
        raise InvalidModelOutput(str(exc), task=task, provider=provider, text=text) from None
    if not isinstance(data, dict):
        raise InvalidModelOutput("the answer must be a JSON object", task=task, provider=provider, text=text)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'object'}: {e['msg']}" for e in exc.errors()[:5])
        raise InvalidModelOutput(
            f"the JSON does not match the schema: {problems}", task=task, provider=provider, text=text
        ) from None
