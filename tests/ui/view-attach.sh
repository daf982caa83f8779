#!/bin/sh
# The message view lists the files of a sent message: number, name (a
# non-ASCII one decoded from RFC 2231), type and size; s saves one (the
# bytes by hash), an existing file is not overwritten unless confirmed.
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

# s: which one, where; the saved bytes are the sent ones.
u_type s
u_wait 'Save which attachment \(1-2\)'
u_key C-u
u_type 1
u_key Enter
u_wait 'Save data\.bin to:'
u_key C-u
u_type "$T/saved.bin"
u_key Enter
u_wait 'Saved data\.bin \(5000 bytes\)'
t_assert_eq "$(sha256sum <"$T/saved.bin")" "$(sha256sum <"$T/data.bin")" \
    "the saved file's bytes"
# The same path again: asked, and "n" keeps the file.
echo keep >"$T/saved.bin"
u_type s
u_wait 'Save which attachment'
u_key C-u
u_type 1
u_key Enter
u_wait 'Save data\.bin to:'
u_key C-u
u_type "$T/saved.bin"
u_key Enter
u_wait 'saved\.bin exists: overwrite it\?'
u_type n
u_wait 'Not saved\.'
t_assert_eq "$(cat "$T/saved.bin")" keep "not overwritten"
# The second, by its decoded name, to a directory that is there.
mkdir "$T/out"
u_type s
u_wait 'Save which attachment'
u_key C-u
u_type 2
u_key Enter
u_wait 'Save été ☃\.txt to:'
u_key C-u
u_type "$T/out/été ☃.txt"
u_key Enter
u_wait 'Saved été ☃\.txt \(8 bytes\)'
t_assert_eq "$(sha256sum <"$T/out/été ☃.txt")" \
    "$(sha256sum <"$T/été ☃.txt")" "the second file's bytes"
u_quit
t_pass
