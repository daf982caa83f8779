#!/bin/sh
# Self-test of the fault-injecting test server (tests/smtpd) with a small
# python3 smtplib/socket client: the spool must record TLS honestly.
#
# By hand: top_srcdir=. SMTPD=/path/to/tests/smtpd sh tests/integration/smtpd-selftest.sh
set -eu
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

command -v python3 >/dev/null 2>&1 || t_skip "python3 not installed"
t_setup smtpd-selftest
t_certs
C=$T/certs

cat >"$T/client.py" <<'EOF'
import smtplib, socket, ssl, sys, threading, time

port = int(sys.argv[2])
ca = sys.argv[3] if len(sys.argv) > 3 else None
HOST = "127.0.0.1"
MSG = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: t\r\n\r\n"
       b"line one\r\n.leading dot\r\n..two dots\r\n.\tdot tab\r\nlast\r\n")

def fail(why):
    sys.exit("client: " + why)

def ctx():
    c = ssl.create_default_context(cafile=ca)
    return c

def expect(got, want, what):
    if got != want:
        fail("%s: got %r, want %r" % (what, got, want))

def plain():
    s = smtplib.SMTP(HOST, port, timeout=10)
    s.ehlo("client.test")
    if s.has_extn("starttls"):
        fail("STARTTLS advertised without a certificate")
    expect(s.starttls.__name__, "starttls", "sanity")
    s.sendmail("a@example.org", ["b@example.org"], MSG)
    s.quit()

def starttls():
    s = smtplib.SMTP(HOST, port, timeout=10)
    s.ehlo("client.test")
    if not s.has_extn("starttls"):
        fail("STARTTLS not advertised")
    s.starttls(context=ctx())
    s.ehlo("client.test")
    if s.has_extn("starttls"):
        fail("STARTTLS advertised inside TLS")
    s.sendmail("a@example.org", ["b@example.org"], MSG)
    s.quit()

def implicit():
    s = smtplib.SMTP_SSL(HOST, port, timeout=10, context=ctx())
    s.ehlo("client.test")
    s.sendmail("a@example.org", ["b@example.org"], MSG)
    s.quit()

def auth():
    s = smtplib.SMTP(HOST, port, timeout=10)
    s.ehlo("client.test")
    if s.has_extn("auth"):
        fail("AUTH advertised before TLS")
    code, _ = s.docmd("AUTH", "PLAIN AGFsaWNlAHNlY3JldA==")
    expect(code, 538, "AUTH before TLS")
    code, _ = s.docmd("MAIL", "FROM:<a@example.org>")
    expect(code, 530, "MAIL before AUTH")
    s.starttls(context=ctx())
    code, _ = s.docmd("MAIL", "FROM:<a@example.org>")
    expect(code, 503, "MAIL before EHLO after TLS")
    s.ehlo("client.test")
    expect(s.esmtp_features.get("auth", "").split(), ["PLAIN", "LOGIN"],
           "AUTH mechanisms")
    try:
        s.login("alice", "wrong")
        fail("wrong password accepted")
    except smtplib.SMTPAuthenticationError as e:
        expect(e.smtp_code, 535, "wrong password")
    s.user, s.password = "alice", "secret"
    code, _ = s.auth("LOGIN", s.auth_login)
    expect(code, 235, "AUTH LOGIN")
    s.rset()
    s.sendmail("a@example.org", ["b@example.org"], MSG)
    s.quit()
    # PLAIN with a 334 continuation.
    s = smtplib.SMTP(HOST, port, timeout=10)
    s.starttls(context=ctx())
    s.ehlo("client.test")
    code, _ = s.docmd("AUTH", "PLAIN")
    expect(code, 334, "AUTH PLAIN continuation")
    code, _ = s.docmd("AGFsaWNlAHNlY3JldA==")
    expect(code, 235, "AUTH PLAIN")
    s.sendmail("a@example.org", ["c@example.org"], MSG)
    s.quit()

