#!/usr/bin/env bash
#
# bench/alerts.sh: what alert evaluation adds to the tick (issue 11: "Alert
# evaluation for 1,000 objectives adds little to a tick").  The data set and
# the objectives of bench/tick_scale.sh (bench/tick_scale_setup.sql: 1,000
# objectives over 50 tables, every window rolling 30 days), backfilled; then,
# each tick in a new session (as pg_cron runs it), every default alert rule
# on (6 a objective: 4 burn, 2 exhaustion) against the same tick with every
# rule off (a row in slo.alert_rule with enabled = false per objective and
# rule), interleaved on, off, off, on, ...:
#
#   1. the idle tick (nothing changed), BENCH_PAIRS pairs after one warm-up
#      tick each; and the evaluation step alone, in a transaction rolled
#      back (each in a new session): slo_internal.evaluate_alerts() of all
#      objectives, and the whole step it is part of,
#      slo_internal.evaluate_objectives();
#   2. the tick after a burst of bad events on BENCH_BURST_TABLES tables (10%
#      of the objectives: BENCH_BURST_EVENTS each, every one bad for every
#      objective of its table), enough for page-1h and most other rules to
#      fire: many alerts change state, notifications go to the outbox,
#      incidents open.  Between two bursts the burst is deleted, a tick
#      (rules on) counts that, and the alert state, the incidents and the
#      logs go back to what they were before the first burst
#      (bench.al_restore), so every burst tick starts from the same state;
#   and one profiled tick of each kind (track_functions = all,
#   pg_stat_statements track = all): where the time goes.
#
# Every measured tick runs with track_functions = 'pl' (plpgsql functions
# only, a clock read per call): the total_time of slo_internal.evaluate_alerts
# and slo_internal.evaluate_objectives in pg_stat_user_functions, before and
# after, gives the time of alert evaluation inside that very tick.  With the
# rules off, evaluate_alerts still runs (it finds no rule in force, and opens
# the incidents of new policy freezes): "on - off" is what the rules cost,
# evaluate_alerts' own time all that alerting costs.
#
# Usage:
#   bash bench/alerts.sh
#
# Server: with none of PGHOST, PGPORT, PGUSER set, a throwaway cluster
# (bench_start_cluster in bench/lib.sh: jit off, autovacuum off, fsync off,
# pg_stat_statements preloaded with track = none, turned on only for the
# profile), removed at exit unless BENCH_KEEP=1.  With one of them set, that
# server (pg_stat_statements preloaded for the profile), in database
# $BENCH_DB, dropped at the end unless BENCH_KEEP=1.
#
# Knobs (environment):
#   BENCH_TABLES=50 BENCH_ROWS_PER_TABLE=40000 BENCH_DAYS=30   the data set (tick_scale.sh's)
#   BENCH_PAIRS=9               timed (on, off) pairs of idle ticks, of burst
#                               ticks, and of each evaluation step alone
#   BENCH_BURST_TABLES=5 BENCH_BURST_EVENTS=400
#   BENCH_MAX_BACKFILL_TICKS=500
#   BENCH_WORKERS=2             max_parallel_workers_per_gather of every session
#   BENCH_WORK_MEM=64MB BENCH_SHARED_BUFFERS=4GB BENCH_PORT=54700 BENCH_DB=slo_bench_alerts
#
# Timing: wall clock on the server, clock_timestamp() before and after the
# statement in the same session (commit included); medians.  Before every
# measured tick, untimed: the rules set, then VACUUM ANALYZE of the alert
# tables, slo.alert_rule and slo.evaluation (what autovacuum would do).
#
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

TABLES=${BENCH_TABLES:-50}
ROWS_PER_TABLE=${BENCH_ROWS_PER_TABLE:-40000}
DAYS=${BENCH_DAYS:-30}
PAIRS=${BENCH_PAIRS:-9}
BURST_TABLES=${BENCH_BURST_TABLES:-5}
BURST_EVENTS=${BENCH_BURST_EVENTS:-400}
MAX_BACKFILL_TICKS=${BENCH_MAX_BACKFILL_TICKS:-500}
WORKERS=${BENCH_WORKERS:-2}
WORK_MEM=${BENCH_WORK_MEM:-64MB}
SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-4GB}
PORT=${BENCH_PORT:-54700}
DB=${BENCH_DB:-slo_bench_alerts}

