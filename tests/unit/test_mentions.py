"""What a product says it plugs into, without I/O (shared.partnerships.mentions): integration codes of the
taxonomy's well-known products and description phrases after the first sentence name kinds of product (never
the company's own); the first sentence and the name say what the company itself is (`described_as`)."""

from __future__ import annotations

import pytest

from shared.partnerships.mentions import Mention, described_as, mentions, products_of, stem, stems
from shared.taxonomy import taxonomy


def _products(kind: str) -> tuple[str, ...]:
    return next(s.products for i in taxonomy().industries for s in i.sub_industries if s.key == kind)


# --- stems ---------------------------------------------------------------------------------------------


def test_a_stem_is_the_first_five_letters_of_a_longer_word_and_a_short_word_whole() -> None:
    assert stem("конструкторам") == stem("конструктор") == "конст"
    assert stem("платёжный") == stem("платежный") == "плате"  # ё reads as е
    assert stem("для") == "для" and stem("crm") == "crm"
    assert stems("Конструкторы интернет-магазинов, CRM!") == frozenset({"конст", "интер", "магаз", "crm"})


# --- integrations --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("tilda", "store_builder"),
        ("yookassa", "payments"),
        ("cdek", "last_mile"),
        ("amocrm", "sales_crm"),
        ("mango_office", "virtual_pbx"),
        ("hh_ru", "job_search"),
    ],
)
def test_an_integration_with_a_well_known_product_names_its_kind(code: str, kind: str) -> None:
    assert code in _products(kind)  # the taxonomy's own entry, not one made up here
    assert mentions({"integrations": [code]}) == {kind: Mention(kind, code, "integration")}


def test_each_integration_names_its_kind_and_the_first_one_is_the_evidence() -> None:
    found = mentions({"integrations": ["insales", "yookassa", "tilda"]})
    assert found == {
        "store_builder": Mention("store_builder", "insales", "integration"),
        "payments": Mention("payments", "yookassa", "integration"),
    }


def test_a_product_of_two_kinds_names_both() -> None:
    assert "yandex_delivery" in _products("last_mile") and "yandex_delivery" in _products("delivery_aggregator")
    assert set(mentions({"integrations": ["yandex_delivery"]})) == {"last_mile", "delivery_aggregator"}


def test_an_unknown_integration_names_nothing() -> None:
    assert mentions({"integrations": ["our_own_widget", "google_docs_xyz"]}) == {}
    assert mentions({"integrations": ["our_own_widget", "tilda"]}) == {
        "store_builder": Mention("store_builder", "tilda", "integration")
    }
    assert mentions({}) == {} and mentions({"integrations": None, "description": None}) == {}


# --- descriptions --------------------------------------------------------------------------------------


def test_a_phrase_in_a_later_sentence_names_its_kind_in_another_word_form() -> None:
    description = (
        "Лайтбокс — сервис для малого бизнеса. "
        "Подключается к конструкторам интернет-магазинов и передаёт заказы курьерским службам."
    )
    found = mentions({"description": description})
    assert set(found) == {"store_builder", "last_mile"}
    assert all(m.via == "description" for m in found.values())
    # The evidence is the taxonomy's phrase, not the description's word form.
    assert found["last_mile"].evidence == "курьерские службы"
    store_phrases = next(s.phrases for i in taxonomy().industries for s in i.sub_industries if s.key == "store_builder")
    assert found["store_builder"].evidence in store_phrases


def test_a_phrase_matches_without_the_letter_yo_and_on_a_line_of_its_own() -> None:
    found = mentions({"description": "Сервис для кофеен\nЕсть готовое подключение к платежный сервис."})
    assert found == {"payments": Mention("payments", "платёжный сервис", "description")}


def test_every_word_of_a_phrase_must_be_in_one_sentence() -> None:
    split = "Сервис для малого бизнеса. Работаем с любым конструктором. Интернет-магазины нас любят."
    assert mentions({"description": split}) == {}
    together = "Сервис для малого бизнеса. Работаем с любым конструктором интернет-магазинов."
    assert set(mentions({"description": together})) == {"store_builder"}


def test_the_first_sentence_is_what_the_company_is_not_what_it_names() -> None:
    description = "ПлатиЛегко — платёжный шлюз для малого бизнеса. Передаёт чеки курьерским службам."
    assert set(mentions({"description": description})) == {"last_mile"}  # not payments
    assert described_as("ПлатиЛегко", description) == ("payments",)  # not last_mile
    # One sentence only: it names nothing.
    assert mentions({"description": "Платёжный шлюз для курьерских служб и конструкторов интернет-магазинов."}) == {}


def test_described_as_reads_the_name_too() -> None:
    assert described_as("Конструктор сайтов Про", "Сервис для малого бизнеса.") == ("store_builder",)
    assert described_as("Ромашка", "Сервис для малого бизнеса. Работает с курьерскими службами.") == ()


def test_an_integration_is_the_evidence_before_a_phrase_of_the_same_kind() -> None:
    company = {"integrations": ["cdek"], "description": "Сервис для кофеен. Работает с курьерскими службами."}
    assert mentions(company) == {"last_mile": Mention("last_mile", "cdek", "integration")}


# --- own kinds -----------------------------------------------------------------------------------------


def test_the_companys_own_kinds_are_never_mentions() -> None:
    company = {
        "integrations": ["yookassa", "tilda", "sbp"],
        "description": "ПлатиЛегко — сервис для бизнеса. Приём платежей и передача заказов курьерским службам.",
    }
    assert set(mentions(company)) == {"payments", "store_builder", "last_mile"}
    assert set(mentions(company, own=["payments"])) == {"store_builder", "last_mile"}
    assert set(mentions(company, own=("payments", "last_mile"))) == {"store_builder"}
    only_described = {"description": "ПлатиЛегко — сервис для бизнеса. Приём платежей по СБП и картам."}
    assert set(mentions(only_described)) == {"payments"} and mentions(only_described, own=["payments"]) == {}
    # A product of two kinds still names the one that is not the company's.
    assert set(mentions({"integrations": ["yandex_delivery"]}, own=["last_mile"])) == {"delivery_aggregator"}


# --- products_of ---------------------------------------------------------------------------------------


def test_products_of_are_the_integration_codes_of_those_kinds_sorted() -> None:
    payments = products_of(["payments"])
    assert payments == sorted(_products("payments")) and "yookassa" in payments and "tilda" not in payments
    both = products_of(["payments", "store_builder"])
    assert both == sorted({*_products("payments"), *_products("store_builder")}) and "tilda" in both
    aggregators = products_of(["delivery_aggregator"])
    assert "yandex_delivery" in aggregators and "cdek" not in aggregators  # cdek is last mile only
    assert products_of(["personal_finance"]) == [] and products_of(["no_such_kind"]) == [] and products_of([]) == []
    # What products_of returns, mentions reads back as those kinds.
    assert set(mentions({"integrations": products_of(["wms"])})) == {"wms"}
