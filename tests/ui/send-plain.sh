#!/bin/sh
# Send to a server without STARTTLS: the panel says why there is no TLS,
# the list shows the plaintext glyph (ASCII here, from "glyphs = ascii"),
# and the transport section keeps the reason.  The server has no
# 8BITMIME either: the UTF-8 body goes as quoted-printable and the view
# shows it decoded, as it does a quoted-printable ISO-8859-1 message
# given to "tern sendmail -t".
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-send-plain
t_smtpd plain --starttls none --no-8bitmime
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
u_type 'Hello Carol, Grüße aus München'
u_key C-x
u_wait 'y: send'
u_type y
u_wait 'Send "In the clear" \(finished\)' 15
u_has 'no TLS: .*STARTTLS' "why there was no TLS"
u_has '\[PLAIN\] +carol@example.net' "plaintext outcome"
t_assert_eq "$(t_count plain)" 1 "message on the server"
m=$(ls "$T"/plain/msg-*.eml | head -1)
grep -qi '^Content-Transfer-Encoding: quoted-printable' "$m" ||
    t_fail "body not quoted-printable for a server without 8BITMIME"
grep -q 'Gr=C3=BC=C3=9Fe' "$m" || t_fail "body not encoded on the wire"

u_type q
u_wait '\[PLAIN\] +[A-Z][a-z][a-z] [0-9]+ [0-9:]+ +carol@example.net +In the clear'
u_key Enter
u_wait 'Hello Carol, Grüße aus München'
if u_screen | grep -q '=C3'; then u_dump; t_fail "body shown encoded"; fi
u_type t
u_wait 'carol@example.net: plaintext'
u_has 'reason: +.*STARTTLS' "the reason is kept"
u_has 'TLS: +none: the message went in plaintext' "no TLS facts"
u_quit

printf '%s\n' 'To: dave@example.net' \
    'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=' \
    'MIME-Version: 1.0' \
    'Content-Type: text/plain; charset=iso-8859-1' \
    'Content-Transfer-Encoding: quoted-printable' \
    '' \
    'Sch=F6ne Gr=FC=DFe, this line is=' \
    ' joined.' |
    "$TERN" sendmail -t >/dev/null || t_fail "sendmail exited $?"
u_start
u_wait 'dave@example.net +Grüße'
u_key Enter
u_wait 'Subject +Grüße'
u_wait 'Schöne Grüße, this line is joined\.'
if u_screen | grep -q '=F6\|=\?UTF'; then u_dump; t_fail "shown encoded"; fi
u_quit
t_pass
