"""POST/GET /api/v1/analyses: real sample bills, ownership, bad files, upload limits."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.core.profile import AnalysisOptions
from app.db.engine import make_sessionmaker
from app.db.models import Analysis, AnalysisJob, JobFile
from app.services import analyses
from tests.conftest import SAMPLES, Clock, bearer

ASTERISK = SAMPLES / "asterisk-master-shanghai.csv"
SHANGHAI = {"country": "CN", "area_code": "21", "outside_prefix": "9"}


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with make_sessionmaker(app.state.engine)() as db:
        return db.scalar(select(func.count()).select_from(model)) or 0


def test_upload_a_real_bill_and_read_it_back(client: TestClient, app, make_user) -> None:
    owner = bearer(client, make_user("rep").email)
    expected = json.loads((SAMPLES / "expected" / "asterisk-master-shanghai.json").read_text())
    with ASTERISK.open("rb") as fh:
        response = client.post(
            "/api/v1/analyses", data=SHANGHAI, files={"file": (ASTERISK.name, fh)}, headers=owner
        )
    assert response.status_code == 201, response.text
    body = response.json()
    totals = body["profile"]["totals"]
    assert totals["calls"] == expected["calls"]
    assert totals["billable_seconds"] == expected["billable_seconds"]
    assert body["profile"]["peak_concurrent_calls"] == expected["peak_concurrent_calls"]
    again = client.get(f"/api/v1/analyses/{body['id']}", headers=owner)
    assert again.status_code == 200 and again.json() == body
    # the uploaded bytes are gone once the analysis ended
    assert _count(app, JobFile) == 0


def test_no_phone_number_is_stored(client: TestClient, app, make_user) -> None:
    owner = bearer(client, make_user("rep").email)
    with ASTERISK.open("rb") as fh:
        client.post("/api/v1/analyses", data=SHANGHAI, files={"file": ("x.csv", fh)}, headers=owner)
    numbers = set(re.findall(r'"(\d{7,})"', ASTERISK.read_text()))
    assert len(numbers) > 100
    with make_sessionmaker(app.state.engine)() as db:
        stored = json.dumps([a.profile for a in db.scalars(select(Analysis))])
    assert not [n for n in numbers if n in stored]


def test_another_rep_gets_404_and_an_admin_sees_it(client: TestClient, make_user) -> None:
    owner = bearer(client, make_user("rep").email)
    other = bearer(client, make_user("rep").email)
    admin = bearer(client, make_user("admin").email)
    with ASTERISK.open("rb") as fh:
        created = client.post(
            "/api/v1/analyses", data=SHANGHAI, files={"file": ("a.csv", fh)}, headers=owner
        ).json()
    assert client.get(f"/api/v1/analyses/{created['id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/analyses/{created['id']}", headers=admin).status_code == 200
    assert client.get("/api/v1/analyses/nope", headers=owner).status_code == 404


def test_several_files_make_one_profile(client: TestClient, make_user) -> None:
    owner = bearer(client, make_user("rep").email)
    data = ASTERISK.read_bytes()
    lines = data.splitlines(keepends=True)
    first, second = b"".join(lines[:2000]), b"".join(lines[2000:])
    response = client.post(
        "/api/v1/analyses",
        data=SHANGHAI,
        files=[
            ("file", ("sep-a.csv", first)),
            ("file", ("sep-b.csv", second)),
            ("file", ("sep-again.csv", first)),
        ],
        headers=owner,
    )
    assert response.status_code == 201, response.text
    assert response.json()["profile"]["totals"]["calls"] == 5000  # the repeated file counts once


def test_unreadable_bill_is_422_naming_the_file_and_nothing_is_stored(
    client: TestClient, app, make_user
) -> None:
    owner = bearer(client, make_user("rep").email)
    response = client.post(
        "/api/v1/analyses",
        data=SHANGHAI,
        files={"file": ("garbage.bin", bytes(range(256)) * 40)},
        headers=owner,
    )
    assert response.status_code == 422
    assert "garbage.bin" in response.json()["detail"]
    assert _count(app, Analysis) == 0 and _count(app, JobFile) == 0


def test_bad_options_are_422_naming_the_field(client: TestClient, make_user) -> None:
    owner = bearer(client, make_user("rep").email)
    bad_format = client.post(
        "/api/v1/analyses",
        data={"country": "CN", "format": "pdf"},
        files={"file": ("a.csv", b"x")},
        headers=owner,
    )
    assert bad_format.status_code == 422 and "format" in bad_format.json()["detail"]
    no_country = client.post("/api/v1/analyses", files={"file": ("a.csv", b"x")}, headers=owner)
    assert no_country.status_code == 422 and "country" in no_country.json()["detail"]


def test_analyses_need_a_token(client: TestClient) -> None:
    response = client.post(
        "/api/v1/analyses", data={"country": "CN"}, files={"file": ("a.csv", b"x")}
    )
    assert response.status_code == 401


@pytest.fixture
def small_limit(app):  # type: ignore[no-untyped-def]
    app.state.settings = app.state.settings.model_copy(update={"max_upload_mb": 1})
    return app


def test_upload_over_the_limit_is_413_by_content_length(
    client: TestClient, small_limit, make_user
) -> None:
    owner = bearer(client, make_user("rep").email)
    response = client.post(
        "/api/v1/analyses",
        data=SHANGHAI,
        files={"file": ("big.csv", b"0" * (1024 * 1024 + 10))},
        headers=owner,
    )
    assert response.status_code == 413 and "1 MB" in response.json()["detail"]


def test_upload_over_the_limit_is_413_without_content_length(
    client: TestClient, small_limit, make_user
) -> None:
    owner = bearer(client, make_user("rep").email)
    sent = {"bytes": 0}

    def chunks():  # type: ignore[no-untyped-def]
        yield (
            b'--B\r\nContent-Disposition: form-data; name="country"\r\n\r\nCN\r\n'
            b'--B\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n"
        )
        for _ in range(64):  # 4 MB in 64 KB chunks, no Content-Length header
            sent["bytes"] += 65536
            yield b"1" * 65536
        yield b"\r\n--B--\r\n"

    response = client.post(
        "/api/v1/analyses",
        content=chunks(),
        headers={**owner, "Content-Type": "multipart/form-data; boundary=B"},
    )
    assert response.status_code == 413


def test_abandoned_uploads_are_purged_after_24_hours(app, make_user, clock: Clock) -> None:
    owner = make_user("rep")
    sessions = make_sessionmaker(app.state.engine)
    with sessions() as db:
        job = analyses.create_job(
            db, owner, [("a.csv", b"data")], AnalysisOptions(country="CN"), clock()
        )
        db.commit()
        clock.advance(hours=23)
        assert analyses.purge_abandoned(db, clock()) == 0
        clock.advance(hours=2)
        assert analyses.purge_abandoned(db, clock()) == 1
        db.commit()
        assert db.get(AnalysisJob, job.id).status == "failed"
    assert _count(app, JobFile) == 0


def test_file_names_are_stored_without_long_digit_runs() -> None:
    assert analyses.safe_file_name("C:\\bills\\13800138000-sept.csv") == "…-sept.csv"
    assert analyses.safe_file_name("Master.csv") == "Master.csv"
    assert timedelta(hours=24) == analyses.ABANDONED_AFTER
