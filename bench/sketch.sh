#!/usr/bin/env bash
#
# bench/sketch.sh: how fast and how accurate are slo.sketch's percentiles
# next to PostgreSQL's exact percentile_cont / percentile_disc and the
# tdigest extension (compression 100)?  And the dashboard query: merging
# stored 5-minute sketches against recomputing from the raw rows.
#
# Usage:
#   bash bench/sketch.sh
#
# Server:
#   - PGHOST, PGPORT or PGUSER set: use that running server.  The benchmark
#     creates (if missing) and uses the database $BENCH_DB (default slo_bench,
#     the database of bench/aggregates.sh, whose data set it shares), and
#     CREATE EXTENSION slo and tdigest there; both must be installed
#     (make && make install; tdigest: e.g. the postgresql-15-tdigest package).
#   - none of them set: start a throwaway cluster (initdb as the postgres OS
#     user, unix socket only, port $BENCH_PORT, shared_buffers $BENCH_SHARED_BUFFERS)
#     in a temporary directory, and remove it at exit ($BENCH_KEEP=1 keeps it, running).
#
# Optional: when an extension named slo_sketch_internal is installed (a
# scratch build of the same algorithm with an `internal` transition state;
# see docs/performance.md, "Percentile sketch (issue 4)"), its aggregates are
# timed too, for the cost of slo.sketch's typed state.  BENCH_INTERNAL=0 skips
# it even when installed.
#
# Knobs (environment):
#   BENCH_ROWS=10000000                     rows of the request log (bench/aggregates_setup.sql)
#   BENCH_WINDOW_ROWS="250000 500000 1000000"  only passed on to the data set generator,
#                                           so that the data set is the one of bench/aggregates.sh
#   BENCH_BUCKETS=8640                      stored rollups (30 days of 5-minute sketches)
#   BENCH_RUNS=7  BENCH_WARMUP=1            measured runs and warm-up runs per query
#   BENCH_WORKERS="0 2"                     max_parallel_workers_per_gather settings
#   BENCH_WORK_MEM=256MB                    work_mem
#   BENCH_PORT=54440  BENCH_SHARED_BUFFERS=4GB  BENCH_DB=slo_bench  BENCH_KEEP=
#   BENCH_REGENERATE=1                      rebuild the data set and rollups even if they are there
#   BENCH_MARKDOWN=1                        also print the tables as markdown
#
# Timing: server side, the "Execution Time" of
# EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) (see bench/lib.sql).
# Medians over BENCH_RUNS runs, after BENCH_WARMUP warm-up runs; the runs go
# round robin over the queries, so drift hits every query alike.
# Accuracy: each percentile query also runs once plainly under each workers
# setting; its p50, p95 and p99 are compared with percentile_disc's (the
# exact values at the rank the sketch targets) of the serial run.
#
# The server, the data set, the timed runs and the plan checks are shared
# with bench/aggregates.sh (bench/lib.sh, bench/lib.sql); the queries are in
# bench/sketch_lib.sql, the rollups in bench/sketch_setup.sql.
#
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

ROWS=${BENCH_ROWS:-10000000}
WINDOW_ROWS=${BENCH_WINDOW_ROWS:-"250000 500000 1000000"}
BUCKETS=${BENCH_BUCKETS:-8640}
RUNS=${BENCH_RUNS:-7}
WARMUP=${BENCH_WARMUP:-1}
WORKERS=${BENCH_WORKERS:-"0 2"}
WORK_MEM=${BENCH_WORK_MEM:-256MB}
PORT=${BENCH_PORT:-54440}
SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-4GB}
DB=${BENCH_DB:-slo_bench}

# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"
T_START=$(date +%s)

# ---------------------------------------------------------------------------
# The server; the data set: bench/aggregates.sh's request log, and the rollups
# ---------------------------------------------------------------------------

bench_server slo tdigest

INTERNAL=0
if [[ ${BENCH_INTERNAL:-1} != 0 &&
	  $("${PSQL[@]}" -tAc "SELECT count(*) FROM pg_available_extensions WHERE name = 'slo_sketch_internal'") == 1 ]]; then
	"${PSQL[@]}" -c "CREATE EXTENSION IF NOT EXISTS slo_sketch_internal"
	INTERNAL=1
fi

