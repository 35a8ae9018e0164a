"""Error messages in the caller's language: Russian by default, English on request.

The HTTP layer words validation and domain errors here: `preferred_language` reads `Accept-Language`,
`describe` turns pydantic's error dicts into `{"field", "in", "label", "message"}` items, `summary` makes
the problem's one-line detail. Messages are keyed by pydantic's error `type` (our own custom types
included) and filled from the error's `ctx`; an unknown type keeps pydantic's own English `msg`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

Language = Literal["ru", "en"]
DEFAULT_LANGUAGE: Language = "ru"
LANGUAGES: tuple[Language, ...] = ("ru", "en")  # the default first

_NBSP = "\u00a0"


# --- Accept-Language -------------------------------------------------------------------------------


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return 0.0
            return q if 0.0 <= q <= 1.0 else 0.0
    return 1.0


def preferred_language(header: str | None) -> Language:
    """The language to answer in for an `Accept-Language` header (RFC 9110 q-values); Russian unless English wins.

    "en", "en-US", "en-GB;q=0.8" give English; "ru", "*", nothing or only other languages give Russian;
    "en;q=0.5, ru;q=0.9" gives Russian; a tie goes to the range listed first; q=0 excludes a language.
    """
    if not header:
        return DEFAULT_LANGUAGE
    explicit: dict[Language, tuple[float, int]] = {}  # language -> (best q, position of that range)
    wildcard: tuple[float, int] | None = None
    for position, part in enumerate(header.split(",")):
        tag, *params = part.strip().split(";")
        tag = tag.strip().lower()
        if not tag:
            continue
        q = _quality(params)
        if tag == "*":
            if wildcard is None or q > wildcard[0]:
                wildcard = (q, position)
            continue
        primary = tag.split("-", 1)[0]
        if primary in LANGUAGES:
            language: Language = "ru" if primary == "ru" else "en"
            best = explicit.get(language)
            if best is None or q > best[0]:
                explicit[language] = (q, position)
    candidates: list[tuple[float, int, int, Language]] = []
    for preference, language in enumerate(LANGUAGES):  # the default first: it wins a full tie
        # "*" stands for every language the header does not name.
        score = explicit.get(language, wildcard)
        if score is not None and score[0] > 0:
            candidates.append((-score[0], score[1], preference, language))
    return min(candidates)[3] if candidates else DEFAULT_LANGUAGE


def header_value(headers: Mapping[str, Any] | None, name: str) -> str | None:
    """A request header by name, case-insensitively; repeated values are joined with commas."""
    if not headers:
        return None
    wanted = name.lower()
    for key, value in headers.items():
        if str(key).lower() == wanted:
            if isinstance(value, list | tuple):
                return ",".join(str(v) for v in value)
            return None if value is None else str(value)
    return None


# --- Russian plurals and numbers -------------------------------------------------------------------


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """The Russian form for n: plural_ru(n, "символ", "символа", "символов") -> 1 символ, 2 символа, 5 символов.

    `one` is for 1, 21, 101…; `few` for 2-4, 22-24…; `many` for 0, 5-20, 25-30, 111-114…
    """
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _number(value: Any, language: Language) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        if abs(value) < 10_000:
            return str(value)
        grouped = f"{value:,}"
        return grouped.replace(",", _NBSP) if language == "ru" else grouped
    if isinstance(value, float | Decimal):
        text = format(value, "f").rstrip("0").rstrip(".") if isinstance(value, Decimal) else repr(value)
        return text.replace(".", ",") if language == "ru" else text
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _ru_count(n: int, one: str, few: str, many: str) -> str:
    return f"{_number(n, 'ru')} {plural_ru(n, one, few, many)}"


def _en_count(n: int, singular: str, plural: str) -> str:
    return f"{_number(n, 'en')} {singular if n == 1 else plural}"


def _values(expected: Any) -> list[str]:
    """The allowed values out of pydantic's `ctx["expected"]`: "'B2B', 'B2C' or 'B2B2C'" -> [B2B, B2C, B2B2C]."""
    if isinstance(expected, list | tuple | set | frozenset):
        return [str(v) for v in expected]
    text = str(expected)
    quoted = re.findall(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", text)
    if quoted:
        return [single or double for single, double in quoted]
    return [part.strip() for part in re.split(r",\s*|\s+or\s+", text) if part.strip()]


def _join(items: list[str], language: Language) -> str:
    """Items joined as a sentence: "a, b или c" / "a, b or c"."""
    if len(items) <= 1:
        return "".join(items)
    word = " или " if language == "ru" else " or "
    return ", ".join(items[:-1]) + word + items[-1]


# --- the catalog -----------------------------------------------------------------------------------

Template = Callable[[Mapping[str, Any]], str]


def _string_too_short(language: Language) -> Template:
    def render(ctx: Mapping[str, Any]) -> str:
        n = int(ctx.get("min_length", 1))
        if language == "ru":
            return "Не может быть пустым" if n == 1 else f"Не короче {_ru_count(n, 'символа', 'символов', 'символов')}"
        return "Must not be empty" if n == 1 else f"At least {_en_count(n, 'character', 'characters')}"

    return render


def _string_too_long(language: Language) -> Template:
    def render(ctx: Mapping[str, Any]) -> str:
        n = int(ctx.get("max_length", 0))
        if language == "ru":
            return f"Не длиннее {_ru_count(n, 'символа', 'символов', 'символов')}"
        return f"At most {_en_count(n, 'character', 'characters')}"

    return render


def _actual(ctx: Mapping[str, Any], language: Language) -> str:
    actual = ctx.get("actual_length")
    if actual is None:
        return ""
    return f" (сейчас {_number(actual, language)})" if language == "ru" else f" (got {_number(actual, language)})"


def _too_short(language: Language) -> Template:
    def render(ctx: Mapping[str, Any]) -> str:
        n = int(ctx.get("min_length", 1))
        if language == "ru":
            return f"Нужно хотя бы {_ru_count(n, 'элемент', 'элемента', 'элементов')}" + _actual(ctx, language)
        return f"At least {_en_count(n, 'item', 'items')}" + _actual(ctx, language)

    return render


def _too_long(language: Language) -> Template:
    def render(ctx: Mapping[str, Any]) -> str:
        n = int(ctx.get("max_length", 0))
        if language == "ru":
            return f"Не больше {_ru_count(n, 'элемента', 'элементов', 'элементов')}" + _actual(ctx, language)
        return f"At most {_en_count(n, 'item', 'items')}" + _actual(ctx, language)

    return render


def _bound(key: str, ru: str, en: str) -> tuple[Template, Template]:
    return (
        lambda ctx: ru.format(_number(ctx.get(key, ""), "ru")),
        lambda ctx: en.format(_number(ctx.get(key, ""), "en")),
    )


def _choice(language: Language) -> Template:
    def render(ctx: Mapping[str, Any]) -> str:
        values = _values(ctx.get("expected", ""))
        if language == "ru":
            return ("Допустимое значение: " if len(values) == 1 else "Допустимые значения: ") + ", ".join(values)
        return ("Allowed value: " if len(values) == 1 else "Allowed values: ") + ", ".join(values)

    return render


def _schemes(language: Language) -> Template:
    def render(ctx: Mapping[str, Any]) -> str:
        schemes = [f"{scheme}://" for scheme in _values(ctx.get("expected_schemes", "'http' or 'https'"))]
        if language == "ru":
            return f"Адрес должен начинаться с {_join(schemes, language)}"
        return f"The address must start with {_join(schemes, language)}"

    return render


def _with_reason(ru: str, en: str) -> tuple[Template, Template]:
    # The reason (ctx["error"]) is the developer's own text, in English: kept after the sentence.
    def reason(ctx: Mapping[str, Any]) -> str:
        error = ctx.get("error")
        return f": {error}" if error not in (None, "") else ""

    return (lambda ctx: ru + reason(ctx), lambda ctx: en + reason(ctx))


def _fixed(ru: str, en: str) -> tuple[Template, Template]:
    return (lambda _: ru, lambda _: en)


def _unknown_code(language: Language, ru_what: str, en_what: str) -> Template:
    # ctx of shared/companies/model.py's unknown_industry / unknown_sub_industry: code, suggestions [{key, ru, en}].
    def render(ctx: Mapping[str, Any]) -> str:
        code = str(ctx.get("code", ""))
        nearest = [
            f"{s['key']} ({s[language]})" if s.get(language) else str(s["key"])
            for s in ctx.get("suggestions") or ()
            if isinstance(s, Mapping) and s.get("key")
        ]
        if language == "ru":
            lead = f"Неизвестная {ru_what} «{code}»"
            if not nearest:
                return lead + " — список кодов: GET /v1/taxonomy"
            return lead + " — возможно, вы имели в виду " + _join(nearest, language)
        lead = f"Unknown {en_what} '{code}'"
        if not nearest:
            return lead + ": the known codes are listed at GET /v1/taxonomy"
        return lead + ": did you mean " + _join(nearest, language) + "?"

    return render


_DATE_RU = "Некорректная дата — используйте формат ГГГГ-ММ-ДД, например 2024-03-15"
_DATE_EN = "Not a valid date: use YYYY-MM-DD, e.g. 2024-03-15"
_DATETIME_RU = "Некорректные дата и время — используйте формат ISO 8601, например 2024-03-15T10:00:00Z"
_DATETIME_EN = "Not a valid date and time: use ISO 8601, e.g. 2024-03-15T10:00:00Z"
_URL_RU = "Некорректный адрес — укажите полный URL, например https://example.com"
_URL_EN = "Not a valid URL: give a full address such as https://example.com"
_OBJECT_RU = "Должно быть объектом JSON ({…})"
_OBJECT_EN = "Must be a JSON object ({…})"
_INT_RU = "Должно быть целым числом"
_INT_EN = "Must be a whole number"
_NUMBER_RU = "Должно быть числом"
_NUMBER_EN = "Must be a number"
_BOOL_RU = "Должно быть true или false"
_BOOL_EN = "Must be true or false"
_UUID_RU = "Некорректный идентификатор: ожидается UUID, например 3f2b8c1e-5d4a-4e7b-9c1d-2a6f8e0b7c35"
_UUID_EN = "Not a valid UUID, e.g. 3f2b8c1e-5d4a-4e7b-9c1d-2a6f8e0b7c35"

CATALOG: dict[str, tuple[Template, Template]] = {
    # pydantic's own types
    "missing": _fixed("Обязательное поле", "This field is required"),
    "extra_forbidden": _fixed("Неизвестное поле — уберите его из запроса", "Unknown field: remove it from the request"),
    "string_too_short": (_string_too_short("ru"), _string_too_short("en")),
    "string_too_long": (_string_too_long("ru"), _string_too_long("en")),
    "string_type": _fixed("Должно быть строкой", "Must be a string"),
    "int_parsing": _fixed(_INT_RU, _INT_EN),
    "int_type": _fixed(_INT_RU, _INT_EN),
    "int_from_float": _fixed(
        "Должно быть целым числом, без дробной части", "Must be a whole number, without a fraction"
    ),
    "float_parsing": _fixed(_NUMBER_RU, _NUMBER_EN),
    "float_type": _fixed(_NUMBER_RU, _NUMBER_EN),
    "decimal_parsing": _fixed(_NUMBER_RU, _NUMBER_EN),
    "bool_parsing": _fixed(_BOOL_RU, _BOOL_EN),
    "bool_type": _fixed(_BOOL_RU, _BOOL_EN),
    "greater_than_equal": _bound("ge", "Не меньше {}", "Must be at least {}"),
    "less_than_equal": _bound("le", "Не больше {}", "Must be at most {}"),
    "greater_than": _bound("gt", "Должно быть больше {}", "Must be greater than {}"),
    "less_than": _bound("lt", "Должно быть меньше {}", "Must be less than {}"),
    "too_short": (_too_short("ru"), _too_short("en")),
    "too_long": (_too_long("ru"), _too_long("en")),
    "list_type": _fixed("Должно быть списком ([…])", "Must be a list ([…])"),
    "literal_error": (_choice("ru"), _choice("en")),
    "enum": (_choice("ru"), _choice("en")),
    "url_parsing": _fixed(_URL_RU, _URL_EN),
    "url_syntax_violation": _fixed(_URL_RU, _URL_EN),
    "url_scheme": (_schemes("ru"), _schemes("en")),
    "url_type": _fixed("Должно быть адресом URL (строкой)", "Must be a URL string"),
    "url_too_long": (
        lambda ctx: f"Адрес не длиннее {_ru_count(int(ctx['max_length']), 'символа', 'символов', 'символов')}",
        lambda ctx: f"The address must have at most {_en_count(int(ctx['max_length']), 'character', 'characters')}",
    ),
    "date_from_datetime_parsing": _fixed(_DATE_RU, _DATE_EN),
    "date_parsing": _fixed(_DATE_RU, _DATE_EN),
    "date_type": _fixed(_DATE_RU, _DATE_EN),
    "date_from_datetime_inexact": _fixed(
        "Укажите дату без времени: ГГГГ-ММ-ДД", "Give a date without a time: YYYY-MM-DD"
    ),
    "datetime_parsing": _fixed(_DATETIME_RU, _DATETIME_EN),
    "datetime_from_date_parsing": _fixed(_DATETIME_RU, _DATETIME_EN),
    "datetime_type": _fixed(_DATETIME_RU, _DATETIME_EN),
    "uuid_parsing": _fixed(_UUID_RU, _UUID_EN),
    "uuid_type": _fixed(_UUID_RU, _UUID_EN),
    "json_invalid": (
        lambda ctx: (
            "Некорректный JSON — проверьте кавычки, запятые и скобки"
            + (f" (позиция {ctx['position']})" if "position" in ctx else "")
        ),
        lambda ctx: (
            "Invalid JSON: check quotes, commas and brackets"
            + (f" (position {ctx['position']})" if "position" in ctx else "")
        ),
    ),
    "dict_type": _fixed(_OBJECT_RU, _OBJECT_EN),
    "model_type": _fixed(_OBJECT_RU, _OBJECT_EN),
    "model_attributes_type": _fixed(_OBJECT_RU, _OBJECT_EN),
    "value_error": _with_reason("Недопустимое значение", "Invalid value"),
    "assertion_error": _with_reason("Недопустимое значение", "Invalid value"),
    "unsupported_content_type": _fixed(
        "Неподдерживаемый тип содержимого — отправьте application/json",
        "Unsupported content type: send application/json",
    ),
    # shared/companies/legal.py
    "inn_format": _fixed(
        "ИНН: нужно 10 цифр (организация) или 12 цифр (физическое лицо, ИП)",
        "INN: 10 digits (organisation) or 12 digits (person, sole trader)",
    ),
    "inn_checksum": _fixed(
        "ИНН: неверная контрольная сумма — проверьте номер", "INN: the check digit does not match; check the number"
    ),
    "ogrn_format": _fixed(
        "ОГРН: нужно 13 цифр (у ИП — ОГРНИП из 15 цифр)", "OGRN: 13 digits (OGRNIP of a sole trader: 15 digits)"
    ),
    "ogrn_checksum": _fixed(
        "ОГРН: неверная контрольная сумма — проверьте номер", "OGRN: the check digit does not match; check the number"
    ),
    "kpp_format": _fixed(
        "КПП: 9 символов — 4 цифры, затем 2 цифры или латинские буквы, затем 3 цифры",
        "KPP: 9 characters: 4 digits, then 2 digits or Latin letters, then 3 digits",
    ),
    "ogrn_kind_mismatch": _fixed(
        "ОГРН не соответствует ИНН: у организации ИНН из 10 цифр и ОГРН из 13, у ИП — ИНН из 12 цифр и ОГРНИП из 15",
        "OGRN does not match the INN: an organisation has a 10-digit INN and a 13-digit OGRN, "
        "a sole trader a 12-digit INN and a 15-digit OGRNIP",
    ),
    "kpp_for_individual": _fixed(
        "КПП бывает только у организаций, у ИП его нет — оставьте поле пустым",
        "Only organisations have a KPP, a sole trader has none: leave it empty",
    ),
    # shared/companies/model.py
    "unknown_industry": (_unknown_code("ru", "отрасль", "industry"), _unknown_code("en", "industry", "industry")),
    "unknown_sub_industry": (
        _unknown_code("ru", "подотрасль", "sub-industry"),
        _unknown_code("en", "sub-industry", "sub-industry"),
    ),
    "range_inverted": _fixed(
        "Верхняя граница не может быть меньше нижней", "The upper bound must not be less than the lower bound"
    ),
    # shared/search/model.py
    "page_beyond_results": _bound(
        "max_results",
        "Результаты поиска заканчиваются на {}-м: уточните запрос или фильтры",
        "Search results end at result {}: narrow the query or the filters",
    ),
}

# Regular expressions of the schemas, in words (pydantic's message would show the raw pattern).
PATTERNS: dict[str, tuple[str, str]] = {
    r"^[a-z0-9_]+$": (
        "Только строчные латинские буквы, цифры и знак подчёркивания, например fintech",
        "Only lowercase Latin letters, digits and underscores, e.g. fintech",
    ),
    r"^[A-Z]{2}$": (
        "Двухбуквенный код страны ISO 3166-1 заглавными буквами, например RU",
        "A two-letter ISO 3166-1 country code in capitals, e.g. RU",
    ),
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": (
        "Адрес электронной почты вида name@example.com",
        "An email address such as name@example.com",
    ),
    r"^[0-9a-f-]{36}$": (_UUID_RU, _UUID_EN),
}


