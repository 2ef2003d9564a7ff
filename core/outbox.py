"""Queue email in the caller's transaction; deliver from the outbox, at least once.

Queueing writes a row and nothing else, so a message exists exactly when the
change that caused it was committed. Delivery claims a row (queued -> sending)
in its own transaction before talking to SMTP, records the outcome after, and
gives each message a stable Message-ID, so a crash between "accepted by the
server" and "marked sent" can at worst repeat one message that recipients'
mail systems recognise as the same. A claim left by a crashed process expires.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import BadHeaderError, Connection, Mail, Message
from sqlalchemy import select, update

from core.db import db, utcnow
from core.outbox_models import FAILED, QUEUED, SENDING, SENT, OutboxMessage
from core.tenancy import scope

log = logging.getLogger(__name__)
mail = Mail()

CLAIM_EXPIRY = timedelta(minutes=10)
# Called with each message as it is queued, in the same transaction (e.g. the case
# access log records that a case's content was emailed).
QUEUED_HOOKS: list[Callable[[OutboxMessage], None]] = []


def queue_email(
    *,
    kind: str,
    recipient: str,
    template: str,
    language: str = "en",
    council_id: int | None = None,
    case_id: int | None = None,
    reply_to: str | None = None,
    **context: object,
) -> OutboxMessage:
    """Render ``email/<template>.{subject,txt,html}`` and add it to the session's outbox.

    The caller commits; until then nothing will be sent. Lazy strings in the
    context are made in `language` (English if that language is not available).
    """
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        body_text = render_template(f"email/{template}.txt", **context)
        body_html = render_template(f"email/{template}.html", subject=subject, **context)
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    domain = sender.rpartition("@")[2] or "localhost"
    message = OutboxMessage(
        kind=kind,
        recipient=recipient,
        reply_to=reply_to,
        subject=" ".join(subject.split()),
        body_text=body_text,
        body_html=body_html,
        council_id=council_id,
        case_id=case_id,
        message_id=f"<{secrets.token_hex(16)}@{domain}>",
        status=QUEUED,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    for hook in QUEUED_HOOKS:
        hook(message)
    return message


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"sent {len(self.sent)}, will retry {len(self.retrying)}, "
            f"failed permanently {len(self.failed)}"
        )


class _Connection(Connection):
    """flask-mail's connection, configured at send time, with a timeout and a safe quit."""

    def configure_host(self) -> smtplib.SMTP:
        config = current_app.config
        server, port = config["MAIL_SERVER"], config["MAIL_PORT"]
        timeout = config["MAIL_TIMEOUT_SECONDS"]
        host: smtplib.SMTP
        if config.get("MAIL_USE_SSL"):
            host = smtplib.SMTP_SSL(server, port, timeout=timeout)
        else:
            host = smtplib.SMTP(server, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            host.starttls()
        if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
            host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return host

    def __exit__(self, *exc_info: object) -> None:
        if self.host is None:
            return
        # flask-mail #93/#98: quit() can raise after the server accepted the
        # message; the send already counted, so only close the socket.
        try:
            self.host.quit()
        except (smtplib.SMTPException, OSError):
            self.host.close()


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer about this message or its recipient: retrying will not help."""
    if isinstance(error, BadHeaderError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError):
        return False  # our configuration, not the message: retry after it is fixed
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _as_mail(row: OutboxMessage) -> Message:
    message = Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body_text,
        html=row.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        reply_to=row.reply_to,
        extra_headers={"Auto-Submitted": "auto-generated"},
    )
    message.msgId = row.message_id
    return message


def _claim(message_id: int) -> bool:
    now = utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == QUEUED)
        .values(status=SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def _record(row: OutboxMessage, error: Exception | None, report: DeliveryReport) -> None:
    if error is None:
        row.status, row.sent_at, row.last_error = SENT, utcnow(), None
        report.sent.append(row.id)
    elif _is_permanent(error) or row.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        row.status, row.last_error = FAILED, _describe(error)
        report.failed.append(row.id)
    else:
        row.status, row.last_error = QUEUED, _describe(error)
        row.next_attempt_at = utcnow() + _backoff(row.attempts)
        report.retrying.append(row.id)
    row.claimed_at = None
    db.session.commit()


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def release_stale_claims() -> int:
    """Put back messages claimed by a process that died before recording the outcome."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < utcnow() - CLAIM_EXPIRY)
        .values(status=QUEUED, claimed_at=None)
    )
    db.session.commit()
    return result.rowcount


def deliver(
    ids: list[int] | None = None, *, due_only: bool = True, limit: int = 500
) -> DeliveryReport:
    """Deliver queued messages (these ``ids``, or all that are due) over one SMTP connection."""
    report = DeliveryReport()
    with scope(None):
        release_stale_claims()
        query = select(OutboxMessage.id).where(OutboxMessage.status == QUEUED)
        if ids is not None:
            query = query.where(OutboxMessage.id.in_(ids))
        if due_only:
            query = query.where(OutboxMessage.next_attempt_at <= utcnow())
        candidates = list(db.session.scalars(query.order_by(OutboxMessage.id).limit(limit)))
        db.session.commit()
        if not candidates:
            return report
        mail_ext: Mail = current_app.extensions["mail"]
        try:
            with _Connection(mail_ext) as connection:
                for message_id in candidates:
                    if not _claim(message_id):
                        continue  # another process has it
                    row = db.session.get(OutboxMessage, message_id)
                    try:
                        connection.send(_as_mail(row))
                    except (
                        smtplib.SMTPRecipientsRefused,
                        smtplib.SMTPDataError,
                        BadHeaderError,
                    ) as error:
                        _record(row, error, report)  # this message only; carry on
                    except (smtplib.SMTPException, OSError) as error:
                        _record(row, error, report)
                        raise
                    else:
                        _record(row, None, report)
        except (smtplib.SMTPException, OSError) as error:
            _defer_unclaimed(candidates, error, report)
            log.warning("outbox: SMTP unavailable: %s", _describe(error))
    return report


def _defer_unclaimed(candidates: list[int], error: Exception, report: DeliveryReport) -> None:
    """The server could not be reached: note why on every message still waiting."""
    done = set(report.sent) | set(report.retrying) | set(report.failed)
    waiting = [i for i in candidates if i not in done]
    if not waiting:
        return
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(waiting), OutboxMessage.status == QUEUED)
        .values(last_error=_describe(error), next_attempt_at=utcnow() + _backoff(1))
    )
    db.session.commit()
    report.retrying.extend(waiting)


def deliver_after_response(ids: list[int]) -> None:
    """Try these just-committed messages once the response has gone to the browser."""
    from flask import after_this_request

    if not ids or not current_app.config["OUTBOX_DELIVER_AFTER_RESPONSE"]:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    @after_this_request
    def _hook(response):
        def _send() -> None:
            with app.app_context():
                try:
                    deliver(ids, due_only=False)
                except Exception:  # the messages stay queued for the next run
                    log.exception("outbox: delivery after response failed")

        response.call_on_close(_send)
        return response
