#!/usr/bin/env python3
"""rawsmtpd: small SMTP servers that break the protocol on purpose.

Plaintext only (tests/smtpd does the TLS faults).  Each accepted
connection runs one scenario; what the server accepted (a message after
its final 250 to DATA) is logged as JSON lines in SPOOL/log.jsonl and each
session in SPOOL/sessions.jsonl, like tests/smtpd, so a test can compare
tern's outcome with what the server really took.

usage: rawsmtpd.py -s SCENARIO -d SPOOL -P PORTFILE [-l ADDR[:PORT]]...
                   [--upstream HOST:PORT] [--strip-flag FILE] [--peers N]

Scenarios:
  normal          a plain, correct SMTP server
  rendezvous      correct, but the banner waits until --peers connections
                  are open at once (over all listeners); 421 after 10 s
  endless-banner  "220-" continuation lines, forever (2000 a second)
  endless-ehlo    banner, then "250-" continuation lines to EHLO, forever
  split           correct, but every reply goes out one byte per packet
  overlong        banner, then a 100,000-byte reply line to EHLO
  overlong-rcpt   correct, but RCPT gets a 100,000-byte "250" line
  overlong-dot    correct, but the final dot gets a 250 reply over 64 KiB
  mismatched      EHLO reply lines with different codes (250-/354-/250)
  mismatched-data correct, but the end of DATA gets "250-Ok" then "451 ..."
  auth-tab        EHLO offers "AUTH x<TAB>y" (libetpan's AUTH parser once
                  looped forever on a tab after an unknown mechanism)
  garbage         non-numeric text instead of a banner
  garbage-rcpt    correct, but RCPT gets non-numeric text
  nul-reply       correct, but replies carry NUL and escape bytes
  partial-banner  "220-" then silence
  silent          accept, never speak
  strip-proxy     relay to --upstream, removing STARTTLS from EHLO replies
                  while --strip-flag exists (a man in the middle)
  trickle-banner  a long banner, one byte a second (never idle for long,
                  never done in time)
  trickle-ehlo    banner, then a long EHLO reply, one byte a second
  trickle-dot     correct up to the final dot, whose long 250 reply then
                  goes out one byte a second (nothing is logged as taken)
  trickle-tls     offers STARTTLS and answers 220, then answers the
                  ClientHello with a TLS record one byte a second; a
                  client that comes back without STARTTLS gets "normal"
"""
import argparse
import json
import os
import socket
import sys
import threading
import time

LOCK = threading.Lock()
OPEN = [0]
SESSIONS = [0]
MESSAGES = [0]
ARGS = None
STOP = threading.Event()
MET = threading.Event()  # rendezvous: --peers connections were open at once
MAX_SESSION = 120  # seconds: no session outlives this


def jsonl(name, obj):
    with LOCK:
        with open(os.path.join(ARGS.spool, name), "a") as f:
            f.write(json.dumps(obj) + "\n")


