"""Scenarios: the status quo and each alternative as monthly cash flows, and their comparison.

A :class:`Scenario` (what the rep chose) plus a :class:`~app.core.usage.UsageProfile` (the
client's traffic) plus the tariffs it names become, for every option, a cash flow for months
0 … H by cost component (:class:`Component`), then the metrics of each alternative against
the status quo (:mod:`app.core.finance`), a sensitivity tornado and "what it takes" answers.
The result, :class:`Comparison`, serialises to CONTRACT.md's comparison JSON plus extras.

Timing (DESIGN.md, "Months and years", "Cash flows"):

- month 0 holds one-time costs; months 1 … H recurring costs and usage; month ``t ≥ 1``
  lies in year ``k = ⌊(t − 1) / 12⌋ + 1``;
- growth and escalation step once a year: factor ``(1 + g)^(k − 1)`` in year ``k``; seats
  are whole (``⌈seats × factor⌉``), usage follows seat growth unless its own is given, and
  channels are re-sized from the grown busy-hour traffic with Erlang B;
- an item bought in month ``m`` with a life of ``L`` months serves from ``s = max(m, 1)``
  and is bought again in ``s + L`` (month 0 → ``L + 1``) while that is within the horizon;
  maintenance (``%`` of its price a year) is paid monthly from ``s + warranty`` and restarts
  with each replacement; leased, each purchase is paid as ``PMT(rate / 12, term, price)`` in
  the ``term`` months after it instead (months 1 … term for month 0);
- escalation applies to carrier charges (usage, channels, DIDs, status-quo lines marked
  ``escalates``) in every option alike, except while a tariff fixes its prices (its
  contract term).

Money is ``Decimal`` throughout; NPV and IRR are computed in floats (they are rates).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.core.erlang import channels_for
from app.core.finance import (
    Payback,
    brentq,
    discounted_payback,
    monthly_rate,
    npv,
    payback,
    pmt,
    roi,
    savings_irr_annual,
)
from app.core.money import Money
from app.core.rating import (
    LineItem,
    PoolUse,
    PreparedProfile,
    Quantities,
    Recurrence,
    UsageRating,
    prepare_profile,
    price_tariff,
    rate_usage,
)
from app.core.tariffs import (
    Approval,
    Basis,
    Charge,
    Component,
    EquipmentItem,
    Tariff,
    TariffKind,
    parse_traffic,
)
from app.core.usage import Category, Direction, UsageProfile

MAX_HORIZON_MONTHS = 180
MAX_AMOUNT = Decimal(10) ** 10
Amount = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT)]
Rate = Annotated[Decimal, Field(ge=Decimal("-0.5"), le=Decimal(1))]


class OptionKind(StrEnum):
    """What an option is (CONTRACT.md's ``kind``)."""

    STATUS_QUO = "status_quo"
    ONPREM = "onprem"
    HOSTED = "hosted"
    SIP_ONLY = "sip_only"
    OTHER = "other"


class Source(StrEnum):
    """Where an input came from (shown with every assumption)."""

    BILL = "bill"
    TARIFF = "tariff"
    REP = "rep"
    DEFAULT = "default"


Loc = tuple[str | int, ...]


def field_name(loc: Loc) -> str:
    """A field's path as text.

    >>> field_name(("alternatives", 0, "tariffs", 1))
    'alternatives[0].tariffs[1]'
    """
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


class ScenarioError(ValueError):
    """A scenario that cannot be computed; ``loc`` is the path of the input at fault and
    ``field`` its text, e.g. ``alternatives[0].tariffs[1]``; ``code`` and ``params`` say
    what is wrong for a translated message (``message`` is the English one)."""

    def __init__(
        self, loc: Loc | str, message: str, code: str = "", params: dict[str, str] | None = None
    ) -> None:
        self.loc: Loc = (loc,) if isinstance(loc, str) else loc
        self.field = field_name(self.loc)
        self.message = message
        self.code = code
        self.params = params or {}
        super().__init__(f"{self.field}: {message}" if self.field else message)


class ScenarioFileError(ScenarioError):
    """A scenario file that cannot be read: ``where`` is ``file:line:column``."""

    def __init__(self, where: str, loc: Loc, message: str) -> None:
        super().__init__(loc, message)
        self.where = where
        self.args = (f"{where}: {self}",)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------------------------
# Scenario input
# ---------------------------------------------------------------------------------------------


class RecurringCharge(_Input):
    """A monthly charge the rep enters: ``amount × quantity`` a month (× seats when per seat)."""

    name: str = Field(min_length=1, max_length=200)
    amount: Amount = Field(description="price per unit per month")
    quantity: Amount = Field(Decimal(1), description="units (per seat: units per seat)")
    per_seat: bool = Field(False, description="the quantity follows the seat count")
    component: Component = Component.OTHER
    escalates: bool = Field(
        True, description="a carrier charge: annual price escalation applies to it"
    )


class OneTimeCost(_Input):
    """A one-time cost in a given month (0 = up front)."""

    name: str = Field(min_length=1, max_length=200)
    amount: Amount
    month: int = Field(0, ge=0, le=MAX_HORIZON_MONTHS)
    component: Component = Component.EQUIPMENT


class StatusQuo(_Input):
    """What the client runs today."""

    name: str = Field("Today", min_length=1, max_length=200)
    tariff: str | None = Field(
        None, description="the current carrier's `pstn` tariff id (its recurring charges count)"
    )
    lines: int | None = Field(
        None,
        ge=1,
        le=100_000,
        description="lines (channels) the client rents today; default: the profile's "
        "recommended channels",
    )
    usage_from: Literal["bill", "tariff"] | None = Field(
        None,
        description="usage priced from what the bill charged (scaled to a month) or under "
        "`tariff`; default: the bill when the profile carries billed costs",
    )
    recurring: list[RecurringCharge] = Field(
        default_factory=list,
        description="current recurring charges: line rental, PRI, features, old PBX upkeep",
    )
    one_time: list[OneTimeCost] = Field(
        default_factory=list,
        description="costs ahead, e.g. the old PBX's forced upgrade at its end of support",
    )


class Migration(_Input):
    """What moving to an alternative costs on top of its tariffs."""

    parallel_months: int = Field(
        0, ge=0, le=24, description="months of paying the status quo's lines beside it"
    )
    porting_per_number: Amount = Decimal(0)
    numbers_to_port: int | None = Field(
        None, ge=0, le=100_000, description="default: the profile's distinct DIDs"
    )
    early_termination_fee: Amount = Field(
        Decimal(0), description="ending the current contract early (month 0)"
    )
    training: Amount = Decimal(0)


class Financing(_Input):
    """How equipment is paid: bought outright, leased (``PMT(rate / 12, term, price)`` a month
    in the ``term`` months after each purchase), or rented where the tariff offers a rental."""

    mode: Literal["buy", "lease", "rent"] = "buy"
    rate_annual: Annotated[Decimal, Field(ge=0, le=1)] = Decimal(0)
    term_months: int = Field(36, ge=1, le=120)


class Override(_Input):
    """Replace the quantity and/or the unit price of one item of one of the tariffs."""

    tariff: str | None = Field(None, description="the tariff id; default: any that has `item`")
    item: str = Field(min_length=1, description="the item's id or name in the tariff")
    quantity: Amount | None = None
    price: Amount | None = None

    @model_validator(mode="after")
    def _something_to_override(self) -> Override:
        if self.quantity is None and self.price is None:
            raise ValueError("an override needs a quantity or a price")
        return self


class Alternative(_Input):
    """One offer: a set of tariffs making up a system, with overrides and migration costs."""

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["onprem", "hosted", "sip_only", "other"]
    tariffs: list[str] = Field(min_length=1, max_length=20, description="tariff ids")
    overrides: list[Override] = Field(default_factory=list)
    discount_pct: Annotated[Decimal, Field(ge=0, le=100)] = Field(
        Decimal(0),
        description="% off the recurring charges and usage of those of its tariffs that have "
        "a discount policy (the approval it needs is a warning); others are not discounted",
    )
    financing: Financing = Field(default_factory=Financing)
    migration: Migration = Field(default_factory=Migration)
    recurring: list[RecurringCharge] = Field(
        default_factory=list, description="extra monthly charges (e.g. the old PBX kept)"
    )
    one_time: list[OneTimeCost] = Field(default_factory=list)


class Scenario(_Input):
    """A comparison's inputs: the client's size and growth, the status quo, the alternatives."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "horizon_months": 60,
                "discount_rate_annual": 0.08,
                "start_month": "2027-01",
                "seats": 50,
                "status_quo": {"tariff": "cn-pstn-business-lines"},
                "alternatives": [
                    {
                        "name": "On-prem IP-PBX + SIP trunk",
                        "kind": "onprem",
                        "tariffs": ["cn-onprem-ippbx", "cn-sip-trunk"],
                    },
                    {"name": "Hosted PBX", "kind": "hosted", "tariffs": ["cn-hosted-pbx"]},
                ],
            }
        },
    )

    horizon_months: int = Field(60, ge=1, le=MAX_HORIZON_MONTHS)
    discount_rate_annual: Annotated[Decimal, Field(ge=0, le=1)] = Decimal("0.08")
    start_month: str | None = Field(
        None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="calendar month of month 1"
    )
    currency: str | None = Field(
        None, pattern=r"^[A-Z]{3}$", description="default: the tariffs' common currency"
    )
    exchange_rates: dict[str, Annotated[Decimal, Field(gt=0)]] = Field(
        default_factory=dict,
        description="units of `currency` per unit of another currency, e.g. {'USD': 7.1}",
    )
    seats: int | None = Field(
        None, ge=1, le=100_000, description="default: the profile's distinct extensions"
    )
    sites: int = Field(1, ge=1, le=10_000)
    seat_growth_annual: Rate = Decimal(0)
    usage_growth_annual: Rate | None = Field(None, description="default: follows seat growth")
    price_escalation_annual: Rate = Field(Decimal(0), description="carrier charges, per year")
    grade_of_service: Annotated[float, Field(gt=0, lt=1)] = 0.01
    status_quo: StatusQuo = Field(default_factory=StatusQuo)
    alternatives: list[Alternative] = Field(min_length=1, max_length=10)
    payback_target_months: int | None = Field(
        None, ge=1, le=MAX_HORIZON_MONTHS, description="for 'what it takes'; default 36"
    )
    sensitivity: bool = Field(True, description="compute the tornado and 'what it takes'")


def parse_scenario(text: str, source: str) -> tuple[Scenario, Callable[[Loc], str]]:
    """A scenario file's text (YAML or JSON) as a :class:`Scenario`, and a function that
    places a field of it as ``file:line:column``; raises :class:`ScenarioFileError` naming
    the place and the field at fault."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise ScenarioFileError(where, (), f"bad YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioFileError(source, (), f"bad YAML: {exc}") from None

    def place(loc: Loc) -> str:
        node = root
        for part in loc:
            children: list[Any] = []
            if isinstance(node, yaml.MappingNode):
                children = [v for k, v in node.value if k.value == part]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                children = node.value[part : part + 1]
            if not children:
                break
            node = children[0]
        mark = node.start_mark if node is not None else None
        return f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source

    if not isinstance(data, dict):
        raise ScenarioFileError(f"{source}:1:1", (), "a scenario is a mapping of fields")
    try:
        return Scenario.model_validate(data), place
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(p for p in error["loc"] if not str(p).startswith("function-"))
        message = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
        raise ScenarioFileError(place(loc), loc, message) from None


# ---------------------------------------------------------------------------------------------
# Comparison result
# ---------------------------------------------------------------------------------------------


class Assumption(BaseModel):
    """One input the numbers rest on, and where it came from."""

    name: str
    value: str
    source: Source
    detail: str = Field("", description="e.g. 'tariff cn-sip-trunk v3' or 'bill, 30 days'")
    key: str = Field("", description="stable id of the assumption, for translations")
    params: dict[str, str] = Field(
        default_factory=dict, description="the figures of name, value and detail, by name"
    )


class ComparisonWarning(BaseModel):
    """Something a careful engineer would point out."""

    code: str
    option: str | None
    message: str
    params: dict[str, str] = Field(
        default_factory=dict, description="the figures of the message, for translations"
    )


class CostLine(BaseModel):
    """One item of an option's cash flow, summed over the horizon."""

    name: str
    component: Component
    source: str
    one_time: Money = Field(description="month 0")
    first_month: Money = Field(description="month 1")
    total: Money


class OptionResult(BaseModel):
    """The status quo: its cash flow and total."""

    name: str
    kind: OptionKind
    monthly_costs: list[Money]
    tco: Money
    components: dict[Component, list[Money]]
    line_items: list[CostLine]
    cost_per_seat_month: Money | None


class WhatItTakes(BaseModel):
    """The value of a driver at which an alternative pays back within ``target_months``."""

    driver: Literal["seat_price", "usage"]
    target_months: int
    base_value: float
    value: float | None = Field(description="None when no value in range does it")
    factor: float | None = Field(description="value ÷ base value")
    detail: str


class TornadoBar(BaseModel):
    """NPV and payback with one driver set ``low`` and ``high`` (others at their base)."""

    driver: str
    low_factor: float
    high_factor: float
    npv_low: float
    npv_high: float
    payback_low: float | None
    payback_high: float | None


class AlternativeResult(OptionResult):
    """An alternative, with its metrics against the status quo."""

    savings_total: Money
    payback_months: float | None
    payback_holds: bool
    npv: float
    irr_annual: float | None
    discounted_payback_months: float | None
    discounted_payback_holds: bool
    roi: float | None
    investment: Money = Field(description="month-0 cost beyond the status quo's")
    tornado: list[TornadoBar] = Field(default_factory=list)
    what_it_takes: list[WhatItTakes] = Field(default_factory=list)


class Comparison(BaseModel):
    """CONTRACT.md's comparison, plus assumptions, warnings and sensitivity."""

    currency: str
    horizon_months: int
    status_quo: OptionResult
    alternatives: list[AlternativeResult]
    discount_rate_annual: float
    months: list[str] = Field(description="calendar month of each index (0 = month 1's)")
    seats: list[int] = Field(description="seats in each month")
    assumptions: list[Assumption]
    warnings: list[ComparisonWarning]
    notes: list[str]


# ---------------------------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------------------------

ZERO = Decimal(0)
ONE = Decimal(1)
DEFAULT_TARGET_MONTHS = 36
SWING = Decimal("0.2")
AVERAGE_MONTH_DAYS = Decimal("30.4375")
_CARRIER_KINDS = (TariffKind.PSTN, TariffKind.SIP_TRUNK)
_CARRIER_COMPONENTS = (Component.USAGE, Component.CHANNELS, Component.DIDS)
_ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "up": ROUND_UP}


