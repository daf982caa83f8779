#!/bin/sh
# A full disk at the worst moments (issue 9, 2), on a small tmpfs that
# holds the store:
#  - full after the server's 250 to the final dot: tern says it delivered
#    but could not record it (exit 74), never just "delivered"; the
#    recipient stays uncertain, and the next flush resends it with the
#    same Message-ID and says so in the record;
#  - full just before the final dot (the uncertain mark cannot be
#    written): tern does not send the dot, so the server keeps nothing;
#    the message stays queued and the next flush delivers it once.
set -eu
. "$top_srcdir/tests/integration/lib.sh"
t_setup disk-full
[ "$(id -u)" = 0 ] || t_skip "mounting a tmpfs needs root"
mkdir -p "$T/small"
mount -t tmpfs -o size=2m,mode=0700 tmpfs "$T/small" 2>/dev/null ||
    t_skip "cannot mount a tmpfs here"
# Unmount at exit, before lib.sh removes the directory.
trap 'umount "$T/small" 2>/dev/null || :; _t_cleanup' EXIT
XDG_DATA_HOME=$T/small
export XDG_DATA_HOME

fill() {
	dd if=/dev/zero of="$T/small/fill" bs=4k 2>/dev/null || :
}
unfill() {
	rm -f "$T/small/fill"
}
conf() {
	t_config "from = Alice <alice@example.org>
relay = smtp://127.0.0.1:$1
timeout = 10"
}

# Full after the 250: the server holds its 250 while the disk fills.
t_smtpd late --starttls none --dot-delay 1500
conf "$late_port"
echo one | "$TERN" send -s one bob@example.net >"$T/out1" 2>"$T/err1" &
pid=$!
t_wait_event late '"event":"saved"' 20
fill
rc=0
wait "$pid" || rc=$?
unfill
t_assert_eq "$rc" 74 "full after the 250: exit"
t_assert_match "$(cat "$T/out1")" \
    'delivered to bob@example.net, but tern could not record it: the next flush will resend it as uncertain' \
    "full after the 250: the words"
t_assert_match "$(cat "$T/err1")" 'could not record' \
    "full after the 250: stderr says so"
t_assert_eq "$(t_count late)" 1 "full after the 250: the server has it"
t_smtpd good --starttls none
conf "$good_port"
out=$("$TERN" flush --json) || t_fail "flush after the full disk exited $?"
t_assert_eq "$(t_json_get "$out" resent)" true "resend flagged"
t_assert_match "$(t_json_get "$out" reason)" \
    '^resent after an interrupted delivery; may be a duplicate' "resend words"
t_assert_eq "$(t_count good)" 1 "the uncertain one was resent"
id1=$(grep -h '^Message-ID:' "$T"/late/*.eml | tr -d '\r')
id2=$(grep -h '^Message-ID:' "$T"/good/*.eml | tr -d '\r')
t_assert_eq "$id2" "$id1" "resent with the same Message-ID"

# Full before the dot: 354 comes late, the disk fills meanwhile.
t_smtpd slow --starttls none --data-delay 1500
conf "$slow_port"
echo two | "$TERN" send -s two carol@example.net >"$T/out2" 2>&1 &
pid=$!
t_wait_event slow '"command":"DATA"' 20
fill
rc=0
wait "$pid" || rc=$?
unfill
[ "$rc" != 0 ] || t_fail "full before the dot: exit 0"
t_assert_match "$(cat "$T/out2")" 'did not finish sending it: nothing was delivered' \
    "full before the dot: the words"
t_wait_idle slow 10
t_assert_eq "$(t_count slow)" 0 "full before the dot: the server kept nothing"
t_smtpd after --starttls none
conf "$after_port"
out=$("$TERN" flush --json) || t_fail "flush after the second full disk exited $?"
t_assert_eq "$(t_json_get "$out" outcome)" plaintext "then delivered"
t_assert_eq "$(t_json_get "$out" resent)" false "not a resend"
t_assert_eq "$(t_count after)" 1 "delivered once"
t_pass
