#!/usr/bin/env bash
# test/extra/dump_restore.sh: the configuration a user writes into slo
# survives pg_dump and pg_restore (pg_extension_config_dump), and a tick in
# the restored database gives the numbers of the original.
#
# In a fresh database: services, objectives of every kind (ratio, threshold,
# timeslices on a calendar month in a time zone, ratio_timeslices every 7
# days from an anchor, throughput, freshness, one on the built-in event
# table, a redefined one, a disabled one), a user policy with tiers and a
# user tier on a shipped policy, a correction, a manual freeze set, lifted
# and set again, probe events, and a tick at a fixed instant.  Then pg_dump
# -Fc, pg_restore into a second database, and there: every configuration
# table equal to the original, the shipped policies present once, the
# identity sequences where they were, the capture triggers back on the
# user tables, data contracts with their log, violations and pass rates; a
# tick at the same instant gives the same slo.status, sets no
# second freeze; the triggers work (a new row and a deleted row change the
# counts); new objectives and events take the next ids.
#
# Needs PGHOST/PGPORT/PGUSER for a running cluster where slo is installed;
# creates and drops databases slo_dr_src_<pid> and slo_dr_dst_<pid>.  Exit
# status 0 when everything matches, 1 otherwise.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"		# this version's binaries first, C.UTF-8

SRC=slo_dr_src_$$
DST=slo_dr_dst_$$
AT='2024-06-15 12:00:00+00'
work=$(mktemp -d)
failures=0
# ticks' notices are not what is checked here; warnings and errors are
export PGOPTIONS='-c client_min_messages=warning'

cleanup() {
	dropdb --if-exists --force "$SRC" >/dev/null 2>&1
	dropdb --if-exists --force "$DST" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# psql_in DB ...: psql in a database, stopping at the first error
psql_in() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -v at="'$AT'" -d "$db" "$@"; }
q() { psql_in "$1" -At -c "$2"; }
# check WHAT RESULT DETAIL: RESULT is t when the check passed
check() { slo_check "$@"; }
# same WHAT QUERY: the query gives the same rows in both databases
same() {
	local what=$1 sql=$2 a b
	a=$(psql_in "$SRC" -At -F ' | ' -c "$sql" 2>&1)
	b=$(psql_in "$DST" -At -F ' | ' -c "$sql" 2>&1)
	if [[ $a == "$b" && -n $a ]]; then
		check "$what" t "identical, rows: $(grep -c '' <<<"$a")"
	else
		check "$what" f "differs; original < > restored"
		diff <(echo "$a") <(echo "$b") | head -n 20
	fi
}

echo "dump_restore: configure slo in $SRC, dump, restore into $DST, compare"
t0=$(date +%s%3N)

# ---- the original ---------------------------------------------------------
createdb "$SRC" || { echo "FAIL: cannot create database $SRC"; exit 1; }
psql_in "$SRC" >/dev/null <<'SQL' || { echo "FAIL: setting up the original database"; exit 1; }
SET client_min_messages = warning;
CREATE EXTENSION slo;
CREATE TABLE api_req (id int PRIMARY KEY, ts timestamptz NOT NULL, status int NOT NULL, ms float8);
CREATE TABLE jobs (id int PRIMARY KEY, ts timestamptz NOT NULL, ok bool NOT NULL);
CREATE TABLE forecast (id int PRIMARY KEY, updated_at timestamptz NOT NULL);
-- two days of requests every 20 s, a day of jobs a minute, forecasts every
-- 3 hours or so (one missing: a stale stretch)
INSERT INTO api_req
SELECT i, :at::timestamptz - i * interval '20 seconds',
	   CASE WHEN i % 50 = 0 THEN 503 WHEN i % 37 = 0 THEN 404 ELSE 200 END,
	   CASE WHEN i % 97 = 0 THEN NULL ELSE (i * 7919) % 1000 END
FROM generate_series(1, 8640) i;
INSERT INTO jobs
SELECT i, :at::timestamptz - i * interval '1 minute', i % 20 <> 0 FROM generate_series(1, 1440) i;
INSERT INTO forecast
SELECT i, :at::timestamptz - i * interval '3 hours' - (i % 3) * interval '50 minutes'
FROM generate_series(1, 16) i WHERE i <> 5;

SELECT slo.define_service('payments', team => 'core', runbook_url => 'https://runbooks.example/payments',
						  description => 'card payments');
SELECT slo.define_service('batch', team => 'data');

-- a policy of the user's, and a tier of the user's on a shipped policy
INSERT INTO slo.policy (name, measure, description) VALUES ('strict', 'remaining', 'freeze early');
INSERT INTO slo.policy_tier (policy, threshold, label, action) VALUES
	('strict', 0.8, 'fine', 'normal'), ('strict', 0.5, 'watch', 'caution'),
	('strict', 0.2, 'stop', 'freeze'), ('strict', '-Infinity', 'page', 'incident'),
	('traffic-light', 0.95, 'black', 'incident');