@dataclass(frozen=True)
class Drivers:
    """Multipliers of the sensitivity drivers (1 = the scenario as entered)."""

    usage: Decimal = ONE
    seats: Decimal = ONE
    per_minute: Decimal = ONE
    seat_price: Decimal = ONE
    equipment_price: Decimal = ONE
    maintenance: Decimal = ONE


DRIVER_NAMES = tuple(Drivers.__dataclass_fields__)
BASE = Drivers()


@dataclass(frozen=True)
class _Year:
    """Year ``k`` of the horizon: its months and its grown quantities."""

    index: int
    first_month: int
    last_month: int
    seats: int
    usage: Decimal
    channels: int


@dataclass
class _Flow:
    """One line of an option's cash flow: an amount for each month 0 … H."""

    name: str
    component: Component
    source: str
    amounts: list[Decimal]


class _Flows:
    """An option's flows, merged by (source, name, component) as they are added."""

    def __init__(self, horizon: int) -> None:
        self.horizon = horizon
        self.by_key: dict[tuple[str, str, Component], _Flow] = {}

    def line(self, name: str, component: Component, source: str) -> list[Decimal]:
        key = (source, name, component)
        flow = self.by_key.get(key)
        if flow is None:
            flow = self.by_key[key] = _Flow(name, component, source, [ZERO] * (self.horizon + 1))
        return flow.amounts

    def add(self, month: int, amount: Decimal, name: str, component: Component, src: str) -> None:
        if 0 <= month <= self.horizon and amount:
            self.line(name, component, src)[month] += amount

    def total(self) -> list[Decimal]:
        totals = [ZERO] * (self.horizon + 1)
        for flow in self.by_key.values():
            totals = [a + b for a, b in zip(totals, flow.amounts, strict=True)]
        return totals


