#!/bin/sh
# issue 12: the list search folds case beyond ASCII: /GRÜ finds "Grüße",
# /ÉTÉ finds "été", and a search for what is not there finds nothing.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-search-fold
t_smtpd plain
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$plain_port
timeout = 10"

send_one() {
	u_type m
	u_wait 'Compose'
	u_type 'bob@example.org'
	u_key Enter
	u_type "$1"
	u_key Enter
	u_wait 'Esc or \^X when done'
	u_type 'Hi.'
	u_key Escape
	u_wait 'y: send'
	u_type y
	u_wait "Send \"$1\" \\(finished\\)" 20
	u_type q
	u_wait_gone 'Send ".*" \((running|finished)\)'
}

U_COLS=100 U_ROWS=30
u_start
u_wait 'Nothing sent yet'
send_one 'Grüße aus Köln'
send_one 'Plans for the été'
send_one 'Other news'
u_wait 'Sent 3'
u_type /
u_type 'GRÜ'
u_key Enter
u_wait 'Sent 1 \[/GRÜ\]'
u_has 'Grüße aus Köln' "GRÜ finds Grüße"
u_type /
u_key C-u
u_type 'ÉTÉ'
u_key Enter
u_wait 'Sent 1 \[/ÉTÉ\]'
u_has 'Plans for the été' "ÉTÉ finds été"
u_type /
u_key C-u
u_type 'KÖLNX'
u_key Enter
u_wait 'No message matches the search'
u_quit
t_pass