def rcpt550():
    s = smtplib.SMTP(HOST, port, timeout=10)
    refused = s.sendmail("a@example.org", ["good@example.org",
                         "BAD@example.org"], MSG)
    expect(list(refused), ["BAD@example.org"], "refused recipients")
    expect(refused["BAD@example.org"][0], 550, "refusal code")
    s.quit()

def tls454():
    s = smtplib.SMTP(HOST, port, timeout=10)
    s.ehlo("client.test")
    try:
        s.starttls(context=ctx())
        fail("STARTTLS succeeded")
    except smtplib.SMTPResponseException as e:
        expect(e.smtp_code, 454, "STARTTLS reply")
    s.sendmail("a@example.org", ["b@example.org"], MSG)
    s.quit()

def lines(f):
    out = []
    while True:
        l = f.readline()
        if not l:
            fail("connection closed")
        out.append(l)
        if l[3:4] != b"-":
            return out

def inject():
    sock = socket.create_connection((HOST, port), timeout=10)
    f = sock.makefile("rb")
    lines(f)
    sock.sendall(b"EHLO client.test\r\n")
    lines(f)
    sock.sendall(b"STARTTLS\r\n")
    time.sleep(0.3)
    data = sock.recv(4096)
    expect(data, b"220 Ready\r\n250 injected\r\n", "injected reply")
    t = ctx().wrap_socket(sock, server_hostname=HOST)
    f = t.makefile("rb")
    t.sendall(b"MAIL FROM:<a@example.org>\r\n")
    expect(lines(f)[0][:3], b"503", "MAIL before EHLO after TLS")
    t.sendall(b"EHLO client.test\r\nMAIL FROM:<a@example.org>\r\n"
              b"RCPT TO:<b@example.org>\r\nDATA\r\n")
    for want in (b"250", b"250", b"250", b"354"):
        expect(lines(f)[-1][:3], want, "pipelined reply")
    t.sendall(MSG + b".\r\nQUIT\r\n")
    expect(lines(f)[0][:3], b"250", "DATA reply")
    expect(lines(f)[0][:3], b"221", "QUIT reply")

def discard():
    sock = socket.create_connection((HOST, port), timeout=10)
    f = sock.makefile("rb")
    lines(f)
    sock.sendall(b"EHLO client.test\r\n")
    lines(f)
    sock.sendall(b"STARTTLS\r\nMAIL FROM:<evil@example.org>\r\n")
    expect(f.readline()[:3], b"220", "STARTTLS reply")
    t = ctx().wrap_socket(sock, server_hostname=HOST)
    f = t.makefile("rb")
    t.sendall(b"EHLO client.test\r\nMAIL FROM:<a@example.org>\r\n"
              b"RCPT TO:<b@example.org>\r\nDATA\r\n")
    lines(f)
    for want in (b"250", b"250", b"354"):
        expect(lines(f)[-1][:3], want, "pipelined reply")
    t.sendall(MSG + b".\r\nQUIT\r\n")
    expect(lines(f)[0][:3], b"250", "DATA reply")

def garbage():
    sock = socket.create_connection((HOST, port), timeout=10)
    f = sock.makefile("rb")
    lines(f)
    sock.sendall(bytes(range(256)) * 4 + b"\r\n" + b"A" * 70000 + b"\r\n"
                 + b"\x00\xff\r\n" + b"MAIL FROM:<\r\nRCPT\r\nDATA x\r\n")
    sock.sendall(b"NOOP\r\n")
    while True:
        l = f.readline()
        if not l:
            fail("server closed on garbage")
        if l.startswith(b"250 2.0.0 Ok"):
            break
    sock.close()

def faults():
    s = smtplib.SMTP(HOST, port, timeout=10)
    s.ehlo("client.test")
    s.mail("a@example.org")
    try:
        s.rcpt("b@example.org")
        fail("server did not close after MAIL")
    except smtplib.SMTPServerDisconnected:
        pass

def stall():
    try:
        smtplib.SMTP(HOST, port, timeout=1)
        fail("stalled server sent a banner")
    except smtplib.SMTPServerDisconnected as e:
        if "timed out" not in str(e):
            raise

