#!/bin/sh
# A send to a server that stalls in DATA runs in a worker: the status line
# says what is sending while the keyboard stays live (leave the panel,
# switch lists, open help and contacts, start another message, resize the
# terminal); when the server times out the message waits in the Outbox.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-live
t_smtpd slow --starttls none --fault stall-data
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$slow_port
glyphs = ascii
timeout = 4"

u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_type 'erin@example.net'
u_key Enter
u_type 'Slow one'
u_key Enter
u_type 'This will stall.'
u_key Escape
u_type y
u_wait 'Send "Slow one" \(running\)'
u_wait 'DATA'
u_has 'Sending "Slow one"' "status line while sending"

# Leave the panel: the lists, help and contacts work during the send.
u_type q
u_wait 'Sending "Slow one"'
u_key Tab
u_wait '2 Outbox 1 '
u_type '?'
u_wait 'Glyphs \(a message shows'
u_has '\[TLS\+\] +verified' "glyph legend"
u_resize 70 20
u_wait 'Sending "Slow one"'
u_type q
u_type c
u_wait 'No contacts yet'
u_resize 120 40
u_wait 'Sending "Slow one"'
u_type q
u_type m
u_wait 'Compose'
u_type 'typing while it sends'
u_wait 'To: +typing while it sends'
u_has 'Sending "Slow one"' "still sending"
u_key Escape
u_type D
u_wait 'Discard this draft'
u_type y

# The server stalls; tern gives up after its timeout, the message waits.
u_wait 'Nothing sending\. Last: "Slow one"' 20
u_type 2
u_wait '\[WAIT\] .*Slow one +\(1 waiting\)'
u_has 'erin@example.net .*deferred' "deferred with a reason"
u_resize 100 30
u_quit
t_pass