def _pattern(ctx: Mapping[str, Any], language: Language) -> str:
    pattern = str(ctx.get("pattern", ""))
    known = PATTERNS.get(pattern)
    if known:
        return known[0] if language == "ru" else known[1]
    return "Неверный формат" if language == "ru" else f"Does not match the expected format {pattern}"


def message(error: Mapping[str, Any], language: Language) -> str:
    """One pydantic error (a dict of `errors()`) in words; an unknown type keeps pydantic's `msg`."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        return _pattern(ctx, language)
    templates = CATALOG.get(kind)
    if templates is None:
        return str(error.get("msg", ""))
    try:
        return templates[0 if language == "ru" else 1](ctx)
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", ""))


# --- field labels ----------------------------------------------------------------------------------

# Top-level names (request bodies and query/path parameters) and nested ones by their dotted path
# without list indices ("tech_stack.languages").
LABELS: dict[str, tuple[str, str]] = {
    # shared/companies/model.py: company fields
    "name": ("Название", "Name"),
    "description": ("Описание", "Description"),
    "website": ("Сайт", "Website"),
    "logo_url": ("Ссылка на логотип", "Logo URL"),
    "industry": ("Отрасль", "Industry"),
    "sub_industries": ("Подотрасли", "Sub-industries"),
    "business_model": ("Бизнес-модель", "Business model"),
    "founded_year": ("Год основания", "Year founded"),
    "headquarters_country": ("Страна штаб-квартиры", "Headquarters country"),
    "headquarters_city": ("Город штаб-квартиры", "Headquarters city"),
    "employees_count": ("Число сотрудников", "Number of employees"),
    "funding_total": ("Сумма привлечённых инвестиций", "Total funding"),
    "funding_stage": ("Стадия финансирования", "Funding stage"),
    "last_funding_date": ("Дата последнего раунда", "Last funding date"),
    "inn": ("ИНН", "INN"),
    "ogrn": ("ОГРН", "OGRN"),
    "kpp": ("КПП", "KPP"),
    "tech_stack": ("Технологический стек", "Tech stack"),
    "tech_stack.languages": ("языки", "languages"),
    "tech_stack.frameworks": ("фреймворки", "frameworks"),
    "tech_stack.databases": ("базы данных", "databases"),
    "tech_stack.cloud": ("облачные платформы", "cloud platforms"),
    "integrations": ("Интеграции", "Integrations"),
    "api_available": ("Наличие API", "API available"),
    "api_documentation_url": ("Ссылка на документацию API", "API documentation URL"),
    "legal_name": ("Юридическое название", "Legal name"),
    "legal_address": ("Юридический адрес", "Legal address"),
    "ai_tags": ("Теги", "Tags"),
    "ai_summary": ("Краткое описание", "Summary"),
    # the company list query
    "sub_industry": ("Подотрасль", "Sub-industry"),
    "country": ("Страна", "Country"),
    "city": ("Город", "City"),
    "employees_min": ("Сотрудников, от", "Employees, from"),
    "employees_max": ("Сотрудников, до", "Employees, up to"),
    "verified": ("Только проверенные", "Verified only"),
    "tag": ("Тег", "Tag"),
    "integration": ("Интеграция", "Integration"),
    "sort": ("Сортировка", "Sort order"),
    "limit": ("Количество на странице", "Page size"),
    "cursor": ("Курсор страницы", "Page cursor"),
    "q": ("Поисковый запрос", "Search query"),
    "mode": ("Режим поиска", "Search mode"),
    "page": ("Номер страницы", "Page number"),
    "page_size": ("Количество на странице", "Page size"),
    "company_id": ("ID компании", "Company ID"),
    "id": ("Идентификатор", "ID"),
    # shared/identity/model.py
    "email": ("Электронная почта", "Email"),
    "password": ("Пароль", "Password"),
    "full_name": ("Имя и фамилия", "Full name"),
    "refresh_token": ("Токен обновления", "Refresh token"),
    "current_password": ("Текущий пароль", "Current password"),
    "new_password": ("Новый пароль", "New password"),
    "roles": ("Роли", "Roles"),
    "user_id": ("ID пользователя", "User ID"),
    "version": ("Версия", "Version"),
    # the request itself
    "body": ("Тело запроса", "Request body"),
    "if-match": ("Заголовок If-Match", "If-Match header"),
}


def label(field: str, language: Language) -> str:
    """A field's human name: "inn" -> "ИНН"; "tech_stack.languages.0" -> "Технологический стек → языки, элемент 1".

    Unknown top-level fields are named by their path; an unknown nested name is shown as it is.
    """
    if not field:
        return field
    parts = field.split(".")
    if parts[0] not in LABELS:
        if parts[0].lower() not in LABELS:  # header names come in any case
            return field
        parts[0] = parts[0].lower()
    index = 0 if language == "ru" else 1
    text = LABELS[parts[0]][index]
    names = [parts[0]]
    for part in parts[1:]:
        if part.isdigit():
            item = int(part) + 1
            text += f", элемент {item}" if language == "ru" else f", item {item}"
            continue
        names.append(part)
        known = LABELS.get(".".join(names))
        text += " → " + (known[index] if known else part)
    return text


# --- titles ----------------------------------------------------------------------------------------

TITLES: dict[str, str] = {
    "Bad request": "Некорректный запрос",
    "Validation failed": "Ошибка проверки данных",
    "Malformed JSON": "Некорректный JSON",
    "Not found": "Не найдено",
    "Conflict": "Конфликт",
    "Forbidden": "Доступ запрещён",
    "Unauthorized": "Требуется вход",
    "Too many requests": "Слишком много запросов",
    "Malformed precondition": "Некорректное условие запроса",
    "Precondition failed": "Условие запроса не выполнено",
    "Precondition required": "Требуется условие запроса",
    "Service unavailable": "Сервис временно недоступен",
    "Bad gateway": "Внешний сервис не ответил",
}
_TITLES_BY_STATUS: dict[int, str] = {
    400: "Некорректный запрос",
    401: "Требуется вход",
    403: "Доступ запрещён",
    404: "Не найдено",
    409: "Конфликт",
    412: "Условие запроса не выполнено",
    422: "Ошибка проверки данных",
    428: "Требуется условие запроса",
    429: "Слишком много запросов",
    502: "Внешний сервис не ответил",
    503: "Сервис временно недоступен",
}


def title(english: str, language: Language, status: int | None = None) -> str:
    """A problem title in the language: known English titles first, then the status's usual one."""
    if language == "en":
        return english
    return TITLES.get(english) or (_TITLES_BY_STATUS.get(status) if status is not None else None) or english


