#!/bin/sh
# Send to a server without STARTTLS: the panel says why there is no TLS,
# the list shows the plaintext glyph (ASCII here, from "glyphs = ascii"),
# and the transport section keeps the reason.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-send-plain
t_smtpd plain --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$plain_port
glyphs = ascii
timeout = 10"

u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_type 'carol@example.net'
u_key Enter
u_type 'In the clear'
u_key Enter
u_type 'Hello Carol'
u_key C-x
u_wait 'y: send'
u_type y
u_wait 'Send "In the clear" \(finished\)' 15
u_has 'no TLS: .*STARTTLS' "why there was no TLS"
u_has '\[PLAIN\] +carol@example.net' "plaintext outcome"
t_assert_eq "$(t_count plain)" 1 "message on the server"

u_type q
u_wait '\[PLAIN\] +[A-Z][a-z][a-z] [0-9]+ [0-9:]+ +carol@example.net +In the clear'
u_key Enter
u_wait 'Hello Carol'
u_type t
u_wait 'carol@example.net: plaintext'
u_has 'reason: +.*STARTTLS' "the reason is kept"
u_has 'TLS: +none: the message went in plaintext' "no TLS facts"
u_quit
t_pass