@lru_cache(maxsize=256)
def _parsed_draws(rules: tuple[str, ...]) -> list[tuple[Direction | None, Category | None]]:
    return [parse_traffic(rule) for rule in rules]


def scale_usage(
    base: UsageRating, tariff: Tariff, volume: Decimal, price: Decimal, seats: int
) -> UsageRating:
    """``base`` (a rating of the average month) with the traffic × ``volume`` and the usage
    prices × ``price``, its pools drawn again for ``seats``.

    Exact for the non-linear parts: before the pools, every line's minutes and amount are
    linear in the call counts (so in ``volume``) and in the prices; each pool of ``P``
    minutes then covers ``min(P, W)`` of the ``W`` minutes its lines want, and each line
    pays ``amount × (W − covered) / W`` (DESIGN.md, "Billing"); per-total rounding last.
    """
    if volume == ONE and price == ONE and not tariff.included_minutes:
        return base
    before = {i: line.amount_before_pool * volume * price for i, line in enumerate(base.lines)}
    after, drawn = dict(before), dict.fromkeys(before, ZERO)
    taken: set[int] = set()
    pools = []
    for number, pool in enumerate(tariff.included_minutes):
        draws = _parsed_draws(tuple(pool.draws))
        members = [
            i
            for i, line in enumerate(base.lines)
            if i not in taken
            and line.status == "rated"
            and any(d in (None, line.direction) and c in (None, line.category) for d, c in draws)
        ]
        taken.update(members)
        minutes = {i: m * volume for i, m in _rated_minutes(base, number, members).items()}
        included = pool.minutes * (seats if pool.per == "seat" else 1)
        wanted = sum(minutes.values(), ZERO)
        covered = min(included, wanted)
        for i in members if wanted else ():
            drawn[i] = minutes[i] * covered / wanted
            after[i] = before[i] * (wanted - covered) / wanted
        pools.append(
            PoolUse(
                name=pool.name,
                minutes_included=included,
                minutes_drawn=covered,
                overage_minutes=wanted - covered,
            )
        )
    rounding = tariff.usage.rounding
    if rounding is not None and rounding.per == "total":
        unit = Decimal(1).scaleb(-rounding.decimals)
        mode = _ROUNDING.get(rounding.mode, ROUND_DOWN)
        after = {i: amount.quantize(unit, rounding=mode) for i, amount in after.items()}
    lines = [
        line.model_copy(
            update={
                "calls": line.calls * volume,
                "unrated_calls": line.unrated_calls * volume,
                "billed_seconds": line.billed_seconds * volume,
                "billed_minutes": line.billed_minutes * volume,
                "amount_before_pool": before[i],
                "pool_minutes": drawn[i],
                "amount": after[i],
            }
        )
        for i, line in enumerate(base.lines)
    ]
    return base.model_copy(
        update={
            "scale": base.scale * volume,
            "lines": lines,
            "pools": pools,
            "total": sum(after.values(), ZERO),
        }
    )


def _rated_minutes(base: UsageRating, pool: int, members: Sequence[int]) -> dict[int, Decimal]:
    """The minutes of rated calls of each line drawing on pool number ``pool`` in ``base``:
    a pool covering ``c`` of the ``W`` minutes its lines want draws ``m_i × c / W`` from
    line ``i``, so ``m_i = drawn_i × W / c``. When ``c = 0`` the pool includes nothing or
    nothing was wanted, at any volume: the minutes do not matter, 0 is returned."""
    use = base.pools[pool]
    wanted = use.minutes_drawn + use.overage_minutes
    if not use.minutes_drawn:
        return dict.fromkeys(members, ZERO)
    return {i: base.lines[i].pool_minutes * wanted / use.minutes_drawn for i in members}


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def _rep_or_default(model: BaseModel, field: str) -> Source:
    return Source.REP if field in model.model_fields_set else Source.DEFAULT