# --- validation errors as problem items ------------------------------------------------------------


def field_path(loc: Iterable[Any]) -> str:
    """("body", "tech_stack", "languages", 0) -> "tech_stack.languages.0"; the location kind is reported apart.

    Query parameters are flat, so ("query", "query", "page_size") — a parameter of a handler's query model
    (``query: Annotated[SearchQuery, Query()]``), located under the handler argument's name — is
    "page_size", the name the client sent.
    """
    items = list(loc)
    if len(items) >= 3 and items[0] in {"query", "header", "cookie"} and isinstance(items[2], str):
        items = [items[0], *items[2:]]
    parts = [str(p) for p in items]
    return ".".join(parts[1:] if len(parts) > 1 else parts)


def describe(errors: Iterable[Mapping[str, Any]], language: Language) -> list[dict[str, str]]:
    """pydantic errors as problem items: `{"field", "in", "label", "message"}` in the language."""
    items: list[dict[str, str]] = []
    for error in errors:
        loc = tuple(error.get("loc", ()) or ("body",))
        field = field_path(loc)
        items.append(
            {"field": field, "in": str(loc[0]), "label": label(field, language), "message": message(error, language)}
        )
    return items


def summary(items: Iterable[Mapping[str, str]], language: Language) -> str:
    """The problem's detail: "Проверьте поля: ИНН (inn), Название (name)" / "Check these fields: INN (inn), …".

    Each field appears once, by its label, followed by its path when they differ (clients and support
    can match the sentence to `errors[].field`).
    """
    names: list[str] = []
    for item in items:
        field, text = item.get("field", ""), item.get("label") or item.get("field", "")
        name = text if text == field else f"{text} ({field})"
        if name not in names:
            names.append(name)
    if language == "ru":
        lead = "Проверьте поле: " if len(names) == 1 else "Проверьте поля: "
    else:
        lead = "Check this field: " if len(names) == 1 else "Check these fields: "
    return lead + ", ".join(names)


def malformed_json(error: Mapping[str, Any], language: Language) -> tuple[str, str, dict[str, str]]:
    """(title, detail, item) for a body that is not JSON at all."""
    loc = tuple(error.get("loc", ()))
    ctx: dict[str, Any] = {}
    if len(loc) > 1 and isinstance(loc[1], int):
        ctx["position"] = loc[1]
    text = message({"type": "json_invalid", "ctx": ctx, "msg": error.get("msg", "")}, language)
    detail = "Тело запроса не является корректным JSON" if language == "ru" else "The request body is not valid JSON"
    item = {"field": "body", "in": "body", "label": label("body", language), "message": text}
    return title("Malformed JSON", language), detail, item