BENCH_CLUSTER_SETTINGS=("shared_preload_libraries = 'pg_stat_statements'"
                        "pg_stat_statements.track = none"
                        "pg_stat_statements.max = 10000")
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

T_START=$(date +%s)
WORK=$(mktemp -d /tmp/slo-bench-alerts.XXXXXX)
trap bench_cleanup EXIT
bench_start_cluster || exit 1

export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c client_min_messages=warning -c jit=off -c work_mem=$WORK_MEM -c max_parallel_workers_per_gather=$WORKERS"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
q() { "${PSQL[@]}" -d "$DB" -tA -F '|' "$@"; }
RESULTS=$WORK/results.tsv   # phase, what, rules (on/off), run, value
: >"$RESULTS"
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$RESULTS"; }

# One CALL slo.tick() in a new session, unmeasured: "wall_ms|buckets|objectives|errors"
tick() {
	q <<-EOF
		${1:-}
		SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
		CALL slo.tick();
		SELECT round(((extract(epoch FROM clock_timestamp()) - :t0) * 1000)::numeric, 1),
		       buckets_recounted, objectives_evaluated, errors
		FROM slo.tick_log ORDER BY id DESC LIMIT 1;
	EOF
}

# One measured CALL slo.tick() in a new session:
# "wall_ms|log_ms|buckets|objectives|errors|evaluate_alerts_ms|evaluate_objectives_ms|
#  alert_events|outbox_rows|incidents_opened|alerts_firing_after"
tick_measured() {
	q <<-'EOF'
		SET track_functions = 'pl';
		SELECT bench.al_fn_ms('evaluate_alerts') AS a0, bench.al_fn_ms('evaluate_objectives') AS e0,
		       (SELECT coalesce(max(id), 0) FROM slo.alert_event) AS ae0,
		       (SELECT coalesce(max(id), 0) FROM slo.outbox) AS ob0,
		       (SELECT coalesce(max(id), 0) FROM slo.incident) AS in0 \gset
		SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
		CALL slo.tick();
		SELECT round(((extract(epoch FROM clock_timestamp()) - :t0) * 1000)::numeric, 1) AS wall \gset
		SELECT pg_stat_force_next_flush() \g /dev/null
		SELECT :wall, round((extract(epoch FROM finished_at - started_at) * 1000)::numeric, 1),
		       buckets_recounted, objectives_evaluated, errors,
		       round((bench.al_fn_ms('evaluate_alerts') - :a0)::numeric, 1),
		       round((bench.al_fn_ms('evaluate_objectives') - :e0)::numeric, 1),
		       (SELECT count(*) FROM slo.alert_event WHERE id > :ae0),
		       (SELECT count(*) FROM slo.outbox WHERE id > :ob0),
		       (SELECT count(*) FROM slo.incident WHERE id > :in0),
		       (SELECT count(*) FROM slo.alert WHERE state = 'firing')
		FROM slo.tick_log ORDER BY id DESC LIMIT 1;
	EOF
}

# Time one piece of SQL in a new session, in a transaction rolled back: ms.
timed_rollback() {
	q <<-EOF
		BEGIN;
		SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
		$1 \g /dev/null
		SELECT round(((extract(epoch FROM clock_timestamp()) - :t0) * 1000)::numeric, 2);
		ROLLBACK;
	EOF
}

# the rules on or off ($1), then what autovacuum would do to the tables the
# tick's alerting reads and writes
rules() {
	q -c "SELECT bench.al_rules($([[ $1 == on ]] && echo true || echo false))" >/dev/null
	q -c "VACUUM ANALYZE slo.alert_rule, slo.alert, slo.alert_event, slo.outbox, slo.incident,
	      slo.incident_event, slo.freezes, slo.evaluation" >/dev/null
}

# the order of the two settings in pair $1: on, off in odd pairs; off, on in even
order() { if (( $1 % 2 == 1 )); then echo on off; else echo off on; fi; }