SELECT slo.define_objective('payments', 'availability', source => 'api_req',
	valid => 'status <> 404', good => 'status < 500', target => 0.995, min_events => 100,
	sla_target => 0.99, sla_window => '90 days');
SELECT slo.define_objective('payments', 'latency', source => 'api_req',
	value => 'ms', op => 'lt', threshold => '900', target => 0.8, policy => 'strict');
SELECT slo.define_objective('payments', 'latency', source => 'api_req',		-- redefined: revision 2
	value => 'ms', op => 'lt', threshold => '900', target => 0.85, policy => 'strict',
	description => 'redefined once');
SELECT slo.define_objective('payments', 'latency-slices', source => 'api_req',
	value => 'ms', op => 'lt', threshold => '500', target => 0.95,
	budgeting => 'timeslices', slice => '5 minutes', slice_target => 0.4,
	window_kind => 'calendar', window_length => '1 month', time_zone => 'Europe/Berlin',
	policy => 'traffic-light');
SELECT slo.define_objective('batch', 'jobs-ok', source => 'jobs', good => 'ok', target => 0.9,
	budgeting => 'ratio_timeslices', slice => '1 hour',
	window_kind => 'calendar', window_length => '7 days', anchor => '2024-06-01 00:00+00');
SELECT slo.define_objective('batch', 'throughput', source => 'jobs', good => 'ok', target => 0.9,
	budgeting => 'timeslices', slice => '10 minutes', slice_min_events => 5, slice_target => 0.9);
SELECT slo.define_objective('batch', 'forecast-fresh', source => 'forecast', time_column => 'updated_at',
	max_age => '4 hours', target => 0.9, window_length => '2 days');
SELECT slo.define_objective('batch', 'probe', target => 0.99, window_length => '7 days');
SELECT slo.define_objective('batch', 'retired', source => 'jobs', good => 'ok', target => 0.5);
UPDATE slo.objective SET enabled = false WHERE name = 'retired';

SELECT slo.record('batch', 'probe', i % 30 <> 0, i::float8, :at::timestamptz - i * interval '5 minutes')
FROM generate_series(1, 288) i;
SELECT slo.add_correction('payments', 'availability',
	tstzrange(:at::timestamptz - interval '1 day', :at::timestamptz - interval '23 hours 30 minutes'),
	'maintenance window');
SELECT slo.freeze_service('batch', 'quarter close');
SELECT slo.unfreeze_service('batch', 'quarter closed');
SELECT slo.freeze_service('batch', 'incident review');

-- data contracts: enforced, recorded, disabled (with its reason), rows
-- kept with a violation, and an objective over a contract's pass rate
CREATE TABLE territories (code text PRIMARY KEY);
INSERT INTO territories VALUES ('EMEA'), ('NA');
CREATE TABLE leads (id int PRIMARY KEY, email text, territory text);
SELECT slo.add_contract('leads', 'lead-email-shape', slo.email_shape('email'), 'enforce');
SELECT slo.add_contract('leads', 'lead-territory-known', slo.member_of('territory', 'territories', 'code'), 'record');
SELECT slo.add_contract('leads', 'lead-has-territory', slo.not_null('territory'), 'record');
SELECT slo.disable_contract('lead-has-territory', 'backfill pending');
INSERT INTO leads VALUES (1, 'a@example.com', 'EMEA'), (2, 'b@example.com', 'MARS'), (3, 'c@example.com', NULL);
SELECT slo.define_objective('payments', 'attribution', contract => 'lead-territory-known', target => 0.9);
CALL slo.tick(at => :at);
SQL
echo "original: $(q "$SRC" "SELECT count(*) FROM slo.service") services, $(q "$SRC" "SELECT count(*) FROM slo.objective") objectives, $(q "$SRC" "SELECT count(*) FROM slo.policy WHERE NOT builtin") user policies, $(q "$SRC" "SELECT count(*) FROM slo.policy_tier WHERE NOT builtin") user tiers, $(q "$SRC" "SELECT count(*) FROM slo.deploy_freeze") freezes, $(q "$SRC" "SELECT count(*) FROM slo.freeze_history") freeze history rows, $(q "$SRC" "SELECT count(*) FROM slo.event") events"

# ---- dump and restore ------------------------------------------------------
if ! pg_dump -Fc -d "$SRC" -f "$work/slo.dump" 2>"$work/dump.err"; then
	cat "$work/dump.err"
	echo "FAIL: pg_dump"
	exit 1
fi
createdb "$DST" || { echo "FAIL: cannot create database $DST"; exit 1; }
pg_restore --exit-on-error -d "$DST" "$work/slo.dump" >"$work/restore.out" 2>&1
rc=$?
check "pg_restore into a fresh database succeeds without a message" \
	"$([[ $rc == 0 && ! -s $work/restore.out ]] && echo t || echo f)" "exit $rc"
