#!/usr/bin/env bash
#
# bench/tick_scale.sh: the data path at scale (issue 9).  1,000 objectives
# over 50 tables, every window rolling 30 days, 2M events over 30 days
# (bench/tick_scale_setup.sql); measured, each against its target:
#
#   a. the first backfill: ticks (CALL slo.tick(), back to back) until every
#      objective's slo_internal.progress.backfilled_until is set; how many,
#      how long;
#   b. the tick with nothing changed (target <= 2 s), interleaved with its
#      peer: count(*) of the 30-day window's events over the 50 tables;
#   c. the tick after 10k new events, 1% of them between 1 hour and 27 days
#      late (target <= 5 s);
#   d. b and c again after more history (BENCH_HISTORY extra rows over the
#      30 days, one stage each, cumulative), and the tick that recounts it
#      (run with slo.query_timeout = 0, so that it counts it all);
#   e. storage: slo.rollup, slo_internal.rollup_hour and rollup_day, tables
#      and indexes, per objective and day of window (target <= 15 kB);
#   f. SELECT * FROM slo.status (target <= 5 ms), beside SELECT * FROM
#      slo.evaluation (the table it reads);
#   and a profile of one idle tick and one tick after 10k events
#   (pg_stat_statements with track = all: every statement inside the tick;
#   track_functions = all), and a correctness check: slo_internal.minutes of a
#   sample of objectives against a fresh count of the raw rows (0 mismatches).
#
# Usage:
#   bash bench/tick_scale.sh
#
# Server: with none of PGHOST, PGPORT, PGUSER set, a throwaway cluster
# (bench_start_cluster in bench/lib.sh: jit off, autovacuum off, fsync off,
# pg_stat_statements preloaded with track = none, turned on only in the
# profiling sessions), removed at exit unless BENCH_KEEP=1.  With one of them
# set, that server (pg_stat_statements must then be preloaded for the
# profile), in database $BENCH_DB, dropped at the end unless BENCH_KEEP=1.
#
# Knobs (environment):
#   BENCH_TABLES=50 BENCH_ROWS_PER_TABLE=40000 BENCH_DAYS=30   the data set
#   BENCH_BACKFILL_TIME=        slo.backfill_time of the backfill ticks (empty:
#                               the server's, 10 s by default)
#   BENCH_MAX_BACKFILL_TICKS=500
#   BENCH_IDLE_TICKS=7          timed idle ticks per stage (after one warm-up), each
#                               followed by one run of the peer
#   BENCH_ROUNDS=5              rounds of "insert BENCH_EVENTS events, then tick" per stage
#   BENCH_EVENTS=10000 BENCH_LATE_SHARE=0.01 BENCH_RECENT='5 minutes'
#   BENCH_HISTORY="1000000"     extra rows of history per stage (cumulative); "" for none
#   BENCH_STATUS_RUNS=200       timed runs of SELECT * FROM slo.status (after 20 warm-up)
#   BENCH_CHECK_EVERY=10        correctness check on objectives with id % N = 3, and
#                               on every timeslices objective
#   BENCH_WORKERS=2             max_parallel_workers_per_gather of every session
#   BENCH_WORK_MEM=64MB BENCH_SHARED_BUFFERS=4GB BENCH_PORT=54500 BENCH_DB=slo_bench_tick_scale
#
# Timing: CALL slo.tick() and the inserts: wall clock on the server,
# clock_timestamp() before and after the statement in the same psql session
# (commit included); each tick in a new session, as pg_cron runs it; the
# tick's slo.tick_log row beside it.  The peer: the same wall clock.  The
# status read: Execution (and Planning) Time of EXPLAIN (ANALYZE, TIMING OFF,
# SUMMARY ON), round robin with its peer; and pgbench's latency (one client,
# round trip).  Medians.
#
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

