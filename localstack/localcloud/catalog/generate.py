"""A deterministic synthetic catalog of Russian B2B/B2C SaaS companies.

Everything comes from the word lists below and one `random.Random(seed)`: no network, no faker. The same
(count, seed) always gives the same catalog, so the committed `companies.json` can be checked against it.
Within an industry the sub-industries serve the same customers, so the catalog holds both competitors
(same sub-industry) and complementary products (a store builder, a delivery aggregator, a payments service
and an e-commerce CRM sharing integrations). Legal identifiers are valid: INN and OGRN carry the region of
the headquarters city and correct control digits.

    python -m localcloud.catalog.generate [--count N] [--seed S] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import TypedDict

from shared.companies.legal import inn_check_digits, ogrn_check_digit
from shared.companies.slugs import slugify

DEFAULT_OUT = Path(__file__).with_name("companies.json")
DEFAULT_COUNT = 320
DEFAULT_SEED = 2026
# The catalog is "as of" the end of this year: no funding round or founding after it.
AS_OF_YEAR = 2025


class TechStack(TypedDict):
    languages: list[str]
    frameworks: list[str]
    databases: list[str]
    cloud: list[str]


class CatalogCompany(TypedDict):
    name: str
    description: str
    website: str
    logo_url: str | None
    industry: str
    sub_industries: list[str]
    business_model: str
    founded_year: int
    headquarters_country: str
    headquarters_city: str
    employees_count: int
    funding_total: int
    funding_stage: str
    last_funding_date: str | None
    inn: str | None
    ogrn: str | None
    kpp: str | None
    legal_name: str
    legal_address: str
    tech_stack: TechStack
    integrations: list[str]
    api_available: bool
    api_documentation_url: str | None
    ai_tags: list[str]
    ai_summary: str


# --- vocabulary -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Audience:
    genitive: str  # "для интернет-магазинов"
    tag: str


AUDIENCES: dict[str, Audience] = {
    "smb": Audience("малого бизнеса", "малый бизнес"),
    "mid": Audience("среднего бизнеса", "средний бизнес"),
    "enterprise": Audience("крупных компаний", "enterprise"),
    "ecom": Audience("интернет-магазинов", "интернет-магазины"),
    "sellers": Audience("селлеров маркетплейсов", "селлеры"),
    "retail": Audience("розничных сетей", "ритейл"),
    "horeca": Audience("кафе и ресторанов", "horeca"),
    "services": Audience("салонов красоты и сервисных компаний", "сфера услуг"),
    "banks": Audience("банков и финтех-компаний", "банки"),
    "accountants": Audience("бухгалтеров и аутсорсинговых бухгалтерий", "бухгалтерия"),
    "finance_teams": Audience("финансовых служб", "финансы"),
    "hr": Audience("HR-отделов", "hr"),
    "recruiters": Audience("рекрутинговых агентств и HR-команд", "рекрутинг"),
    "job_seekers": Audience("соискателей и студентов", "соискатели"),
    "marketers": Audience("маркетологов", "маркетинг"),
    "agencies": Audience("digital-агентств", "агентства"),
    "schools": Audience("онлайн-школ", "онлайн-школы"),
    "universities": Audience("вузов и колледжей", "вузы"),
    "students": Audience("школьников и их родителей", "школьники"),
    "learners": Audience("работающих взрослых", "взрослые"),
    "lawyers": Audience("юристов и юридических фирм", "юристы"),
    "inhouse_legal": Audience("корпоративных юридических департаментов", "юрдепартамент"),
    "developers_re": Audience("девелоперов", "девелоперы"),
    "agents_re": Audience("агентств недвижимости", "риелторы"),
    "housing": Audience("управляющих компаний и ТСЖ", "жкх"),
    "tenants": Audience("арендаторов и собственников жилья", "аренда"),
    "carriers": Audience("транспортных компаний", "перевозчики"),
    "shippers": Audience("грузоотправителей", "грузоотправители"),
    "warehouses": Audience("складских операторов и фулфилмент-центров", "склады"),
    "clinics": Audience("частных клиник", "клиники"),
    "patients": Audience("пациентов", "пациенты"),
    "pharmacies": Audience("аптечных сетей", "аптеки"),
    "security_teams": Audience("служб информационной безопасности", "иб"),
    "it_teams": Audience("ИТ-отделов", "ит"),
    "dev_teams": Audience("команд разработки", "разработка"),
    "product_teams": Audience("продуктовых команд", "продукт"),
    "analysts": Audience("аналитиков данных", "аналитика"),
    "sales": Audience("отделов продаж", "продажи"),
    "support": Audience("служб поддержки", "поддержка"),
    "contact_centers": Audience("контакт-центров", "контакт-центр"),
    "manufacturing": Audience("производственных предприятий", "производство"),
    "distributors": Audience("дистрибьюторов и оптовых компаний", "опт"),
    "farmers": Audience("фермерских хозяйств и агрохолдингов", "агро"),
    "gov": Audience("органов власти и подведомственных учреждений", "госсектор"),
    "municipal": Audience("муниципалитетов", "муниципалитеты"),
    "consumers": Audience("частных пользователей", "b2c"),
}

# key: (nominative, instrumental) as a description writes them: "интегрируется с Яндекс Метрикой".
INTEGRATIONS: dict[str, tuple[str, str]] = {
    "amocrm": ("amoCRM", "amoCRM"),
    "bitrix24": ("Битрикс24", "Битрикс24"),
    "1c": ("1С", "1С"),
    "moysklad": ("МойСклад", "МоимСкладом"),
    "yookassa": ("ЮKassa", "ЮKassa"),
    "cloudpayments": ("CloudPayments", "CloudPayments"),
    "tinkoff_kassa": ("Т-Касса", "Т-Кассой"),
    "sbp": ("СБП", "СБП"),
    "telegram": ("Telegram", "Telegram"),
    "whatsapp": ("WhatsApp", "WhatsApp"),
    "vk": ("ВКонтакте", "ВКонтакте"),
    "yandex_metrica": ("Яндекс Метрика", "Яндекс Метрикой"),
    "yandex_direct": ("Яндекс Директ", "Яндекс Директом"),
    "mango_office": ("Mango Office", "Mango Office"),
    "sipuni": ("Sipuni", "Sipuni"),
    "hh_ru": ("hh.ru", "hh.ru"),
    "ozon": ("Ozon", "Ozon"),
    "wildberries": ("Wildberries", "Wildberries"),
    "cdek": ("СДЭК", "СДЭК"),
    "boxberry": ("Boxberry", "Boxberry"),
    "diadoc": ("Диадок", "Диадоком"),
    "sbis": ("СБИС", "СБИС"),
    "kontur_extern": ("Контур.Экстерн", "Контур.Экстерном"),
    "slack": ("Slack", "Slack"),
    "jira": ("Jira", "Jira"),
    "google_sheets": ("Google Sheets", "Google Sheets"),
    "mailchimp": ("Mailchimp", "Mailchimp"),
    "unisender": ("UniSender", "UniSender"),
    "retailcrm": ("RetailCRM", "RetailCRM"),
    "tilda": ("Tilda", "Tilda"),
}


@dataclass(frozen=True, slots=True)
class Sub:
    """A sub-industry: what its products are called, for whom, what they do and plug into."""

    key: str
    products: tuple[tuple[str, str], ...]  # (nominative phrase, grammatical gender m/f/n)
    audiences: tuple[str, ...]
    features: tuple[str, ...]
    benefits: tuple[str, ...]  # third-person present: "[Сервис] сокращает ..."
    integrations: tuple[str, ...]  # the core ones, most typical first
    tags: tuple[str, ...]
    consumer: bool  # sold to people: mostly B2C
    mixed: bool  # sold to businesses that serve people (payments, clinics, stores): often B2B2C
    exclude: tuple[str, ...]  # integrations that would be a competitor


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _sub(  # noqa: PLR0917 - the sub-industry table reads best positionally
    key: str,
    products: str,
    audiences: str,
    features: Sequence[str],
    benefits: Sequence[str],
    integrations: str,
    tags: Sequence[str],
    *,
    consumer: bool = False,
    mixed: bool = False,
    exclude: str = "",
) -> Sub:
    parsed = tuple((p.rsplit("/", 1)[0].strip(), p.rsplit("/", 1)[1]) for p in products.split(";"))
    return Sub(
        key,
        parsed,
        tuple(audiences.split()),
        tuple(features),
        tuple(benefits),
        tuple(integrations.split()),
        tuple(tags),
        consumer,
        mixed,
        tuple(exclude.split()),
    )


@dataclass(frozen=True, slots=True)
class Industry:
    key: str
    weight: float
    subs: tuple[Sub, ...]
    pool: tuple[str, ...]  # integrations typical for the industry, most typical first
    roots: tuple[str, ...]  # Cyrillic name roots: "Склад" + "Логик"
    words: tuple[str, ...]  # product words after a house brand: "Вектор.Кадры"
    fused: tuple[str, ...]  # whole brand words: "Счетовод"
    latin: tuple[tuple[str, str], ...]  # (Latin root, its Cyrillic reading for the legal name)
    languages: tuple[tuple[str, int], ...]
    extras: tuple[str, ...]  # closing sentences for descriptions
    api_share: float


def _industry(
    key: str,
    weight: float,
    subs: Sequence[Sub],
    *,
    pool: str,
    roots: str,
    words: str,
    fused: str,
    latin: str,
    languages: str,
    extras: Sequence[str],
    api_share: float,
) -> Industry:
    return Industry(
        key,
        weight,
        tuple(subs),
        tuple(pool.split()),
        tuple(roots.split()),
        tuple(words.split()),
        tuple(fused.split()),
        tuple((p.split(":")[0], p.split(":")[1]) for p in latin.split()),
        tuple((p.split(":")[0], int(p.split(":")[1])) for p in languages.split()),
        tuple(extras),
        api_share,
    )


INDUSTRIES: tuple[Industry, ...] = (
    _industry(
        "fintech",
        8,
        [
            _sub(
                "payments",
                "платёжный сервис/m; платёжный шлюз/m; сервис интернет-эквайринга/m",
                "ecom smb services",
                [
                    "приём платежей по СБП и банковским картам",
                    "рекуррентные списания для подписок",
                    "онлайн-касса по 54-ФЗ",
                    "платёжные ссылки и QR-коды",
                    "сплитование платежей между продавцами",
                ],
                [
                    "поднимает конверсию оплаты до {pct}% за счёт СБП и сохранённых карт",
                    "зачисляет деньги на расчётный счёт на следующий рабочий день",
                    "снимает с бизнеса заботу о фискализации чеков",
                ],
                "sbp 1c tilda retailcrm moysklad amocrm",
                ["платежи", "сбп", "эквайринг"],
                exclude="yookassa cloudpayments tinkoff_kassa",
                mixed=True,
            ),
            _sub(
                "lending",
                "платформа онлайн-кредитования/f; сервис кредитного скоринга/m",
                "banks smb",
                [
                    "скоринг заёмщиков на альтернативных данных",
                    "онлайн-заявка на кредит за пять минут",
                    "проверка по бюро кредитных историй",
                    "автоматическое принятие решений",
                    "сопровождение портфеля и работа с просрочкой",
                ],
                [
                    "сокращает время принятия кредитного решения до нескольких минут",
                    "снижает долю просроченной задолженности на {pct}%",
                    "позволяет запустить новый кредитный продукт без доработок АБС",
                ],
                "1c sbis diadoc telegram",
                ["кредитование", "скоринг", "bnpl"],
                mixed=True,
            ),
            _sub(
                "accounting",
                "облачная бухгалтерия/f; онлайн-сервис бухгалтерского учёта/m",
                "smb accountants",
                [
                    "расчёт налогов по УСН и патенту",
                    "отправка отчётности в ФНС и СФР",
                    "учёт первичных документов",
                    "сверка с банковской выпиской",
                    "напоминания о налоговых платежах",
                ],
                [
                    "избавляет предпринимателя от ручного расчёта налогов",
                    "сокращает время закрытия месяца на {pct}%",
                    "готовит и отправляет отчётность без бухгалтера в штате",
                ],
                "1c kontur_extern sbis diadoc moysklad",
                ["бухгалтерия", "налоги", "усн"],
            ),
            _sub(
                "banking_api",
                "сервис открытого банкинга/m; API-платформа для интеграции с банками/f",
                "finance_teams mid banks",
                [
                    "получение выписок из нескольких банков",
                    "отправка платёжных поручений через API",
                    "единый баланс по всем расчётным счетам",
                    "вебхуки о поступлениях",
                ],
                [
                    "объединяет счета в разных банках в одном окне",
                    "экономит финансовой службе до {h} часов в неделю",
                    "позволяет платить контрагентам прямо из учётной системы",
                ],
                "1c sbp google_sheets diadoc",
                ["открытый банкинг", "api", "казначейство"],
            ),
            _sub(
                "personal_finance",
                "мобильное приложение учёта личных финансов/n; сервис контроля расходов/m",
                "consumers",
                [
                    "автоматическая категоризация трат",
                    "бюджеты и финансовые цели",
                    "напоминания о платежах и подписках",
                    "аналитика расходов по месяцам",
                ],
                [
                    "помогает откладывать до {pct}% дохода без лишних усилий",
                    "показывает, куда уходят деньги, без ручного ввода",
                ],
                "sbp telegram google_sheets vk",
                ["личные финансы", "бюджет", "мобильное приложение"],
                consumer=True,
            ),
        ],
        pool="1c sbp yookassa cloudpayments tinkoff_kassa amocrm bitrix24 diadoc sbis kontur_extern telegram "
        "google_sheets moysklad retailcrm",
        roots="Пэй Плати Счёт Касса Финанс Кредит Монета Рубль Баланс Казна Сальдо Дебет Транш Профит",
        words="Платежи Касса Финансы Кредит Счета Бухгалтерия",
        fused="Платиум Счетовод Финоко Монетиум Казначей Рублика Финтерра Балансир Сальдино Платика",
        latin="Pay:ПЭЙ Fin:ФИН Cash:КЭШ Ledger:ЛЕДЖЕР Kassa:КАССА Coin:КОЙН Money:МАНИ",
        languages="Java:6 Kotlin:4 Go:4 Python:2 Scala:1 C#:1",
        extras=[
            "Сервис соответствует требованиям PCI DSS и 54-ФЗ.",
            "Поддерживает работу с несколькими юрлицами и расчётными счетами.",
        ],
        api_share=0.8,
    ),
    _industry(
        "hrtech",
        7,
        [
            _sub(
                "recruiting",
                "ATS-система для рекрутинга/f; платформа подбора персонала/f",
                "recruiters hr mid",
                [
                    "единая база кандидатов с поиском по резюме",
                    "автоматический разбор откликов с hh.ru",
                    "воронка найма с этапами и SLA",
                    "чат-бот для первичного скрининга",
                    "аналитика по источникам кандидатов",
                ],
                [
                    "сокращает время закрытия вакансии на {pct}%",
                    "избавляет рекрутеров от ручного переноса резюме",
                    "позволяет вести сотни вакансий в одном окне",
                ],
                "hh_ru telegram bitrix24 google_sheets slack",
                ["рекрутинг", "ats", "подбор персонала"],
            ),
            _sub(
                "payroll",
                "сервис расчёта зарплаты/m; облачная система кадрового учёта/f",
                "hr smb accountants",
                [
                    "расчёт зарплаты, отпускных и больничных",
                    "выплаты самозанятым и подрядчикам",
                    "электронные расчётные листки",
                    "отчётность в СФР и ФНС",
                ],
                [
                    "сокращает время расчёта зарплаты с нескольких дней до часов",
                    "исключает ошибки в начислениях при смене законодательства",
                ],
                "1c kontur_extern sbis sbp",
                ["зарплата", "кадровый учёт", "выплаты"],
            ),
            _sub(
                "onboarding",
                "платформа онбординга сотрудников/f; корпоративный портал/m",
                "hr enterprise mid",
                [
                    "маршруты адаптации для новичков",
                    "база знаний и чек-листы первого дня",
                    "опросы вовлечённости",
                    "бот-наставник в мессенджере",
                ],
                [
                    "снижает текучесть в первые три месяца на {pct}%",
                    "сокращает время выхода новичка на полную продуктивность",
                ],
                "telegram slack bitrix24 1c",
                ["онбординг", "адаптация", "вовлечённость"],
            ),
            _sub(
                "hr_edo",
                "сервис кадрового ЭДО/m; система кадрового электронного документооборота/f",
                "hr enterprise retail",
                [
                    "подписание кадровых документов с УНЭП",
                    "приём на работу без бумажных заявлений",
                    "хранение документов по требованиям ТК РФ",
                    "подписание через Госключ",
                ],
                [
                    "экономит до {pct}% затрат на печать и курьеров",
                    "переводит оформление сотрудников в онлайн за одну неделю",
                ],
                "1c diadoc sbis kontur_extern",
                ["кэдо", "электронная подпись", "кадры"],
            ),
            _sub(
                "performance",
                "платформа оценки персонала/f; сервис управления целями и OKR/m",
                "hr mid enterprise",
                [
                    "оценка 360 градусов",
                    "цели и OKR с каскадированием",
                    "индивидуальные планы развития",
                    "календарь встреч one-to-one",
                ],
                [
                    "делает пересмотр зарплат прозрачным и основанным на данных",
                    "помогает руководителям регулярно давать обратную связь",
                ],
                "slack jira telegram google_sheets bitrix24",
                ["оценка персонала", "okr", "обратная связь"],
            ),
            _sub(
                "job_search",
                "сервис поиска работы/m; карьерная платформа/f",
                "job_seekers",
                [
                    "подбор вакансий по навыкам",
                    "конструктор резюме",
                    "тренажёр собеседований",
                    "уведомления о новых вакансиях в Telegram",
                ],
                [
                    "помогает найти работу в среднем за {w} недель",
                    "показывает реальные зарплатные вилки по рынку",
                ],
                "hh_ru telegram vk",
                ["поиск работы", "карьера", "резюме"],
                consumer=True,
            ),
        ],
        pool="hh_ru 1c telegram slack bitrix24 google_sheets sbis diadoc kontur_extern jira whatsapp amocrm",
        roots="Кадры Штат Найм Команда Талант Персонал Резюме Карьера Смена Коллега Вакансия Рекрут",
        words="Кадры Найм Зарплата Штат Команда Персонал",
        fused="Кадровик Штатория Талантум Наймика Коллеги Рекрутико Персоналия Командор Смениум Офисея",
        latin="Hire:ХАЙР Staff:СТАФФ Team:ТИМ Talent:ТАЛАНТ People:ПИПЛ Job:ДЖОБ",
        languages="Python:4 PHP:3 Go:2 Java:1 Kotlin:1 1C:1",
        extras=[
            "Персональные данные сотрудников обрабатываются в соответствии с 152-ФЗ.",
            "Работает в веб-версии и в мобильном приложении для сотрудников.",
        ],
        api_share=0.65,
    ),
    _industry(
        "martech",
        7,
        [
            _sub(
                "email_marketing",
                "сервис email- и SMS-рассылок/m; платформа маркетинговых рассылок/f",
                "ecom marketers schools",
                [
                    "конструктор писем без вёрстки",
                    "триггерные цепочки по событиям на сайте",
                    "A/B-тесты тем и контента",
                    "рассылки в Telegram и ВКонтакте",
                    "сегментация базы по поведению",
                ],
                [
                    "возвращает до {pct}% брошенных корзин",
                    "увеличивает повторные продажи без роста рекламного бюджета",
                ],
                "tilda telegram vk retailcrm amocrm",
                ["email-маркетинг", "рассылки", "триггеры"],
                exclude="unisender mailchimp",
                mixed=True,
            ),
            _sub(
                "ad_analytics",
                "сервис сквозной аналитики/m; платформа маркетинговой аналитики/f",
                "marketers agencies ecom",
                [
                    "сквозная аналитика от клика до сделки",
                    "коллтрекинг и учёт звонков",
                    "сводные отчёты по рекламным каналам",
                    "расчёт ROMI и CAC по кампаниям",
                ],
                [
                    "показывает, какие кампании реально приносят продажи",
                    "помогает перераспределить бюджет и снизить стоимость лида на {pct}%",
                ],
                "yandex_metrica yandex_direct vk amocrm bitrix24 mango_office sipuni",
                ["сквозная аналитика", "коллтрекинг", "romi"],
            ),
            _sub(
                "loyalty",
                "платформа программ лояльности/f; сервис бонусных программ/m",
                "retail horeca ecom",
                [
                    "электронные карты лояльности в Wallet",
                    "кешбэк и персональные акции",
                    "сегментация клиентов по RFM",
                    "push- и SMS-уведомления",
                ],
                [
                    "увеличивает частоту покупок постоянных клиентов на {pct}%",
                    "превращает разовых покупателей в постоянных",
                ],
                "1c retailcrm moysklad telegram whatsapp vk",
                ["лояльность", "бонусы", "удержание"],
                mixed=True,
            ),
            _sub(
                "smm",
                "сервис управления соцсетями/m; платформа SMM-планирования/f",
                "marketers agencies smb",
                [
                    "отложенный постинг во ВКонтакте, Telegram и Одноклассники",
                    "единый инбокс комментариев и сообщений",
                    "мониторинг упоминаний бренда",
                    "отчёты по охватам и вовлечённости",
                ],
                [
                    "экономит SMM-специалисту до {h} часов в неделю",
                    "позволяет вести десятки сообществ из одного окна",
                ],
                "vk telegram yandex_metrica google_sheets",
                ["smm", "соцсети", "контент"],
            ),
            _sub(
                "influencer_marketing",
                "платформа для работы с блогерами/f; маркетплейс инфлюенс-маркетинга/m",
                "marketers agencies sellers",
                [
                    "база блогеров с проверкой аудитории",
                    "безопасная сделка и маркировка рекламы в ЕРИР",
                    "отслеживание публикаций и переходов",
                    "отчёт по охвату и продажам",
                ],
                [
                    "снимает с бренда заботу о маркировке рекламы",
                    "помогает находить блогеров без накрученной аудитории",
                ],
                "vk telegram yandex_metrica ozon wildberries",
                ["блогеры", "инфлюенс-маркетинг", "маркировка рекламы"],
            ),
        ],
        pool="yandex_metrica yandex_direct vk telegram amocrm bitrix24 tilda unisender mailchimp retailcrm "
        "google_sheets whatsapp mango_office sipuni",
        roots="Клик Лид Охват Трафик Бренд Медиа Промо Воронка Сегмент Рассылка Отклик Бонус",
        words="Маркетинг Рассылки Реклама Аналитика Лояльность Лиды",
        fused="Кликомер Охватика Промоград Рассыльщик Бонусница Лидерра Трафика Воронкус Медиана Сегментум",
        latin="Click:КЛИК Lead:ЛИД Promo:ПРОМО Brand:БРЕНД Reach:РИЧ Mail:МЕЙЛ Growth:ГРОУС",
        languages="Python:4 Go:3 PHP:3 Java:1",
        extras=[
            "Данные о клиентах хранятся в России в соответствии с 152-ФЗ.",
            "Есть готовые шаблоны для e-commerce, образования и сферы услуг.",
        ],
        api_share=0.7,
    ),
    _industry(
        "edtech",
        6,
        [
            _sub(
                "corporate_learning",
                "LMS для корпоративного обучения/f; платформа корпоративного обучения/f",
                "hr enterprise retail",
                [
                    "конструктор курсов и тестов",
                    "траектории обучения по должностям",
                    "вебинары и очные тренинги в одном календаре",
                    "аналитика прохождения и аттестации",
                ],
                [
                    "сокращает время обучения новых сотрудников на {pct}%",
                    "позволяет обучать тысячи сотрудников в филиалах без выезда тренеров",
                ],
                "1c bitrix24 telegram slack",
                ["lms", "корпоративное обучение", "курсы"],
            ),
            _sub(
                "online_school_platform",
                "платформа для онлайн-школ/f; конструктор онлайн-курсов/m",
                "schools smb",
                [
                    "продажа курсов с приёмом оплаты",
                    "домашние задания с проверкой кураторами",
                    "вебинарная комната",
                    "геймификация и сертификаты",
                ],
                [
                    "позволяет запустить онлайн-школу за один день",
                    "повышает доходимость учеников до конца курса на {pct}%",
                ],
                "yookassa cloudpayments tilda amocrm telegram unisender",
                ["онлайн-школа", "инфобизнес", "курсы"],
                mixed=True,
            ),
            _sub(
                "exam_prep",
                "онлайн-платформа с репетиторами/f; сервис подготовки к ЕГЭ и ОГЭ/m",
                "students",
                [
                    "занятия с репетитором в интерактивном классе",
                    "адаптивные тренажёры по заданиям ЕГЭ",
                    "отчёты о прогрессе для родителей",
                    "пробные экзамены с автоматической проверкой",
                ],
                [
                    "повышает средний балл ЕГЭ выпускников на {pts} баллов",
                    "подбирает репетитора под цель и расписание ученика",
                ],
                "telegram vk yookassa sbp",
                ["егэ", "репетиторы", "школьники"],
                consumer=True,
            ),
            _sub(
                "university_tech",
                "цифровая платформа для вузов/f; система управления учебным процессом/f",
                "universities",
                [
                    "электронное расписание и журнал",
                    "личный кабинет студента",
                    "приёмная кампания онлайн",
                    "электронное портфолио",
                ],
                [
                    "переводит работу приёмной комиссии в онлайн",
                    "экономит методистам до {h} часов в неделю",
                ],
                "1c telegram vk google_sheets",
                ["вузы", "расписание", "цифровой кампус"],
            ),
            _sub(
                "language_learning",
                "приложение для изучения иностранных языков/n; онлайн-школа английского языка/f",
                "learners",
                [
                    "разговорные клубы с носителями",
                    "персональный план обучения",
                    "интервальное повторение слов",
                    "проверка произношения с помощью ИИ",
                ],
                [
                    "помогает выйти на разговорный уровень за {mo} месяцев",
                    "удерживает мотивацию за счёт коротких ежедневных уроков",
                ],
                "telegram vk yookassa sbp cloudpayments",
                ["английский язык", "изучение языков", "мобильное приложение"],
                consumer=True,
            ),
        ],
        pool="telegram vk yookassa cloudpayments sbp amocrm bitrix24 tilda unisender 1c google_sheets hh_ru slack",
        roots="Урок Класс Учёба Курс Школа Тьютор Навык Студент Экзамен Лекция Умник Профи",
        words="Обучение Курсы Школа Класс Знания Экзамен",
        fused="Учимся Урокиум Знаниеград Навыкус Тьюторика Класснет Лекторий Грамотей Умникум Знатоки",
        latin="Skill:СКИЛЛ Learn:ЛЁРН Edu:ЭДУ Class:КЛАСС Tutor:ТЬЮТОР Mind:МАЙНД",
        languages="Python:4 PHP:3 Go:2 Kotlin:1 Java:1",
        extras=[
            "Есть мобильное приложение с офлайн-доступом к материалам.",
            "Программы можно согласовать с требованиями профстандартов.",
        ],
        api_share=0.55,
    ),
    _industry(
        "legaltech",
        4.5,
        [
            _sub(
                "contract_management",
                "система управления договорами/f; сервис согласования договоров/m",
                "inhouse_legal mid enterprise",
                [
                    "маршруты согласования договоров",
                    "шаблоны и конструктор документов",
                    "контроль сроков и обязательств",
                    "подписание с КЭП",
                ],
                [
                    "сокращает цикл согласования договора с недель до дней",
                    "не даёт пропустить срок пролонгации или оплаты",
                ],
                "diadoc sbis 1c bitrix24",
                ["договоры", "согласование", "clm"],
            ),
            _sub(
                "counterparty_check",
                "сервис проверки контрагентов/m; система due diligence/f",
                "finance_teams lawyers banks",
                [
                    "проверка по ЕГРЮЛ, ФССП и арбитражным делам",
                    "оценка риска банкротства",
                    "мониторинг изменений у контрагентов",
                    "отчёты для службы безопасности",
                ],
                [
                    "снижает риск сделок с однодневками",
                    "экономит юристу до {h} часов в неделю на проверках",
                ],
                "1c bitrix24 amocrm diadoc sbis",
                ["проверка контрагентов", "егрюл", "due diligence"],
            ),
            _sub(
                "legal_ai",
                "ИИ-ассистент для юристов/m; сервис анализа документов на базе ИИ/m",
                "lawyers inhouse_legal",
                [
                    "поиск рисков в договорах",
                    "подбор судебной практики",
                    "генерация исков и претензий",
                    "сравнение редакций документа",
                ],
                [
                    "ускоряет проверку договора в {x} раза",
                    "помогает юристу не упустить невыгодные условия",
                ],
                "telegram bitrix24 slack",
                ["ии", "анализ договоров", "судебная практика"],
            ),
            _sub(
                "ip_protection",
                "сервис регистрации товарных знаков/m; платформа защиты интеллектуальной собственности/f",
                "smb sellers",
                [
                    "проверка товарного знака по базам Роспатента",
                    "подача заявки онлайн",
                    "мониторинг нарушений на маркетплейсах",
                    "жалобы на копии карточек товаров",
                ],
                [
                    "помогает зарегистрировать товарный знак без визита к патентному поверенному",
                    "защищает бренд селлера от подделок на маркетплейсах",
                ],
                "ozon wildberries telegram amocrm",
                ["товарные знаки", "интеллектуальная собственность", "роспатент"],
            ),
            _sub(
                "legal_consult",
                "онлайн-сервис юридических консультаций/m",
                "consumers",
                [
                    "консультация юриста в чате за 15 минут",
                    "конструктор заявлений и претензий",
                    "сопровождение в суде",
                    "семейная подписка",
                ],
                [
                    "помогает решить бытовой юридический вопрос без визита в офис",
                    "делает юридическую помощь доступной по фиксированной цене",
                ],
                "telegram whatsapp vk sbp yookassa",
                ["юридическая помощь", "консультации", "b2c"],
                consumer=True,
            ),
        ],
        pool="diadoc sbis kontur_extern 1c bitrix24 amocrm telegram slack google_sheets jira",
        roots="Право Закон Договор Юрист Кодекс Норма Иск Акт Лекс Суд Параграф Реестр",
        words="Договоры Право Юрист Документы Контрагенты",
        fused="Правовед Юристика Законник Договорум Кодексия Нотариум Лексиум Правотека Адвокатус Статутум",
        latin="Lex:ЛЕКС Legal:ЛИГАЛ Law:ЛОУ Doc:ДОК Juris:ЮРИС Case:КЕЙС",
        languages="Python:5 Java:2 C#:1 PHP:1",
        extras=[
            "Соблюдает требования адвокатской тайны и 152-ФЗ.",
            "Можно развернуть в контуре заказчика для работы с конфиденциальными документами.",
        ],
        api_share=0.55,
    ),
    _industry(
        "proptech",
        4.5,
        [
            _sub(
                "property_management",
                "платформа для управляющих компаний/f; сервис управления многоквартирными домами/m",
                "housing",
                [
                    "мобильное приложение для жителей",
                    "приём заявок и контроль исполнителей",
                    "онлайн-оплата ЖКУ",
                    "передача показаний счётчиков",
                ],
                [
                    "сокращает число звонков в диспетчерскую на {pct}%",
                    "повышает собираемость платежей за ЖКУ",
                ],
                "1c sbp yookassa telegram whatsapp",
                ["жкх", "управляющая компания", "мобильное приложение"],
                mixed=True,
            ),
            _sub(
                "real_estate_crm",
                "CRM для агентств недвижимости/f; сервис для риелторов/m",
                "agents_re developers_re",
                [
                    "база объектов с выгрузкой на площадки",
                    "подбор объектов под запрос клиента",
                    "воронка сделок и ипотечные заявки",
                    "онлайн-показы и бронирование",
                ],
                [
                    "экономит агенту до {h} часов в неделю на рутине",
                    "помогает не терять лиды с рекламных площадок",
                ],
                "whatsapp telegram yandex_direct mango_office",
                ["недвижимость", "риелторы", "crm"],
                exclude="amocrm bitrix24",
            ),
            _sub(
                "developer_sales",
                "платформа цифровых продаж для девелоперов/f; сервис онлайн-бронирования квартир/m",
                "developers_re",
                [
                    "интерактивный выбор квартиры на шахматке",
                    "онлайн-бронирование и оплата",
                    "электронная регистрация ДДУ",
                    "аналитика спроса по планировкам",
                ],
                [
                    "позволяет провести сделку с дольщиком за {d} дней",
                    "переводит до {pct}% сделок в онлайн",
                ],
                "amocrm bitrix24 1c yandex_metrica sbp",
                ["девелопмент", "новостройки", "онлайн-продажи"],
                mixed=True,
            ),
            _sub(
                "rental",
                "сервис долгосрочной аренды жилья/m; приложение для аренды квартир/n",
                "tenants",
                [
                    "проверенные объявления без посредников",
                    "онлайн-договор аренды",
                    "ежемесячная оплата по СБП",
                    "страхование залога",
                ],
                [
                    "помогает снять квартиру без комиссии агенту",
                    "защищает собственника и арендатора электронным договором",
                ],
                "sbp yookassa telegram vk",
                ["аренда", "жильё", "без посредников"],
                consumer=True,
            ),
            _sub(
                "smart_building",
                "платформа умного здания/f; система диспетчеризации зданий/f",
                "housing enterprise developers_re",
                [
                    "удалённое управление инженерными системами",
                    "контроль доступа и пропусков",
                    "датчики протечек и энергопотребления",
                    "предиктивное обслуживание оборудования",
                ],
                [
                    "снижает расходы на энергию на {pct}%",
                    "предупреждает аварии до того, как они случились",
                ],
                "1c telegram bitrix24",
                ["умное здание", "iot", "эксплуатация"],
            ),
        ],
        pool="amocrm bitrix24 1c sbp yookassa telegram whatsapp vk yandex_direct yandex_metrica mango_office "
        "google_sheets",
        roots="Дом Кварта Метр Ключ Этаж Квадрат Жилище Крыша Подъезд Фасад Адрес Двор",
        words="Дом Недвижимость Аренда Жильё Объекты ЖКХ",
        fused="Домовой Квартирум Ключница Этажерка Новосёл Домострой Квадратум Жилфонд Фасадия Дворик",
        latin="Home:ХОУМ Estate:ЭСТЕЙТ Key:КИ Domus:ДОМУС Realty:РИЭЛТИ Flat:ФЛЭТ",
        languages="PHP:3 Python:3 Go:2 Kotlin:1 Java:1",
        extras=[
            "Мобильное приложение доступно в App Store, Google Play и RuStore.",
            "Работает в {n} регионах России.",
        ],
        api_share=0.55,
    ),
    _industry(
        "retailtech",
        5,
        [
            _sub(
                "pos",
                "облачная касса/f; POS-система для розницы/f",
                "retail horeca smb",
                [
                    "касса на смартфоне или планшете",
                    "товароучёт и инвентаризация",
                    "работа с маркировкой «Честный знак» и ЕГАИС",
                    "отчёты по сменам и продавцам",
                ],
                [
                    "позволяет открыть новую торговую точку за один день",
                    "снимает риск штрафов за нарушения при работе с маркировкой",
                ],
                "1c moysklad sbp tinkoff_kassa yookassa",
                ["касса", "54-фз", "маркировка"],
            ),
            _sub(
                "inventory",
                "сервис товароучёта/m; облачная система управления запасами/f",
                "retail distributors smb",
                [
                    "автоматический заказ поставщикам",
                    "прогноз спроса по магазинам",
                    "учёт остатков в реальном времени",
                    "перемещения между складами и точками",
                ],
                [
                    "сокращает товарные запасы на {pct}% без потери продаж",
                    "снижает долю пустых полок в магазинах",
                ],
                "1c ozon wildberries retailcrm",
                ["товароучёт", "запасы", "прогноз спроса"],
                exclude="moysklad",
            ),
            _sub(
                "retail_analytics",
                "платформа аналитики для розницы/f; сервис видеоаналитики магазинов/m",
                "retail",
                [
                    "подсчёт посетителей и конверсии",
                    "тепловые карты торгового зала",
                    "анализ чеков и покупательской корзины",
                    "контроль выкладки по фото",
                ],
                [
                    "помогает поднять конверсию магазина на {pct}%",
                    "показывает эффективность каждой промоакции",
                ],
                "1c google_sheets telegram yandex_metrica",
                ["аналитика розницы", "видеоаналитика", "выкладка"],
            ),
            _sub(
                "pricing",
                "сервис мониторинга цен/m; система динамического ценообразования/f",
                "retail ecom sellers",
                [
                    "мониторинг цен конкурентов",
                    "ценовые правила и автоматическая переоценка",
                    "электронные ценники",
                    "анализ эластичности спроса",
                ],
                [
                    "увеличивает маржинальность на {pp} процентных пунктов",
                    "позволяет переоценить тысячи позиций за минуты",
                ],
                "ozon wildberries 1c moysklad google_sheets",
                ["ценообразование", "мониторинг цен", "маржа"],
            ),
            _sub(
                "restaurant_tech",
                "система автоматизации ресторанов/f; сервис онлайн-заказов для кафе/m",
                "horeca",
                [
                    "QR-меню и заказ со стола",
                    "управление кухней и стоп-листами",
                    "доставка и самовывоз",
                    "программа лояльности для гостей",
                ],
                [
                    "ускоряет обслуживание гостей на {pct}%",
                    "сокращает списания продуктов на кухне",
                ],
                "1c sbp yookassa telegram tinkoff_kassa",
                ["horeca", "рестораны", "qr-меню"],
                mixed=True,
            ),
        ],
        pool="1c moysklad sbp yookassa tinkoff_kassa retailcrm ozon wildberries telegram google_sheets bitrix24 vk",
        roots="Полка Чек Витрина Прилавок Товар Магазин Корзина Ценник Лавка Кассир Меню Покупка",
        words="Касса Ритейл Магазин Цены Товары Ресторан",
        fused="Прилавкин Витринум Ценовик Кассиопея Полкомер Товарник Лавочка Чекиум Закупщик Меновщик",
        latin="Shop:ШОП Retail:РИТЕЙЛ Check:ЧЕК Store:СТОР Price:ПРАЙС Cart:КАРТ",
        languages="Python:3 Java:2 Kotlin:2 Go:2 C#:1 1C:2",
        extras=[
            "Поддерживает работу с маркировкой «Честный знак» и ЕГАИС.",
            "Оборудование можно взять в аренду вместе с подпиской.",
        ],
        api_share=0.65,
    ),
    _industry(
        "logistics",
        6,
        [
            _sub(
                "wms",
                "облачная WMS/f; система управления складом/f",
                "warehouses ecom distributors",
                [
                    "адресное хранение",
                    "сборка заказов с терминалами сбора данных",
                    "приёмка и инвентаризация по штрихкодам",
                    "поставки на склады маркетплейсов",
                ],
                [
                    "ускоряет сборку заказов на {pct}%",
                    "снижает пересорт и потери на складе",
                ],
                "1c moysklad ozon wildberries retailcrm",
                ["wms", "склад", "фулфилмент"],
            ),
            _sub(
                "delivery_aggregator",
                "агрегатор служб доставки/m; сервис доставки для интернет-магазинов/m",
                "ecom sellers smb",
                [
                    "сравнение тарифов СДЭК, Boxberry и других служб",
                    "печать этикеток и накладных",
                    "виджет выбора пункта выдачи на сайте",
                    "отслеживание посылок и уведомления покупателям",
                ],
                [
                    "снижает стоимость доставки на {pct}% за счёт выбора оптимального тарифа",
                    "экономит логисту часы на оформлении отправлений",
                ],
                "cdek boxberry retailcrm moysklad tilda 1c",
                ["доставка", "пвз", "агрегатор"],
                mixed=True,
            ),
            _sub(
                "tms",
                "TMS-система/f; платформа управления перевозками/f",
                "shippers carriers manufacturing",
                [
                    "планирование рейсов и маршрутов",
                    "электронные транспортные накладные",
                    "торги между перевозчиками",
                    "GPS-мониторинг транспорта",
                ],
                [
                    "снижает стоимость перевозок на {pct}%",
                    "избавляет от бумажных ТТН за счёт ЭТрН",
                ],
                "1c diadoc sbis telegram",
                ["tms", "грузоперевозки", "этрн"],
            ),
            _sub(
                "last_mile",
                "сервис маршрутизации курьеров/m; платформа последней мили/f",
                "ecom retail horeca",
                [
                    "автоматическое построение маршрутов",
                    "мобильное приложение курьера",
                    "окна доставки для клиентов",
                    "приём оплаты при получении",
                ],
                [
                    "увеличивает число доставок на курьера в день на {pct}%",
                    "сокращает опоздания и жалобы клиентов",
                ],
                "1c retailcrm telegram sbp yookassa",
                ["последняя миля", "курьеры", "маршрутизация"],
                mixed=True,
            ),
            _sub(
                "freight_marketplace",
                "цифровая грузовая биржа/f; маркетплейс грузоперевозок/m",
                "carriers shippers",
                [
                    "поиск грузов и попутных машин",
                    "проверка перевозчиков",
                    "быстрые выплаты водителям",
                    "электронный документооборот по перевозке",
                ],
                [
                    "сокращает порожние пробеги",
                    "позволяет перевозчику получать оплату за {d} дней вместо месяца",
                ],
                "diadoc sbis sbp telegram 1c",
                ["грузоперевозки", "биржа грузов", "перевозчики"],
            ),
        ],
        pool="1c moysklad cdek boxberry ozon wildberries retailcrm diadoc sbis telegram google_sheets sbp yookassa",
        roots="Склад Груз Маршрут Рейс Посылка Курьер Доставка Фура Трек Паллета Логист Транзит",
        words="Склад Доставка Логистика Перевозки Маршрут Груз",
        fused="Складия Грузовичок Посылкин Курьерус Маршрутия Фуравоз Паллетикс Рейсомер Доставкино Грузолёт",
        latin="Cargo:КАРГО Route:РАУТ Ship:ШИП Track:ТРЕК Fleet:ФЛИТ Parcel:ПАРСЕЛ",
        languages="Go:3 Java:3 Python:3 Kotlin:2 PHP:1 1C:1",
        extras=[
            "Поддерживает электронные перевозочные документы через операторов ЭДО.",
            "Мобильное приложение работает без интернета и синхронизируется при появлении связи.",
        ],
        api_share=0.7,
    ),
    _industry(
        "healthtech",
        5,
        [
            _sub(
                "clinic_management",
                "медицинская информационная система/f; CRM для частных клиник/f",
                "clinics",
                [
                    "онлайн-запись к врачам",
                    "электронная медицинская карта",
                    "расписание и загрузка кабинетов",
                    "передача данных в ЕГИСЗ",
                ],
                [
                    "снижает число неявок пациентов на {pct}%",
                    "освобождает администраторов от ручной записи по телефону",
                ],
                "1c mango_office sipuni whatsapp telegram amocrm",
                ["мис", "клиники", "онлайн-запись"],
                mixed=True,
            ),
            _sub(
                "telemedicine",
                "сервис телемедицины/m; приложение для онлайн-консультаций с врачами/n",
                "patients clinics",
                [
                    "видеоконсультации с врачами",
                    "второе мнение по снимкам",
                    "электронные рецепты",
                    "дистанционный мониторинг хронических пациентов",
                ],
                [
                    "помогает получить консультацию врача за {m} минут",
                    "сокращает количество лишних очных визитов",
                ],
                "telegram sbp yookassa whatsapp",
                ["телемедицина", "онлайн-консультации", "врачи"],
                consumer=True,
            ),
            _sub(
                "medical_ai",
                "сервис ИИ-анализа медицинских изображений/m; система поддержки врачебных решений/f",
                "clinics gov",
                [
                    "поиск патологий на КТ и рентгеновских снимках",
                    "приоритизация срочных исследований",
                    "второе чтение маммограмм",
                    "интеграция с PACS",
                ],
                [
                    "сокращает время описания исследования на {pct}%",
                    "помогает врачу не пропустить ранние признаки заболевания",
                ],
                "1c telegram",
                ["ии", "медицинские изображения", "диагностика"],
            ),
            _sub(
                "pharmacy",
                "сервис для аптечных сетей/m; платформа онлайн-бронирования лекарств/f",
                "pharmacies",
                [
                    "бронирование лекарств с самовывозом",
                    "работа с маркировкой МДЛП",
                    "управление ассортиментом и сроками годности",
                    "программы лояльности для покупателей",
                ],
                [
                    "увеличивает онлайн-продажи аптек на {pct}%",
                    "снижает списания просроченных препаратов",
                ],
                "1c moysklad sbp telegram yandex_metrica",
                ["аптеки", "мдлп", "фарма"],
                mixed=True,
            ),
            _sub(
                "wellness",
                "приложение для здоровья и фитнеса/n; сервис записи в фитнес-клубы/m",
                "consumers",
                [
                    "персональные программы тренировок",
                    "трекинг сна и питания",
                    "абонементы и онлайн-запись",
                    "синхронизация с фитнес-браслетами",
                ],
                [
                    "помогает формировать полезные привычки",
                    "продлевает жизнь клиента фитнес-клуба на {pct}%",
                ],
                "telegram vk sbp yookassa cloudpayments",
                ["здоровье", "фитнес", "wellness"],
                consumer=True,
            ),
        ],
        pool="1c telegram whatsapp mango_office sipuni amocrm bitrix24 sbp yookassa moysklad yandex_metrica "
        "google_sheets",
        roots="Мед Доктор Клиника Пульс Здоровье Лекарь Аптека Терапия Вита Кардио Пациент Диагноз",
        words="Клиника Здоровье Медицина Доктор Аптека Пациент",
        fused="Медикум Докторика Пульсар Витамед Здравница Аптекарь Кардиум Терапевтика Медтека Лекарь",
        latin="Med:МЕД Doc:ДОК Health:ХЕЛС Care:КЭР Pulse:ПАЛС Vita:ВИТА",
        languages="Python:3 Java:3 C#:2 Go:2 PHP:1",
        extras=[
            "Медицинские данные хранятся в аттестованном облаке в соответствии с 152-ФЗ и 323-ФЗ.",
            "Есть приложение для пациентов с напоминаниями о приёме.",
        ],
        api_share=0.55,
    ),
    _industry(
        "cybersecurity",
        5,
        [
            _sub(
                "siem",
                "SIEM-система/f; платформа мониторинга событий безопасности/f",
                "security_teams enterprise banks",
                [
                    "сбор и корреляция событий из сотен источников",
                    "готовые правила обнаружения атак",
                    "расследование инцидентов",
                    "отчёты по требованиям ФСТЭК",
                ],
                [
                    "сокращает время обнаружения инцидента до минут",
                    "снижает нагрузку на аналитиков SOC на {pct}%",
                ],
                "jira telegram slack",
                ["siem", "soc", "мониторинг"],
            ),
            _sub(
                "dlp",
                "DLP-система/f; сервис защиты от утечек данных/m",
                "security_teams enterprise banks",
                [
                    "контроль почты, мессенджеров и USB-носителей",
                    "поиск персональных данных на рабочих станциях",
                    "анализ поведения пользователей",
                    "архив коммуникаций для расследований",
                ],
                [
                    "предотвращает утечки клиентских баз и коммерческой тайны",
                    "помогает выполнить требования 152-ФЗ к защите персональных данных",
                ],
                "telegram whatsapp slack bitrix24 jira",
                ["dlp", "утечки данных", "152-фз"],
            ),
            _sub(
                "appsec",
                "сканер уязвимостей/m; платформа безопасной разработки/f",
                "dev_teams it_teams",
                [
                    "статический анализ кода",
                    "проверка open-source зависимостей",
                    "динамическое сканирование веб-приложений",
                    "контроль секретов в репозиториях",
                ],
                [
                    "находит уязвимости до выхода релиза",
                    "встраивается в CI/CD без замедления сборок",
                ],
                "jira slack telegram",
                ["appsec", "sast", "devsecops"],
            ),
            _sub(
                "antifraud",
                "антифрод-платформа/f; сервис защиты от мошенничества/m",
                "banks ecom",
                [
                    "скоринг транзакций в реальном времени",
                    "цифровой отпечаток устройства",
                    "выявление ботов и накруток",
                    "правила и машинное обучение в одной консоли",
                ],
                [
                    "снижает потери от мошенничества на {pct}%",
                    "блокирует подозрительные операции за миллисекунды",
                ],
                "sbp yookassa cloudpayments telegram",
                ["антифрод", "мошенничество", "скоринг"],
                mixed=True,
            ),
            _sub(
                "identity",
                "система управления доступом/f; сервис двухфакторной аутентификации/m",
                "it_teams enterprise mid",
                [
                    "единый вход в корпоративные приложения",
                    "двухфакторная аутентификация",
                    "управление ролями и правами",
                    "аудит действий привилегированных пользователей",
                ],
                [
                    "закрывает доступ уволенным сотрудникам в один клик",
                    "снижает риск взлома учётных записей",
                ],
                "1c bitrix24 slack jira telegram",
                ["iam", "2fa", "управление доступом"],
            ),
            _sub(
                "security_awareness",
                "платформа обучения сотрудников кибербезопасности/f",
                "security_teams hr mid",
                [
                    "имитация фишинговых рассылок",
                    "короткие курсы по цифровой гигиене",
                    "рейтинг уязвимости отделов",
                    "отчёты для руководства",
                ],
                [
                    "снижает долю сотрудников, открывающих фишинговые письма, на {pct}%",
                    "превращает сотрудников из слабого звена в первую линию защиты",
                ],
                "slack telegram bitrix24",
                ["фишинг", "обучение", "awareness"],
            ),
        ],
        pool="jira slack telegram bitrix24 1c sbp whatsapp google_sheets",
        roots="Щит Страж Крипто Ключ Замок Бастион Код Дозор Сейф Периметр Заслон Форт",
        words="Защита Безопасность Доступ Мониторинг Аудит Периметр",
        fused="Кибердозор Стражникс Криптонит Сейфория Бастионика Периметрия Дозорный Ключник Защитум Заслонка",
        latin="Secure:СЕКЬЮР Guard:ГАРД Cyber:САЙБЕР Shield:ШИЛД Sec:СЕК Crypto:КРИПТО",
        languages="C++:4 Go:4 Python:4 Rust:1 Java:1",
        extras=[
            "Сертифицирован ФСТЭК России и входит в реестр отечественного ПО.",
            "Поддерживает установку в закрытом контуре без доступа в интернет.",
        ],
        api_share=0.6,
    ),
    _industry(
        "devtools",
        6,
        [
            _sub(
                "ci_cd",
                "платформа CI/CD/f; сервис автоматизации сборки и деплоя/m",
                "dev_teams it_teams",
                [
                    "пайплайны сборки и тестирования",
                    "деплой в Kubernetes",
                    "изолированные стенды для каждой ветки",
                    "кэширование зависимостей",
                ],
                [
                    "сокращает время от коммита до релиза в {x} раза",
                    "заменяет зарубежные CI-сервисы без переписывания пайплайнов",
                ],
                "jira slack telegram",
                ["ci/cd", "devops", "kubernetes"],
            ),
            _sub(
                "observability",
                "платформа мониторинга приложений/f; сервис сбора логов и метрик/m",
                "dev_teams it_teams",
                [
                    "сбор логов, метрик и трейсов",
                    "алерты в мессенджеры",
                    "дашборды по SLO",
                    "поиск причин инцидентов",
                ],
                [
                    "сокращает время восстановления после сбоев на {pct}%",
                    "даёт разработчикам и SRE единую картину работы сервисов",
                ],
                "telegram slack jira",
                ["observability", "мониторинг", "логи"],
            ),
            _sub(
                "api_management",
                "API-шлюз/m; платформа управления API/f",
                "dev_teams enterprise banks",
                [
                    "каталог и документация API",
                    "лимиты и ключи доступа",
                    "аналитика вызовов",
                    "портал для внешних разработчиков",
                ],
                [
                    "помогает открыть API партнёрам за несколько недель",
                    "защищает внутренние сервисы от перегрузки",
                ],
                "jira slack telegram 1c",
                ["api", "шлюз", "интеграции"],
            ),
            _sub(
                "low_code",
                "low-code платформа/f; конструктор бизнес-приложений/m",
                "mid enterprise it_teams",
                [
                    "визуальный конструктор форм и процессов",
                    "готовые коннекторы к учётным системам",
                    "мобильные приложения без программирования",
                    "ролевая модель доступа",
                ],
                [
                    "позволяет собрать внутреннее приложение за {d} дней вместо нескольких месяцев",
                    "разгружает ИТ-отдел от мелких доработок",
                ],
                "1c bitrix24 amocrm google_sheets telegram",
                ["low-code", "no-code", "автоматизация"],
            ),
            _sub(
                "code_collaboration",
                "сервис хостинга Git-репозиториев/m; платформа для совместной разработки/f",
                "dev_teams",
                [
                    "Git-репозитории и код-ревью",
                    "трекер задач и вики",
                    "реестр пакетов и контейнеров",
                    "установка на собственные серверы",
                ],
                [
                    "даёт командам российскую альтернативу GitHub и GitLab",
                    "упрощает переезд с зарубежных сервисов с сохранением истории",
                ],
                "jira slack telegram",
                ["git", "код-ревью", "импортозамещение"],
            ),
            _sub(
                "testing",
                "сервис автоматизации тестирования/m; система управления тестированием/f",
                "dev_teams",
                [
                    "тест-кейсы и тестовые прогоны",
                    "запуск автотестов в облаке",
                    "отчёты о покрытии",
                    "тестирование на реальных мобильных устройствах",
                ],
                [
                    "сокращает время регрессионного тестирования на {pct}%",
                    "помогает выпускать релизы без критических ошибок",
                ],
                "jira slack telegram",
                ["тестирование", "qa", "автотесты"],
            ),
        ],
        pool="jira slack telegram bitrix24 google_sheets 1c",
        roots="Код Стек Билд Деплой Коммит Релиз Пайп Сервер Ядро Скрипт Бит Байт",
        words="Код Деплой Разработка Сборка API Тесты",
        fused="Кодинг Билдер Деплойка Коммитер Релизник Стековик Байтик Скриптум Ядрон Серверум",
        latin="Dev:ДЕВ Stack:СТЕК Code:КОД Git:ГИТ Ops:ОПС Build:БИЛД Deploy:ДЕПЛОЙ",
        languages="Go:6 Python:3 Rust:2 Java:1 Kotlin:1",
        extras=[
            "Доступна on-premise версия для установки в собственном контуре.",
            "Бесплатный тариф для небольших команд и open-source проектов.",
        ],
        api_share=0.92,
    ),
    _industry(
        "crm",
        6,
        [
            _sub(
                "sales_crm",
                "CRM для отдела продаж/f; облачная CRM-система/f",
                "sales smb mid",
                [
                    "воронки сделок с автоматическими задачами",
                    "встроенная телефония и запись звонков",
                    "скрипты продаж для менеджеров",
                    "отчёты по выполнению плана",
                ],
                [
                    "увеличивает конверсию из лида в сделку на {pct}%",
                    "не даёт потерять ни одного обращения клиента",
                ],
                "mango_office sipuni telegram whatsapp 1c yandex_metrica",
                ["crm", "продажи", "воронка"],
                exclude="amocrm bitrix24 retailcrm",
            ),
            _sub(
                "ecommerce_crm",
                "CRM для интернет-магазинов/f; система обработки заказов/f",
                "ecom sellers",
                [
                    "единая база заказов из всех каналов",
                    "автоматическая передача заказов в службы доставки",
                    "триггерные SMS и письма покупателям",
                    "аналитика повторных продаж",
                ],
                [
                    "сокращает время обработки заказа в {x} раза",
                    "помогает вернуть покупателей за повторными заказами",
                ],
                "moysklad cdek boxberry yookassa ozon wildberries tilda 1c",
                ["crm", "e-commerce", "заказы"],
                exclude="amocrm bitrix24 retailcrm",
            ),
            _sub(
                "omnichannel",
                "омниканальная платформа общения с клиентами/f; чат-центр для продаж и поддержки/m",
                "sales support ecom",
                [
                    "WhatsApp, Telegram и ВКонтакте в одном окне",
                    "чат-боты с передачей диалога оператору",
                    "шаблоны быстрых ответов",
                    "история переписки в карточке клиента",
                ],
                [
                    "сокращает время ответа клиенту до {m} минут",
                    "позволяет продавать там, где клиенту удобно",
                ],
                "whatsapp telegram vk amocrm bitrix24 retailcrm",
                ["омниканальность", "мессенджеры", "чат-боты"],
                mixed=True,
            ),
            _sub(
                "helpdesk",
                "сервис поддержки клиентов/m; help desk система/f",
                "support mid ecom",
                [
                    "заявки из почты, чатов и соцсетей",
                    "SLA и автоматическая маршрутизация",
                    "база знаний для клиентов",
                    "оценка качества ответов",
                ],
                [
                    "сокращает время решения обращения на {pct}%",
                    "помогает поддержке справляться с ростом обращений без найма",
                ],
                "telegram whatsapp vk jira slack bitrix24",
                ["help desk", "поддержка", "sla"],
            ),
            _sub(
                "field_service",
                "CRM для выездных сотрудников/f; сервис управления выездными заявками/m",
                "services mid",
                [
                    "диспетчеризация заявок",
                    "мобильное приложение мастера",
                    "фотоотчёты и подпись клиента",
                    "приём оплаты на месте",
                ],
                [
                    "увеличивает число выполненных заявок в день на {pct}%",
                    "даёт руководителю контроль над работой мастеров на выездах",
                ],
                "1c amocrm bitrix24 telegram sbp",
                ["выездной сервис", "мастера", "заявки"],
            ),
        ],
        pool="amocrm bitrix24 1c telegram whatsapp vk mango_office sipuni yandex_metrica retailcrm moysklad "
        "google_sheets unisender tilda jira slack",
        roots="Клиент Сделка Продажа Контакт Менеджер Заказ Заявка Звонок Диалог Партнёр Чат Связь",
        words="CRM Продажи Клиенты Сделки Поддержка Заказы",
        fused="Клиентура Сделкин Продажник Контактум Заявкин Диалогия Звонарь Чатерра Менеджерум Заказник",
        latin="Deal:ДИЛ Client:КЛАЙЕНТ Sales:СЕЙЛЗ Lead:ЛИД Chat:ЧАТ Desk:ДЕСК",
        languages="PHP:4 Python:3 Go:2 Java:2",
        extras=[
            "Бесплатный пробный период 14 дней и перенос данных из другой CRM.",
            "Есть мобильное приложение для менеджеров.",
        ],
        api_share=0.75,
    ),
    _industry(
        "erp",
        5,
        [
            _sub(
                "manufacturing_erp",
                "ERP-система для производства/f; система планирования производства/f",
                "manufacturing",
                [
                    "планирование загрузки цехов",
                    "учёт себестоимости по заказам",
                    "управление закупками материалов",
                    "контроль качества на каждом этапе",
                ],
                [
                    "сокращает сроки выполнения заказов на {pct}%",
                    "показывает реальную себестоимость каждой партии",
                ],
                "1c diadoc sbis bitrix24",
                ["erp", "производство", "mes"],
            ),
            _sub(
                "wholesale",
                "система автоматизации оптовой торговли/f; B2B-портал для дистрибьюторов/m",
                "distributors manufacturing",
                [
                    "личный кабинет оптового покупателя",
                    "индивидуальные прайс-листы и скидки",
                    "онлайн-заказы с проверкой остатков",
                    "электронные документы и акты сверки",
                ],
                [
                    "переводит до {pct}% оптовых заказов в онлайн",
                    "освобождает менеджеров от приёма заказов по телефону",
                ],
                "1c moysklad diadoc sbis bitrix24",
                ["опт", "b2b-портал", "дистрибуция"],
            ),
            _sub(
                "procurement",
                "система управления закупками/f; платформа электронных закупок/f",
                "enterprise mid manufacturing",
                [
                    "заявки на закупку и согласование",
                    "тендеры и сравнение предложений",
                    "каталог поставщиков",
                    "контроль исполнения договоров",
                ],
                [
                    "снижает стоимость закупок на {pct}%",
                    "делает закупки прозрачными для финансового контроля",
                ],
                "1c diadoc sbis",
                ["закупки", "тендеры", "поставщики"],
            ),
            _sub(
                "budgeting",
                "сервис бюджетирования и управленческого учёта/m; платформа финансового планирования/f",
                "finance_teams mid",
                [
                    "бюджет движения денежных средств",
                    "платёжный календарь",
                    "консолидация по юрлицам",
                    "план-факт анализ",
                ],
                [
                    "сокращает подготовку управленческой отчётности с недель до часов",
                    "даёт собственнику актуальную картину денег каждый день",
                ],
                "1c google_sheets bitrix24 moysklad",
                ["бюджетирование", "управленческий учёт", "fp&a"],
            ),
            _sub(
                "edo",
                "сервис электронного документооборота/m; платформа обмена документами с контрагентами/f",
                "mid enterprise accountants",
                [
                    "обмен УПД и счетами-фактурами",
                    "роуминг между операторами ЭДО",
                    "пакетное подписание документов",
                    "архив с полнотекстовым поиском",
                ],
                [
                    "сокращает затраты на бумажный документооборот на {pct}%",
                    "позволяет получать подписанные документы за минуты вместо недель",
                ],
                "1c moysklad kontur_extern bitrix24",
                ["эдо", "документооборот", "упд"],
                exclude="diadoc sbis",
            ),
        ],
        pool="1c diadoc sbis kontur_extern moysklad bitrix24 google_sheets telegram jira amocrm",
        roots="Учёт Ресурс Завод Цех Процесс Партия Смета Бюджет Документ Закупка Опт План",
        words="Учёт ERP Производство Закупки Документы Бюджет",
        fused="Учётка Ресурсия Цехпром Планум Сметчик Закупкин Доковед Оптимум Бюджетон Снабженец",
        latin="Plan:ПЛАН Factory:ФЭКТОРИ Supply:САППЛАЙ Doc:ДОК Ops:ОПС Process:ПРОЦЕСС",
        languages="1C:6 Java:2 C#:2 Python:2",
        extras=[
            "Входит в реестр российского ПО и подходит для замены SAP и Oracle.",
            "Внедрение ведут сертифицированные партнёры в регионах.",
        ],
        api_share=0.55,
    ),
    _industry(
        "analytics",
        5,
        [
            _sub(
                "bi",
                "BI-платформа/f; сервис визуализации данных/m",
                "analysts mid enterprise",
                [
                    "дашборды в конструкторе без кода",
                    "подключение к ClickHouse, PostgreSQL и 1С",
                    "ролевой доступ к отчётам",
                    "рассылка отчётов в мессенджеры",
                ],
                [
                    "заменяет зарубежные BI-системы без потери функциональности",
                    "даёт руководителям отчёты без запросов к аналитикам",
                ],
                "1c google_sheets telegram yandex_metrica bitrix24",
                ["bi", "дашборды", "импортозамещение"],
            ),
            _sub(
                "product_analytics",
                "сервис продуктовой аналитики/m; платформа A/B-тестирования/f",
                "product_teams dev_teams",
                [
                    "событийная аналитика и воронки",
                    "когортный анализ удержания",
                    "A/B-тесты с расчётом значимости",
                    "сегменты пользователей",
                ],
                [
                    "помогает продуктовым командам принимать решения на данных",
                    "ускоряет проверку гипотез в {x} раза",
                ],
                "yandex_metrica slack telegram jira",
                ["продуктовая аналитика", "a/b-тесты", "удержание"],
            ),
            _sub(
                "data_platform",
                "платформа данных/f; облачное хранилище данных/n",
                "it_teams enterprise analysts",
                [
                    "загрузка данных из сотен источников",
                    "хранилище на ClickHouse",
                    "каталог данных и контроль качества",
                    "обработка потоков в реальном времени",
                ],
                [
                    "сокращает время подготовки данных для аналитики на {pct}%",
                    "объединяет данные из разрозненных систем",
                ],
                "1c google_sheets yandex_metrica amocrm bitrix24",
                ["dwh", "etl", "big data"],
            ),
            _sub(
                "marketplace_analytics",
                "сервис аналитики маркетплейсов/m",
                "sellers",
                [
                    "анализ продаж конкурентов на Ozon и Wildberries",
                    "подбор ниш и SEO карточек",
                    "юнит-экономика по каждому товару",
                    "отслеживание позиций в поиске",
                ],
                [
                    "помогает селлеру найти прибыльные ниши",
                    "показывает реальную маржу после комиссий и логистики",
                ],
                "ozon wildberries moysklad google_sheets telegram",
                ["маркетплейсы", "аналитика продаж", "селлеры"],
            ),
            _sub(
                "speech_analytics",
                "сервис речевой аналитики/m",
                "contact_centers sales",
                [
                    "распознавание и транскрибация звонков",
                    "автоматическая проверка скриптов",
                    "поиск жалоб и упоминаний конкурентов",
                    "отчёты по качеству работы операторов",
                ],
                [
                    "проверяет 100% звонков вместо выборочных",
                    "повышает конверсию звонков в продажи на {pct}%",
                ],
                "mango_office sipuni amocrm bitrix24 telegram",
                ["речевая аналитика", "звонки", "контроль качества"],
            ),
        ],
        pool="1c google_sheets yandex_metrica yandex_direct amocrm bitrix24 telegram slack jira ozon wildberries "
        "mango_office sipuni retailcrm",
        roots="Дата Метрика График Отчёт Инсайт Дашборд Сигнал Индекс Тренд Вектор Срез Прогноз",
        words="Аналитика Данные Отчёты BI Метрики Прогноз",
        fused="Датаграмма Метрикум Отчётник Инсайтер Трендометр Индексус Дашбордия Прогнозист Сигналика Срезоскоп",
        latin="Data:ДАТА Insight:ИНСАЙТ Metric:МЕТРИК Graph:ГРАФ Stat:СТАТ Query:КВЕРИ",
        languages="Python:6 Go:2 Scala:2 Java:2",
        extras=[
            "Данные не покидают Россию: хранилище размещено в российских дата-центрах.",
            "Есть готовые коннекторы к популярным российским сервисам.",
        ],
        api_share=0.75,
    ),
    _industry(
        "ecommerce",
        7,
        [
            _sub(
                "store_builder",
                "конструктор интернет-магазинов/m; платформа для интернет-магазинов/f",
                "ecom smb",
                [
                    "готовые шаблоны витрин",
                    "каталог с фильтрами и SEO-настройками",
                    "приём оплаты и расчёт доставки в корзине",
                    "мобильная версия и PWA",
                ],
                [
                    "позволяет запустить интернет-магазин за один вечер",
                    "избавляет от затрат на собственную разработку",
                ],
                "yookassa cloudpayments cdek boxberry moysklad retailcrm yandex_metrica",
                ["интернет-магазин", "конструктор сайтов", "e-commerce"],
                exclude="tilda",
                mixed=True,
            ),
            _sub(
                "marketplace_management",
                "сервис управления продажами на маркетплейсах/m; платформа для селлеров/f",
                "sellers",
                [
                    "единое управление карточками на Ozon и Wildberries",
                    "синхронизация остатков и цен",
                    "автоматические ответы на отзывы",
                    "управление рекламой внутри маркетплейсов",
                ],
                [
                    "экономит селлеру до {h} часов в неделю",
                    "помогает выйти на новые маркетплейсы без расширения штата",
                ],
                "ozon wildberries moysklad 1c google_sheets",
                ["маркетплейсы", "селлеры", "ozon"],
            ),
            _sub(
                "fulfillment",
                "фулфилмент-сервис/m; сеть фулфилмент-центров/f",
                "sellers ecom",
                [
                    "приёмка, хранение и упаковка товаров",
                    "поставки на склады маркетплейсов",
                    "личный кабинет с остатками онлайн",
                    "маркировка и стикеровка",
                ],
                [
                    "освобождает селлера от собственного склада",
                    "отгружает товары на склады маркетплейсов за {d} дней",
                ],
                "ozon wildberries cdek boxberry moysklad",
                ["фулфилмент", "склад", "маркетплейсы"],
            ),
            _sub(
                "pim",
                "PIM-система/f; сервис управления товарным контентом/m",
                "retail sellers distributors",
                [
                    "единый каталог товаров и атрибутов",
                    "выгрузка карточек на маркетплейсы",
                    "генерация описаний с помощью ИИ",
                    "контроль полноты контента",
                ],
                [
                    "ускоряет вывод новых товаров в продажу в {x} раза",
                    "устраняет ошибки в карточках на разных площадках",
                ],
                "ozon wildberries 1c moysklad google_sheets",
                ["pim", "товарный контент", "карточки товаров"],
            ),
            _sub(
                "reviews",
                "сервис сбора отзывов/m; платформа отзывов и UGC/f",
                "ecom retail sellers",
                [
                    "сбор отзывов после покупки",
                    "фото- и видеоотзывы",
                    "модерация с помощью ИИ",
                    "виджеты отзывов на сайте",
                ],
                [
                    "повышает конверсию карточки товара на {pct}%",
                    "помогает быстро отвечать на негатив",
                ],
                "ozon wildberries telegram unisender retailcrm",
                ["отзывы", "ugc", "репутация"],
                mixed=True,
            ),
            _sub(
                "grocery_subscription",
                "сервис подписки на доставку продуктов/m",
                "consumers",
                [
                    "подписка на регулярную доставку",
                    "персональные рекомендации",
                    "оплата по СБП в один клик",
                    "удобные окна доставки",
                ],
                [
                    "экономит покупателю время на регулярных покупках",
                    "делает доставку предсказуемой для всей семьи",
                ],
                "sbp yookassa cdek telegram vk",
                ["подписка", "доставка продуктов", "b2c"],
                consumer=True,
            ),
        ],
        pool="ozon wildberries cdek boxberry yookassa cloudpayments tinkoff_kassa sbp moysklad retailcrm 1c tilda "
        "yandex_metrica yandex_direct unisender telegram vk google_sheets",
        roots="Шоп Селлер Витрина Каталог Карточка Заказ Лот Базар Ярмарка Посылка Корзина Покупка",
        words="Магазин Маркетплейс Селлер Каталог Заказы Витрина",
        fused="Селлерум Шопоголик Базарчик Каталогия Ярмаркет Витринка Лотерра Покупашка Маркетикс Заказия",
        latin="Shop:ШОП Sell:СЕЛЛ Market:МАРКЕТ Cart:КАРТ Order:ОРДЕР Box:БОКС",
        languages="PHP:5 Python:3 Go:2 Kotlin:1 Java:1",
        extras=[
            "Поддерживает работу по моделям FBO и FBS.",
            "Тарифы начинаются от нескольких тысяч рублей в месяц.",
        ],
        api_share=0.7,
    ),
    _industry(
        "communications",
        5,
        [
            _sub(
                "virtual_pbx",
                "виртуальная АТС/f; сервис облачной телефонии/m",
                "sales smb contact_centers",
                [
                    "многоканальные номера в любом регионе",
                    "запись и распознавание звонков",
                    "голосовое меню и переадресация",
                    "обратный звонок с сайта",
                ],
                [
                    "подключает офисную телефонию за {m} минут без оборудования",
                    "не даёт пропустить звонки клиентов",
                ],
                "amocrm bitrix24 retailcrm yandex_metrica 1c",
                ["телефония", "виртуальная атс", "звонки"],
                exclude="mango_office sipuni",
            ),
            _sub(
                "messaging_api",
                "платформа массовых уведомлений/f; SMS- и мессенджер-шлюз/m",
                "dev_teams banks ecom",
                [
                    "SMS, push и сообщения в мессенджерах через одно API",
                    "каскадная доставка через самый дешёвый канал",
                    "одноразовые коды подтверждения",
                    "статусы доставки в реальном времени",
                ],
                [
                    "снижает стоимость уведомлений на {pct}% за счёт каскадной доставки",
                    "доставляет одноразовые коды за секунды",
                ],
                "telegram whatsapp vk amocrm bitrix24",
                ["sms", "уведомления", "cpaas"],
                mixed=True,
            ),
            _sub(
                "video_conferencing",
                "сервис видеоконференций/m; платформа для онлайн-встреч/f",
                "mid enterprise schools",
                [
                    "видеовстречи до 1000 участников",
                    "запись и расшифровка встреч",
                    "синхронизация с календарём",
                    "установка на собственные серверы",
                ],
                [
                    "заменяет Zoom и Teams без смены привычек сотрудников",
                    "сохраняет переговоры в защищённом контуре",
                ],
                "bitrix24 telegram slack jira",
                ["видеоконференции", "импортозамещение", "встречи"],
            ),
            _sub(
                "corporate_messenger",
                "корпоративный мессенджер/m",
                "mid enterprise gov",
                [
                    "чаты и каналы для команд",
                    "звонки и демонстрация экрана",
                    "боты и интеграции с учётными системами",
                    "хранение данных на серверах компании",
                ],
                [
                    "объединяет переписку компании в защищённом пространстве",
                    "позволяет отказаться от личных мессенджеров в работе",
                ],
                "jira bitrix24 1c",
                ["мессенджер", "корпоративные коммуникации", "безопасность"],
                exclude="slack telegram whatsapp",
            ),
            _sub(
                "chatbots",
                "конструктор чат-ботов/m; платформа голосовых роботов/f",
                "support contact_centers ecom",
                [
                    "визуальный конструктор сценариев",
                    "распознавание намерений на базе нейросетей",
                    "голосовые роботы для обзвона",
                    "передача диалога живому оператору",
                ],
                [
                    "автоматизирует до {pct}% типовых обращений",
                    "работает круглосуточно и без выходных",
                ],
                "telegram whatsapp vk amocrm bitrix24 mango_office",
                ["чат-боты", "голосовые роботы", "автоматизация"],
                mixed=True,
            ),
        ],
        pool="amocrm bitrix24 telegram whatsapp vk mango_office sipuni retailcrm yandex_metrica jira slack 1c "
        "unisender",
        roots="Звонок Связь Голос Чат Канал Эфир Месседж Диалог Линия Волна Эхо Вызов",
        words="Связь Звонки Чат Телефония Видео Уведомления",
        fused="Звонилка Голосовик Эфирия Связист Чатушка Месседжер Телефонус Эхолот Сигналит Вызовик",
        latin="Call:КОЛЛ Voice:ВОЙС Talk:ТОЛК Chat:ЧАТ Echo:ЭХО Ring:РИНГ",
        languages="Go:5 Java:3 C++:2 Python:2 Elixir:1 Kotlin:1",
        extras=[
            "Номера и серверы размещены в России, связь соответствует требованиям Роскомнадзора.",
            "Оплата только за фактически использованные минуты и сообщения.",
        ],
        api_share=0.85,
    ),
    _industry(
        "agritech",
        3.5,
        [
            _sub(
                "farm_management",
                "система управления агропредприятием/f; цифровая платформа для растениеводства/f",
                "farmers",
                [
                    "электронные карты полей",
                    "планирование агроопераций",
                    "учёт техники и ГСМ",
                    "журнал обработок и внесения удобрений",
                ],
                [
                    "сокращает затраты на ГСМ и удобрения на {pct}%",
                    "даёт агроному полную картину по каждому полю",
                ],
                "1c telegram google_sheets diadoc",
                ["агро", "растениеводство", "карты полей"],
            ),
            _sub(
                "precision_farming",
                "сервис точного земледелия/m; платформа спутникового мониторинга полей/f",
                "farmers",
                [
                    "спутниковые снимки и индекс NDVI",
                    "карты дифференцированного внесения",
                    "прогноз урожайности",
                    "мониторинг погоды",
                ],
                [
                    "повышает урожайность на {pct}%",
                    "помогает вносить удобрения только там, где они нужны",
                ],
                "1c telegram google_sheets",
                ["точное земледелие", "ndvi", "спутниковый мониторинг"],
            ),
            _sub(
                "livestock",
                "система управления животноводческой фермой/f",
                "farmers",
                [
                    "учёт поголовья и продуктивности",
                    "датчики активности и здоровья животных",
                    "рационы и кормление",
                    "ветеринарный журнал с передачей данных в «Меркурий»",
                ],
                [
                    "увеличивает надои на {pct}%",
                    "помогает выявлять болезни животных на ранней стадии",
                ],
                "1c telegram google_sheets",
                ["животноводство", "молочная ферма", "iot"],
            ),
            _sub(
                "agri_marketplace",
                "маркетплейс сельхозпродукции/m; платформа торговли зерном/f",
                "farmers distributors",
                [
                    "прямые сделки между аграриями и покупателями",
                    "проверка контрагентов",
                    "логистика и элеваторы",
                    "безопасная сделка и оплата",
                ],
                [
                    "помогает аграрию продать урожай без посредников",
                    "сокращает сроки расчётов по сделке",
                ],
                "1c diadoc sbis telegram sbp",
                ["зерно", "сельхозпродукция", "маркетплейс"],
            ),
        ],
        pool="1c telegram google_sheets diadoc sbis sbp whatsapp bitrix24 moysklad",
        roots="Агро Поле Нива Урожай Зерно Колос Ферма Пашня Злак Грунт Борозда Сад",
        words="Поле Агро Урожай Ферма Зерно Хозяйство",
        fused="Агроном Колосок Урожайка Полевод Фермерия Зерновик Агротека Нивалис Пахарь Агросфера",
        latin="Agro:АГРО Farm:ФАРМ Field:ФИЛД Crop:КРОП Grain:ГРЕЙН Harvest:ХАРВЕСТ",
        languages="Python:4 1C:2 Java:2 Go:1 C#:1",
        extras=[
            "Работает в полях без стабильного интернета: данные синхронизируются при появлении связи.",
            "Подходит для участия в региональных программах цифровизации АПК.",
        ],
        api_share=0.45,
    ),
    _industry(
        "govtech",
        3.5,
        [
            _sub(
                "e_services",
                "платформа цифровых госуслуг/f; конструктор электронных услуг/m",
                "gov municipal",
                [
                    "электронные формы заявлений",
                    "межведомственное взаимодействие через СМЭВ",
                    "личный кабинет заявителя",
                    "контроль сроков оказания услуг",
                ],
                [
                    "переводит муниципальные услуги в электронный вид за {mo} месяцев",
                    "сокращает сроки оказания услуг в {x} раза",
                ],
                "telegram vk 1c",
                ["госуслуги", "смэв", "цифровизация"],
                mixed=True,
            ),
            _sub(
                "smart_city",
                "платформа «умного города»/f; система мониторинга городской инфраструктуры/f",
                "municipal gov",
                [
                    "мониторинг транспорта и ЖКХ",
                    "обращения граждан на карте",
                    "видеоаналитика общественных пространств",
                    "публикация открытых данных",
                ],
                [
                    "помогает городу быстрее реагировать на обращения жителей",
                    "снижает аварийность городской инфраструктуры",
                ],
                "telegram vk 1c",
                ["умный город", "жкх", "обращения граждан"],
            ),
            _sub(
                "citizen_feedback",
                "сервис обратной связи с жителями/m; платформа инициативного бюджетирования/f",
                "municipal",
                [
                    "приём обращений из соцсетей и мессенджеров",
                    "голосования и опросы жителей",
                    "публичная карта проблем",
                    "отчёты для руководства региона",
                ],
                [
                    "сокращает время ответа на обращения жителей на {pct}%",
                    "повышает доверие жителей к работе администрации",
                ],
                "vk telegram whatsapp",
                ["обращения граждан", "соцсети", "местное самоуправление"],
                mixed=True,
            ),
            _sub(
                "gov_procurement",
                "сервис для участников госзакупок/m; аналитическая система по госзакупкам/f",
                "smb mid",
                [
                    "поиск тендеров по 44-ФЗ и 223-ФЗ",
                    "анализ заказчиков и конкурентов",
                    "подготовка заявок",
                    "банковские гарантии онлайн",
                ],
                [
                    "помогает находить подходящие тендеры за минуты",
                    "повышает долю выигранных торгов на {pct}%",
                ],
                "1c bitrix24 amocrm telegram",
                ["госзакупки", "тендеры", "44-фз"],
            ),
            _sub(
                "gov_edo",
                "система электронного документооборота для госсектора/f",
                "gov municipal",
                [
                    "делопроизводство по ГОСТ",
                    "межведомственный обмен через МЭДО",
                    "электронная подпись и архивное хранение",
                    "работа с обращениями граждан",
                ],
                [
                    "полностью заменяет бумажное делопроизводство",
                    "соответствует требованиям к защите информации в госсекторе",
                ],
                "1c diadoc sbis",
                ["сэд", "делопроизводство", "госсектор"],
            ),
        ],
        pool="1c telegram vk whatsapp diadoc sbis kontur_extern bitrix24 amocrm google_sheets",
        roots="Город Гос Регион Округ Реестр Портал Гражданин Квартал Вече Совет Площадь Земство",
        words="Город Услуги Регион Закупки Документы Обращения",
        fused="Градум Госинфо Регионика Вечевик Земство Посадник Горожанин Кварталия Окружник Реестрик",
        latin="Gov:ГОВ City:СИТИ Civic:СИВИК Region:РЕДЖИОН Urban:УРБАН Public:ПАБЛИК",
        languages="Java:5 Python:3 C#:2 1C:2",
        extras=[
            "Входит в реестр российского ПО и работает на отечественных операционных системах.",
            "Подходит для аттестации по требованиям ФСТЭК к государственным информационным системам.",
        ],
        api_share=0.4,
    ),
)

INDUSTRY_BY_KEY = {industry.key: industry for industry in INDUSTRIES}

# --- names ------------------------------------------------------------------------------------------------

CYR_TAILS = _words(
    "Про Флоу Лаб Логик Тех Софт Онлайн Хаб Линк Бокс Мастер Плюс Эксперт Поток Сеть Бот Маркет Сервис "
    "Лайн Тим Вью Граф Модуль Облако Гид Джет Фокус Спейс Точка"
)
CYR_SPACED = _words("Онлайн 24 Про Плюс 360 Бизнес Лайт Эксперт")
HOUSE_BRANDS = _words(
    "Вектор Сфера Атлас Квант Импульс Горизонт Полюс Орбита Зенит Спектр Меридиан Альфа Сигма Дельта Каскад "
    "Призма Компас Маяк Север Ракета Гранит Кристалл Эталон Форпост Терра"
)
HOUSE_LEGAL_SUFFIXES = ("", "", " ТЕХНОЛОГИИ", " СОФТ", " ЛАБ", " ДИДЖИТАЛ", " ИТ")
LATIN_TAILS = (
    ("Cloud", "КЛАУД"),
    ("Hub", "ХАБ"),
    ("Flow", "ФЛОУ"),
    ("Labs", "ЛАБС"),
    ("AI", "ЭЙАЙ"),
    ("Pro", "ПРО"),
    ("Tech", "ТЕХ"),
    ("Soft", "СОФТ"),
    ("Point", "ПОЙНТ"),
    ("Base", "БЕЙС"),
    ("Space", "СПЕЙС"),
    ("Go", "ГОУ"),
    ("Stack", "СТЕК"),
    ("ly", "ЛИ"),
    ("ify", "ИФАЙ"),
    ("io", "ИО"),
)
GENERIC_LATIN = _words(
    "Tochka:ТОЧКА Sever:СЕВЕР Nova:НОВА Orbita:ОРБИТА Vektor:ВЕКТОР Polyus:ПОЛЮС Kvant:КВАНТ Luch:ЛУЧ "
    "Zenit:ЗЕНИТ Sfera:СФЕРА Atlas:АТЛАС Impuls:ИМПУЛЬС Gorizont:ГОРИЗОНТ Mayak:МАЯК Raketa:РАКЕТА "
    "Volna:ВОЛНА Lotos:ЛОТОС Taiga:ТАЙГА Baikal:БАЙКАЛ Altai:АЛТАЙ"
)
CYR_NAME_SUFFIXES = _words("Плюс Про Онлайн 24 360 Групп Лайт Бизнес Нео Экспресс")
LATIN_NAME_SUFFIXES = (
    ("Plus", "ПЛЮС"),
    ("Pro", "ПРО"),
    ("One", "ВАН"),
    ("24", "24"),
    ("360", "360"),
    ("Next", "НЕКСТ"),
    ("Lite", "ЛАЙТ"),
    ("X", "ИКС"),
)

# --- places -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class City:
    name: str
    country: str
    weight: float  # within the country
    region: str  # INN/OGRN region code; "" abroad
    offices: tuple[str, ...]  # tax offices that assign INNs (the 3rd and 4th INN digits)
    registrars: tuple[str, ...]  # tax offices that register companies (OGRN digits 6-7)
    locality: str  # how an address names the city
    postcodes: tuple[int, int, int]  # first, last, digits
    streets: tuple[str, ...]


def _city(  # noqa: PLR0917 - the city table reads best positionally
    name: str,
    country: str,
    weight: float,
    region: str,
    offices: str,
    registrars: str,
    locality: str,
    postcodes: tuple[int, int, int],
    streets: str,
) -> City:
    return City(
        name,
        country,
        weight,
        region,
        tuple(offices.split()),
        tuple(registrars.split()),
        locality,
        postcodes,
        tuple(s.strip() for s in streets.split(";")),
    )


def _office_range(first: int, last: int) -> str:
    return " ".join(f"{n:02d}" for n in range(first, last + 1))


CITIES: tuple[City, ...] = (
    _city(
        "Москва",
        "RU",
        50,
        "77",
        _office_range(1, 51),
        "46 39 00 17",
        "г Москва",
        (101000, 129347, 6),
        "ул Льва Толстого; ул Тверская; ул Новый Арбат; Ленинградский пр-кт; Кутузовский пр-кт; "
        "ул Большая Якиманка; Пресненская наб; ул Лесная; ул Вавилова; Варшавское ш; ул Садовническая; "
        "ул Бутырская; Волгоградский пр-кт; ул Новослободская; Берсеневская наб; ул Электрозаводская; "
        "ул Летниковская; Научный проезд; ул Ткацкая; Огородный проезд",
    ),
    _city(
        "Санкт-Петербург",
        "RU",
        16,
        "78",
        _office_range(1, 42),
        "47 00 27",
        "г Санкт-Петербург",
        (190000, 199406, 6),
        "Невский пр-кт; ул Большая Морская; Кожевенная линия; ул Профессора Попова; Малый пр-кт В.О.; "
        "ул Красного Текстильщика; Лиговский пр-кт; ул Савушкина; Московский пр-кт; наб Обводного канала; "
        "ул Кантемировская; Петроградская наб",
    ),
    _city(
        "Новосибирск",
        "RU",
        5,
        "54",
        "02 03 04 05 06 07 10",
        "76 00",
        "Новосибирская обл, г Новосибирск",
        (630000, 630133, 6),
        "Красный пр-кт; ул Фрунзе; ул Кирова; ул Инженерная; ул Николаева; ул Большевистская",
    ),
    _city(
        "Екатеринбург",
        "RU",
        5,
        "66",
        "58 59 60 61 62 70 71 85",
        "58 00",
        "Свердловская обл, г Екатеринбург",
        (620000, 620149, 6),
        "ул Малышева; пр-кт Ленина; ул 8 Марта; ул Радищева; ул Шейнкмана; ул Мамина-Сибиряка",
    ),
    _city(
        "Казань",
        "RU",
        5,
        "16",
        "54 55 56 57 58 59 60 65",
        "90 00",
        "Респ Татарстан, г Казань",
        (420000, 420140, 6),
        "ул Пушкина; ул Баумана; пр-кт Победы; ул Петербургская; ул Спартаковская; ул Гаврилова",
    ),
    _city(
        "Нижний Новгород",
        "RU",
        4,
        "52",
        "57 58 59 60 61 62 63",
        "75 00",
        "Нижегородская обл, г Нижний Новгород",
        (603000, 603163, 6),
        "ул Большая Покровская; ул Родионова; ул Максима Горького; ул Ошарская; ул Белинского",
    ),
    _city(
        "Иннополис",
        "RU",
        3,
        "16",
        "15",
        "90 00",
        "Респ Татарстан, Верхнеуслонский р-н, г Иннополис",
        (420500, 420500, 6),
        "ул Университетская; ул Спортивная; Квантовый б-р",
    ),
    _city(
        "Томск",
        "RU",
        2,
        "70",
        "17 18 19 20 21",
        "17 00",
        "Томская обл, г Томск",
        (634000, 634063, 6),
        "пр-кт Ленина; ул Красноармейская; пр-кт Фрунзе; ул Учебная; ул Нахимова",
    ),
    _city(
        "Краснодар",
        "RU",
        3,
        "23",
        "08 09 10 11 12",
        "10 00",
        "Краснодарский край, г Краснодар",
        (350000, 350089, 6),
        "ул Красная; ул Северная; ул Уральская; ул Ставропольская; Кубанская наб",
    ),
    _city(
        "Самара",
        "RU",
        2.5,
        "63",
        "11 12 13 14 15 16 17 18 19",
        "13 00",
        "Самарская обл, г Самара",
        (443000, 443125, 6),
        "ул Молодогвардейская; Московское ш; ул Ново-Садовая; ул Галактионовская; ул Куйбышева",
    ),
    _city(
        "Пермь",
        "RU",
        2,
        "59",
        "02 03 04 05 06 07 08",
        "58 00",
        "Пермский край, г Пермь",
        (614000, 614113, 6),
        "ул Ленина; Комсомольский пр-кт; ул Екатерининская; ул Революции; ул Петропавловская",
    ),
    _city(
        "Ростов-на-Дону",
        "RU",
        2.5,
        "61",
        "61 62 63 64 65 66 67",
        "96 00",
        "Ростовская обл, г Ростов-на-Дону",
        (344000, 344113, 6),
        "ул Большая Садовая; Будённовский пр-кт; ул Красноармейская; Ворошиловский пр-кт; ул Текучёва",
    ),
    _city(
        "Алматы",
        "KZ",
        60,
        "",
        "",
        "",
        "Республика Казахстан, г Алматы",
        (50000, 50063, 6),
        "пр-кт Абая; пр-кт Аль-Фараби; ул Жандосова; пр-кт Достык; ул Розыбакиева",
    ),
    _city(
        "Астана",
        "KZ",
        40,
        "",
        "",
        "",
        "Республика Казахстан, г Астана",
        (10000, 10017, 6),
        "пр-кт Мангилик Ел; пр-кт Кабанбай батыра; ул Сыганак; пр-кт Туран",
    ),
    _city(
        "Минск",
        "BY",
        100,
        "",
        "",
        "",
        "Республика Беларусь, г Минск",
        (220000, 220141, 6),
        "пр-кт Независимости; ул Немига; пр-кт Победителей; ул Купревича; ул Кальварийская",
    ),
    _city(
        "Ереван",
        "AM",
        100,
        "",
        "",
        "",
        "Республика Армения, г Ереван",
        (10, 99, 4),
        "ул Абовяна; пр-кт Маштоца; ул Туманяна; ул Комитаса; ул Арама",
    ),
    _city(
        "Ташкент",
        "UZ",
        100,
        "",
        "",
        "",
        "Республика Узбекистан, г Ташкент",
        (100000, 100214, 6),
        "ул Амира Темура; ул Шота Руставели; пр-кт Мустакиллик; ул Бабура; ул Мирабад",
    ),
)
COUNTRY_WEIGHTS = {"RU": 90.0, "KZ": 4.0, "BY": 3.0, "AM": 1.5, "UZ": 1.5}
NATIONAL_TLD = {"RU": "ru", "KZ": "kz", "BY": "by", "AM": "am", "UZ": "uz"}
# Legal form of a small/private company, by country: ТОО in Kazakhstan, ООО elsewhere.
PRIVATE_FORM = {"RU": "ООО", "KZ": "ТОО", "BY": "ООО", "AM": "ООО", "UZ": "ООО"}

# --- money and tech ---------------------------------------------------------------------------------------

STAGES = ("bootstrapped", "pre_seed", "seed", "series_a", "series_b", "series_c", "late_stage", "ipo")
# stage: (smallest, largest total raised in roubles; years after founding of the last round: min, max)
FUNDING: dict[str, tuple[int, int, int, int]] = {
    "pre_seed": (1_500_000, 15_000_000, 0, 1),
    "seed": (10_000_000, 90_000_000, 0, 2),
    "series_a": (80_000_000, 600_000_000, 1, 4),
    "series_b": (400_000_000, 2_500_000_000, 3, 7),
    "series_c": (1_500_000_000, 6_000_000_000, 4, 10),
    "late_stage": (3_000_000_000, 15_000_000_000, 6, 14),
    "ipo": (4_000_000_000, 30_000_000_000, 8, 16),
}
FOUNDED_WEIGHTS = {
    year: w
    for years, w in (((2005, 2009), 3), ((2010, 2013), 5), ((2014, 2022), 7), ((2023, 2024), 4))
    for year in range(years[0], years[1] + 1)
}

FRAMEWORKS: dict[str, tuple[tuple[str, int], ...]] = {
    "Python": (("Django", 4), ("FastAPI", 4), ("Flask", 1)),
    "Go": (("Gin", 3), ("Echo", 2), ("Fiber", 1)),
    "Java": (("Spring Boot", 1),),
    "Kotlin": (("Spring Boot", 3), ("Ktor", 1)),
    "PHP": (("Laravel", 4), ("Symfony", 2), ("Yii2", 1), ("1С-Битрикс", 1)),
    "C#": (("ASP.NET Core", 1),),
    "1C": (("1С:Предприятие 8.3", 1),),
    "Scala": (("Akka", 1), ("Play", 1)),
    "Rust": (("Actix Web", 1), ("Axum", 1)),
    "C++": (("Boost", 1), ("Qt", 1)),
    "Elixir": (("Phoenix", 1),),
}
FRONTENDS = (("React", 55), ("Vue", 35), ("Angular", 10))
CLOUDS = (("Yandex Cloud", 35), ("Selectel", 22), ("VK Cloud", 15), ("SberCloud", 12), ("Timeweb Cloud", 6), ("AWS", 4))
ON_PREMISE_INDUSTRIES = frozenset({"cybersecurity", "govtech", "erp"})
ANALYTIC_INDUSTRIES = frozenset({"analytics", "martech", "ecommerce", "retailtech"})
INTEGRATION_COUNTS = ((2, 10), (3, 20), (4, 25), (5, 20), (6, 13), (7, 7), (8, 5))
SUB_COUNTS = ((1, 45), (2, 40), (3, 15))

# --- descriptions -----------------------------------------------------------------------------------------

FEATURE_INTROS = ("Ключевые возможности:", "Основные функции:", "В продукте:", "Среди возможностей —")
INTEGRATION_SENTENCES = (
    "Интегрируется с {instr}.",
    "Из коробки работает с {instr}.",
    "Готовые интеграции: {nom}.",
    "Синхронизирует данные с {instr}.",
)
API_SENTENCES = (
    "Открытый REST API и вебхуки позволяют встроить сервис в собственные процессы.",
    "Для разработчиков есть REST API, SDK и тестовая среда.",
    "Документированный API с вебхуками подходит для интеграции с внутренними системами.",
)
GENERIC_EXTRAS = (
    "Данные хранятся в российских дата-центрах в соответствии с 152-ФЗ.",
    "Запуск занимает {d} дней, персональный менеджер помогает с внедрением.",
    "Есть бесплатный тариф для команд до {n} человек.",
    "Продукт входит в реестр российского ПО.",
)
CONSUMER_EXTRAS = (
    "Приложение доступно в App Store, Google Play и RuStore.",
    "Первый месяц можно пользоваться бесплатно.",
)
# Sentences that only make sense for a Russian company.
_RUSSIAN_ONLY = ("ФЗ", "Росси", "ФСТЭК", "реестр", "RuStore", "регионах")
WHICH = {"m": "который", "f": "которая", "n": "которое"}


# --- helpers ----------------------------------------------------------------------------------------------


class _Weighted:
    """A weighted choice with the cumulative weights computed once."""

    __slots__ = ("cum", "items")

    def __init__(self, pairs: Sequence[tuple[str, float]]) -> None:
        self.items = [item for item, _ in pairs]
        self.cum = list(accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.items, cum_weights=self.cum)[0]


def _one[T](rng: random.Random, items: Sequence[T]) -> T:
    """`rng.choice` without its rejection loop: a few times faster, and as deterministic."""
    return items[int(rng.random() * len(items))]


def _pick_int(rng: random.Random, pairs: Sequence[tuple[int, int]]) -> int:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def _pick_unique(rng: random.Random, pairs: Sequence[tuple[str, float]], k: int) -> list[str]:
    """k distinct items, each drawn by weight from the ones left."""
    items = [item for item, _ in pairs]
    weights = [float(weight) for _, weight in pairs]
    chosen: list[str] = []
    for _ in range(min(k, len(items))):
        index = rng.choices(range(len(items)), weights=weights)[0]
        chosen.append(items.pop(index))
        weights.pop(index)
    return chosen


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(parts: Sequence[str]) -> str:
    """ "A, B и C"; "A, B, а также C" when a part has its own "и" ("сбор и корреляция событий")."""
    if len(parts) == 1:
        return parts[0]
    last = ", а также " if any(" и " in part for part in parts) else " и "
    return ", ".join(parts[:-1]) + last + parts[-1]


def _slug(text: str) -> str:
    return slugify(text)


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _numbers(rng: random.Random) -> dict[str, int]:
    """The numbers a benefit or an extra may quote; each set keeps the Russian plural it is written with."""
    return {
        "pct": _one(rng, (10, 15, 20, 25, 30, 35, 40)),
        "h": _one(rng, (5, 6, 8, 10, 12, 15, 20)),
        "d": _one(rng, (5, 7, 10, 14)),
        "m": _one(rng, (5, 10, 15, 20, 30)),
        "w": _one(rng, (5, 6, 7, 8)),
        "mo": _one(rng, (5, 6, 9, 12)),
        "pts": _one(rng, (10, 12, 15, 18, 20)),
        "pp": _one(rng, (5, 6, 7, 8)),
        "x": _one(rng, (2, 3, 4)),
        "n": _one(rng, (5, 10, 20, 30, 50)),
    }


# --- the generator ----------------------------------------------------------------------------------------


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        self.names: set[str] = set()
        self.name_suffixes: dict[str, int] = {}
        self.slugs: set[str] = set()
        self.inns: set[str] = set()
        self.ogrns: set[str] = set()
        self.country = _Weighted(list(COUNTRY_WEIGHTS.items()))
        self.cities = {
            country: (
                [c for c in CITIES if c.country == country],
                list(accumulate(c.weight for c in CITIES if c.country == country)),
            )
            for country in COUNTRY_WEIGHTS
        }
        self.founded = _Weighted([(str(y), w) for y, w in FOUNDED_WEIGHTS.items()])
        self.clouds = _Weighted(CLOUDS)
        self.frontends = _Weighted(FRONTENDS)
        self.frameworks = {lang: _Weighted(pairs) for lang, pairs in FRAMEWORKS.items()}

    # -- the plan: which industry and primary sub-industry each company gets

    def plan(self, count: int) -> list[tuple[Industry, Sub]]:
        """Industries by quota (largest remainder), so every industry gets its share even in a small
        catalog; within an industry the sub-industries take turns, so each has competitors."""
        total = sum(i.weight for i in INDUSTRIES)
        exact = [count * i.weight / total for i in INDUSTRIES]
        quotas = [int(e) for e in exact]
        by_remainder = sorted(range(len(INDUSTRIES)), key=lambda n: exact[n] - quotas[n], reverse=True)
        for n in by_remainder[: count - sum(quotas)]:
            quotas[n] += 1
        slots: list[tuple[Industry, Sub]] = []
        for industry, quota in zip(INDUSTRIES, quotas, strict=True):
            subs = list(industry.subs)
            self.rng.shuffle(subs)
            slots.extend((industry, subs[k % len(subs)]) for k in range(quota))
        self.rng.shuffle(slots)
        return slots

    # -- one company

    def company(self, industry: Industry, primary: Sub) -> CatalogCompany:
        rng = self.rng
        subs = self._subs(industry, primary)
        country = self.country.pick(rng)
        cities, cum = self.cities[country]
        city = rng.choices(cities, cum_weights=cum)[0]
        founded = int(self.founded.pick(rng))
        employees = self._employees(founded)
        stage = self._stage(founded, employees)
        funding, funding_date = self._funding(stage, founded)
        name, legal_base, latin = self._name(industry)
        domain = self._domain(name, latin, country)
        inn, ogrn, kpp = self._identifiers(city, founded)
        api = rng.random() < industry.api_share
        integrations = self._integrations(industry, subs)
        product, gender = _one(rng, primary.products)
        audience = AUDIENCES[_one(rng, primary.audiences)]
        lead = product if " для " in product else f"{product} для {audience.genitive}"
        numbers = _numbers(rng)
        return {
            "name": name,
            "description": self._description(
                name, lead, subs, integrations=integrations, api=api, country=country, numbers=numbers
            ),
            "website": f"https://{domain}",
            "logo_url": f"https://{domain}/logo.png" if rng.random() < 0.75 else None,
            "industry": industry.key,
            "sub_industries": [s.key for s in subs],
            "business_model": self._business_model(primary),
            "founded_year": founded,
            "headquarters_country": country,
            "headquarters_city": city.name,
            "employees_count": employees,
            "funding_total": funding,
            "funding_stage": stage,
            "last_funding_date": funding_date,
            "inn": inn,
            "ogrn": ogrn,
            "kpp": kpp,
            "legal_name": f'{self._legal_form(country, stage, employees)} "{legal_base}"',
            "legal_address": self._address(city),
            "tech_stack": self._tech_stack(industry, primary, country),
            "integrations": integrations,
            "api_available": api,
            "api_documentation_url": f"https://{domain}/docs/api" if api else None,
            "ai_tags": self._tags(subs, audience, api),
            "ai_summary": f"{_cap(lead)}, {WHICH[gender]} {_one(rng, primary.benefits).format(**numbers)}.",
        }

    def _subs(self, industry: Industry, primary: Sub) -> list[Sub]:
        related = [s for s in industry.subs if s is not primary and s.consumer == primary.consumer]
        extra = min(_pick_int(self.rng, SUB_COUNTS) - 1, len(related))
        return [primary, *self.rng.sample(related, extra)]

    def _business_model(self, primary: Sub) -> str:
        roll = self.rng.random()
        if primary.consumer:
            return "B2C" if roll < 0.6 else "B2B2C" if roll < 0.9 else "B2B"
        if primary.mixed:
            return "B2B" if roll < 0.5 else "B2B2C" if roll < 0.95 else "B2C"
        return "B2B" if roll < 0.9 else "B2B2C"

    def _employees(self, founded: int) -> int:
        # Log-uniform, capped by age: a two-year-old company has tens of people, not thousands.
        age = AS_OF_YEAR - founded
        cap = min(5000.0, 12.0 * 2.0**age)
        return max(5, min(5000, round(_log_uniform(self.rng, 5, max(cap, 6.0)))))

    def _stage(self, founded: int, employees: int) -> str:
        rng = self.rng
        age = AS_OF_YEAR - founded
        if rng.random() < (0.3 if age >= 10 else 0.18):
            return "bootstrapped"
        size = employees * math.exp(rng.uniform(-0.4, 0.4))
        stage = "late_stage"
        for limit, name in (
            (15, "pre_seed" if age <= 3 else "seed"),
            (45, "seed"),
            (150, "series_a"),
            (450, "series_b"),
            (1300, "series_c"),
        ):
            if size < limit:
                stage = name
                break
        if stage == "late_stage" and age >= 10 and rng.random() < 0.3:
            stage = "ipo"
        # A company nine years old that never raised beyond seed is, in practice, self-funded.
        return "bootstrapped" if stage in ("pre_seed", "seed") and age >= 9 else stage

    def _funding(self, stage: str, founded: int) -> tuple[int, str | None]:
        if stage == "bootstrapped":
            return 0, None
        rng = self.rng
        low, high, after_min, after_max = FUNDING[stage]
        amount = _log_uniform(rng, low, high)
        unit = 100_000 if amount < 100_000_000 else 1_000_000
        year = founded + rng.randint(after_min, after_max)
        if stage == "ipo":
            year = max(year, 2021)  # the Russian tech IPOs are 2021 and later
        year = max(founded, min(AS_OF_YEAR, year))
        return round(amount / unit) * unit, f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    def _legal_form(self, country: str, stage: str, employees: int) -> str:
        if country != "RU":
            return PRIVATE_FORM[country]
        if stage == "ipo":
            return "ПАО"
        if stage in ("series_c", "late_stage") or employees > 1000:
            return "АО" if self.rng.random() < 0.6 else "ООО"
        return "ООО"

    # -- names and domains

    def _name(self, industry: Industry) -> tuple[str, str, bool]:
        """(brand, what goes in the quotes of the legal name, whether the brand is Latin)."""
        candidate = ("", "", False)
        for _ in range(6):
            candidate = self._name_candidate(industry)
            if candidate[0] not in self.names:
                break
        else:
            candidate = self._suffixed(*candidate)
        self.names.add(candidate[0])
        return candidate

    def _name_candidate(self, industry: Industry) -> tuple[str, str, bool]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.34:
            root, tail = _one(rng, industry.roots), _one(rng, CYR_TAILS)
            if root == tail:
                tail = "Про"
            name = root + tail
            return name, name.upper(), False
        if roll < 0.46:
            name = _one(rng, industry.fused)
            return name, name.upper(), False
        if roll < 0.58:
            house = _one(rng, HOUSE_BRANDS)
            return f"{house}.{_one(rng, industry.words)}", house.upper() + _one(rng, HOUSE_LEGAL_SUFFIXES), False
        if roll < 0.66:
            name = f"{_one(rng, industry.roots)} {_one(rng, CYR_SPACED)}"
            return name, name.upper(), False
        return self._latin_name(industry, generic=roll >= 0.9)

    def _latin_name(self, industry: Industry, *, generic: bool) -> tuple[str, str, bool]:
        """ "PayFlow" from an industry root, "Tochka Cloud" from a generic one."""
        rng = self.rng
        tail, tail_cyr = _one(rng, LATIN_TAILS)
        if not generic:
            root, root_cyr = _one(rng, industry.latin)
            return root + tail, root_cyr + tail_cyr, True
        root, root_cyr = _one(rng, GENERIC_LATIN).split(":")
        while tail[0].islower():  # "Tochka Cloud", not "Tochkaify"
            tail, tail_cyr = _one(rng, LATIN_TAILS)
        return f"{root} {tail}", f"{root_cyr} {tail_cyr}", True

    def _suffixed(self, name: str, legal: str, latin: bool) -> tuple[str, str, bool]:
        """A taken name made unique: first a word ("Плюс", "Next"), then a number."""
        n = self.name_suffixes.get(name, 0)
        words: Sequence[tuple[str, str]] = LATIN_NAME_SUFFIXES if latin else [(s, s.upper()) for s in CYR_NAME_SUFFIXES]
        while True:
            n += 1
            if n <= len(words):
                word, word_legal = words[n - 1]
            else:
                word = word_legal = str(n - len(words) + 1)
            candidate = f"{name} {word}"
            if candidate not in self.names:
                self.name_suffixes[name] = n
                return candidate, f"{legal} {word_legal}", latin

    def _domain(self, name: str, latin: bool, country: str) -> str:
        rng = self.rng
        base = _slug(name)
        if latin and rng.random() < 0.5:
            base = base.replace("-", "")
        slug = base
        n = 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{_one(rng, ('app', 'hq', 'online', 'team', 'soft'))}" if n == 2 else f"{base}{n}"
        self.slugs.add(slug)
        roll = rng.random()
        if country != "RU" and roll < 0.5:
            return f"{slug}.{NATIONAL_TLD[country]}"
        return f"{slug}.{'ru' if roll < 0.85 else 'io' if roll < 0.93 else 'com'}"

    # -- legal identifiers and address

    def _identifiers(self, city: City, founded: int) -> tuple[str | None, str | None, str | None]:
        if city.country != "RU":
            return None, None, None
        rng = self.rng
        while True:
            body = f"{city.region}{_one(rng, city.offices)}{rng.randrange(100_000):05d}"
            inn = body + inn_check_digits(body)
            if inn not in self.inns:
                break
        self.inns.add(inn)
        sign = "5" if founded <= 2012 and rng.random() < 0.15 else "1"
        while True:
            body = f"{sign}{founded % 100:02d}{city.region}{_one(rng, city.registrars)}{rng.randrange(100_000):05d}"
            ogrn = body + ogrn_check_digit(body)
            if ogrn not in self.ogrns:
                break
        self.ogrns.add(ogrn)
        return inn, ogrn, f"{inn[:4]}01001"

    def _address(self, city: City) -> str:
        rng = self.rng
        first, last, digits = city.postcodes
        house = str(_one(rng, (rng.randint(1, 30), rng.randint(1, 120))))
        if rng.random() < 0.12:
            house += _one(rng, "АБВ")
        parts = [f"{rng.randint(first, last):0{digits}d}", city.locality, _one(rng, city.streets), f"д {house}"]
        if city.name == "Москва" and rng.random() < 0.35:
            parts.append(f"стр {rng.randint(1, 9)}")
        roll = rng.random()
        if roll < 0.4:
            parts.append(f"офис {rng.randint(1, 12)}{rng.randint(1, 30):02d}")
        elif roll < 0.6:
            parts.append(f"помещ {rng.randint(1, 60)}")
        elif roll < 0.7:
            floor = rng.randint(2, 15)
            parts.append(f"этаж {floor}, офис {floor}{rng.randint(1, 30):02d}")
        return ", ".join(parts)

    # -- product

    def _integrations(self, industry: Industry, subs: Sequence[Sub]) -> list[str]:
        rng = self.rng
        excluded = {key for s in subs for key in s.exclude}
        wanted = _pick_int(rng, INTEGRATION_COUNTS)
        chosen: list[str] = []
        primary_core = [k for k in subs[0].integrations if k not in excluded]
        chosen.extend(primary_core[: rng.randint(1, min(3, len(primary_core)))])
        for sub in subs[1:]:
            options = [k for k in sub.integrations if k not in chosen and k not in excluded]
            if options:
                chosen.append(_one(rng, options))
        pool = [k for k in (*primary_core, *industry.pool) if k not in chosen and k not in excluded]
        pool = list(dict.fromkeys(pool))
        chosen.extend(_pick_unique(rng, [(k, len(pool) - n) for n, k in enumerate(pool)], wanted - len(chosen)))
        return chosen[: max(wanted, 2)]

    def _tech_stack(self, industry: Industry, primary: Sub, country: str) -> TechStack:
        rng = self.rng
        backend = _pick_unique(rng, industry.languages, 1 if rng.random() < 0.6 else 2)
        frameworks = [self.frameworks[lang].pick(rng) for lang in backend if lang in self.frameworks]
        languages = list(backend)
        if rng.random() < (0.2 if backend == ["1C"] else 0.85):
            frameworks.append(self.frontends.pick(rng))
            if "TypeScript" not in languages:
                languages.append("TypeScript" if rng.random() < 0.85 else "JavaScript")
        if primary.consumer or rng.random() < 0.1:
            if rng.random() < 0.6:
                languages.extend(lang for lang in ("Kotlin", "Swift") if lang not in languages)
            else:
                languages.append("Dart")
                frameworks.append("Flutter")
        frameworks = list(dict.fromkeys(frameworks))
        return {
            "languages": languages,
            "frameworks": frameworks,
            "databases": self._databases(industry, backend),
            "cloud": self._cloud(industry, country),
        }

    def _databases(self, industry: Industry, backend: Sequence[str]) -> list[str]:
        rng = self.rng
        databases: list[str] = []
        if "PHP" in backend and rng.random() < 0.6:
            databases.append("MySQL")
        if "C#" in backend and rng.random() < 0.5:
            databases.append("Microsoft SQL Server")
        if not databases or rng.random() < 0.5:
            databases.insert(0, "PostgreSQL")
        if rng.random() < (0.6 if industry.key in ANALYTIC_INDUSTRIES else 0.15):
            databases.append("ClickHouse")
        if industry.key == "fintech" and rng.random() < 0.25:
            databases.append("Tarantool")
        for name, share in (("Redis", 0.55), ("MongoDB", 0.12), ("Elasticsearch", 0.15), ("OpenSearch", 0.05)):
            if rng.random() < share:
                databases.append(name)
        return databases

    def _cloud(self, industry: Industry, country: str) -> list[str]:
        rng = self.rng
        if industry.key in ON_PREMISE_INDUSTRIES and rng.random() < 0.3:
            return ["on-premise"]
        if country != "RU" and rng.random() < 0.35:
            return ["AWS"]
        first = self.clouds.pick(rng)
        clouds = [first]
        if rng.random() < 0.25:
            second = self.clouds.pick(rng)
            if second != first:
                clouds.append(second)
        return clouds

    def _tags(self, subs: Sequence[Sub], audience: Audience, api: bool) -> list[str]:
        rng = self.rng
        tags = list(rng.sample(subs[0].tags, rng.randint(2, 3)))
        for sub in subs[1:]:
            tags.append(_one(rng, sub.tags))
        if rng.random() < 0.7:
            tags.append(audience.tag)
        if api and rng.random() < 0.3:
            tags.append("api")
        tags.extend(subs[0].tags)  # every sub-industry has three tags: at least three in all
        return list(dict.fromkeys(t.lower() for t in tags))[:6]

    def _description(
        self,
        name: str,
        lead: str,
        subs: Sequence[Sub],
        *,
        integrations: Sequence[str],
        api: bool,
        country: str,
        numbers: dict[str, int],
    ) -> str:
        rng = self.rng
        primary = subs[0]
        features = rng.sample(primary.features, rng.randint(2, 3))
        if len(subs) > 1:
            features.append(_one(rng, subs[1].features))
        listed = _join(features)
        variant = rng.randrange(4)
        if variant == 0:
            opening = [f"{_cap(lead)}: {listed}."]
        elif variant == 1:
            opening = [f"{name} — {lead}.", f"{_one(rng, FEATURE_INTROS)} {listed}."]
        elif variant == 2:
            opening = [f"{name} — {lead}: {listed}."]
        else:
            opening = [f"{_cap(lead)}.", f"{_cap(listed)} — в одном окне."]
        subject = _one(rng, (name, "Сервис", "Продукт", "Решение"))
        sentences = [*opening, f"{subject} {_one(rng, primary.benefits).format(**numbers)}."]
        if rng.random() < 0.8:
            shown = integrations[: rng.randint(2, 4)]
            template = _one(rng, INTEGRATION_SENTENCES)
            sentences.append(
                template.format(
                    instr=_join([INTEGRATIONS[k][1] for k in shown]), nom=", ".join(INTEGRATIONS[k][0] for k in shown)
                )
            )
        if len(sentences) < 4 and rng.random() < 0.6:
            sentences.append(self._extra(subs, api, country).format(**numbers))
        return " ".join(sentences)

    def _extra(self, subs: Sequence[Sub], api: bool, country: str) -> str:
        rng = self.rng
        if api and rng.random() < 0.45:
            return _one(rng, API_SENTENCES)
        industry_extras = INDUSTRY_BY_SUB[subs[0].key].extras
        options = [*industry_extras, *industry_extras, *GENERIC_EXTRAS]
        if subs[0].consumer:
            options.extend(CONSUMER_EXTRAS)
        if country != "RU":
            options = [o for o in options if not any(marker in o for marker in _RUSSIAN_ONLY)]
        return _one(rng, options) if options else _one(rng, API_SENTENCES)


INDUSTRY_BY_SUB = {sub.key: industry for industry in INDUSTRIES for sub in industry.subs}


def generate(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> list[CatalogCompany]:
    """`count` companies, the same for the same (count, seed)."""
    generator = _Generator(seed)
    return [generator.company(industry, sub) for industry, sub in generator.plan(count)]


def dumps(companies: Sequence[CatalogCompany]) -> str:
    return json.dumps(list(companies), ensure_ascii=False, indent=1) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m localcloud.catalog.generate", description="Write the synthetic sample catalog as JSON."
    )
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    companies = generate(args.count, args.seed)
    args.out.write_text(dumps(companies), encoding="utf-8")
    print(f"{len(companies)} companies -> {args.out}")


if __name__ == "__main__":
    main()