[[ -s $work/restore.out ]] && head -n 20 "$work/restore.out"
if [[ $rc != 0 ]]; then
	exit 1
fi
echo "dump: $(pg_restore -l "$work/slo.dump" | grep -c 'TABLE DATA slo ') slo tables with data, $(pg_restore -l "$work/slo.dump" | grep -c 'SEQUENCE SET slo ') sequences, $(pg_restore -l "$work/slo.dump" | grep -c ' TRIGGER ') triggers"

# ---- the configuration, before any tick in the restored database -----------
same "slo.service" "SELECT * FROM slo.service ORDER BY name"
same "slo.objective (every column: source, expressions, revision, enabled, owner, search_path)" \
	"SELECT * FROM slo.objective ORDER BY id"
same "slo.policy (user policies and the shipped ones)" "SELECT * FROM slo.policy ORDER BY name"
same "slo.policy_tier (user tiers and the shipped ones)" "SELECT * FROM slo.policy_tier ORDER BY policy, threshold"
check "shipped policies present once, with their tiers" \
	"$(q "$DST" "SELECT (SELECT count(*) FROM slo.policy WHERE builtin) = 3
				   AND (SELECT count(*) FROM slo.policy_tier WHERE builtin) = 9
				   AND (SELECT count(*) FROM slo.policy WHERE name IN ('default', 'traffic-light', 'freeze-on-burn')) = 3")" \
	"$(q "$DST" "SELECT count(*) FILTER (WHERE builtin) || ' shipped, ' || count(*) FILTER (WHERE NOT builtin) || ' user policies' FROM slo.policy")"
same "slo.correction" "SELECT * FROM slo.correction ORDER BY id"
same "slo.deploy_freeze" "SELECT * FROM slo.deploy_freeze ORDER BY service, kind, objective_id"
same "slo.freeze_history" "SELECT * FROM slo.freeze_history ORDER BY id"
same "slo.event (probe events)" "SELECT * FROM slo.event ORDER BY id"
same "slo.history (what the ticks evaluated, hour by hour)" "SELECT * FROM slo.history ORDER BY objective_id, hour"
same "slo.period_result (closed periods)" "SELECT * FROM slo.period_result ORDER BY objective_id, period, period_start"
same "identity sequences of the dumped tables" \
	"SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'slo'
	 AND sequencename IN ('objective_id_seq', 'correction_id_seq', 'freeze_history_id_seq', 'event_id_seq') ORDER BY 1"
same "capture triggers on the user tables" \
	"SELECT tgrelid::regclass, tgname, tgenabled, pg_get_triggerdef(oid) FROM pg_trigger
	 WHERE NOT tgisinternal AND tgname LIKE 'slo\_%' ORDER BY tgrelid::regclass::text, tgname"
same "slo.contract (every column)" "SELECT * FROM slo.contract ORDER BY id"
same "slo.contract_change (the log of changes)" "SELECT * FROM slo.contract_change ORDER BY id"
same "slo.contract_violation (rows kept by record contracts)" "SELECT * FROM slo.contract_violation ORDER BY contract_id, row_key::text"
same "slo.contract_rate (pass rates per minute)" "SELECT * FROM slo.contract_rate ORDER BY contract_id, minute"
same "slo.alert and slo.alert_event (alerts and their transitions)" \
	"SELECT a.*, (SELECT count(*) FROM slo.alert_event) AS events FROM slo.alert a ORDER BY objective_id, rule"
same "slo.incident and slo.incident_event" \
	"SELECT i.*, (SELECT count(*) FROM slo.incident_event e WHERE e.incident_id = i.id) AS events FROM slo.incident i ORDER BY id"
same "slo.outbox (notifications to deliver)" "SELECT id, topic, route, payload FROM slo.outbox ORDER BY id"
same "user tables" "SELECT 'api_req', count(*), sum(status), sum(ms) FROM api_req
					UNION ALL SELECT 'jobs', count(*), count(*) FILTER (WHERE ok), NULL FROM jobs
					UNION ALL SELECT 'forecast', count(*), NULL, NULL FROM forecast"

