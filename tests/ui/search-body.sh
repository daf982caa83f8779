#!/bin/sh
# issue 12: '/' in the lists also searches the bodies: a word that is
# only in a body finds its message in Sent (decoded from the message's
# MIME text, case folded beyond ASCII: the quoted-printable "Hauptstraße"
# found by /hauptstraße) and in Drafts; a word in no body finds
# nothing.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-search-body
t_smtpd plain
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$plain_port
timeout = 10"
printf 'The meeting is at the old lighthouse.\n' |
    "$TERN" send -s 'Plans' bob@example.org >/dev/null || t_fail "send 1"
printf 'We meet in the Hauptstraße, by the Zebrafink.\n' |
    "$TERN" send -s 'Where' bob@example.org >/dev/null || t_fail "send 2"
printf 'Nothing to see.\n' |
    "$TERN" send -s 'Other' bob@example.org >/dev/null || t_fail "send 3"

u_start
u_wait 'Sent 3'
u_type /
u_type 'LIGHTHOUSE'
u_key Enter
u_wait 'Sent 1 \[/LIGHTHOUSE\]'
u_has 'Plans' "a word of the body finds the message"
u_type /
u_key C-u
u_type 'HAUPTSTRASSE'
u_key Enter
u_wait 'No message matches the search'
u_type /
u_key C-u
u_type 'hauptstraße'
u_key Enter
u_wait 'Sent 1 \[/hauptstraße\]'
u_has 'Where' "a non-ASCII word of a quoted-printable body"
u_type /
u_key C-u
u_type 'zebrafinch'
u_key Enter
u_wait 'No message matches the search'
u_type /
u_key C-u
u_key Enter
u_wait 'Sent 3  '
# A draft's body.
u_type m
u_wait 'Compose'
u_type 'carol@example.org'
u_key Enter
u_type 'Unfinished'
u_key Enter
u_wait 'editing the body'
u_type 'Remember the Kumquat.'
u_key C-x
u_wait 'y: send'
u_type q
u_wait 'Draft kept'
u_type 3
u_wait 'Drafts 1'
u_type /
u_type 'kumquat'
u_key Enter
u_wait 'Drafts 1 \[/kumquat\]'
u_has 'Unfinished' "a word of a draft's body"
u_type /
u_key C-u
u_type 'lighthouse'
u_key Enter
u_wait 'No message matches the search'
u_quit
t_pass
