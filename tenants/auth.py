"""Staff sign-in, sign-out and password links."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from core import permissions
from core.db import db, utcnow
from core.extensions import login_manager
from core.outbox import deliver_after_response
from tenants import services
from tenants.forms import AccountForm, CSRFOnlyForm, ForgotPasswordForm, LoginForm, SetPasswordForm
from tenants.models import User

bp = Blueprint("auth", __name__)
permissions.declare(bp, permissions.PUBLIC)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    # Flask-Login does not check is_active when it reloads a session: a
    # deactivated account must lose the sessions it already has.
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def _safe_next(target: str | None) -> str | None:
    """Only paths on this site: an open redirect would make our sign-in a phishing aid."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def landing_for(user: User) -> str:
    return (
        url_for("admin.councils")
        if user.is_host_admin and not user.roles
        else url_for("staff.cases")
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(landing_for(current_user))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = services.user_by_email(form.email.data)
        if user is not None and user.active and services.verify_password(user, form.password.data):
            # A fresh session on sign-in: nothing from before survives (fixation).
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            login_user(user)
            user.last_login_at = utcnow()
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or landing_for(user))
        failed = True
        db.session.rollback()
    return render_template("auth/login.html", form=form, failed=failed), (400 if failed else 200)


@bp.post("/logout")
@permissions.requires(permissions.SIGNED_IN)
@login_required
def logout():
    form = CSRFOnlyForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.user_by_email(form.email.data)
        ids: list[int] = []
        if user is not None and user.active:
            _token, message = services.issue_password_link(user, "reset")
            ids = [message.id]
            db.session.commit()
        deliver_after_response(ids)
        # The same answer whether or not the account exists.
        return render_template(
            "auth/forgot_sent.html",
            email=form.email.data,
            hours=current_app.config["PASSWORD_RESET_HOURS"],
        )
    return render_template("auth/forgot.html", form=form), (400 if form.errors else 200)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    row = services.redeem_password_token(token)
    if row is None:
        return render_template("auth/reset_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.set_password_with_token(row, form.password.data)
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("Your password has been set. Sign in with your new password."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, purpose=row.purpose), (
        400 if form.errors else 200
    )


@bp.route("/account", methods=["GET", "POST"])
@permissions.requires(permissions.SIGNED_IN)
@login_required
def account():
    """A staff member's own settings: how they receive deadline reminders."""
    form = AccountForm(obj=current_user)
    if form.validate_on_submit():
        current_user.reminder_mode = form.reminder_mode.data
        db.session.commit()
        flash(_("Your settings have been saved."), "success")
        return redirect(url_for("auth.account"), 303)
    return render_template("auth/account.html", form=form), (400 if form.errors else 200)
