#!/usr/bin/python3
"""A real SMTP server for the tests (Debian's python3-aiosmtpd), on 127.0.0.1, that requires
STARTTLS and writes each message it takes to DIR/N.json. Usage: smtp_server.py DIR CERT KEY.
Prints the port it listens on, then serves until killed."""
import json
import os
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, out):
        self.out = out
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        with open(os.path.join(self.out, f"{self.n}.json.tmp"), "w") as f:
            json.dump({"from": envelope.mail_from, "rcpt": envelope.rcpt_tos, "tls": session.ssl is not None,
                       "data": envelope.content.decode("utf-8", "replace")}, f)
        os.rename(os.path.join(self.out, f"{self.n}.json.tmp"), os.path.join(self.out, f"{self.n}.json"))
        return "250 OK"


def main():
    out, cert, key = sys.argv[1:4]
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = Controller(Keep(out), hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=True)
    c.start()
    print(port, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        c.stop()


if __name__ == "__main__":
    main()
