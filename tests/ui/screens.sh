#!/bin/sh
# Help lists every key and the glyph legend; without colour (NO_COLOR) and
# with ASCII glyphs the outcomes still read apart; a tiny terminal says so
# and recovers; the Sent list pages and searches through the store.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-screens
t_smtpd plain --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$plain_port
timeout = 5"
i=1
while [ $i -le 40 ]; do
	echo "body $i" | "$TERN" send -s "note $i" "r$i@example.net" \
	    >/dev/null || t_fail "tern send $i"
	i=$((i + 1))
done

U_ENV="NO_COLOR=1" U_LANG=C u_start
u_wait '1 Sent 40 '
u_has '\[PLAIN\] .*r40@example.net +note 40' "ASCII glyph in the C locale"
u_type '?'
u_wait 'Glyphs'
u_has '\[TLS\+\] +verified: delivered over TLS, certificate verified' "legend"
u_has '\[HELD\] +held' "held in the legend"
u_key G
u_wait 'q Esc \? +close the help'
u_type q
# Paging: the end of the list and back.
u_key End
u_wait 'r1@example.net +note 1$'
u_key Home
u_wait 'r40@example.net +note 40'
# Search in the store.
u_type /
u_wait 'Search:'
u_type 'r17@'
u_key Enter
u_wait 'Sent 1 \[/r17@\]'
u_has 'r17@example.net +note 17' "search result"
u_type /
u_key C-u Enter
u_wait '1 Sent 40 '
u_resize 30 6
u_wait 'too small'
u_resize 100 30
u_wait 'r40@example.net'
u_quit
t_pass