class Sess:
    def __init__(self, conn):
        self.c = conn
        self.buf = b""
        self.cmds = []
        self.end = "eof"
        self.start = time.time()

    def send(self, data, split=False):
        if isinstance(data, str):
            data = data.encode()
        if not split:
            self.c.sendall(data)
            return
        for i in range(len(data)):
            self.c.sendall(data[i:i + 1])
            time.sleep(0.002)

    def line(self, timeout=30):
        self.c.settimeout(timeout)
        while b"\n" not in self.buf:
            if len(self.buf) > 65536:
                raise EOFError("line too long")
            d = self.c.recv(4096)
            if not d:
                raise EOFError("eof")
            self.buf += d
        ln, self.buf = self.buf.split(b"\n", 1)
        s = ln.rstrip(b"\r").decode("utf-8", "replace")
        self.cmds.append(s if not s.upper().startswith("AUTH") else "AUTH")
        return s

    def silence(self, secs=MAX_SESSION):
        """Say nothing until the client leaves (or secs pass)."""
        self.c.settimeout(1)
        end = time.time() + secs
        while time.time() < end and not STOP.is_set():
            try:
                if not self.c.recv(4096):
                    self.end = "eof"
                    return
            except socket.timeout:
                continue
            except OSError:
                return
        self.end = "timeout"

    def endless(self, prefix):
        """Continuation lines until the client closes (bounded)."""
        n = 0
        end = time.time() + MAX_SESSION
        self.c.settimeout(5)
        try:
            while time.time() < end and not STOP.is_set():
                chunk = "".join("%s-line %d of a reply that never ends\r\n"
                                % (prefix, n + i) for i in range(100))
                self.send(chunk)
                n += 100
                time.sleep(0.05)  # ~80 KB/s: never idle, never huge
        except (OSError, socket.timeout):
            self.end = "client closed after %d lines" % n
            return
        self.end = "timeout after %d lines" % n

    def trickle(self, data):
        """Send data one byte a second, until the client leaves."""
        if isinstance(data, str):
            data = data.encode()
        start = time.time()
        n = 0
        try:
            while n < len(data) and not STOP.is_set():
                if time.time() - start > MAX_SESSION:
                    break
                self.c.sendall(data[n:n + 1])
                n += 1
                # Wait out the second; a closed client shows as EOF here.
                while True:
                    left = start + n - time.time()
                    if left <= 0:
                        break
                    self.c.settimeout(left)
                    try:
                        if not self.c.recv(4096):
                            self.end = "client closed after %d bytes" % n
                            return
                    except socket.timeout:
                        break
        except OSError:
            self.end = "client closed after %d bytes" % n
            return
        self.end = "trickled %d bytes" % n


# A reply long enough that one byte a second outlasts any timeout tested.
TRICKLE_LINES = "".join("250-trickle line %d of a slow reply\r\n" % i
                        for i in range(8))


def smtp(s, sc):
    """A correct SMTP dialogue with the scenario's faults mixed in."""
    split = sc == "split"
    s.send("220 raw.test ESMTP rawsmtpd\r\n", split)
    frm, rcpts = None, []
    while True:
        cmd = s.line()
        verb = cmd.split(" ", 1)[0].upper()
        if verb == "EHLO":
            s.send("250-raw.test Hello\r\n250-SIZE 1000000\r\n"
                   "250-8BITMIME\r\n%s250 ENHANCEDSTATUSCODES\r\n"
                   % ("250-STARTTLS\r\n" if sc == "trickle-tls" else ""),
                   split)
        elif verb == "STARTTLS" and sc == "trickle-tls":
            s.send("220 2.0.0 Ready to start TLS\r\n")
            # Answer the ClientHello (bytes before it would be injection)
            # with a handshake record header (16 KiB to come), its body.
            s.c.settimeout(30)
            if not s.c.recv(16384):
                raise EOFError("eof before the ClientHello")
            s.trickle(b"\x16\x03\x03\x40\x00\x02" + b"\x00" * 16378)
            return
        elif verb == "HELO":
            s.send("250 raw.test\r\n", split)
        elif verb == "MAIL":
            frm, rcpts = cmd[10:].strip().split(" ")[0].strip("<>"), []
            s.send("250 2.1.0 Ok\r\n", split)
        elif verb == "RCPT":
            if frm is None:
                s.send("503 5.5.1 Need MAIL\r\n", split)
                continue
            if sc == "overlong-rcpt":
                s.send("250 " + "x" * 100000 + "\r\n")
            elif sc == "garbage-rcpt":
                s.send("Sure thing, pal!\r\n")
            elif sc == "nul-reply":
                s.send(b"250 2.1.5 Ok\x00\x1b[2J\x1b]0;pwned\x07 hidden\r\n")
            else:
                s.send("250 2.1.5 Ok\r\n", split)
            rcpts.append(cmd[8:].strip().split(" ")[0].strip("<>"))
        elif verb == "DATA":
            if not rcpts:
                s.send("554 5.5.1 No valid recipients\r\n", split)
                continue
            s.send("354 go ahead\r\n", split)
            size = 0
            while True:
                ln = s.line()
                if ln == ".":
                    break
                size += len(ln) + 2
            s.cmds.append("<data %d bytes>" % size)
            if sc == "trickle-dot":
                s.trickle(TRICKLE_LINES + "250 2.0.0 Ok: queued\r\n")
                return
            if sc == "mismatched-data":
                s.send("250-2.0.0 Ok\r\n451 4.3.0 Not stored after all\r\n")
            else:
                with LOCK:
                    MESSAGES[0] += 1
                    n = MESSAGES[0]
                jsonl("log.jsonl", {"n": n, "from": frm, "rcpts": rcpts,
                                    "size": size})
                if sc == "overlong-dot":
                    # A 250 whose text passes 64 KiB: still a 250.
                    s.send("250-2.0.0 queued as %d\r\n" % n +
                           "250-" + "x" * 70000 + "\r\n250 Ok\r\n")
                else:
                    s.send("250 2.0.0 Ok: queued as %d\r\n" % n, split)
            frm, rcpts = None, []
        elif verb == "RSET":
            frm, rcpts = None, []
            s.send("250 2.0.0 Ok\r\n", split)
        elif verb == "NOOP":
            s.send("250 2.0.0 Ok\r\n", split)
        elif verb == "QUIT":
            s.send("221 2.0.0 Bye\r\n", split)
            s.end = "quit"
            return
        else:
            s.send("502 5.5.2 Not implemented\r\n", split)


