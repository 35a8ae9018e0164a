"""URL slugs from company names, Cyrillic transliterated (ГОСТ 7.79-2000 system B, simplified)."""

from __future__ import annotations

import re

_TRANSLIT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "yo",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "j",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "h",
        "ц": "cz",
        "ч": "ch",
        "ш": "sh",
        "щ": "shh",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
    }
)


def slugify(name: str) -> str:
    text = name.lower().translate(_TRANSLIT)
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:200] or "company"
