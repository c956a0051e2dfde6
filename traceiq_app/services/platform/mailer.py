"""Outgoing mail over SMTP (TRACEIQ_SMTP_*). Without TRACEIQ_SMTP_HOST nothing is sent and
`send_mail` returns False (callers tell the user / admin)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from traceiq_app.settings import get_settings

log = logging.getLogger("traceiq.mailer")


class MailError(RuntimeError):
    pass


def mail_configured() -> bool:
    return bool(get_settings().smtp_host)


def send_mail(to: str, subject: str, body: str, html: str | None = None) -> bool:
    """Send a plain-text mail (with an HTML alternative when `html` is given)."""
    s = get_settings()
    if not s.smtp_host:
        log.warning("mail to %s not sent: TRACEIQ_SMTP_HOST is not set", to)
        return False
    msg = EmailMessage()
    msg["From"] = s.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="traceiq")
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    try:
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=15) as smtp:
            smtp.ehlo()
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password or "")
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        log.error("sending mail to %s failed: %s", to, exc)
        raise MailError(f"could not send mail: {exc}") from exc
    return True
