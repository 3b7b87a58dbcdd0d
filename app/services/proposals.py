"""Proposals: a rep's comparisons, visible to their owner, their managers and admins."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from app.db.models import Proposal, Role, User
from app.db.models import Tariff as TariffRow


def visible_owner_ids(db: Session, user: User) -> list[int] | None:
    """The owners whose proposals ``user`` sees: None means everyone (admins); a manager
    or director sees their own and those of the reps assigned to them (and, for a
    director, to the managers assigned to them)."""
    if user.role == Role.ADMIN:
        return None
    ids = [user.id]
    if user.role in (Role.MANAGER, Role.DIRECTOR):
        manager = aliased(User)
        reports = db.scalars(
            select(User.id)
            .outerjoin(manager, User.manager_id == manager.id)
            .where(or_(User.manager_id == user.id, manager.manager_id == user.id))
        )
        ids.extend(reports)
    return ids


def get_for(db: Session, proposal_id: str, user: User) -> Proposal | None:
    """The proposal if ``user`` may see it (else None, answered 404)."""
    proposal = db.get(Proposal, proposal_id)
    if proposal is None:
        return None
    owners = visible_owner_ids(db, user)
    if owners is not None and proposal.owner_id not in owners:
        return None
    return proposal


def list_for(db: Session, user: User) -> list[Proposal]:
    """The proposals ``user`` sees, newest change first."""
    query = select(Proposal).order_by(Proposal.updated_at.desc())
    owners = visible_owner_ids(db, user)
    if owners is not None:
        query = query.where(Proposal.owner_id.in_(owners))
    return list(db.scalars(query))


def create(
    db: Session,
    owner: User,
    *,
    client: dict[str, Any],
    now: datetime,
    analysis_id: str | None = None,
    scenario: dict[str, Any] | None = None,
) -> Proposal:
    """A new draft proposal for ``client``."""
    proposal = Proposal(
        id=uuid.uuid4().hex,
        owner_id=owner.id,
        status="draft",
        client=client,
        analysis_id=analysis_id,
        scenario=scenario,
        created_at=now,
        updated_at=now,
    )
    db.add(proposal)
    db.flush()
    return proposal


def save(
    proposal: Proposal,
    *,
    scenario: dict[str, Any],
    comparison: dict[str, Any],
    versions: dict[str, int],
    now: datetime,
) -> None:
    """Store the comparison as saved, pinning the tariff versions it used."""
    proposal.scenario = scenario
    proposal.comparison = comparison
    proposal.tariff_versions = dict(versions)
    proposal.status = "saved"
    proposal.saved_at = now
    proposal.updated_at = now


def currency_of(country: str) -> str | None:
    """The currency in use in ``country`` today (Babel's territory data)."""
    from babel.numbers import get_territory_currencies

    currencies = get_territory_currencies(country)
    return currencies[0] if currencies else None


DEFAULT_NAMES = {
    "today": "Today",
    "onprem": "On-prem IP-PBX + SIP trunk",
    "hosted": "Hosted PBX",
    "sip_only": "SIP trunk behind the current PBX",
}


def default_scenario(
    client: dict[str, Any], tariffs: list[TariffRow], names: dict[str, str] | None = None
) -> dict[str, Any]:
    """A first scenario for a client: the current carrier's ``pstn`` tariff as the status
    quo, then an on-prem IP-PBX with a SIP trunk, a hosted PBX, and (off until chosen) a
    SIP trunk behind the existing PBX — each from the tariffs in the client's currency;
    ``names`` gives the options' names in the rep's language."""
    label = {**DEFAULT_NAMES, **(names or {})}
    currency = currency_of(client.get("country", "")) or (tariffs[0].currency if tariffs else "")
    mine = [t for t in tariffs if t.currency == currency] or tariffs

    def of(kind: str) -> list[str]:
        return [t.id for t in mine if t.kind == kind][:1]

    return {
        "horizon_months": 60,
        "discount_rate_annual": "0.08",
        "seats": client.get("seats"),
        "sites": client.get("sites", 1),
        "status_quo": {"name": label["today"], "tariff": next(iter(of("pstn")), None)},
        "alternatives": [
            {
                "name": label["onprem"],
                "kind": "onprem",
                "tariffs": of("onprem_pbx") + of("sip_trunk"),
                "enabled": True,
            },
            {
                "name": label["hosted"],
                "kind": "hosted",
                "tariffs": of("hosted_pbx"),
                "enabled": True,
            },
            {
                "name": label["sip_only"],
                "kind": "sip_only",
                "tariffs": of("sip_trunk"),
                "enabled": False,
            },
        ],
    }
