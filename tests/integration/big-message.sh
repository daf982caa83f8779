#!/bin/sh
# A 20 MiB message arrives byte for byte (sha256 of what the server
# received): through tern send (the body written into the store in pieces,
# CRLF made as it goes) and tern sendmail (a whole message), over
# STARTTLS, with lines that start with ".", a lone ".", UTF-8 lines and a
# last line without a newline.  The store holds the message in its
# database file afterwards (the checkpoint after a big text, which runs
# beside the send, finished before tern exited).
set -eu
. "$top_srcdir/tests/integration/lib.sh"
command -v python3 >/dev/null 2>&1 || t_skip "python3 not installed"
t_setup big-message
t_certs
t_smtpd big --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem" \
    --timeout 60
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$big_port
ca_file = $T/certs/ca.pem
timeout = 60"

# The body: 20 MiB of lines under 998 octets; dots at the start of lines
# (libetpan must not see them: tern stuffs them itself), UTF-8 and no
# newline after the last line.
python3 - "$T/body.txt" <<'PY'
import sys
lines = [b"plain text line %d with some words in it" % i for i in range(7)]
lines += [b".", b"..two dots", b".leading dot", b"Gr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln",
          b"", b"x" * 900]
out, n, i = [], 0, 0
while n < 20 * 1024 * 1024:
    ln = lines[i % len(lines)] + (b" %d\n" % i)
    out.append(ln)
    n += len(ln)
    i += 1
out.append(b".the last line, without a newline")
open(sys.argv[1], "wb").write(b"".join(out))
PY

# What the server must get after the header: every line CRLF-ended.
body_sha() {
	python3 - "$1" <<'PY'
import hashlib, sys
b = open(sys.argv[1], "rb").read()
print(hashlib.sha256(b.replace(b"\n", b"\r\n") + b"\r\n").hexdigest())
PY
}
# The body of a received message (after the first empty line).
got_sha() {
	python3 - "$1" <<'PY'
import hashlib, sys
m = open(sys.argv[1], "rb").read()
print(hashlib.sha256(m[m.index(b"\r\n\r\n") + 4:]).hexdigest())
PY
}

"$TERN" send -s "A big one" bob@example.net <"$T/body.txt" >/dev/null ||
    t_fail "tern send exited $?"
t_assert_eq "$(t_count big)" 1 "messages at the server"
m=$T/big/msg-1.eml
t_assert_eq "$(got_sha "$m")" "$(body_sha "$T/body.txt")" \
    "the body at the server (sha256)"
grep -qi '^Content-Transfer-Encoding: 8bit' "$m" || t_fail "not 8bit"
t_assert_eq "$(t_json_get "$(t_log big)" body)" 8BITMIME "BODY=8BITMIME"
# The message reached the database file itself, not only the WAL.
db=$XDG_DATA_HOME/tern/tern.db
[ "$(wc -c <"$db")" -gt $((20 * 1024 * 1024)) ] ||
    t_fail "the database file holds no 20 MiB message ($(wc -c <"$db") bytes)"

# tern sendmail: a whole message with Date and Message-ID, so that what
# arrives is the input with CRLF line ends, byte for byte.
{
	printf 'From: Alice <alice@example.org>\nTo: bob@example.net\n'
	printf 'Subject: big sendmail\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n'
	printf 'Message-ID: <big-sendmail@example.org>\n'
	printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n'
	printf 'Content-Transfer-Encoding: 8bit\n\n'
	cat "$T/body.txt"
} >"$T/whole.eml"
"$TERN" sendmail -t <"$T/whole.eml" >/dev/null 2>&1 ||
    t_fail "tern sendmail exited $?"
t_assert_eq "$(t_count big)" 2 "messages at the server"
want=$(body_sha "$T/whole.eml")
got=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$T/big/msg-2.eml")
t_assert_eq "$got" "$want" "the sendmail message at the server (sha256)"
t_pass