bench_requests
ROLLUP_STAMP="slo sketch rollups v1: buckets=$BUCKETS from $STAMP"
have=$("${PSQL[@]}" -tAc "SELECT obj_description('bench.sketch_rollup'::regclass, 'pg_class')
                          FROM bench.sketch_rollup LIMIT 1" 2>/dev/null || true)
if [[ -n $REQUESTS_MADE || $have != "$ROLLUP_STAMP" ]]; then
	log "building $BUCKETS rollups (bench/sketch_setup.sql) ..."
	t0=$(date +%s)
	"${PSQL[@]}" -c "$SESSION_SET" -v rows="$ROWS" -v buckets="$BUCKETS" -v stamp="$ROLLUP_STAMP" \
		-f "$HERE/sketch_setup.sql" >/dev/null
	log "  done in $(( $(date +%s) - t0 )) s"
else
	log "reusing the rollups ($ROLLUP_STAMP)"
fi

"${PSQL[@]}" -v suite=sketch -v rows="$ROWS" -v buckets="$BUCKETS" -v internal="$INTERNAL" \
	-f "$HERE/lib.sql" -f "$HERE/sketch_lib.sql" >/dev/null

# ---------------------------------------------------------------------------
# Header: what ran where
# ---------------------------------------------------------------------------

tdigest_line="tdigest:     extension $(bench_ext_version "$DB" tdigest), $(bench_so_line tdigest)"
tdigest_line+=" $(dpkg-query -W -f='(package ${Package} ${Version})' postgresql-15-tdigest 2>/dev/null || true)"
if (( INTERNAL )); then
	internal_line="internal:    extension slo_sketch_internal $(bench_ext_version "$DB" slo_sketch_internal) (scratch build, not in the repository), $(bench_so_line slo_sketch_internal)"
else
	internal_line="internal:    slo_sketch_internal not installed (or BENCH_INTERNAL=0): its rows are left out"
fi
bench_header "slo percentile sketch benchmark (bench/sketch.sh)" "$tdigest_line" "$internal_line"
echo
echo "data:        bench.requests, $ROWS rows, $("${PSQL[@]}" -tAc "SELECT pg_size_pretty(pg_table_size('bench.requests'))"); one row per 250 ms (bench/aggregates_setup.sql)"
"${PSQL[@]}" -tA -c "
	SELECT format('rollups:     bench.sketch_rollup, %s buckets of %s-%s rows (the log cut into %s equal consecutive parts,',
	              count(*), min(n), max(n), count(*))
	       || E'\n             standing for 30 days of 5-minute rollups), '
	       || format('%s in all (heap %s, TOAST %s)',
	                 pg_size_pretty(pg_table_size('bench.sketch_rollup')),
	                 pg_size_pretty(pg_relation_size('bench.sketch_rollup')),
	                 pg_size_pretty(pg_table_size('bench.sketch_rollup') - pg_relation_size('bench.sketch_rollup')
	                                - pg_relation_size('bench.sketch_rollup', 'fsm') - pg_relation_size('bench.sketch_rollup', 'vm')))
	       || E'\n' || format('             stored slo.sketch: avg %s bytes (%s bins); stored tdigest: avg %s bytes',
	                 round(avg(pg_column_size(sketch))), round(avg(length(sketch::text) - length(replace(sketch::text, ',', '')) + 1)),
	                 round(avg(pg_column_size(digest))))
	FROM bench.sketch_rollup"
bench_requests_note
echo

# ---------------------------------------------------------------------------
# Answers (one plain run of each percentile query per workers setting)
# ---------------------------------------------------------------------------

log "collecting answers ..."
for w in $WORKERS; do
	answer_ids=$("${PSQL[@]}" -tA -c "SELECT id FROM bench.sketch_queries WHERE answers AND $w = ANY (workers) ORDER BY ord")
	{
		echo "$SESSION_SET"
		echo "SET max_parallel_workers_per_gather = $w;"
		while IFS= read -r id; do
			printf "SELECT bench.sketch_answer('%s');\n" "$id"
		done <<<"$answer_ids"
	} | "${PSQL[@]}" -tA -f - >&2
done

# ---------------------------------------------------------------------------
# The runs
# ---------------------------------------------------------------------------

bench_runs sketch
echo

bench_load "after the runs"
echo

# ---------------------------------------------------------------------------
# Plan shapes, and the check that parallel runs really are parallel
# ---------------------------------------------------------------------------

bench_plan_shapes sketch
bench_plan_in_full sketch slo.sketch

echo "== percentile_cont's sort: one EXPLAIN (ANALYZE, BUFFERS) run, serial (temp blocks = the sort spilled to disk)"
"${PSQL[@]}" -c "$SESSION_SET" -c "SET max_parallel_workers_per_gather = 0" \
	-c "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, COSTS OFF) $(bench_query_sql sketch percentile_cont)"

bench_parallel_check sketch || exit 1
echo "parallel check: every run with workers > 0 of a parallel-capable section-1 query used Gather > Partial Aggregate"
echo "                and launched workers: ok.  percentile_cont and percentile_disc (ordered-set aggregates: no"
echo "                combine function) run serially under every setting."
echo

# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------

RESULTS_SQL="
	WITH med AS (SELECT * FROM bench.medians('sketch'))
	SELECT q.section, q.ord, q.id AS query, m.workers,
	       to_char(m.ms, 'FM999999990.0') AS median_ms,
	       to_char(m.min_ms, 'FM999999990.0') || '-' || to_char(m.max_ms, 'FM999999990.0') AS range_ms,
	       to_char(pc.ms / m.ms, 'FM99990.00') AS cont_x,
	       to_char(td.ms / m.ms, 'FM99990.00') AS tdigest_x,
	       to_char(m.ms / f.ms, 'FM990.00') AS vs_floor,
	       to_char(m.ms * 1e6 / q.rows, 'FM999990.0') AS ns_per_row
	FROM med m JOIN bench.sketch_queries q USING (id)
	LEFT JOIN med pc ON pc.id = 'percentile_cont' AND pc.workers = m.workers
	LEFT JOIN med td ON td.id = CASE WHEN q.section LIKE '2%' THEN 'tdigest merge rollups' ELSE 'tdigest' END
	                AND td.workers = m.workers
	LEFT JOIN med f ON f.id = 'count(latency_ms)' AND f.workers = m.workers AND q.section LIKE '1%'"

echo "== results: median Execution Time (ms) of $RUNS runs"
echo "   cont/this:    percentile_cont's time / this query's (how many times faster; goal for slo.sketch >= 5)"
echo "   tdigest/this: tdigest's time (section 2: tdigest over the rollups) / this query's (goal for slo.sketch > 1)"
echo "   vs floor:     this query / count(latency_ms), the cost of reading the column"
echo "   rows: section 1 reads bench.requests ($ROWS rows), section 2 the $BUCKETS stored rollups"
"${PSQL[@]}" -c "
	SELECT query, workers, median_ms AS \"median ms\", range_ms AS \"min-max ms\",
	       coalesce(cont_x, '') AS \"cont/this\", coalesce(tdigest_x, '') AS \"tdigest/this\",
	       coalesce(vs_floor, '') AS \"vs floor\", ns_per_row AS \"ns/row\"
	FROM ($RESULTS_SQL) t
	ORDER BY section, workers, ord"

ACCURACY_SQL="
	WITH exact AS (SELECT answers FROM bench.sketch_answers WHERE id = 'percentile_disc' AND workers = ${WORKERS%% *}),
	err AS (
		SELECT q.ord, a.id, a.workers, a.answers,
		       abs(a.answers[1] - e.answers[1]) / abs(e.answers[1]) AS e50,
		       abs(a.answers[2] - e.answers[2]) / abs(e.answers[2]) AS e95,
		       abs(a.answers[3] - e.answers[3]) / abs(e.answers[3]) AS e99
		FROM bench.sketch_answers a JOIN bench.sketch_queries q USING (id), exact e)
	SELECT ord, id AS method, workers,
	       array_to_string(ARRAY(SELECT to_char(x, 'FM99990.000') FROM unnest(answers) x), ' / ') AS answers,
	       to_char(100 * e50, 'FM990.0000') AS e50, to_char(100 * e95, 'FM990.0000') AS e95,
	       to_char(100 * e99, 'FM990.0000') AS e99,
	       to_char(100 * greatest(e50, e95, e99), 'FM990.0000') AS worst
	FROM err"

echo "== accuracy: p50 / p95 / p99 (ms) and relative error (%) against percentile_disc (exact; serial run)"
echo "   |answer - exact| / exact; worst = the largest of the three.  One plain run per workers setting."
"${PSQL[@]}" -c "
	SELECT method, workers, answers AS \"p50 / p95 / p99 ms\", e50 AS \"p50 err %\", e95 AS \"p95 err %\",
	       e99 AS \"p99 err %\", worst AS \"worst err %\"
	FROM ($ACCURACY_SQL) t ORDER BY ord, workers"

echo "== checks on the answers"
"${PSQL[@]}" -tA -c "
	SELECT format('%-72s %s', d || ':', coalesce(ok::text, 'n/a'))
	FROM (VALUES
	  ('percentile_disc the same serial and parallel',
	   (SELECT count(DISTINCT answers) = 1 FROM bench.sketch_answers WHERE id = 'percentile_disc')),
	  ('slo.sketch the same serial and parallel',
	   (SELECT count(DISTINCT answers) = 1 FROM bench.sketch_answers WHERE id = 'slo.sketch')),
	  ('slo.merge of the rollups = slo.sketch of the raw rows (every setting)',
	   (SELECT bool_and(a.answers = r.answers) FROM bench.sketch_answers a, bench.sketch_answers r
	    WHERE a.id LIKE 'slo.merge rollups%' AND r.id = 'slo.sketch')),
	  ('internal-state variant = slo.sketch (every setting, raw and rollups)',
	   (SELECT bool_and(a.answers = r.answers) FROM bench.sketch_answers a, bench.sketch_answers r
	    WHERE a.id LIKE '%internal state' AND r.id = 'slo.sketch' HAVING count(*) > 0)),
	  ('slo.sketch within alpha = 0.01 of percentile_disc',
	   (SELECT bool_and(abs(a.answers[i] - e.answers[i]) <= 0.01 * abs(e.answers[i]))
	    FROM bench.sketch_answers a, bench.sketch_answers e, generate_series(1, 3) i
	    WHERE a.id = 'slo.sketch' AND e.id = 'percentile_disc' AND e.workers = ${WORKERS%% *})),
	  ('slo.sketch alpha 0.001 within 0.001 of percentile_disc',
	   (SELECT bool_and(abs(a.answers[i] - e.answers[i]) <= 0.001 * abs(e.answers[i]))
	    FROM bench.sketch_answers a, bench.sketch_answers e, generate_series(1, 3) i
	    WHERE a.id = 'slo.sketch alpha 0.001' AND e.id = 'percentile_disc' AND e.workers = ${WORKERS%% *}))
	) c(d, ok)"
echo

echo "== summary"
"${PSQL[@]}" -tA -c "
	WITH med AS (SELECT * FROM bench.medians('sketch')),
	acc AS (SELECT method, workers, worst FROM ($ACCURACY_SQL) t)
	SELECT format('workers=%s  slo.sketch %s ms: %s x faster than percentile_cont (goal >= 5), %s x tdigest''s speed (goal > 1);',
	              s.workers, to_char(s.ms, 'FM99990.0'), to_char(c.ms / s.ms, 'FM990.00'), to_char(t.ms / s.ms, 'FM990.00'))
	       || E'\n' || format('           worst error slo.sketch %s%%, tdigest %s%% (goal: sketch smaller)',
	                          sa.worst, ta.worst)
	       || CASE WHEN i.ms IS NOT NULL
	               THEN E'\n' || format('           internal state: %s ms; slo.sketch / internal = %s (%s%% %s)',
	                          to_char(i.ms, 'FM99990.0'), to_char(s.ms / i.ms, 'FM990.000'),
	                          to_char(abs(s.ms / i.ms - 1) * 100, 'FM990.0'),
	                          CASE WHEN s.ms >= i.ms THEN 'slower' ELSE 'faster' END) ELSE '' END
	       || E'\n' || format('           dashboard: slo.merge of %s rollups %s ms, %s x faster than slo.sketch over the raw rows',
	                          $BUCKETS, to_char(m.ms, 'FM99990.00'), to_char(s.ms / m.ms, 'FM999990'))
	       || CASE WHEN mi.ms IS NOT NULL
	               THEN format(' (internal-state merge %s ms)', to_char(mi.ms, 'FM99990.00')) ELSE '' END
	FROM med s
	JOIN med c ON c.id = 'percentile_cont' AND c.workers = s.workers
	JOIN med t ON t.id = 'tdigest' AND t.workers = s.workers
	JOIN med m ON m.id = 'slo.merge rollups' AND m.workers = s.workers
	LEFT JOIN med i ON i.id = 'slo.sketch, internal state' AND i.workers = s.workers
	LEFT JOIN med mi ON mi.id = 'slo.merge rollups, internal state' AND mi.workers = s.workers
	JOIN acc sa ON sa.method = 'slo.sketch' AND sa.workers = s.workers
	JOIN acc ta ON ta.method = 'tdigest' AND ta.workers = s.workers
	WHERE s.id = 'slo.sketch'
	ORDER BY s.workers"
echo

if [[ -n ${BENCH_MARKDOWN:-} ]]; then
	echo "== the same, as markdown"
	"${PSQL[@]}" -tA -c "
		SELECT '| query | workers | median ms | min-max ms | cont/this | tdigest/this | vs floor | ns/row |' UNION ALL
		SELECT '|---|---:|---:|---:|---:|---:|---:|---:|' UNION ALL
		(SELECT format('| %s | %s | %s | %s | %s | %s | %s | %s |', query, workers, median_ms,
		               range_ms, coalesce(cont_x, ''), coalesce(tdigest_x, ''), coalesce(vs_floor, ''), ns_per_row)
		 FROM ($RESULTS_SQL) t ORDER BY section, workers, ord)"
	echo
	"${PSQL[@]}" -tA -c "
		SELECT '| method | workers | p50 / p95 / p99 ms | p50 err % | p95 err % | p99 err % | worst % |' UNION ALL
		SELECT '|---|---:|---|---:|---:|---:|---:|' UNION ALL
		(SELECT format('| %s | %s | %s | %s | %s | %s | %s |', method, workers, answers, e50, e95, e99, worst)
		 FROM ($ACCURACY_SQL) t ORDER BY ord, workers)"
	echo
fi

echo "total:       $(( $(date +%s) - T_START )) s"
