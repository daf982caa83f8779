#!/usr/bin/env python3
"""mtasts-httpd: the HTTPS server of tests/integration/mta-sts.sh.

python3's http.server wrapped in ssl, serving MTA-STS policies by the
Host header from DIR, read afresh on every request so that a test can
change them between calls:

    DIR/HOST/policy     the body, served 200 (type text/plain, or the
                        contents of DIR/HOST/type)
    DIR/HOST/redirect   a URL: served 301 with that Location
    DIR/HOST/delay      seconds to wait before answering (a slow server)
    neither             404

Only /.well-known/mta-sts.txt is served (anything else: 404).  Each
request is one line "HOST PATH STATUS" appended to LOG (flushed), so the
test counts what reached the server.  The certificate is chosen by SNI:
--sni NAME=CERT,KEY (repeatable), else --cert/--key.  Writes PORT-FILE
once listening.  --tls11 offers TLS 1.1 only.  Bounded: it exits by
itself after --max-secs.
"""

import argparse
import http.server
import os
import re
import ssl
import sys
import threading
import time
import warnings

warnings.simplefilter("ignore", DeprecationWarning)

HOST_RE = re.compile(r"^[a-z0-9.-]{1,253}$")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--sni", action="append", default=[])
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--max-secs", type=float, default=120)
    ap.add_argument("--tls11", action="store_true",
                    help="TLS 1.1 only (a client must refuse it)")
    a = ap.parse_args()

    def context(cert, key):
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if a.tls11:
            c.set_ciphers("DEFAULT:@SECLEVEL=0")
            c.minimum_version = ssl.TLSVersion.TLSv1_1
            c.maximum_version = ssl.TLSVersion.TLSv1_1
        else:
            c.minimum_version = ssl.TLSVersion.TLSv1_2
        c.load_cert_chain(cert, key)
        return c

    default = context(a.cert, a.key)
    by_name = {}
    for s in a.sni:
        name, files = s.split("=", 1)
        cert, key = files.split(",", 1)
        by_name[name.lower()] = context(cert, key)

    def pick(sock, name, ctx):
        if name is not None and name.lower() in by_name:
            sock.context = by_name[name.lower()]

    default.sni_callback = pick

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 10

        def log_message(self, fmt, *args):
            pass

        def reply(self, host, status, headers, body):
            with open(a.log, "a") as f:
                f.write("%s %s %d\n" % (host, self.path, status))
                f.flush()
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            host = self.headers.get("Host", "").split(":")[0].lower()
            if not HOST_RE.match(host) or ".." in host:
                host = "-"
            d = os.path.join(a.dir, host)
            if host == "-" or self.path != "/.well-known/mta-sts.txt":
                self.reply(host, 404, [("Content-Type", "text/plain")],
                           b"not here\n")
                return
            try:
                with open(os.path.join(d, "delay")) as f:
                    time.sleep(float(f.read().strip()))
            except OSError:
                pass
            try:
                with open(os.path.join(d, "redirect")) as f:
                    self.reply(host, 301, [("Location", f.read().strip())],
                               b"")
                    return
            except OSError:
                pass
            try:
                with open(os.path.join(d, "policy"), "rb") as f:
                    body = f.read()
            except OSError:
                self.reply(host, 404, [("Content-Type", "text/plain")],
                           b"no policy\n")
                return
            ctype = "text/plain"
            try:
                with open(os.path.join(d, "type")) as f:
                    ctype = f.read().strip()
            except OSError:
                pass
            self.reply(host, 200, [("Content-Type", ctype)], body)

    srv = http.server.HTTPServer((a.addr, a.port), Handler)
    srv.socket = default.wrap_socket(srv.socket, server_side=True)
    with open(a.ready + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(a.ready + ".tmp", a.ready)
    t = threading.Timer(a.max_secs, lambda: os._exit(3))
    t.daemon = True
    t.start()
    srv.serve_forever()


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        print("mtasts-httpd: %s" % e, file=sys.stderr)
        sys.exit(2)
