#!/bin/sh
# issue 12: u undoes the last delete in Drafts (the draft back with its
# body) and in Contacts (the contact back with its TLS requirement); t
# typed fast cycles the requirement once per key.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-list-undo
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:1
timeout = 10"

u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_type 'bob@example.org'
u_key Enter
u_type 'Keep me'
u_key Enter
u_wait 'editing the body'
u_type 'The body to keep.'
u_key C-x
u_wait 'y: send'
u_type q
u_wait 'Draft kept'
u_type 3
u_wait 'Drafts 1'
u_type u
u_wait 'Nothing to undo'
u_type d
u_wait 'Delete "Keep me"'
u_type y
u_wait 'Deleted \(u: undo\)'
u_wait 'Drafts 0'
u_type u
u_wait 'The draft is back'
u_wait 'Drafts 1'
u_has 'bob@example.org +Keep me' "the draft listed again"
u_key Enter
u_wait 'Compose \(draft'
u_has '^  The body to keep\.$' "the body restored"
u_type q
# Contacts: the policy comes back too.
u_type c
u_wait 'Contacts 0'
u_type a
u_wait 'Address:'
u_type 'carol@example.org'
u_key Enter
u_wait 'Name:'
u_type 'Carol'
u_key Enter
u_wait 'Added carol'
u_type t
u_wait 'carol@example.org +Carol +no +may \(contact\)'
u_type t
u_wait 'carol@example.org +Carol +YES encrypt \(contact\)'
u_type t
u_wait 'carol@example.org +Carol +YES verify \(contact\)'
u_type d
u_wait 'Delete the contact carol'
u_type y
u_wait 'Deleted carol@example.org \(u: undo\)'
u_wait 'Contacts 0'
u_type u
u_wait 'Restored carol@example.org'
u_wait 'Contacts 1'
u_has 'carol@example.org +Carol +YES verify \(contact\)' "the contact and its policy"
# Three t typed at once cycle three steps (verify, default, may, encrypt).
u_type ttt
u_wait 'carol@example.org +Carol +YES encrypt \(contact\)'
u_quit
t_pass
