#!/bin/sh
# issue 12: undo of the last delete in the built-in editor: ^Y puts back
# what ^W, ^U or ^K deleted last, in a field and in the body, and the
# server gets the text restored.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-editor-undo
t_smtpd srv --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$srv_port
timeout = 10"

u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_type 'bob@example.org'
u_key C-u
u_wait '^>To: *$'
u_key C-y
u_wait '^>To: +bob@example.org$'
u_key Enter
u_type 'Kept words'
u_key C-w
u_wait '^>Subject: +Kept *$'
u_key C-y
u_wait '^>Subject: +Kept words$'
u_key Enter
u_wait 'editing the body'
u_type 'First line'
u_key Enter
u_type 'Second line'
u_key Up C-a C-k
u_wait_gone '^  First line$'
u_has '^  Second line$' "the second line kept"
u_key C-y
u_wait '^  First line$'
u_key C-x
u_wait 'y: send'
u_type y
u_wait 'finished' 15
t_assert_eq "$(t_count srv)" 1 "message on the server"
m=$(ls "$T"/srv/msg-*.eml | head -1)
grep -q '^Subject: Kept words' "$m" || t_fail "subject at the server: $(grep '^Subject' "$m")"
grep -q '^First line' "$m" || t_fail "the first line lost at the server"
grep -q '^Second line' "$m" || t_fail "the second line lost at the server"
u_quit
t_pass
