"""The rep's flow: client → bills → usage → options (live) → saved results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from app import charts
from app.core.bills.columns import ColumnMapping
from app.core.fit import FitAnswers, summarise
from app.core.profile import AnalysisOptions, EnteredCategory, EnteredFigures, profile_from_figures
from app.core.rating import reconcile
from app.core.scenarios import Comparison, Scenario, ScenarioError
from app.core.usage import UsageProfile
from app.db.models import Analysis, AnalysisJob, ColumnMappingRecord, Proposal, User
from app.services import analyses, comparisons, proposals, tariffs
from app.text import N_
from app.web.charts_i18n import chart_labels
from app.web.deps import CurrentUser, Db, Now, verify_csrf
from app.web.forms import ClientInfo, FormError, fit_from_form, scenario_from_form
from app.web.i18n import gettext
from app.web.present import keep, localize_names, scenario_problem
from app.web.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)])
DEMO_DIR = Path(__file__).resolve().parents[3] / "demo"
DEMO_BILL = "asterisk-master-shanghai.csv"
STALE_RUNNING_SECONDS = 120
DEMO_STATUS_QUO: dict[str, Any] = {
    # The sample client's old PBX: a maintenance contract and a forced upgrade at its end of
    # support — what a rep would enter from the client's own figures.
    "recurring": [
        {
            "name": "Upkeep of the current PBX",
            "amount": "2500",
            "component": "maintenance",
            "escalates": False,
        }
    ],
    "one_time": [{"name": "Forced upgrade of the current PBX", "amount": "60000", "month": 12}],
}


def _names(request: Request) -> dict[str, str]:
    """The default options' names in the rep's language."""
    _ = gettext(request.state.locale)
    return {
        "today": _("Today"),
        "onprem": _("On-prem IP-PBX + SIP trunk"),
        "hosted": _("Hosted PBX"),
        "sip_only": _("SIP trunk behind the current PBX"),
    }


def _proposal(db: Session, proposal_id: str, user: User) -> Proposal:
    proposal = proposals.get_for(db, proposal_id, user)
    if proposal is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, N_("No such comparison."))
    return proposal


def _editable(db: Session, proposal_id: str, user: User) -> Proposal:
    proposal = _proposal(db, proposal_id, user)
    if proposal.owner_id != user.id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, N_("Only its owner changes a comparison."))
    return proposal


def _profile(db: Session, proposal: Proposal) -> UsageProfile | None:
    if proposal.analysis_id is None:
        return None
    analysis = db.get(Analysis, proposal.analysis_id)
    return None if analysis is None else analyses.profile_of(analysis)


def _options(client: dict[str, Any]) -> AnalysisOptions:
    return AnalysisOptions(
        country=client["country"],
        area_codes=[c.strip() for c in client.get("area_codes", "").split(",") if c.strip()],
        outside_prefix=client.get("outside_prefix", ""),
        extensions=client.get("extensions") or None,
    )


# ------------------------------------------------------------------------------ dashboard


@router.get("/")
def dashboard(request: Request, db: Db, user: CurrentUser) -> Response:
    """The rep's comparisons, a button to start, and a one-click sample."""
    rows = []
    for p in proposals.list_for(db, user):
        comparison = p.comparison or {}
        best = max(
            (a.get("savings_total", 0) for a in comparison.get("alternatives", [])), default=None
        )
        rows.append({"proposal": p, "best_savings": best, "currency": comparison.get("currency")})
    return render(request, "pages/dashboard.html", {"rows": rows})


@router.post("/demo")
def try_sample(request: Request, db: Db, user: CurrentUser, now: Now) -> Response:
    """A comparison on the shipped sample bill, straight to its options and results."""
    client = ClientInfo(
        name="Sample client (Shanghai)",
        industry="Trading",
        country="CN",
        area_codes="21",
        outside_prefix="9",
        seats=60,
        sites=1,
    )
    files = [(DEMO_BILL, (DEMO_DIR / DEMO_BILL).read_bytes())]
    analysis = analyses.analyze_now(
        request.app.state.sessionmaker,
        user,
        files,
        _options(client.model_dump()),
        request.app.state.clock,
    )
    proposal = proposals.create(
        db, user, client=client.model_dump(), now=now, analysis_id=analysis.id
    )
    scenario = proposals.default_scenario(
        proposal.client, tariffs.list_tariffs(db), _names(request)
    )
    scenario["status_quo"].update(DEMO_STATUS_QUO)
    proposal.scenario = scenario
    db.commit()
    return RedirectResponse(f"/proposals/{proposal.id}/options", status.HTTP_303_SEE_OTHER)