TABLES=${BENCH_TABLES:-50}
ROWS_PER_TABLE=${BENCH_ROWS_PER_TABLE:-40000}
DAYS=${BENCH_DAYS:-30}
BACKFILL_TIME=${BENCH_BACKFILL_TIME:-}
MAX_BACKFILL_TICKS=${BENCH_MAX_BACKFILL_TICKS:-500}
IDLE_TICKS=${BENCH_IDLE_TICKS:-7}
ROUNDS=${BENCH_ROUNDS:-5}
EVENTS=${BENCH_EVENTS:-10000}
LATE_SHARE=${BENCH_LATE_SHARE:-0.01}
RECENT=${BENCH_RECENT:-5 minutes}
HISTORY=${BENCH_HISTORY-1000000}
STATUS_RUNS=${BENCH_STATUS_RUNS:-200}
CHECK_EVERY=${BENCH_CHECK_EVERY:-10}
WORKERS=${BENCH_WORKERS:-2}
WORK_MEM=${BENCH_WORK_MEM:-64MB}
SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-4GB}
PORT=${BENCH_PORT:-54500}
DB=${BENCH_DB:-slo_bench_tick_scale}

BENCH_CLUSTER_SETTINGS=("shared_preload_libraries = 'pg_stat_statements'"
                        "pg_stat_statements.track = none"
                        "pg_stat_statements.max = 10000")
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

T_START=$(date +%s)
WORK=$(mktemp -d /tmp/slo-bench-tick-scale.XXXXXX)
trap bench_cleanup EXIT
bench_start_cluster || exit 1

export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c client_min_messages=warning -c jit=off -c work_mem=$WORK_MEM -c max_parallel_workers_per_gather=$WORKERS"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
q() { "${PSQL[@]}" -d "$DB" -tA -F '|' "$@"; }
RESULTS=$WORK/results.tsv   # stage, metric, run, value
: >"$RESULTS"
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"; }

# Time one piece of SQL (wall clock on the server, commit included): ms.
timed() {
	q <<-EOF
		SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
		$1
		SELECT round(((extract(epoch FROM clock_timestamp()) - :t0) * 1000)::numeric, 1);
	EOF
}

# One CALL slo.tick() in a new session, after the SQL $1 (settings):
# "wall_ms|log_ms|buckets|objectives|errors"
tick() {
	q <<-EOF
		${1:-}
		SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
		CALL slo.tick();
		SELECT round(((extract(epoch FROM clock_timestamp()) - :t0) * 1000)::numeric, 1),
		       round((extract(epoch FROM finished_at - started_at) * 1000)::numeric, 1),
		       buckets_recounted, objectives_evaluated, errors
		FROM slo.tick_log ORDER BY id DESC LIMIT 1;
	EOF
}

# what autovacuum (off here, for steady timings) would soon do after many
# rows changed: statistics and the visibility map
vacuum_all() {
	q -c "VACUUM ANALYZE slo.rollup, slo_internal.rollup_hour, slo_internal.rollup_day, slo_internal.progress,
	      slo_internal.pending, slo_internal.invalidation, slo.evaluation, slo.history, slo.objective" >/dev/null
	q >/dev/null <<-'EOF'
		SELECT format('VACUUM ANALYZE %s', string_agg(c.oid::regclass::text, ', '))
		FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
		WHERE s.nspname = 'bench' AND c.relname ~ '^ev_[0-9]+$' AND c.relkind = 'r' \gexec
	EOF
}

# storage of the three rollup tables (tables, TOAST and indexes)
storage() {   # $1: stage label
	q -c "
		SELECT format(E'%s\tstorage\t%s\t%s|%s|%s|%s', '$1', t.name, pg_total_relation_size(t.rel),
		              pg_relation_size(t.rel), pg_indexes_size(t.rel), t.n)
		FROM (VALUES ('slo.rollup', 'slo.rollup'::regclass, (SELECT count(*) FROM slo.rollup)),
		             ('slo_internal.rollup_hour', 'slo_internal.rollup_hour'::regclass, (SELECT count(*) FROM slo_internal.rollup_hour)),
		             ('slo_internal.rollup_day', 'slo_internal.rollup_day'::regclass, (SELECT count(*) FROM slo_internal.rollup_day))) t(name, rel, n)" \
		>>"$RESULTS"
}

