"""Staff sign-in (password, then a second factor), sign-out, password links, the account page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.wrappers import Response
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core import permissions
from core.db import db, utcnow
from core.extensions import login_manager
from core.outbox import deliver_after_response
from core.ratelimit import (
    client_address,
    configured,
    failed,
    limiter,
    pending_account,
    posted_email,
)
from tenants import lockout, services, sessions, two_factor
from tenants.forms import (
    AccountForm,
    CSRFOnlyForm,
    EnrolmentForm,
    ForgotPasswordForm,
    LoginForm,
    SecondFactorForm,
    SetPasswordForm,
)
from tenants.models import User

bp = Blueprint("auth", __name__)
permissions.declare(bp, permissions.PUBLIC)

_sign_in_per_address = limiter.limit(
    configured("RATELIMIT_SIGN_IN_PER_ADDRESS"),
    key_func=client_address,
    methods=["POST"],
    deduct_when=failed,
)
_sign_in_per_account = limiter.limit(
    configured("RATELIMIT_SIGN_IN_PER_ACCOUNT"),
    key_func=posted_email,
    methods=["POST"],
    deduct_when=failed,
)
_code_per_address = limiter.limit(
    configured("RATELIMIT_SIGN_IN_PER_ADDRESS"),
    key_func=client_address,
    methods=["POST"],
    deduct_when=failed,
)
_code_per_account = limiter.limit(
    configured("RATELIMIT_SIGN_IN_PER_ACCOUNT"),
    key_func=pending_account,
    methods=["POST"],
    deduct_when=failed,
)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    # Flask-Login does not check is_active when it reloads a session: a
    # deactivated account must lose the sessions it already has.
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


@login_manager.unauthorized_handler
def _unauthorized() -> Response:
    """To the sign-in page, coming back here afterwards (htmx: the whole page goes)."""
    if not g.get("session_end_message"):
        flash(_("Sign in to see this page."), "info")
    from_htmx = request.headers.get("HX-Request") == "true"
    target = url_for("auth.login", next=_path_to_return_to(from_htmx))
    if from_htmx:
        response = current_app.make_response("")
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def _path_to_return_to(from_htmx: bool) -> str | None:
    """The page the person was on: this one, or for a form sent (or an htmx swap) the page
    it was on, since only a GET can be repeated after signing in."""
    if request.method == "GET" and not from_htmx:
        return _safe_next(request.full_path.rstrip("?"))
    page = request.headers.get("HX-Current-URL") if from_htmx else request.referrer
    if not page:
        return None
    parts = urlsplit(page)
    if parts.netloc and parts.netloc != request.host:
        return None
    return _safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def _safe_next(target: str | None) -> str | None:
    """Only paths on this site: an open redirect would make our sign-in a phishing aid."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def landing_for(user: User) -> str:
    return (
        url_for("admin.councils")
        if user.is_host_admin and not user.grants
        else url_for("staff.cases")
    )


def _refused(user: User | None) -> None:
    """Count a failed attempt against the account (if there is one to count against)."""
    message = None
    if user is not None and user.active and not lockout.is_locked(user):
        message = lockout.record_failure(user)
    db.session.commit()
    deliver_after_response([message.id] if message is not None else [])


@bp.route("/login", methods=["GET", "POST"])
@_sign_in_per_address
@_sign_in_per_account
def login():
    if current_user.is_authenticated:
        return redirect(landing_for(current_user))
    form = LoginForm()
    failed_attempt = False
    if form.validate_on_submit():
        user = services.user_by_email(form.email.data)
        # Always verified, against a dummy hash for an unknown account, so the
        # time taken tells nothing either.
        password_ok = services.verify_password(user, form.password.data)
        if user is not None and user.active and password_ok and not lockout.is_locked(user):
            sessions.begin_pending(user, _safe_next(request.args.get("next")))
            db.session.commit()
            if user.has_two_factor:
                return redirect(url_for("auth.second_factor"))
            return redirect(url_for("auth.set_up_second_factor"))
        # The same answer for an unknown email, a wrong password, a deactivated
        # or a locked account: none of them is told apart.
        failed_attempt = True
        _refused(user if not password_ok else None)
    return render_template("auth/login.html", form=form, failed=failed_attempt), (
        400 if failed_attempt or form.errors else 200
    )


def _pending_or_restart() -> User | None:
    user = sessions.pending_user()
    if user is None:
        flash(_("Sign in again to continue."), "info")
    return user


def _finish_sign_in(user: User) -> str:
    """Both factors passed: start the session; returns where to go next."""
    target = sessions.pending_next()
    lockout.record_success(user)
    sessions.start(user)
    user.last_login_at = utcnow()
    return target or landing_for(user)


@bp.route("/login/code", methods=["GET", "POST"])
@_code_per_address
@_code_per_account
def second_factor():
    user = _pending_or_restart()
    if user is None:
        return redirect(url_for("auth.login"))
    if not user.has_two_factor:
        return redirect(url_for("auth.set_up_second_factor"))
    form = SecondFactorForm()
    failed_attempt = False
    if form.validate_on_submit():
        code = form.code.data
        if not lockout.is_locked(user) and two_factor.verify_second_factor(user, code):
            target = _finish_sign_in(user)
            db.session.commit()
            if not two_factor.looks_like_totp(code):
                left = two_factor.recovery_codes_left(user)
                flash(
                    _(
                        "You signed in with a recovery code. You have %(num)d left: "
                        "get new ones from your account page.",
                        num=left,
                    ),
                    "info",
                )
            return redirect(target)
        failed_attempt = True
        _refused(user)
    return render_template("auth/second_factor.html", form=form, failed=failed_attempt), (
        400 if failed_attempt or form.errors else 200
    )