# ------------------------------------------------------------------------------ client


@router.get("/proposals/new")
def new_client(request: Request, user: CurrentUser) -> Response:
    return render(request, "pages/client.html", {"proposal": None, "form": {}, "errors": {}})


def _client_errors(request: Request, exc: ValidationError) -> dict[str, str]:
    _ = gettext(request.state.locale)
    return {str(e["loc"][0]): _("Please check this field.") for e in exc.errors()}


async def _client_form(request: Request, proposal: Proposal | None) -> ClientInfo | Response:
    """The client step's form, validated; else the page again with each error beside its
    field (422)."""
    form = {k: v for k, v in (await request.form()).items() if v != ""}
    try:
        return ClientInfo.model_validate(form)
    except ValidationError as exc:
        return render(
            request,
            "pages/client.html",
            {"proposal": proposal, "form": form, "errors": _client_errors(request, exc)},
            status_code=422,
        )


@router.post("/proposals")
async def create_client(request: Request, db: Db, user: CurrentUser, now: Now) -> Response:
    """Create the comparison from the client step, then go to the bills."""
    client = await _client_form(request, None)
    if isinstance(client, Response):
        return client
    proposal = proposals.create(db, user, client=client.model_dump(), now=now)
    proposal.scenario = proposals.default_scenario(
        proposal.client, tariffs.list_tariffs(db), _names(request)
    )
    db.commit()
    return RedirectResponse(f"/proposals/{proposal.id}/bills", status.HTTP_303_SEE_OTHER)


@router.get("/proposals/{proposal_id}/client")
def edit_client(request: Request, proposal_id: str, db: Db, user: CurrentUser) -> Response:
    proposal = _editable(db, proposal_id, user)
    return render(
        request, "pages/client.html", {"proposal": proposal, "form": proposal.client, "errors": {}}
    )


@router.post("/proposals/{proposal_id}/client")
async def update_client(
    request: Request, proposal_id: str, db: Db, user: CurrentUser, now: Now
) -> Response:
    proposal = _editable(db, proposal_id, user)
    client = await _client_form(request, proposal)
    if isinstance(client, Response):
        return client
    proposal.client = client.model_dump()
    scenario = dict(proposal.scenario or {})
    scenario.update(seats=client.seats, sites=client.sites)
    proposal.scenario = scenario
    proposal.updated_at = now
    db.commit()
    return RedirectResponse(f"/proposals/{proposal.id}/bills", status.HTTP_303_SEE_OTHER)


# ------------------------------------------------------------------------------ bills


@router.get("/proposals/{proposal_id}/bills")
def bills(request: Request, proposal_id: str, db: Db, user: CurrentUser) -> Response:
    proposal = _editable(db, proposal_id, user)
    job = db.scalars(
        select(AnalysisJob)
        .where(AnalysisJob.owner_id == user.id, AnalysisJob.proposal_id == proposal.id)
        .order_by(AnalysisJob.created_at.desc())
    ).first()
    pending = (
        job if job is not None and job.status in ("queued", "running", "needs_mapping") else None
    )
    return render(
        request,
        "pages/bills.html",
        {"proposal": proposal, "job": pending, "job_view": _job_view(db, pending)},
    )


@router.post("/proposals/{proposal_id}/bills")
async def upload_bills(
    request: Request, proposal_id: str, db: Db, user: CurrentUser, now: Now
) -> Response:
    """Store the uploaded bills as a job, start it, and answer with its progress."""
    proposal = _editable(db, proposal_id, user)
    form = await request.form()
    uploads = [f for f in form.getlist("file") if isinstance(f, UploadFile) and f.filename]
    if not uploads:
        _ = gettext(request.state.locale)
        return render(
            request,
            "partials/_job.html",
            {
                "proposal": proposal,
                "job": None,
                "job_view": {"error": _("Choose at least one bill file.")},
            },
            status_code=422,
        )
    files = [(u.filename or "bill", await u.read()) for u in uploads]
    analyses.purge_abandoned(db, now)
    job = analyses.create_job(db, user, files, _options(proposal.client), now, proposal.id)
    db.commit()
    analyses.start_in_background(request.app.state.sessionmaker, job.id, request.app.state.clock)
    return _job_partial(request, db, proposal, job)


