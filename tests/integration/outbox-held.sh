#!/bin/sh
# A contact set to require TLS is held at a server without STARTTLS: the
# server gets nothing for him and the outbox lists him; relaxed, a flush
# delivers once, in plaintext, and the log shows both attempts.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup outbox-held
t_smtpd plain --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$plain_port
timeout = 5"

"$TERN" contacts set bob@example.net --tls encrypt || t_fail "contacts set"
t_assert_match "$("$TERN" contacts list --json)" '"tls":"encrypt"' "contact policy"
rc=0
out=$(echo hi | "$TERN" send --json -s "for bob" bob@example.net carol@example.net) || rc=$?
# What the server's transcript shows, not only what it accepted.
t_assert_not_received plain '^RCPT TO: *<bob@' "bob reached the server"
t_assert_match "$(t_commands plain)" '^RCPT TO: *<carol@example\.net>' \
    "carol in the transcript"
t_assert_eq "$rc" 75 "exit code with bob held"
bob=$(printf '%s\n' "$out" | grep bob@)
t_assert_eq "$(t_json_get "$bob" outcome)" held "bob held"
t_assert_eq "$(t_json_get "$bob" policy_source)" contact "policy from the contact"
t_assert_eq "$(t_count plain)" 1 "carol's copy only"
if t_log plain | grep -q bob@; then t_fail "the server accepted bob's"; fi
ob=$("$TERN" outbox --json)
t_assert_eq "$(printf '%s\n' "$ob" | grep -c .)" 1 "one waiting recipient"
t_assert_eq "$(t_json_get "$ob" recipient)" bob@example.net "outbox lists bob"
t_assert_eq "$(t_json_get "$ob" outcome)" held "outbox says held"

# A flush with the policy unchanged holds him again and sends nothing:
# no MAIL FROM or RCPT TO in the server's transcript.
mark=$(t_cmd_mark plain)
rc=0
"$TERN" flush >/dev/null || rc=$?
t_assert_not_received plain '^(MAIL FROM|RCPT TO)' \
    "the held flush reached the server" "$mark"
t_assert_eq "$rc" 75 "flush still held"
t_assert_eq "$(t_count plain)" 1 "nothing more sent"

"$TERN" contacts set bob@example.net --tls may || t_fail "contacts set may"
out=$("$TERN" flush --json) || t_fail "flush exited $?"
t_assert_eq "$(t_json_get "$out" recipient)" bob@example.net "flush sent bob"
t_assert_eq "$(t_json_get "$out" outcome)" plaintext "bob now plaintext"
t_assert_eq "$(t_count plain)" 2 "one more message"
t_assert_eq "$(t_log plain | grep -c '"bob@example.net"')" 1 "bob got it once"
out=$("$TERN" flush --json) || t_fail "second flush exited $?"
t_assert_eq "$out" "" "nothing left to flush"
t_assert_eq "$(t_count plain)" 2 "no duplicate"
t_assert_match "$("$TERN" outbox)" 'empty' "outbox empty"

log=$("$TERN" log --json)
t_assert_eq "$(printf '%s\n' "$log" | grep -c bob@)" 3 "bob's three attempts in the log"
t_assert_eq "$(printf '%s\n' "$log" | grep bob@ | head -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["outcome"])')" plaintext "newest first"
t_assert_eq "$("$TERN" log --json -n 2 | grep -c .)" 2 "log -n"

# fcc: a Maildir copy with each recipient's outcome.
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$plain_port
fcc = ~/Mail/Sent
timeout = 5"
echo copy | "$TERN" send -s "copy me" dave@example.net >/dev/null || t_fail "fcc send"
f=$(ls "$HOME/Mail/Sent/cur/" 2>/dev/null | head -1)
[ -n "$f" ] || t_fail "no fcc copy in cur/"
[ -z "$(ls "$HOME/Mail/Sent/tmp/")" ] || t_fail "left-overs in tmp/"
grep -q '^X-Tern-TLS: dave@example.net; outcome=plaintext' "$HOME/Mail/Sent/cur/$f" ||
    t_fail "no outcome header in the copy"
grep -q '^Subject: copy me' "$HOME/Mail/Sent/cur/$f" || t_fail "copy lacks the message"
t_pass
