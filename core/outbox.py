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
from base64 import encodebytes
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy
from email.utils import formatdate
from operator import attrgetter

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import (
    BadHeaderError,
    Connection,
    Mail,
    Message,
    sanitize_address,
    sanitize_addresses,
)
from sqlalchemy import insert, select, update

from core.db import db, utcnow
from core.outbox_models import FAILED, QUEUED, SENDING, SENT, OutboxMessage
from core.tenancy import UNSCOPED, scope

log = logging.getLogger(__name__)
mail = Mail()

CLAIM_EXPIRY = timedelta(minutes=10)
# Messages claimed, sent and recorded together: fewer commits, and a crash repeats
# at most this many (each recognisable by its Message-ID).
CLAIM_BATCH = 25
# Called with each message as it is queued, in the same transaction (e.g. the case
# access log records that a case's content was emailed).
QUEUED_HOOKS: list[Callable[[OutboxMessage], None]] = []
# The same for queue_many: called once with every (id, email) it wrote.
QUEUED_MANY_HOOKS: list[Callable[[list[tuple[int, Outgoing]]], None]] = []


@dataclass(frozen=True)
class Rendered:
    """An email's subject and bodies, rendered once and queueable to several recipients."""

    subject: str
    body_text: str
    body_html: str


def render_email(template: str, language: str = "en", **context: object) -> Rendered:
    """Render ``email/<template>.{subject,txt,html}`` with lazy strings made in `language`.

    English if that language is not available. The output depends only on the
    template, the language and the context, so callers sending the same email to
    several people render it once.
    """
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        body_text = render_template(f"email/{template}.txt", **context)
        body_html = render_template(f"email/{template}.html", subject=subject, **context)
    return Rendered(" ".join(subject.split()), body_text, body_html)


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
    return queue_rendered(
        render_email(template, language, **context),
        kind=kind,
        recipient=recipient,
        council_id=council_id,
        case_id=case_id,
        reply_to=reply_to,
    )


def queue_rendered(
    rendered: Rendered,
    *,
    kind: str,
    recipient: str,
    council_id: int | None = None,
    case_id: int | None = None,
    reply_to: str | None = None,
) -> OutboxMessage:
    """Add an already rendered email to the session's outbox; the caller commits."""
    email = Outgoing(rendered, kind, recipient, council_id, case_id, reply_to)
    message = OutboxMessage(**email.columns(_new_message_id(), utcnow()))
    db.session.add(message)
    for hook in QUEUED_HOOKS:
        hook(message)
    return message


def _new_message_id() -> str:
    """A Message-ID in the sender's domain, fixed at queueing so that retries keep it."""
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or "localhost"
    return f"<{secrets.token_hex(16)}@{domain}>"


@dataclass(frozen=True)
class Outgoing:
    """A rendered email to queue with others in one statement (queue_many)."""

    rendered: Rendered
    kind: str
    recipient: str
    council_id: int | None = None
    case_id: int | None = None
    reply_to: str | None = None

    def columns(self, message_id: str, now: datetime) -> dict[str, object]:
        """Its outbox row, queued now."""
        return {
            "kind": self.kind,
            "recipient": self.recipient,
            "reply_to": self.reply_to,
            "subject": self.rendered.subject,
            "body_text": self.rendered.body_text,
            "body_html": self.rendered.body_html,
            "council_id": self.council_id,
            "case_id": self.case_id,
            "message_id": message_id,
            "status": QUEUED,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }


def queue_many(emails: list[Outgoing]) -> list[int]:
    """Add many rendered emails to the session's outbox; their ids, in the same order.

    In the caller's transaction, like queue_email, but as one executemany INSERT
    instead of one per message: on SQLite the ORM's flush inserts rows one by
    one, since it must read back each generated id in order. Here the ids are
    read back afterwards by the unique Message-ID.
    """
    if not emails:
        return []
    now = utcnow()
    message_ids = [_new_message_id() for _ in emails]
    rows = [
        email.columns(message_id, now)
        for email, message_id in zip(emails, message_ids, strict=True)
    ]
    # NULLs as values: otherwise rows with and without a Reply-To go in separate INSERTs.
    db.session.execute(insert(OutboxMessage).execution_options(render_nulls=True), rows)
    # The ids by the unique Message-ID, not by RETURNING: a multi-row INSERT ... RETURNING
    # is one long statement that psycopg re-parses in Python each time (0.3 ms a row).
    found = dict(
        db.session.execute(
            select(OutboxMessage.message_id, OutboxMessage.id)
            .where(OutboxMessage.message_id.in_(message_ids))
            # The rows just written, whatever the scope: one of no council (NULL) would
            # be hidden by a council scope.
            .execution_options(**{UNSCOPED: True})
        ).all()
    )
    ids = [found[message_id] for message_id in message_ids]
    queued = list(zip(ids, emails, strict=True))
    for hook in QUEUED_MANY_HOOKS:
        hook(queued)
    return ids


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