def size():
    s = smtplib.SMTP(HOST, port, timeout=10)
    s.ehlo("client.test")
    expect(s.esmtp_features.get("size"), "100", "SIZE")
    code, _ = s.mail("a@example.org", ["SIZE=1000"])
    expect(code, 552, "MAIL SIZE over limit")
    s.rset()
    s.mail("a@example.org")
    s.rcpt("b@example.org")
    expect(s.data(MSG * 3)[0], 552, "DATA over SIZE")
    s.quit()

def parallel():
    errs = []
    def one(i):
        try:
            s = smtplib.SMTP(HOST, port, timeout=10)
            s.starttls(context=ctx())
            s.sendmail("a@example.org", ["r%d@example.org" % i], MSG)
            s.quit()
        except Exception as e:
            errs.append(repr(e))
    ts = [threading.Thread(target=one, args=(i,)) for i in range(12)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errs:
        fail("parallel: " + "; ".join(errs))

globals()[sys.argv[1]]()
EOF

py() {
	timeout 30 python3 "$T/client.py" "$@" || t_fail "client $1"
}

# The message as sent by smtplib (which dot-stuffs it) and as the raw
# client sends it (not stuffed, so the server removes leading dots).
msg=$(printf 'From: a@example.org\r\nTo: b@example.org\r\nSubject: t\r\n\r\nline one\r\n.leading dot\r\n..two dots\r\n.\tdot tab\r\nlast\r\n')
unstuffed=$(printf 'From: a@example.org\r\nTo: b@example.org\r\nSubject: t\r\n\r\nline one\r\nleading dot\r\n.two dots\r\n\tdot tab\r\nlast\r\n')

# Plain: no certificate, no STARTTLS; tls false, exact unstuffed bytes.
t_smtpd plain
py plain "$plain_port"
t_assert_eq "$(t_count plain)" 1 "plain: messages"
l=$(t_log plain)
t_assert_eq "$(t_json_get "$l" tls)" false "plain: tls"
t_assert_eq "$(t_json_get "$l" tls_version)" "" "plain: tls_version"
t_assert_eq "$(t_json_get "$l" helo)" client.test "plain: helo"
t_assert_eq "$(t_json_get "$l" from)" a@example.org "plain: from"
t_assert_eq "$(t_json_get "$l" rcpts)" '["b@example.org"]' "plain: rcpts"
t_assert_eq "$(cat "$T/plain/msg-1.eml")" "$msg" "plain: body"
t_assert_eq "$(t_json_get "$l" size)" "$(wc -c <"$T/plain/msg-1.eml" |
    tr -d ' ')" "plain: size"
t_assert_eq "$(t_json_get "$l" body)" "" "plain: body param"

# STARTTLS with the test CA: tls true after a completed handshake.
t_smtpd tls --cert "$C/good-chain.pem" --key "$C/good-key.pem"
py starttls "$tls_port" "$C/ca.pem"
t_assert_eq "$(t_count tls)" 1 "tls: messages"
l=$(t_log tls)
t_assert_eq "$(t_json_get "$l" tls)" true "tls: tls"
t_assert_match "$(t_json_get "$l" tls_version)" '^TLS1\.[23]$' "tls: version"
t_assert_eq "$(t_json_get "$l" helo_after_tls)" true "tls: helo_after_tls"
t_wait_sessions tls 1
s=$(t_sessions tls)
t_assert_eq "$(t_json_get "$s" starttls)" ok "tls: session starttls"
t_assert_eq "$(t_json_get "$s" end)" quit "tls: session end"

# TLS 1.2 only: the version recorded is the one negotiated.
t_smtpd tls12 --cert "$C/good-chain.pem" --key "$C/good-key.pem" \
    --tls-priority "NORMAL:-VERS-ALL:+VERS-TLS1.2"
py starttls "$tls12_port" "$C/ca.pem"
t_assert_eq "$(t_json_get "$(t_log tls12)" tls_version)" TLS1.2 \
    "tls12: version"

# Implicit TLS.
t_smtpd smtps --cert "$C/good-chain.pem" --key "$C/good-key.pem" \
    --implicit-tls
