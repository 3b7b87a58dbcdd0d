"""User administration (admins only): list, create, change role or manager, deactivate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from app.db.models import Role, User
from app.services import accounts
from app.text import N_
from app.web.deps import AdminUser, Db, Now, verify_csrf
from app.web.i18n import gettext
from app.web.templating import render

router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)])


def _page(
    request: Request, db: Db, errors: dict[str, str], form: dict[str, str], status_code: int = 200
) -> Response:
    users = db.scalars(select(User).order_by(User.email)).all()
    return render(
        request,
        "pages/admin_users.html",
        {"users": users, "roles": [r.value for r in Role], "errors": errors, "form": form},
        status_code=status_code,
    )


@router.get("/users")
def list_users(request: Request, db: Db, admin: AdminUser) -> Response:
    return _page(request, db, {}, {})


@router.post("/users")
def create_user(
    request: Request,
    db: Db,
    now: Now,
    admin: AdminUser,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    manager_id: Annotated[str, Form()] = "",
) -> Response:
    """Create a user; errors are shown beside their field."""
    try:
        accounts.create_user(
            db,
            email=email,
            password=password,
            role=role,
            now=now,
            manager_id=int(manager_id) if manager_id else None,
        )
    except accounts.AccountError as exc:
        db.rollback()
        _ = gettext(request.state.locale)
        return _page(request, db, {exc.field: _(str(exc))}, {"email": email, "role": role}, 422)
    db.commit()
    return RedirectResponse("/admin/users", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/users/{user_id}")
def update_user(
    request: Request,
    db: Db,
    admin: AdminUser,
    user_id: int,
    role: Annotated[str, Form()],
    active: Annotated[str, Form()] = "",
    manager_id: Annotated[str, Form()] = "",
) -> Response:
    """Change a user's role and manager, or (de)activate them (ending their sessions)."""
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, N_("No such user."))
    if role not in {r.value for r in Role}:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "Unknown role.")
    if user.id == admin.id and (role != Role.ADMIN or not active):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, N_("You cannot demote or deactivate yourself.")
        )
    user.role = role
    user.manager_id = int(manager_id) if manager_id and int(manager_id) != user.id else None
    accounts.set_active(db, user, bool(active))
    db.commit()
    return RedirectResponse("/admin/users", status_code=status.HTTP_303_SEE_OTHER)
