#!/bin/sh
# While the interface is open it retries the outbox by itself (DESIGN.md:
# "Deferred recipients are retried by themselves, with backoff ... while
# the interface is open"): a message deferred by "tern send" while the
# relay refused service is sent once its retry is due, without a key.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || t_skip "sqlite3 not installed"
t_setup ui-auto-retry
t_smtpd down --starttls none --greeting-code 421
port=$down_port
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$port
glyphs = ascii
timeout = 10"
rc=0
echo later | "$TERN" send -s later carol@example.net >/dev/null || rc=$?
t_assert_eq "$rc" 75 "deferred while the relay refuses service"
t_stop down
t_smtpd up -p "$port" --starttls none

# The store's clock moves on: the retry is due now.
sqlite3 "$XDG_DATA_HOME/tern/tern.db" \
    "UPDATE recipients SET next_try = strftime('%s','now') - 1"
u_start
i=0
while [ "$(t_count up)" -lt 1 ]; do
	[ "$i" -lt 600 ] || { u_dump; t_fail "the due message was not retried"; }
	sleep 0.1
	i=$((i + 1))
done
u_wait '"retry \(due\)": (done: 1 delivered|delivered to 1 recipient)' 10
t_assert_eq "$(t_count up)" 1 "retried once"
u_quit
t_pass
