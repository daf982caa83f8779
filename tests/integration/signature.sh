#!/bin/sh
# signature = FILE (per account): added below a "-- " line to what tern
# send and the composer submit, once; a signature file that cannot be
# read stops the send with a clear reason and nothing is queued.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup signature
t_smtpd srv --starttls none
printf 'Alice Example\nhttps://example.org/alice\n' >"$T/sig"
conf() {
	t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$srv_port
signature = $1
timeout = 5"
}
conf "$T/sig"
printf 'Hello Bob\n' | "$TERN" send -s one bob@example.net >/dev/null ||
    t_fail "send exited $?"
m=$(ls "$T"/srv/msg-*.eml | head -1)
tail -3 "$m" | tr -d '\r' >"$T/tail"
printf -- '-- \nAlice Example\nhttps://example.org/alice\n' >"$T/want"
cmp -s "$T/tail" "$T/want" || {
	cat "$T/tail" >&2
	t_fail "the signature is not below '-- ' at the end"
}
# A body that has a signature already gets no second one.
printf 'Hi\n-- \nA.\n' | "$TERN" send -s two bob@example.net >/dev/null ||
    t_fail "second send exited $?"
t_assert_eq "$(cat "$T"/srv/msg-*.eml | grep -c '^-- ')" 2 \
    "one signature per message"
# An unreadable signature: nothing is sent, and the reason says why.
conf "$T/nosuch"
rc=0
err=$(printf 'x\n' | "$TERN" send -s three bob@example.net 2>&1) || rc=$?
t_assert_eq "$rc" 78 "missing signature: exit"
t_assert_match "$err" "signature $T/nosuch: No such file or directory" \
    "missing signature: the reason"
t_assert_eq "$(t_count srv)" 2 "missing signature: nothing sent"
t_assert_eq "$("$TERN" outbox --json | grep -c . || :)" 0 "nothing queued"
t_pass
