#!/usr/bin/env bash
#
# bench/aggregates.sh: how fast are slo's counting aggregates next to the
# plain SQL they replace, and next to count(*), the cost of just scanning?
#
# Usage:
#   bash bench/aggregates.sh
#
# Server:
#   - PGHOST, PGPORT or PGUSER set: use that running server.  The benchmark
#     creates (if missing) and uses the database $BENCH_DB (default slo_bench),
#     and CREATE EXTENSION slo there; the extension must be installed
#     (make && make install).
#   - none of them set: start a throwaway cluster (initdb as the postgres OS
#     user, unix socket only, port $BENCH_PORT, shared_buffers $BENCH_SHARED_BUFFERS)
#     in a temporary directory, and remove it at exit ($BENCH_KEEP=1 keeps it, running).
#
# Knobs (environment):
#   BENCH_ROWS=10000000                     rows of the request log
#   BENCH_WINDOW_ROWS="250000 500000 1000000"  moving-window sizes; the last one
#                                           is also compared under 2 workers
#   BENCH_RUNS=7  BENCH_WARMUP=1            measured runs and warm-up runs per query
#   BENCH_WORKERS="0 2"                     max_parallel_workers_per_gather settings
#   BENCH_WORK_MEM=256MB                    work_mem (window sorts stay in memory)
#   BENCH_PORT=54390  BENCH_SHARED_BUFFERS=4GB  BENCH_DB=slo_bench  BENCH_KEEP=
#                                           (4GB: every table is below shared_buffers/4, so
#                                           sequential scans keep it in shared buffers rather
#                                           than reading it through a 256kB ring from the OS
#                                           cache; the header says which case applies)
#   BENCH_REGENERATE=1                      rebuild the data set even if it is there
#   BENCH_MARKDOWN=1                        also print the results table as markdown
#
# Timing: server side, the "Execution Time" of
# EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) (see bench/lib.sql).
# Medians over BENCH_RUNS runs, after BENCH_WARMUP warm-up runs; the runs go
# round robin over the queries, so drift hits every query alike.
#
# The server, the data set, the timed runs and the plan checks are shared
# with bench/sketch.sh (bench/lib.sh, bench/lib.sql); the queries are in
# bench/aggregates_lib.sql.
#
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

ROWS=${BENCH_ROWS:-10000000}
WINDOW_ROWS=${BENCH_WINDOW_ROWS:-"250000 500000 1000000"}
RUNS=${BENCH_RUNS:-7}
WARMUP=${BENCH_WARMUP:-1}
WORKERS=${BENCH_WORKERS:-"0 2"}
WORK_MEM=${BENCH_WORK_MEM:-256MB}
PORT=${BENCH_PORT:-54390}
SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-4GB}
DB=${BENCH_DB:-slo_bench}
WINDOW_MAIN=${WINDOW_ROWS##* }

# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

# ---------------------------------------------------------------------------
# The server and the data set
# ---------------------------------------------------------------------------

bench_server slo
bench_requests
"${PSQL[@]}" -v suite=aggregates -v rows="$ROWS" -v window_rows="$WINDOW_ROWS" -v window_main="$WINDOW_MAIN" \
	-f "$HERE/lib.sql" -f "$HERE/aggregates_lib.sql" >/dev/null

# ---------------------------------------------------------------------------
# Header: what ran where
# ---------------------------------------------------------------------------

bench_header "slo counting aggregates benchmark (bench/aggregates.sh)"
echo
echo "data:        bench.requests, $ROWS rows, $("${PSQL[@]}" -tAc "SELECT pg_size_pretty(pg_table_size('bench.requests'))"); one row per 250 ms"
"${PSQL[@]}" -c "$SESSION_SET" -c "SET max_parallel_workers_per_gather = 2" -c "
	SELECT service, count(*) AS rows, round(avg((NOT ok)::int) * 100, 3) AS \"% not ok\",
	       round(percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms)::numeric, 1) AS p50_ms,
	       round(slo.p_within(latency_ms, 250)::numeric, 5) AS p_within_250
	FROM bench.requests GROUP BY ROLLUP (service) ORDER BY service NULLS LAST"
bench_requests_note
echo "window subsets: $(for n in $WINDOW_ROWS; do printf 'bench.requests_%s ' "$n"; done)(first N rows by ts; a 1-hour frame holds 14,400 rows)"
echo

# The aggregates must answer exactly what their SQL forms answer, here too.
echo "== check: slo aggregates equal their SQL forms on this data (serial and parallel)"
for w in $WORKERS; do
	"${PSQL[@]}" -tA -c "$SESSION_SET" -c "SET max_parallel_workers_per_gather = $w" -c "
		SELECT format('workers=%s  p_within same: %s  burn_rate same: %s  budget_remaining same: %s',
		              $w,
		              slo.p_within(latency_ms, 250) = count(*) FILTER (WHERE latency_ms <= 250)::float8 / count(*),
		              slo.burn_rate(ok, 0.999) = (count(*) FILTER (WHERE NOT ok))::float8 / count(ok)::float8 / (1::float8 - 0.999),
		              slo.budget_remaining(ok, 0.999) = 1::float8 - (count(*) FILTER (WHERE NOT ok))::float8 / ((1::float8 - 0.999) * count(ok)::float8))
		FROM bench.requests"
