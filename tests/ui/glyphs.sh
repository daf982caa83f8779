#!/bin/sh
# issue 12: the outcome glyphs differ in shape, not only in colour (a
# lock with its key for verified, a bare lock for encrypted, an open
# lock for plaintext), and the selected row keeps the glyph's colour.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-glyphs
t_certs
t_smtpd tls --cert "$T/certs/good-chain.pem" --key "$T/certs/good-key.pem"
t_config "from = Alice <alice@example.org>
relay = smtp://localhost:$tls_port
ca_file = $T/certs/ca.pem
timeout = 10"
echo hi | "$TERN" send -s verified bob@example.org >/dev/null ||
    t_fail "send exited $?"
u_start
u_wait 'verified'
# The selected row (the only one) keeps its colour: green, reversed.
line=$(tmux -S "$U_SOCK" capture-pane -e -p -t tern | grep 'verified' |
    head -1)
case $line in
*"🔐"*) ;;
*) t_fail "no key-lock glyph on the verified row: $line" ;;
esac
printf '%s' "$line" | grep -q "$(printf '\033')\\[[0-9;]*\\(32\\|92\\)[;m]" ||
    t_fail "the selected row lost the glyph's colour: $(printf '%s' "$line" | od -c | head -3)"
# The legend: three shapes.
u_type '?'
u_wait 'Help'
u_has '🔐 +verified' "the verified glyph in the legend"
u_has '🔒 +encrypted' "the encrypted glyph in the legend"
u_has '🔓 +plaintext' "the plaintext glyph in the legend"
u_quit
t_pass
