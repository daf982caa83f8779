#!/bin/sh
# At 60x15 the quit prompt, asked while a send is still running, keeps
# its "(y/n)": the question takes the full width and is cut with an
# ellipsis before it, not at half the width.  'n' stays, 'y' quits.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-prompt-width
# The server sits on DATA, so the send is still running when q is asked.
t_smtpd slow --starttls none --data-delay 60000
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$slow_port
timeout = 120"

U_COLS=60
U_ROWS=15
u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_type 'carol@example.net'
u_key Enter
u_type 'Slow one'
u_key Enter
u_type 'Body'
u_key C-x
u_wait 'y: send'
u_type y
u_wait 'Send "Slow one"'
_n=0
while ! u_screen | grep -q '(y/n)'; do
	[ "$_n" -lt 6 ] || { u_dump; t_fail "no (y/n) in the quit prompt at 60 columns"; }
	u_key q
	sleep 0.3
	_n=$((_n + 1))
	u_dead && { u_dump; t_fail "quit without asking while sending"; }
done
u_has 'still running.*(\.\.\.|…) ?\(y/n\)' "the question cut with an ellipsis"
u_key n
u_wait_gone '\(y/n\)'
u_dead && t_fail "n quit"
u_key q
u_wait '\(y/n\)'
u_key y
u_wait_exit 10
t_pass
