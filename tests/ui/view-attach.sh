#!/bin/sh
# The message view lists the files of a sent message: number, name (a
# non-ASCII one decoded from RFC 2231), type and size.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-view-attach
t_smtpd plain --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$plain_port
glyphs = ascii
timeout = 10"
head -c 5000 /dev/urandom >"$T/data.bin"
printf 'Grüße\n' >"$T/été ☃.txt"
echo "See the files." | "$TERN" send -s "With files" --attach "$T/data.bin" \
    --attach "$T/été ☃.txt" bob@example.org >/dev/null ||
    t_fail "send exited $?"
t_assert_eq "$(t_count plain)" 1 "sent"
u_start
u_wait 'With files'
u_key Enter
u_wait 'Attachments \(2\)'
u_has 'See the files\.' "the body text"
u_has '1  data\.bin  \(application/octet-stream, 5 KiB\)' "the binary file"
u_has '2  été ☃\.txt  \(text/plain; charset="?utf-8"?, 8 B\)' "the non-ASCII name"
u_quit
t_pass
