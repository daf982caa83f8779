#!/bin/sh
# Protocol details (issue 9, 5):
#  - 552 to RCPT is temporary (RFC 5321 4.5.3.1.10): deferred, not failed;
#  - a UTF-8 local part goes with SMTPUTF8 where the server offers it,
#    and where it does not, fails with a clear reason and nothing is sent
#    (never the raw address);
#  - a 2xx reply to the final dot whose text passes 64 KiB is still a
#    2xx: delivered, recorded with the text cut, and a flush does not
#    send it again.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/interop/lib.sh"
t_setup protocol
conf() {
	t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$1
timeout = 10"
}

# 552 to RCPT.
t_smtpd full --starttls none --rcpt-reply 'bob@example.net=552 5.2.2 Mailbox full'
conf "$full_port"
rc=0
out=$(echo hi | "$TERN" send --json -s full bob@example.net) || rc=$?
t_assert_eq "$rc" 75 "552 to RCPT: exit"
t_assert_eq "$(t_json_get "$out" outcome)" deferred "552 to RCPT: deferred"
t_assert_eq "$(t_json_get "$out" reason_kind)" temp-reply "552 to RCPT: kind"
t_assert_match "$("$TERN" outbox)" 'bob@example.net' "552: still queued"
"$TERN" contacts add bob@example.net >/dev/null 2>&1 || :

# SMTPUTF8: not offered.
t_smtpd ascii --starttls none
conf "$ascii_port"
rc=0
out=$(echo hi | "$TERN" send --json -s utf8 'jösé@dest.test') || rc=$?
t_assert_eq "$rc" 69 "no SMTPUTF8: exit"
t_assert_eq "$(t_json_get "$out" outcome)" failed "no SMTPUTF8: failed"
t_assert_match "$(t_json_get "$out" reason)" 'does not offer SMTPUTF8' \
    "no SMTPUTF8: reason"
t_assert_not_received ascii 'MAIL FROM|RCPT TO' "no SMTPUTF8: nothing sent"
# Offered: the parameter goes with MAIL FROM.
t_smtpd utf8 --starttls none --smtputf8
conf "$utf8_port"
rc=0
out=$(echo hi | "$TERN" send --json -s utf8 'jösé@dest.test') || rc=$?
t_assert_eq "$rc" 0 "SMTPUTF8: exit"
t_assert_eq "$(t_json_get "$(t_log utf8)" smtputf8)" true "SMTPUTF8 used"
t_assert_match "$(t_commands utf8)" '^MAIL FROM:<alice@example.org> .*SMTPUTF8' \
    "SMTPUTF8 on MAIL FROM"

# A 250 over 64 KiB to the final dot.
i_raw long overlong-dot
conf "$long_port"
rc=0
out=$(echo hi | timeout 60 "$TERN" send --json -s long carol@example.net) ||
    rc=$?
t_assert_eq "$rc" 0 "long 250: exit"
t_assert_eq "$(t_json_get "$out" outcome)" plaintext "long 250: delivered"
t_assert_match "$(t_json_get "$out" reason)" 'reply was cut at 64 KiB' \
    "long 250: the record says the text was cut"
t_assert_eq "$(t_json_get "$out" recorded)" true "long 250: recorded"
"$TERN" flush >/dev/null || t_fail "flush after the long 250 exited $?"
t_assert_eq "$(t_log long | grep -c '"carol@example.net"')" 1 \
    "long 250: one copy for carol"
t_pass