# b: idle ticks, each followed by the peer
idle_ticks() {   # $1: stage
	local r
	log "$1: idle ticks: 1 warm-up + $IDLE_TICKS, each followed by the peer ..."
	for r in $(seq 0 "$IDLE_TICKS"); do
		record "$1" idle_tick "$r" "$(tick)"
		record "$1" peer_count "$r" "$(timed "SELECT bench.ts_peer_sql() AS peer \\gset
			:peer \\g /dev/null")"
	done
}

# c: rounds of "insert EVENTS events, then tick"
insert_rounds() {   # $1: stage
	local r
	log "$1: $ROUNDS rounds of $EVENTS new events ($LATE_SHARE late), then a tick ..."
	for r in $(seq 1 "$ROUNDS"); do
		record "$1" insert_ms "$r" "$(timed "SELECT bench.ev_insert($EVENTS, $LATE_SHARE, interval '$RECENT') \\g /dev/null")"
		record "$1" notes "$r" "$(q -c "
			SELECT count(*) || '|' || coalesce(extract(epoch FROM sum((SELECT sum(upper(r) - lower(r)) FROM unnest(changed) r)))::int8 / 60, 0)
			FROM slo_internal.invalidation")"
		record "$1" insert_tick "$r" "$(tick)"
	done
}

# ---------------------------------------------------------------------------
# The data set and the objectives
# ---------------------------------------------------------------------------

FP_START=$(sha256sum "$(pg_config --pkglibdir)/slo.so" | cut -c1-12)
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS \"$DB\"" -c "CREATE DATABASE \"$DB\""
DB_CREATED=1
q -c "CREATE EXTENSION slo" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
q -f "$HERE/tick_scale_lib.sql" >/dev/null
log "generating $TABLES tables x $ROWS_PER_TABLE rows over $DAYS days, defining $((TABLES * 20)) objectives ..."
t0=$(date +%s.%N)
q -v tables="$TABLES" -v rows_per_table="$ROWS_PER_TABLE" -v days="$DAYS" -f "$HERE/tick_scale_setup.sql" >/dev/null
record setup setup_s 0 "$(echo "$(date +%s.%N) - $t0" | bc)"

# ---------------------------------------------------------------------------
# a. The first backfill
# ---------------------------------------------------------------------------

SET_BACKFILL=
if [[ -n $BACKFILL_TIME ]]; then
	SET_BACKFILL="SET slo.backfill_time = '$BACKFILL_TIME';"
