#!/bin/sh
# The sendmail interface: -t reads recipients from the headers (and drops
# Bcc from the text), -i keeps lone dots, -f sets the envelope sender;
# a symlink named sendmail works too.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup sendmail
t_smtpd s --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$s_port
timeout = 5"

printf 'To: Bob <bob@example.net>\nCc: carol@example.net\nBcc: secret@example.net\nSubject: hi\n\nbody\n.\nmore\n' |
    "$TERN" sendmail -t -i -f bounce@example.org >/dev/null || t_fail "exit $?"
log=$(t_log s)
t_assert_eq "$(t_json_get "$log" rcpts)" \
    '["bob@example.net", "carol@example.net", "secret@example.net"]' "recipients"
t_assert_eq "$(t_json_get "$log" from)" bounce@example.org "envelope sender"
m=$(ls "$T"/s/msg-*.eml | head -1)
if grep -qi '^bcc:\|secret@' "$m"; then t_fail "Bcc transmitted"; fi
grep -q '^more' "$m" || t_fail "-i: text after a lone dot lost"
grep -q '^Message-ID: ' "$m" || t_fail "no Message-ID added"
grep -q '^From: .*alice@example.org' "$m" || t_fail "no From added"

# Without -i a lone dot ends the message; addresses from the arguments.
printf 'Subject: dot\n\nbefore\n.\nafter\n' |
    "$TERN" sendmail dave@example.net >/dev/null || t_fail "exit $?"
m=$(ls -t "$T"/s/msg-*.eml | head -1)
grep -q '^before' "$m" || t_fail "text lost"
if grep -q '^after' "$m"; then t_fail "text after the dot was sent"; fi

ln -s "$TERN" "$T/sendmail"
printf 'Subject: link\n\nx\n' | "$T/sendmail" -oi erin@example.net >/dev/null ||
    t_fail "symlink exit $?"
t_assert_eq "$(t_count s)" 3 "messages"
t_pass