def _job_partial(request: Request, db: Session, proposal: Proposal, job: AnalysisJob) -> Response:
    """The job's progress, its error, or its column-mapping step (``partials/_job.html``)."""
    return render(
        request,
        "partials/_job.html",
        {"proposal": proposal, "job": job, "job_view": _job_view(db, job)},
    )


def _job_view(db: Session, job: AnalysisJob | None) -> dict[str, Any]:
    if job is None:
        return {}
    view: dict[str, Any] = {
        "status": job.status,
        "percent": round(job.progress * 100),
        "error": job.error,
    }
    if job.status == "needs_mapping":
        name, rows = analyses.preview(db, job.id)
        view.update(
            file=name,
            rows=rows,
            header=rows[0] if rows else [],
            saved=list(db.scalars(select(ColumnMappingRecord).order_by(ColumnMappingRecord.name))),
        )
    return view


@router.get("/proposals/{proposal_id}/jobs/{job_id}")
def job_progress(
    request: Request, proposal_id: str, job_id: str, db: Db, user: CurrentUser, now: Now
) -> Response:
    """The job's progress (polled by htmx); when done, on to the usage page."""
    proposal = _editable(db, proposal_id, user)
    job = db.get(AnalysisJob, job_id)
    if job is None or job.owner_id != user.id or job.proposal_id != proposal.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, N_("No such analysis job."))
    stale = (now - job.updated_at).total_seconds() > STALE_RUNNING_SECONDS
    if job.status == "queued" or (job.status == "running" and stale):
        job.status = "queued"  # a process died mid-way, or none picked it up: run it here
        db.commit()
        analyses.start_in_background(
            request.app.state.sessionmaker, job.id, request.app.state.clock
        )
    if job.status == "done" and job.analysis_id:
        proposal.analysis_id = job.analysis_id
        proposal.updated_at = now
        db.commit()
        target = f"/proposals/{proposal.id}/usage"
        if request.headers.get("hx-request"):
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status.HTTP_303_SEE_OTHER)
    return _job_partial(request, db, proposal, job)


MAPPING_FIELDS = (
    "start",
    "date",
    "time",
    "duration",
    "direction",
    "number",
    "caller",
    "callee",
    "cost",
    "status",
)


@router.post("/proposals/{proposal_id}/jobs/{job_id}/mapping")
async def map_columns(
    request: Request, proposal_id: str, job_id: str, db: Db, user: CurrentUser, now: Now
) -> Response:
    """Apply the rep's column mapping (and save it by name) and run the job again."""
    proposal = _editable(db, proposal_id, user)
    job = db.get(AnalysisJob, job_id)
    if job is None or job.owner_id != user.id or job.status != "needs_mapping":
        raise HTTPException(status.HTTP_404_NOT_FOUND, N_("No analysis job waits for a mapping."))
    form = await request.form()
    saved_name = str(form.get("saved") or "")
    if saved_name:
        record = db.scalar(
            select(ColumnMappingRecord).where(ColumnMappingRecord.name == saved_name)
        )
        mapping = dict(record.mapping) if record else {}
    else:
        mapping = {k: str(form.get(k)) for k in MAPPING_FIELDS if form.get(k)}
    try:
        ColumnMapping.model_validate(mapping)
    except ValidationError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    name = str(form.get("save_as") or "").strip()
    if name:
        record = db.scalar(select(ColumnMappingRecord).where(ColumnMappingRecord.name == name))
        if record is None:
            record = ColumnMappingRecord(
                name=name, created_by=user.id, mapping=mapping, updated_at=now
            )
            db.add(record)
        record.mapping, record.updated_at = mapping, now
    analyses.requeue_with_mapping(db, job, mapping)
    db.commit()
    analyses.start_in_background(request.app.state.sessionmaker, job.id, request.app.state.clock)
    return _job_partial(request, db, proposal, job)


