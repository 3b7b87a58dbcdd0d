"""Tariff tables: the schema of a tariff file (YAML), loading with located errors, hashing.

A tariff is one offer: the client's current carrier (``pstn``), a SIP trunk, a hosted PBX
or an on-premises IP-PBX. ``tariffs/README.md`` documents every field with an example;
``tariff_json_schema()`` is the JSON Schema editors validate against
(``tariffs/tariff.schema.json``).

>>> t = parse_tariff("name: Flat\\nkind: sip_trunk\\ncurrency: USD\\n"
...                  "usage: {rates: [{category: local, increment: 6/6, rate_per_minute: 0.01}]}",
...                  "flat.yaml")
>>> t.usage.rates[0].first_seconds, t.usage.rates[0].step_seconds
(6, 6)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import phonenumbers
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
    model_validator,
)

from app.core.usage import Category, Direction

PROFILE_PREFIX_DIGITS = 4
"""National digits a profile keeps after the country code: the finest prefix a tariff may use."""

MAX_RATE_PLACES = 6
"""Decimal places a usage price may have (keeps rating's integer ticks far from overflow)."""

Price = Annotated[Decimal, Field(ge=0), PlainSerializer(float, return_type=float, when_used="json")]
"""A non-negative exact amount in the tariff's currency."""

Percent = Annotated[
    Decimal, Field(ge=0, le=100), PlainSerializer(float, return_type=float, when_used="json")
]


class TariffKind(StrEnum):
    """What the offer is."""

    PSTN = "pstn"
    SIP_TRUNK = "sip_trunk"
    HOSTED_PBX = "hosted_pbx"
    ONPREM_PBX = "onprem_pbx"


class Component(StrEnum):
    """The cost stack a line item belongs to (comparisons stack costs by these)."""

    EQUIPMENT = "equipment"
    LICENCES = "licences"
    INSTALLATION = "installation"
    MAINTENANCE = "maintenance"
    LABOUR = "labour"
    CHANNELS = "channels"
    DIDS = "dids"
    SEATS = "seats"
    USAGE = "usage"
    OTHER = "other"


class Basis(StrEnum):
    """Where a charge's quantity comes from (profile or scenario)."""

    CHANNEL = "channel"
    DID = "did"
    SEAT = "seat"
    SITE = "site"
    ACCOUNT = "account"
    EXTENSION = "extension"
    PORTED_NUMBER = "ported_number"


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


WEEKDAYS = list(Weekday)


class Approval(StrEnum):
    """Who may grant a discount: carriers' sales policies, lowest level first."""

    REP = "rep"
    MANAGER = "manager"
    DIRECTOR = "director"
    SPECIAL = "special"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BandWindow(_Model):
    """Whole hours ``[from_hour, to_hour)`` on the given weekdays (local time)."""

    days: list[Weekday] = Field(min_length=1)
    from_hour: int = Field(ge=0, le=23)
    to_hour: int = Field(ge=1, le=24)

    @model_validator(mode="after")
    def _ordered(self) -> BandWindow:
        if self.to_hour <= self.from_hour:
            raise ValueError(
                "to_hour must be after from_hour (split a band across midnight in two windows)"
            )
        return self

    def hours_of_week(self) -> set[int]:
        """Hours of the week covered: ``24 · weekday + hour``, Monday 00:00 = 0."""
        return {
            24 * WEEKDAYS.index(day) + hour
            for day in self.days
            for hour in range(self.from_hour, self.to_hour)
        }


_INCREMENT = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_increment(text: str) -> tuple[int, int]:
    """``"a/b"`` → ``(a, b)``: a first period of ``a`` seconds, then steps of ``b`` seconds.

    >>> parse_increment("30/6")
    (30, 6)
    """
    match = _INCREMENT.match(text)
    if not match or int(match[1]) < 1 or int(match[2]) < 1:
        raise ValueError(
            f"increment must be 'a/b' with whole seconds ≥ 1, e.g. 60/60, not {text!r}"
        )
    return int(match[1]), int(match[2])


def normalise_prefix(text: str) -> str:
    """An E.164 prefix as ``"+CC NNNN"`` (country code, space, up to 4 national digits).

    >>> normalise_prefix("+862163"), normalise_prefix("+1 212"), normalise_prefix("+44")
    ('+86 2163', '+1 212', '+44')
    """
    raw = text.strip()
    if not raw.startswith("+"):
        raise ValueError(
            f"prefix must start with '+' and the country code, e.g. '+86 21', not {raw!r}"
        )
    parts = raw[1:].replace("-", " ").split()
    digits = "".join(parts)
    if not digits.isdigit():
        raise ValueError(f"prefix may hold only digits after '+', not {raw!r}")
    if len(parts) > 1:
        country_code, national = parts[0], "".join(parts[1:])
        if int(country_code) not in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            raise ValueError(f"+{country_code} is not a country calling code")
    else:
        for length in (1, 2, 3):
            if int(digits[:length]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                country_code, national = digits[:length], digits[length:]
                break
        else:
            raise ValueError(f"{raw!r} does not start with a country calling code")
    if len(national) > PROFILE_PREFIX_DIGITS:
        raise ValueError(
            f"prefix {raw!r} is finer than a profile can rate: at most the country code "
            f"and {PROFILE_PREFIX_DIGITS} national digits (e.g. '+86 2163')"
        )
    return f"+{country_code} {national}" if national else f"+{country_code}"


_TRAFFIC = re.compile(r"^\s*([a-z*]+)\s*/\s*([a-z_*]+)\s*$")


def parse_traffic(text: str) -> tuple[Direction | None, Category | None]:
    """``"direction/category"`` with ``*`` for any → ``(direction, category)``, None = any.

    >>> parse_traffic("inbound/*")
    (<Direction.INBOUND: 'inbound'>, None)
    """
    match = _TRAFFIC.match(text)
    if not match:
        raise ValueError(f"expected 'direction/category' such as 'outbound/local', not {text!r}")
    direction, category = match[1], match[2]
    if direction != "*" and direction not in {d.value for d in Direction}:
        raise ValueError(f"unknown direction {direction!r}: one of {', '.join(Direction)} or *")
    if category != "*" and category not in {c.value for c in Category}:
        raise ValueError(f"unknown category {category!r}: one of {', '.join(Category)} or *")
    return (
        None if direction == "*" else Direction(direction),
        None if category == "*" else Category(category),
    )


def check_rate_places(value: Decimal | None) -> Decimal | None:
    """A usage price with at most ``MAX_RATE_PLACES`` decimal places, unchanged."""
    if value is not None and -int(value.normalize().as_tuple().exponent) > MAX_RATE_PLACES:
        raise ValueError(f"at most {MAX_RATE_PLACES} decimal places")
    return value


def _check_traffic(values: list[str]) -> list[str]:
    for value in values:
        parse_traffic(value)
    return values


class UsageRate(_Model):
    """One rate: the calls of a direction and category (optionally a country, an E.164
    prefix, a time band) cost ``connect_fee + first_price + steps·b/60·rate_per_minute``,
    ``steps = ceil(max(0, d − a)/b)``, at least ``min_charge`` (``increment`` is ``a/b``)."""

    direction: Direction = Direction.OUTBOUND
    category: Category
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    prefix: str | None = None
    band: str | None = None
    increment: str = "60/60"
    rate_per_minute: Price
    first_price: Price | None = None
    connect_fee: Price = Decimal(0)
    min_charge: Price = Decimal(0)

    _places = field_validator("rate_per_minute", "first_price", "connect_fee", "min_charge")(
        check_rate_places
    )

    @field_validator("increment")
    @classmethod
    def _increment(cls, value: str) -> str:
        parse_increment(value)
        return value.strip()

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, value: str | None) -> str | None:
        return None if value is None else normalise_prefix(value)

    @property
    def first_seconds(self) -> int:
        """``a``: the first period in seconds."""
        return parse_increment(self.increment)[0]

    @property
    def step_seconds(self) -> int:
        """``b``: each later step in seconds."""
        return parse_increment(self.increment)[1]

    @property
    def first_period_price(self) -> Decimal:
        """``first_price``, by default ``a / 60 × rate_per_minute``."""
        if self.first_price is not None:
            return self.first_price
        return Decimal(self.first_seconds) * self.rate_per_minute / 60


class Rounding(_Model):
    """Round each call's charge (``per: call``) or each usage line's total (``per: total``)."""

    per: Literal["call", "total"] = "call"
    decimals: int = Field(2, ge=0, le=6)
    mode: Literal["half_up", "half_even", "up", "down"] = "half_up"


class Usage(_Model):
    """Usage rates, named time bands, free traffic and rounding."""

    rates: list[UsageRate] = Field(default_factory=list)
    time_bands: dict[str, list[BandWindow]] = Field(default_factory=dict)
    free_categories: list[str] = Field(
        default_factory=list,
        description="'direction/category' (* = any) rated free when no rate matches",
    )
    rounding: Rounding | None = None

    _free = field_validator("free_categories")(_check_traffic)

    def band_hours(self) -> dict[str, set[int]]:
        """Each time band's hours of the week."""
        return {
            name: set().union(*(window.hours_of_week() for window in windows))
            for name, windows in self.time_bands.items()
        }


class IncludedMinutes(_Model):
    """A monthly pool of minutes (per seat or per account) that the named traffic draws on;
    beyond it, each category pays its own rate on its share of the overage."""

    name: str
    minutes: Price
    per: Literal["seat", "account"] = "account"
    draws: list[str] = Field(min_length=1, description="'direction/category', * = any")

    _draws = field_validator("draws")(_check_traffic)


class _Quantified(_Model):
    """A quantity rule: the quantity of ``per`` × ``multiplier``, rounded up, then up to a
    multiple of ``block_size``; ``priced_per_block`` counts whole blocks instead."""

    per: Basis = Basis.ACCOUNT
    multiplier: Decimal = Field(Decimal(1), gt=0)
    block_size: int | None = Field(None, ge=1)
    priced_per_block: bool = False

    @model_validator(mode="after")
    def _blocks(self) -> _Quantified:
        if self.priced_per_block and self.block_size is None:
            raise ValueError("priced_per_block needs a block_size")
        return self


class Charge(_Quantified):
    """A priced quantity (recurring a month, or one-time): ``price`` × the quantity."""

    name: str
    price: Price
    component: Component | None = None


class Rental(_Model):
    """Renting an equipment item instead of buying it."""

    monthly_price: Price
    term_months: int | None = Field(None, ge=1)


class EquipmentItem(_Quantified):
    """Bought hardware or licences: replaced after ``lifetime_months`` (None: outlives any
    horizon), worth ``residual_value`` a unit at end of life, optionally rented instead."""

    name: str
    unit_price: Price
    component: Literal[Component.EQUIPMENT, Component.LICENCES] = Component.EQUIPMENT
    lifetime_months: int | None = Field(None, ge=1)
    residual_value: Price = Decimal(0)
    rental: Rental | None = None
    maintained: bool = Field(True, description="counts toward the maintenance base")


class Maintenance(_Model):
    """``percent_per_year`` of the maintained equipment's price, monthly, after the warranty."""

    percent_per_year: Percent
    warranty_months: int = Field(0, ge=0)


class Labour(_Model):
    hours_per_month: Price
    hourly_rate: Price


class Power(_Model):
    """Electricity: ``watts`` drawn around the clock at ``price_per_kwh``."""

    watts: Price
    price_per_kwh: Price


class Bandwidth(_Model):
    """Extra internet bandwidth per concurrent call (channel) at a monthly price per Mbit/s."""

    kbps_per_call: Price
    price_per_mbps_month: Price = Decimal(0)


class TaxBasis(StrEnum):
    USAGE = "usage"
    RECURRING = "recurring"
    USAGE_AND_RECURRING = "usage_and_recurring"
    PER_CHANNEL = "per_channel"
    PER_SEAT = "per_seat"
    PER_DID = "per_did"
    PER_ACCOUNT = "per_account"


class Tax(_Model):
    """A tax or surcharge: ``percent`` of usage and/or recurring charges, or ``amount`` a
    month per channel (line), seat, DID or account. Always its own line item."""

    name: str
    basis: TaxBasis
    percent: Percent | None = None
    amount: Price | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Tax:
        percent_basis = self.basis in (
            TaxBasis.USAGE,
            TaxBasis.RECURRING,
            TaxBasis.USAGE_AND_RECURRING,
        )
        if percent_basis and (self.percent is None or self.amount is not None):
            raise ValueError(f"a tax on {self.basis} takes 'percent' (and no 'amount')")
        if not percent_basis and (self.amount is None or self.percent is not None):
            raise ValueError(f"a tax {self.basis} takes 'amount' (and no 'percent')")
        return self


class Contract(_Model):
    term_months: int | None = Field(None, ge=1)
    minimum_monthly_commitment: Price = Field(
        Decimal(0), description="usage + recurring charges are topped up to this a month"
    )
    early_termination_fee: Price = Decimal(0)


class DiscountTier(_Model):
    """From ``min_monthly_spend`` up: the largest discount (%) each level may grant."""

    min_monthly_spend: Price
    rep: Percent
    manager: Percent
    director: Percent

    @model_validator(mode="after")
    def _ordered(self) -> DiscountTier:
        if not self.rep <= self.manager <= self.director:
            raise ValueError("limits must grow: rep ≤ manager ≤ director")
        return self


class DiscountPolicy(_Model):
    tiers: list[DiscountTier] = Field(min_length=1)

    @field_validator("tiers")
    @classmethod
    def _ascending(cls, tiers: list[DiscountTier]) -> list[DiscountTier]:
        spends = [tier.min_monthly_spend for tier in tiers]
        if spends != sorted(spends) or len(set(spends)) != len(spends):
            raise ValueError("tiers must be in increasing min_monthly_spend")
        return tiers

    def approval_for(self, monthly_spend: Decimal, discount_percent: Decimal) -> Approval:
        """The lowest level whose limit, in the tier of ``monthly_spend``, covers the discount.

        >>> p = DiscountPolicy(tiers=[DiscountTier(min_monthly_spend=0, rep=5, manager=10,
        ...                                        director=15)])
        >>> p.approval_for(Decimal(900), Decimal(12)), p.approval_for(Decimal(900), Decimal(20))
        (<Approval.DIRECTOR: 'director'>, <Approval.SPECIAL: 'special'>)
        """
        eligible = [t for t in self.tiers if t.min_monthly_spend <= monthly_spend]
        tier = eligible[-1] if eligible else self.tiers[0]
        for level, limit in (
            (Approval.REP, tier.rep),
            (Approval.MANAGER, tier.manager),
            (Approval.DIRECTOR, tier.director),
        ):
            if discount_percent <= limit:
                return level
        return Approval.SPECIAL


class Tariff(_Model):
    """One offer, as a pre-sales engineer writes it in ``tariffs/*.yaml``."""

    name: str = Field(min_length=1)
    kind: TariffKind
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")
    example: bool = Field(False, description="a shipped example, not a real price list")
    valid_from: date | None = None
    valid_until: date | None = None
    note: str = ""
    prices_include_tax: bool = False
    price_fixed_for_term: bool = Field(
        False, description="no price escalation during the contract term"
    )
    usage: Usage = Field(default_factory=Usage)
    included_minutes: list[IncludedMinutes] = Field(default_factory=list)
    recurring: list[Charge] = Field(default_factory=list, description="monthly charges")
    one_time: list[Charge] = Field(default_factory=list)
    equipment: list[EquipmentItem] = Field(default_factory=list)
    maintenance: Maintenance | None = None
    labour: Labour | None = None
    power: Power | None = None
    bandwidth: Bandwidth | None = None
    taxes: list[Tax] = Field(default_factory=list)
    contract: Contract = Field(default_factory=Contract)
    discount_policy: DiscountPolicy | None = None

    def required_approval(self, monthly_spend: Decimal, discount_percent: Decimal) -> Approval:
        """Which approval ``discount_percent`` needs (``special`` without a policy unless 0)."""
        if self.discount_policy is None:
            return Approval.REP if discount_percent <= 0 else Approval.SPECIAL
        return self.discount_policy.approval_for(monthly_spend, discount_percent)


# ---------------------------------------------------------------- loading, with located errors

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a tariff file, located."""

    source: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}:{self.column}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class TariffError(ValueError):
    """A tariff file is invalid; ``problems`` name the file, line, column and field of each."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class TariffFile:
    """A tariff as loaded from a file, with its text and content hash."""

    path: Path
    text: str
    tariff: Tariff
    content_hash: str


class _DecimalLoader(yaml.SafeLoader):
    """YAML with exact decimals: ``0.22`` is ``Decimal('0.22')``, never a float."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal | float:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    try:
        return Decimal(text.replace("_", ""))
    except InvalidOperation:
        return float(loader.construct_yaml_float(node))  # type: ignore[arg-type]


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the text with line endings made ``\\n``: kept beside each version."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def _node_at(root: yaml.Node, loc: Loc) -> tuple[yaml.Node, bool]:
    """The deepest node along ``loc``; the flag says a mapping key was hit (unknown field)."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    node = value_node
                    break
            else:
                return node, False
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node, False
            node = node.value[part]
        else:
            return node, False
    return node, True


def _key_node(root: yaml.Node, loc: Loc) -> yaml.Node | None:
    parent, found = _node_at(root, loc[:-1])
    if found and isinstance(parent, yaml.MappingNode):
        for key_node, _ in parent.value:
            if key_node.value == str(loc[-1]):
                return key_node  # type: ignore[no-any-return]
    return None


def _problem(source: str, root: yaml.Node, loc: Loc, message: str, *, key: bool) -> Problem:
    node = (_key_node(root, loc) if key and loc else None) or _node_at(root, loc)[0]
    mark = node.start_mark
    field = ".".join(str(part) for part in loc)
    return Problem(source, mark.line + 1, mark.column + 1, field, message)


def _cross_checks(tariff: Tariff) -> Iterator[tuple[Loc, str]]:
    """Rules across fields: validity dates in order, bands that overlap or are missing,
    duplicate rates, prefixes outside the rate's country."""
    if tariff.valid_from and tariff.valid_until and tariff.valid_until < tariff.valid_from:
        yield ("valid_until",), "is before valid_from"
    seen: dict[str, set[int]] = {}
    for name, windows in tariff.usage.time_bands.items():
        hours: set[int] = set()
        for index, window in enumerate(windows):
            covered = window.hours_of_week()
            for other, other_hours in seen.items():
                if covered & other_hours:
                    yield ("usage", "time_bands", name, index), f"overlaps time band {other!r}"
            if covered & hours:
                yield ("usage", "time_bands", name, index), "overlaps another window of this band"
            hours |= covered
        seen[name] = hours
    keys: dict[tuple[object, ...], int] = {}
    for index, rate in enumerate(tariff.usage.rates):
        where: Loc = ("usage", "rates", index)
        if rate.band is not None and rate.band not in tariff.usage.time_bands:
            yield (*where, "band"), f"no time band named {rate.band!r} in usage.time_bands"
        if rate.prefix and rate.country:
            code = int(rate.prefix[1:].split()[0])
            if rate.country not in phonenumbers.region_codes_for_country_code(code):
                yield (*where, "prefix"), f"{rate.prefix} is not a prefix of {rate.country}"
        key = (rate.direction, rate.category, rate.country, rate.prefix, rate.band)
        if key in keys:
            yield (
                where,
                f"duplicates rate {keys[key]} (same direction, category, country, prefix, band)",
            )
        keys.setdefault(key, index)


def parse_tariff(text: str, source_name: str) -> Tariff:
    """Parse and validate a tariff file's text; raise ``TariffError`` naming line and field."""
    try:
        root = yaml.compose(text, Loader=_DecimalLoader)
        data: Any = yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise TariffError(
            [Problem(source_name, line, column, "", f"bad YAML: {exc.problem}")]
        ) from exc
    except yaml.YAMLError as exc:
        raise TariffError([Problem(source_name, 1, 1, "", f"bad YAML: {exc}")]) from exc
    if root is None or not isinstance(data, dict):
        raise TariffError([Problem(source_name, 1, 1, "", "a tariff file is a YAML mapping")])
    try:
        tariff = Tariff.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(part for part in error["loc"] if not str(part).startswith("function-"))
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown field"
            elif error["type"] == "enum":
                message = f"unknown {loc[-1]} {error['input']!r}: {message}"
            problems.append(
                _problem(source_name, root, loc, message, key=error["type"] == "extra_forbidden")
            )
        raise TariffError(problems) from exc
    problems = [
        _problem(source_name, root, loc, message, key=False)
        for loc, message in _cross_checks(tariff)
    ]
    if problems:
        raise TariffError(problems)
    return tariff


def load_tariff_file(path: str | Path) -> TariffFile:
    """Read and validate one tariff file (UTF-8)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TariffError([Problem(str(file), 1, 1, "", f"cannot read: {exc}")]) from exc
    return TariffFile(file, text, parse_tariff(text, str(file)), content_hash(text))


def load_tariff(path: str | Path) -> Tariff:
    """The validated tariff of one file."""
    return load_tariff_file(path).tariff


def tariff_paths(directory: str | Path) -> list[Path]:
    """The tariff files of a directory (``*.yaml``, ``*.yml``), sorted by name."""
    folder = Path(directory)
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def check_tariff_dir(directory: str | Path) -> tuple[list[TariffFile], list[Problem]]:
    """Load every tariff file of a directory: the valid ones and every problem found."""
    loaded: list[TariffFile] = []
    problems: list[Problem] = []
    for path in tariff_paths(directory):
        try:
            loaded.append(load_tariff_file(path))
        except TariffError as exc:
            problems.extend(exc.problems)
    return loaded, problems


def tariff_json_schema() -> dict[str, Any]:
    """The JSON Schema of a tariff file (for editors; ``tariffs/tariff.schema.json``)."""
    schema = Tariff.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Telroi tariff"
    return schema