def proxy(s):
    """Relay to the upstream; strip STARTTLS while the flag file exists."""
    host, port = ARGS.upstream.rsplit(":", 1)
    up = socket.create_connection((host, int(port)), 10)
    strip = ARGS.strip_flag is not None and os.path.exists(ARGS.strip_flag)
    s.end = "proxied (strip)" if strip else "proxied"
    done = threading.Event()

    def down():  # server to client, line by line while in plaintext
        buf = b""
        plain = True
        try:
            while True:
                d = up.recv(16384)
                if not d:
                    break
                if not plain:
                    s.c.sendall(d)
                    continue
                buf += d
                while b"\n" in buf and plain:
                    ln, buf = buf.split(b"\n", 1)
                    ln += b"\n"
                    if strip and ln[4:12].upper() == b"STARTTLS":
                        # As middleboxes do: same length, meaningless.
                        ln = ln[:4] + b"XXXXXXXA" + ln[12:]
                    if ln.startswith(b"220 ") and s.starttls_sent:
                        plain = False
                    s.c.sendall(ln)
                if not plain and buf:
                    s.c.sendall(buf)
                    buf = b""
        except OSError:
            pass
        done.set()
        try:
            s.c.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    s.starttls_sent = False
    t = threading.Thread(target=down, daemon=True)
    t.start()
    s.c.settimeout(MAX_SESSION)
    try:
        while not done.is_set():
            d = s.c.recv(16384)
            if not d:
                break
            if d.strip().upper() == b"STARTTLS":
                s.starttls_sent = True
                s.cmds.append("STARTTLS")
            elif not s.starttls_sent:
                s.cmds.extend(x.decode("utf-8", "replace")
                              for x in d.strip().split(b"\r\n"))
            up.sendall(d)
    except OSError:
        pass
    try:
        up.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    done.wait(10)
    up.close()


def rendezvous(s):
    if not MET.wait(10):
        s.end = "alone"
        s.send("421 4.3.2 only %d of %d connections came at once\r\n"
               % (OPEN[0], ARGS.peers))
        return
    smtp(s, "normal")