@bp.route("/login/set-up", methods=["GET", "POST"])
@_code_per_address
@_code_per_account
def set_up_second_factor():
    """First sign-in: add the account to an authenticator app and prove it with a code."""
    user = _pending_or_restart()
    if user is None:
        return redirect(url_for("auth.login"))
    if user.has_two_factor:
        return redirect(url_for("auth.second_factor"))
    secret = sessions.enrolment_secret(user, two_factor.new_secret)
    form = EnrolmentForm()
    failed_attempt = False
    if form.validate_on_submit():
        if not lockout.is_locked(user) and two_factor.confirm_enrolment(
            user, secret, form.code.data
        ):
            codes = two_factor.new_recovery_codes(user)
            target = _finish_sign_in(user)
            db.session.commit()
            return _recovery_codes_page(codes, target, first_time=True)
        failed_attempt = True
        _refused(user)
    uri = two_factor.provisioning_uri(secret, user.email)
    response = current_app.make_response(
        (
            render_template(
                "auth/set_up_second_factor.html",
                form=form,
                failed=failed_attempt,
                qr=two_factor.qr_svg(uri, _("QR code to add this account to an authenticator app")),
                secret=two_factor.grouped(secret),
                email=user.email,
            ),
            400 if failed_attempt or form.errors else 200,
        )
    )
    response.headers["Cache-Control"] = "no-store"  # the page shows the secret key
    return response


def _recovery_codes_page(codes: list[str], target: str, *, first_time: bool) -> Response:
    response = current_app.make_response(
        render_template(
            "auth/recovery_codes.html", codes=codes, continue_to=target, first_time=first_time
        )
    )
    # Shown once: no copy kept by the browser's cache or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/logout")
@permissions.requires(permissions.SIGNED_IN)
def logout():
    form = CSRFOnlyForm()
    if current_user.is_authenticated and form.validate_on_submit():
        sessions.end()
        flash(_("You have signed out."), "success")
    elif current_user.is_authenticated:
        return render_template("errors/csrf.html"), 400
    return redirect(url_for("auth.login"))


_reset_per_address = limiter.limit(
    configured("RATELIMIT_PASSWORD_RESET_PER_ADDRESS"), key_func=client_address, methods=["POST"]
)
_reset_per_email = limiter.limit(
    configured("RATELIMIT_PASSWORD_RESET_PER_EMAIL"), key_func=posted_email, methods=["POST"]
)


@bp.route("/password/forgot", methods=["GET", "POST"])
@_reset_per_address
@_reset_per_email
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
        sessions.end()
        flash(_("Your password has been set. Sign in with your new password."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, purpose=row.purpose), (
        400 if form.errors else 200
    )


def _account_page(form: AccountForm, codes_form: SecondFactorForm, status: int = 200):
    return render_template(
        "auth/account.html",
        form=form,
        codes_form=codes_form,
        codes_left=two_factor.recovery_codes_left(current_user),
        csrf=CSRFOnlyForm(),
    ), status


@bp.route("/account", methods=["GET", "POST"])
@permissions.requires(permissions.SIGNED_IN)
@login_required
def account():
    """A staff member's own settings: reminders, recovery codes, signing out everywhere."""
    form = AccountForm(obj=current_user)
    if form.validate_on_submit():
        current_user.reminder_mode = form.reminder_mode.data
        db.session.commit()
        flash(_("Your settings have been saved."), "success")
        return redirect(url_for("auth.account"), 303)
    return _account_page(form, SecondFactorForm(prefix="codes", formdata=None), _status(form))


def _status(form) -> int:
    return 400 if form.errors else 200


@bp.post("/account/recovery-codes")
@permissions.requires(permissions.SIGNED_IN)
@login_required
@_code_per_address
def new_recovery_codes():
    """New recovery codes replace the old ones; a code proves it is the account's owner."""
    user = current_user._get_current_object()
    codes_form = SecondFactorForm(prefix="codes")
    if codes_form.validate_on_submit():
        if not lockout.is_locked(user) and two_factor.verify_second_factor(
            user, codes_form.code.data
        ):
            codes = two_factor.new_recovery_codes(user)
            db.session.commit()
            return _recovery_codes_page(codes, url_for("auth.account"), first_time=False)
        _refused(user)
        codes_form.code.errors = [_("The code was not recognised. Try again.")]
    return _account_page(AccountForm(obj=user, formdata=None), codes_form, 400)


@bp.post("/account/sign-out-everywhere")
@permissions.requires(permissions.SIGNED_IN)
@login_required
def sign_out_everywhere():
    if not CSRFOnlyForm().validate_on_submit():
        return render_template("errors/csrf.html"), 400
    sessions.end_everywhere(current_user._get_current_object())
    db.session.commit()
    sessions.end()
    flash(_("You have been signed out on every device, including this one."), "success")
    return redirect(url_for("auth.login"), 303)
