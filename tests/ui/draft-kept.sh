#!/bin/sh
# Nothing is lost: a draft is saved as it is written, also when the
# terminal goes away in the middle of typing (SIGHUP); reopening shows it
# in Drafts with every field, and the history is still there.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-draft
t_smtpd plain --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$plain_port
timeout = 5"
echo "old news" | "$TERN" send -s "Sent before" old@example.net >/dev/null ||
    t_fail "tern send"

u_start
u_wait '1 Sent 1 '
u_type m
u_wait 'Compose'
u_type 'dan@example.org'
u_key Enter
u_type 'Unfinished'
u_key Enter
u_type 'line one'
u_key Enter
u_type 'and a lin'
# The terminal goes away while the body is being typed.
pid=$(tmux -S "$U_SOCK" display-message -p -t tern '#{pane_pid}')
kill -HUP "$pid"
u_wait_exit 10

u_start
u_wait '3 Drafts 1( |$)'
u_has '1 Sent 1 ' "history kept"
u_type 3
u_wait 'dan@example.org +Unfinished'
u_key Enter
u_wait 'Compose \(draft saved'
u_has 'To: +dan@example.org' "To kept"
u_has 'Subject: +Unfinished' "Subject kept"
u_has '^  line one' "body kept"
u_has '^  and a lin' "the last keys kept"

# Finish it and leave with q: still a draft, with the new text.
u_type e
u_type 'e'
u_key Escape
u_type q
u_wait 'Draft kept in Drafts'
u_quit
u_start
u_type 3
u_wait 'dan@example.org +Unfinished'
u_key Enter
u_wait '^  and a line'
u_quit
t_assert_eq "$(t_count plain)" 1 "the draft was never sent"
t_pass
