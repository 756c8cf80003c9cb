#!/usr/bin/env bash
# test/extra/exporter.sh: docs/prometheus/slo_queries.yaml works in the real
# prometheus-postgres-exporter: started on 127.0.0.1 against a database of
# the test cluster, connected as a role that is only a member of
# slo_reader, its /metrics shows slo's burn rates, budgets, tiers, firing
# alerts, open incidents, contracts and the last tick, with the numbers of
# slo.status.
#
# Needs PGHOST/PGPORT/PGUSER for a running cluster where slo is installed,
# and prometheus-postgres-exporter (the Debian package of that name, which
# test/run.sh installs).  Creates and drops database slo_exporter_<pid> and
# role slo_exporter_<pid>.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"

EXPORTER=$(command -v prometheus-postgres-exporter || true)
if [[ -z $EXPORTER ]]; then
	echo "FAIL: prometheus-postgres-exporter is not installed (test/run.sh check installs it)"
	exit 1
fi
DB=slo_exporter_$$
ROLE=slo_exporter_$$
work=$(mktemp -d)
failures=0
pid=

cleanup() {
	[[ -n $pid ]] && kill "$pid" 2>/dev/null
	dropdb --if-exists --force "$DB" >/dev/null 2>&1
	psql -X -q -d postgres -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
check() { slo_check "$@"; }

echo "exporter: $($EXPORTER --version 2>&1 | head -n 1) with docs/prometheus/slo_queries.yaml"
createdb "$DB" || { echo "FAIL: cannot create database $DB"; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<SQL || { echo "FAIL: set-up"; exit 1; }
SET client_min_messages = warning;
CREATE EXTENSION slo;
CREATE ROLE $ROLE LOGIN IN ROLE slo_reader;
CREATE TABLE req (ts timestamptz NOT NULL, ok boolean NOT NULL);
-- three days of good requests up to the last minute, then five bad minutes
INSERT INTO req SELECT date_trunc('minute', now()) - interval '3 days' + g * interval '6 seconds', true
FROM generate_series(0, 43199 - 50) g;
INSERT INTO req SELECT date_trunc('minute', now()) - interval '5 minutes' + g * interval '6 seconds', g % 4 <> 0
FROM generate_series(0, 49) g;
SELECT slo.define_service('checkout', team => 'oncall-sre');
SELECT slo.define_objective('checkout', 'availability', source => 'req', good => 'ok', target => 0.999,
							window_length => '30 days');
CREATE TABLE leads (id int PRIMARY KEY, email text);
SELECT slo.add_contract('leads', 'lead-email', slo.email_shape('email'), 'record');
INSERT INTO leads VALUES (1, 'a@example.com'), (2, 'nope');
CALL slo.tick();
SQL
expect_burn=$(psql -X -q -At -d "$DB" -c "SELECT round(burn_1h::numeric, 6) FROM slo.status")
expect_remaining=$(psql -X -q -At -d "$DB" -c "SELECT round(remaining::numeric, 6) FROM slo.status")

port=$((30000 + $$ % 20000))
export DATA_SOURCE_NAME="host=$PGHOST port=$PGPORT user=$ROLE dbname=$DB sslmode=disable"
"$EXPORTER" --web.listen-address="127.0.0.1:$port" --extend.query-path="$SLO_ROOT/docs/prometheus/slo_queries.yaml" \
	--disable-default-metrics --disable-settings-metrics >"$work/exporter.log" 2>&1 &
pid=$!

# GET /metrics (bash's /dev/tcp: nothing to install)
metrics() {
	exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
	printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
	cat <&3
	exec 3<&-
}
for _ in $(seq 50); do metrics >"$work/metrics" 2>/dev/null && grep -q '^slo_objective_' "$work/metrics" && break; sleep 0.2; done

value() { grep -E "^$1\{[^}]*$2[^}]*\} " "$work/metrics" | head -n 1 | awk '{print $2}'; }
same() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && (a - b < 1e-6 && b - a < 1e-6)) }'; }

burn=$(value slo_objective_burn_1h 'objective="availability"')
check "the burn rate over the last hour, as slo.status has it" "$(same "$burn" "$expect_burn" && echo t || echo f)" \
	"exporter $burn, slo.status $expect_burn"
remaining=$(value slo_objective_remaining 'objective="availability"')
check "the budget remaining" "$(same "$remaining" "$expect_remaining" && echo t || echo f)" "exporter $remaining, slo.status $expect_remaining"
check "the tier as a label" "$(grep -Eq '^slo_objective_target\{[^}]*tier="[a-z]+"' "$work/metrics" && echo t || echo f)" \
	"$(grep -Eo '^slo_objective_target\{[^}]*\}' "$work/metrics" | head -n 1)"
firing=$(value slo_alert_firing 'rule="page-1h"')
check "the page alert firing" "$([[ $firing == 1 ]] && echo t || echo f)" "slo_alert_firing{rule=\"page-1h\"} $firing"
open=$(value slo_incident_open 'severity="SEV2"')
check "the open incident" "$([[ $open == 1 ]] && echo t || echo f)" "slo_incident_open{severity=\"SEV2\"} $open"
rate=$(value slo_contract_pass_rate_1h 'contract="lead-email"')
check "a contract's pass rate" "$(same "$rate" 0.5 && echo t || echo f)" "slo_contract_pass_rate_1h $rate"
check "the last tick" "$(grep -Eq '^slo_tick_last_errors(\{[^}]*\})? 0$' "$work/metrics" && echo t || echo f)" \
	"$(grep -E '^slo_tick_' "$work/metrics" | tr '\n' ' ')"
check "no query failed" "$(! grep -qi 'error' "$work/exporter.log" && echo t || echo f)" "$(grep -i error "$work/exporter.log" | head -n 2)"

if (( failures > 0 )); then
	head -c 3000 "$work/metrics"
	cat "$work/exporter.log"
	echo "exporter: $failures check(s) FAILED"
	exit 1
fi
echo "exporter: all checks passed"
exit 0
