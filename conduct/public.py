"""A council's public pages: the landing page, route finder and the complaint form."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    g,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from conduct import access_log, complaints
from conduct.council_pages import council_blueprint
from conduct.forms import MAX_MEMBERS, ComplaintForm
from conduct.procedures import PROCEDURES, PUBLIC_FORM_PROCEDURE
from conduct.uploads import (
    ALLOWED_DESCRIPTION,
    UploadError,
    evidence_from,
    size_text,
    store_upload,
)
from core.branding import readable_on_white_text
from core.db import db
from core.extensions import csrf
from core.outbox import deliver_after_response
from core.pagecache import remembered, render_shared
from core.ratelimit import client_address, configured, limiter
from core.rendering import render
from tenants.forms import CSRFOnlyForm
from tenants.routes_catalogue import SAFEGUARDING_ROUTE_KINDS

bp = council_blueprint("public", __name__, url_prefix="/<council>")

# One budget for every POST of the complaint journey from an address, whichever
# council: enough for a long complaint, not for a flood of them.
_form_posts = limiter.shared_limit(
    configured("RATELIMIT_PUBLIC_FORM_PER_ADDRESS"),
    scope="public-complaint-form",
    key_func=client_address,
    methods=["POST"],
)

CONCERNS = ("councillor", "officer", "safety", "other")
_DRAFTS = "complaint_drafts"
_SUBMITTED = "submitted_reference"


@bp.after_request
def _log_case_access(response):
    # A party's secure-link page shows their case: logged like a staff view.
    return access_log.write_pending(response)


@bp.context_processor
def _council_context() -> dict:
    # g.council is missing when the council itself was not found (the 404 page).
    return {
        "council": g.get("council"),
        "procedures": PROCEDURES,
        "upload_limits": {
            "files": current_app.config["MAX_UPLOAD_FILES"],
            "size": size_text(current_app.config["MAX_UPLOAD_FILE_BYTES"]),
        },
    }


@bp.get("/brand.css")
def brand_css():
    """The council's header colour as a stylesheet (a CSP forbids inline styles).

    Darkened where needed so the header's white text stays readable (4.5:1).
    """
    colour = readable_on_white_text(g.council.brand_colour)
    response = make_response(f".app-header--council {{ background-color: {colour}; }}\n")
    response.mimetype = "text/css"
    # The URL carries the colour, so a change is a new URL: cache it for a day.
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def _council_shows() -> tuple:
    """What a council's public pages show of it: its row (whose pages_version follows its
    procedures and contact routes)."""
    return ("council", *g.council_row)


@bp.get("/")
def landing():
    return render_shared(
        "public/landing.html",
        _council_shows(),
        prepare=lambda: {"concerns": CONCERNS, "error": None, "posts": False},
    )


@bp.get("/help")
def route_finder():
    """Answer to "What is your concern about?": which route fits, with its contact details."""
    concern = request.args.get("concern")
    if concern not in CONCERNS:
        return render("public/landing.html", status=400, concerns=CONCERNS, error="concern")
    council = g.council
    safeguarding = [r for r in council.routes if r.kind in SAFEGUARDING_ROUTE_KINDS]
    return render(
        "public/route_finder.html",
        concern=concern,
        safeguarding_routes=safeguarding,
        takes_form=council.enables(PUBLIC_FORM_PROCEDURE),
    )


def _draft_token() -> str | None:
    return session.get(_DRAFTS, {}).get(str(g.council_row.id))


def _remember_draft(token: str) -> None:
    drafts = dict(session.get(_DRAFTS, {}))
    drafts[str(g.council_row.id)] = token
    session[_DRAFTS] = drafts


def _forget_draft() -> None:
    drafts = dict(session.get(_DRAFTS, {}))
    drafts.pop(str(g.council_row.id), None)
    session[_DRAFTS] = drafts


def _form_from_draft(draft) -> ComplaintForm:
    data = dict(draft.data) if draft else {}
    if not data:
        data = {"members": [{"authority": g.council.display_name}]}
    return ComplaintForm(data=data)


def _keep_uploads(form: ComplaintForm, draft) -> None:
    """Store every acceptable file now, so a failed validation never loses one."""
    errors = []
    uploads = [f for f in request.files.getlist(form.evidence.name) if f and f.filename]
    limit = current_app.config["MAX_UPLOAD_FILES"]
    room = limit - len(draft.files)
    for upload in uploads:
        if room <= 0:
            errors.append(f"{upload.filename}: " + _("You can upload up to %(n)d files", n=limit))
            continue
        try:
            stored = store_upload(upload)
        except UploadError as error:
            errors.append(f"{upload.filename}: {error.message}")
            continue
        evidence = evidence_from(stored, g.council.id)
        evidence.draft = draft
        db.session.add(evidence)
        room -= 1
    form.evidence.errors = errors


@bp.route("/complaints/new", methods=["GET", "POST"])
@_form_posts
@csrf.exempt  # checked by the form itself, so a stale token keeps every answer
def complaint_form():
    takes_form = remembered(
        ("takes-form", _council_shows()), lambda: g.council.enables(PUBLIC_FORM_PROCEDURE)
    )
    if not takes_form:
        return render("public/no_form.html")
    draft = complaints.find_draft(_draft_token())
    if request.method == "GET" and draft is None:
        # The blank form is the same for every new visitor of this council.
        return render_shared(
            "public/complaint_form.html",
            _council_shows(),
            prepare=lambda: _form_context(_form_from_draft(None), None),
        )
    if request.method == "GET":
        return _form_page(_form_from_draft(draft), draft)

    council = g.council
    form = ComplaintForm()
    if not _csrf_valid():
        # Nothing is stored from a request we cannot trust; everything typed is shown again.
        form.validate()
        form.csrf_token.errors = [_expired_message()]
        return _form_page(form, draft, 400)
    if draft is None:
        draft = complaints.new_draft(council, str(get_locale()))
        _remember_draft(draft.token)
    action = request.form.get("action", "continue")
    _keep_uploads(form, draft)

    if action == "add-member" and len(form.members) < MAX_MEMBERS:
        form.members.append_entry({"authority": council.display_name})
        _save(draft, form)
        return _form_page(form, draft)
    if action.startswith("remove-member-") and len(form.members) > 1:
        index = action.removeprefix("remove-member-")
        if index.isdigit() and int(index) < len(form.members):
            _remove_member(form, int(index))
        _save(draft, form)
        return _form_page(form, draft)

    upload_errors = list(form.evidence.errors)
    valid = form.validate()
    form.evidence.errors = upload_errors
    _save(draft, form)
    if valid and not upload_errors:
        db.session.commit()
        return redirect(url_for("public.check_answers"), 303)
    db.session.commit()  # keep the answers and any files that were accepted
    return _form_page(form, draft, 400)


def _form_context(form: ComplaintForm, draft) -> dict:
    return {"form": form, "draft": draft, "allowed": ALLOWED_DESCRIPTION}


def _form_page(form: ComplaintForm, draft, status: int = 200):
    return render("public/complaint_form.html", status=status, **_form_context(form, draft))


def _csrf_valid() -> bool:
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def _expired_message() -> str:
    return _(
        "This form had expired or was not sent from this website. Check your answers "
        "and send the form again."
    )


def _remove_member(form: ComplaintForm, index: int) -> None:
    # Rebuild the list so the fields are numbered 0, 1, ... again: keeping the posted
    # names (e.g. only "members-1-*" left) would clash with the next member added.
    kept = [e.data for i, e in enumerate(form.members.entries) if i != index]
    while form.members.entries:
        form.members.pop_entry()
    for data in kept:
        form.members.append_entry(data)


def _save(draft, form: ComplaintForm) -> None:
    draft.data = complaints.draft_data_from_form(form)
    draft.language = str(get_locale())


@bp.route("/complaints/check", methods=["GET", "POST"])
@_form_posts
@csrf.exempt  # checked by the form itself (see complaint_form)
def check_answers():
    council = g.council
    draft = complaints.find_draft(_draft_token())
    if draft is None or not council.enables(PUBLIC_FORM_PROCEDURE):
        if (session.get(_SUBMITTED) or {}).get("council") == council.id:
            return redirect(url_for("public.confirmation"), 303)  # e.g. a double click
        return redirect(url_for("public.complaint_form"), 303)
    # Re-check the stored answers (not the request): a draft may be old or incomplete.
    form = ComplaintForm(formdata=None, data=draft.data, meta={"csrf": False})
    if not form.validate():
        # Answers changed or incomplete (e.g. an old draft): back to the form with errors.
        return _form_page(form, draft, 400)
    confirm = CSRFOnlyForm()
    if request.method == "POST":
        if confirm.validate_on_submit():
            submission = complaints.submit(council, draft)
            db.session.commit()
            deliver_after_response(submission.message_ids)
            _forget_draft()
            session[_SUBMITTED] = {
                "council": council.id,
                "reference": submission.case.reference,
                "anonymous": submission.case.anonymous,
                # Until the confirmation page has shown it, once (only a hash is stored).
                "receipt": submission.receipt_code,
            }
            return redirect(url_for("public.confirmation"), 303)
        expired = _expired_message()
    else:
        expired = None
    return render(
        "public/check_answers.html",
        status=400 if expired else 200,
        sections=complaints.answer_sections(draft),
        confirm=confirm,
        expired=expired,
    )


@bp.post("/complaints/files/<int:file_id>/remove")
@_form_posts
def remove_file(file_id: int):
    draft = complaints.find_draft(_draft_token())
    if draft is None or not complaints.remove_draft_file(draft, file_id):
        abort(404)
    if "first_name" in request.form:
        # With JavaScript off the Remove button sends the whole form here: keep what
        # was typed since the last save (CSRFProtect has checked the token).
        _save(draft, ComplaintForm(meta={"csrf": False}))
    db.session.commit()
    back = (
        "public.check_answers" if request.form.get("back") == "check" else "public.complaint_form"
    )
    return redirect(url_for(back), 303)


@bp.get("/complaints/submitted")
def confirmation():
    submitted = session.get(_SUBMITTED)
    if not submitted or submitted.get("council") != g.council.id:
        return redirect(url_for("public.complaint_form"), 303)
    receipt = submitted.get("receipt")
    if receipt:
        session[_SUBMITTED] = {**submitted, "receipt": None}
    return render(
        "public/confirmation.html",
        reference=submitted["reference"],
        anonymous=submitted.get("anonymous", False),
        receipt=receipt,
    )
