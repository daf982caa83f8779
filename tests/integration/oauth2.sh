#!/bin/sh
# SMTP AUTH with OAuth2 access tokens: XOAUTH2 (as Google documents it)
# and OAUTHBEARER (RFC 7628), the token printed by passcmd.  The test
# server accepts only the right user and token, answers a wrong one with
# each mechanism's error dance (334 + JSON, the client's end of the
# exchange, then 535) and a wrong end of it with 501.  A refused token is
# deferred with a reason naming account and mechanism; the token never
# shows in tern's output or its store; auth = auto never sends a password
# as a token; nothing goes out over plaintext.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup oauth2
t_certs
c=$T/certs
command -v python3 >/dev/null 2>&1 || t_skip "python3 not installed"
user=alice@example.org
good=ya29.tok-GOOD-7f3a9c
wrong=ya29.tok-WRONG-55e1b0
# Past 512 octets of AUTH line once in base64: no initial response.
long=ya29.$(python3 -c 'print("L" * 700)')
t_smtpd xo --cert "$c/good-chain.pem" --key "$c/good-key.pem" \
    --auth "$user:$good" --auth-mech XOAUTH2
t_smtpd ob --cert "$c/good-chain.pem" --key "$c/good-key.pem" \
    --auth "$user:$good" --auth-mech OAUTHBEARER
t_smtpd lg --cert "$c/good-chain.pem" --key "$c/good-key.pem" \
    --auth "$user:$long" --auth-mech 'XOAUTH2 OAUTHBEARER'
t_smtpd other --cert "$c/good-chain.pem" --key "$c/good-key.pem" \
    --auth "$user:$good" --auth-mech 'CRAM-MD5 GSSAPI'
t_smtpd pw --cert "$c/good-chain.pem" --key "$c/good-key.pem" \
    --auth "$user:s3cret-password"
t_smtpd plain --starttls none --auth "$user:$good" --auth-plaintext \
    --auth-mech XOAUTH2

# conf PORT AUTH PASSCMD [EXTRA]
conf() {
	t_config "from = Alice <$user>
relay = smtp://localhost:$1
user = $user
auth = $2
passcmd = $3
ca_file = $c/ca.pem
timeout = 10
$4"
}

# no_secret WHAT STRING...: none of the strings in $T/out, $T/err or the
# store (tern.db and its journal files).
no_secret() {
	_w=$1
	shift
	for _s in "$@"; do
		if grep -aqF -- "$_s" "$T/out" "$T/err" ||
		    grep -raqF -- "$_s" "$XDG_DATA_HOME/tern"; then
			t_fail "$_w: the token shows in tern's output or store"
		fi
	done
}

# send: one message to bob, JSON outcome in $T/out, rc in $rc.
send() {
	rc=0
	echo hi | "$TERN" -v send --json bob@example.net >"$T/out" \
	    2>"$T/err" || rc=$?
	out=$(cat "$T/out")
}

# A server offering only XOAUTH2; auth = xoauth2, the token from passcmd.
conf "$xo_port" xoauth2 "echo $good" ""
send
t_assert_eq "$rc" 0 "XOAUTH2: exit ($(cat "$T/err"))"
t_assert_eq "$(t_json_get "$out" outcome)" verified "XOAUTH2: outcome"
t_wait_sessions xo 1
t_assert_eq "$(t_json_get "$(t_log xo)" auth)" "$user" "XOAUTH2: user"
t_assert_eq "$(t_json_get "$(t_sessions xo | tail -n 1)" auth_mech)" \
    XOAUTH2 "XOAUTH2: mechanism the server saw"
no_secret "XOAUTH2, -v" "$good"

# The same with OAUTHBEARER (case does not matter in the config).
conf "$ob_port" OAuthBearer "echo $good" ""
send
t_assert_eq "$rc" 0 "OAUTHBEARER: exit ($(cat "$T/err"))"
t_assert_eq "$(t_json_get "$out" outcome)" verified "OAUTHBEARER: outcome"
t_wait_sessions ob 1
t_assert_eq "$(t_json_get "$(t_sessions ob | tail -n 1)" auth_mech)" \
    OAUTHBEARER "OAUTHBEARER: mechanism the server saw"
no_secret "OAUTHBEARER, -v" "$good"

# A token too long for the AUTH line goes after the server's 334.
for m in xoauth2 oauthbearer; do
	conf "$lg_port" $m "echo $long" ""
	send
	t_assert_eq "$rc" 0 "$m, long token: exit ($(cat "$T/err"))"
	t_assert_eq "$(t_json_get "$out" outcome)" verified \
	    "$m, long token: outcome"
done
t_assert_eq "$(t_count lg)" 2 "long tokens: messages"

# A wrong token: deferred, the 535 reason names account and mechanism
# (a client that botched the error dance would get 501, not 535).
n=$(t_count xo)
conf "$xo_port" xoauth2 "echo $wrong" ""
send
t_assert_eq "$rc" 75 "XOAUTH2, wrong token: exit"
t_assert_eq "$(t_json_get "$out" outcome)" deferred \
    "XOAUTH2, wrong token: outcome"
r=$(t_json_get "$out" reason)
t_assert_match "$r" "^authentication as $user failed with XOAUTH2 at localhost: 535 " \
    "XOAUTH2, wrong token: reason"
