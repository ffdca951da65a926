"""Sending one message to the SMTP server, once: the settings, the session, the retries.

SMTP settings come from the environment (CUSTREPORT_SMTP_HOST, _PORT, _SECURITY =
starttls | ssl | none, _USER, _PASSWORD, _FROM, _TIMEOUT in seconds, default 30). A user or
password with security none is refused unless CUSTREPORT_SMTP_ALLOW_PLAIN_AUTH=1, and then
warned of.

Faults before the message was complete on the wire (a refused connection, a 4xx answer, a
connection dropped before the end of DATA) are retried with exponential back-off. Once the
server answered 2xx to the end of DATA the message is sent, whatever QUIT or the connection
do next. When the message went whole but no answer came (a timeout, a dropped connection) it
may have been delivered: DeliveryUncertain says so, and it is never retried.
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage

from custreport.errors import UserError

SECURITY = ("starttls", "ssl", "none")
_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    attempts: int = 4              # tries per message on transient errors
    retry_seconds: float = 2.0     # first wait; doubles each retry
    timeout: float = 30.0          # seconds to wait for the server at each step
    plain_auth_allowed: bool = False   # CUSTREPORT_SMTP_ALLOW_PLAIN_AUTH=1: log in over an unencrypted connection

    @classmethod
    def from_env(cls, env=os.environ) -> "SmtpSettings | None":
        """The settings in the environment, or None when no host is set."""
        host = env.get("CUSTREPORT_SMTP_HOST", "").strip()
        if not host:
            return None
        security = env.get("CUSTREPORT_SMTP_SECURITY", "starttls").strip().lower()
        if security not in SECURITY:
            raise UserError(f"CUSTREPORT_SMTP_SECURITY={security!r}: use one of {', '.join(SECURITY)}")
        sender = env.get("CUSTREPORT_SMTP_FROM", "").strip()
        if not sender:
            raise UserError("CUSTREPORT_SMTP_FROM is not set: the address reports are sent from")
        try:
            port = int(env.get("CUSTREPORT_SMTP_PORT") or _DEFAULT_PORTS[security])
            retry = float(env.get("CUSTREPORT_SMTP_RETRY_SECONDS") or 2.0)
            timeout = float(env.get("CUSTREPORT_SMTP_TIMEOUT") or 30.0)
        except ValueError as exc:
            raise UserError(f"SMTP settings: {exc}") from None
        if not timeout > 0:
            raise UserError(f"CUSTREPORT_SMTP_TIMEOUT={timeout:g}: give the seconds to wait for the server, above 0")
        user, password = env.get("CUSTREPORT_SMTP_USER") or None, env.get("CUSTREPORT_SMTP_PASSWORD") or None
        allow_plain = env.get("CUSTREPORT_SMTP_ALLOW_PLAIN_AUTH", "").strip() == "1"
        if security == "none" and (user or password) and not allow_plain:
            raise UserError("CUSTREPORT_SMTP_SECURITY=none with a user or password would send the password "
                            "unencrypted: use starttls or ssl, or set CUSTREPORT_SMTP_ALLOW_PLAIN_AUTH=1 if the "
                            "connection cannot be read by others (a relay on this machine)")
        return cls(host, port, security, sender, user, password, retry_seconds=retry, timeout=timeout,
                   plain_auth_allowed=allow_plain)

    def warnings(self) -> list[str]:
        """Lines the send should log before it starts: credentials sent in the clear.

        >>> SmtpSettings("mail", 25, "none", "r@example.com", "reports", "pw", plain_auth_allowed=True).warnings()
        ['warning: CUSTREPORT_SMTP_SECURITY=none: the SMTP user and password travel unencrypted to mail:25 (allowed ...)']
        """
        if self.security == "none" and (self.user or self.password):
            allowed = " (allowed by CUSTREPORT_SMTP_ALLOW_PLAIN_AUTH=1)" if self.plain_auth_allowed else ""
            return [f"warning: CUSTREPORT_SMTP_SECURITY=none: the SMTP user and password travel unencrypted to "
                    f"{self.host}:{self.port}{allowed}"]
        return []


class DeliveryUncertain(smtplib.SMTPException):
    """The whole message went to the server, but its answer never came (a timeout, a dropped
    connection): it may have been delivered. Never retried: a retry could deliver it twice."""


UNCERTAIN_REMEDY = ("not sent again: check with the recipient or the mail server's log, and "
                    "`custreport send --resend` sends it again")


def _transient(exc: BaseException) -> bool:
    """Worth another try: a 4xx answer, a dropped or refused connection, a timeout, each before
    the message was complete (a DeliveryUncertain is never transient)."""
    if isinstance(exc, DeliveryUncertain):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    return isinstance(exc, (smtplib.SMTPServerDisconnected, ConnectionError, socket.timeout))


def send_with_retries(settings: SmtpSettings, message: EmailMessage) -> None:
    from tenacity import retry_if_exception, stop_after_attempt, wait_exponential, Retrying

    for attempt in Retrying(stop=stop_after_attempt(settings.attempts), reraise=True,
                            wait=wait_exponential(multiplier=settings.retry_seconds, max=60),
                            retry=retry_if_exception(_transient)):
        with attempt:
            _send_once(settings, message)


class _Session(smtplib.SMTP):
    """smtplib.SMTP that records how far the message got in DATA: ``body_sent`` once the whole
    message and its final "." were handed to the socket, ``data_reply`` the code the server
    answered to that (None while none came). Everything else is smtplib's own."""

    body_sent = False
    data_reply: int | None = None

    def data(self, msg: bytes) -> tuple[int, bytes]:
        # smtplib.SMTP.data, with the phase recorded between sending the message and its answer
        code, reply = self.docmd("DATA")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        stuffed = re.sub(rb"(?m)^\.", b"..", msg)          # a line's leading dot doubled (RFC 5321 4.5.2)
        if not stuffed.endswith(b"\r\n"):
            stuffed += b"\r\n"
        self.send(stuffed + b".\r\n")    # fails before its last byte: the server cannot have the message
        self.body_sent = True
        code, reply = self.getreply()
        self.data_reply = code
        return code, reply

    @property
    def accepted(self) -> bool:
        return self.data_reply is not None and 200 <= self.data_reply < 300

    @property
    def uncertain(self) -> bool:
        """The message is complete on the wire and no answer (2xx, 4xx, 5xx) says what became of it."""
        return self.body_sent and not (self.data_reply is not None and 200 <= self.data_reply < 600)