def serve(conn, addr):
    with LOCK:
        OPEN[0] += 1
        SESSIONS[0] += 1
        if OPEN[0] >= ARGS.peers:
            MET.set()
        sid = SESSIONS[0]
    s = Sess(conn)
    sc = ARGS.scenario
    try:
        if sc == "silent":
            s.silence()
        elif sc == "partial-banner":
            s.send("220-raw.test ESMTP, the rest never comes\r\n")
            s.silence()
        elif sc == "endless-banner":
            s.endless("220")
        elif sc == "endless-ehlo":
            s.send("220 raw.test ESMTP\r\n")
            s.line()
            s.endless("250")
        elif sc == "overlong":
            s.send("220 raw.test ESMTP\r\n")
            s.line()
            s.send("250 " + "y" * 100000 + "\r\n")
            s.silence(30)
        elif sc == "mismatched":
            s.send("220 raw.test ESMTP\r\n")
            s.line()
            s.send("250-raw.test Hello\r\n354-SIZE 1000\r\n550 8BITMIME\r\n")
            smtp_after_banner(s)
        elif sc == "auth-tab":
            s.send("220 raw.test ESMTP\r\n")
            s.line()
            s.send("250-raw.test Hello\r\n250-AUTH x\ty E\r\n"
                   "250 8BITMIME\r\n")
            smtp_after_banner(s)
        elif sc == "garbage":
            s.send("HTTP/1.1 400 Bad Request\r\nServer: not-smtp\r\n\r\n")
            s.silence(30)
        elif sc == "trickle-banner":
            s.trickle(TRICKLE_LINES.replace("250", "220") +
                      "220 raw.test ESMTP\r\n")
        elif sc == "trickle-ehlo":
            s.send("220 raw.test ESMTP\r\n")
            s.line()
            s.trickle(TRICKLE_LINES + "250 8BITMIME\r\n")
        elif sc == "rendezvous":
            rendezvous(s)
        elif sc == "strip-proxy":
            proxy(s)
        else:
            smtp(s, sc)
    except (EOFError, OSError, socket.timeout) as e:
        if s.end == "eof":
            s.end = "eof: %s" % e
    finally:
        with LOCK:
            OPEN[0] -= 1
        jsonl("sessions.jsonl", {"session": sid, "scenario": sc,
                                 "peer": addr[0], "local":
                                 conn.getsockname()[0],
                                 "commands": s.cmds, "end": s.end,
                                 "secs": round(time.time() - s.start, 2)})
        try:
            conn.close()
        except OSError:
            pass


def smtp_after_banner(s):
    """Go on correctly after a broken EHLO reply (if the client does)."""
    frm, rcpts = None, []
    while True:
        cmd = s.line()
        verb = cmd.split(" ", 1)[0].upper()
        if verb == "QUIT":
            s.send("221 Bye\r\n")
            s.end = "quit"
            return
        if verb == "MAIL":
            frm = cmd
        if verb == "RCPT":
            rcpts.append(cmd)
        if verb == "DATA":
            s.send("354 go\r\n")
            while s.line() != ".":
                pass
            with LOCK:
                MESSAGES[0] += 1
            jsonl("log.jsonl", {"n": MESSAGES[0], "from": frm,
                                "rcpts": rcpts})
            s.send("250 Ok\r\n")
            continue
        s.send("250 Ok\r\n")


def listener(spec):
    host, _, port = spec.rpartition(":") if spec.count(":") == 1 else \
        (spec, "", "0")
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, int(port)))
    ls.listen(64)
    return ls


def accept_loop(ls):
    ls.settimeout(0.5)
    while not STOP.is_set():
        try:
            conn, addr = ls.accept()
        except socket.timeout:
            continue
        except OSError:
            return
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve, args=(conn, addr),
                         daemon=True).start()


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("-s", "--scenario", required=True)
    p.add_argument("-d", "--spool", required=True)
    p.add_argument("-P", "--portfile")
    p.add_argument("-l", "--listen", action="append")
    p.add_argument("--upstream")
    p.add_argument("--strip-flag")
    p.add_argument("--peers", type=int, default=2)
    ARGS = p.parse_args()
    os.makedirs(ARGS.spool, exist_ok=True)
    socks = [listener(x) for x in (ARGS.listen or ["127.0.0.1:0"])]
    if ARGS.portfile:
        with open(ARGS.portfile + ".tmp", "w") as f:
            f.write("%d\n" % socks[0].getsockname()[1])
        os.rename(ARGS.portfile + ".tmp", ARGS.portfile)
    import signal
    signal.signal(signal.SIGTERM, lambda *a: STOP.set())
    ts = [threading.Thread(target=accept_loop, args=(x,), daemon=True)
          for x in socks]
    for t in ts:
        t.start()
    while not STOP.is_set():
        STOP.wait(0.5)


if __name__ == "__main__":
    main()
