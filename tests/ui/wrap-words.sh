#!/bin/sh
# issue 12: the live panel's wire log wraps at spaces, never in the
# middle of a word that fits on a row (it showed ENHANCEDSTATUSCO / DES,
# and a stray "S" row).
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-wrap-words
t_smtpd plain --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$plain_port
glyphs = ascii
timeout = 10"
for cols in 100 87 61; do
	U_COLS=$cols U_ROWS=30
	u_start
	u_wait 'm:compose'
	u_type m
	u_wait 'Compose'
	u_type 'bob@example.org'
	u_key Enter
	u_type "Wrap $cols"
	u_key Enter
	u_type 'Hi.'
	u_key Escape
	u_wait 'y: send'
	u_type y
	u_wait "Send \"Wrap $cols\" \\(finished\\)" 15
	u_screen >"$T/screen.$cols"
	grep -q 'ENHANCEDSTATUSCODES' "$T/screen.$cols" || {
		cat "$T/screen.$cols" >&2
		t_fail "$cols columns: ENHANCEDSTATUSCODES cut in two"
	}
	if grep -Eq '^ *[A-Z]{1,3} *$' "$T/screen.$cols"; then
		cat "$T/screen.$cols" >&2
		t_fail "$cols columns: a stray piece of a word on its own row"
	fi
	u_quit
done
t_pass
