"""E-mail through an SMTP server (SMTP_HOST, SMTP_PORT, MAIL_FROM; optional SMTP_USER/SMTP_PASSWORD,
SMTP_STARTTLS). Without SMTP_HOST no mail is sent: the in-app notifications still are."""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


class MailError(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


def mail_enabled():
    return bool(current_app.config.get('SMTP_HOST'))


def send_mail(to, subject, body):
    """Send one plain-text UTF-8 message; raises MailError when it cannot be delivered to the server."""
    config = current_app.config
    message = EmailMessage()
    message['From'] = config['MAIL_FROM']
    message['To'] = to
    message['Subject'] = subject
    message.set_content(body, charset='utf-8')
    try:
        with smtplib.SMTP(config['SMTP_HOST'], config['SMTP_PORT'], timeout=15) as smtp:
            if config.get('SMTP_STARTTLS'):
                smtp.starttls()
            if config.get('SMTP_USER'):
                smtp.login(config['SMTP_USER'], config['SMTP_PASSWORD'])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(str(exc)) from exc
    log.info('mail sent to %s: %s', to, subject)
