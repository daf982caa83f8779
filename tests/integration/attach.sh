#!/bin/sh
# tern send --attach FILE (repeatable): a multipart/mixed message built
# with libetpan; each file's bytes arrive intact (sha256 at the server),
# the type from libmagic, a non-ASCII name RFC 2231-encoded; a message
# over the server's SIZE is not sent and says both sizes; a file that
# cannot be read queues nothing.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup attach
command -v python3 >/dev/null 2>&1 || t_skip "no python3"
t_smtpd srv --starttls none
t_smtpd small --starttls none --size 20000
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$srv_port
timeout = 5

[account small]
from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$small_port"

head -c 70000 /dev/urandom >"$T/random.bin"
printf 'Grüße aus Köln\nzweite Zeile\n' >"$T/été ☃.txt"
printf '\211PNG\r\n\032\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\10\6\0\0\0\37\25\304\211' \
    >"$T/pixel"
echo "Two files attached." | "$TERN" send -s "files" \
    --attach "$T/random.bin" --attach "$T/été ☃.txt" \
    --attach "$T/pixel" bob@example.net >/dev/null ||
    t_fail "send exited $?"
t_assert_eq "$(t_count srv)" 1 "one message at the server"
cat >"$T/parts.py" <<'PY'
import email, hashlib, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=policy.default)
print("top", m.get_content_type())
print("text", m.get_body(("plain",)).get_content().strip())
for p in m.iter_attachments():
    print("part", p.get_filename(), p.get_content_type(),
        hashlib.sha256(p.get_payload(decode=True)).hexdigest())
PY
parts=$(python3 "$T/parts.py" "$T/srv/msg-1.eml")
echo "$parts" >&2
t_assert_match "$parts" '^top multipart/mixed$' "multipart/mixed"
t_assert_match "$parts" '^text Two files attached\.$' "the text first"
h1=$(sha256sum <"$T/random.bin" | cut -d' ' -f1)
h2=$(sha256sum <"$T/été ☃.txt" | cut -d' ' -f1)
h3=$(sha256sum <"$T/pixel" | cut -d' ' -f1)
t_assert_match "$parts" "^part random.bin application/octet-stream $h1\$" \
    "the binary file, byte for byte"
t_assert_match "$parts" "^part été ☃.txt text/plain $h2\$" \
    "the non-ASCII name and the text file"
t_assert_match "$parts" "^part pixel image/png $h3\$" \
    "libmagic's type for a file without extension"
grep -q "filename\\*=utf-8''%C3%A9t%C3%A9%20%E2%98%83.txt" \
    "$T/srv/msg-1.eml" || t_fail "no RFC 2231 filename* (unquoted)"

# Over the server's SIZE: not sent, the sizes said, kept in the outbox.
rc=0
echo "big" | "$TERN" -a small send -s big --attach "$T/random.bin" \
    carol@example.net >"$T/out" 2>&1 || rc=$?
cat "$T/out" >&2
[ "$rc" -ne 0 ] || t_fail "a message over SIZE was accepted"
t_assert_eq "$(t_count small)" 0 "nothing reached the small server"
t_assert_match "$(cat "$T/out")" '[0-9]+ bytes.*at most 20000' \
    "the message says both sizes"
t_assert_not_received small carol@example.net

# A file that cannot be read: nothing queued, the path named.
before=$("$TERN" outbox 2>/dev/null | grep -c . || :)
rc=0
echo "x" | "$TERN" send -s missing --attach "$T/no-such-file" \
    dan@example.net >"$T/out" 2>&1 || rc=$?
t_assert_eq "$rc" 65 "unreadable file: EX_DATAERR"
t_assert_match "$(cat "$T/out")" "cannot attach $T/no-such-file: No such file" \
    "the path and why"
t_assert_eq "$("$TERN" outbox 2>/dev/null | grep -c . || :)" "$before" \
    "nothing queued"
rc=0
echo "x" | "$TERN" send -s dir --attach "$T" dan@example.net \
    >"$T/out" 2>&1 || rc=$?
t_assert_eq "$rc" 65 "a directory: EX_DATAERR"
t_assert_match "$(cat "$T/out")" "not a regular file" "a directory refused"
t_assert_eq "$(t_count srv)" 1 "nothing more sent"
t_pass