class _Engine:
    """Everything that does not change when a driver moves, and the cash flows that do."""

    def __init__(
        self,
        scenario: Scenario,
        profile: UsageProfile | PreparedProfile,
        tariffs: Mapping[str, Tariff],
        versions: Mapping[str, int],
    ) -> None:
        self.scenario = scenario
        self.prepared = prepare_profile(profile)
        self.profile = self.prepared.profile
        self.horizon = scenario.horizon_months
        self.versions = versions
        self.assumptions: list[Assumption] = []
        self.warnings: list[ComparisonWarning] = []
        self.notes: list[str] = []
        self.tariffs = self._resolve(tariffs)
        self.currency = self._currency()
        self.fx = self._exchange_rates()
        self.seats = self._seats()
        self.usage_growth = (
            scenario.usage_growth_annual
            if scenario.usage_growth_annual is not None
            else scenario.seat_growth_annual
        )
        self.days = Decimal(str(self.profile.period.days))
        if self.days <= 0:
            raise ScenarioError(
                ("profile", "period", "days"), "the profile covers no days", "no_days"
            )
        self.usage_from = self._usage_from()
        self.ratings = {
            tariff_id: rate_usage(self.prepared, tariff, seats=self.seats)
            for tariff_id, tariff in self.tariffs.items()
            if tariff.usage.rates or tariff.usage.free_categories
        }
        self.alternative_tariffs = [
            self._overridden(index, alternative)
            for index, alternative in enumerate(scenario.alternatives)
        ]
        self.escalation_by_term: dict[int | None, list[Decimal]] = {}
        self.priced_cache: dict[tuple[object, ...], list[LineItem]] = {}
        self.years_cache: dict[tuple[Decimal, Decimal], list[_Year]] = {}
        self.usage_cache: dict[tuple[object, ...], UsageRating] = {}
        self.status_quo_cache: dict[Drivers, _Flows] = {}
        self.discounted = [self._discount_policy(i) for i in range(len(scenario.alternatives))]

    # -- inputs ------------------------------------------------------------------------------

    def _resolve(self, tariffs: Mapping[str, Tariff]) -> dict[str, Tariff]:
        used: dict[str, Tariff] = {}
        wanted: list[tuple[Loc, str]] = []
        if self.scenario.status_quo.tariff is not None:
            wanted.append((("status_quo", "tariff"), self.scenario.status_quo.tariff))
        for i, alternative in enumerate(self.scenario.alternatives):
            wanted += [
                (("alternatives", i, "tariffs", j), t) for j, t in enumerate(alternative.tariffs)
            ]
            if len(set(alternative.tariffs)) != len(alternative.tariffs):
                raise ScenarioError(
                    ("alternatives", i, "tariffs"), "a tariff is listed twice", "tariff_twice"
                )
        for field, tariff_id in wanted:
            if tariff_id not in tariffs:
                known = ", ".join(sorted(tariffs)) or "none"
                raise ScenarioError(
                    field,
                    f"unknown tariff {tariff_id!r} (known: {known})",
                    "unknown_tariff",
                    {"tariff": tariff_id},
                )
            used[tariff_id] = tariffs[tariff_id]
        return used

    def label(self, tariff_id: str) -> str:
        """``tariff <id> v<version>``: the provenance of what a tariff priced."""
        return f"tariff {tariff_id} v{self.versions.get(tariff_id, 1)}"

    def _currency(self) -> str:
        if self.scenario.currency is not None:
            return self.scenario.currency
        ordered = [self.scenario.status_quo.tariff] + [
            t for alternative in self.scenario.alternatives for t in alternative.tariffs
        ]
        for tariff_id in ordered:
            if tariff_id is not None:
                return self.tariffs[tariff_id].currency
        if self.profile.currency:
            return self.profile.currency
        raise ScenarioError(
            "currency", "no tariff or bill names a currency: give one", "no_currency"
        )

    def _exchange_rates(self) -> dict[str, Decimal]:
        rates = {self.currency: ONE}
        currencies = {t.currency for t in self.tariffs.values()}
        if self.profile.currency and self._needs_bill():
            currencies.add(self.profile.currency)
        for currency in sorted(currencies - {self.currency}):
            rate = self.scenario.exchange_rates.get(currency)
            if rate is None:
                raise ScenarioError(
                    "exchange_rates",
                    f"prices in {currency} cannot be mixed with {self.currency} without an "
                    f"exchange rate: give exchange_rates.{currency} ({self.currency} per "
                    f"{currency})",
                    "exchange_rate_missing",
                    {"currency": currency, "base": self.currency},
                )
            rates[currency] = rate
            self.assumptions.append(
                Assumption(
                    name=f"exchange rate {currency}",
                    value=f"{rate} {self.currency}",
                    source=Source.REP,
                    key="exchange_rate",
                    params={"currency": currency, "rate": str(rate), "base": self.currency},
                )
            )
        return rates

    def _needs_bill(self) -> bool:
        status_quo = self.scenario.status_quo
        return status_quo.usage_from == "bill" or (
            status_quo.usage_from is None and self._billed_total() is not None
        )

    def _billed_total(self) -> Decimal | None:
        costs = [c.billed_cost for c in self.profile.categories if c.billed_cost is not None]
        return sum(costs, ZERO) if costs else None

    def _seats(self) -> int:
        if self.scenario.seats is not None:
            self.assumptions.append(
                Assumption(
                    name="seats",
                    value=str(self.scenario.seats),
                    source=Source.REP,
                    key="seats",
                    params={"n": str(self.scenario.seats)},
                )
            )
            return self.scenario.seats
        if self.profile.distinct_extensions:
            self.assumptions.append(
                Assumption(
                    name="seats",
                    value=str(self.profile.distinct_extensions),
                    source=Source.BILL,
                    detail="distinct extensions in the bill",
                    key="seats_from_bill",
                    params={"n": str(self.profile.distinct_extensions)},
                )
            )
            return self.profile.distinct_extensions
        raise ScenarioError(
            "seats", "give the number of seats (the bill has no extensions)", "seats_needed"
        )

    def _usage_from(self) -> Literal["bill", "tariff"]:
        status_quo = self.scenario.status_quo
        billed = self._billed_total()
        choice = status_quo.usage_from or ("bill" if billed is not None else "tariff")
        if choice == "bill" and billed is None:
            raise ScenarioError(
                ("status_quo", "usage_from"),
                "the bill carries no costs: price today's usage under a pstn tariff "
                "(status_quo.tariff, usage_from: tariff)",
                "bill_without_costs",
            )
        if choice == "tariff" and status_quo.tariff is None:
            raise ScenarioError(
                ("status_quo", "tariff"),
                "give the current carrier's tariff to price today's usage",
                "status_quo_tariff_needed",
            )
        return choice

    def _overridden(self, index: int, alternative: Alternative) -> dict[str, Tariff]:
        """Each tariff of an alternative with the rep's overrides applied."""
        result = {t: self.tariffs[t] for t in alternative.tariffs}
        for j, override in enumerate(alternative.overrides):
            field: Loc = ("alternatives", index, "overrides", j)
            if override.tariff is not None and override.tariff not in result:
                raise ScenarioError(
                    (*field, "tariff"),
                    f"{override.tariff!r} is not one of this alternative's tariffs",
                    "override_tariff",
                    {"tariff": override.tariff},
                )
            candidates = [override.tariff] if override.tariff else list(result)
            for tariff_id in candidates:
                updated = _override(result[tariff_id], override)
                if updated is not None:
                    result[tariff_id] = updated
                    break
            else:
                raise ScenarioError(
                    (*field, "item"),
                    f"no item named {override.item!r} in {', '.join(candidates)}",
                    "override_item",
                    {"item": override.item, "tariffs": ", ".join(candidates)},
                )
        return result

    def _discount_policy(self, index: int) -> set[str]:
        """The tariffs of an alternative its discount applies to (those with a policy), and
        warnings for a discount that needs approval."""
        alternative = self.scenario.alternatives[index]
        if alternative.discount_pct == 0:
            return set()
        applies = {t for t in alternative.tariffs if self.tariffs[t].discount_policy is not None}
        if not applies:
            self.warnings.append(
                ComparisonWarning(
                    code="discount_not_applied",
                    option=alternative.name,
                    message=f"a {alternative.discount_pct} % discount was asked, but none of "
                    "this alternative's tariffs has a discount policy: not applied",
                    params={"pct": str(alternative.discount_pct)},
                )
            )
        first = self.years(BASE)[0]
        for tariff_id in sorted(applies):
            tariff = self.alternative_tariffs[index][tariff_id]
            items = self.priced(("alt", index, tariff_id), tariff, first, BASE, rent=False)
            spend = sum((i.amount for i in items if i.recurrence == Recurrence.MONTHLY), ZERO)
            approval = tariff.required_approval(spend, alternative.discount_pct)
            if approval != Approval.REP:
                self.warnings.append(
                    ComparisonWarning(
                        code="discount_needs_approval",
                        option=alternative.name,
                        message=f"{alternative.discount_pct} % off {tariff.name} "
                        f"(monthly spend {spend:.2f} {tariff.currency}) needs {approval} "
                        "approval",
                        params={
                            "pct": str(alternative.discount_pct),
                            "tariff": tariff.name,
                            "spend": f"{spend:.2f}",
                            "currency": tariff.currency,
                            "approval": str(approval),
                        },
                    )
                )
        return applies

    # -- quantities and prices over the years ------------------------------------------------

    def years(self, drivers: Drivers) -> list[_Year]:
        """Each year's seats ``⌈seats × (1+g)^(k−1)⌉``, usage ``(1+g_u)^(k−1)`` and channels
        ``max(⌈peak × usage⌉, Erlang B channels for busy-hour A × usage)``."""
        key = (drivers.seats, drivers.usage)
        cached = self.years_cache.get(key)
        if cached is not None:
            return cached
        scenario = self.scenario
        years = []
        for k in range(1, (self.horizon + 11) // 12 + 1):
            seat_factor = (ONE + scenario.seat_growth_annual) ** (k - 1)
            usage = drivers.usage * (ONE + self.usage_growth) ** (k - 1)
            traffic = self.profile.busy_hour_erlangs * float(usage)
            channels = max(
                _ceil(self.profile.peak_concurrent_calls * usage),
                channels_for(traffic, scenario.grade_of_service) if traffic > 0 else 0,
            )
            years.append(
                _Year(
                    index=k,
                    first_month=12 * (k - 1) + 1,
                    last_month=min(12 * k, self.horizon),
                    seats=max(1, _ceil(self.seats * drivers.seats * seat_factor)),
                    usage=usage,
                    channels=channels,
                )
            )
        self.years_cache[key] = years
        return years

    def usage(
        self, tariff_id: str, tariff: Tariff, year: _Year, drivers: Drivers
    ) -> UsageRating | None:
        base = self.ratings.get(tariff_id)
        if base is None:
            return None
        if year.usage == ONE and drivers.per_minute == ONE and year.seats == self.seats:
            return base
        key = (tariff_id, year.usage, drivers.per_minute, year.seats)
        rating = self.usage_cache.get(key)
        if rating is None:
            rating = scale_usage(base, tariff, year.usage, drivers.per_minute, year.seats)
            self.usage_cache[key] = rating
        return rating

    def priced(
        self,
        key: tuple[object, ...],
        tariff: Tariff,
        year: _Year,
        drivers: Drivers,
        *,
        rent: bool,
        channels: int | None = None,
        with_usage: bool = True,
    ) -> list[LineItem]:
        """The tariff's line items for one month of ``year`` (cached)."""
        tariff_id = str(key[-1])
        lines = channels if channels is not None else year.channels
        cache_key = (*key, year.seats, lines, year.usage, drivers.per_minute, rent, with_usage)
        items = self.priced_cache.get(cache_key)
        if items is not None:
            return items
        migration = None
        if key[0] == "alt":
            migration = self.scenario.alternatives[int(str(key[1]))].migration
        quantities = Quantities.from_profile(
            self.profile,
            seats=year.seats,
            sites=self.scenario.sites,
            channels=lines,
            ported_numbers=migration.numbers_to_port if migration else None,
        )
        usage = self.usage(tariff_id, tariff, year, drivers) if with_usage else None
        items = price_tariff(tariff, quantities, usage, rent_equipment=rent)
        self.priced_cache[cache_key] = items
        return items

    def escalation(self, fixed_months: int | None) -> list[Decimal]:
        """Carrier-price factor of each month: ``(1 + e)^(k − 1)`` in year ``k``, 1 while a
        tariff fixes its prices (months 1 … ``fixed_months``)."""
        factors = self.escalation_by_term.get(fixed_months)
        if factors is None:
            rate = ONE + self.scenario.price_escalation_annual
            yearly = [rate**k for k in range((self.horizon + 11) // 12)]
            factors = [ONE] + [
                ONE if fixed_months is not None and t <= fixed_months else yearly[(t - 1) // 12]
                for t in range(1, self.horizon + 1)
            ]
            self.escalation_by_term[fixed_months] = factors
        return factors

    # -- cash flows ---------------------------------------------------------------------------

    def status_quo(self, drivers: Drivers) -> _Flows:
        """Today's costs: the current carrier's recurring charges (lines re-sized only when
        grown traffic needs more), usage from the bill or the tariff, the rep's lines."""
        cached = self.status_quo_cache.get(drivers)
        if cached is None:
            cached = self.status_quo_cache[drivers] = self._status_quo(drivers)
        return cached

    def _status_quo(self, drivers: Drivers) -> _Flows:
        status_quo = self.scenario.status_quo
        flows = _Flows(self.horizon)
        years = self.years(drivers)
        if status_quo.tariff is not None:
            tariff = self.tariffs[status_quo.tariff]
            lines = status_quo.lines or self.profile.recommended_channels.channels
            for year in years:
                items = self.priced(
                    ("sq", status_quo.tariff),
                    tariff,
                    year,
                    drivers,
                    rent=False,
                    channels=max(lines, year.channels),
                    with_usage=self.usage_from == "tariff",
                )
                monthly = [i for i in items if i.recurrence == Recurrence.MONTHLY]
                self._add_monthly(flows, status_quo.tariff, tariff, monthly, year, drivers, ONE)
        if self.usage_from == "bill":
            billed = self._billed_total() or ZERO
            per_month = (
                billed
                * AVERAGE_MONTH_DAYS
                / self.days
                * self.fx.get(self.profile.currency or self.currency, ONE)
            )
            factors = self.escalation(None)
            line = flows.line("calls as billed", Component.USAGE, "bill")
            for year in years:
                amount = per_month * year.usage * drivers.per_minute
                for t in range(year.first_month, year.last_month + 1):
                    line[t] += amount * factors[t]
        self._add_rep_items(flows, status_quo.recurring, status_quo.one_time, years)
        return flows

    def alternative(self, index: int, drivers: Drivers) -> _Flows:
        """An alternative's costs: its tariffs over the years, the rep's lines, migration."""
        alternative = self.scenario.alternatives[index]
        flows = _Flows(self.horizon)
        years = self.years(drivers)
        rent = alternative.financing.mode == "rent"
        for tariff_id, tariff in self.alternative_tariffs[index].items():
            discount = (
                ONE - alternative.discount_pct / 100 if tariff_id in self.discounted[index] else ONE
            )
            bought: dict[str, Decimal] = {}
            purchases: list[tuple[LineItem, int, Decimal]] = []
            for year in years:
                items = self.priced(("alt", index, tariff_id), tariff, year, drivers, rent=rent)
                monthly = [
                    i
                    for i in items
                    if i.recurrence == Recurrence.MONTHLY and i.kind != "maintenance"
                ]
                self._add_monthly(flows, tariff_id, tariff, monthly, year, drivers, discount)
                month = 0 if year.index == 1 else year.first_month
                for item in items:
                    if item.recurrence != Recurrence.ONE_TIME:
                        continue
                    amount = item.amount * self.fx[tariff.currency]
                    if item.kind == "equipment":
                        amount *= drivers.equipment_price
                    extra = amount - bought.get(item.name, ZERO)
                    if extra <= 0:
                        continue
                    bought[item.name] = amount
                    if item.kind == "equipment":
                        purchases.append((item, month, extra))
                    else:
                        flows.add(month, extra, item.name, item.component, self.label(tariff_id))
            for item, month, amount in purchases:
                self._add_equipment(
                    flows, tariff_id, tariff, item, month, amount, alternative.financing, drivers
                )
        self._add_rep_items(flows, alternative.recurring, alternative.one_time, years)
        self._add_migration(flows, index, drivers)
        return flows

    def _add_monthly(
        self,
        flows: _Flows,
        tariff_id: str,
        tariff: Tariff,
        items: Sequence[LineItem],
        year: _Year,
        drivers: Drivers,
        discount: Decimal,
    ) -> None:
        fx = self.fx[tariff.currency]
        source = self.label(tariff_id)
        carrier = self.escalation(
            tariff.contract.term_months if tariff.price_fixed_for_term else None
        )
        for item in items:
            amount = item.amount * fx
            if item.kind in ("usage", "recurring"):
                amount *= discount
            if item.component == Component.SEATS and item.kind == "recurring":
                amount *= drivers.seat_price
            if item.kind == "equipment":  # rented
                amount *= drivers.equipment_price
            if not amount:
                continue
            name = "calls" if item.kind == "usage" else item.name
            line = flows.line(name, item.component, source)
            escalates = item.component in _CARRIER_COMPONENTS or (
                tariff.kind in _CARRIER_KINDS and item.kind in ("recurring", "commitment", "tax")
            )
            factor, value = ONE, amount
            for t in range(year.first_month, year.last_month + 1):
                if escalates and carrier[t] is not factor:
                    factor = carrier[t]
                    value = amount * factor
                line[t] += value

    def _add_equipment(
        self,
        flows: _Flows,
        tariff_id: str,
        tariff: Tariff,
        item: LineItem,
        month: int,
        amount: Decimal,
        financing: Financing,
        drivers: Drivers,
    ) -> None:
        """One purchase and its replacements at end of life, bought or leased, with the
        maintenance each one pays after its warranty."""
        source = self.label(tariff_id)
        start = max(month, 1)
        life = item.lifetime_months
        purchases = [month]
        if life is not None:
            purchases += range(start + life, self.horizon + 1, life)
        maintenance = tariff.maintenance
        maintained = maintenance is not None and any(
            e.maintained for e in tariff.equipment if e.name == item.name
        )
        for n, bought_in in enumerate(purchases):
            if financing.mode == "lease":
                payment = pmt(financing.rate_annual / 12, financing.term_months, amount)
                line = flows.line(f"{item.name} (lease)", item.component, source)
                for t in range(
                    bought_in + 1, min(bought_in + financing.term_months, self.horizon) + 1
                ):
                    line[t] += payment
            else:
                flows.add(bought_in, amount, item.name, item.component, source)
            if maintained and maintenance is not None:
                serves_from = max(bought_in, 1)
                until = purchases[n + 1] if n + 1 < len(purchases) else self.horizon + 1
                monthly = amount * maintenance.percent_per_year / 1200 * drivers.maintenance
                line = flows.line(f"maintenance: {item.name}", Component.MAINTENANCE, source)
                for t in range(serves_from + maintenance.warranty_months, until):
                    line[t] += monthly

    def _add_rep_items(
        self,
        flows: _Flows,
        recurring: Sequence[RecurringCharge],
        one_time: Sequence[OneTimeCost],
        years: Sequence[_Year],
    ) -> None:
        carrier = self.escalation(None)
        for charge in recurring:
            line = flows.line(charge.name, charge.component, "rep")
            for year in years:
                amount = charge.amount * charge.quantity * (year.seats if charge.per_seat else 1)
                for t in range(year.first_month, year.last_month + 1):
                    line[t] += amount * carrier[t] if charge.escalates else amount
        for cost in one_time:
            flows.add(cost.month, cost.amount, cost.name, cost.component, "rep")

    def _add_migration(self, flows: _Flows, index: int, drivers: Drivers) -> None:
        migration = self.scenario.alternatives[index].migration
        months = min(migration.parallel_months, self.horizon)
        if months:
            today = self.status_quo(drivers)
            for flow in today.by_key.values():
                if flow.component == Component.USAGE or not any(flow.amounts[1 : months + 1]):
                    continue  # calls go over one system at a time
                line = flows.line(f"parallel running: {flow.name}", Component.OTHER, flow.source)
                for t in range(1, months + 1):
                    line[t] += flow.amounts[t]
        numbers = (
            migration.numbers_to_port
            if migration.numbers_to_port is not None
            else self.profile.distinct_dids or 0
        )
        flows.add(
            0,
            migration.porting_per_number * numbers,
            "number porting",
            Component.INSTALLATION,
            "rep",
        )
        flows.add(0, migration.training, "training", Component.INSTALLATION, "rep")
        flows.add(
            0,
            self.termination_fee(index),
            "early termination of today's contract",
            Component.OTHER,
            "rep",
        )

    def termination_fee(self, index: int) -> Decimal:
        """The rep's early-termination fee, else the current tariff's."""
        migration = self.scenario.alternatives[index].migration
        if "early_termination_fee" in migration.model_fields_set:
            return migration.early_termination_fee
        tariff_id = self.scenario.status_quo.tariff
        if tariff_id is None:
            return ZERO
        tariff = self.tariffs[tariff_id]
        return tariff.contract.early_termination_fee * self.fx[tariff.currency]

    # -- what the numbers rest on -------------------------------------------------------------

    def seat_price(self, index: int) -> Decimal:
        """The alternative's per-seat monthly price (after its discount, in the comparison's
        currency): the sum of its tariffs' recurring charges per seat or extension."""
        alternative = self.scenario.alternatives[index]
        total = ZERO
        for tariff_id, tariff in self.alternative_tariffs[index].items():
            discount = (
                ONE - alternative.discount_pct / 100 if tariff_id in self.discounted[index] else ONE
            )
            for charge in tariff.recurring:
                if charge.per in (Basis.SEAT, Basis.EXTENSION):
                    total += charge.price * charge.multiplier * discount * self.fx[tariff.currency]
        return total

    def trunk_minutes(self) -> Decimal:
        """Billable minutes of trunk calls (inbound and outbound) in an average month."""
        seconds = sum(
            c.billable_seconds for c in self.profile.categories if c.direction != Direction.INTERNAL
        )
        return Decimal(seconds) / 60 * AVERAGE_MONTH_DAYS / self.days

    def collect_warnings(self) -> None:
        """Channels below the observed peak, contract terms beyond the horizon, minimum
        commitments above the priced usage, calls no rate prices, leases past the horizon."""
        peak = self.profile.peak_concurrent_calls
        scenario = self.scenario
        lines = scenario.status_quo.lines
        if lines is not None and lines < peak:
            self._warn(
                "channels_below_peak",
                scenario.status_quo.name,
                f"{lines} lines today, but {peak} calls were seen at once",
                lines=str(lines),
                peak=str(peak),
            )
        elif lines is not None and lines == peak:
            self._warn(
                "peak_at_line_count",
                scenario.status_quo.name,
                f"the peak of {peak} calls equals today's line count: demand may have "
                "been blocked, and the bill would not show it",
                peak=str(peak),
            )
        for index, alternative in enumerate(scenario.alternatives):
            rent = alternative.financing.mode == "rent"
            for tariff_id, tariff in self.alternative_tariffs[index].items():
                for year in self.years(BASE):
                    key = ("alt", index, tariff_id)
                    for item in self.priced(key, tariff, year, BASE, rent=rent):
                        self._check_item(alternative.name, self.tariffs[tariff_id], item, peak)
        for alternative in scenario.alternatives:
            for tariff_id in alternative.tariffs:
                tariff = self.tariffs[tariff_id]
                term = tariff.contract.term_months
                if term is not None and term > self.horizon:
                    self._warn(
                        "contract_beyond_horizon",
                        alternative.name,
                        f"{tariff.name}: a {term}-month contract is longer than the "
                        f"{self.horizon}-month horizon",
                        tariff=tariff.name,
                        term=str(term),
                        horizon=str(self.horizon),
                    )
            financing = alternative.financing
            if financing.mode == "lease" and financing.term_months > self.horizon:
                self._warn(
                    "lease_beyond_horizon",
                    alternative.name,
                    f"lease payments run {financing.term_months} months, past the "
                    "horizon: the rest is not counted",
                    term=str(financing.term_months),
                )
        for tariff_id, rating in self.ratings.items():
            unrated = [line for line in rating.lines if line.unrated_calls > 0]
            if unrated:
                calls = sum((line.unrated_calls for line in unrated), ZERO)
                kinds = ", ".join(sorted({f"{line.direction}/{line.category}" for line in unrated}))
                self._warn(
                    "calls_without_rate",
                    None,
                    f"{self.tariffs[tariff_id].name}: {calls:.0f} calls a month ({kinds}) "
                    "match no rate and are priced at 0",
                    tariff=self.tariffs[tariff_id].name,
                    calls=f"{calls:.0f}",
                    kinds=kinds,
                )
        if self.profile.talk_time_only:
            self.notes.append(
                "channels are sized from talk time on a carrier bill (no ringing): a lower bound"
            )
        self.notes.append(
            "a pre-tax cash view as the tariffs state their prices, without "
            "depreciation or residual values"
        )

    def _check_item(self, option: str, tariff: Tariff, item: LineItem, peak: int) -> None:
        """Warn of a commitment shortfall, or of fewer channels than the observed peak."""
        if item.kind == "commitment":
            self._warn(
                "minimum_commitment",
                option,
                f"{tariff.name}: the minimum monthly commitment is above the priced usage and "
                f"charges (shortfall {item.amount:.2f} {tariff.currency} a month)",
                tariff=tariff.name,
                shortfall=f"{item.amount:.2f}",
                currency=tariff.currency,
            )
        channels = _channel_units(tariff, item)
        if channels is not None and channels < peak:
            self._warn(
                "channels_below_peak",
                option,
                f"{tariff.name}: {channels} channels, but {peak} calls were seen at once",
                tariff=tariff.name,
                channels=str(channels),
                peak=str(peak),
            )

    def _warn(self, code: str, option: str | None, message: str, **params: str) -> None:
        warning = ComparisonWarning(code=code, option=option, message=message, params=params)
        if warning not in self.warnings:
            self.warnings.append(warning)

    def collect_assumptions(self, target: int) -> list[Assumption]:
        """Every input with its source: the rep, a default, the bill or a tariff version."""
        scenario = self.scenario
        profile = self.profile
        own = _rep_or_default
        items = [
            Assumption(
                name="horizon",
                value=f"{self.horizon} months",
                source=own(scenario, "horizon_months"),
                key="horizon",
                params={"months": str(self.horizon)},
            ),
            Assumption(
                name="discount rate",
                value=f"{scenario.discount_rate_annual} a year",
                source=own(scenario, "discount_rate_annual"),
                detail="month t discounted by (1 + r)^(t/12)",
                key="discount_rate",
                params={"rate": str(scenario.discount_rate_annual)},
            ),
            *self.assumptions,
            Assumption(
                name="sites",
                value=str(scenario.sites),
                source=own(scenario, "sites"),
                key="sites",
                params={"n": str(scenario.sites)},
            ),
            Assumption(
                name="seat growth",
                value=f"{scenario.seat_growth_annual} a year",
                source=own(scenario, "seat_growth_annual"),
                key="seat_growth",
                params={"rate": str(scenario.seat_growth_annual)},
            ),
            Assumption(
                name="usage growth",
                value=f"{self.usage_growth} a year",
                source=own(scenario, "usage_growth_annual"),
                detail="" if scenario.usage_growth_annual is not None else "follows seats",
                key="usage_growth" if scenario.usage_growth_annual is not None else "usage_follows",
                params={"rate": str(self.usage_growth)},
            ),
            Assumption(
                name="carrier price escalation",
                value=f"{scenario.price_escalation_annual} a year",
                source=own(scenario, "price_escalation_annual"),
                key="escalation",
                params={"rate": str(scenario.price_escalation_annual)},
            ),
            Assumption(
                name="grade of service",
                value=f"{scenario.grade_of_service:g}",
                source=own(scenario, "grade_of_service"),
                key="gos",
                params={"rate": f"{scenario.grade_of_service:g}"},
            ),
            Assumption(
                name="trunk minutes a month",
                value=f"{self.trunk_minutes():.0f}",
                source=Source.BILL,
                detail=f"{profile.period.days:g} days scaled by 30.4375 / days",
                key="trunk_minutes",
                params={
                    "minutes": f"{self.trunk_minutes():.0f}",
                    "days": f"{profile.period.days:g}",
                },
            ),
            Assumption(
                name="busy-hour traffic",
                value=f"{profile.busy_hour_erlangs:g} Erlangs",
                source=Source.BILL,
                key="busy_hour",
                params={"erlangs": f"{profile.busy_hour_erlangs:.3f}"},
            ),
            Assumption(
                name="peak concurrent calls",
                value=str(profile.peak_concurrent_calls),
                source=Source.BILL,
                key="peak",
                params={"n": str(profile.peak_concurrent_calls)},
            ),
            Assumption(
                name="channels",
                value=str(self.years(BASE)[0].channels),
                source=Source.BILL,
                detail="max(peak, Erlang B at the grade of service), re-sized yearly",
                key="channels",
                params={"n": str(self.years(BASE)[0].channels)},
            ),
            Assumption(
                name="DIDs",
                value=str(profile.distinct_dids or 0),
                source=Source.BILL,
                key="dids",
                params={"n": str(profile.distinct_dids or 0)},
            ),
            Assumption(
                name="payback target for 'what it takes'",
                value=f"{target} months",
                source=own(scenario, "payback_target_months"),
                key="payback_target",
                params={"months": str(target)},
            ),
        ]
        status_quo = scenario.status_quo
        if self.usage_from == "bill":
            billed = (self._billed_total() or ZERO) * AVERAGE_MONTH_DAYS / self.days
            items.append(
                Assumption(
                    name="today's usage",
                    value=f"{billed:.2f} {profile.currency or self.currency} a month",
                    source=Source.BILL,
                    detail="what the bill charged, scaled to a month",
                    key="todays_usage",
                    params={
                        "amount": f"{billed:.2f}",
                        "currency": profile.currency or self.currency,
                    },
                )
            )
        if status_quo.tariff is not None:
            lines = status_quo.lines or profile.recommended_channels.channels
            items.append(
                Assumption(
                    name="today's lines",
                    value=str(lines),
                    source=Source.REP if status_quo.lines else Source.BILL,
                    key="todays_lines",
                    params={"n": str(lines)},
                )
            )
        for tariff_id, tariff in self.tariffs.items():
            tax = "include tax" if tariff.prices_include_tax else "exclude tax"
            items.append(
                Assumption(
                    name=tariff.name,
                    value=f"{tariff.kind}, {tariff.currency}, prices {tax}",
                    source=Source.TARIFF,
                    detail=self.label(tariff_id),
                    key="tariff",
                    params={
                        "name": tariff.name,
                        "kind": str(tariff.kind),
                        "currency": tariff.currency,
                        "tax": "included" if tariff.prices_include_tax else "excluded",
                        "id": tariff_id,
                        "version": str(self.versions.get(tariff_id, 1)),
                    },
                )
            )
        for index, alternative in enumerate(scenario.alternatives):
            financing = alternative.financing
            how = (
                financing.mode
                if financing.mode != "lease"
                else (
                    f"lease at {financing.rate_annual} a year over {financing.term_months} months"
                )
            )
            items.append(
                Assumption(
                    name=f"{alternative.name}: equipment",
                    value=how,
                    source=own(alternative, "financing"),
                    key=f"equipment_{financing.mode}",
                    params={
                        "option": alternative.name,
                        "rate": str(financing.rate_annual),
                        "term": str(financing.term_months),
                    },
                )
            )
            fee = self.termination_fee(index)
            if fee:
                source = own(alternative.migration, "early_termination_fee")
                items.append(
                    Assumption(
                        name=f"{alternative.name}: early termination fee",
                        value=f"{fee:.2f}",
                        source=Source.REP if source == Source.REP else Source.TARIFF,
                        detail="" if source == Source.REP else self.label(str(status_quo.tariff)),
                        key="termination_fee",
                        params={"option": alternative.name, "amount": f"{fee:.2f}"},
                    )
                )
            if alternative.discount_pct:
                items.append(
                    Assumption(
                        name=f"{alternative.name}: discount",
                        value=f"{alternative.discount_pct} %",
                        source=Source.REP,
                        key="discount",
                        params={"option": alternative.name, "pct": str(alternative.discount_pct)},
                    )
                )
        return items


_COMPONENT_OF_BASIS = {
    Basis.CHANNEL: Component.CHANNELS,
    Basis.DID: Component.DIDS,
    Basis.SEAT: Component.SEATS,
    Basis.EXTENSION: Component.SEATS,
}


def _override(tariff: Tariff, override: Override) -> Tariff | None:
    """``tariff`` with the unit price and/or quantity of one of its recurring, one-time or
    equipment items replaced; None when it has no such item. A quantity replaces the
    item's rule (per seat, per channel, blocks…): the item is then ``quantity`` units."""
    for field in ("recurring", "one_time", "equipment"):
        entries: Sequence[Charge | EquipmentItem] = getattr(tariff, field)
        for position, entry in enumerate(entries):
            if entry.name.casefold() != override.item.casefold():
                continue
            update: dict[str, object] = {}
            if override.price is not None:
                update["unit_price" if isinstance(entry, EquipmentItem) else "price"] = (
                    override.price
                )
            if override.quantity is not None:
                if isinstance(entry, Charge) and field == "recurring" and entry.component is None:
                    update["component"] = _COMPONENT_OF_BASIS.get(entry.per, Component.OTHER)
                update.update(
                    per=Basis.ACCOUNT,
                    multiplier=override.quantity,
                    block_size=None,
                    priced_per_block=False,
                )
            replaced = list(entries)
            replaced[position] = entry.model_copy(update=update)
            return tariff.model_copy(update={field: replaced})
    return None


@dataclass(frozen=True)
class _Metrics:
    savings: list[Decimal]
    payback: Payback
    discounted: Payback
    npv: float
    irr_annual: float | None
    roi: float | None
    investment: Decimal


def _metrics(today: Sequence[Decimal], option: Sequence[Decimal], rate: float) -> _Metrics:
    savings = [a - b for a, b in zip(today, option, strict=True)]
    investment = option[0] - today[0]
    return _Metrics(
        savings=savings,
        payback=payback(savings),
        discounted=discounted_payback(savings, rate),
        npv=npv(rate, savings),
        irr_annual=savings_irr_annual(savings),
        roi=roi(sum(savings, ZERO), investment),
        investment=investment,
    )


def _months(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _cumulative_at(today: Sequence[Decimal], option: Sequence[Decimal], month: int) -> float:
    return float(sum(today[: month + 1], ZERO) - sum(option[: month + 1], ZERO))


def _option_result(name: str, kind: OptionKind, flows: _Flows, seat_months: int) -> dict[str, Any]:
    total = flows.total()
    tco = sum(total, ZERO)
    components = {c: [ZERO] * (flows.horizon + 1) for c in Component}
    lines = []
    for flow in flows.by_key.values():
        column = components[flow.component]
        for t, amount in enumerate(flow.amounts):
            if amount:
                column[t] += amount
        lines.append(
            CostLine(
                name=flow.name,
                component=flow.component,
                source=flow.source,
                one_time=flow.amounts[0],
                first_month=flow.amounts[1] if flows.horizon >= 1 else ZERO,
                total=sum(flow.amounts, ZERO),
            )
        )
    return {
        "name": name,
        "kind": kind,
        "monthly_costs": total,
        "tco": tco,
        "components": components,
        "line_items": lines,
        "cost_per_seat_month": tco / seat_months if seat_months else None,
    }


def _month_labels(start: str | None, horizon: int) -> list[str]:
    if start is None:
        return [f"M{t}" for t in range(horizon + 1)]
    year, month = int(start[:4]), int(start[5:])
    labels = [start]
    for t in range(1, horizon + 1):
        index = year * 12 + month - 1 + t - 1
        labels.append(f"{index // 12:04d}-{index % 12 + 1:02d}")
    return labels


def compare(
    scenario: Scenario,
    profile: UsageProfile | PreparedProfile,
    tariffs: Mapping[str, Tariff],
    *,
    versions: Mapping[str, int] | None = None,
) -> Comparison:
    """The comparison of every alternative against the status quo (CONTRACT.md's JSON plus
    components, line items, metrics, tornado, "what it takes", assumptions and warnings).

    ``profile`` may be prepared (``app.core.rating.prepare_profile``) to reuse its runs
    across comparisons; ``tariffs`` maps the ids a scenario names to tariffs; ``versions``
    their revision numbers (default 1), quoted in provenance. Raises :class:`ScenarioError`
    naming the field.
    """
    engine = _Engine(scenario, profile, tariffs, versions or {})
    rate = monthly_rate(float(scenario.discount_rate_annual))
    years = engine.years(BASE)
    seats = [years[0].seats] + [years[(t - 1) // 12].seats for t in range(1, engine.horizon + 1)]
    seat_months = sum(seats[1:])
    today_flows = engine.status_quo(BASE)
    today = today_flows.total()
    status_quo = OptionResult(
        **_option_result(scenario.status_quo.name, OptionKind.STATUS_QUO, today_flows, seat_months)
    )
    option_flows = [engine.alternative(i, BASE) for i in range(len(scenario.alternatives))]
    target = min(scenario.payback_target_months or DEFAULT_TARGET_MONTHS, engine.horizon)
    tornadoes = _tornado(engine, rate) if scenario.sensitivity else None
    alternatives = []
    for index, (alternative, flows) in enumerate(
        zip(scenario.alternatives, option_flows, strict=True)
    ):
        option = flows.total()
        metrics = _metrics(today, option, rate)
        alternatives.append(
            AlternativeResult(
                **_option_result(
                    alternative.name, OptionKind(alternative.kind), flows, seat_months
                ),
                savings_total=sum(metrics.savings, ZERO),
                payback_months=_months(metrics.payback.months),
                payback_holds=metrics.payback.holds,
                npv=metrics.npv,
                irr_annual=metrics.irr_annual,
                discounted_payback_months=_months(metrics.discounted.months),
                discounted_payback_holds=metrics.discounted.holds,
                roi=metrics.roi,
                investment=metrics.investment,
                tornado=tornadoes[index] if tornadoes else [],
                what_it_takes=(
                    _what_it_takes(engine, index, today, target) if scenario.sensitivity else []
                ),
            )
        )
    engine.collect_warnings()
    return Comparison(
        currency=engine.currency,
        horizon_months=engine.horizon,
        status_quo=status_quo,
        alternatives=alternatives,
        discount_rate_annual=float(scenario.discount_rate_annual),
        months=_month_labels(scenario.start_month, engine.horizon),
        seats=seats,
        assumptions=engine.collect_assumptions(target),
        warnings=engine.warnings,
        notes=engine.notes,
    )


def _tornado(engine: _Engine, rate: float) -> list[list[TornadoBar]]:
    """For each alternative, NPV and payback with each driver at 80 % and 120 % of its
    value (the others as entered), widest swing first."""
    count = len(engine.scenario.alternatives)
    bars: list[list[TornadoBar]] = [[] for _ in range(count)]
    low, high = ONE - SWING, ONE + SWING
    for driver in DRIVER_NAMES:
        results = []
        for factor in (low, high):
            drivers = replace(BASE, **{driver: factor})
            today = engine.status_quo(drivers).total()
            results.append(
                [
                    _npv_payback(today, engine.alternative(i, drivers).total(), rate)
                    for i in range(count)
                ]
            )
        for i in range(count):
            (npv_low, payback_low), (npv_high, payback_high) = results[0][i], results[1][i]
            bars[i].append(
                TornadoBar(
                    driver=driver,
                    low_factor=float(low),
                    high_factor=float(high),
                    npv_low=npv_low,
                    npv_high=npv_high,
                    payback_low=payback_low,
                    payback_high=payback_high,
                )
            )
    today = engine.status_quo(BASE).total()
    annual = float(engine.scenario.discount_rate_annual)
    for i in range(count):
        option = engine.alternative(i, BASE).total()
        savings = [a - b for a, b in zip(today, option, strict=True)]
        months = _months(payback(savings).months)
        bars[i].append(
            TornadoBar(
                driver="discount_rate",
                low_factor=float(low),
                high_factor=float(high),
                npv_low=npv(monthly_rate(annual * float(low)), savings),
                npv_high=npv(monthly_rate(annual * float(high)), savings),
                payback_low=months,
                payback_high=months,
            )
        )
        bars[i].sort(key=lambda bar: -abs(bar.npv_high - bar.npv_low))
    return bars


def _npv_payback(
    today: Sequence[Decimal], option: Sequence[Decimal], rate: float
) -> tuple[float, float | None]:
    savings = [a - b for a, b in zip(today, option, strict=True)]
    return npv(rate, savings), _months(payback(savings).months)


def _what_it_takes(
    engine: _Engine, index: int, today: Sequence[Decimal], target: int
) -> list[WhatItTakes]:
    """The seat price, and the usage, at which the alternative's cumulative savings reach
    zero at month ``target`` (it breaks even by then): roots of ``S_target(x)`` by brentq."""
    return [
        _solve_seat_price(engine, index, today, target),
        _solve_usage(engine, index, target),
    ]


def _solve_seat_price(
    engine: _Engine, index: int, today: Sequence[Decimal], target: int
) -> WhatItTakes:
    """``S_target(m)`` with every per-seat monthly price × ``m`` falls as ``m`` grows: below
    the root it breaks even by ``target``, above it does not."""
    base = engine.seat_price(index)
    result = WhatItTakes(
        driver="seat_price",
        target_months=target,
        base_value=float(base),
        value=None,
        factor=None,
        detail="",
    )
    if base == 0:
        return result.model_copy(update={"detail": "no per-seat monthly charge"})

    def cumulative(multiplier: float) -> float:
        drivers = replace(BASE, seat_price=Decimal(repr(multiplier)))
        return _cumulative_at(today, engine.alternative(index, drivers).total(), target)

    if cumulative(0.0) < 0:
        return result.model_copy(
            update={"detail": f"does not break even by month {target} even with free seats"}
        )
    high = 1.0
    while cumulative(high) >= 0:
        high *= 4
        if high > 1e6:
            return result.model_copy(update={"detail": "breaks even at any seat price"})
    factor = brentq(cumulative, 0.0, high, xtol=1e-9)
    return result.model_copy(
        update={
            "value": float(base) * factor,
            "factor": factor,
            "detail": f"per seat a month, {engine.currency}: at most this to break even by "
            f"month {target}",
        }
    )


def _solve_usage(engine: _Engine, index: int, target: int) -> WhatItTakes:
    """The traffic (× today's, in every option alike) at which the alternative breaks even
    by ``target``: a bracket from today's traffic, doubling outward, then brentq."""
    base = engine.trunk_minutes()
    result = WhatItTakes(
        driver="usage",
        target_months=target,
        base_value=float(base),
        value=None,
        factor=None,
        detail="",
    )

    def cumulative(volume: float) -> float:
        drivers = replace(BASE, usage=Decimal(repr(volume)))
        today = engine.status_quo(drivers).total()
        return _cumulative_at(today, engine.alternative(index, drivers).total(), target)

    at_today = cumulative(1.0)
    if at_today >= 0:
        if cumulative(0.0) >= 0:
            return result.model_copy(
                update={
                    "value": 0.0,
                    "factor": 0.0,
                    "detail": f"breaks even by month {target} even with no traffic",
                }
            )
        low, high = 0.0, 1.0
    else:
        low, high = 1.0, 2.0
        while cumulative(high) < 0:
            low, high = high, high * 2
            if high > 64:
                return result.model_copy(
                    update={
                        "detail": f"does not break even by month {target} at up to 64 × "
                        "today's usage"
                    }
                )
    factor = brentq(cumulative, low, high, xtol=1e-3)
    return result.model_copy(
        update={
            "value": float(base) * factor,
            "factor": factor,
            "detail": f"trunk minutes a month from which it breaks even by month {target}",
        }
    )


def _channel_units(tariff: Tariff, item: LineItem) -> int | None:
    """Channels a recurring channel charge provides (blocks × block size when per block)."""
    if item.component != Component.CHANNELS or item.kind != "recurring":
        return None
    for charge in tariff.recurring:
        if charge.name == item.name and charge.per == Basis.CHANNEL:
            blocks = charge.block_size if charge.priced_per_block and charge.block_size else 1
            return int(item.quantity * blocks)
    return None
