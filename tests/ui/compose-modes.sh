#!/bin/sh
# issue 12: the composer's modes are visible.  A new message starts
# editing To, marked '>', the cursor there and the bottom line saying
# "editing To"; following the help (m, Enter, then typing) puts the text
# in To, not in Subject; Enter on a field that is not being edited edits
# that field, the cursor in it.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-compose-modes
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:1
timeout = 10"

u_cursor() {
	tmux -S "$U_SOCK" display -p -t tern '#{cursor_x},#{cursor_y}'
}

# cursor_at LABEL TEXT: the cursor right after TEXT on the line LABEL
# (TEXT empty: at the start of the field, column 11).
cursor_at() {
	row=$(u_screen | grep -n "^>$1" | head -1 | cut -d: -f1)
	[ -n "$row" ] || { u_dump; t_fail "no >$1 line"; }
	line=$(u_screen | sed -n "${row}p")
	pre=${line%%"$2"*}
	col=$((${#pre} + ${#2}))
	[ -n "$2" ] || col=11
	want="$col,$((row - 1))"
	i=0
	while [ "$(u_cursor)" != "$want" ]; do
		[ "$i" -lt 50 ] || { u_dump; t_fail "cursor at $(u_cursor), not $want (after '$2' on $1)"; }
		sleep 0.1
		i=$((i + 1))
	done
}

u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_wait '^>To:'
u_wait 'editing To - Enter: on to Subject'
cursor_at 'To:' ''
# The help's way: Enter, then type.
u_key Enter
u_type 'ali'
u_wait '^>To: +ali'
u_has '^ Subject: *$' "Subject stays empty"
cursor_at 'To:' 'ali'
u_key Enter
u_wait '^>Subject:'
u_wait 'editing Subject - Enter: on to the body'
cursor_at 'Subject:' ''
# Esc: no field edited; the bottom line says where the cursor is.
u_key Escape
u_wait 'on Subject - Enter: edit it'
u_wait_gone '^>'
# Up past Bcc and Cc to To, Enter: To is edited again, the cursor after ali.
u_type kkk
u_wait 'on To - Enter: edit it'
u_key Enter
u_wait '^>To: +ali'
u_wait 'editing To - Enter: done'
cursor_at 'To:' 'ali'
u_type 'ce@example.net'
u_wait '^>To: +alice@example.net'
u_key Enter
u_wait 'on To - Enter: edit it'
# Down to the body: Enter edits it in the built-in
# editor, the bottom line says so.
u_type jjjj
u_wait 'on the body - Enter: edit it'
u_key Enter
u_wait 'editing the body - Enter: new line'
u_type 'Hello'
u_wait '^  Hello'
u_key C-x
u_wait 'y: send +p: probe'
u_type q
u_wait 'Draft kept'
u_quit
t_pass