t_assert_match "$r" 'OAuth2 status "401"' "XOAUTH2: the JSON status"
t_assert_match "$r" 'check the token command \(passcmd\)' "XOAUTH2: advice"
t_assert_match "$(t_json_get "$out" reply)" '^535 5\.7\.8' "XOAUTH2: reply"
t_assert_eq "$(t_count xo)" "$n" "XOAUTH2, wrong token: nothing delivered"
no_secret "XOAUTH2, wrong token" "$wrong"
# Queued: the flush fails the same way and still shows no token.
rc=0
"$TERN" -v flush >"$T/out" 2>"$T/err" || rc=$?
t_assert_eq "$rc" 75 "XOAUTH2, flush with the wrong token: exit"
no_secret "XOAUTH2, flush" "$wrong"

conf "$ob_port" oauthbearer "echo $wrong" ""
send
t_assert_eq "$rc" 75 "OAUTHBEARER, wrong token: exit"
r=$(t_json_get "$out" reason)
t_assert_match "$r" "^authentication as $user failed with OAUTHBEARER at localhost: 535 " \
    "OAUTHBEARER, wrong token: reason"
t_assert_match "$r" 'OAuth2 status "invalid_token"' \
    "OAUTHBEARER: the JSON status"
no_secret "OAUTHBEARER, wrong token" "$wrong"

# auth = auto with a password: it is not sent as a token.
rm -f "$XDG_DATA_HOME/tern/tern.db"*
mark=$(t_cmd_mark xo)
conf "$xo_port" auto "echo s3cret-password" ""
send
t_assert_eq "$rc" 75 "auto against XOAUTH2: exit"
t_assert_eq "$(t_json_get "$out" outcome)" deferred "auto: outcome"
r=$(t_json_get "$out" reason)
t_assert_match "$r" 'localhost wants OAuth2 \(it offers XOAUTH2\)' "auto: reason"
t_assert_match "$r" 'config says auth = auto' "auto: reason names auth"
t_assert_match "$r" 'set auth = xoauth2' "auto: advice"
t_assert_not_received xo '^AUTH' "auto: no AUTH sent" "$mark"
no_secret "auto" s3cret-password

# auth = xoauth2 where only OAUTHBEARER is offered: which one to set.
conf "$ob_port" xoauth2 "echo $good" ""
send
t_assert_eq "$rc" 75 "xoauth2 against OAUTHBEARER: exit"
t_assert_match "$(t_json_get "$out" reason)" \
    'does not offer AUTH XOAUTH2 \(auth = xoauth2\) but OAUTHBEARER.*set auth = oauthbearer' \
    "xoauth2 against OAUTHBEARER: reason"

# Only mechanisms tern cannot use: the reason names them.
mark=$(t_cmd_mark other)
conf "$other_port" auto "echo s3cret-password" ""
send
t_assert_eq "$rc" 75 "CRAM-MD5 GSSAPI only: exit"
t_assert_match "$(t_json_get "$out" reason)" \
    'offers no AUTH mechanism tern supports \(it offers CRAM-MD5 GSSAPI;' \
    "CRAM-MD5 GSSAPI only: reason"
t_assert_not_received other '^AUTH' "CRAM-MD5 GSSAPI only: no AUTH" "$mark"

# Never over plaintext, even with auth = xoauth2: held, nothing sent.
t_config "from = Alice <$user>
relay = smtp://127.0.0.1:$plain_port
user = $user
auth = xoauth2
passcmd = echo $good
timeout = 10"
send
t_assert_eq "$rc" 75 "plaintext: exit"
t_assert_eq "$(t_json_get "$out" outcome)" held "plaintext: outcome"
t_assert_match "$(t_json_get "$out" reason)" \
    'does not send an access token without TLS' "plaintext: reason"
t_assert_eq "$(t_count plain)" 0 "plaintext: nothing delivered"
t_wait_sessions plain 1
if t_sessions plain | grep -q '"AUTH'; then
	t_fail "AUTH was sent over plaintext"
fi

# Each account has its own auth and passcmd: a password account (PLAIN)
# at the top, an OAuth2 one in [account gmail].
t_config "from = Alice <$user>
relay = smtp://localhost:$pw_port
user = $user
passcmd = echo s3cret-password
ca_file = $c/ca.pem
timeout = 10

[account gmail]
from = Alice <alice@gmail.example>
relay = smtp://localhost:$xo_port
user = $user
auth = xoauth2
passcmd = echo $good"
n=$(t_count xo)
for a in gmail default; do
	rc=0
	echo hi | "$TERN" -a $a send --json bob@example.net >"$T/out" \
	    2>"$T/err" || rc=$?
	t_assert_eq "$rc" 0 "account $a: exit ($(cat "$T/out" "$T/err"))"
done
t_assert_eq "$(t_count xo)" $((n + 1)) "account gmail: through XOAUTH2"
t_assert_eq "$(t_count pw)" 1 "account default: through PLAIN"
t_wait_sessions pw 1
t_assert_eq "$(t_json_get "$(t_sessions pw | tail -n 1)" auth_mech)" \
    PLAIN "account default: mechanism"

# A mechanism tern does not know is a config error.
rc=0
conf "$xo_port" cram-md5 "echo x" ""
echo hi | "$TERN" send bob@example.net >/dev/null 2>"$T/err" || rc=$?
t_assert_eq "$rc" 78 "auth = cram-md5: exit"
t_assert_match "$(cat "$T/err")" \
    'auth must be auto, plain, login, oauthbearer or xoauth2, not "cram-md5"' \
    "auth = cram-md5: message"
t_pass
