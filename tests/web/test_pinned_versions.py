"""A saved proposal keeps the tariff versions it used until the rep re-prices it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.db.engine import make_sessionmaker
from app.db.models import Proposal
from app.services import tariffs
from tests.conftest import SAMPLES, Clock, bearer, csrf, login

EXAMPLE = {
    "horizon_months": 36,
    "discount_rate_annual": 0.08,
    "seats": 60,
    "status_quo": {"tariff": "cn-pstn-business-lines"},
    "alternatives": [{"name": "Hosted", "kind": "hosted", "tariffs": ["cn-hosted-pbx"]}],
}


def test_saved_proposal_is_pinned_until_repriced(
    client: TestClient, app, make_user, clock: Clock
) -> None:
    with make_sessionmaker(app.state.engine)() as db:
        tariffs.seed_if_empty(db, now=clock())
        db.commit()
    rep = make_user("rep")
    headers = bearer(client, rep.email)
    bill = SAMPLES / "asterisk-master-shanghai.csv"
    with bill.open("rb") as fh:
        analysis_id = client.post(
            "/api/v1/analyses",
            data={"country": "CN", "area_code": "21", "outside_prefix": "9"},
            files={"file": (bill.name, fh)},
            headers=headers,
        ).json()["id"]
    proposal = client.post(
        "/api/v1/proposals",
        json={"analysis_id": analysis_id, "client_name": "Pinned Ltd", "scenario": EXAMPLE},
        headers=headers,
    ).json()
    before = proposal["comparison"]["alternatives"][0]["tco"]
    # an engineer doubles the hosted seat price: version 2
    engineer = bearer(client, make_user("engineer").email)
    text = client.get("/api/v1/tariffs/cn-hosted-pbx", headers=engineer).json()["content"]
    seat_line = next(line for line in text.splitlines() if "price:" in line)
    price = seat_line.split("price:")[1].split("#")[0].strip()
    edited = text.replace(seat_line, seat_line.replace(price, str(float(price) * 2)), 1)
    saved = client.put(
        "/api/v1/tariffs/cn-hosted-pbx",
        json={"content": edited, "base_version": 1},
        headers=engineer,
    )
    assert saved.status_code == 200 and saved.json()["version"] == 2

    again = client.get(f"/api/v1/proposals/{proposal['id']}", headers=headers).json()
    assert again["tariff_versions"]["cn-hosted-pbx"] == 1
    assert again["comparison"]["alternatives"][0]["tco"] == before

    login(client, rep.email)
    results = client.get(f"/proposals/{proposal['id']}/results")
    assert results.status_code == 200 and "Re-price with the latest tariffs" in results.text
    moved = client.post(f"/proposals/{proposal['id']}/reprice", data={"csrf_token": csrf(client)})
    assert moved.status_code == 303 and moved.headers["location"].endswith("/options")
    client.post(f"/proposals/{proposal['id']}/save", data={"csrf_token": csrf(client)})
    with make_sessionmaker(app.state.engine)() as db:
        stored = db.get(Proposal, proposal["id"])
        assert stored is not None and stored.tariff_versions["cn-hosted-pbx"] == 2
        assert stored.comparison["alternatives"][0]["tco"] > before
