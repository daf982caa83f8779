#!/bin/sh
# Attachments in the composer: a attaches a file through a path prompt
# whose Tab completes it, the composer lists each with type and size, x
# removes one, a draft keeps them, and the server gets each file's bytes
# (sha256 compared).
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-attach
command -v python3 >/dev/null 2>&1 || t_skip "no python3"
t_smtpd plain --starttls none
t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$plain_port
glyphs = ascii
timeout = 10"
mkdir "$T/docs"
printf '%%PDF-1.4\n%%\342\343\317\323\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%%%EOF\n' \
    >"$T/docs/report-2026.pdf"
head -c 30000 /dev/urandom >"$T/docs/photo.raw"
printf 'not wanted\n' >"$T/docs/zz-extra.txt"

u_start
u_wait 'Nothing sent yet'
u_type m
u_wait 'Compose'
u_type 'bob@example.org'
u_key Enter
u_type 'Files for you'
u_key Enter
u_type 'Two files.'
u_key Escape
u_wait 'y: ?send|y:send'

# Tab completes the path: "rep" is one file.
u_type a
u_wait 'Attach file:'
u_type "$T/docs/rep"
u_key Tab
u_wait "Attach file: $T/docs/report-2026\\.pdf"
u_key Enter
u_wait 'Attached report-2026\.pdf \(application/pdf'
u_type a
u_wait 'Attach file:'
u_type "$T/docs/ph"
u_key Tab
u_key Enter
u_wait 'Attached photo\.raw \(application/octet-stream, 30 KiB\)'
u_type a
u_wait 'Attach file:'
u_type "$T/docs/zz"
u_key Tab
u_key Enter
u_wait 'Attachments \(3; a: add, x: remove\)'
u_has '1  report-2026\.pdf  \(application/pdf, [0-9]+ B\)' "listed with type and size"
u_has '2  photo\.raw  \(application/octet-stream, 30 KiB\)' "the second"
u_has '3  zz-extra\.txt  \(text/plain' "the third"
# A file that is not there: said, nothing attached.
u_type a
u_wait 'Attach file:'
u_type "$T/docs/missing.bin"
u_key Enter
u_wait "cannot attach $T/docs/missing\\.bin: No such file"
# x removes one.
u_type x
u_wait 'Remove which attachment \(1-3\)'
u_type 3
u_key Enter
u_wait 'Removed zz-extra\.txt'
u_wait 'Attachments \(2; a: add, x: remove\)'

# The draft keeps them.
u_type q
u_wait 'Draft kept in Drafts'
u_type 3
u_wait 'bob@example.org +Files for you'
u_key Enter
u_wait 'Attachments \(2; a: add, x: remove\)'
u_has '2  photo\.raw' "still attached after reopening"
u_type y
u_wait 'Send "Files for you" \(finished\)' 15
t_assert_eq "$(t_count plain)" 1 "sent once"
cat >"$T/parts.py" <<'PY'
import email, hashlib, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=policy.default)
for p in m.iter_attachments():
    print(p.get_filename(), p.get_content_type(),
        hashlib.sha256(p.get_payload(decode=True)).hexdigest())
PY
parts=$(python3 "$T/parts.py" "$T/plain/msg-1.eml")
echo "$parts" >&2
t_assert_eq "$(echo "$parts" | grep -c .)" 2 "two attachments arrived"
t_assert_match "$parts" "^report-2026.pdf application/pdf $(sha256sum <"$T/docs/report-2026.pdf" | cut -d' ' -f1)\$" \
    "the PDF's bytes"
t_assert_match "$parts" "^photo.raw application/octet-stream $(sha256sum <"$T/docs/photo.raw" | cut -d' ' -f1)\$" \
    "the binary's bytes"
u_quit
t_pass
