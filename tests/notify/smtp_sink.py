#!/usr/bin/python3
"""A real SMTP server for the e-mail channel's tests (tests/notify/smtp_sink.h starts it).

Listens on 127.0.0.1 (port 0 = a free one), prints "ready port=<port>" on stdout once it accepts
connections, and writes every message it accepts to <dir>/msg-<n>.json:
  {"mail_from", "rcpt_tos", "tls", "login", "data"}
where tls says whether the message came over TLS (STARTTLS or smtps) and login is the user that
authenticated (null when none). Runs until killed. Needs Debian's python3-aiosmtpd: run it with
/usr/bin/python3.
"""

import argparse
import asyncio
import itertools
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, out_dir, reject_rcpt, temporary_failure):
        self.out_dir = out_dir
        self.reject_rcpt = set(reject_rcpt)
        self.temporary_failure = temporary_failure
        self.counter = itertools.count(1)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.temporary_failure:
            return "451 4.3.0 Temporary failure, try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject_rcpt:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        transport = server.transport
        tls = session.ssl is not None or (
            transport is not None and transport.get_extra_info("ssl_object") is not None)
        auth = session.auth_data
        login = auth.login if isinstance(auth, LoginPassword) else None
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": tls,
            "login": login.decode() if isinstance(login, bytes) else login,
            "data": envelope.content.decode("utf-8", errors="replace"),
        }
        n = next(self.counter)
        path = os.path.join(self.out_dir, f"msg-{n:04d}.json")
        # Written before the 250 reply, renamed into place so a reader never sees half a file.
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.replace(path + ".tmp", path)
        return "250 2.0.0 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True, help="where received messages are written")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--tls-cert", help="PEM certificate: offer STARTTLS (or smtps with --smtps)")
    p.add_argument("--tls-key", help="PEM private key of --tls-cert")
    p.add_argument("--smtps", action="store_true", help="TLS from the start (needs --tls-cert)")
    p.add_argument("--auth-user", help="require AUTH as this user")
    p.add_argument("--auth-password", help="the password of --auth-user")
    p.add_argument("--reject-rcpt", action="append", default=[],
                   help="answer RCPT TO this address with 550")
    p.add_argument("--temporary-failure", action="store_true",
                   help="answer every MAIL FROM with 451")
    args = p.parse_args()

    tls_context = None
    if args.tls_cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == args.auth_user
              and auth_data.password.decode() == args.auth_password)
        # handled=False: aiosmtpd itself answers 535 to a failure.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    handler = Sink(args.dir, args.reject_rcpt, args.temporary_failure)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def protocol():
        kwargs = {"hostname": "smtp-sink.test", "loop": loop}
        if tls_context is not None and not args.smtps:
            kwargs["tls_context"] = tls_context
        if args.auth_user:
            kwargs["authenticator"] = authenticate
            kwargs["auth_required"] = True
            # Plain AUTH only when the session cannot be encrypted.
            kwargs["auth_require_tls"] = tls_context is not None and not args.smtps
        return SMTP(handler, **kwargs)

    server = loop.run_until_complete(loop.create_server(
        protocol, host="127.0.0.1", port=args.port,
        ssl=tls_context if args.smtps else None))
    port = server.sockets[0].getsockname()[1]
    print(f"ready port={port}", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
