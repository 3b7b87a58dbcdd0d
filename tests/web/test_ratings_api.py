"""POST /api/v1/ratings on a small bill whose prices are worked out by hand below."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.db.engine import make_sessionmaker
from app.services import tariffs
from tests.conftest import SAMPLES, Clock, bearer

# A New York carrier bill of three answered outgoing calls (the sample's own layout).
BILL = (
    b"Date,Time,Direction,Number,Duration,Charge\n"
    b"09/01/2026,10:00:00,Outgoing,011442079460000,0:01:01,0.20\n"  # London, 61 s
    b"09/01/2026,11:00:00,Outgoing,011442079460001,0:00:30,0.10\n"  # London, 30 s
    b"09/02/2026,09:30:00,Outgoing,12125351525,0:02:05,0.06\n"  # Manhattan (local), 125 s
)


@pytest.fixture
def analysis(client: TestClient, app, make_user, clock: Clock):  # type: ignore[no-untyped-def]
    with make_sessionmaker(app.state.engine)() as db:
        tariffs.seed_if_empty(db, now=clock())
        db.commit()
    headers = bearer(client, make_user("rep").email)
    created = client.post(
        "/api/v1/analyses",
        data={"country": "US", "area_code": "212"},
        files={"file": ("ny.csv", BILL)},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    return headers, created.json()["id"]


def test_rate_card_is_priced_exactly(client: TestClient, analysis) -> None:
    headers, analysis_id = analysis
    rates = [
        {
            "direction": "outbound",
            "category": "international",
            "country": "GB",
            "increment": "30/6",
            "rate_per_minute": 0.12,
        },
        {
            "direction": "outbound",
            "category": "local",
            "increment": "60/60",
            "rate_per_minute": 0.02,
            "connect_fee": 0.01,
        },
    ]
    body = client.post(
        "/api/v1/ratings",
        json={"analysis_id": analysis_id, "rates": rates, "currency": "USD"},
        headers=headers,
    ).json()
    lines = {(u["direction"], u["category"], u["country"]): u for u in body["usage"]}
    london = lines[("outbound", "international", "GB")]
    # 61 s at 30/6: 30 s (0.06) + ceil(31/6) = 6 steps of 6 s = 36 s (0.072) → 0.132, 66 s
    # 30 s at 30/6: the first period only → 0.06, 30 s
    assert london["calls"] == 2 and london["billed_seconds"] == 96
    assert london["amount"] == pytest.approx(0.192, abs=1e-9)
    local = lines[("outbound", "local", "US")]
    # 125 s at 60/60 with a 0.01 connect fee: 0.01 + 60 s (0.02) + 2 × 60 s (0.04) = 0.07
    assert local["billed_seconds"] == 180 and local["amount"] == pytest.approx(0.07, abs=1e-9)
    assert body["currency"] == "USD"
    assert body["usage_total"] == pytest.approx(0.262, abs=1e-9)


def test_calls_no_rate_matches_are_free_and_say_so(client: TestClient, analysis) -> None:
    headers, analysis_id = analysis
    rates = [{"direction": "outbound", "category": "local", "rate_per_minute": 0.02}]
    body = client.post(
        "/api/v1/ratings", json={"analysis_id": analysis_id, "rates": rates}, headers=headers
    ).json()
    london = next(u for u in body["usage"] if u["category"] == "international")
    assert london["amount"] == 0 and london["note"]


def test_rating_under_a_stored_tariff(client: TestClient, analysis) -> None:
    headers, analysis_id = analysis
    response = client.post(
        "/api/v1/ratings",
        json={"analysis_id": analysis_id, "tariff_id": "us-sip-trunk"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["currency"] == "USD"
    assert body["usage_total"] == pytest.approx(sum(u["amount"] for u in body["usage"]), abs=1e-6)


def test_bad_rating_requests(client: TestClient, analysis) -> None:
    headers, analysis_id = analysis
    both = client.post(
        "/api/v1/ratings",
        json={"analysis_id": analysis_id, "tariff_id": "x", "rates": []},
        headers=headers,
    )
    assert both.status_code == 422
    unknown = client.post(
        "/api/v1/ratings", json={"analysis_id": analysis_id, "tariff_id": "nope"}, headers=headers
    )
    assert unknown.status_code == 422 and "tariff_id" in unknown.json()["detail"]
    negative = client.post(
        "/api/v1/ratings",
        json={
            "analysis_id": analysis_id,
            "rates": [{"direction": "outbound", "category": "local", "rate_per_minute": -1}],
        },
        headers=headers,
    )
    assert negative.status_code == 422 and "rate_per_minute" in negative.json()["detail"]


def test_reconciliation_against_the_current_carrier(
    client: TestClient, app, make_user, clock: Clock
) -> None:
    with make_sessionmaker(app.state.engine)() as db:
        tariffs.seed_if_empty(db, now=clock())
        db.commit()
    headers = bearer(client, make_user("rep").email)
    bill = SAMPLES / "carrier-itemized-newyork.csv"
    with bill.open("rb") as fh:
        analysis_id = client.post(
            "/api/v1/analyses",
            data={"country": "US", "area_code": "212"},
            files={"file": (bill.name, fh)},
            headers=headers,
        ).json()["id"]
    body = client.get(
        f"/api/v1/analyses/{analysis_id}/reconciliation",
        params={"tariff_id": "us-pstn-pri"},
        headers=headers,
    ).json()
    # the bill's own figures (samples/expected): outbound international 235.20, local 41.00
    billed = {(line["direction"], line["category"]): line["billed_cost"] for line in body["lines"]}
    assert billed[("outbound", "international")] == pytest.approx(235.2)
    assert billed[("outbound", "local")] == pytest.approx(41.0)
    assert body["billed_total"] == pytest.approx(sum(billed.values()))
