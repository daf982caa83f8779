#!/bin/sh
# Add a contact in the interface and make it require TLS (t cycles the
# policy, shown in words); a message to it is held at a server without
# STARTTLS, with words saying what to do, and waits in the Outbox.  Relax
# the contact and retry from the Outbox: it is delivered, once.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-held
t_smtpd plain --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$plain_port
glyphs = ascii
timeout = 10"

u_start
u_wait 'Nothing sent yet'
u_type c
u_wait 'No contacts yet'
u_type a
u_wait 'Address:'
u_type 'Bob Example <bob@example.net>'
u_key Enter
u_wait 'Name: Bob Example'
u_key Enter
u_wait 'bob@example.net +Bob Example +no +may \(default\)'
u_type t
u_wait 'bob@example.net: may'
u_type t
u_wait 'YES encrypt \(contact\): TLS required, any certificate'
u_type t
u_wait 'YES verify \(contact\): TLS required, certificate verified'
t_assert_match "$("$TERN" contacts list --json)" '"tls":"verify"' "policy in the store"
u_type q
u_wait 'Nothing sent yet'

# Compose with completion from the contacts.
u_type m
u_wait 'Compose'
u_type 'bo'
u_wait '> bob@example.net +Bob Example +tls verify'
u_key Tab
u_wait 'bob@example.net +verify \(contact\) TLS required'
u_key Enter
u_type 'For Bob only over TLS'
u_key Enter
u_type 'Secret'
u_key Escape
u_wait 'y: send'
u_type y
u_wait 'Send "For Bob only over TLS" \(finished\)' 15
# The server's transcript: tern asked, and sent no MAIL FROM or RCPT TO.
t_assert_not_received plain '^(MAIL FROM|RCPT TO)' "nothing reached the server"
t_assert_match "$(t_commands plain)" '^EHLO ' "tern asked the server"
u_has '\[HELD\] +bob@example.net' "held in the panel"
u_has 'requires TLS \(verify, set on the contact\)' "words on what to do"
t_assert_eq "$(t_count plain)" 0 "nothing accepted by the server"

u_type q
u_type 2
u_wait 'Outbox 1'
u_has 'bob@example.net +\[policy now verify, from contact\] +held: ' "held in the outbox"
u_has 'relax it' "advice in the outbox"

# Relax the contact: back to the default, shown at once in the outbox.
u_type c
u_wait 'bob@example.net'
u_type t
u_wait 'follows the domain rule or your default'
u_wait 'bob@example.net +Bob Example +no +may \(default\)'
u_type q
u_wait 'policy now may, from default'
u_type r
u_wait 'The outbox is empty' 15
t_assert_eq "$(t_count plain)" 1 "delivered after the retry"
t_assert_eq "$(t_log plain | grep -c 'bob@example.net')" 1 "delivered once"
u_type 1
u_wait '\[PLAIN\] .*bob@example.net +For Bob only over TLS'
u_type t
u_wait 'earlier attempts \(1\):'
u_has 'held ' "the held attempt is listed"
u_quit
t_pass
