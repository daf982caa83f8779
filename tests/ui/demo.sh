#!/bin/sh
# tern demo: loopback servers, a throw-away config and store with
# contacts; one message shows verified, plaintext and held at once, and
# everything is gone after quitting.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-demo
command -v certtool >/dev/null 2>&1 || t_skip "certtool (gnutls-bin) not installed"

U_ENV="TMPDIR=$T" u_start demo
u_wait 'Nothing sent yet' 30
u_type c
u_wait 'dave@legacy.example +Dave +YES verify \(contact\)'
u_has 'carol@bank.example +Carol +yes verify \(domain\)' "domain rule"
u_type q
u_type m
u_wait 'Compose'
u_type 'alice@secure.example, bob@legacy.example, dave@legacy.example'
u_key Enter
u_type 'Demo'
u_key Enter
u_type 'Hello from the demo.'
u_key Escape
u_type y
u_wait 'Send "Demo" \(finished\)' 20
u_has '🔐 +alice@secure.example .*verified: TLS1' "verified"
u_has '🔓 +bob@legacy.example .*plaintext: ' "plaintext"
u_has '\[HELD\] +dave@legacy.example' "held"
ls -d "$T"/tern-demo.* >/dev/null 2>&1 || t_fail "no demo directory"
u_quit
if ls -d "$T"/tern-demo.* >/dev/null 2>&1; then
	t_fail "the demo directory is still there"
fi
t_pass
