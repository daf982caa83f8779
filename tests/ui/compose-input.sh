#!/bin/sh
# Typing in the composer under LANG=C: the UTF-8 bytes the terminal sends
# are kept (nothing dropped from the first non-ASCII byte on) and the
# server gets the subject whole.  The terminal's cursor sits where text
# goes: after "ali" on the To line, marked '>' as the field being edited,
# then in the Subject field.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-compose-input
t_smtpd srv --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$srv_port
timeout = 10"

u_cursor() {
	tmux -S "$U_SOCK" display -p -t tern '#{cursor_x},#{cursor_y}'
}

U_LANG=C
U_ENV="LC_ALL=C"
u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_type 'ali'
u_wait '^>To: +ali'
# The To line's row, and the column right after "ali".
row=$(u_screen | grep -n '^>To:' | head -1 | cut -d: -f1)
col=$(u_screen | grep '^>To:' | head -1 | sed 's/ali.*//' | wc -c)
want="$((col + 2)),$((row - 1))"
i=0
while [ "$(u_cursor)" != "$want" ]; do
	[ "$i" -lt 50 ] || { u_dump; t_fail "cursor at $(u_cursor), not $want (after ali in To)"; }
	sleep 0.1
	i=$((i + 1))
done
u_type 'ce@example.net'
u_key Enter
u_wait '^>Subject:'
srow=$(u_screen | grep -n '^>Subject:' | head -1 | cut -d: -f1)
case $(u_cursor) in
*",$((srow - 1))") ;;
*) u_dump; t_fail "cursor at $(u_cursor), not on the Subject line";;
esac
u_type 'Grüße ☃'
# Shown in some form (the C locale cannot draw it), never cut to "Gr".
u_wait '^>Subject: +Gr.+e .'
u_key Enter
u_type 'Body text'
u_key C-x
u_wait 'y: send'
u_type y
u_wait 'finished' 15
t_assert_eq "$(t_count srv)" 1 "message on the server"
m=$(ls "$T"/srv/msg-*.eml | head -1)
subj=$(python3 - "$m" <<'PY'
import email, email.header, sys
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'))
print(str(email.header.make_header(email.header.decode_header(msg['Subject']))))
PY
)
t_assert_eq "$subj" "Grüße ☃" "the subject at the server"
u_quit
t_pass
