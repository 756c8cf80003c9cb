#!/usr/bin/env bash
#
# bench/catalog.sh: what does the SLO catalog (0.2) cost?  With 50 objectives
# over one request log:
#
#   1. the dashboard read, SELECT * FROM slo.status, next to recomputing the
#      same numbers (valid, good, SLI, six burn rates) from the raw table
#      with plain SQL (the peer), and the evaluation tick that keeps the
#      status fresh (CALL slo.tick() with nothing changed);
#   2. whether the tick grows with the table: the initial backfill tick, and
#      the tick after 10k new events (most in the last minutes, some late in
#      old minutes) over a 1M-row and a 10M-row log;
#   3. where the tick's time goes (per-function times from track_functions,
#      and the evaluation functions timed alone);
#   4. the write path: one-row INSERTs with and without slo's triggers;
#   5. what-if: the tick's reading next to cheaper plain-SQL forms of the same
#      numbers (an hour-level rollup, one pass for all objectives).
#
# Usage:
#   bash bench/catalog.sh
#
# Server:
#   - PGHOST, PGPORT or PGUSER set: use that running server.  The benchmark
#     (re)creates the databases ${BENCH_DB}_<size> (default slo_bench_catalog_1m,
#     slo_bench_catalog_10m) and CREATE EXTENSION slo there; the extension must
#     be installed (make && make install).  It drops them at the end unless
#     BENCH_KEEP=1.
#   - none of them set: start a throwaway cluster (initdb as the postgres OS
#     user, unix socket only, port $BENCH_PORT, shared_buffers
#     $BENCH_SHARED_BUFFERS) in a temporary directory, and remove it at exit
#     ($BENCH_KEEP=1 keeps it, running).
#
# Knobs (environment):
#   BENCH_SIZES="1000000 10000000"  rows of the log, one database each; the last
#                                   (largest) one gets the status/peer comparison
#   BENCH_DAYS=30                   days the log spans, ending when it is generated
#   BENCH_STATUS_RUNS=200           timed runs of SELECT * FROM slo.status (after 20 warm-up)
#   BENCH_PEER_RUNS=3               timed runs of the plain-SQL peer per workers setting
#                                   (after one untimed run, checked against slo.status)
#   BENCH_PEER_WORKERS="0 2"        max_parallel_workers_per_gather for the peer
#   BENCH_IDLE_TICKS=9              timed ticks with nothing changed, per size (after 1 warm-up)
#   BENCH_ROUNDS=5                  rounds of "insert, then tick", per size
#   BENCH_RECENT=9900 BENCH_LATE=100   events per round: in the last BENCH_RECENT_SPAN,
#   BENCH_RECENT_SPAN='10 minutes'     and late ones between 1 hour and 27 days old
#   BENCH_WRITES=2000               single-row INSERTs timed with and without slo's triggers
#   BENCH_WHATIF_RUNS=5             timed runs of each what-if query (bench/catalog_whatif.sql;
#                                   the two backfill readings run once)
#   BENCH_WORK_MEM=64MB             work_mem of every session
#   BENCH_PORT=54420  BENCH_SHARED_BUFFERS=4GB  BENCH_DB=slo_bench_catalog  BENCH_KEEP=
#
# Timing:
#   - queries (status, peer, evaluation functions): server side, Execution Time
#     (and Planning Time) of EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON), as in
#     bench/aggregates.sh; the status read also client side with pgbench
#     (one client, per-transaction latency: parse, plan, execute, transfer);
#   - CALL slo.tick() and the INSERTs: wall clock on the server,
#     clock_timestamp() before and after the statement, read in the same psql
#     session (each statement its own transaction, so commit included); the
#     tick's own slo.tick_log row (finished_at - started_at) is shown next to it.
#   Medians; the runs of the two sizes alternate, so drift hits both alike.
#
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

