#!/bin/sh
# R in the Outbox retries every queued message through the one flush
# service tern flush uses: oldest first, over one kept connection.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-retry-all
t_smtpd down --starttls none --greeting-code 421
port=$down_port
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$port
glyphs = ascii
timeout = 10"
for s in one two three; do
	rc=0
	echo "$s" | "$TERN" send -s "$s" carol@example.net >/dev/null || rc=$?
	t_assert_eq "$rc" 75 "$s queued"
done
t_stop down
t_smtpd up -p "$port" --starttls none
u_start
u_type 2
u_wait 'Outbox 3'
u_type R
u_wait 'The outbox is empty' 20
t_assert_eq "$(t_count up)" 3 "all three delivered"
t_wait_sessions up 1 10
t_assert_eq "$(t_sessions up | grep -c .)" 1 "over one connection"
order=$(for m in $(ls "$T"/up/msg-*.eml | sort -V); do
	sed -n 's/^Subject: //p' "$m" | tr -d '\r'
done | tr '\n' ' ')
t_assert_eq "$order" "one two three " "oldest first"
u_quit
t_pass
