#!/bin/sh
# issue 12: u in the Outbox undoes the last delete: the message is queued
# again with its recipients, its account and its Message-ID, and a
# flush to a server that takes it delivers it, once.  A message already
# delivered to somebody is not kept (its history would not come back).
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-outbox-undo
t_smtpd srv --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:1
timeout = 5"
echo 'Keep this text.' | "$TERN" send -s 'Waiting one' bob@example.org \
    cc@example.org >/dev/null 2>&1 || :
id1=$("$TERN" outbox | grep -c 'deferred') || :
t_assert_eq "$id1" 2 "two recipients waiting"

u_start
u_wait 'Outbox 1'
u_type 2
u_wait 'Waiting one +\(2 waiting\)'
u_type u
u_wait 'Nothing to undo'
u_type d
u_wait 'Delete "Waiting one" from the outbox'
u_type y
u_wait 'Deleted from the outbox \(u: undo\)'
u_wait 'Outbox 0'
u_type u
u_wait '"Waiting one" is back in the outbox'
u_wait 'Outbox 1'
u_wait 'Waiting one +\(2 waiting\)'
u_has 'bob@example.org' "bob waits again"
u_has 'cc@example.org' "cc waits again"
u_quit

# Delivered, once, with the text it had.
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$srv_port
timeout = 5"
"$TERN" flush >/dev/null 2>&1 || t_fail "flush exited $?"
t_assert_eq "$(t_count srv)" 1 "one message at the server"
m=$(ls "$T"/srv/msg-*.eml | head -1)
grep -q '^Keep this text\.' "$m" || t_fail "the text at the server"
grep -q '^Subject: Waiting one' "$m" || t_fail "the subject at the server"
t_pass
