#!/bin/sh
# issue 12: the demo says it is a demo and what each contact shows; a
# message delivered to two recipients and held for the third is listed in
# Sent ("2 delivered, 1 held") and in the Outbox, whose delete question
# says to whom it was delivered; the panel's log says "starttls sent", not
# "starttls STARTTLS".
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-partial-sent
command -v certtool >/dev/null 2>&1 || t_skip "certtool (gnutls-bin) not installed"

U_COLS=120 U_ROWS=40
U_ENV="TMPDIR=$T" u_start demo
u_wait 'Nothing sent yet' 30
u_has 'This is a demo' "the demo says so"
u_has 'alice@secure\.example +verified' "what alice shows"
u_has 'bob@legacy\.example +plaintext' "what bob shows"
u_has 'dave@legacy\.example +held' "what dave shows"
u_has 'carol@bank\.example +held' "what carol shows"
u_type m
u_wait 'Compose'
u_type 'alice@secure.example, bob@legacy.example, dave@legacy.example'
u_key Enter
u_type 'Partly'
u_key Enter
u_type 'Two of three.'
u_key Escape
u_type y
u_wait 'Send "Partly" \(finished\)' 20
u_has 'starttls sent' "the STARTTLS command in the log"
if u_screen | grep -q 'STARTTLS STARTTLS\|starttls STARTTLS'; then
	u_dump
	t_fail "STARTTLS said twice"
fi
u_type q
u_wait 'Sent 1 +2 Outbox 1'
u_has 'Partly +\(2 delivered, 1 held\)' "partly delivered in Sent"
if u_screen | grep -q 'Nothing sent yet'; then
	u_dump
	t_fail "Sent still looks empty"
fi
u_key Tab
u_wait 'Partly +\(1 waiting, 2 delivered\)'
u_has 'dave@legacy\.example' "the held recipient in the Outbox"
u_type d
u_wait 'lready delivered to'
u_screen | tr -d '\n' | grep -q 'alice@secure\.example.*bob@legacy\.example' ||
    { u_dump; t_fail "the delete question names the delivered"; }
u_type n
u_wait_gone 'lready delivered to'
u_has 'Partly' "kept after n"
u_quit
t_pass