# ---- a tick at the same instant ------------------------------------------
tick_out=$(psql_in "$DST" -c "CALL slo.tick(at => '$AT')" 2>&1)
check "tick in the restored database" "$([[ -z $tick_out ]] && echo t || echo f)" "${tick_out:-no message}"
# every column of slo.status; floating-point numbers to 12 significant digits
status_sql="SELECT service, objective, sli_kind, budgeting, window_kind, window_start, window_end,
		valid, good, to_char(sli, '9.99999999999EEEE'), target, to_char(error_budget, '9.99999999999EEEE'),
		budget_unit, to_char(consumed, '9.99999999999EEEE'), to_char(remaining, '9.99999999999EEEE'),
		to_char(burn_5m, '9.99999999999EEEE'), to_char(burn_30m, '9.99999999999EEEE'),
		to_char(burn_1h, '9.99999999999EEEE'), to_char(burn_6h, '9.99999999999EEEE'),
		to_char(burn_1d, '9.99999999999EEEE'), to_char(burn_3d, '9.99999999999EEEE'),
		date_trunc('second', time_to_exhaustion), too_little_data, min_events,
		sla_target, sla_window, to_char(sla_sli, '9.99999999999EEEE'), policy, tier, action, frozen,
		evaluated_at, last_error, objective_id
	FROM slo.status ORDER BY objective_id"
same "slo.status after a tick at the same instant (every column)" "$status_sql"
psql_in "$SRC" -At -F ' | ' -c "SELECT objective, valid, good, round(sli::numeric, 4), round(remaining::numeric, 4), tier, frozen
								FROM slo.status ORDER BY objective_id" | sed 's/^/    /'
check "status is not empty" \
	"$(q "$DST" "SELECT count(*) FILTER (WHERE valid > 0) = 7 AND count(*) FILTER (WHERE last_error IS NOT NULL) = 0 FROM slo.status")" \
	"$(q "$DST" "SELECT count(*) FILTER (WHERE valid > 0) FROM slo.status") objectives with events"
same "slo.deploy_freeze after the tick (no freeze set twice)" "SELECT * FROM slo.deploy_freeze ORDER BY service, kind, objective_id"
same "slo.freeze_history after the tick (nothing logged twice)" "SELECT * FROM slo.freeze_history ORDER BY id"

# ---- the restored triggers work -------------------------------------------
read -r v0 g0 <<<"$(q "$DST" "SELECT valid || ' ' || good FROM slo.status WHERE objective = 'availability'")"
read -r t0v <<<"$(q "$DST" "SELECT valid FROM slo.status WHERE objective = 'throughput'")"
psql_in "$DST" >/dev/null <<'SQL'
INSERT INTO api_req VALUES (100001, :at::timestamptz - interval '10 minutes 5 seconds', 503, 20);
DELETE FROM jobs WHERE id = 30;
SQL
notes=$(q "$DST" "SELECT count(*) FROM slo_internal.invalidation")
check "the restored triggers note the changed minutes" "$([[ $notes -gt 0 ]] && echo t || echo f)" "$notes notes"
tick_out=$(psql_in "$DST" -c "CALL slo.tick(at => '$AT')" 2>&1)
read -r v1 g1 <<<"$(q "$DST" "SELECT valid || ' ' || good FROM slo.status WHERE objective = 'availability'")"
read -r t1v <<<"$(q "$DST" "SELECT valid FROM slo.status WHERE objective = 'throughput'")"
check "an inserted bad request counts once after the next tick" \
	"$([[ -z $tick_out && $v1 == $((v0 + 1)) && $g1 == "$g0" ]] && echo t || echo f)" \
	"availability valid $v0 -> $v1, good $g0 -> $g1"
check "a deleted job stops counting after the next tick" \
	"$([[ $t1v == $((t0v - 1)) ]] && echo t || echo f)" "throughput valid $t0v -> $t1v"

# ---- the restored contracts work --------------------------------------------
bad=$(psql_in "$DST" -c "INSERT INTO leads VALUES (10, 'not an address', 'NA')" 2>&1)
check "the restored enforcing contract rejects a bad row" \
	"$([[ $bad == *'violates contract "lead-email-shape"'* ]] && echo t || echo f)" "${bad%%$'\n'*}"
psql_in "$DST" -c "INSERT INTO leads VALUES (11, 'd@example.com', 'LATAM')" >/dev/null
check "the restored recording contract logs a violation" \
	"$(q "$DST" "SELECT count(*) = 1 FROM slo.contract_violations WHERE row_key = '{\"id\": \"11\"}'")" \
	"$(q "$DST" "SELECT count(*) FROM slo.contract_violation") violations"

# ---- identities continue where the original left them ----------------------
same "a new objective takes the next id" \
	"SELECT slo.define_objective('batch', 'new', source => 'jobs', good => 'ok', target => 0.9)"
same "a new event takes the next id" \
	"SELECT slo.record('batch', 'probe', true, ts => '$AT'); SELECT max(id) FROM slo.event"
same "a new freeze history row takes the next id" \
	"SELECT slo.unfreeze_service('batch', 'done'); SELECT max(freeze_id) FROM slo.freeze_history"

echo "time: $(( $(date +%s%3N) - t0 )) ms"
if (( failures > 0 )); then
	echo "dump_restore: $failures check(s) FAILED"
	exit 1
fi
echo "dump_restore: all checks passed"
exit 0