@router.post("/proposals/{proposal_id}/figures")
async def enter_figures(
    request: Request, proposal_id: str, db: Db, user: CurrentUser, now: Now
) -> Response:
    """No bill: a month of traffic typed in with the client (marked as entered)."""
    proposal = _editable(db, proposal_id, user)
    form = await request.form()
    categories = []
    for direction, category in FIGURE_ROWS:
        key = f"{direction}-{category}"
        calls, minutes = form.get(f"{key}-calls"), form.get(f"{key}-minutes")
        if calls or minutes:
            categories.append(
                {
                    "direction": direction,
                    "category": category,
                    "calls": calls or 0,
                    "minutes": minutes or 0,
                }
            )
    try:
        figures = EnteredFigures(
            month=str(form.get("month") or now.strftime("%Y-%m")),
            categories=[EnteredCategory.model_validate(c) for c in categories],
            busy_hour_calls=form.get("busy_hour_calls") or None,
            current_lines=form.get("current_lines") or None,
        )
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        return _figures_refused(request, proposal, fields)
    if not figures.categories:
        return _figures_refused(request, proposal, None)
    profile = profile_from_figures(figures)
    analysis = analyses.store(db, user.id, profile, _options(proposal.client), [], now)
    proposal.analysis_id, proposal.updated_at = analysis.id, now
    db.commit()
    return RedirectResponse(f"/proposals/{proposal.id}/usage", status.HTTP_303_SEE_OTHER)


def _figures_refused(request: Request, proposal: Proposal, fields: str | None) -> Response:
    """The bills page again, saying which figures are wrong (or that none were given)."""
    _ = gettext(request.state.locale)
    message = (
        _("Enter the calls and minutes of at least one kind of traffic.")
        if fields is None
        else escape(_("Please check these figures: %(fields)s")) % {"fields": keep(fields)}
    )
    return render(
        request,
        "pages/bills.html",
        {"proposal": proposal, "job": None, "job_view": {}, "figures_error": message},
        status_code=422,
    )


FIGURE_ROWS = [
    ("outbound", "local"),
    ("outbound", "national"),
    ("outbound", "mobile"),
    ("outbound", "international"),
    ("outbound", "toll_free"),
    ("inbound", "local"),
    ("inbound", "national"),
    ("inbound", "mobile"),
]


# ------------------------------------------------------------------------------ usage


@router.get("/proposals/{proposal_id}/usage")
def usage(request: Request, proposal_id: str, db: Db, user: CurrentUser) -> Response:
    """Totals, categories, charts, deal signals and reconciliation of the client's traffic."""
    proposal = _proposal(db, proposal_id, user)
    profile = _profile(db, proposal)
    if profile is None:
        return RedirectResponse(f"/proposals/{proposal.id}/bills", status.HTTP_303_SEE_OTHER)
    labels = chart_labels(request.state.locale)
    figures = {}
    if profile.categories:
        figures["mix"] = charts.destination_mix(profile, labels)
        figures["durations"] = charts.duration_distribution(profile, labels)
    if profile.weekday_hour_erlangs:
        figures["heatmap"] = charts.weekday_hour_heatmap(profile, labels)
    if profile.days:
        figures["busy_days"] = charts.busy_hour_per_day(profile, labels)
    figures["erlang"] = charts.erlang_curve(profile, labels)
    return render(
        request,
        "pages/usage.html",
        {
            "proposal": proposal,
            "profile": profile,
            "figures": figures,
            "reconciliation": _reconciliation(db, proposal, profile),
            "monthly_scale": 30.4375 / profile.period.days if profile.period.days else 1,
        },
    )


def _reconciliation(db: Session, proposal: Proposal, profile: UsageProfile) -> Any:
    if not any(c.billed_cost is not None for c in profile.categories):
        return None
    tariff_id = ((proposal.scenario or {}).get("status_quo") or {}).get("tariff")
    if not tariff_id:
        return None
    try:
        pinned = tariffs.pinned(db, {tariff_id: None})[tariff_id]
        return {
            "tariff_id": tariff_id,
            "version": pinned.version,
            "result": reconcile(profile, pinned.tariff),
        }
    except (KeyError, ValueError):
        return None


# ------------------------------------------------------------------------------ options


def _tariff_cards(db: Session, currency: str | None) -> list[dict[str, Any]]:
    """The tariffs a rep may pick, in the client's currency when there are any."""
    rows = tariffs.list_tariffs(db)
    mine = [row for row in rows if row.currency == currency] or rows
    cards = []
    for row in mine:
        _, text = tariffs.content_of(db, row.id)
        parsed = tariffs.parse_cached(text, f"{row.id}.yaml")
        cards.append(
            {
                "id": row.id,
                "name": row.name,
                "kind": row.kind,
                "currency": row.currency,
                "version": row.version,
                "note": parsed.note,
            }
        )
    return cards


