#!/bin/sh
# issue 12: the contacts counter follows every action at once: it says
# 1, then 2 after a second contact is added (the whole list shown, the
# cursor on the new contact), then 1 after a delete, then 0.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-contacts-count
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:1
timeout = 10"

add() {
	u_type a
	u_wait 'Address:'
	u_type "$1"
	u_key Enter
	u_wait 'Name:'
	u_type "$2"
	u_key Enter
	u_wait "Added $1"
}

u_start
u_wait 'Nothing sent yet'
u_type c
u_wait '> Contacts 0 *$'
add bob@example.org Bob
u_wait '> Contacts 1 *$'
add carol@example.org Carol
u_wait '> Contacts 2 *$'
u_has 'bob@example.org +Bob' "the whole list after the add"
u_has 'carol@example.org +Carol' "the new contact"
# The cursor is on the new contact: d names it.
u_type d
u_wait 'Delete the contact carol@example.org\?'
u_type y
u_wait 'Deleted'
u_wait '> Contacts 1 *$'
u_type d
u_wait 'Delete the contact bob@example.org\?'
u_type y
u_wait '> Contacts 0 *$'
u_has 'No contacts yet' "the empty list"
u_quit
t_pass