class _SslSession(_Session, smtplib.SMTP_SSL):
    pass


def _send_once(settings: SmtpSettings, message: EmailMessage) -> None:
    """One connection, one message, and what became of it.

    Returns once the server accepted the message (2xx to the end of DATA), whatever QUIT or the
    connection do afterwards; raises DeliveryUncertain when the message was sent whole but no
    answer came; any other error (the message not complete, or refused) is raised as it is,
    for the caller to retry or report.
    """
    connect = _SslSession if settings.security == "ssl" else _Session
    session = connect(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.security == "starttls":
            session.starttls()
        if settings.user:
            session.login(settings.user, settings.password or "")
        session.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        if session.accepted:     # e.g. a 2xx other than 250, which smtplib refuses: the server has it
            return
        if session.uncertain:
            raise DeliveryUncertain(f"maybe delivered: the connection failed after the message was sent, before "
                                    f"the server confirmed it ({smtp_error(exc)})") from exc
        raise
    finally:
        _quit_quietly(session)


def _quit_quietly(session: smtplib.SMTP) -> None:
    # The message's fate is decided by now: a 421 or a dropped connection at QUIT changes nothing.
    try:
        session.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        session.close()


def smtp_error(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"SMTP {exc.smtp_code}: {text.strip()}"
    return f"{type(exc).__name__}: {exc}".splitlines()[0]