@router.get("/proposals/{proposal_id}/options")
def options(request: Request, proposal_id: str, db: Db, user: CurrentUser) -> Response:
    """Tariffs for each alternative, the inputs and sliders, the fit check and the live
    results beside them."""
    proposal = _proposal(db, proposal_id, user)
    profile = _profile(db, proposal)
    if profile is None:
        return RedirectResponse(f"/proposals/{proposal.id}/bills", status.HTTP_303_SEE_OTHER)
    scenario = proposal.scenario or proposals.default_scenario(
        proposal.client, tariffs.list_tariffs(db), _names(request)
    )
    result = _compute(request, db, proposal, profile, scenario)
    return render(
        request,
        "pages/options.html",
        {
            "proposal": proposal,
            "scenario": scenario,
            "cards": _tariff_cards(db, proposals.currency_of(proposal.client.get("country", ""))),
            "fit_answers": FitAnswers.model_validate(proposal.fit_check or {}),
            "show_save": proposal.owner_id == user.id,
            **result,
        },
    )


def _compute(
    request: Request,
    db: Session,
    proposal: Proposal,
    profile: UsageProfile,
    scenario_dict: dict[str, Any],
) -> dict[str, Any]:
    """The comparison (or the error naming the field) and its charts."""
    clean = {k: v for k, v in scenario_dict.items() if k != "alternatives"}
    clean["alternatives"] = [
        {k: v for k, v in a.items() if k != "enabled"}
        for a in scenario_dict.get("alternatives", [])
        if a.get("enabled", True)
    ]
    clean["sensitivity"] = True
    try:
        scenario = Scenario.model_validate(clean)
        pins = proposal.tariff_versions if proposal.status == "saved" else None
        priced = comparisons.run(db, scenario, profile, pins)
    except ValidationError as exc:
        fields = [".".join(str(p) for p in e["loc"]) for e in exc.errors()]
        return {"comparison": None, "error": _check_fields(request, fields)}
    except ScenarioError as exc:
        problem = scenario_problem(exc, request.state.locale)
        return {"comparison": None, "error": _check_fields(request, [exc.field], problem)}
    shown = localize_names(priced.comparison, request.state.locale)
    return {
        "comparison": shown,
        "error": None,
        "versions": priced.versions,
        "figures": result_figures(request, shown),
        "fit": summarise(FitAnswers.model_validate(proposal.fit_check or {})),
    }


def _check_fields(request: Request, fields: list[str], detail: Markup | None = None) -> Markup:
    """ "Please check: <fields>", each named as on the form, then what is wrong (already in
    words of the page, ``present.scenario_problem``)."""
    _ = gettext(request.state.locale)
    labels = {
        "horizon_months": _("Horizon (months)"),
        "discount_rate_annual": _("Discount rate"),
        "discount_rate_pct": _("Discount rate"),
        "seats": _("Seats"),
        "sites": _("Sites"),
        "seat_growth_annual": _("Seat growth"),
        "seat_growth_pct": _("Seat growth"),
        "usage_growth_annual": _("Usage growth"),
        "usage_growth_pct": _("Usage growth"),
        "price_escalation_annual": _("Carrier price escalation"),
        "escalation_pct": _("Carrier price escalation"),
        "exchange_rates": _("Exchange rate"),
        "alternatives": _("Options"),
        "status_quo": _("Today"),
    }
    named = [labels.get(field.split(".")[0].split("[")[0], "") or keep(field) for field in fields]
    message = escape(_("Please check: %(fields)s")) % {
        "fields": Markup("; ").join(escape(n) for n in named)
    }
    return message if detail is None else Markup("{} ({})").format(message, detail)


def result_figures(request: Request, comparison: Comparison) -> dict[str, Any]:
    labels = chart_labels(request.state.locale)
    figures: dict[str, Any] = {
        "cumulative": charts.cumulative_costs(comparison, labels),
        "annual": charts.annual_by_component(comparison, labels),
        "savings": charts.monthly_savings(comparison, labels),
    }
    for i, alternative in enumerate(comparison.alternatives):
        if alternative.tornado:
            figures[f"tornado{i}"] = charts.tornado(comparison, i, labels)
    return figures