class _Mail(Message):
    """flask-mail's message, written out by hand rather than by the email package.

    The email package's generator re-parses and re-folds every header under
    the SMTP policy and encodes headers a character at a time: about 3 ms a
    message, most of the cost of delivering one. An outbox message is always
    the same shape (text and HTML alternatives, no attachments), so it is
    written directly: bodies in base64 (safe for any line length or character).
    """

    def as_bytes(self) -> bytes:
        boundary = f"=={secrets.token_hex(16)}"
        headers = [
            ("From", sanitize_address(self.sender)),
            ("To", ", ".join(sorted(set(sanitize_addresses(self.recipients))))),
            ("Date", formatdate(self.date, localtime=True)),
            ("Message-ID", self.msgId),
        ]
        if self.reply_to:
            headers.append(("Reply-To", sanitize_address(self.reply_to)))
        headers.extend((self.extra_headers or {}).items())
        headers.append(("MIME-Version", "1.0"))
        lines = [_subject(self.subject or "")]
        lines += [f"{name}: {value}" for name, value in headers]
        parts = [("plain", self.body or "")]
        if self.html is not None:
            parts.append(("html", self.html))
        lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        lines.append("")
        for subtype, content in parts:
            lines += [
                f"--{boundary}",
                f'Content-Type: text/{subtype}; charset="utf-8"',
                "Content-Transfer-Encoding: base64",
                "",
                encodebytes(content.encode()).decode("ascii").replace("\n", "\r\n").rstrip(),
            ]
        lines += [f"--{boundary}--", ""]
        return "\r\n".join(lines).encode("ascii")

    def as_string(self) -> str:
        return self.as_bytes().decode("ascii")


def _subject(subject: str) -> str:
    """The Subject header: as it is when plain ASCII, else folded by the email package.

    Only this header needs its RFC 2047 encoding, so only it pays for the package.
    """
    if subject.isascii() and "=?" not in subject:
        return f"Subject: {subject}"
    folded = policy.SMTP.header_factory("Subject", subject).fold(policy=policy.SMTP)
    return folded.rstrip("\r\n")


def _as_mail(row: OutboxMessage) -> Message:
    message = _Mail(
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


@dataclass
class _Claimed:
    """What sending and recording one claimed message need, read before the claim commits."""

    id: int
    attempts: int
    mail: Message


def _claim_batch(message_ids: list[int]) -> list[_Claimed]:
    """Claim these messages (queued -> sending) in one statement and commit before sending.

    Only the rows still queued are claimed and returned, so a message another
    process claimed first is skipped. The claimed rows come back by RETURNING:
    no second read per message.
    """
    if not message_ids:
        return []
    rows = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == QUEUED)
        .values(status=SENDING, claimed_at=utcnow(), attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage)
        .execution_options(populate_existing=True)
    ).all()
    # Built before the commit, which expires the rows (reading them again would cost a query each).
    claimed = sorted(
        (_Claimed(row.id, row.attempts, _as_mail(row)) for row in rows), key=attrgetter("id")
    )
    db.session.commit()
    return claimed


def _failure(claimed: _Claimed, error: Exception, report: DeliveryReport) -> dict:
    """Sort a message that was not sent into the report; the values to store for it."""
    if _is_permanent(error) or claimed.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        report.failed.append(claimed.id)
        return {"status": FAILED, "last_error": _describe(error), "claimed_at": None}
    report.retrying.append(claimed.id)
    return {
        "status": QUEUED,
        "last_error": _describe(error),
        "next_attempt_at": utcnow() + _backoff(claimed.attempts),
        "claimed_at": None,
    }


def _record(sent: list[int], others: dict[int, dict]) -> None:
    """Store the outcomes of a batch in one transaction: the sent in one UPDATE."""
    if sent:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(sent))
            .values(status=SENT, sent_at=utcnow(), last_error=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )
    for message_id, values in others.items():  # refusals are rare: one UPDATE each
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def _unclaim(message_ids: list[int]) -> None:
    """Put back claimed messages that were never tried (the server went away first)."""
    if not message_ids:
        return
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == SENDING)
        .values(status=QUEUED, claimed_at=None, attempts=OutboxMessage.attempts - 1)
        .execution_options(synchronize_session=False)
    )
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
    """Deliver queued messages (these ``ids``, or all that are due) over one SMTP connection.

    Messages are claimed CLAIM_BATCH at a time and their outcomes stored
    together after the batch, instead of two commits per message. A crash
    mid-batch leaves its messages claimed ("sending") until the claim expires
    and release_stale_claims puts them back: at worst one batch is sent again,
    each message with its stored Message-ID.
    """
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
                for start in range(0, len(candidates), CLAIM_BATCH):
                    batch = _claim_batch(candidates[start : start + CLAIM_BATCH])
                    _send_batch(connection, batch, report)
        except (smtplib.SMTPException, OSError) as error:
            _defer_unclaimed(candidates, error, report)
            log.warning("outbox: SMTP unavailable: %s", _describe(error))
    return report


def _send_batch(connection: Connection, batch: list[_Claimed], report: DeliveryReport) -> None:
    sent: list[int] = []
    others: dict[int, dict] = {}
    for number, claimed in enumerate(batch):
        try:
            connection.send(claimed.mail)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, BadHeaderError) as error:
            others[claimed.id] = _failure(claimed, error, report)  # this message only
        except (smtplib.SMTPException, OSError) as error:
            # The connection is gone: record what is known, put back the untried.
            others[claimed.id] = _failure(claimed, error, report)
            _record(sent, others)
            _unclaim([c.id for c in batch[number + 1 :]])
            raise
        else:
            report.sent.append(claimed.id)
            sent.append(claimed.id)
    _record(sent, others)


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
