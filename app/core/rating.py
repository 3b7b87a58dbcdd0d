"""Rating: a usage profile priced exactly under a tariff (DESIGN.md, "Billing").

Public API (for scenarios, finance, the API and the CLI)::

    from app.core.tariffs import Tariff, load_tariff, parse_tariff
    from app.core.rating import (
        Component, LineItem, Quantities, UsageLine, UsageRating,
        prepare_profile, rate_usage, rate_months, rate_period, price_tariff,
        rate_card_rating, reconcile,
    )

    tariff = load_tariff("tariffs/cn-sip-trunk.yaml")          # or parse_tariff(text, name)
    prepared = prepare_profile(profile)     # optional: reuse when rating one profile many times
    avg = rate_usage(prepared, tariff)                          # the average month (× 30.4375 / D)
    sept = rate_usage(prepared, tariff, month="2026-09")        # one calendar month, unscaled
    months = rate_months(prepared, tariff)                      # every calendar month in the profile
    whole = rate_period(prepared, tariff)                       # the whole period (pools month by month)
    q = Quantities.from_profile(profile, seats=60, sites=1)     # channels, DIDs, extensions, seats, sites
    items = price_tariff(tariff, q, avg)                        # -> list[LineItem]

``rate_usage`` accepts a ``UsageProfile`` or a ``PreparedProfile``; pools drawn per seat use
``quantities.seats`` (default: the profile's distinct extensions, else 1).

``UsageRating``: ``currency``, ``month`` (None for the average month, ``"YYYY-MM"``, or
``"period"``), ``scale`` (the factor applied to the profile's counts), ``lines`` (one
``UsageLine`` per (direction, category, country): ``calls``, ``billed_seconds``,
``billed_minutes``, ``rate_per_minute`` (amount ÷ billed minutes before the pool),
``amount_before_pool``, ``pool_minutes`` drawn, ``amount``, ``status`` = ``rated`` | ``free`` |
``no_rate``), ``pools`` (``PoolUse``: minutes included, drawn, overage) and ``total``.

``LineItem`` (what a scenario stacks by ``component``): ``component`` (``equipment``,
``licences``, ``installation``, ``maintenance``, ``labour``, ``channels``, ``dids``, ``seats``,
``usage``, ``other``), ``kind`` (``usage``, ``recurring``, ``one_time``, ``equipment``,
``maintenance``, ``labour``, ``power``, ``bandwidth``, ``tax``, ``commitment``), ``name``,
``recurrence`` (``monthly`` | ``one_time``), ``quantity``, ``unit_price``, ``amount``,
``quantity_source`` (e.g. ``"profile: recommended channels 19 → block of 30"``),
``lifetime_months`` (equipment: bought again at end of life; None = outlives the horizon),
``residual_value`` (per item, at end of life), ``starts_after_months`` (maintenance: the
warranty). Equipment is priced as a purchase (one-time) unless ``price_tariff(...,
rent_equipment=True)`` and the item has a rental alternative (then monthly). The timing of
replacements and maintenance over a horizon is the scenario's job; the tariff holds the data.

``rate_card_rating(profile, rates, currency)`` returns exactly the JSON shape of CONTRACT.md's
``POST /api/v1/ratings`` (the whole period); ``rating_json(rating)`` turns a ``UsageRating`` into
the same shape. ``reconcile(profile, tariff, tolerance=0.05)`` sets the rated whole period
against the bill's ``billed_cost`` per (direction, category) and lists findings.

Exactness: buckets are collapsed to the dimensions the tariff uses (rate chosen per bucket
key), then each distinct (line, rate, billed steps) is charged once in integer ticks of
1 / (60 · 10^D) of the currency and multiplied by its call count, so the result equals rating
every call one by one, exactly; amounts are Decimals, rounded only for display.
"""
