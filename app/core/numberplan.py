"""Number plan: the class of a dialled or presented number, vectorised over distinct numbers.

The rules are those of DESIGN.md ("Categories", "Extensions"), decided with Google's
libphonenumber data as shipped in ``phonenumbers``. Instead of parsing numbers one by one,
the metadata's own patterns (international and national prefixes, country codes, the
national-number regular expressions of each number type, short and emergency numbers) are
compiled once per plan and applied as polars expressions to the *distinct* numbers of a
bill, so a million distinct numbers cost a few vectorised regex passes, not a million parses.
``classify_number`` gives the same answer for one number (tests compare it with
``phonenumbers.parse``/``number_type``).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache

import phonenumbers
import polars as pl
from phonenumbers import PhoneMetadata
from phonenumbers.phonemetadata import PhoneNumberDesc
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

from app.core.usage import Category

PARALLEL_ROWS = 200_000  # rows a slice must have at least to be classified on its own thread
_OTHER_NATIONAL_TYPES = ("voip", "personal_number", "pager", "uan", "voicemail")
_RARE_TYPES = ("premium_rate", "toll_free", "shared_cost", *_OTHER_NATIONAL_TYPES)
_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


class NumberPlanError(ValueError):
    """An unusable number-plan setting (country, area code, prefix or extension range)."""


@dataclass(frozen=True)
class ExtensionRange:
    """Extensions ``low``…``high`` inclusive, compared as numbers of the same digit counts."""

    low: int
    high: int
    min_digits: int
    max_digits: int


def parse_extension_ranges(text: str | None) -> tuple[ExtensionRange, ...]:
    """``"8000-8099,200-299,555"`` → ranges; empty or None → () (the default rule)."""
    if not text or not text.strip():
        return ()
    ranges = []
    for part in text.split(","):
        match = _RANGE.match(part)
        if match is None:
            raise NumberPlanError(f"extension range {part.strip()!r} is not like 8000-8099")
        low_text, high_text = match.group(1), match.group(2) or match.group(1)
        low, high = int(low_text), int(high_text)
        if low > high:
            raise NumberPlanError(f"extension range {part.strip()!r} ends before it starts")
        ranges.append(ExtensionRange(low, high, len(low_text), len(high_text)))
    return tuple(ranges)


def normalise_number(expr: pl.Expr) -> pl.Expr:
    """Keep the digits of a number and a leading ``+`` (``"+1 (212) 555-0100"`` →
    ``"+12125550100"``); a name-only caller ID (``"Anonymous"``) becomes an empty string."""
    stripped = expr.cast(pl.String).fill_null("").str.strip_chars()
    digits = stripped.str.replace_all(r"[^0-9]", "")
    return (
        pl.when(stripped.str.starts_with("+") & (digits != "")).then("+" + digits).otherwise(digits)
    )


def normalise_numbers(values: pl.Series) -> pl.Series:
    """``normalise_number`` over a column, skipped when it already holds clean numbers."""
    filled = values.cast(pl.String).fill_null("")
    if not filled.str.contains(r"[^0-9]").any():  # digits only (a "+" takes the long way)
        return filled
    return filled.to_frame("n").select(normalise_number(pl.col("n"))).to_series().alias(values.name)


CATEGORY_DTYPE = pl.Enum([c.value for c in Category])
REGION_DTYPE = pl.Enum(sorted(phonenumbers.SUPPORTED_REGIONS))  # ISO codes, sorted


def _category(category: Category) -> pl.Expr:
    return pl.lit(category.value, dtype=CATEGORY_DTYPE)


def prefix_code(cc: pl.Expr, nsn: pl.Expr) -> pl.Expr:
    """The destination prefix ``+CC NNNN`` (country code, first four digits of the national
    number) as one integer ``(CC × 10 + digits) × 10⁴ + NNNN`` — cheap to group by."""
    head = nsn.str.slice(0, 4)
    return (cc.str.to_integer(strict=False) * 10 + head.str.len_bytes().cast(pl.Int64)) * 10_000 + (
        head.str.to_integer(strict=False).fill_null(0)
    )


def prefix_text(code: pl.Expr) -> pl.Expr:
    """``+CC NNNN`` of a ``prefix_code`` (null stays null)."""
    digits = (code // 10_000) % 10
    value = (code % 10_000).cast(pl.String).str.zfill(digits.cast(pl.Int64))
    return pl.concat_str(pl.lit("+"), (code // 100_000).cast(pl.String), pl.lit(" "), value)


def _full(pattern: str) -> str:
    return f"^(?:{pattern})$"


def _desc_matches(number: pl.Expr, desc: PhoneNumberDesc | None) -> pl.Expr:
    """``phonenumbers._is_number_matching_desc``: a possible length and a full pattern match."""
    if desc is None or desc.national_number_pattern is None:
        return pl.lit(False)
    matches = number.str.contains(_full(desc.national_number_pattern))
    lengths = [n for n in (desc.possible_length or ()) if n > 0]
    if lengths:
        matches = matches & number.str.len_bytes().is_in(lengths)
    return matches


def _is_valid_for(metadata: PhoneMetadata, nsn: pl.Expr) -> pl.Expr:
    """A national number of some known type of ``metadata``'s region (phonenumbers' validity)."""
    if metadata.general_desc is None:
        return pl.lit(False)
    types = [
        "premium_rate",
        "toll_free",
        "shared_cost",
        *_OTHER_NATIONAL_TYPES,
        "fixed_line",
        "mobile",
    ]
    any_type = pl.lit(False)
    for name in types:
        any_type = any_type | _desc_matches(nsn, getattr(metadata, name))
    return _desc_matches(nsn, metadata.general_desc) & any_type


@cache
def _country_codes() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    codes = [str(cc) for cc in phonenumbers.COUNTRY_CODE_TO_REGION_CODE]
    return (
        frozenset(c for c in codes if len(c) == 1),
        frozenset(c for c in codes if len(c) == 2),
        frozenset(c for c in codes if len(c) == 3),
    )


def _regions_of(cc: str) -> tuple[str, ...]:
    return tuple(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(cc), ()))


def _metadata(region: str) -> PhoneMetadata | None:
    return PhoneMetadata.metadata_for_region(region, None)


@dataclass(frozen=True)
class NumberPlan:
    """The client's numbering context: home country, local area codes, the PBX's outside-line
    prefix and its extension ranges (empty: extensions are numbers of at most 6 digits that
    are not emergency or service short numbers)."""

    country: str
    area_codes: tuple[str, ...] = ()
    outside_prefix: str = ""
    extension_ranges: tuple[ExtensionRange, ...] = ()
    _metadata: PhoneMetadata = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        country = self.country.upper()
        object.__setattr__(self, "country", country)
        metadata = _metadata(country)
        if metadata is None:
            raise NumberPlanError(f"unknown country {self.country!r} (an ISO 3166 code like CN)")
        object.__setattr__(self, "_metadata", metadata)
        for code in self.area_codes:
            if not code.isdigit():
                raise NumberPlanError(f"area code {code!r} is not digits")
        if self.outside_prefix and not self.outside_prefix.isdigit():
            raise NumberPlanError(f"outside-line prefix {self.outside_prefix!r} is not digits")

    @property
    def country_code(self) -> str:
        return str(self._metadata.country_code)

    def default_timezone(self) -> str:
        """The first IANA zone libphonenumber gives for the first area code (or the country)."""
        key = self.country_code + (self.area_codes[0] if self.area_codes else "")
        for length in range(min(len(key), TIMEZONE_LONGEST_PREFIX), 0, -1):
            zones = TIMEZONE_DATA.get(key[:length])
            if zones:
                return str(zones[0])
        return "UTC"

    # --- extensions and short numbers ------------------------------------------------

    def _short_class(self, digits: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
        """(emergency, valid short number, service number) for bare digit strings.

        A service number is a short number a PBX must not take for an extension: an
        emergency number, a three-digit one (N11 …), or any other valid short number that is
        neither carrier-specific nor for SMS only (the US data counts every 4–6 digit
        number as some carrier's short code)."""
        short = PhoneMetadata.short_metadata_for_region(self.country, None)
        if short is None:
            return pl.lit(False), pl.lit(False), pl.lit(False)
        emergency = (
            digits.str.contains(_full(short.emergency.national_number_pattern))
            if short.emergency is not None and short.emergency.national_number_pattern
            else pl.lit(False)
        )
        not_empty = digits != ""
        valid = _desc_matches(digits, short.general_desc) & _desc_matches(digits, short.short_code)
        narrow = _desc_matches(digits, short.carrier_specific) | _desc_matches(
            digits, short.sms_services
        )
        service = emergency | (valid & ((digits.str.len_bytes() <= 3) | ~narrow))
        return emergency & not_empty, valid & not_empty, service & not_empty

    def _is_service_number(self, number: pl.Expr) -> pl.Expr:
        """Emergency or service short number, as dialled or after the outside-line prefix."""
        result = self._short_class(number)[2]
        prefix = self.outside_prefix
        if prefix:
            rest = number.str.slice(len(prefix))
            result = result | (number.str.starts_with(prefix) & self._short_class(rest)[2])
        return result

    def is_extension(self, number: pl.Expr) -> pl.Expr:
        """Whether a normalised number is one of the client's extensions (DESIGN.md)."""
        digits_only = number.str.contains(r"^[0-9]+$")
        length = number.str.len_bytes()
        if self.extension_ranges:
            value = number.str.slice(0, 18).cast(pl.Int64, strict=False)
            in_range = pl.lit(False)
            for r in self.extension_ranges:
                in_range = in_range | (
                    value.is_between(r.low, r.high) & length.is_between(r.min_digits, r.max_digits)
                )
            candidate = digits_only & in_range
        else:
            candidate = digits_only & (length <= 6)
        return candidate & ~self._is_service_number(number)

    # --- classification -----------------------------------------------------------------

    def strip_outside_prefix(self, number: pl.Expr, dialled: pl.Expr | bool = True) -> pl.Expr:
        """A dialled number without the PBX's outside-line prefix (when it starts with it)."""
        prefix = self.outside_prefix
        if not prefix:
            return number
        strip = number.str.starts_with(prefix) & (number.str.len_bytes() > len(prefix)) & dialled
        return number.str.slice(strip.cast(pl.Int64) * len(prefix))

    @property
    def max_extension_digits(self) -> int:
        """No extension is longer than this."""
        if self.extension_ranges:
            return max(r.max_digits for r in self.extension_ranges)
        return 6

    def extensions_among(self, numbers: pl.Series) -> pl.Series:
        """The distinct extensions among normalised ``numbers``."""
        short = numbers.filter(numbers.str.len_bytes() <= self.max_extension_digits).unique()
        return short.to_frame("n").filter(self.is_extension(pl.col("n"))).get_column("n")

    def classify(self, numbers: pl.Series, *, dialled: bool = False) -> pl.DataFrame:
        """Classify normalised numbers of remote parties, one output row per input row.

        ``dialled``: the numbers were dialled from the PBX, so a leading outside-line prefix
        is stripped first. Columns: ``category``, ``country`` (ISO alpha-2, of dtype
        ``REGION_DTYPE``, or null), ``prefix_code`` (``"+CC NNNN"`` as an integer, see
        ``prefix_code``; null where the number has no such prefix), and ``cc`` and ``nsn``
        (country code, null when unknown, and national number as read: equal for every way
        of writing one number). When numbers repeat, each distinct number is classified
        once and the result joined back.
        """
        frame = numbers.cast(pl.String).fill_null("").to_frame("number")
        if dialled and self.outside_prefix:
            frame = frame.select(self.strip_outside_prefix(pl.col("number")).alias("number"))
        distinct_estimate = int(frame.select(pl.col("number").approx_n_unique()).item())
        if frame.height > 1000 and distinct_estimate < frame.height // 2:
            distinct = frame.unique()
            classes = self._classify_frame(distinct)
            return frame.join(classes, on="number", how="left", maintain_order="left").drop(
                "number"
            )
        return self._classify_in_parts(frame).drop("number")

    def _classify_in_parts(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``_classify_frame`` on slices of a large frame side by side (row-wise work;
        polars releases the GIL), concatenated in order."""
        parts = min(pl.thread_pool_size(), frame.height // PARALLEL_ROWS)
        if parts < 2:
            return self._classify_frame(frame)
        size = -(-frame.height // parts)
        slices = [frame.slice(offset, size) for offset in range(0, frame.height, size)]
        with ThreadPoolExecutor(max_workers=len(slices)) as pool:
            return pl.concat(list(pool.map(self._classify_frame, slices)))

    def classify_number(
        self, number: str, *, dialled: bool = False
    ) -> tuple[str, str | None, str | None]:
        """(category, country, prefix) of one number, by the same rules as ``classify``."""
        series = pl.Series([number]).to_frame("n").select(normalise_number(pl.col("n"))).to_series()
        row = self.classify(series, dialled=dialled).row(0, named=True)
        prefix = pl.select(prefix_text(pl.lit(row["prefix_code"], dtype=pl.Int64))).item()
        return str(row["category"]), row["country"], prefix

    def _classify_frame(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Classify the (outside-prefix-free) numbers of column ``number``, row by row.

        International forms (``+`` or the international prefix) get their country code and
        region on their own (a small subset); every national significant number gets its
        home category from the metadata's patterns; local numbers without area code and
        short numbers are then settled on their (small) subsets."""
        number = frame.get_column("number")
        plus_sign = number.str.starts_with("+")
        frame = frame.with_columns(
            plus=plus_sign,
            digits=number.str.strip_prefix("+") if plus_sign.any() else number,
        ).with_row_index("_i")
        home_nsn, trunk = self._national_number(pl.col("digits"))
        frame = self._with_international_flag(frame).with_columns(
            trunk=trunk & ~pl.col("intl"), nsn=home_nsn
        )
        frame = self._with_international_forms(frame)
        frame = self._with_home_category(frame)
        frame = self._with_regions(self._with_local_numbers(frame)).drop("_i")
        digits_col = pl.col("digits")
        plus = pl.col("plus")
        regular = (
            pl.when(pl.col("cc").is_null())
            .then(_category(Category.UNKNOWN))
            .when(pl.col("home"))
            .then(pl.col("home_category"))
            .when(pl.col("region").is_null() & pl.col("cc_is_home"))
            .then(_category(Category.UNKNOWN))
            .otherwise(_category(Category.INTERNATIONAL))
        )
        frame = frame.with_columns(regular=regular)
        may_be_short = ~plus & (
            (digits_col.str.len_bytes() <= 6) | (pl.col("regular") == Category.UNKNOWN.value)
        )
        candidates = (
            frame.select("plus", "digits", "regular")
            .filter(may_be_short)
            .get_column("digits")
            .unique()
            .to_frame("digits")
        )
        emergency_flag, special_flag, _ = self._short_class(digits_col)
        flags = candidates.with_columns(e=emergency_flag, x=special_flag)
        emergency = _one_of(digits_col, flags.filter("e").get_column("digits"))
        special = _one_of(digits_col, flags.filter("x").get_column("digits"))
        category = (
            pl.when(may_be_short & emergency)
            .then(_category(Category.EMERGENCY))
            .when(may_be_short & special)
            .then(_category(Category.SPECIAL))
            .when(digits_col == "")
            .then(_category(Category.UNKNOWN))
            .otherwise(pl.col("regular"))
        )
        frame = frame.with_columns(category=category)
        cat = pl.col("category")
        short_or_unknown_cc = cat.is_in([Category.EMERGENCY.value, Category.SPECIAL.value])
        country = (
            pl.when(short_or_unknown_cc)
            .then(pl.lit(self.country, dtype=REGION_DTYPE))
            .when(cat == Category.UNKNOWN.value)
            .then(pl.lit(None, dtype=REGION_DTYPE))
            .otherwise(pl.col("region"))
        )
        has_number = pl.col("cc").is_not_null() & (pl.col("nsn") != "") & ~short_or_unknown_cc
        return frame.select(
            "number",
            "category",
            country.alias("country"),
            pl.when(has_number)
            .then(prefix_code(pl.col("cc"), pl.col("nsn")))
            .otherwise(None)
            .alias("prefix_code"),
            "cc",
            "nsn",
        )

    def _with_international_flag(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Add ``intl``: written with ``+``, or with the international prefix then a number
        (its first digit not 0). What follows the prefix is cut out only for the numbers
        that start with one. Needs ``_i``, ``plus`` and ``digits``."""
        intl = frame.get_column("plus").alias("intl")
        idd = self._metadata.international_prefix
        if idd:
            digits, after = pl.col("digits"), pl.col("after")
            starts = (
                digits.str.starts_with(idd) if idd.isdigit() else digits.str.contains(f"^(?:{idd})")
            )
            hits = (
                frame.select("_i", "plus", "digits")
                .filter(~pl.col("plus") & starts)
                .select("_i", after=_after_prefix(digits, idd))
                .filter((after != "") & ~after.str.starts_with("0"))
                .get_column("_i")
            )
            if hits.len():
                intl = intl.scatter(hits, True)
        return frame.with_columns(intl)

    def _is_fixed(self, nsn: pl.Expr) -> pl.Expr:
        md = self._metadata
        return _desc_matches(nsn, md.general_desc) & _desc_matches(nsn, md.fixed_line)

    def _national_number(self, digits: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
        """(national significant number, whether it was written with the trunk prefix) of a
        number written in national form: a leading trunk prefix is stripped (a number that
        is then invalid would be invalid with it too)."""
        national_prefix = self._metadata.national_prefix or ""
        if not national_prefix:
            return digits, pl.lit(False)
        use_stripped = digits.str.starts_with(national_prefix) & (
            digits.str.len_bytes() > len(national_prefix)
        )
        return digits.str.slice(use_stripped.cast(pl.Int64) * len(national_prefix)), use_stripped

    def _with_local_numbers(self, frame: pl.DataFrame) -> pl.DataFrame:
        """A local number dialled without its area code: a home number written without the
        trunk prefix is local when an area code makes it a valid fixed line (that is whom a
        caller in the area reaches). Worked on that subset only; needs ``_i``, ``digits``,
        ``nsn``, ``home_category``."""
        if not self.area_codes:
            return frame
        md = self._metadata
        longest = max(md.fixed_line.possible_length or (17,)) if md.fixed_line else 17
        subset = frame.select("_i", "digits", "intl", "trunk").filter(
            ~pl.col("intl")
            & ~pl.col("trunk")
            & (pl.col("digits").str.len_bytes() <= longest - min(map(len, self.area_codes)))
            & (pl.col("digits") != "")
        )
        nsn = frame.get_column("nsn")
        local = pl.repeat(False, frame.height, dtype=pl.Boolean, eager=True)
        for code in self.area_codes:
            if subset.height == 0:
                break
            candidate = pl.lit(code) + pl.col("digits")
            flagged = subset.with_columns(_fixed=self._is_fixed(candidate), _nsn=candidate)
            hits = flagged.filter(pl.col("_fixed"))
            if hits.height:
                nsn = nsn.scatter(hits.get_column("_i"), hits.get_column("_nsn"))
                local = local.scatter(hits.get_column("_i"), True)
            subset = flagged.filter(~pl.col("_fixed")).select("_i", "digits")
        return (
            frame.with_columns(nsn=nsn, _local=local)
            .with_columns(
                home_category=pl.when("_local")
                .then(_category(Category.LOCAL))
                .otherwise("home_category")
            )
            .drop("_local")
        )

    def _with_international_forms(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Add ``cc`` (the home country code for national forms; null where an
        international form has no known code) and, for international forms, the national
        number after the country code in ``nsn``; ``cc_is_home``. Needs ``_i``, ``plus``,
        ``digits``, ``intl`` and ``nsn``."""
        home_cc = self.country_code
        cc = pl.repeat(home_cc, frame.height, dtype=pl.String, eager=True).alias("cc")
        nsn = frame.get_column("nsn")
        forms = frame.select("_i", "plus", "digits", "intl").filter(pl.col("intl"))
        if forms.height:
            idd = self._metadata.international_prefix
            digits = pl.col("digits")
            rest = _after_prefix(digits, idd) if idd else digits
            one, two, three = _country_codes()
            forms = forms.select(
                "_i", t=pl.when(pl.col("plus")).then(pl.col("digits")).otherwise(rest)
            )
            t = pl.col("t")
            forms = forms.with_columns(
                cc=pl.when(t.str.slice(0, 1).is_in(list(one)))
                .then(t.str.slice(0, 1))
                .when(t.str.slice(0, 2).is_in(list(two)))
                .then(t.str.slice(0, 2))
                .when(t.str.slice(0, 3).is_in(list(three)))
                .then(t.str.slice(0, 3))
                .otherwise(None)
            ).with_columns(
                nsn=t.str.slice(pl.col("cc").str.len_bytes().fill_null(0).cast(pl.Int64))
            )
            index = forms.get_column("_i")
            cc = cc.scatter(index, forms.get_column("cc"))
            nsn = nsn.scatter(index, forms.get_column("nsn"))
        return frame.with_columns(cc=cc, nsn=nsn).with_columns(
            cc_is_home=pl.col("cc").fill_null("") == home_cc
        )

    def _with_regions(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Add ``region``, the region of (cc, nsn) as ``phonenumbers.region_code_for_number``
        finds it (for a country code shared by several regions, the first whose leading
        digits or number patterns match), and ``home`` (the region is the client's).
        Needs the row index ``_i``."""
        home_single = len(_regions_of(self.country_code)) == 1
        if home_single:
            region = frame.select(
                pl.when("cc_is_home")
                .then(pl.lit(self.country, dtype=REGION_DTYPE))
                .otherwise(None)
                .alias("region")
            ).to_series()
            todo = frame.select("_i", "cc", "nsn", "cc_is_home").filter(
                ~pl.col("cc_is_home") & pl.col("cc").is_not_null()
            )
        else:
            region = pl.repeat(None, frame.height, dtype=REGION_DTYPE, eager=True).alias("region")
            todo = frame.select("_i", "cc", "nsn").filter(pl.col("cc").is_not_null())
        found = []  # (row index, region) of the rows in ``todo``, set in one scatter
        for cc in todo.get_column("cc").unique().to_list():
            rows = todo.filter(pl.col("cc") == cc).select("_i", "nsn")
            regions = _regions_of(cc)
            if len(regions) == 1:
                single = _single_region(cc)
                if single is not None:
                    found.append(rows.select("_i", region=pl.lit(single, dtype=REGION_DTYPE)))
                continue
            for code in regions:
                md = _metadata(code)
                if md is None or rows.height == 0:
                    continue
                if md.leading_digits:
                    cond = pl.col("nsn").str.contains(f"^(?:{md.leading_digits})")
                else:
                    cond = _is_valid_for(md, pl.col("nsn"))
                flagged = rows.with_columns(_hit=cond.fill_null(False))
                found.append(
                    flagged.filter("_hit").select("_i", region=pl.lit(code, dtype=REGION_DTYPE))
                )
                rows = flagged.filter(~pl.col("_hit")).drop("_hit")
        if found:
            hits = pl.concat(found)
            region = region.scatter(hits.get_column("_i"), hits.get_column("region"))
        frame = frame.with_columns(region=region)
        if home_single:
            return frame.with_columns(home=pl.col("cc_is_home"))
        return frame.with_columns(home=(pl.col("region") == self.country).fill_null(False))

    def _with_home_category(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Add ``home_category``, the category of ``nsn`` as a home-region national number.

        The rarer types (premium, toll-free, shared-cost, other national) are tried first
        in one pass over their patterns' union; only the numbers it matches are tested
        against each of them (``_home_category``). Needs ``_i`` and ``nsn``."""
        nsn = pl.col("nsn")
        rare = [getattr(self._metadata, name) for name in _RARE_TYPES]
        patterns = [f"(?:{d.national_number_pattern})" for d in rare if _has_pattern(d)]
        maybe_rare = nsn.str.contains(_full("|".join(patterns))) if patterns else pl.lit(False)
        frame = frame.with_columns(home_category=self._home_category(nsn, rare=False))
        subset = frame.select("_i", "nsn").filter(maybe_rare)
        if subset.height == 0:
            return frame
        classes = subset.select(self._home_category(nsn, rare=True)).to_series()
        category = frame.get_column("home_category").scatter(subset.get_column("_i"), classes)
        return frame.with_columns(category)

    def _home_category(self, nsn: pl.Expr, *, rare: bool) -> pl.Expr:
        """The category of a home-region national number (phonenumbers' ``number_type``
        order; fixed lines local or national by area code); ``rare=False`` leaves out the
        rarer types (for numbers that match none of their patterns)."""
        md = self._metadata
        area = pl.lit(False)
        for code in self.area_codes:
            area = area | nsn.str.starts_with(code)
        fixed_category = (
            pl.when(area).then(_category(Category.LOCAL)).otherwise(_category(Category.NATIONAL))
        )
        mobile = _desc_matches(nsn, md.mobile)
        if md.same_mobile_and_fixed_line_pattern:
            mobile = pl.lit(False)
        branches = [(~_desc_matches(nsn, md.general_desc), _category(Category.UNKNOWN))]
        if rare:
            other_national = pl.lit(False)
            for name in _OTHER_NATIONAL_TYPES:
                other_national = other_national | _desc_matches(nsn, getattr(md, name))
            branches += [
                (_desc_matches(nsn, md.premium_rate), _category(Category.PREMIUM)),
                (_desc_matches(nsn, md.toll_free), _category(Category.TOLL_FREE)),
                (_desc_matches(nsn, md.shared_cost), _category(Category.SHARED_COST)),
                (other_national, _category(Category.NATIONAL)),
            ]
        branches += [
            (_desc_matches(nsn, md.fixed_line), fixed_category),
            (mobile, _category(Category.MOBILE)),
        ]
        category = _category(Category.UNKNOWN)
        for condition, value in reversed(branches):  # the first branch that holds wins
            category = pl.when(condition).then(value).otherwise(category)
        return category


def _one_of(column: pl.Expr, values: pl.Series) -> pl.Expr:
    """Whether each value is among ``values`` (no lookup at all when there is none)."""
    return column.is_in(values.implode()) if values.len() else pl.lit(False)


def _has_pattern(desc: PhoneNumberDesc | None) -> bool:
    return desc is not None and desc.national_number_pattern is not None


def _after_prefix(digits: pl.Expr, pattern: str) -> pl.Expr:
    """What follows a leading match of ``pattern`` (null where it does not start with one);
    a plain digit prefix such as ``00`` is cut without a regular expression."""
    if pattern.isdigit():
        return pl.when(digits.str.starts_with(pattern)).then(digits.str.slice(len(pattern)))
    return digits.str.extract(f"^(?:{pattern})(.*)$", 1)


def _single_region(cc: str) -> str | None:
    regions = _regions_of(cc)
    if len(regions) != 1:
        return None
    region = regions[0]
    return None if region == "001" else str(region)
