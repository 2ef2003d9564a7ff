"""Host administration: councils, their routes and procedures, staff accounts and roles.

Host administrators manage; they do not read case content (the request's
tenant scope stays empty here, and case pages check casework roles).
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import permissions
from core.db import db
from core.formutil import choices
from core.outbox import deliver_after_response
from core.rendering import render, wants_fragment
from tenants import services, two_factor
from tenants.committee_forms import HearingCouncilForm, committee_context
from tenants.forms import (
    ClosureDayForm,
    ContactRouteForm,
    CouncilForm,
    CSRFOnlyForm,
    RoleGrantForm,
    UserForm,
)
from tenants.models import ContactRoute, Council, RoleGrant, User

bp = Blueprint("admin", __name__, url_prefix="/admin")
permissions.declare(bp, permissions.HOST_ADMIN)


def host_admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_host_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def _council_or_404(slug: str) -> Council:
    council = services.council_by_slug(slug)
    if council is None:
        abort(404)
    return council


def _apply_validation_error(form, error: services.ValidationError) -> None:
    field = getattr(form, error.field, None)
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def _status(form) -> int:
    """Like the public form and sign-in: a page sent back with errors is a 400."""
    return 400 if form.errors else 200


# --- councils -----------------------------------------------------------------


@bp.get("/")
@host_admin_required
def index():
    return redirect(url_for("admin.councils"))


@bp.get("/councils")
@host_admin_required
def councils():
    rows = db.session.scalars(select(Council).order_by(Council.name)).all()
    return render("admin/councils.html", councils=rows)


@bp.route("/councils/new", methods=["GET", "POST"])
@host_admin_required
def new_council():
    form = CouncilForm()
    if request.method == "GET":
        form.brand_colour.data = "#1d70b8"
        form.reminder_days_before.data = 2
    if form.validate_on_submit():
        try:
            council = services.create_council(
                slug=form.slug.data,
                name=form.name.data,
                name_cy=form.name_cy.data,
                nation=form.nation.data,
                procedures=form.procedures.data,
                brand_colour=form.brand_colour.data,
            )
        except services.ValidationError as error:
            db.session.rollback()
            _apply_validation_error(form, error)
        else:
            council.reminder_days_before = form.reminder_days_before.data or 2
            council.retention_years = form.retention_years.data or council.retention_years
            db.session.commit()
            flash(_("%(name)s has been added.", name=council.name), "success")
            return redirect(url_for("admin.council", slug=council.slug), 303)
    return render("admin/council_form.html", status=_status(form), form=form, council=None)


@bp.route("/councils/<slug>", methods=["GET", "POST"])
@host_admin_required
def council(slug: str):
    council = _council_or_404(slug)
    form = CouncilForm(obj=council)
    form.slug.render_kw = {"readonly": True}
    if request.method == "GET":
        form.procedures.data = council.procedure_keys
    else:
        form.slug.data = council.slug  # the address never changes once published
    if form.validate_on_submit():
        try:
            services.set_procedures(council, form.procedures.data)
        except services.ValidationError as error:
            _apply_validation_error(form, error)
        else:
            council.name = form.name.data.strip()
            council.name_cy = (form.name_cy.data or "").strip() or None
            council.nation = form.nation.data
            council.brand_colour = form.brand_colour.data
            council.reminder_days_before = (
                form.reminder_days_before.data or council.reminder_days_before
            )
            council.retention_years = form.retention_years.data or council.retention_years
            db.session.commit()
            flash(_("Changes to %(name)s have been saved.", name=council.name), "success")
            return redirect(url_for("admin.council", slug=council.slug), 303)
    return council_page(council, form=form, status=_status(form))


def council_page(
    council: Council,
    *,
    form: CouncilForm | None = None,
    status: int = 200,
    closure_form: ClosureDayForm | None = None,
    heard_by_form: HearingCouncilForm | None = None,
):
    """The whole council page, with whichever of its forms came back with errors."""
    return render(
        "admin/council_form.html",
        status=status,
        form=form if form is not None else _council_form_for(council),
        council=council,
        closure_form=closure_form
        if closure_form is not None
        else ClosureDayForm(prefix="closure", formdata=None),
        **committee_context(council, heard_by_form=heard_by_form),
    )


# --- contact routes (htmx rows, plain pages without JavaScript) -------------------------


def _route_or_404(council: Council, route_id: int) -> ContactRoute:
    route = db.session.get(ContactRoute, route_id)
    if route is None or route.council_id != council.id:
        abort(404)
    return route


@bp.route("/councils/<slug>/routes/new", methods=["GET", "POST"])
@host_admin_required
def new_route(slug: str):
    council = _council_or_404(slug)
    form = ContactRouteForm()
    if form.validate_on_submit():
        route = ContactRoute(council=council, position=len(council.routes))
        _fill_route(route, form)
        db.session.add(route)
        db.session.commit()
        return _after_route_change(council, route, _("Route added."))
    return _route_form(form, council, None)


@bp.route("/councils/<slug>/routes/<int:route_id>", methods=["GET", "POST"])
@host_admin_required
def edit_route(slug: str, route_id: int):
    council = _council_or_404(slug)
    route = _route_or_404(council, route_id)
    form = ContactRouteForm(obj=route)
    if form.validate_on_submit():
        _fill_route(route, form)
        db.session.commit()
        return _after_route_change(council, route, _("Route saved."))
    return _route_form(form, council, route)


@bp.post("/councils/<slug>/routes/<int:route_id>/delete")
@host_admin_required
def delete_route(slug: str, route_id: int):
    council = _council_or_404(slug)
    route = _route_or_404(council, route_id)
    form = CSRFOnlyForm()
    if not form.validate_on_submit():
        abort(400)
    db.session.delete(route)
    db.session.commit()
    if wants_fragment():
        return ""
    flash(_("Route removed."), "success")
    return redirect(url_for("admin.council", slug=council.slug), 303)


def _fill_route(route: ContactRoute, form: ContactRouteForm) -> None:
    for name in ("kind", "name", "name_cy", "purpose", "purpose_cy", "email", "phone"):
        setattr(route, name, (getattr(form, name).data or "").strip() or None)
    route.purpose = route.purpose or ""
    route.address = (form.address.data or "").strip() or None
    route.hours = (form.hours.data or "").strip() or None
    route.web_link = (form.web_link.data or "").strip() or None


def _route_form(form: ContactRouteForm, council: Council, route: ContactRoute | None):
    response = render(
        "admin/route_form.html",
        "form",
        embedded=wants_fragment(),
        form=form,
        council=council,
        route=route,
    )
    if form.errors and wants_fragment():
        # The form's normal target is the table; a form with errors goes back to the editor.
        response.headers["HX-Retarget"] = "#route-editor"
        response.headers["HX-Reswap"] = "innerHTML"
    elif form.errors:
        response.status_code = 400
    return response


def _after_route_change(council: Council, route: ContactRoute, message: str):
    if wants_fragment():
        response = render("admin/route_row.html", "row", council=council, route=route)
        # Close the editor in the same response (out-of-band swap).
        response.set_data(
            response.get_data(as_text=True) + '<div id="route-editor" hx-swap-oob="true"></div>'
        )
        return response
    flash(message, "success")
    return redirect(url_for("admin.council", slug=council.slug), 303)


# --- closure days ------------------------------------------------------------------------


@bp.post("/councils/<slug>/closure-days")
@host_admin_required
def add_closure_day(slug: str):
    from conduct.closures import add_closure_day as add_day

    council = _council_or_404(slug)
    form = ClosureDayForm(prefix="closure")
    if form.validate_on_submit():
        moved = add_day(council, form.day.data, form.reason.data or "")
        db.session.commit()
        message = _("Closure day added; %(n)d open deadlines moved.", n=moved)
        form = ClosureDayForm(prefix="closure", formdata=None)
        if not wants_fragment():
            flash(message, "success")
            return redirect(url_for("admin.council", slug=council.slug) + "#closure-days", 303)
        return _closure_section(council, form, message)
    if not wants_fragment():
        return council_page(council, status=400, closure_form=form)
    return _closure_section(council, form, None)


@bp.post("/councils/<slug>/closure-days/<int:closure_id>/delete")
@host_admin_required
def remove_closure_day(slug: str, closure_id: int):
    from conduct.closures import remove_closure_day as remove_day

    council = _council_or_404(slug)
    if not CSRFOnlyForm().validate_on_submit():
        abort(400)
    closure = next((c for c in council.closure_days if c.id == closure_id), None)
    if closure is None:
        abort(404)
    moved = remove_day(council, closure)
    db.session.commit()
    message = _("Closure day removed; %(n)d open deadlines moved.", n=moved)
    if not wants_fragment():
        flash(message, "success")
        return redirect(url_for("admin.council", slug=council.slug) + "#closure-days", 303)
    return _closure_section(council, ClosureDayForm(prefix="closure", formdata=None), message)


def _council_form_for(council: Council) -> CouncilForm:
    form = CouncilForm(formdata=None, obj=council)
    form.slug.render_kw = {"readonly": True}
    form.procedures.data = council.procedure_keys
    return form


def _closure_section(council: Council, form: ClosureDayForm, message: str | None):
    return render(
        "admin/council_form.html",
        "closure_days",
        council=council,
        closure_form=form,
        closure_message=message,
    )


# --- staff accounts -------------------------------------------------------------


# A role grant's council is loaded only where the grants are listed with council names.
_ROLES_WITH_COUNCILS = selectinload(User.roles).joinedload(RoleGrant.council)


@bp.get("/users")
@host_admin_required
def users():
    rows = db.session.scalars(select(User).order_by(User.email).options(_ROLES_WITH_COUNCILS)).all()
    return render("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@host_admin_required
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data,
                full_name=form.full_name.data,
                host_admin=form.host_admin.data,
            )
        except services.ValidationError as error:
            db.session.rollback()
            _apply_validation_error(form, error)
        else:
            _token, message = services.issue_password_link(user, "invite")
            db.session.commit()
            deliver_after_response([message.id])
            flash(
                _(
                    "Account created. %(email)s has been sent a link to set a password.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("admin.user", user_id=user.id), 303)
    return render("admin/user_form.html", status=_status(form), form=form, user=None)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id, options=[_ROLES_WITH_COUNCILS])
    if user is None:
        abort(404)
    return user


def _grant_form() -> RoleGrantForm:
    form = RoleGrantForm(prefix="grant")
    form.council_id.choices = choices(
        (c.id, c.name) for c in db.session.scalars(select(Council).order_by(Council.name))
    )
    return form


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@host_admin_required
def user(user_id: int):
    user = _user_or_404(user_id)
    form = UserForm(obj=user)
    if form.validate_on_submit():
        try:
            email = services.normalise_email(form.email.data)
            other = services.user_by_email(email)
            if other is not None and other.id != user.id:
                raise services.ValidationError(
                    "email", _("An account with that email address already exists")
                )
        except services.ValidationError as error:
            _apply_validation_error(form, error)
        else:
            user.email = email
            user.full_name = form.full_name.data.strip()
            services.set_host_admin(user, bool(form.host_admin.data))
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.user", user_id=user.id), 303)
    return render(
        "admin/user_form.html",
        status=_status(form),
        form=form,
        user=user,
        grant_form=_grant_form(),
        csrf=CSRFOnlyForm(),
    )


@bp.post("/users/<int:user_id>/roles")
@host_admin_required
def add_role(user_id: int):
    user = _user_or_404(user_id)
    grant_form = _grant_form()
    if grant_form.validate_on_submit():
        council = db.session.get(Council, grant_form.council_id.data)
        if council is None:
            abort(404)
        services.grant_role(user, council, grant_form.role.data)
        db.session.commit()
        if not wants_fragment():
            flash(_("Role granted."), "success")
            return redirect(url_for("admin.user", user_id=user.id), 303)
        grant_form = _grant_form()
    status = 200 if not grant_form.errors else 400
    if not wants_fragment() and grant_form.errors:
        return render(
            "admin/user_form.html",
            status=status,
            form=UserForm(obj=user),
            user=user,
            grant_form=grant_form,
            csrf=CSRFOnlyForm(),
        )
    return render(
        "admin/user_form.html",
        "roles",
        status=status,
        user=user,
        grant_form=grant_form,
        csrf=CSRFOnlyForm(),
    )


@bp.post("/users/<int:user_id>/roles/<int:grant_id>/delete")
@host_admin_required
def remove_role(user_id: int, grant_id: int):
    user = _user_or_404(user_id)
    if not CSRFOnlyForm().validate_on_submit():
        abort(400)
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.user_id != user.id:
        abort(404)
    services.remove_role(user, grant)
    db.session.commit()
    if not wants_fragment():
        flash(_("Role removed."), "success")
        return redirect(url_for("admin.user", user_id=user.id), 303)
    return render(
        "admin/user_form.html", "roles", user=user, grant_form=_grant_form(), csrf=CSRFOnlyForm()
    )


@bp.post("/users/<int:user_id>/send-link")
@host_admin_required
def send_link(user_id: int):
    user = _user_or_404(user_id)
    if not CSRFOnlyForm().validate_on_submit():
        abort(400)
    _token, message = services.issue_password_link(
        user, "invite" if user.password_hash is None else "reset"
    )
    db.session.commit()
    deliver_after_response([message.id])
    flash(_("A link to set a password has been sent to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/two-factor/reset")
@host_admin_required
def reset_two_factor(user_id: int):
    """For someone who lost their authenticator app and recovery codes."""
    user = _user_or_404(user_id)
    if not CSRFOnlyForm().validate_on_submit():
        abort(400)
    two_factor.reset(user)
    db.session.commit()
    flash(
        _(
            "Two-factor authentication has been reset for %(email)s. They have been signed out "
            "everywhere and will set it up again when they next sign in.",
            email=user.email,
        ),
        "success",
    )
    return redirect(url_for("admin.user", user_id=user.id), 303)