vacuum_all() {
	q -c "VACUUM ANALYZE slo.rollup, slo_internal.rollup_hour, slo_internal.rollup_day, slo_internal.progress,
	      slo_internal.pending, slo_internal.invalidation, slo.evaluation, slo.history, slo.objective" >/dev/null
	q >/dev/null <<-'EOF'
		SELECT format('VACUUM ANALYZE %s', string_agg(c.oid::regclass::text, ', '))
		FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
		WHERE s.nspname = 'bench' AND c.relname ~ '^ev_[0-9]+$' AND c.relkind = 'r' \gexec
	EOF
}

# ---------------------------------------------------------------------------
# The data set, the objectives, the backfill
# ---------------------------------------------------------------------------

FP_START=$(sha256sum "$(pg_config --pkglibdir)/slo.so" | cut -c1-12)
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS \"$DB\"" -c "CREATE DATABASE \"$DB\""
DB_CREATED=1
q -c "CREATE EXTENSION slo" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
q -f "$HERE/tick_scale_lib.sql" >/dev/null
q -f "$HERE/alerts_lib.sql" >/dev/null
log "generating $TABLES tables x $ROWS_PER_TABLE rows over $DAYS days, defining $((TABLES * 20)) objectives ..."
t0=$(date +%s)
q -v tables="$TABLES" -v rows_per_table="$ROWS_PER_TABLE" -v days="$DAYS" -f "$HERE/tick_scale_setup.sql" >/dev/null
log "  done in $(( $(date +%s) - t0 )) s"

