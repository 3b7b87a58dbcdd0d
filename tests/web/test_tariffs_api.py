"""Tariffs in the database: seeding, versions, import, and the JSON API."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.tariffs import TariffError
from app.db.engine import make_sessionmaker
from app.services import tariffs
from tests.conftest import ROOT, Clock, bearer

SHIPPED = sorted(p.stem for p in (ROOT / "tariffs").glob("*.yaml"))


@pytest.fixture
def seeded(app, clock: Clock):  # type: ignore[no-untyped-def]
    with make_sessionmaker(app.state.engine)() as db:
        count = tariffs.seed_if_empty(db, now=clock())
        db.commit()
    assert count == len(SHIPPED)
    return app


def test_list_shows_every_shipped_tariff_at_version_1(
    client: TestClient, seeded, make_user
) -> None:
    headers = bearer(client, make_user("rep").email)
    listed = client.get("/api/v1/tariffs", headers=headers).json()
    assert sorted(t["id"] for t in listed) == SHIPPED
    assert {t["version"] for t in listed} == {1}
    assert all(set(t) >= {"id", "name", "kind", "currency", "version"} for t in listed)
    assert client.get("/api/v1/tariffs").status_code == 401


def test_get_returns_the_file_text(client: TestClient, seeded, make_user) -> None:
    headers = bearer(client, make_user("rep").email)
    tariff_id = SHIPPED[0]
    body = client.get(f"/api/v1/tariffs/{tariff_id}", headers=headers).json()
    assert body["content"] == (ROOT / "tariffs" / f"{tariff_id}.yaml").read_text("utf-8")
    assert client.get("/api/v1/tariffs/nope", headers=headers).status_code == 404


def test_edit_versions_conflicts_and_permissions(client: TestClient, seeded, make_user) -> None:
    engineer = bearer(client, make_user("engineer").email)
    rep = bearer(client, make_user("rep").email)
    tariff_id = SHIPPED[0]
    text = client.get(f"/api/v1/tariffs/{tariff_id}", headers=engineer).json()["content"]
    edited = text.replace("note:", "note: edited —", 1) if "note:" in text else text + "\n"
    forbidden = client.put(
        f"/api/v1/tariffs/{tariff_id}", json={"content": edited, "base_version": 1}, headers=rep
    )
    assert forbidden.status_code == 403
    saved = client.put(
        f"/api/v1/tariffs/{tariff_id}",
        json={"content": edited, "base_version": 1},
        headers=engineer,
    )
    assert saved.status_code == 200 and saved.json()["version"] == 2
    stale = client.put(
        f"/api/v1/tariffs/{tariff_id}",
        json={"content": text, "base_version": 1},
        headers=engineer,
    )
    assert stale.status_code == 409
    # restoring the old content is still a new version
    restored = client.put(
        f"/api/v1/tariffs/{tariff_id}",
        json={"content": text, "base_version": 2},
        headers=engineer,
    )
    assert restored.json()["version"] == 3 and restored.json()["content"] == text
    broken = client.put(
        f"/api/v1/tariffs/{tariff_id}",
        json={"content": "name: x\nkind: pstn\ncurrency: CNY\nbogus_field: 1\n", "base_version": 3},
        headers=engineer,
    )
    assert broken.status_code == 422 and ":4:" in broken.json()["detail"]
    assert "bogus_field" in broken.json()["detail"]


def test_import_brings_changed_files_in_as_new_versions(
    app, seeded, clock: Clock, tmp_path: Path
) -> None:
    folder = tmp_path / "tariffs"
    shutil.copytree(ROOT / "tariffs", folder, ignore=shutil.ignore_patterns("*.md", "*.json"))
    changed = folder / f"{SHIPPED[0]}.yaml"
    changed.write_text(changed.read_text("utf-8") + "\n# tuned\n", "utf-8")
    with make_sessionmaker(app.state.engine)() as db:
        results = {r.tariff_id: r for r in tariffs.import_dir(db, folder, now=clock())}
        db.commit()
    assert results[SHIPPED[0]].action == "updated" and results[SHIPPED[0]].version == 2
    assert {r.action for k, r in results.items() if k != SHIPPED[0]} == {"unchanged"}


def test_import_writes_nothing_when_one_file_is_invalid(
    app, seeded, clock: Clock, tmp_path: Path
) -> None:
    folder = tmp_path / "tariffs"
    shutil.copytree(ROOT / "tariffs", folder, ignore=shutil.ignore_patterns("*.md", "*.json"))
    good = folder / f"{SHIPPED[0]}.yaml"
    good.write_text(good.read_text("utf-8") + "\n# tuned\n", "utf-8")
    (folder / "zz-broken.yaml").write_text("name: [unclosed\n", "utf-8")
    with make_sessionmaker(app.state.engine)() as db:
        with pytest.raises(TariffError, match=r"zz-broken\.yaml:"):
            tariffs.import_dir(db, folder, now=clock())
        db.rollback()
        assert {t.version for t in tariffs.list_tariffs(db)} == {1}


@pytest.mark.parametrize(
    ("traffic", "gos", "channels"),
    # Published Erlang B tables (offered traffic that n channels carry at B = 1 %, e.g. the
    # table in ITU-D's Teletraffic Engineering Handbook): 10 channels 4.46 E, 20 channels
    # 12.03 E, 30 channels 20.34 E — here to three decimals, truncated so that B ≤ 1 %.
    [(4.461, 0.01, 10), (12.030, 0.01, 20), (20.337, 0.01, 30)],
)
def test_erlang_b_endpoint_matches_published_tables(
    client: TestClient, traffic: float, gos: float, channels: int
) -> None:
    body = client.get("/api/v1/erlang-b", params={"traffic": traffic, "gos": gos}).json()
    assert body["channels"] == channels and body["traffic"] == traffic and body["gos"] == gos
    assert body["blocking"] <= gos


def test_erlang_b_endpoint_refuses_bad_input(client: TestClient) -> None:
    assert client.get("/api/v1/erlang-b", params={"traffic": -1}).status_code == 422
    bad = client.get("/api/v1/erlang-b", params={"traffic": 1, "gos": 2})
    assert bad.status_code == 422 and "gos" in bad.json()["detail"]