done
echo

# ---------------------------------------------------------------------------
# The runs
# ---------------------------------------------------------------------------

bench_runs aggregates
echo

bench_load "after the runs"
echo

# ---------------------------------------------------------------------------
# Plan shapes, and the check that parallel runs really are parallel
# ---------------------------------------------------------------------------

bench_plan_shapes aggregates "q.section NOT LIKE '3%' OR q.rows = $WINDOW_MAIN"
bench_plan_in_full aggregates slo.p_within
bench_parallel_check aggregates || exit 1
echo "parallel check: every run with workers > 0 of sections 1, 2, 2b and 4 used Gather > Partial Aggregate and launched workers: ok"
echo

# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------

RESULTS_SQL="
	WITH med AS (SELECT * FROM bench.medians('aggregates'))
	SELECT q.section, q.ord, q.id AS query, m.workers,
	       to_char(m.ms, 'FM999999990.0') AS median_ms,
	       to_char(m.min_ms, 'FM999999990.0') || '-' || to_char(m.max_ms, 'FM999999990.0') AS range_ms,
	       to_char(m.ms / p.ms, 'FM990.00') AS vs_peer,
	       to_char(m.ms / f.ms, 'FM990.00') AS vs_count,
	       to_char(m.ms * 1e6 / q.rows, 'FM999990.0') AS ns_per_row
	FROM med m JOIN bench.aggregates_queries q USING (id)
	LEFT JOIN med p ON p.id = q.peer_id AND p.workers = m.workers
	LEFT JOIN med f ON f.id = q.floor_id AND f.workers = m.workers"

echo "== results: median Execution Time (ms) of $RUNS runs"
echo "   vs peer:     slo aggregate / its SQL form (goal <= 1.00)"
echo "   vs count(*): query / count(*) over the same rows in the same shape"
echo "                (plain, GROUP BY service, or moving window; goal for p_within <= 1.25)"
echo "   rows: 1-2b read bench.requests ($ROWS rows); 3 reads the first N rows, named in the query"
"${PSQL[@]}" -c "
	SELECT query, workers, median_ms AS \"median ms\", range_ms AS \"min-max ms\",
	       coalesce(vs_peer, '') AS \"vs peer\", vs_count AS \"vs count(*)\", ns_per_row AS \"ns/row\"
	FROM ($RESULTS_SQL) t
	ORDER BY section, workers, ord"

echo "== moving window scaling (slo.burn_rate OVER 1-hour RANGE frame, workers = 0): O(n) means flat ns/row"
"${PSQL[@]}" -c "
	SELECT q.rows AS rows, r.id AS query,
	       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY r.ms), 'FM999999990.0') AS \"median ms\",
	       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY r.ms) * 1e6 / q.rows, 'FM999990.0') AS \"ns/row\"
	FROM bench.aggregates_results r JOIN bench.aggregates_queries q USING (id)
	WHERE q.section LIKE '3 %' AND r.workers = 0 AND r.run > 0
	GROUP BY q.ord, q.rows, r.id ORDER BY q.id LIKE 'window count%' DESC, q.id LIKE 'window sql%' DESC, q.rows"

echo "== moving window, frame length (slo.burn_rate, $WINDOW_MAIN rows, workers = 0): with the inverse function the frame length does not matter"
"${PSQL[@]}" -c "
	SELECT q.frame, q.frame_rows AS \"rows per frame\", r.id AS query,
	       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY r.ms), 'FM999999990.0') AS \"median ms\",
	       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY r.ms) * 1e6 / q.rows, 'FM999990.0') AS \"ns/row\"
	FROM bench.aggregates_results r JOIN bench.aggregates_queries q USING (id)
	WHERE q.id LIKE 'window slo.%' AND q.rows = $WINDOW_MAIN AND r.workers = 0 AND r.run > 0
	GROUP BY q.frame, q.frame_rows, q.rows, r.id ORDER BY q.frame_rows"

if [[ -n ${BENCH_MARKDOWN:-} ]]; then
	echo "== the same, as markdown"
	"${PSQL[@]}" -tA -c "
		SELECT '| query | workers | median ms | min-max ms | vs peer | vs count(*) | ns/row |' UNION ALL
		SELECT '|---|---:|---:|---:|---:|---:|---:|' UNION ALL
		(SELECT format('| %s | %s | %s | %s | %s | %s | %s |', replace(query, '*', '\\*'), workers, median_ms,
		               range_ms, coalesce(vs_peer, ''), vs_count, ns_per_row)
		 FROM ($RESULTS_SQL) t ORDER BY section, workers, ord)"
fi
