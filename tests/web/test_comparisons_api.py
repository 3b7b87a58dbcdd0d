"""POST /api/v1/comparisons and proposals, on a real sample bill and the shipped tariffs."""

from __future__ import annotations

import copy

import numpy_financial as npf
import pytest
from fastapi.testclient import TestClient

from app.db.engine import make_sessionmaker
from app.services import tariffs
from tests.conftest import SAMPLES, Clock, bearer

ASTERISK = SAMPLES / "asterisk-master-shanghai.csv"


@pytest.fixture
def analysis(client: TestClient, app, make_user, clock: Clock):  # type: ignore[no-untyped-def]
    """(headers of a rep, id of the rep's analysis of the Shanghai Asterisk bill)."""
    with make_sessionmaker(app.state.engine)() as db:
        tariffs.seed_if_empty(db, now=clock())
        db.commit()
    rep = make_user("rep")
    headers = bearer(client, rep.email)
    with ASTERISK.open("rb") as fh:
        created = client.post(
            "/api/v1/analyses",
            data={"country": "CN", "area_code": "21", "outside_prefix": "9"},
            files={"file": (ASTERISK.name, fh)},
            headers=headers,
        )
    assert created.status_code == 201, created.text
    return rep, headers, created.json()["id"]


def _example(client: TestClient) -> dict:  # type: ignore[type-arg]
    schema = client.get("/openapi.json").json()
    ref = schema["paths"]["/api/v1/comparisons"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]["$ref"].rsplit("/", 1)[-1]
    return copy.deepcopy(schema["components"]["schemas"][ref]["example"])


def test_the_openapi_example_works_and_keeps_the_contract(client: TestClient, analysis) -> None:
    _, headers, analysis_id = analysis
    body = _example(client)
    kinds = {a["kind"] for a in body["scenario"]["alternatives"]}
    assert {"onprem", "hosted"} <= kinds
    body["analysis_id"] = analysis_id
    response = client.post("/api/v1/comparisons", json=body, headers=headers)
    assert response.status_code == 200, response.text
    result = response.json()
    horizon = body["scenario"]["horizon_months"]
    assert result["currency"] == "CNY" and result["horizon_months"] == horizon
    today = result["status_quo"]
    assert today["kind"] == "status_quo" and len(today["monthly_costs"]) == horizon + 1
    assert today["tco"] == pytest.approx(sum(today["monthly_costs"]), abs=0.01)
    rate_m = (1 + body["scenario"]["discount_rate_annual"]) ** (1 / 12) - 1
    for alternative in result["alternatives"]:
        assert set(alternative) >= {
            "name",
            "kind",
            "monthly_costs",
            "tco",
            "savings_total",
            "payback_months",
            "payback_holds",
            "npv",
            "irr_annual",
        }
        assert alternative["tco"] == pytest.approx(sum(alternative["monthly_costs"]), abs=0.01)
        assert alternative["savings_total"] == pytest.approx(
            today["tco"] - alternative["tco"], abs=0.01
        )
        savings = [
            a - b for a, b in zip(today["monthly_costs"], alternative["monthly_costs"], strict=True)
        ]
        # numpy-financial as the oracle: npv discounts index t by (1 + r)^t from t = 0
        assert alternative["npv"] == pytest.approx(npf.npv(rate_m, savings), rel=1e-6, abs=0.01)


def test_nothing_is_saved_by_a_comparison_and_proposals_pin_versions(
    client: TestClient, analysis, make_user
) -> None:
    rep, headers, analysis_id = analysis
    body = _example(client)
    body["analysis_id"] = analysis_id
    body["client_name"] = "Example Co."
    created = client.post("/api/v1/proposals", json=body, headers=headers)
    assert created.status_code == 201, created.text
    proposal = created.json()
    assert proposal["tariff_versions"] == {
        "cn-pstn-business-lines": 1,
        "cn-onprem-ippbx": 1,
        "cn-sip-trunk": 1,
        "cn-hosted-pbx": 1,
    }
    got = client.get(f"/api/v1/proposals/{proposal['id']}", headers=headers)
    assert got.status_code == 200 and got.json()["comparison"] == proposal["comparison"]
    other = bearer(client, make_user("rep").email)
    assert client.get(f"/api/v1/proposals/{proposal['id']}", headers=other).status_code == 404
    manager = make_user("manager")
    # assign the rep to the manager
    from app.db.models import User

    with make_sessionmaker(client.app.state.engine)() as db:  # type: ignore[attr-defined]
        db.get(User, rep.id).manager_id = manager.id
        db.commit()
    boss = bearer(client, manager.email)
    assert client.get(f"/api/v1/proposals/{proposal['id']}", headers=boss).status_code == 200
    director = make_user("director")
    with make_sessionmaker(client.app.state.engine)() as db:  # type: ignore[attr-defined]
        db.get(User, manager.id).manager_id = director.id
        db.commit()
    top = bearer(client, director.email)
    assert client.get(f"/api/v1/proposals/{proposal['id']}", headers=top).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda s: s["alternatives"][0]["tariffs"].append("no-such-tariff"),
            "scenario.alternatives[0].tariffs[2]",
        ),
        (lambda s: s.update(horizon_months=181), "horizon_months"),
        (lambda s: s["alternatives"][1].update(tariffs=[]), "tariffs"),
        (lambda s: s.update(seats=-5), "seats"),
        (lambda s: s["alternatives"][1]["tariffs"].append("us-sip-trunk"), "exchange_rates"),
    ],
)
def test_bad_scenarios_are_422_naming_the_field(
    client: TestClient, analysis, change, field: str
) -> None:
    _, headers, analysis_id = analysis
    body = _example(client)
    body["analysis_id"] = analysis_id
    change(body["scenario"])
    response = client.post("/api/v1/comparisons", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]


def test_unknown_or_foreign_analysis_is_404(client: TestClient, analysis, make_user) -> None:
    _, _, analysis_id = analysis
    other = bearer(client, make_user("rep").email)
    body = _example(client)
    body["analysis_id"] = analysis_id
    assert client.post("/api/v1/comparisons", json=body, headers=other).status_code == 404
