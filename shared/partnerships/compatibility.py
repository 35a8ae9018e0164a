"""How well two companies fit as partners: the seed's four criteria, each 0..1 with Russian reasons.

Pure domain (no I/O). Companies are documents (`Company.model_dump(mode="json")` or a catalog row):
`industry`, `sub_industries`, `business_model`, `headquarters_country/city`, `employees_count`,
`integrations`, `api_available`, `tech_stack`, `description`, `ai_tags`.

Criteria (seed "compatibility_agent": технологическая совместимость, пересечение аудиторий,
дополняемость функционала, отсутствие прямой конкуренции) and their weights:

    complementarity 0.40  what the products do: COMPLEMENTS below (sub-industry pairs), else the
                          industry pairs those imply (0.5), else 0
    audience        0.25  business model/segment 0.35, shared customer tags 0.25, geography 0.25,
                          company size 0.15
    technology      0.20  shared integrations 0.5, API of either side 0.3, stack overlap 0.2
    no_competition  0.15  1 unless the two sell the same thing

Complementarity weighs most because it is what makes a partnership (an integration, a bundle, a
referral) rather than a rivalry; audience comes next (a partner is worth only as much as the
customers it shares). A direct competitor (same industry, a shared sub-industry or near-identical
descriptions) is a gate, not just a low criterion: its score is capped at COMPETITOR_CAP, so no
amount of shared integrations or geography lifts a rival into the suggestions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, Field

WEIGHTS: dict[str, float] = {"complementarity": 0.40, "audience": 0.25, "technology": 0.20, "no_competition": 0.15}
COMPETITOR_CAP = 0.15
CRITERION_TITLES = {
    "complementarity": "Дополняемость функционала",
    "audience": "Пересечение целевых аудиторий",
    "technology": "Технологическая совместимость",
    "no_competition": "Отсутствие прямой конкуренции",
}

# What each sub-industry of the catalog (localcloud/catalog: its real `sub_industries` values) plugs
# into, with the joint offering the pair could sell (a synergy area, in Russian). Symmetric: a pair
# is listed once. A pair in one industry (e.g. recruiting ↔ onboarding) serves one customer at two
# steps of one job; a pair across industries (CRM ↔ telephony) is an integration.
_PAIRS: tuple[tuple[str, str, str], ...] = (
    # CRM
    ("sales_crm", "virtual_pbx", "телефония и запись звонков в CRM"),
    ("sales_crm", "email_marketing", "рассылки по базе клиентов CRM"),
    ("sales_crm", "speech_analytics", "речевая аналитика звонков отдела продаж"),
    ("sales_crm", "ad_analytics", "сквозная аналитика от рекламы до сделки"),
    ("sales_crm", "bi", "отчёты по продажам в BI"),
    ("sales_crm", "contract_management", "договоры из карточки сделки"),
    ("sales_crm", "edo", "счета и закрывающие документы из CRM"),
    ("sales_crm", "omnichannel", "мессенджеры в карточке сделки"),
    ("omnichannel", "messaging_api", "доставка сообщений в мессенджеры"),
    ("omnichannel", "speech_analytics", "контроль качества диалогов"),
    ("omnichannel", "ecommerce_crm", "общение с покупателями из CRM магазина"),
    ("ecommerce_crm", "store_builder", "заказы сайта в CRM"),
    ("ecommerce_crm", "payments", "онлайн-оплата заказов"),
    ("ecommerce_crm", "delivery_aggregator", "доставка заказов из CRM"),
    ("ecommerce_crm", "loyalty", "программа лояльности для покупателей"),
    ("ecommerce_crm", "email_marketing", "триггерные рассылки покупателям"),
    ("ecommerce_crm", "messaging_api", "уведомления о заказах в мессенджеры"),
    ("ecommerce_crm", "fulfillment", "передача заказов на фулфилмент"),
    ("helpdesk", "chatbots", "чат-бот первой линии поддержки"),
    ("helpdesk", "virtual_pbx", "звонки в обращениях поддержки"),
    ("helpdesk", "speech_analytics", "контроль качества поддержки"),
    ("field_service", "property_management", "выездной сервис для управляющих компаний"),
    ("field_service", "payments", "оплата на выезде"),
    ("field_service", "last_mile", "маршруты выездных сотрудников"),
    # e-commerce
    ("store_builder", "payments", "приём оплаты в интернет-магазине"),
    ("store_builder", "delivery_aggregator", "расчёт и оформление доставки"),
    ("store_builder", "last_mile", "доставка последней мили"),
    ("store_builder", "pim", "каталог товаров для сайта"),
    ("store_builder", "reviews", "отзывы на сайте магазина"),
    ("store_builder", "email_marketing", "рассылки покупателям"),
    ("store_builder", "loyalty", "бонусы покупателям"),
    ("store_builder", "antifraud", "защита платежей от мошенничества"),
    ("store_builder", "fulfillment", "хранение и сборка заказов"),
    ("marketplace_management", "marketplace_analytics", "аналитика продаж на маркетплейсах"),
    ("marketplace_management", "fulfillment", "поставки на склады маркетплейсов"),
    ("marketplace_management", "wms", "остатки склада на маркетплейсах"),
    ("marketplace_management", "pricing", "управление ценами на маркетплейсах"),
    ("marketplace_management", "pim", "карточки товаров для маркетплейсов"),
    ("marketplace_management", "reviews", "ответы на отзывы покупателей"),
    ("marketplace_management", "influencer_marketing", "продвижение товаров у блогеров"),
    ("marketplace_management", "wholesale", "оптовые поставки и маркетплейсы в одном учёте"),
    ("fulfillment", "delivery_aggregator", "отгрузка со склада в службы доставки"),
    ("fulfillment", "last_mile", "доставка со склада фулфилмента"),
    ("pim", "marketplace_analytics", "контент карточек и аналитика продаж"),
    ("reviews", "loyalty", "бонусы за отзывы"),
    ("grocery_subscription", "payments", "рекуррентные платежи за подписку"),
    ("grocery_subscription", "last_mile", "доставка продуктовых подписок"),
    ("grocery_subscription", "loyalty", "лояльность подписчиков"),
    # logistics
    ("tms", "freight_marketplace", "поиск перевозчиков из TMS"),
    ("tms", "wms", "склад и транспорт в одной цепочке"),
    ("tms", "manufacturing_erp", "планирование отгрузок производства"),
    ("tms", "edo", "электронные транспортные накладные"),
    ("wms", "inventory", "остатки склада и магазинов"),
    ("wms", "wholesale", "складской учёт для оптовиков"),
    ("wms", "manufacturing_erp", "склад сырья и готовой продукции"),
    ("last_mile", "delivery_aggregator", "курьерская доставка в агрегаторе"),
    ("last_mile", "restaurant_tech", "доставка из ресторанов"),
    ("last_mile", "pharmacy", "доставка лекарств"),
    ("delivery_aggregator", "restaurant_tech", "доставка заказов ресторанов"),
    ("freight_marketplace", "lending", "факторинг и оплата перевозок"),
    ("freight_marketplace", "counterparty_check", "проверка перевозчиков"),
    ("freight_marketplace", "agri_marketplace", "перевозка сельхозпродукции"),
    # retail
    ("pos", "payments", "эквайринг на кассе"),
    ("pos", "inventory", "товароучёт для кассы"),
    ("pos", "loyalty", "бонусы на кассе"),
    ("pos", "accounting", "выручка кассы в бухгалтерии"),
    ("pos", "retail_analytics", "аналитика продаж магазинов"),
    ("inventory", "wholesale", "закупки у поставщиков"),
    ("inventory", "procurement", "автозаказ товаров"),
    ("inventory", "pharmacy", "учёт остатков аптек"),
    ("restaurant_tech", "pos", "касса для ресторана"),
    ("restaurant_tech", "loyalty", "лояльность гостей"),
    ("restaurant_tech", "payments", "оплата по QR в ресторане"),
    ("pricing", "retail_analytics", "ценообразование на данных продаж"),
    ("pricing", "marketplace_analytics", "цены конкурентов на маркетплейсах"),
    ("retail_analytics", "loyalty", "анализ покупателей программы лояльности"),
    # fintech
    ("payments", "accounting", "платежи в бухгалтерском учёте"),
    ("payments", "antifraud", "антифрод для платежей"),
    ("payments", "online_school_platform", "оплата курсов"),
    ("payments", "clinic_management", "онлайн-оплата приёмов"),
    ("payments", "rental", "оплата аренды онлайн"),
    ("payments", "agri_marketplace", "расчёты на агромаркетплейсе"),
    ("accounting", "payroll", "зарплата в бухгалтерском учёте"),
    ("accounting", "edo", "первичные документы через ЭДО"),
    ("accounting", "banking_api", "банковские выписки в бухгалтерии"),
    ("accounting", "counterparty_check", "проверка контрагентов при учёте"),
    ("accounting", "farm_management", "учёт для фермерских хозяйств"),
    ("accounting", "legal_consult", "бухгалтерия и юрист для малого бизнеса"),
    ("banking_api", "budgeting", "платёжный календарь по данным банков"),
    ("banking_api", "lending", "кредитный скоринг по банковским данным"),
    ("banking_api", "low_code", "банковские операции в low-code приложениях"),
    ("lending", "antifraud", "антифрод при выдаче кредитов"),
    ("lending", "counterparty_check", "проверка заёмщиков"),
    ("lending", "developer_sales", "ипотека для покупателей новостроек"),
    ("personal_finance", "banking_api", "агрегация счетов пользователя"),
    ("personal_finance", "antifraud", "защита пользователей от мошенников"),
    # HR
    ("recruiting", "onboarding", "от найма до адаптации"),
    ("recruiting", "job_search", "вакансии на площадках поиска работы"),
    ("recruiting", "hr_edo", "оформление кандидата после оффера"),
    ("recruiting", "payroll", "нанятые сотрудники сразу в расчёте зарплаты"),
    ("onboarding", "payroll", "зарплата с первого дня адаптации"),
    ("onboarding", "corporate_learning", "обучение новых сотрудников"),
    ("onboarding", "hr_edo", "кадровые документы при приёме"),
    ("onboarding", "performance", "цели испытательного срока"),
    ("payroll", "hr_edo", "кадровый учёт и зарплата"),
    ("payroll", "budgeting", "фонд оплаты труда в бюджете"),
    ("payroll", "performance", "премии по результатам оценки"),
    ("hr_edo", "contract_management", "трудовые договоры в электронном виде"),
    ("performance", "corporate_learning", "развитие по итогам оценки"),
    ("job_search", "university_tech", "трудоустройство выпускников"),
    ("job_search", "exam_prep", "карьерный путь после обучения"),
    # edtech
    ("online_school_platform", "email_marketing", "прогрев учеников рассылками"),
    ("online_school_platform", "video_conferencing", "вебинары для онлайн-школ"),
    ("online_school_platform", "smm", "продвижение курсов в соцсетях"),
    ("online_school_platform", "sales_crm", "продажи курсов через CRM"),
    ("corporate_learning", "video_conferencing", "онлайн-тренинги для сотрудников"),
    ("corporate_learning", "corporate_messenger", "обучение в корпоративном мессенджере"),
    ("corporate_learning", "security_awareness", "курсы по кибербезопасности"),
    ("university_tech", "video_conferencing", "дистанционные занятия вуза"),
    ("language_learning", "corporate_learning", "корпоративные курсы языков"),
    # martech
    ("email_marketing", "loyalty", "персональные предложения участникам программы"),
    ("email_marketing", "ad_analytics", "атрибуция рассылок"),
    ("email_marketing", "messaging_api", "каскадные рассылки: email и мессенджеры"),
    ("loyalty", "pharmacy", "лояльность аптечных сетей"),
    ("loyalty", "wellness", "бонусы за здоровые привычки"),
    ("smm", "ad_analytics", "аналитика рекламы в соцсетях"),
    ("smm", "influencer_marketing", "контент и блогеры в одной кампании"),
    ("smm", "chatbots", "чат-боты в сообществах"),
    ("influencer_marketing", "ad_analytics", "эффективность интеграций у блогеров"),
    ("ad_analytics", "virtual_pbx", "коллтрекинг"),
    ("ad_analytics", "product_analytics", "от рекламного клика до действий в продукте"),
    ("ad_analytics", "real_estate_crm", "аналитика рекламы объектов недвижимости"),
    # analytics
    ("bi", "data_platform", "хранилище данных для BI"),
    ("bi", "manufacturing_erp", "отчёты по производству"),
    ("bi", "budgeting", "план-факт анализ"),
    ("bi", "low_code", "дашборды в low-code приложениях"),
    ("data_platform", "product_analytics", "данные продукта в хранилище"),
    ("data_platform", "observability", "метрики инфраструктуры данных"),
    ("speech_analytics", "virtual_pbx", "анализ записей звонков"),
    ("speech_analytics", "real_estate_crm", "контроль звонков риелторов"),
    ("product_analytics", "testing", "A/B-тесты на продуктовых данных"),
    # devtools
    ("observability", "ci_cd", "мониторинг релизов"),
    ("observability", "api_management", "метрики API"),
    ("observability", "siem", "события безопасности из логов"),
    ("ci_cd", "code_collaboration", "сборка из репозитория"),
    ("ci_cd", "testing", "автотесты в пайплайне"),
    ("ci_cd", "appsec", "проверка безопасности в пайплайне"),
    ("code_collaboration", "testing", "тесты в код-ревью"),
    ("code_collaboration", "appsec", "анализ кода на уязвимости"),
    ("low_code", "api_management", "внешние API в low-code"),
    ("api_management", "appsec", "защита API"),
    ("api_management", "identity", "авторизация доступа к API"),
    # security
    ("dlp", "siem", "инциденты утечек в SIEM"),
    ("dlp", "security_awareness", "обучение сотрудников по итогам инцидентов"),
    ("dlp", "corporate_messenger", "контроль утечек в мессенджере"),
    ("dlp", "identity", "права доступа и контроль утечек"),
    ("siem", "identity", "журнал доступа в SIEM"),
    ("siem", "appsec", "уязвимости приложений в SIEM"),
    ("identity", "corporate_messenger", "единый вход в корпоративные сервисы"),
    ("identity", "hr_edo", "доступы по кадровым событиям"),
    ("identity", "e_services", "идентификация граждан"),
    ("antifraud", "banking_api", "антифрод для банковских операций"),
    ("security_awareness", "siem", "фишинговые учения и мониторинг"),
    # health
    ("clinic_management", "telemedicine", "онлайн-консультации пациентов клиники"),
    ("clinic_management", "medical_ai", "ИИ-помощник врача в МИС"),
    ("clinic_management", "virtual_pbx", "запись пациентов по телефону"),
    ("telemedicine", "pharmacy", "рецепты и доставка лекарств"),
    ("telemedicine", "wellness", "здоровье и профилактика"),
    ("telemedicine", "video_conferencing", "видеосвязь для консультаций"),
    ("telemedicine", "medical_ai", "ИИ-триаж обращений"),
    # ERP
    ("manufacturing_erp", "procurement", "закупки для производства"),
    ("manufacturing_erp", "budgeting", "бюджет производства"),
    ("manufacturing_erp", "edo", "документооборот с поставщиками"),
    ("wholesale", "edo", "ЭДО с покупателями"),
    ("wholesale", "procurement", "закупки оптовиков"),
    ("edo", "counterparty_check", "проверка контрагента перед подписанием"),
    ("edo", "contract_management", "подписание договоров через ЭДО"),
    ("procurement", "counterparty_check", "проверка поставщиков"),
    ("procurement", "gov_procurement", "участие в госзакупках"),
    # legal
    ("contract_management", "legal_ai", "ИИ-проверка договоров"),
    ("contract_management", "counterparty_check", "проверка стороны договора"),
    ("legal_consult", "legal_ai", "юрист и ИИ-помощник"),
    ("legal_consult", "ip_protection", "юридическая защита брендов"),
    ("ip_protection", "legal_ai", "ИИ-поиск по товарным знакам"),
    ("counterparty_check", "gov_procurement", "проверка участников закупок"),
    # property
    ("rental", "property_management", "аренда в управляющей компании"),
    ("rental", "smart_building", "умные замки для аренды"),
    ("property_management", "smart_building", "диспетчеризация домов"),
    ("property_management", "citizen_feedback", "обращения жителей"),
    ("smart_building", "smart_city", "дома в платформе умного города"),
    ("real_estate_crm", "virtual_pbx", "звонки клиентов агентства"),
    ("real_estate_crm", "developer_sales", "продажи новостроек через агентства"),
    ("developer_sales", "ad_analytics", "аналитика рекламы новостроек"),
    # agro
    ("farm_management", "precision_farming", "точное земледелие в учёте хозяйства"),
    ("farm_management", "livestock", "животноводство в учёте хозяйства"),
    ("farm_management", "agri_marketplace", "продажа урожая"),
    ("precision_farming", "agri_marketplace", "закупка удобрений по данным полей"),
    ("agri_marketplace", "lending", "кредиты для аграриев"),
    # government
    ("gov_procurement", "gov_edo", "документы закупок в СЭД"),
    ("smart_city", "citizen_feedback", "обращения горожан"),
    ("smart_city", "e_services", "городские электронные услуги"),
    ("e_services", "citizen_feedback", "обратная связь по услугам"),
    ("e_services", "gov_edo", "межведомственный документооборот"),
    ("citizen_feedback", "chatbots", "чат-бот для обращений граждан"),
    ("gov_edo", "dlp", "защита служебной информации"),
    # communications
    ("virtual_pbx", "clinic_management", "телефония для клиник"),
    ("video_conferencing", "corporate_messenger", "звонки из корпоративного мессенджера"),
    ("chatbots", "messaging_api", "чат-боты в мессенджерах"),
)

COMPLEMENTS: dict[frozenset[str], str] = {frozenset((a, b)): area for a, b, area in _PAIRS}

# The catalog's industries and their sub-industries (localcloud/catalog/companies.json): the industry
# pairs that complement each other are those with at least one complementary sub-industry pair.
INDUSTRY_OF_SUB: dict[str, str] = {
    sub: industry
    for industry, subs in {
        "crm": "omnichannel ecommerce_crm helpdesk field_service sales_crm",
        "agritech": "livestock precision_farming agri_marketplace farm_management",
        "analytics": "data_platform speech_analytics bi marketplace_analytics product_analytics",
        "cybersecurity": "dlp antifraud siem identity appsec security_awareness",
        "fintech": "lending payments accounting personal_finance banking_api",
        "ecommerce": "reviews store_builder marketplace_management fulfillment pim grocery_subscription",
        "logistics": "tms last_mile freight_marketplace wms delivery_aggregator",
        "retailtech": "inventory retail_analytics restaurant_tech pos pricing",
        "devtools": "observability code_collaboration testing low_code api_management ci_cd",
        "martech": "smm loyalty email_marketing influencer_marketing ad_analytics",
        "legaltech": "ip_protection contract_management legal_consult legal_ai counterparty_check",
        "healthtech": "medical_ai pharmacy clinic_management telemedicine wellness",
        "erp": "manufacturing_erp wholesale budgeting edo procurement",
        "hrtech": "hr_edo recruiting performance onboarding payroll job_search",
        "communications": "virtual_pbx video_conferencing chatbots messaging_api corporate_messenger",
        "edtech": "university_tech online_school_platform language_learning exam_prep corporate_learning",
        "govtech": "gov_procurement smart_city e_services citizen_feedback gov_edo",
        "proptech": "rental property_management smart_building real_estate_crm developer_sales",
    }.items()
    for sub in subs.split()
}
INDUSTRY_COMPLEMENTS: frozenset[frozenset[str]] = frozenset(
    frozenset((INDUSTRY_OF_SUB[a], INDUSTRY_OF_SUB[b]))
    for a, b, _ in _PAIRS
    if a in INDUSTRY_OF_SUB and b in INDUSTRY_OF_SUB and INDUSTRY_OF_SUB[a] != INDUSTRY_OF_SUB[b]
)


def complementary_subs(subs: Iterable[str]) -> dict[str, str]:
    """Sub-industries that complement any of `subs` → the synergy area (for candidate generation)."""
    own = set(subs)
    found: dict[str, str] = {}
    for a, b, area in _PAIRS:
        if a in own and b not in own:
            found.setdefault(b, area)
        if b in own and a not in own:
            found.setdefault(a, area)
    return found


def complementary_industries(industry: str) -> set[str]:
    return {i for pair in INDUSTRY_COMPLEMENTS if industry in pair for i in pair if i != industry}


# --- the result ----------------------------------------------------------------------------------------


class Criterion(BaseModel):
    name: str = Field(description="complementarity | audience | technology | no_competition")
    title: str = ""
    score: float = Field(ge=0, le=1)
    weight: float
    reasons: list[str] = Field(default_factory=list)

    def model_post_init(self, _: Any) -> None:
        if not self.title:
            self.title = CRITERION_TITLES.get(self.name, self.name)


class PairAnalysis(BaseModel):
    """`score` 0..1 (two decimals, as `partnerships.compatibility_score`); `competitor` gates it.

    The service fills the pair's ids and the explanation; `analyze_pair` leaves them empty."""

    company_a_id: str | None = None
    company_b_id: str | None = None
    score: float = Field(ge=0, le=1)
    criteria: list[Criterion]
    match_reasons: list[str]
    synergy_areas: list[str]
    competitor: bool
    ai_explanation: str | None = None
    analysis_method: str | None = Field(default=None, description="ai | offline")
    analyzed_by_agent: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The shape `shared.llm.tasks.explain_pair` takes (score, criteria, synergy_areas)."""
        return self.model_dump(mode="json")


# --- scoring -------------------------------------------------------------------------------------------


def analyze_pair(a: Mapping[str, Any], b: Mapping[str, Any]) -> PairAnalysis:
    """Score how well `a` and `b` would partner; symmetric in its score."""
    competition = _competition(a, b)
    criteria = [_complementarity(a, b), _audience(a, b), _technology(a, b), competition]
    raw = sum(c.score * c.weight for c in criteria)
    is_competitor = competition.score == 0.0
    score = round(min(raw, COMPETITOR_CAP) if is_competitor else raw, 2)
    synergy = _synergy_areas(a, b)
    reasons = [r for c in sorted(criteria, key=lambda c: -c.score * c.weight) for r in c.reasons[:2]]
    return PairAnalysis(
        score=max(0.0, min(1.0, score)),
        criteria=criteria,
        match_reasons=reasons,
        synergy_areas=synergy if not is_competitor else [],
        competitor=is_competitor,
    )


def _c(name: str, score: float, reasons: list[str]) -> Criterion:
    return Criterion(name=name, score=score, weight=WEIGHTS[name], reasons=reasons)


def _subs(c: Mapping[str, Any]) -> set[str]:
    return {str(s) for s in c.get("sub_industries") or []}


def _complementarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> Criterion:
    pairs = [
        (x, y, COMPLEMENTS[frozenset((x, y))]) for x in _subs(a) for y in _subs(b) if frozenset((x, y)) in COMPLEMENTS
    ]
    if pairs:
        reasons = [f"Продукты дополняют друг друга: {area}" for _, _, area in pairs[:3]]
        return _c("complementarity", 1.0, reasons)
    ia, ib = str(a.get("industry") or ""), str(b.get("industry") or "")
    if ia != ib and frozenset((ia, ib)) in INDUSTRY_COMPLEMENTS:
        return _c(
            "complementarity",
            0.5,
            [f"Смежные отрасли ({ia} и {ib}): возможна интеграция продуктов"],
        )
    if ia == ib and not (_subs(a) & _subs(b)):
        return _c("complementarity", 0.3, [f"Одна отрасль ({ia}), разные задачи клиента"])
    return _c("complementarity", 0.0, ["Продукты не дополняют друг друга"])


_MODEL_FIT = {
    frozenset({"B2B"}): 1.0,
    frozenset({"B2C"}): 1.0,
    frozenset({"B2B2C"}): 1.0,
    frozenset({"B2B", "B2B2C"}): 0.7,
    frozenset({"B2C", "B2B2C"}): 0.7,
    frozenset({"B2B", "B2C"}): 0.2,
}
# ai_tags that name a product, not a customer: shared ones mean the same product, not the same client.
_GENERIC_TAGS = {"b2b", "b2c", "saas", "api"}


def _audience(a: Mapping[str, Any], b: Mapping[str, Any]) -> Criterion:
    reasons: list[str] = []
    ma, mb = a.get("business_model"), b.get("business_model")
    model = _MODEL_FIT.get(frozenset({ma, mb}), 0.5) if ma and mb else 0.5
    if ma and mb and model >= 0.7:
        reasons.append(f"Общий сегмент клиентов: {ma}" + (f" и {mb}" if ma != mb else ""))
    shared_tags = sorted(_tags(a) & _tags(b) - _GENERIC_TAGS)
    tags = min(1.0, len(shared_tags) / 2)
    if shared_tags:
        reasons.append("Общие клиенты и задачи: " + ", ".join(shared_tags[:3]))
    ca, cb = a.get("headquarters_country"), b.get("headquarters_country")
    city_a, city_b = str(a.get("headquarters_city") or "").lower(), str(b.get("headquarters_city") or "").lower()
    if city_a and city_a == city_b:
        geo = 1.0
        reasons.append(f"Один город: {a.get('headquarters_city')}")
    elif ca and ca == cb:
        geo = 0.7
        reasons.append(f"Один рынок: {ca}")
    else:
        geo = 0.2 if ca and cb else 0.5
    size = _size_fit(a.get("employees_count"), b.get("employees_count"))
    if size >= 0.8:
        reasons.append("Компании сопоставимого размера")
    score = 0.35 * model + 0.25 * tags + 0.25 * geo + 0.15 * size
    return _c("audience", round(score, 3), reasons or ["Разные целевые аудитории"])


def _size_fit(x: Any, y: Any) -> float:
    """1 within 3x of each other, falling to 0.2 at 1000x: a startup and a giant rarely co-sell."""
    if not x or not y:
        return 0.5
    ratio = abs(math.log10(max(int(x), 1)) - math.log10(max(int(y), 1)))
    return max(0.2, min(1.0, 1.0 - (ratio - 0.5) * 0.32))


def _tags(c: Mapping[str, Any]) -> set[str]:
    return {str(t).lower() for t in c.get("ai_tags") or []}


def _technology(a: Mapping[str, Any], b: Mapping[str, Any]) -> Criterion:
    reasons: list[str] = []
    shared = sorted(set(a.get("integrations") or []) & set(b.get("integrations") or []))
    integ = min(1.0, len(shared) / 3)
    if shared:
        reasons.append("Общие интеграции: " + ", ".join(shared[:5]))
    api_a, api_b = bool(a.get("api_available")), bool(b.get("api_available"))
    api = 1.0 if api_a and api_b else 0.6 if api_a or api_b else 0.0
    if api_a and api_b:
        reasons.append("Открытый API у обеих компаний")
    elif api_a or api_b:
        reasons.append(f"Открытый API у «{(a if api_a else b).get('name')}»")
    stack_a, stack_b = _stack(a), _stack(b)
    common = stack_a & stack_b
    stack = len(common) / len(stack_a | stack_b) if stack_a | stack_b else 0.0
    if common:
        reasons.append("Общий стек: " + ", ".join(sorted(common)[:4]))
    score = 0.5 * integ + 0.3 * api + 0.2 * min(1.0, stack * 2)
    return _c("technology", round(score, 3), reasons or ["Нет общих интеграций и API"])


def _stack(c: Mapping[str, Any]) -> set[str]:
    stack = c.get("tech_stack") or {}
    return {str(v) for values in stack.values() for v in values or []} if isinstance(stack, Mapping) else set()


_WORD = re.compile(r"[a-zа-яё0-9]+")


@lru_cache(maxsize=4096)
def _stems(text: str) -> frozenset[str]:
    """Word stems (first 5 letters) of the words longer than 3: enough to match Russian word forms.

    Cached: ranking a pool compares the same company's text with each candidate's."""
    return frozenset(w[:5] for w in _WORD.findall(text.lower()) if len(w) > 3)


def description_similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    sa = _stems(f"{a.get('description') or ''} {' '.join(sorted(_tags(a)))}")
    sb = _stems(f"{b.get('description') or ''} {' '.join(sorted(_tags(b)))}")
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


SIMILAR_DESCRIPTIONS = 0.45


def _competition(a: Mapping[str, Any], b: Mapping[str, Any]) -> Criterion:
    """0 for a direct competitor: the same industry and a shared sub-industry, or the same industry and
    near-identical descriptions; 0.5 when other industries' descriptions read alike; else 1."""
    same_industry = a.get("industry") == b.get("industry")
    overlap = sorted(_subs(a) & _subs(b))
    similarity = description_similarity(a, b)
    if same_industry and overlap:
        return _c("no_competition", 0.0, [f"Прямые конкуренты: оба продукта — {', '.join(overlap)}"])
    if same_industry and similarity >= SIMILAR_DESCRIPTIONS:
        return _c("no_competition", 0.0, ["Прямые конкуренты: очень похожие продукты"])
    if similarity >= SIMILAR_DESCRIPTIONS:
        return _c("no_competition", 0.5, ["Продукты частично пересекаются по функциям"])
    return _c("no_competition", 1.0, ["Не конкурируют за одни и те же задачи клиента"])


def _synergy_areas(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    areas = [
        COMPLEMENTS[frozenset((x, y))]
        for x in sorted(_subs(a))
        for y in sorted(_subs(b))
        if frozenset((x, y)) in COMPLEMENTS
    ]
    shared = sorted(set(a.get("integrations") or []) & set(b.get("integrations") or []))
    if shared:
        areas.append("совместная интеграция с " + ", ".join(shared[:3]))
    if a.get("api_available") and b.get("api_available"):
        areas.append("интеграция по API")
    return [s[:100] for s in dict.fromkeys(areas)]


def is_direct_competitor(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return _competition(a, b).score == 0.0