@router.post("/proposals/{proposal_id}/compute")
async def compute(
    request: Request, proposal_id: str, db: Db, user: CurrentUser, now: Now
) -> Response:
    """Recompute from the options form (htmx, debounced) and answer the results partial."""
    proposal = _editable(db, proposal_id, user)
    profile = _profile(db, proposal)
    if profile is None:
        raise HTTPException(status.HTTP_409_CONFLICT, N_("Analyse a bill first."))
    form = await request.form()
    count = len((proposal.scenario or {}).get("alternatives", [])) or 3
    lists = {i: [str(v) for v in form.getlist(f"alt{i}-tariffs")] for i in range(count)}
    try:
        scenario = scenario_from_form(form, lists, count)
        fit = fit_from_form(form)
    except FormError as exc:
        error = _check_fields(request, [exc.field])
        return render(request, "partials/_results.html", {"proposal": proposal, "error": error})
    except ValidationError as exc:
        error = _check_fields(request, [str(e["loc"][0]) for e in exc.errors()])
        return render(request, "partials/_results.html", {"proposal": proposal, "error": error})
    previous = (proposal.scenario or {}).get("alternatives", [])
    for i, alternative in enumerate(previous):
        alternative["enabled"] = bool(form.get(f"alt{i}-enabled"))
    merged = _merge(scenario, previous)
    proposal.scenario, proposal.fit_check = merged, fit.model_dump(mode="json")
    proposal.updated_at = now
    db.commit()
    result = _compute(request, db, proposal, profile, merged)
    return render(
        request, "partials/_results.html", {"proposal": proposal, "show_save": True, **result}
    )


def _merge(scenario: dict[str, Any], previous: list[dict[str, Any]]) -> dict[str, Any]:
    """Keep every alternative (enabled or not) in the stored scenario, in form order."""
    enabled = iter(scenario["alternatives"])
    merged = []
    for alternative in previous:
        if alternative.get("enabled", True):
            merged.append({**next(enabled, alternative), "enabled": True})
        else:
            merged.append({**alternative, "enabled": False})
    out = dict(scenario)
    out["alternatives"] = merged
    jsonable: dict[str, Any] = _jsonable(out)
    return jsonable


def _jsonable(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return str(value) if isinstance(value, Decimal) else value


# ------------------------------------------------------------------------------ save, results


@router.post("/proposals/{proposal_id}/save")
def save(request: Request, proposal_id: str, db: Db, user: CurrentUser, now: Now) -> Response:
    """Store the comparison as a proposal: inputs, profile, tariff versions and result."""
    proposal = _editable(db, proposal_id, user)
    profile = _profile(db, proposal)
    if profile is None or not proposal.scenario:
        raise HTTPException(
            status.HTTP_409_CONFLICT, N_("Analyse a bill and choose options first.")
        )
    result = _compute(request, db, proposal, profile, proposal.scenario)
    if result["comparison"] is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, result["error"])
    comparison: Comparison = result["comparison"]
    proposals.save(
        proposal,
        scenario=proposal.scenario,
        comparison=comparison.model_dump(mode="json"),
        versions=result["versions"],
        now=now,
    )
    db.commit()
    return RedirectResponse(f"/proposals/{proposal.id}/results", status.HTTP_303_SEE_OTHER)


@router.post("/proposals/{proposal_id}/reprice")
def reprice(proposal_id: str, db: Db, user: CurrentUser, now: Now) -> Response:
    """Unpin a saved proposal: its options recompute on the latest tariff versions (the
    saved result stays until it is saved again)."""
    proposal = _editable(db, proposal_id, user)
    proposal.status, proposal.tariff_versions, proposal.updated_at = "draft", None, now
    db.commit()
    return RedirectResponse(f"/proposals/{proposal.id}/options", status.HTTP_303_SEE_OTHER)


@router.get("/proposals/{proposal_id}/results")
def results(request: Request, proposal_id: str, db: Db, user: CurrentUser) -> Response:
    """The saved proposal, exactly as saved."""
    proposal = _proposal(db, proposal_id, user)
    if proposal.comparison is None:
        return RedirectResponse(f"/proposals/{proposal.id}/options", status.HTTP_303_SEE_OTHER)
    comparison = localize_names(
        Comparison.model_validate(proposal.comparison), request.state.locale
    )
    return render(
        request,
        "pages/results.html",
        {
            "proposal": proposal,
            "comparison": comparison,
            "error": None,
            "figures": result_figures(request, comparison),
            "fit": summarise(FitAnswers.model_validate(proposal.fit_check or {})),
        },
    )