log "first backfill: ticks until every objective is backfilled ..."
t0=$(date +%s)
n=0
while :; do
	n=$((n + 1))
	res=$(tick)
	left=$(q -c "SELECT count(*) FROM slo.objective o LEFT JOIN slo_internal.progress p ON p.objective_id = o.id
	             WHERE p.backfilled_until IS NULL")
	log "  tick $n: $res, $left objectives still backfilling"
	[[ $left == 0 ]] && break
	if (( n >= MAX_BACKFILL_TICKS )); then
		log "FAILED: $left objectives still backfilling after $n ticks"
		exit 1
	fi
done
record setup backfill - "$n" "$(( $(date +%s) - t0 ))"
record setup backfill_alerts - 0 "$(q -c "SELECT count(*) || '|' || count(*) FILTER (WHERE state = 'firing') || '|' || (SELECT count(*) FROM slo.incident) FROM slo.alert_event")"
vacuum_all
# the alerts of the backfilled objectives fire: once in the tick that ends
# the backfill, then, for the objectives it evaluated as still backfilling,
# in the next; a few more ticks settle what the passing minutes change
log "settling: 3 ticks, rules on ..."
rules on
for r in 1 2 3; do
	record setup settle on "$r" "$(tick_measured)"
done

# ---------------------------------------------------------------------------
# Header
# ---------------------------------------------------------------------------

bench_about "alert evaluation in the tick (bench/alerts.sh)" "$DB"
echo "installed:   slo.so sha256 $FP_START; install script slo--$(bench_ext_version "$DB" slo).sql sha256" \
	"$(sha256sum "$(pg_config --sharedir)/extension/slo--$(bench_ext_version "$DB" slo).sql" | cut -c1-12), pg_config $(command -v pg_config)"
bench_load "after the backfill"
echo "CPUs:        $(nproc) ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')), RAM $(free -g | awk '/^Mem:/ {print $2}') GB${PGHOST:+; server socket $PGHOST}"
q <<-'EOF'
	LOAD 'slo';
	SELECT 'setting     ' || rpad(name || ':', 36) || current_setting(name)
	FROM pg_settings
	WHERE name IN ('jit', 'shared_buffers', 'work_mem', 'max_parallel_workers_per_gather',
	               'max_parallel_workers', 'synchronous_commit', 'fsync', 'autovacuum',
	               'slo.backfill_time', 'slo.query_timeout')
	ORDER BY name;
EOF
q <<-'EOF'
	SELECT bench.ts_stats_sql() AS sql \gset
	SELECT format('data:        %s tables bench.ev_NN, %s rows (%s a table), %s to %s', n_tables,
	              to_char(n_rows, 'FM999,999,999'), to_char(n_rows / n_tables, 'FM999,999,999'),
	              to_char(lo, 'YYYY-MM-DD HH24:MI'), to_char(hi, 'YYYY-MM-DD HH24:MI UTC'))
	FROM (:sql) s;
	SELECT format('objectives:  %s (%s occurrences, %s timeslices), %s rules each by default (%s)',
	              count(*), count(*) FILTER (WHERE budgeting = 'occurrences'), count(*) FILTER (WHERE budgeting <> 'occurrences'),
	              (SELECT count(*) FROM slo.alert_rule_default),
	              (SELECT string_agg(name, ', ' ORDER BY kind, long_window, horizon) FROM slo.alert_rule_default))
	FROM slo.objective;
EOF
echo "backfill:    $(awk -F'\t' '$2 == "backfill" {print $4 " ticks, " $5 " s"}' "$RESULTS");" \
	"$(awk -F'\t' '$2 == "backfill_alerts" {split($5, v, "|"); print "in them " v[1] " alert events (" v[2] " firings), " v[3] " incidents opened"}' "$RESULTS")"

# ---------------------------------------------------------------------------
# 1. The idle tick, and the evaluation step alone
# ---------------------------------------------------------------------------

log "idle ticks: a warm-up each, then $PAIRS pairs (on/off interleaved) ..."
for c in on off; do
	rules "$c"
	record idle tick "$c" 0 "$(tick_measured)"
done
for r in $(seq 1 "$PAIRS"); do
	for c in $(order "$r"); do
		rules "$c"
		record idle tick "$c" "$r" "$(tick_measured)"
	done
done

log "the evaluation step alone, rolled back: a warm-up each, then $PAIRS pairs ..."
for r in $(seq 0 "$PAIRS"); do
	for c in $(order "$r"); do
		rules "$c"
		record step evaluate_alerts "$c" "$r" \
			"$(timed_rollback "SELECT slo_internal.evaluate_alerts(array_agg(id ORDER BY id), now()) FROM slo.objective")"
		record step evaluate_objectives "$c" "$r" \
			"$(timed_rollback "SELECT slo_internal.evaluate_objectives(array_agg(id ORDER BY id), now()) FROM slo.objective")"
	done
done

# ---------------------------------------------------------------------------
# 2. The tick after a burst of bad events on 10% of the objectives
# ---------------------------------------------------------------------------

rules on
record setup before_bursts on 0 "$(tick_measured)"
record setup firing_kept - 0 "$(q -c "SELECT bench.al_snapshot()")"
burst_tick() {   # $1: rules, $2: run; $3: the tick (tick_measured, or a profile)
	local res
	rules "$1"
	record burst events "$1" "$2" "$(q -c "SELECT bench.al_burst($BURST_TABLES, $BURST_EVENTS)")"
	res=$("$3")
	q -c "SELECT bench.al_unburst()" >/dev/null
	rules on
	tick >/dev/null
	q -c "SELECT bench.al_restore()" >/dev/null
	vacuum_all
	printf '%s\n' "$res"
}
log "burst ticks: $BURST_EVENTS bad events on each of $BURST_TABLES tables; a warm-up each, then $PAIRS pairs ..."
for r in $(seq 0 "$PAIRS"); do
	for c in $(order "$r"); do
		record burst tick "$c" "$r" "$(burst_tick "$c" "$r" tick_measured)"
	done
done

# ---------------------------------------------------------------------------
# Profile: one tick of each kind
# ---------------------------------------------------------------------------

profile_tick() {   # $1: name
	q <<-EOF | grep -P '^profile\t' || true
		SET pg_stat_statements.track = 'all';
		SET track_functions = 'all';
		CREATE TEMP TABLE f0 AS SELECT funcid, calls, total_time, self_time FROM pg_stat_user_functions;
		SELECT pg_stat_statements_reset() \\g /dev/null
		SELECT extract(epoch FROM clock_timestamp()) AS t0 \\gset
		CALL slo.tick();
		SELECT round(((extract(epoch FROM clock_timestamp()) - :t0) * 1000)::numeric, 1) AS wall \\gset
		SET pg_stat_statements.track = 'none';
		SELECT pg_stat_force_next_flush() \\g /dev/null
		SELECT format(E'profile\\tfunc\\t%s\\t%s\\t%s|%s|%s', '$1', 'the tick (wall clock)', 1, :wall, :wall);
		SELECT format(E'profile\\tfunc\\t%s\\t%s\\t%s|%s|%s', '$1', f.schemaname || '.' || f.funcname,
		              f.calls - coalesce(f0.calls, 0),
		              round((f.total_time - coalesce(f0.total_time, 0))::numeric, 1),
		              round((f.self_time - coalesce(f0.self_time, 0))::numeric, 1))
		FROM pg_stat_user_functions f LEFT JOIN f0 USING (funcid)
		WHERE f.schemaname IN ('slo', 'slo_internal') AND f.calls > coalesce(f0.calls, 0)
		  AND f.total_time - coalesce(f0.total_time, 0) >= 1;
		SELECT format(E'profile\\tstmt\\t%s\\t%s\\t%s|%s|%s', '$1',
		              regexp_replace(left(regexp_replace(query, '\\s+', ' ', 'g'), 150), E'[\\t|]', ' ', 'g'),
		              calls, round(total_exec_time::numeric, 1), rows)
		FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND total_exec_time >= 2 AND query NOT LIKE '%pg_stat_%'
		ORDER BY total_exec_time DESC LIMIT 30;
	EOF
}
profile_idle() { profile_tick "idle_$PROFILE_RULES"; }
profile_burst() { profile_tick "burst_$PROFILE_RULES"; }
log "profile: one idle and one burst tick, rules on and off (track_functions = all, pg_stat_statements track = all) ..."
for PROFILE_RULES in on off; do
	rules "$PROFILE_RULES"
	profile_idle >>"$RESULTS"
done
for PROFILE_RULES in on off; do
	burst_tick "$PROFILE_RULES" -1 profile_burst | grep -P '^profile\t' >>"$RESULTS" || true
done

bench_load "after the runs"
echo "total run time: $(( $(date +%s) - T_START )) s"
echo

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

if [[ -n ${BENCH_RESULTS_COPY:-} ]]; then cp "$RESULTS" "$BENCH_RESULTS_COPY"; fi
"${PSQL[@]}" -d "$DB" -f - <<-EOF
	\set QUIET on
	\pset footer off
	CREATE TEMP TABLE r (phase text, what text, rules text, run text, value text);
	\copy r FROM '$RESULTS'
	CREATE TEMP VIEW ticks AS
	SELECT phase, what, rules, run::int AS run, v[1]::float8 AS wall_ms, v[2]::float8 AS log_ms, v[3]::int8 AS buckets,
	       v[4]::int AS objectives, v[5]::int AS errors, v[6]::float8 AS alerts_ms, v[7]::float8 AS evaluate_ms,
	       v[8]::int AS alert_events, v[9]::int AS outbox, v[10]::int AS incidents, v[11]::int AS firing
	FROM (SELECT phase, what, rules, run, string_to_array(value, '|') AS v FROM r WHERE what IN ('tick', 'settle', 'before_bursts')) x;
	CREATE FUNCTION pg_temp.f(x float8) RETURNS text LANGUAGE sql IMMUTABLE
	RETURN CASE WHEN x IS NULL THEN '' WHEN abs(x) >= 100 THEN to_char(x, 'FM999,999,990') ELSE to_char(x, 'FM990.0') END;
	CREATE FUNCTION pg_temp.med(p text, c text, col text) RETURNS float8 LANGUAGE plpgsql STABLE AS \$\$
	DECLARE m float8;
	BEGIN
		EXECUTE format('SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY %I) FROM ticks WHERE phase = \$1 AND rules = \$2 AND run > 0', col)
		INTO m USING p, c;
		RETURN m;
	END \$\$;
	\set QUIET off
	\echo == the ticks after the backfill (rules on): 3 settling ticks, and the tick before the bursts
	SELECT what || ' ' || run AS tick, pg_temp.f(wall_ms) AS "wall ms", pg_temp.f(alerts_ms) AS "evaluate_alerts ms",
	       pg_temp.f(evaluate_ms) AS "evaluate_objectives ms", alert_events AS "alert events", outbox AS "outbox rows",
	       incidents AS "incidents opened", firing AS "firing after", errors
	FROM ticks WHERE phase = 'setup' ORDER BY what DESC, run;
	\echo
	\echo == 1, 2. the tick, rules on against rules off (medians of $PAIRS ticks each, interleaved; wall clock, commit included)
	SELECT phase AS tick, rules, count(*) AS runs,
	       pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms)) AS "tick ms",
	       pg_temp.f(min(wall_ms)) || ' - ' || pg_temp.f(max(wall_ms)) AS "min-max",
	       pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY evaluate_ms)) AS "evaluate_objectives ms",
	       pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY alerts_ms)) AS "evaluate_alerts ms",
	       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY alerts_ms / wall_ms) * 100, 'FM990.0') || '%' AS "evaluate_alerts / tick",
	       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY alerts_ms / evaluate_ms) * 100, 'FM990.0') || '%' AS "evaluate_alerts / evaluate_objectives",
	       min(alert_events) || ' - ' || max(alert_events) AS "alert events",
	       min(outbox) || ' - ' || max(outbox) AS "outbox rows",
	       min(incidents) || ' - ' || max(incidents) AS "incidents opened",
	       min(buckets) || ' - ' || max(buckets) AS "minutes recounted", sum(errors) AS errors
	FROM ticks WHERE phase IN ('idle', 'burst') AND run > 0
	GROUP BY phase, rules ORDER BY phase DESC, rules DESC;
	SELECT p AS tick,
	       pg_temp.f(pg_temp.med(p, 'on', 'wall_ms')) AS "on ms", pg_temp.f(pg_temp.med(p, 'off', 'wall_ms')) AS "off ms",
	       to_char(pg_temp.med(p, 'on', 'wall_ms') / pg_temp.med(p, 'off', 'wall_ms'), 'FM990.000') AS "on / off",
	       pg_temp.f(pg_temp.med(p, 'on', 'wall_ms') - pg_temp.med(p, 'off', 'wall_ms')) AS "on - off ms",
	       (SELECT to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY a.wall_ms / b.wall_ms), 'FM990.000')
	        FROM ticks a JOIN ticks b USING (phase, what, run) WHERE a.phase = p AND a.rules = 'on' AND b.rules = 'off' AND a.run > 0) AS "median of the pairs' on / off",
	       pg_temp.f(pg_temp.med(p, 'on', 'alerts_ms') - pg_temp.med(p, 'off', 'alerts_ms')) AS "evaluate_alerts on - off ms"
	FROM unnest(ARRAY['idle', 'burst']) p;
	\echo
	\echo == 1. the evaluation step alone, all objectives, in a transaction rolled back (new session each; medians of $PAIRS)
	SELECT rules,
	       pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY value::float8) FILTER (WHERE what = 'evaluate_alerts')) AS "evaluate_alerts ms",
	       pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY value::float8) FILTER (WHERE what = 'evaluate_objectives')) AS "evaluate_objectives ms (the step, alerts included)",
	       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY value::float8) FILTER (WHERE what = 'evaluate_alerts')
	               / percentile_cont(0.5) WITHIN GROUP (ORDER BY value::float8) FILTER (WHERE what = 'evaluate_objectives') * 100, 'FM990.0') || '%' AS "alerts / step",
	       string_agg(CASE WHEN what = 'evaluate_alerts' THEN value END, ' ' ORDER BY run::int) AS "evaluate_alerts runs"
	FROM r WHERE phase = 'step' AND CASE WHEN phase = 'step' THEN run::int > 0 END
	GROUP BY rules ORDER BY rules DESC;
	\echo
	\echo == profile: one tick of each kind (track_functions = all, pg_stat_statements track = all; ms)
	SELECT rules AS tick, run AS function, split_part(value, '|', 1)::int8 AS calls,
	       pg_temp.f(split_part(value, '|', 2)::float8) AS "total ms", pg_temp.f(split_part(value, '|', 3)::float8) AS "self ms"
	FROM r WHERE phase = 'profile' AND what = 'func' AND split_part(value, '|', 2)::float8 >= 5
	ORDER BY 1, split_part(value, '|', 2)::float8 DESC;
	SELECT rules AS tick, split_part(value, '|', 1)::int8 AS calls,
	       pg_temp.f(split_part(value, '|', 2)::float8) AS "total ms", split_part(value, '|', 3) AS rows, run AS statement
	FROM r WHERE phase = 'profile' AND what = 'stmt' AND split_part(value, '|', 2)::float8 >= 5
	ORDER BY 1, split_part(value, '|', 2)::float8 DESC;
EOF