py implicit "$smtps_port" "$C/ca.pem"
t_assert_eq "$(t_json_get "$(t_log smtps)" tls)" true "smtps: tls"

# AUTH: only after TLS, required before MAIL, secrets redacted.
t_smtpd auth --cert "$C/good-chain.pem" --key "$C/good-key.pem" \
    --auth alice:secret
py auth "$auth_port" "$C/ca.pem"
t_assert_eq "$(t_count auth)" 2 "auth: messages"
t_assert_eq "$(t_json_get "$(t_log auth | head -n 1)" auth)" alice "auth: user"
t_assert_eq "$(t_json_get "$(t_log auth | head -n 1)" tls)" true "auth: tls"
t_wait_sessions auth 2
s=$(t_sessions auth | grep '"session":1,')
t_assert_eq "$(t_json_get "$s" auth_plaintext)" true "auth: plaintext AUTH seen"
if grep -q -e secret -e AGFsaWNl -e d3Jvbmc "$T/auth/sessions.jsonl"; then
	t_fail "auth: a secret reached sessions.jsonl"
fi
t_assert_match "$(t_json_get "$s" commands)" 'AUTH <redacted>' "auth: redacted"

# A 550 recipient: the message is accepted for the other one only.
t_smtpd rcpt --rcpt-reply 'bad@example.org=550 5.1.1 No such user'
py rcpt550 "$rcpt_port"
t_assert_eq "$(t_json_get "$(t_log rcpt)" rcpts)" '["good@example.org"]' \
    "rcpt: rcpts"

# 454 to STARTTLS: the client goes on in plaintext, recorded as such.
t_smtpd t454 --starttls 454
py tls454 "$t454_port" "$C/ca.pem"
t_assert_eq "$(t_json_get "$(t_log t454)" tls)" false "454: tls"
t_wait_sessions t454 1
t_assert_eq "$(t_json_get "$(t_sessions t454)" starttls)" 454 "454: session"

# Injection: both lines in one write; a handshake after it still counts.
t_smtpd inject --cert "$C/good-chain.pem" --key "$C/good-key.pem" \
    --starttls inject
py inject "$inject_port" "$C/ca.pem"
l=$(t_log inject)
t_assert_eq "$(t_json_get "$l" tls)" true "inject: tls"
t_assert_eq "$(t_json_get "$l" helo_after_tls)" true "inject: helo_after_tls"
t_assert_eq "$(cat "$T/inject/msg-1.eml")" "$unstuffed" "inject: unstuffed"

# Plaintext pipelined after STARTTLS is discarded, not executed.
t_smtpd discard --cert "$C/good-chain.pem" --key "$C/good-key.pem"
py discard "$discard_port" "$C/ca.pem"
l=$(t_log discard)
t_assert_eq "$(t_json_get "$l" from)" a@example.org "discard: from"
t_wait_sessions discard 1
s=$(t_sessions discard)
t_assert_match "$(t_json_get "$s" discarded)" '^[1-9]' "discard: bytes"
if grep -q evil "$T/discard/sessions.jsonl"; then
	t_fail "discard: plaintext after STARTTLS was read as a command"
fi

# Garbage does not kill the server.
t_smtpd junk
py garbage "$junk_port"
py plain "$junk_port"
t_assert_eq "$(t_count junk)" 1 "junk: messages"

# Faults and limits.
t_smtpd cam --fault close-after-mail
py faults "$cam_port"
t_assert_eq "$(t_count cam)" 0 "close-after-mail: messages"
t_smtpd stall --fault stall
py stall "$stall_port"
t_smtpd size --size 100
py size "$size_port"
t_assert_eq "$(t_count size)" 0 "size: messages"

# Parallel sessions: every message numbered once.
t_smtpd par --cert "$C/good-chain.pem" --key "$C/good-key.pem"
py parallel "$par_port" "$C/ca.pem"
t_assert_eq "$(t_count par)" 12 "parallel: messages"
t_assert_eq "$(ls "$T/par" | grep -c '^msg-.*\.eml$')" 12 "parallel: files"

# SIGTERM stops the server.
t_stop par

t_pass