fi
log "first backfill: ticks until every objective is backfilled (slo.backfill_time ${BACKFILL_TIME:-default}) ..."
t0=$(date +%s.%N)
n=0
while :; do
	n=$((n + 1))
	res=$(tick "$SET_BACKFILL")
	left=$(q -c "SELECT count(*) FROM slo.objective o LEFT JOIN slo_internal.progress p ON p.objective_id = o.id
	             WHERE p.backfilled_until IS NULL")
	record base backfill_tick "$n" "$res|$left"
	log "  tick $n: $res, $left objectives still backfilling"
	[[ $left == 0 ]] && break
	if (( n >= MAX_BACKFILL_TICKS )); then
		log "FAILED: $left objectives still backfilling after $n ticks"
		exit 1
	fi
done
record base backfill_s 0 "$(echo "$(date +%s.%N) - $t0" | bc)"
storage "after the backfill"
vacuum_all
storage "after the backfill, vacuumed"

# ---------------------------------------------------------------------------
# Header
# ---------------------------------------------------------------------------

bench_about "slo data path at scale (bench/tick_scale.sh)" "$DB"
echo "installed:   slo.so sha256 $FP_START"
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
echo "extension:   $(sha256sum "$(pg_config --sharedir)/extension/slo--$(bench_ext_version "$DB" slo).sql" | cut -c1-12) (sha256 of the install script), pg_config $(command -v pg_config)"
echo "             (backfill ticks ran with slo.backfill_time ${BACKFILL_TIME:-at its default})"
q <<-'EOF'
	SELECT bench.ts_stats_sql() AS sql \gset
	SELECT format('data:        %s tables bench.ev_NN (id, ts, service, latency_ms, ok, status; index on ts),', n_tables)
	       || E'\n' || format('             %s rows (%s a table), %s to %s', to_char(n_rows, 'FM999,999,999'),
	                          to_char(n_rows / n_tables, 'FM999,999,999'),
	                          to_char(lo, 'YYYY-MM-DD HH24:MI'), to_char(hi, 'YYYY-MM-DD HH24:MI UTC'))
	FROM (:sql) s;
EOF
echo "objectives:"
"${PSQL[@]}" -d "$DB" -c "
	SELECT sli_kind, budgeting, coalesce(slice::text, '') AS slice, window_length AS window, count(*) AS objectives,
	       count(DISTINCT source) AS tables
	FROM slo.objective GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC"

# ---------------------------------------------------------------------------
# b, f, c on the base data set
# ---------------------------------------------------------------------------

idle_ticks base

log "SELECT * FROM slo.status and its peer: 20 warm-up + $STATUS_RUNS runs each, round robin ..."
{
	for r in $(seq -19 "$STATUS_RUNS"); do
		echo "SELECT format(E'base\\tstatus_exec\\t%s\\t%s|%s', $r, exec_ms, plan_ms) FROM bench.ts_explain_runs('SELECT * FROM slo.status', 0, 1);"
		echo "SELECT format(E'base\\tevaluation_exec\\t%s\\t%s|%s', $r, exec_ms, plan_ms) FROM bench.ts_explain_runs('SELECT * FROM slo.evaluation', 0, 1);"
	done
} >"$WORK/status.sql"
q -f "$WORK/status.sql" >>"$RESULTS"
record base status_rows 0 "$(q -c "SELECT count(*) FROM slo.status")"
for what in status evaluation; do
	echo "SELECT * FROM slo.$what;" >"$WORK/$what.pgb"
done
for r in 1 2 3; do
	for what in status evaluation; do
		lat=$(pgbench -n -c 1 -T 3 -f "$WORK/$what.pgb" "$DB" 2>/dev/null | awk '/latency average/ {print $4}')
		record base "${what}_client" "$r" "$lat"
	done
done

insert_rounds base

# ---------------------------------------------------------------------------
# Profile: one idle tick, one tick after EVENTS events
# ---------------------------------------------------------------------------

profile_tick() {   # $1: name, $2: SQL before the tick
	q <<-EOF
		SET pg_stat_statements.track = 'all';
		SET track_functions = 'all';
		$2
		CREATE TEMP TABLE f0 AS SELECT funcid, calls, total_time, self_time FROM pg_stat_user_functions;
		SELECT pg_stat_statements_reset() \\g /dev/null
		CALL slo.tick();
		SET pg_stat_statements.track = 'none';
		SELECT pg_stat_force_next_flush() \\g /dev/null
		SELECT format(E'profile\\tfunc_%s\\t%s\\t%s|%s|%s', '$1', f.schemaname || '.' || f.funcname,
		              f.calls - coalesce(f0.calls, 0),
		              round((f.total_time - coalesce(f0.total_time, 0))::numeric, 1),
		              round((f.self_time - coalesce(f0.self_time, 0))::numeric, 1))
		FROM pg_stat_user_functions f LEFT JOIN f0 USING (funcid)
		WHERE f.schemaname IN ('slo', 'slo_internal') AND f.calls > coalesce(f0.calls, 0)
		  AND f.total_time - coalesce(f0.total_time, 0) >= 1;
		SELECT format(E'profile\\tstmt_%s\\t%s\\t%s|%s|%s', '$1',
		              regexp_replace(left(regexp_replace(query, '\\s+', ' ', 'g'), 110), E'[\\t|]', ' ', 'g'),
		              calls, round(total_exec_time::numeric, 1), rows)
		FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND total_exec_time >= 5 AND query NOT LIKE '%pg_stat_%'
		ORDER BY total_exec_time DESC LIMIT 25;
	EOF
}
log "profile: one idle tick and one tick after $EVENTS events (pg_stat_statements track = all, track_functions = all) ..."
profile_tick idle "" | grep -P '^profile\t' >>"$RESULTS" || true
profile_tick insert "SELECT bench.ev_insert($EVENTS, $LATE_SHARE, interval '$RECENT') \\g /dev/null" | grep -P '^profile\t' >>"$RESULTS" || true
# the heaviest statements of the evaluation step, alone (EXPLAIN ANALYZE)
q <<-EOF >>"$RESULTS" || log "(pieces failed; skipped)"
	SET max_parallel_workers_per_gather = 0;
	BEGIN;
	SELECT format(E'profile\\tpiece\\t%s\\t%s', p, e.exec_ms)
	FROM (VALUES ('evaluate (all objectives)', 'SELECT slo_internal.evaluate(o, now()) FROM slo.objective o'),
	             ('evaluate, occurrences', \$\$SELECT slo_internal.evaluate(o, now()) FROM slo.objective o WHERE budgeting = 'occurrences'\$\$),
	             ('evaluate, timeslices', \$\$SELECT slo_internal.evaluate(o, now()) FROM slo.objective o WHERE budgeting <> 'occurrences'\$\$),
	             ('record_periods (all)', 'SELECT slo_internal.record_periods(o, slo_internal.minute_of(now())) FROM slo.objective o'),
	             ('apply_policy (all)', 'SELECT slo_internal.apply_policy(o, v) FROM slo.objective o JOIN slo.evaluation v ON v.objective_id = o.id')) AS x(p, sql),
	     LATERAL bench.ts_explain_runs(x.sql, 1, 1) e
	WHERE e.run > 0;
	ROLLBACK;
EOF

# ---------------------------------------------------------------------------
# d. More history
# ---------------------------------------------------------------------------

total=$((TABLES * ROWS_PER_TABLE))
for h in $HISTORY; do
	total=$((total + h))
	stage="+$(numfmt --to=si "$h") history ($(numfmt --to=si "$total") rows)"
	log "$stage: inserting $h rows over the $DAYS days (one transaction) ..."
	record "$stage" history_insert_ms 0 "$(timed "DO \$\$ DECLARE t regclass; BEGIN
		FOR t IN SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
		         WHERE s.nspname = 'bench' AND c.relname ~ '^ev_[0-9]+\$' AND c.relkind = 'r' ORDER BY c.relname LOOP
			PERFORM bench.ev_fill(t, $h / $TABLES, now() - interval '$DAYS days', now() - interval '1 hour');
		END LOOP; END \$\$;")"
	log "$stage: the tick that counts it (slo.query_timeout = 0) ..."
	# one tick counts it all: since 671a306 an owner's counting stops after
	# slo.query_timeout per tick (all objectives here have one owner), which
	# would spread the recount over the ticks measured as idle below
	record "$stage" history_tick 0 "$(tick "SET slo.query_timeout = 0;")"
	vacuum_all
	idle_ticks "$stage"
	insert_rounds "$stage"
	storage "$stage"
done

# ---------------------------------------------------------------------------
# Correctness: slo_internal.minutes against a fresh count of the raw rows
# ---------------------------------------------------------------------------

log "correctness: slo_internal.minutes against the raw rows ..."
q -c "
	SELECT format(E'check\tminutes\t%s\t%s|%s|%s|%s', o.budgeting, count(*), sum(c.minutes), sum(c.mismatches), sum(c.events))
	FROM slo.objective o, LATERAL bench.ts_check_minutes(o.id) c
	WHERE o.id % $CHECK_EVERY = 3 OR o.budgeting <> 'occurrences'
	GROUP BY o.budgeting" >>"$RESULTS"
record check tick_errors 0 "$(q -c "SELECT coalesce(sum(errors), 0) FROM slo.tick_log")"
record check evaluation_errors 0 "$(q -c "SELECT count(*) FROM slo.evaluation WHERE last_error IS NOT NULL")"
vacuum_all
q -c "VACUUM FULL slo.rollup, slo_internal.rollup_hour, slo_internal.rollup_day" >/dev/null
storage "at the end, after VACUUM FULL"
bench_load "after the runs"
echo "total run time: $(( $(date +%s) - T_START )) s"
echo

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

if [[ -n ${BENCH_RESULTS_COPY:-} ]]; then cp "$RESULTS" "$BENCH_RESULTS_COPY"; fi
"${PSQL[@]}" -d "$DB" -v objectives="$((TABLES * 20))" -v days="$DAYS" -f - <<-EOF
	\set QUIET on
	\pset footer off
	CREATE TEMP TABLE r (stage text, metric text, run text, value text);
	\copy r FROM '$RESULTS'
	CREATE TEMP VIEW ticks AS
	SELECT stage, metric, run::int AS run, split_part(value, '|', 1)::float8 AS wall_ms,
	       split_part(value, '|', 2)::float8 AS log_ms, split_part(value, '|', 3)::int8 AS buckets,
	       split_part(value, '|', 4)::int AS objectives, split_part(value, '|', 5)::int AS errors
	FROM r WHERE metric IN ('backfill_tick', 'idle_tick', 'insert_tick', 'history_tick');
	CREATE FUNCTION pg_temp.f(x float8) RETURNS text LANGUAGE sql IMMUTABLE
	RETURN CASE WHEN x IS NULL THEN '' WHEN x >= 100 THEN to_char(x, 'FM999,999,990') ELSE to_char(x, 'FM990.000') END;
	CREATE FUNCTION pg_temp.med(m text, s text) RETURNS float8 LANGUAGE sql STABLE
	RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY split_part(value, '|', 1)::float8)
	        FROM r WHERE metric = m AND stage = s AND run::int > 0);
	CREATE FUNCTION pg_temp.verdict(x float8, target float8) RETURNS text LANGUAGE sql IMMUTABLE
	RETURN CASE WHEN x <= target THEN 'met' ELSE format('MISSED by %s%%', round(((x / target - 1) * 100)::numeric, 0)) END;
	\set QUIET off
	\echo == a. first backfill (every objective new; ticks back to back, each in a new session)
	SELECT count(*) AS ticks, pg_temp.f(sum(wall_ms) / 1000) AS "sum of tick wall s",
	       pg_temp.f((SELECT value::float8 FROM r WHERE metric = 'backfill_s')) AS "elapsed s (with the checks between ticks)",
	       to_char(sum(buckets), 'FM999,999,999') AS "minutes counted",
	       pg_temp.f(min(wall_ms)) || ' - ' || pg_temp.f(max(wall_ms)) AS "tick ms min-max",
	       pg_temp.f(sum(wall_ms) / :objectives) AS "ms per objective"
	FROM ticks WHERE metric = 'backfill_tick';
	SELECT t.run AS tick, pg_temp.f(wall_ms) AS "wall ms", pg_temp.f(log_ms) AS "tick_log ms", buckets AS "minutes counted",
	       split_part(r.value, '|', 6) AS "objectives still backfilling after it"
	FROM ticks t JOIN r USING (stage, metric) WHERE t.metric = 'backfill_tick' AND r.run::int = t.run
	  AND (t.run <= 3 OR t.run % 5 = 0 OR split_part(r.value, '|', 6) = '0')
	ORDER BY t.run;
	\echo
	\echo == b, c, d. ticks, medians (each tick in a new session; peer = count(*) of the events in the 30-day window of every table, wall clock)
	SELECT stage, what, runs, median_ms AS "median ms", range AS "min-max ms", target_ms AS "target ms", ratio AS "ratio to target",
	       verdict, peer_ms AS "peer ms", vs_peer AS "tick / peer", buckets AS "minutes recounted"
	FROM (
	  SELECT stage, 1 AS o, 'idle tick' AS what, count(*) AS runs, pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms)) AS median_ms,
	         pg_temp.f(min(wall_ms)) || ' - ' || pg_temp.f(max(wall_ms)) AS range, '2,000' AS target_ms,
	         to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) / 2000, 'FM990.00') AS ratio,
	         pg_temp.verdict(percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms), 2000) AS verdict,
	         pg_temp.f(pg_temp.med('peer_count', stage)) AS peer_ms,
	         to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) / pg_temp.med('peer_count', stage), 'FM990.00') AS vs_peer,
	         max(buckets)::text AS buckets
	  FROM ticks WHERE metric = 'idle_tick' AND run > 0 GROUP BY stage
	  UNION ALL
	  SELECT stage, 2, format('tick after %s events', $EVENTS), count(*), pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms)),
	         pg_temp.f(min(wall_ms)) || ' - ' || pg_temp.f(max(wall_ms)), '5,000',
	         to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) / 5000, 'FM990.00'),
	         pg_temp.verdict(percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms), 5000), '', '',
	         min(buckets) || ' - ' || max(buckets)
	  FROM ticks WHERE metric = 'insert_tick' GROUP BY stage
	  UNION ALL
	  SELECT stage, 3, 'tick counting the new history', 1, pg_temp.f(wall_ms), '', '', '', '', '', '', buckets::text
	  FROM ticks WHERE metric = 'history_tick'
	) x
	ORDER BY CASE WHEN stage = 'base' THEN '' ELSE stage END, o;
	SELECT i.stage, i.run::int AS round, pg_temp.f(i.value::float8) AS "insert ms",
	       split_part(n.value, '|', 1) AS "notes (table rows)", split_part(n.value, '|', 2) AS "minutes noted",
	       pg_temp.f(t.wall_ms) AS "tick wall ms", pg_temp.f(t.log_ms) AS "tick_log ms", t.buckets AS "minutes recounted"
	FROM r i JOIN r n ON n.stage = i.stage AND n.run = i.run AND n.metric = 'notes'
	JOIN ticks t ON t.stage = i.stage AND t.run = i.run::int AND t.metric = 'insert_tick'
	WHERE i.metric = 'insert_ms'
	ORDER BY CASE WHEN i.stage = 'base' THEN '' ELSE i.stage END, 2;
	SELECT stage, pg_temp.f(value::float8 / 1000) AS "history insert s" FROM r WHERE metric = 'history_insert_ms';
	\echo
	\echo == e. storage: slo.rollup + slo_internal.rollup_hour + rollup_day, tables and indexes (target <= 15 kB per objective per day of window)
	SELECT stage, run AS "table", split_part(value, '|', 4) AS rows,
	       pg_size_pretty(split_part(value, '|', 2)::int8) AS heap, pg_size_pretty(split_part(value, '|', 3)::int8) AS indexes,
	       pg_size_pretty(split_part(value, '|', 1)::int8) AS total,
	       CASE WHEN split_part(value, '|', 4)::int8 > 0 THEN split_part(value, '|', 1)::int8 / split_part(value, '|', 4)::int8 END AS "bytes per row"
	FROM r WHERE metric = 'storage' ORDER BY stage, run;
	SELECT stage, pg_size_pretty(sum(split_part(value, '|', 1)::int8)) AS total,
	       round(sum(split_part(value, '|', 1)::int8) / 1024.0 / :objectives / :days, 2) AS "kB per objective per window day",
	       '15' AS "target kB", round(sum(split_part(value, '|', 1)::int8) / 1024.0 / :objectives / :days / 15, 2) AS ratio,
	       pg_temp.verdict(sum(split_part(value, '|', 1)::int8) / 1024.0 / :objectives / :days, 15) AS verdict
	FROM r WHERE metric = 'storage' GROUP BY stage ORDER BY stage;
	SELECT stage, round(sum(split_part(value, '|', 1)::int8) FILTER (WHERE run <> 'slo.rollup') / 1024.0
	                    / (SELECT count(*) FROM slo.objective WHERE budgeting = 'occurrences') / :days, 2) AS "occurrences: kB per objective-day (hour + day)",
	       round(sum(split_part(value, '|', 1)::int8) FILTER (WHERE run = 'slo.rollup') / 1024.0
	             / nullif((SELECT count(*) FROM slo.objective WHERE budgeting <> 'occurrences'), 0) / :days, 2) AS "timeslices: kB per objective-day (minutes)"
	FROM r WHERE metric = 'storage' GROUP BY stage ORDER BY stage;
	\echo
	\echo == f. SELECT * FROM slo.status ($(q -c "SELECT count(*) FROM slo.objective") rows), target <= 5 ms; peer SELECT * FROM slo.evaluation (round robin)
	SELECT what, count(*) AS runs, pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY v)) AS "median ms",
	       pg_temp.f(min(v)) || ' - ' || pg_temp.f(max(v)) AS "min-max ms",
	       CASE WHEN what LIKE 'status%' THEN pg_temp.verdict(percentile_cont(0.5) WITHIN GROUP (ORDER BY v), 5) END AS "verdict (<= 5 ms)"
	FROM (SELECT CASE metric WHEN 'status_exec' THEN 'status: execution' ELSE 'evaluation: execution' END AS what,
	             split_part(value, '|', 1)::float8 AS v FROM r WHERE metric IN ('status_exec', 'evaluation_exec') AND run::int > 0
	      UNION ALL
	      SELECT CASE metric WHEN 'status_exec' THEN 'status: planning' ELSE 'evaluation: planning' END,
	             split_part(value, '|', 2)::float8 FROM r WHERE metric IN ('status_exec', 'evaluation_exec') AND run::int > 0
	      UNION ALL
	      SELECT CASE metric WHEN 'status_client' THEN 'status: pgbench latency (3 x 3 s)' ELSE 'evaluation: pgbench latency (3 x 3 s)' END,
	             value::float8 FROM r WHERE metric IN ('status_client', 'evaluation_client')) x
	GROUP BY what ORDER BY what DESC;
	SELECT to_char(pg_temp.med('status_exec', 'base') / pg_temp.med('evaluation_exec', 'base'), 'FM990.00') AS "status / evaluation (execution)";
	\echo
	\echo == profile: one idle tick and one tick after $EVENTS events (track_functions = all; pg_stat_statements track = all)
	SELECT substr(metric, 6) AS tick, run AS function, split_part(value, '|', 1)::int8 AS calls,
	       pg_temp.f(split_part(value, '|', 2)::float8) AS "total ms", pg_temp.f(split_part(value, '|', 3)::float8) AS "self ms"
	FROM r WHERE metric LIKE 'func_%' AND split_part(value, '|', 2)::float8 >= 20
	ORDER BY 1, split_part(value, '|', 2)::float8 DESC;
	SELECT substr(metric, 6) AS tick, split_part(value, '|', 1)::int8 AS calls,
	       pg_temp.f(split_part(value, '|', 2)::float8) AS "total ms", split_part(value, '|', 3) AS rows, run AS statement
	FROM r WHERE metric LIKE 'stmt_%'
	ORDER BY 1, split_part(value, '|', 2)::float8 DESC;
	SELECT run AS "piece (EXPLAIN ANALYZE, serial, one run after one warm-up)", pg_temp.f(value::float8) AS ms
	FROM r WHERE metric = 'piece' AND true;
	\echo
	\echo == correctness: slo_internal.minutes against a fresh count of the raw rows (objectives with id % $CHECK_EVERY = 3, and every timeslices one)
	SELECT run AS budgeting, split_part(value, '|', 1) AS objectives, split_part(value, '|', 2) AS "minutes compared",
	       split_part(value, '|', 4) AS "valid events", split_part(value, '|', 3) AS mismatches
	FROM r WHERE metric = 'minutes' ORDER BY 1;
	SELECT (SELECT value FROM r WHERE metric = 'tick_errors') AS "errors in slo.tick_log",
	       (SELECT value FROM r WHERE metric = 'evaluation_errors') AS "objectives with last_error";
EOF
