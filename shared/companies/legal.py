"""Russian legal identifiers: INN, OGRN/OGRNIP and KPP, checked by their control digits.

The rules are the Federal Tax Service's: INN of an organisation (10 digits) and of a person or sole
trader (12 digits), OGRN of an organisation (13) and OGRNIP of a sole trader (15), KPP (9, the 5th and
6th may be letters A-Z). Errors are pydantic custom errors so that the HTTP layer can word them in
the caller's language by their type.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_KPP = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_check_digits(body: str) -> str:
    """The control digit(s) for the first 9 (organisation) or 10 (person) digits of an INN."""
    if len(body) == 9:
        return str(_weighted(body, _INN10_WEIGHTS))
    if len(body) == 10:
        first = str(_weighted(body, _INN12_WEIGHTS_1))
        return first + str(_weighted(body + first, _INN12_WEIGHTS_2))
    raise ValueError("an INN body has 9 or 10 digits")


def ogrn_check_digit(body: str) -> str:
    """The control digit for the first 12 (OGRN) or 14 (OGRNIP) digits."""
    if len(body) == 12:
        return str(int(body) % 11 % 10)
    if len(body) == 14:
        return str(int(body) % 13 % 10)
    raise ValueError("an OGRN body has 12 or 14 digits")


def is_valid_inn(value: str) -> bool:
    if not value.isdigit() or len(value) not in (10, 12):
        return False
    cut = 9 if len(value) == 10 else 10
    return value[cut:] == inn_check_digits(value[:cut])


def is_valid_ogrn(value: str) -> bool:
    if not value.isdigit() or len(value) not in (13, 15):
        return False
    return value[-1] == ogrn_check_digit(value[:-1])


def is_valid_kpp(value: str) -> bool:
    return bool(_KPP.match(value))


def _strip(value: object) -> object:
    # People paste identifiers with spaces; "7736 207 543" is the same INN.
    return re.sub(r"\s+", "", value) if isinstance(value, str) else value


def _check_inn(value: str) -> str:
    if not value.isdigit() or len(value) not in (10, 12):
        raise PydanticCustomError("inn_format", "INN must have 10 (organisation) or 12 (person) digits")
    if not is_valid_inn(value):
        raise PydanticCustomError("inn_checksum", "INN control digit does not match: check the number")
    return value


def _check_ogrn(value: str) -> str:
    if not value.isdigit() or len(value) not in (13, 15):
        raise PydanticCustomError("ogrn_format", "OGRN must have 13 digits (OGRNIP of a sole trader: 15)")
    if not is_valid_ogrn(value):
        raise PydanticCustomError("ogrn_checksum", "OGRN control digit does not match: check the number")
    return value


def _check_kpp(value: str) -> str:
    value = value.upper()
    if not is_valid_kpp(value):
        raise PydanticCustomError("kpp_format", "KPP must have 9 characters: 4 digits, 2 digits or letters, 3 digits")
    return value


Inn = Annotated[str, BeforeValidator(_strip), AfterValidator(_check_inn)]
Ogrn = Annotated[str, BeforeValidator(_strip), AfterValidator(_check_ogrn)]
Kpp = Annotated[str, BeforeValidator(_strip), AfterValidator(_check_kpp)]


def check_identity_pair(inn: str | None, ogrn: str | None, kpp: str | None) -> None:
    """An organisation pairs a 10-digit INN with a 13-digit OGRN and has a KPP; a sole trader a 12 and a 15, no KPP."""
    if inn and ogrn and (len(inn) == 10) != (len(ogrn) == 13):
        raise PydanticCustomError(
            "ogrn_kind_mismatch",
            "an organisation's INN (10 digits) goes with an OGRN (13), a sole trader's (12) with an OGRNIP (15)",
        )
    if kpp and inn and len(inn) == 12:
        raise PydanticCustomError("kpp_for_individual", "a sole trader has no KPP")