SIZES=${BENCH_SIZES:-"1000000 10000000"}
DAYS=${BENCH_DAYS:-30}
STATUS_RUNS=${BENCH_STATUS_RUNS:-200}
PEER_RUNS=${BENCH_PEER_RUNS:-3}
PEER_WORKERS=${BENCH_PEER_WORKERS:-"0 2"}
IDLE_TICKS=${BENCH_IDLE_TICKS:-9}
ROUNDS=${BENCH_ROUNDS:-5}
RECENT=${BENCH_RECENT:-9900}
LATE=${BENCH_LATE:-100}
RECENT_SPAN=${BENCH_RECENT_SPAN:-10 minutes}
WRITES=${BENCH_WRITES:-2000}
WHATIF_RUNS=${BENCH_WHATIF_RUNS:-5}
WORK_MEM=${BENCH_WORK_MEM:-64MB}
PORT=${BENCH_PORT:-54420}
SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-4GB}
DB=${BENCH_DB:-slo_bench_catalog}
BIG=${SIZES##* }

# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

label() { local n=$1; if (( n % 1000000 == 0 )); then echo "$((n / 1000000))m"; else echo "$((n / 1000))k"; fi; }
T_START=$(date +%s)

# ---------------------------------------------------------------------------
# The server (bench/lib.sh, as bench/aggregates.sh)
# ---------------------------------------------------------------------------

WORK=$(mktemp -d /tmp/slo-bench-catalog-work.XXXXXX)
cleanup() {
	if bench_stop_cluster; then
		:
	elif [[ -z ${BENCH_KEEP:-} && -n ${DBS_CREATED:-} ]]; then
		for d in $DBS_CREATED; do
			psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$d\"" >/dev/null 2>&1 || true
		done
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
bench_start_cluster || exit 1

# every session: jit off, the same work_mem, no notices
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c client_min_messages=warning -c jit=off -c work_mem=$WORK_MEM"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
dbname() { echo "${DB}_$(label "$1")"; }
RESULTS=$WORK/results.tsv   # size, metric, run, value
: >"$RESULTS"

# psql in the database of size $1, tuples only, '|' separated
q() { local n=$1; shift; "${PSQL[@]}" -d "$(dbname "$n")" -tA -F '|' "$@"; }

# Time one statement in the database of size $1 (wall clock on the server,
# commit included).  Prints the milliseconds.
timed() {
	local n=$1 sql=$2
	q "$n" <<-EOF
		SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
		$sql
		SELECT round(((extract(epoch FROM clock_timestamp()) - :t0) * 1000)::numeric, 1);
	EOF
}

# One CALL slo.tick() in the database of size $1, after the SQL $2 (settings):
# "wall_ms|log_ms|buckets|objectives|errors"
tick() {
	local n=$1
	q "$n" <<-EOF
		${2:-}
		SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
		CALL slo.tick();
		SELECT round(((extract(epoch FROM clock_timestamp()) - :t0) * 1000)::numeric, 1),
		       round((extract(epoch FROM finished_at - started_at) * 1000)::numeric, 1),
		       buckets_recounted, objectives_evaluated, errors
		FROM slo.tick_log ORDER BY id DESC LIMIT 1;
	EOF
}
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"; }

# ---------------------------------------------------------------------------
# Data sets: one database per size, 50 objectives each, then the backfill tick
# ---------------------------------------------------------------------------


# the installed extension is what runs: fingerprint it now and at the end
ext_fingerprint() {
	sha256sum "$(pg_config --pkglibdir)/slo.so" "$(pg_config --sharedir)"/extension/slo--*.sql 2>/dev/null \
		| awk '{ printf "%s %s; ", substr($1, 1, 12), $2 }'
}
FP_START=$(ext_fingerprint)

DBS_CREATED=
for n in $SIZES; do
	d=$(dbname "$n")
	"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS \"$d\"" -c "CREATE DATABASE \"$d\""
	DBS_CREATED="$DBS_CREATED $d"
	q "$n" -c "CREATE EXTENSION slo" >/dev/null
	q "$n" -f "$HERE/catalog_lib.sql" >/dev/null
	log "$(label "$n"): generating $n rows over $DAYS days, defining 50 objectives ..."
	t0=$(date +%s.%N)
	q "$n" -v rows="$n" -v days="$DAYS" -f "$HERE/catalog_setup.sql" >/dev/null
	record "$n" setup_s 0 "$(echo "$(date +%s.%N) - $t0" | bc)"
	# the rollup must see later writes: slo's capture triggers on the table,
	# noting at commit the minutes a transaction changed, one row per table
	# and time column whatever the number of objectives (checked with one
	# row, deleted again; the backfill tick drops notes older than it;
	# later versions also note the whole table when they attach triggers)
	check=$(q "$n" <<-EOF
		SELECT count(*) FROM pg_trigger
		WHERE tgrelid = 'bench.catalog_events'::regclass AND tgname LIKE 'slo_capture_%';
		CREATE TEMP TABLE notes_before AS SELECT count(*) AS n FROM slo_internal.invalidation;
		INSERT INTO bench.catalog_events VALUES (now(), 'auth', 1, true);
		SELECT (SELECT count(*) FROM slo_internal.invalidation) - n FROM notes_before;
		DELETE FROM bench.catalog_events WHERE ts > now() - interval '1 minute' AND service = 'auth' AND latency_ms = 1;
	EOF
	)
	if [[ $(echo $check) != "4 1" ]]; then
		log "FAILED: $(label "$n"): slo_capture_* triggers and notes for one new row: $(echo $check) (expected 4 triggers, 1 note):"
		log "        later writes would never reach the rollup, and part 2 would time ticks with nothing to do"
		exit 1
	fi
	# (slo.backfill_time raised: the whole backfill in this one tick)
	log "$(label "$n"): the backfill tick ..."
	record "$n" backfill_tick 0 "$(tick "$n" "SET slo.backfill_time = '1h';")"
	# what autovacuum (off in the throwaway cluster, for steady timings) would
	# soon do after the backfill wrote ~2M rollup rows: statistics and the
	# visibility map, so that the tick's plans are the steady-state ones
	q "$n" -c "VACUUM ANALYZE slo.rollup, slo_internal.rollup_hour, slo_internal.rollup_day, slo_internal.progress,
		slo.evaluation, slo_internal.invalidation, slo_internal.pending, slo.objective"
done

# ---------------------------------------------------------------------------
# Header: what ran where
# ---------------------------------------------------------------------------

bench_about "slo catalog benchmark (bench/catalog.sh)" "$(dbname "$BIG")"
echo "installed:   $FP_START"
bench_load "after loading the data"
echo "CPUs:        $(nproc) ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')), RAM $(free -g | awk '/^Mem:/ {print $2}') GB${PGHOST:+; server socket/host $PGHOST}"
q "$BIG" -c "
	SELECT 'setting     ' || rpad(name || ':', 36) || current_setting(name)
	FROM pg_settings
	WHERE name IN ('jit', 'shared_buffers', 'work_mem', 'max_parallel_workers_per_gather',
	               'max_parallel_workers', 'random_page_cost', 'effective_cache_size',
	               'synchronous_commit', 'fsync', 'track_functions')
	ORDER BY name"
echo
echo "data:        bench.catalog_events (ts timestamptz, service text, latency_ms float8, ok bool),"
echo "             index on ts; one database per size; rows evenly spaced over the $DAYS days ending"
echo "             when it was generated (bench/catalog_setup.sql)"
for n in $SIZES; do
	q "$n" -c "
		SELECT format('  %s: %s rows (%s per minute), table %s, index %s, %s to %s',
		              current_database(), to_char(count(*), 'FM999,999,999'),
		              round(count(*) / ($DAYS * 1440.0), 1),
		              pg_size_pretty(pg_table_size('bench.catalog_events')),
		              pg_size_pretty(pg_relation_size('bench.catalog_events_ts_idx')),
		              to_char(min(ts) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
		              to_char(max(ts) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS UTC'))
		FROM bench.catalog_events"
done
"${PSQL[@]}" -d "$(dbname "$BIG")" -c "
	SELECT service, count(*) AS rows, round(avg((NOT ok)::int) * 100, 3) AS \"% not ok\",
	       round(percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms)::numeric, 1) AS p50_ms,
	       round(avg((latency_ms <= 250)::int), 5) AS \"share <= 250 ms\"
	FROM bench.catalog_events GROUP BY ROLLUP (service) ORDER BY service NULLS LAST"
echo "objectives:  the same 50 in each database (bench/catalog_setup.sql):"
"${PSQL[@]}" -d "$(dbname "$BIG")" -c "SELECT * FROM bench.catalog_mix"

# ---------------------------------------------------------------------------
# 1c. Ticks with nothing changed (the evaluation cost), both sizes alternating
# ---------------------------------------------------------------------------

log "ticks with nothing changed: 1 warm-up + $IDLE_TICKS per size ..."
for r in $(seq 0 "$IDLE_TICKS"); do
	for n in $SIZES; do
		record "$n" idle_tick "$r" "$(tick "$n")"
	done
done

# ---------------------------------------------------------------------------
# 1a. The dashboard read, right after the last tick
# ---------------------------------------------------------------------------

log "SELECT * FROM slo.status: 20 warm-up + $STATUS_RUNS runs per size ..."
for n in $SIZES; do
	q "$n" -c "
		SELECT format(E'%s\tstatus_exec\t%s\t%s\n%s\tstatus_plan\t%s\t%s', $n, e.run, e.exec_ms, $n, e.run, e.plan_ms)
		FROM bench.catalog_explain_runs('SELECT * FROM slo.status', 20, $STATUS_RUNS) e" >>"$RESULTS"
	q "$n" -c "SELECT format(E'%s\tstatus_rows\t0\t%s', $n, count(*)) FROM slo.status" >>"$RESULTS"
	if [[ -x $PGBIN/pgbench ]]; then
		echo 'SELECT * FROM slo.status;' >"$WORK/status.sql"
		(cd "$WORK" && "$PGBIN/pgbench" -n -c 1 -t $((STATUS_RUNS + 20)) -f "$WORK/status.sql" \
			-l --log-prefix="pgb_$n" "$(dbname "$n")" >/dev/null 2>&1) || true
		if compgen -G "$WORK/pgb_$n*" >/dev/null; then
			cat "$WORK"/pgb_"$n"* | awk -v n="$n" 'NR > 20 { printf "%s\tstatus_client\t%d\t%.3f\n", n, NR - 20, $3 / 1000 }' >>"$RESULTS"
		fi
	fi
done

# ---------------------------------------------------------------------------
# 1b. The peer: the same numbers from the raw table with plain SQL
# ---------------------------------------------------------------------------

log "the plain-SQL peer on $(label "$BIG") (checked against slo.status first) ..."
q "$BIG" -c "
	DROP TABLE IF EXISTS bench.catalog_peer;
	CREATE TABLE bench.catalog_peer AS
	SELECT max(evaluated_at) AS at, bench.catalog_peer_sql(max(evaluated_at)) AS sql FROM slo.evaluation"
PEER_N=$(q "$BIG" -c "SELECT count(*) FROM slo.evaluation")
PEER_BAD=$(q "$BIG" -c "SELECT count(*) FROM bench.catalog_peer_check((SELECT sql FROM bench.catalog_peer))")
PEER_DIFFS=$(q "$BIG" -c "SELECT * FROM bench.catalog_peer_check((SELECT sql FROM bench.catalog_peer)) LIMIT 20")
for w in $PEER_WORKERS; do
	q "$BIG" -c "SET max_parallel_workers_per_gather = $w" -c "
		SELECT format(E'%s\tpeer_exec_w%s\t%s\t%s\n%s\tpeer_plan_w%s\t%s\t%s', $BIG, $w, e.run, e.exec_ms, $BIG, $w, e.run, e.plan_ms)
		FROM bench.catalog_explain_runs((SELECT sql FROM bench.catalog_peer), 0, $PEER_RUNS) e" >>"$RESULTS"
done

# ---------------------------------------------------------------------------
# 2. Insert 10k events, then tick: both sizes alternating
# ---------------------------------------------------------------------------

log "insert $((RECENT + LATE)) events then tick: $ROUNDS rounds per size ..."
for r in $(seq 1 "$ROUNDS"); do
	for n in $SIZES; do
		record "$n" insert_ms "$r" \
			"$(timed "$n" "SELECT bench.catalog_insert($RECENT, interval '$RECENT_SPAN', $LATE) \\g /dev/null")"
		# what the tick will recount: noted minutes (times the objectives), the
		# source rows in them (read once: one counting query for the table's
		# objectives), distinct minutes
		record "$n" pending "$r" "$(q "$n" -c "
			WITH m AS (SELECT range_agg(r) AS mr FROM slo_internal.invalidation, unnest(changed) r),
			     k AS (SELECT coalesce(extract(epoch FROM (SELECT sum(upper(r) - lower(r)) FROM m, unnest(m.mr) r))::int8 / 60, 0) AS minutes)
			SELECT k.minutes * (SELECT count(*) FROM slo.objective) || '|'
			       || (SELECT count(*) FROM bench.catalog_events e, m WHERE e.ts <@ m.mr) || '|' || k.minutes
			FROM k")"
		record "$n" insert_tick "$r" "$(tick "$n")"
	done
done

# ---------------------------------------------------------------------------
# 3. Where the time goes ($(label "$BIG")): per-function times of one tick
#    with nothing changed and of one tick after an insert (track_functions),
#    and the evaluation functions timed alone
# ---------------------------------------------------------------------------

log "profile ..."
profile_tick() {   # $1: name, $2: SQL to run before the tick
	q "$BIG" <<-EOF
		SET track_functions = 'all';
		$2
		CREATE TEMP TABLE f0 AS SELECT funcid, calls, total_time, self_time FROM pg_stat_user_functions;
		CALL slo.tick();
		SELECT pg_stat_force_next_flush();
		SELECT format(E'%s\tprofile_%s\t%s\t%s|%s|%s', $BIG, '$1', f.schemaname || '.' || f.funcname,
		              f.calls - coalesce(f0.calls, 0),
		              round((f.total_time - coalesce(f0.total_time, 0))::numeric, 1),
		              round((f.self_time - coalesce(f0.self_time, 0))::numeric, 1))
		FROM pg_stat_user_functions f LEFT JOIN f0 USING (funcid)
		WHERE f.schemaname IN ('slo', 'slo_internal') AND f.calls > coalesce(f0.calls, 0);
	EOF
}
profile_tick idle "SELECT 1 \\g /dev/null" | grep -P '\tprofile_' >>"$RESULTS"
profile_tick insert "SELECT bench.catalog_insert($RECENT, interval '$RECENT_SPAN', $LATE) \\g /dev/null" \
	| grep -P '\tprofile_' >>"$RESULTS"

# evaluation pieces alone (3 runs each, median), by budgeting method; in a
# transaction rolled back
q "$BIG" <<-EOF | grep -P '\tpiece_' >>"$RESULTS"
	BEGIN;
	CREATE TEMP TABLE groups (g text, cond text);
	INSERT INTO groups VALUES
	  ('occurrences', \$\$o.budgeting = 'occurrences'\$\$),
	  ('timeslices', \$\$o.budgeting = 'timeslices' AND o.empty_slices = 'exclude'\$\$),
	  ('throughput (empty slices bad)', \$\$o.budgeting = 'timeslices' AND o.empty_slices <> 'exclude'\$\$),
	  ('ratio_timeslices', \$\$o.budgeting = 'ratio_timeslices'\$\$),
	  ('all', 'true');
	CREATE TEMP TABLE pieces (p text, sql text);
	INSERT INTO pieces VALUES
	  ('evaluate', 'SELECT slo_internal.evaluate(o, now()) FROM slo.objective o WHERE %s'),
	  ('measure: window', 'SELECT slo_internal.measure(o, w.window_start, w.window_start, LEAST(now(), w.window_end)) FROM slo.objective o, slo_internal.window_of(o, now()) w WHERE %s'),
	  ('measure: 6 lookbacks', \$\$SELECT slo_internal.measure(o, w.window_start, now() - lb, now()) FROM slo.objective o, slo_internal.window_of(o, now()) w, unnest('{5 minutes,30 minutes,1 hour,6 hours,1 day,3 days}'::interval[]) lb WHERE %s\$\$),
	  ('window_of', 'SELECT slo_internal.window_of(o, now()) FROM slo.objective o WHERE %s');
	SELECT format(E'%s\tpiece_%s\t%s\t%s|%s', $BIG, p.p, g.g, e.run, e.exec_ms)
	FROM pieces p, groups g,
	     LATERAL bench.catalog_explain_runs(format(p.sql, g.cond), 0, 3) e;
	ROLLBACK;
EOF
q "$BIG" -c "
	SELECT format(E'%s\tgroup_n\t%s\t%s', $BIG, g, count(*))
	FROM (SELECT CASE WHEN budgeting = 'occurrences' THEN 'occurrences'
	                  WHEN budgeting = 'ratio_timeslices' THEN 'ratio_timeslices'
	                  WHEN empty_slices = 'exclude' THEN 'timeslices'
	                  ELSE 'throughput (empty slices bad)' END AS g
	      FROM slo.objective) s GROUP BY g
	UNION ALL SELECT format(E'%s\tgroup_n\tall\t%s', $BIG, count(*)) FROM slo.objective" >>"$RESULTS"
# ---------------------------------------------------------------------------
# 5. What-if ($(label "$BIG")): plain SQL over the same rollup and data, the
#    tick's work next to cheaper forms of the same numbers (checked equal)
# ---------------------------------------------------------------------------

log "what-if: window sums from an hour rollup, one-pass recount and backfill ..."
q "$BIG" -v size="$BIG" -v runs="$WHATIF_RUNS" -f "$HERE/catalog_whatif.sql" | grep -P '\twhatif_' >>"$RESULTS"

# ---------------------------------------------------------------------------
# 4. The write path ($(label "$BIG")): single-row INSERTs with slo's statement
#    triggers (50 objectives) and with triggers off (session_replication_role
#    = replica; those rows are never noted, which no later step checks), then
#    the tick that consumes the notes
# ---------------------------------------------------------------------------

if [[ -x $PGBIN/pgbench ]]; then
	log "write path: $WRITES single-row INSERTs without and with the triggers ..."
	for mode in replica origin; do
		printf '%s\n' "SET session_replication_role = $mode;" \
			"INSERT INTO bench.catalog_events VALUES (now(), 'checkout', 42, true);" >"$WORK/ins_$mode.sql"
		(cd "$WORK" && "$PGBIN/pgbench" -n -c 1 -t "$WRITES" -f "$WORK/ins_$mode.sql" \
			-l --log-prefix="ins_$mode" "$(dbname "$BIG")" >/dev/null 2>&1) || true
		if compgen -G "$WORK/ins_$mode*" >/dev/null; then
			cat "$WORK"/ins_"$mode"* | awk -v n="$BIG" -v m="$mode" '{ printf "%s\twrite_%s\t%d\t%.3f\n", n, m, NR, $3 / 1000 }' >>"$RESULTS"
		fi
	done
	record "$BIG" write_notes 0 "$(q "$BIG" -c "
		SELECT count(*) || '|' || coalesce((SELECT extract(epoch FROM sum(upper(r) - lower(r)))::int8 / 60
		                                    FROM (SELECT unnest(range_agg(x)) AS r FROM slo_internal.invalidation, unnest(changed) x) u), 0)
		FROM slo_internal.invalidation")"
	record "$BIG" write_tick 0 "$(tick "$BIG")"
fi

for n in $SIZES; do
	q "$n" -c "SELECT format(E'%s\trollup_rows\t0\t%s + %s + %s|%s', $n, (SELECT count(*) FROM slo.rollup),
	                         (SELECT count(*) FROM slo_internal.rollup_hour), (SELECT count(*) FROM slo_internal.rollup_day),
	                         pg_size_pretty(pg_total_relation_size('slo.rollup') + pg_total_relation_size('slo_internal.rollup_hour')
	                                        + pg_total_relation_size('slo_internal.rollup_day')))" >>"$RESULTS"
done
bench_load "after the runs"
echo

# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------

if [[ -n ${BENCH_RESULTS_COPY:-} ]]; then cp "$RESULTS" "$BENCH_RESULTS_COPY"; fi
REPORT=(psql -X -q -v ON_ERROR_STOP=1 -d "$(dbname "$BIG")")
"${REPORT[@]}" -f - <<-EOF
	\set QUIET on
	CREATE TEMP TABLE r (size bigint, metric text, run text, value text);
	\copy r FROM '$RESULTS'
	CREATE TEMP VIEW ticks AS
	SELECT size, metric, run::int AS run, split_part(value, '|', 1)::float8 AS wall_ms,
	       split_part(value, '|', 2)::float8 AS log_ms, split_part(value, '|', 3)::int8 AS buckets,
	       split_part(value, '|', 4)::int AS objectives, split_part(value, '|', 5)::int AS errors
	FROM r WHERE metric IN ('backfill_tick', 'idle_tick', 'insert_tick', 'write_tick');
	CREATE TEMP VIEW num AS
	SELECT size, metric, run::int AS run, value::float8 AS v FROM r
	WHERE metric IN ('status_exec', 'status_plan', 'status_client', 'insert_ms', 'setup_s')
	   OR metric LIKE 'peer_%' OR metric LIKE 'write_%' AND metric NOT IN ('write_tick', 'write_notes');
	CREATE FUNCTION pg_temp.f(x float8) RETURNS text LANGUAGE sql IMMUTABLE
	RETURN CASE WHEN x IS NULL THEN '' WHEN x >= 100 THEN to_char(x, 'FM999,999,990') ELSE to_char(x, 'FM990.000') END;
	\set QUIET off
	\echo == 1. the dashboard read vs the plain-SQL peer, $(label "$BIG") rows, 50 objectives
	SELECT what, runs, median_ms AS "median ms", range_ms AS "min-max ms" FROM (
	  SELECT 1 AS o, 'SELECT * FROM slo.status: execution' AS what, count(*) AS runs,
	         pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY v)) AS median_ms,
	         pg_temp.f(min(v)) || ' - ' || pg_temp.f(max(v)) AS range_ms
	  FROM num WHERE metric = 'status_exec' AND run > 0 AND size = $BIG
	  UNION ALL
	  SELECT 2, 'SELECT * FROM slo.status: planning', count(*),
	         pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY v)), pg_temp.f(min(v)) || ' - ' || pg_temp.f(max(v))
	  FROM num WHERE metric = 'status_plan' AND run > 0 AND size = $BIG
	  UNION ALL
	  SELECT 3, 'SELECT * FROM slo.status: client (pgbench latency)', count(*),
	         pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY v)), pg_temp.f(min(v)) || ' - ' || pg_temp.f(max(v))
	  FROM num WHERE metric = 'status_client' AND run > 0 AND size = $BIG
	  UNION ALL
	  SELECT 4 + row_number() OVER (ORDER BY metric), 'peer, workers = ' || substr(metric, 12) || ': execution', count(*),
	         pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY v)), pg_temp.f(min(v)) || ' - ' || pg_temp.f(max(v))
	  FROM num WHERE metric LIKE 'peer_exec_w%' AND run > 0 GROUP BY metric
	  UNION ALL
	  SELECT 10, 'CALL slo.tick(), nothing changed (wall)', count(*),
	         pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms)), pg_temp.f(min(wall_ms)) || ' - ' || pg_temp.f(max(wall_ms))
	  FROM ticks WHERE metric = 'idle_tick' AND run > 0 AND size = $BIG
	) t ORDER BY o;
	SELECT 'peer (workers = ' || substr(p.metric, 12) || ') / status execution' AS ratio,
	       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY p.v) / (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM num WHERE metric = 'status_exec' AND run > 0 AND size = $BIG), 'FM999,999,990') AS "x"
	FROM num p WHERE p.metric LIKE 'peer_exec_w%' AND p.run > 0 GROUP BY p.metric
	UNION ALL
	SELECT 'peer (workers = ' || substr(p.metric, 12) || ') / status client latency',
	       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY p.v) / (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM num WHERE metric = 'status_client' AND run > 0 AND size = $BIG), 'FM999,999,990')
	FROM num p WHERE p.metric LIKE 'peer_exec_w%' AND p.run > 0 GROUP BY p.metric
	UNION ALL
	SELECT 'peer (workers = ' || substr(p.metric, 12) || ') / idle tick',
	       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY p.v) / (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) FROM ticks WHERE metric = 'idle_tick' AND run > 0 AND size = $BIG), 'FM999,990.0')
	FROM num p WHERE p.metric LIKE 'peer_exec_w%' AND p.run > 0 GROUP BY p.metric
	UNION ALL
	SELECT 'idle tick every minute: share of one CPU', to_char(100 * percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) / 60000, 'FM990.00') || ' %'
	FROM ticks WHERE metric = 'idle_tick' AND run > 0 AND size = $BIG;
	\echo peer check: $PEER_N objectives compared, $PEER_BAD differing values between the peer and slo.status (valid, good exactly; SLI and 6 burn rates to 1e-9)
	\echo
	\echo == 2. tick cost against table size (medians; runs > 0)
	SELECT size AS rows, metric AS tick, count(*) AS runs,
	       pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms)) AS "median wall ms",
	       pg_temp.f(min(wall_ms)) || ' - ' || pg_temp.f(max(wall_ms)) AS "min-max ms",
	       pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY log_ms)) AS "tick_log ms",
	       percentile_disc(0.5) WITHIN GROUP (ORDER BY buckets) AS "buckets_recounted",
	       max(objectives) AS objectives, max(errors) AS errors
	FROM ticks WHERE run > 0 OR metric = 'backfill_tick'
	GROUP BY size, metric
	ORDER BY CASE metric WHEN 'backfill_tick' THEN 1 WHEN 'idle_tick' THEN 2 ELSE 3 END, size;
	WITH m AS (
	  SELECT metric, size, percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) AS ms
	  FROM ticks WHERE run > 0 OR metric = 'backfill_tick' GROUP BY 1, 2)
	SELECT a.metric AS tick, pg_temp.f(a.ms) AS "smallest: median ms", pg_temp.f(b.ms) AS "largest: median ms",
	       to_char(b.ms / a.ms, 'FM990.00') AS "largest / smallest"
	FROM m a JOIN m b ON a.metric = b.metric
	WHERE a.size = (SELECT min(size) FROM m) AND b.size = (SELECT max(size) FROM m)
	ORDER BY CASE a.metric WHEN 'backfill_tick' THEN 1 WHEN 'idle_tick' THEN 2 ELSE 3 END;
	\echo what the recount costs: (median insert tick - median idle tick) per source row re-read
	WITH t AS (
	  SELECT size, percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) FILTER (WHERE metric = 'idle_tick') AS idle,
	         percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms) FILTER (WHERE metric = 'insert_tick') AS ins,
	         percentile_cont(0.5) WITHIN GROUP (ORDER BY buckets) FILTER (WHERE metric = 'insert_tick') AS buckets
	  FROM ticks WHERE run > 0 GROUP BY size),
	p AS (
	  SELECT size, percentile_cont(0.5) WITHIN GROUP (ORDER BY split_part(value, '|', 2)::float8) AS src_rows
	  FROM r WHERE metric = 'pending' GROUP BY size)
	SELECT size AS rows, pg_temp.f(idle) AS "idle tick ms", pg_temp.f(ins) AS "insert tick ms",
	       pg_temp.f(ins - idle) AS "difference ms", buckets AS "buckets recounted",
	       to_char(src_rows, 'FM999,999,990') AS "source rows re-read",
	       to_char((ins - idle) * 1000 / buckets, 'FM999,990.0') AS "us per bucket",
	       to_char((ins - idle) * 1e6 / src_rows, 'FM999,990') AS "ns per source row"
	FROM t JOIN p USING (size) ORDER BY size;
	\echo per round (insert $((RECENT + LATE)) events: $RECENT in the last $RECENT_SPAN, $LATE between 1 hour and 27 days old; then the tick)
	SELECT i.size AS rows, i.run::int AS round, pg_temp.f(i.value::float8) AS "insert ms",
	       split_part(p.value, '|', 1) AS "noted (objective, minute)",
	       split_part(p.value, '|', 3) AS "distinct minutes",
	       split_part(p.value, '|', 2) AS "source rows in them",
	       pg_temp.f(t.wall_ms) AS "tick wall ms", pg_temp.f(t.log_ms) AS "tick_log ms", t.buckets AS buckets_recounted
	FROM r i JOIN r p ON p.size = i.size AND p.run = i.run AND p.metric = 'pending'
	JOIN ticks t ON t.size = i.size AND t.run = i.run::int AND t.metric = 'insert_tick'
	WHERE i.metric = 'insert_ms'
	ORDER BY i.run::int, i.size;
	SELECT size AS rows, split_part(value, '|', 1) AS "rows: slo.rollup + rollup_hour + rollup_day", split_part(value, '|', 2) AS "their size"
	FROM r WHERE metric = 'rollup_rows' ORDER BY size;
	SELECT size AS rows, round(value::numeric, 1) AS "generate + define 50 objectives, s" FROM r WHERE metric = 'setup_s' ORDER BY size;
	\echo
	\echo == 3. profile ($(label "$BIG")): one tick, per function (track_functions = all; times include its overhead)
	SELECT split_part(metric, '_', 2) AS tick, run AS function, split_part(value, '|', 1)::int8 AS calls,
	       pg_temp.f(split_part(value, '|', 2)::float8) AS "total ms", pg_temp.f(split_part(value, '|', 3)::float8) AS "self ms"
	FROM r WHERE metric LIKE 'profile_%'
	ORDER BY 1, split_part(value, '|', 2)::float8 DESC;
	\echo evaluation pieces alone (median of 3, EXPLAIN ANALYZE Execution Time, inside a rolled-back transaction)
	SELECT substr(p.metric, 7) AS piece, p.run AS objectives, n.value::int AS n,
	       pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY split_part(p.value, '|', 2)::float8)) AS "median ms",
	       pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY split_part(p.value, '|', 2)::float8) / n.value::int) AS "ms per objective"
	FROM r p JOIN r n ON n.metric = 'group_n' AND n.run = p.run
	WHERE p.metric LIKE 'piece_%'
	GROUP BY p.metric, p.run, n.value
	ORDER BY 1, 2;
	\echo
	\echo == 4. the write path ($(label "$BIG")): one-row INSERT statements (pgbench, one client, autocommit)
	SELECT CASE metric WHEN 'write_replica' THEN 'triggers off (session_replication_role = replica)'
	                   ELSE 'slo triggers on (50 objectives)' END AS "INSERT of one row",
	       count(*) AS runs, pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY v)) AS "median ms",
	       pg_temp.f(percentile_cont(0.9) WITHIN GROUP (ORDER BY v)) AS "p90 ms"
	FROM num WHERE metric IN ('write_replica', 'write_origin') GROUP BY metric ORDER BY metric DESC;
	SELECT split_part(n.value, '|', 1) AS "slo_internal.invalidation rows after them",
	       split_part(n.value, '|', 2) AS "distinct minutes noted",
	       pg_temp.f(t.wall_ms) AS "next tick wall ms", t.buckets AS buckets_recounted
	FROM r n, ticks t WHERE n.metric = 'write_notes' AND t.metric = 'write_tick';
	\echo
	\echo == 5. what-if ($(label "$BIG")): the same numbers, computed the way the tick does and a cheaper way (EXPLAIN ANALYZE Execution Time, median)
	SELECT substr(metric, 8) AS query, count(*) AS runs,
	       pg_temp.f(percentile_cont(0.5) WITHIN GROUP (ORDER BY value::float8)) AS "median ms",
	       pg_temp.f(min(value::float8)) || ' - ' || pg_temp.f(max(value::float8)) AS "min-max ms"
	FROM r WHERE metric LIKE 'whatif_%' AND metric NOT LIKE 'whatif_check_%'
	GROUP BY metric ORDER BY split_part(metric, ':', 1), metric DESC;
	SELECT substr(metric, 14) AS "same numbers?", value AS result FROM r WHERE metric LIKE 'whatif_check_%' ORDER BY 1;
EOF
if [[ $PEER_BAD != 0 ]]; then
	echo "peer differences (first 20):"
	echo "$PEER_DIFFS"
fi
FP_END=$(ext_fingerprint)
if [[ $FP_END != "$FP_START" ]]; then
	echo "WARNING: the installed extension changed during the run: $FP_END"
fi
echo "total run time: $(( $(date +%s) - T_START )) s"
