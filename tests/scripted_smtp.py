"""A scripted SMTP server on 127.0.0.1 for the faults a real server commits around DATA.

It speaks just enough SMTP for smtplib (greeting, EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
over raw sockets, keeps every message whose end of DATA (CRLF.CRLF) it read, and commits one
fault per connection, in the order given; connections after the last fault are served
normally. The faults:

- ``quit_421``: accepts the message (250), answers QUIT with 421
- ``quit_drop``: accepts the message, closes the connection at QUIT without a reply
- ``slow_reply``: answers the end of DATA only after ``slow_seconds`` (past the client's timeout)
- ``drop_after_body``: closes the connection after the end of DATA without a reply
- ``drop_before_data``: closes the connection when DATA is sent (no message)
- ``mail_421``: answers MAIL FROM with 421 and closes (no message)
"""

from __future__ import annotations

import socket
import threading
import time
from email import policy
from email.parser import BytesParser

FAULTS = ("quit_421", "quit_drop", "slow_reply", "drop_after_body", "drop_before_data", "mail_421")


class ScriptedSmtp:
    def __init__(self, *faults: str, slow_seconds: float = 2.5):
        unknown = set(faults) - set(FAULTS)
        assert not unknown, f"unknown faults {unknown}"
        self.faults = list(faults)
        self.slow_seconds = slow_seconds
        self.messages: list[bytes] = []          # each message received whole, in arrival order
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def parsed(self) -> list:
        return [BytesParser(policy=policy.default).parsebytes(raw) for raw in self.messages]

    def to(self, address: str) -> list:
        """The messages received for ``address``."""
        return [m for m in self.parsed() if any(a.addr_spec == address for a in m["To"].addresses)]

    def stop(self) -> None:
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=self.slow_seconds + 2)

    def __enter__(self) -> "ScriptedSmtp":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:        # the listener was closed: stop
                return
            with self._lock:
                fault = self.faults[self.connections] if self.connections < len(self.faults) else None
                self.connections += 1
            # a thread each: a slow reply must not hold up the client's next connection
            thread = threading.Thread(target=self._serve, args=(connection, fault), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, connection: socket.socket, fault: str | None) -> None:
        with connection, connection.makefile("rb") as lines:
            def reply(text: str) -> None:
                connection.sendall(text.encode() + b"\r\n")

            try:
                reply("220 scripted.example ESMTP")
                while line := lines.readline():
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        reply("250 scripted.example")
                    elif verb == b"MAIL":
                        if fault == "mail_421":
                            reply("421 4.3.2 closing, try later")
                            return
                        reply("250 OK")
                    elif verb in (b"RCPT", b"RSET", b"NOOP"):
                        reply("250 OK")
                    elif verb == b"DATA":
                        if fault == "drop_before_data":
                            return
                        reply("354 end with <CRLF>.<CRLF>")
                        self._read_message(lines)
                        if fault == "drop_after_body":
                            return
                        if fault == "slow_reply":
                            time.sleep(self.slow_seconds)
                        reply("250 2.0.0 queued")
                    elif verb == b"QUIT":
                        if fault == "quit_drop":
                            return
                        reply("421 4.4.2 shutting down" if fault == "quit_421" else "221 bye")
                        return
                    else:
                        reply("502 5.5.2 not implemented")
            except OSError:        # the client went away (e.g. after its timeout): nothing more to say
                return

    def _read_message(self, lines) -> None:
        body = []
        while (line := lines.readline()) not in (b".\r\n", b""):
            body.append(line[1:] if line.startswith(b"..") else line)   # undo dot-stuffing
        if line:    # the whole message arrived
            with self._lock:
                self.messages.append(b"".join(body))
