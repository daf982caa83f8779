#!/bin/sh
# The message on the wire: RFC 2047 subject, UTF-8 body as 8bit where the
# server has 8BITMIME and quoted-printable where not, Bcc never
# transmitted, dots and line ends preserved; bad input refused (exit 65).
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup message
t_smtpd eight --starttls none
t_smtpd seven --starttls none --no-8bitmime
t_config "from = Alice Ünïcode <alice@example.org>
relay = direct
timeout = 5
[route example.net]
host = 127.0.0.1:$eight_port
[route seven.example]
host = 127.0.0.1:$seven_port"

printf 'Grüße aus Köln\n.\n..two dots\r\n.leading dot\nlast line\r\n' |
    "$TERN" send -s "Prüfung ✓" -c cc@example.net \
    -b hidden@example.net to@example.net >/dev/null || t_fail "send exited $?"
log=$(t_log eight)
t_assert_eq "$(t_json_get "$log" body)" 8BITMIME "BODY=8BITMIME"
t_assert_eq "$(t_json_get "$log" rcpts)" \
    '["to@example.net", "cc@example.net", "hidden@example.net"]' "envelope"
m=$T/eight/msg-1.eml
[ -f "$m" ] || m=$(ls "$T"/eight/msg-*.eml | head -1)
grep -q '^Subject: =?UTF-8?[QqBb]?' "$m" || t_fail "subject not RFC 2047"
if grep -qi '^bcc:\|hidden@' "$m"; then t_fail "Bcc transmitted"; fi
grep -q '^Cc: .*cc@example.net' "$m" || t_fail "no Cc header"
grep -q '^Message-ID: <.*@example.org>' "$m" || t_fail "no Message-ID"
grep -q '^Date: ' "$m" || t_fail "no Date"
grep -q '^MIME-Version: 1.0' "$m" || t_fail "no MIME-Version"
grep -qi '^Content-Transfer-Encoding: 8bit' "$m" || t_fail "not 8bit"
grep -q 'Grüße aus Köln' "$m" || t_fail "UTF-8 body changed"
# Dots survive the trip (libetpan stuffs, the server unstuffs).
grep -q "^\\.$(printf '\r')\$" "$m" || t_fail "lone dot line lost"
grep -q '^\.\.two dots' "$m" || t_fail "double dot line changed"
grep -q '^\.leading dot' "$m" || t_fail "leading dot changed"
# Every line ends in CRLF, and no empty line was added at the end.
if LC_ALL=C grep -q "[^$(printf '\r')]\$" "$m"; then
	LC_ALL=C grep -n "[^$(printf '\r')]\$" "$m" | head -3 >&2
	t_fail "a line without CRLF"
fi
[ "$(tail -n 1 "$m" | tr -d '\r')" = "last line" ] || t_fail "extra lines at the end"
python3 - "$m" <<'PY' || t_fail "subject does not decode"
import sys, email, email.header
msg = email.message_from_binary_file(open(sys.argv[1], "rb"))
s = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
assert s == "Prüfung ✓", s
f = str(email.header.make_header(email.header.decode_header(msg["From"])))
assert "Ünïcode" in f, f
PY

# Without 8BITMIME: quoted-printable, still the same text once decoded.
printf 'Grüße\n' | "$TERN" send -s x a@seven.example >/dev/null ||
    t_fail "send exited $?"
m=$(ls "$T"/seven/msg-*.eml | head -1)
grep -qi '^Content-Transfer-Encoding: quoted-printable' "$m" || t_fail "not QP"
t_assert_eq "$(t_json_get "$(t_log seven)" body)" "" "no BODY= without 8BITMIME"
if LC_ALL=C grep -q "$(printf '[\200-\377]')" "$m"; then
	t_fail "8-bit bytes sent to a 7-bit server"
fi
python3 - "$m" <<'PY' || t_fail "QP body does not decode"
import sys, email
msg = email.message_from_binary_file(open(sys.argv[1], "rb"))
b = msg.get_payload(decode=True).decode("utf-8")
assert b.rstrip("\r\n") == "Grüße", repr(b)
PY

# Bad input: a line break in the subject, a bad address, NUL in the body.
n=$(t_count eight)
rc=0
echo hi | "$TERN" send -s "$(printf 'a\r\nBcc: evil@example.com')" \
    to@example.net 2>"$T/err" || rc=$?
t_assert_eq "$rc" 65 "exit code for CRLF in subject"
t_assert_match "$(cat "$T/err")" 'line break' "message for CRLF"
rc=0
echo hi | "$TERN" send 'bad>@example.net' 2>"$T/err" || rc=$?
t_assert_eq "$rc" 65 "exit code for a bad address"
t_assert_match "$(cat "$T/err")" 'invalid address .*bad>@example.net' \
    "message for a bad address"
rc=0
printf 'a\000b\n' | "$TERN" send to@example.net 2>"$T/err" || rc=$?
t_assert_eq "$rc" 65 "exit code for NUL"
t_assert_match "$(cat "$T/err")" 'line 1 of the body contains a NUL byte' \
    "message for NUL"
t_assert_eq "$(t_count eight)" "$n" "nothing sent on bad input"
t_pass
