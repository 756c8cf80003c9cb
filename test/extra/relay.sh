#!/usr/bin/env bash
# test/extra/relay.sh: the outbox reaches a webhook through
# test/relay/slo_relay.pl, each notification at least once on the wire and
# exactly once after deduplication by id, through a webhook that fails and
# a relay that dies between a POST and its acknowledgement.
#
# In a fresh database: 7 notifications in the outbox (an alert scenario's
# and a few more), a local HTTP listener (test/relay/listener.pl) that
# answers 500 to its first two requests, a relay running as a role that is
# only a member of slo_relay: first it dies right after its first
# successful POST (before acknowledging), then a second relay delivers
# everything that is left, then a third finds nothing.  Checked: every
# notification id reached the listener, one of them twice, none more; every
# row is acknowledged; the relay's role may do nothing else.
#
# Needs PGHOST/PGPORT/PGUSER for a running cluster where slo is installed;
# creates and drops database slo_relay_<pid> and role slo_relay_test_<pid>.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"

DB=slo_relay_$$
ROLE=slo_relay_test_$$
work=$(mktemp -d)
chmod 777 "$work"
failures=0
listener=

cleanup() {
	[[ -n $listener ]] && kill "$listener" 2>/dev/null
	dropdb --if-exists --force "$DB" >/dev/null 2>&1
	psql -X -q -d postgres -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

check() { slo_check "$@"; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }

echo "relay: outbox -> test/relay/slo_relay.pl -> a local webhook"
createdb "$DB" || { echo "FAIL: cannot create database $DB"; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<SQL || { echo "FAIL: set-up"; exit 1; }
SET client_min_messages = warning;
CREATE EXTENSION slo;
CREATE ROLE $ROLE LOGIN IN ROLE slo_relay;
CREATE TABLE req (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO req SELECT timestamptz '2026-03-07 12:00' + g * interval '6 seconds', true FROM generate_series(0, 43199) g;
INSERT INTO req SELECT timestamptz '2026-03-10 12:00' + g * interval '6 seconds', g % 4 <> 0 FROM generate_series(0, 39) g;
SELECT slo.define_service('checkout', team => 'oncall-sre');
SELECT slo.define_objective('checkout', 'availability', source => 'req', good => 'ok', target => 0.999,
							window_length => '30 days');
CALL slo.tick(at => '2026-03-10 12:04:30');
SELECT slo.acknowledge_incident(id, 'on it') FROM slo.incident;
SELECT slo.resolve_incident(id) FROM slo.incident;
SQL
total=$(q "SELECT count(*) FROM slo.outbox")
echo "outbox: $total notifications ($(q "SELECT string_agg(topic || '/' || coalesce(payload->>'state', payload->>'status'), ', ' ORDER BY id) FROM slo.outbox"))"

port=$((20000 + $$ % 20000))
: >"$work/received"
perl "$here/../relay/listener.pl" "$port" "$work/received" 2 &
listener=$!
for _ in $(seq 50); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done

relay() {
	env PGDATABASE="$DB" PGUSER="$ROLE" SLO_RELAY_WEBHOOK="http://127.0.0.1:$port/hook" SLO_RELAY_ONCE=1 \
		SLO_RELAY_LEASE='0 seconds' "$@" perl "$here/../relay/slo_relay.pl" 2>>"$work/relay.err"
}
relay SLO_RELAY_NAME=dies SLO_RELAY_TEST_DIE_AFTER_POST=1
rc=$?
check "the first relay dies after its first delivery, before acknowledging it" \
	"$([[ $rc == 3 && $(wc -l <"$work/received") == 1 ]] && echo t || echo f)" "exit $rc, $(wc -l <"$work/received") received"
relay SLO_RELAY_NAME=second
rc=$?
lines=$(wc -l <"$work/received")
distinct=$(cut -d' ' -f1 "$work/received" | sort -u | wc -l)
check "a second relay delivers the rest" "$([[ $rc == 0 && $distinct == "$total" ]] && echo t || echo f)" \
	"exit $rc, $distinct distinct ids of $total"
check "at least once on the wire: the undelivered one twice, nothing else twice" \
	"$([[ $lines == $((total + 1)) ]] && echo t || echo f)" "$lines POSTs for $total notifications"
check "every notification acknowledged" \
	"$(q "SELECT count(*) = 0 FROM slo.outbox WHERE delivered_at IS NULL")" \
	"$(q "SELECT count(*) FROM slo.outbox WHERE delivered_at IS NOT NULL") delivered"
relay SLO_RELAY_NAME=third
check "a third relay finds nothing to deliver" "$([[ $(wc -l <"$work/received") == "$lines" ]] && echo t || echo f)" \
	"$(wc -l <"$work/received") POSTs"
check "each POST carries its id and the payload" \
	"$(perl -MJSON::PP -ne 'my ($id, $b) = split / /, $_, 2; my $j = decode_json($b); $ok = 0 unless $j->{id} == $id && $j->{topic}; END { print defined $ok ? "f" : "t" }' "$work/received")" \
	"$(head -c 120 "$work/received")..."
denied=$(PGUSER=$ROLE psql -X -q -At -d "$DB" -c "INSERT INTO slo.outbox (topic, route, payload) VALUES ('alert', 'page', '{}')" 2>&1)
check "the relay's role cannot write notifications" "$([[ $denied == *'permission denied'* ]] && echo t || echo f)" "$denied"
denied=$(PGUSER=$ROLE psql -X -q -At -d "$DB" -c "UPDATE slo.outbox SET payload = '{}'" 2>&1)
check "nor change their payload" "$([[ $denied == *'permission denied'* ]] && echo t || echo f)" "$denied"

if (( failures > 0 )); then
	cat "$work/relay.err"
	echo "relay: $failures check(s) FAILED"
	exit 1
fi
echo "relay: all checks passed"
exit 0
