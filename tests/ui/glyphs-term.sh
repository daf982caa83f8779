#!/bin/sh
# issue 12: the interface honours TERM: on a vt100 (no UTF-8 glyphs,
# even in a UTF-8 locale) and under LANG=C it draws the ASCII outcomes
# ([TLS+]) and no emoji or other UTF-8 glyph; TERN_GLYPHS=utf-8 brings
# the locks back on a terminal that can show them.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-glyphs-term
t_certs
t_smtpd tls --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem"
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$tls_port
ca_file = $T/certs/ca.pem
timeout = 10"
echo hi | "$TERN" send -s verified bob@example.org >/dev/null ||
    t_fail "send exited $?"

# No byte above 0x7f on the screen.
no_utf8() {
	if u_screen | LC_ALL=C grep -q "$(printf '[\200-\377]')"; then
		u_dump
		t_fail "$1: UTF-8 on the screen"
	fi
}

for case in "vt100 C.UTF-8" "vt100 C" "vt220 C.UTF-8" "linux C.UTF-8"; do
	U_TERM=${case% *} U_LANG=${case#* }
	u_start
	u_wait 'verified'
	u_has '\[TLS\+\]' "TERM=$U_TERM LANG=$U_LANG: the ASCII glyph"
	u_type '?'
	u_wait 'Help'
	u_has '\[TLS\+\] +verified' "TERM=$U_TERM: the ASCII legend"
	no_utf8 "TERM=$U_TERM LANG=$U_LANG"
	u_quit
done

# A terminal that can draw them: the locks; the override wins over TERM.
U_TERM=screen-256color U_LANG=C.UTF-8
u_start
u_wait 'verified'
u_has '🔐' "a UTF-8 terminal: the lock"
u_quit
U_TERM=vt100 U_ENV="TERN_GLYPHS=utf-8"
u_start
u_wait 'verified'
u_has '🔐' "TERN_GLYPHS=utf-8 on a vt100"
u_quit
t_pass
