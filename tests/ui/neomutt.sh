#!/bin/sh
# neomutt with set sendmail="tern sendmail" (its default flags: -oem -oi
# -- RCPT...), driven in tmux: a message with To, Cc and Bcc arrives
# intact, the Bcc recipient gets it, no Bcc header is sent, and neomutt
# says the mail was sent.
set -eu
. "$top_srcdir/tests/ui/lib.sh"
t_setup ui-neomutt
command -v neomutt >/dev/null 2>&1 || t_skip "neomutt not installed"
t_smtpd s --starttls none
t_config "from = Alice Example <alice@example.org>
relay = smtp://127.0.0.1:$s_port
timeout = 5"

mkdir -p "$T/Mail/cur" "$T/Mail/new" "$T/Mail/tmp"
cat >"$T/muttrc" <<EOF
set sendmail="$TERN sendmail"
set from="Alice Example <alice@example.org>"
set use_from=yes
set folder="$T/Mail"
set spoolfile="$T/Mail"
set mbox_type=Maildir
set record=""
set copy=no
set editor="true"
set edit_headers=no
set fast_reply=yes
set abort_noattach=no
set abort_unmodified=no
set crypt_autosign=no
set crypt_opportunistic_encrypt=no
set sendmail_wait=0
set help=no
EOF
printf 'Hello from neomutt.\n.\nA line after a lone dot.\n' >"$T/body"

U_SOCK=$T/tmux.sock
tmux -S "$U_SOCK" -f /dev/null new-session -d -s tern -x 100 -y 30 \
    env TERM=screen-256color LANG=C.UTF-8 HOME="$HOME" \
    XDG_CONFIG_HOME="$XDG_CONFIG_HOME" XDG_DATA_HOME="$XDG_DATA_HOME" \
    neomutt -n -F "$T/muttrc" -s 'From neomutt' -c cc@example.net \
    -b hidden@example.net -i "$T/body" to@example.net ||
    t_fail "tmux new-session"
tmux -S "$U_SOCK" set-option -g remain-on-exit on >/dev/null
_t_pids="$_t_pids $(tmux -S "$U_SOCK" display-message -p '#{pid}')"

# The compose screen, then y sends.
u_wait 'From neomutt' 15
u_wait 'hidden@example.net'
tmux -S "$U_SOCK" send-keys -t tern y
u_wait 'Mail sent' 20

t_assert_eq "$(t_count s)" 1 "messages at the server"
log=$(t_log s)
t_assert_eq "$(t_json_get "$log" rcpts)" \
    '["to@example.net", "cc@example.net", "hidden@example.net"]' "recipients"
m=$(ls "$T"/s/msg-*.eml | head -1)
if grep -qi '^bcc:\|hidden@' "$m"; then t_fail "Bcc transmitted"; fi
grep -q '^To: to@example.net' "$m" || t_fail "To header"
grep -q '^Cc: cc@example.net' "$m" || t_fail "Cc header"
grep -q '^Subject: From neomutt' "$m" || t_fail "Subject"
grep -q '^From: Alice Example <alice@example.org>' "$m" || t_fail "From"
grep -q '^Hello from neomutt' "$m" || t_fail "body"
grep -q '^A line after a lone dot' "$m" || t_fail "text after a lone dot"
tmux -S "$U_SOCK" kill-server 2>/dev/null || :
t_pass
