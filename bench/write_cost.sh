#!/usr/bin/env bash
#
# bench/write_cost.sh: what slo's capture triggers cost the writes to a
# user's own table (issue 9).  Three identical tables in one database, each
# with the same rows (BENCH_ROWS, 30 days; primary key on id, index on ts):
#
#   plain    no objective, no slo trigger: the peer
#   slo5     5 objectives (slo's four capture triggers)
#   slo20    20 objectives (the same four triggers: the cost must not grow
#            with the objectives)
#
# and 475 more objectives on BENCH_OTHER_TABLES other tables, so that the
# database holds 500 objectives.  Per statement, BENCH_RUNS runs (after one
# warm-up run) of pgbench with one client (-n -c 1 -T BENCH_SECONDS,
# protocol BENCH_PROTOCOL) and three scripts, the statement on each table,
# of equal weight: pgbench picks one at random for each transaction, so
# the three variants are interleaved transaction by transaction and any
# drift of the machine hits them alike.  Each transaction's time comes from
# pgbench's log (-l: microseconds and script number).  The report gives,
# per statement and variant, the median over the runs of the mean time per
# statement, the ratio variant / plain of those medians and the median of
# the ratios within each run (the verdict), against the targets:
#
#   insert1      one-row INSERT                            <= 1.15
#   insert1000   1000-row INSERT ... SELECT                <= 1.05
#   copy1000     COPY of a 1000-row CSV file               <= 1.05
#   copy100k     COPY of a 100,000-row CSV file            <= 1.05
#   update1      one-row UPDATE by primary key              <= 1.25
#   delete1      one-row DELETE by primary key              <= 1.25
#
# Each statement is its own transaction (autocommit), so every slo run pays
# the capture's write at commit: one row per table and time column into
# slo_internal.invalidation.  No tick runs here (the objectives are never
# backfilled; the triggers do not look at them): between statements the
# notes are dropped with TRUNCATE, standing in for the tick that would take
# them every minute.
#
# Usage:
#   bash bench/write_cost.sh
#
# Server: with none of PGHOST, PGPORT, PGUSER set, a throwaway cluster
# (bench_start_cluster in bench/lib.sh: jit off, autovacuum off, fsync and
# synchronous_commit off), removed at exit unless BENCH_KEEP=1; otherwise
# that server, in database $BENCH_DB (dropped at the end unless BENCH_KEEP=1).
#
# Knobs (environment):
#   BENCH_ROWS=1000000          rows in each measured table (ids 1..N, 30 days)
#   BENCH_OTHER_TABLES=40       tables holding the other 475 objectives (1,000 rows each)
#   BENCH_STATEMENTS="insert1 insert1000 copy1000 copy100k update1 delete1"
#   BENCH_RUNS=7 BENCH_SECONDS=6   runs per statement, seconds per pgbench run (the
#                               three variants share it; copy100k runs 3 times as long)
#   BENCH_PROTOCOL=prepared     pgbench -M (simple, extended, prepared); COPY runs simple
#   BENCH_WORKERS=2             max_parallel_workers_per_gather
#   BENCH_WORK_MEM=64MB BENCH_SHARED_BUFFERS=4GB BENCH_PORT=54510 BENCH_DB=slo_bench_write_cost
#
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

ROWS=${BENCH_ROWS:-1000000}
OTHER_TABLES=${BENCH_OTHER_TABLES:-40}
STATEMENTS=${BENCH_STATEMENTS:-insert1 insert1000 copy1000 copy100k update1 delete1}
RUNS=${BENCH_RUNS:-7}
SECONDS_PER_RUN=${BENCH_SECONDS:-6}
PROTOCOL=${BENCH_PROTOCOL:-prepared}
WORKERS=${BENCH_WORKERS:-2}
WORK_MEM=${BENCH_WORK_MEM:-64MB}
SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-4GB}
PORT=${BENCH_PORT:-54510}
DB=${BENCH_DB:-slo_bench_write_cost}
VARIANTS=(plain slo5 slo20)

# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

T_START=$(date +%s)
WORK=$(mktemp -d /tmp/slo-bench-write-cost.XXXXXX)
chmod 0755 "$WORK"   # the server reads the COPY files
cleanup() {
	if ! bench_stop_cluster && [[ -z ${BENCH_KEEP:-} && -n ${DB_CREATED:-} ]]; then
		psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$DB\"" >/dev/null 2>&1 || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
bench_start_cluster || exit 1

export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c client_min_messages=warning -c jit=off -c work_mem=$WORK_MEM -c max_parallel_workers_per_gather=$WORKERS"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
q() { "${PSQL[@]}" -d "$DB" -tA -F '|' "$@"; }
RESULTS=$WORK/results.tsv   # statement, variant, run, mean_us|transactions
: >"$RESULTS"

# ---------------------------------------------------------------------------
# The tables and the 500 objectives
# ---------------------------------------------------------------------------

"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS \"$DB\"" -c "CREATE DATABASE \"$DB\""
DB_CREATED=1
log "three tables of $ROWS rows, $OTHER_TABLES other tables, 500 objectives ..."
q -v rows="$ROWS" -v others="$OTHER_TABLES" >/dev/null <<-'EOF'
	CREATE EXTENSION slo;
	CREATE SCHEMA bench;
	SELECT setseed(0.2026);
	SELECT set_config('bench.rows', :'rows', false), set_config('bench.others', :'others', false);
	CREATE TABLE bench.w_plain (
		id         int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
		ts         timestamptz NOT NULL,
		service    text        NOT NULL,
		latency_ms float8      NOT NULL,
		ok         boolean     NOT NULL,
		status     int2        NOT NULL
	) WITH (autovacuum_enabled = off);
	INSERT INTO bench.w_plain (ts, service, latency_ms, ok, status)
	SELECT now() - interval '30 days' + interval '30 days' * (g::float8 / :rows),
	       (ARRAY['checkout', 'search', 'auth', 'catalog', 'payments', 'profile'])[1 + floor(u3 * u3 * 6)::int],
	       exp(3.9 + 0.75 * sqrt(-2 * ln(1 - u1)) * cos(2 * pi() * u2)),
	       u4 >= 0.005, CASE WHEN u4 < 0.002 THEN 500 ELSE 200 END
	FROM (SELECT g, random() AS u1, random() AS u2, random() AS u3, random() AS u4
	      FROM generate_series(1, :rows) g OFFSET 0) r;
	CREATE INDEX ON bench.w_plain (ts);
	CREATE TABLE bench.w_slo5 (LIKE bench.w_plain INCLUDING ALL) WITH (autovacuum_enabled = off);
	CREATE TABLE bench.w_slo20 (LIKE bench.w_plain INCLUDING ALL) WITH (autovacuum_enabled = off);
	INSERT INTO bench.w_slo5 OVERRIDING SYSTEM VALUE SELECT * FROM bench.w_plain;
	INSERT INTO bench.w_slo20 OVERRIDING SYSTEM VALUE SELECT * FROM bench.w_plain;
	SELECT setval(pg_get_serial_sequence('bench.w_' || v, 'id'), :rows) FROM unnest(ARRAY['plain', 'slo5', 'slo20']) v;

	DO $$
	DECLARE
		svc text[] := ARRAY['checkout', 'search', 'auth', 'catalog', 'payments', 'profile'];
		others int := current_setting('bench.others')::int;
		t text;
	BEGIN
		FOR i IN 1 .. others LOOP
			EXECUTE format('CREATE TABLE bench.w_other_%s (LIKE bench.w_plain INCLUDING ALL) WITH (autovacuum_enabled = off)', i);
			EXECUTE format('INSERT INTO bench.w_other_%s OVERRIDING SYSTEM VALUE SELECT * FROM bench.w_plain WHERE id %% 1000 = 0', i);
		END LOOP;
		PERFORM slo.define_service('bench');
		-- objective k of a table: ratio or threshold, per app service or all rows
		FOR k IN 1 .. 500 LOOP
			t := CASE WHEN k <= 5 THEN 'bench.w_slo5' WHEN k <= 25 THEN 'bench.w_slo20'
			          ELSE 'bench.w_other_' || (1 + (k - 26) % others) END;
			IF k % 3 = 0 THEN
				PERFORM slo.define_objective('bench', 'o' || k, source => t,
					valid => format('service = %L', svc[1 + k % 6]), value => 'latency_ms', op => 'le',
					threshold => (100 + k % 5 * 100)::text, target => 0.95, window_length => '30 days');
			ELSE
				PERFORM slo.define_objective('bench', 'o' || k, source => t,
					valid => CASE WHEN k % 2 = 0 THEN format('service = %L', svc[1 + k % 6]) ELSE 'true' END,
					good => CASE WHEN k % 4 = 1 THEN 'status < 500' ELSE 'ok' END,
					target => 0.99, window_length => '30 days');
			END IF;
		END LOOP;
	END
	$$;
	VACUUM (FREEZE, ANALYZE);
EOF

# The slo tables have the four capture triggers and the peer none; a one-row
# insert into a slo table leaves one note at commit, into the peer none.
check=$(q <<-'EOF'
	SELECT string_agg(format('%s:%s', c.relname, (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)), ' ' ORDER BY c.relname)
	FROM pg_class c WHERE c.oid IN ('bench.w_plain'::regclass, 'bench.w_slo5'::regclass, 'bench.w_slo20'::regclass);
	TRUNCATE slo_internal.invalidation;
	INSERT INTO bench.w_plain (ts, service, latency_ms, ok, status) VALUES (now(), 'auth', 1, true, 200);
	SELECT count(*) FROM slo_internal.invalidation;
	INSERT INTO bench.w_slo5 (ts, service, latency_ms, ok, status) VALUES (now(), 'auth', 1, true, 200);
	SELECT count(*) FROM slo_internal.invalidation;
	SELECT count(*) FROM slo.objective;
	SELECT string_agg(format('%s:%s', source, n), ' ' ORDER BY source::text) FROM (
		SELECT source, count(*) AS n FROM slo.objective WHERE source::text IN ('bench.w_slo5', 'bench.w_slo20') GROUP BY 1) x;
	SELECT count(DISTINCT source) FROM slo.objective;
EOF
)
check=$(echo $check)
log "check: $check"
if [[ $check != "w_plain:0 w_slo20:4 w_slo5:4 0 1 500 bench.w_slo20:20 bench.w_slo5:5 $((OTHER_TABLES + 2))" ]]; then
	log "FAILED: expected 'w_plain:0 w_slo20:4 w_slo5:4 0 1 500 bench.w_slo20:20 bench.w_slo5:5 $((OTHER_TABLES + 2))'"
	exit 1
fi

# ---------------------------------------------------------------------------
# The statements (one pgbench script per statement and table)
# ---------------------------------------------------------------------------

# the COPY files (written by the client, read by the server)
for n in 1000 100000; do
	q -c "\\copy (SELECT now() - g * interval '60 seconds' / $n, (ARRAY['checkout', 'search', 'auth', 'catalog', 'payments', 'profile'])[1 + g % 6], 20 + g % 300, g % 200 <> 0, CASE WHEN g % 500 = 0 THEN 500 ELSE 200 END FROM generate_series(1, $n) g) TO '$WORK/batch$n.csv' (FORMAT csv)"
	chmod 0644 "$WORK/batch$n.csv"
done
statement_sql() {   # $1 statement, $2 table
	case $1 in
	insert1)
		echo "INSERT INTO $2 (ts, service, latency_ms, ok, status) VALUES (now() - random() * interval '10 seconds', 'checkout', 40 + random() * 20, true, 200);" ;;
	insert1000)
		echo "INSERT INTO $2 (ts, service, latency_ms, ok, status) SELECT now() - g * interval '60 ms', (ARRAY['checkout', 'search', 'auth', 'catalog', 'payments', 'profile'])[1 + g % 6], 20 + g % 300, g % 200 <> 0, CASE WHEN g % 500 = 0 THEN 500 ELSE 200 END FROM generate_series(1, 1000) g;" ;;
	copy1000)
		echo "COPY $2 (ts, service, latency_ms, ok, status) FROM '$WORK/batch1000.csv' (FORMAT csv);" ;;
	copy100k)
		echo "COPY $2 (ts, service, latency_ms, ok, status) FROM '$WORK/batch100000.csv' (FORMAT csv);" ;;
	update1)
		printf '%s\n' "\\set id random(1, $ROWS)" "UPDATE $2 SET latency_ms = latency_ms + 1 WHERE id = :id;" ;;
	delete1)
		printf '%s\n' "\\set id random(1, $ROWS)" "DELETE FROM $2 WHERE id = :id;" ;;
	*) log "unknown statement $1"; exit 1 ;;
	esac
}
target_of() {
	case $1 in insert1) echo 1.15 ;; insert1000 | copy1000 | copy100k) echo 1.05 ;; *) echo 1.25 ;; esac
}

# one pgbench run of statement $1 for $2 seconds, the three variants mixed:
# a line "variant|mean_us|transactions" per variant (from pgbench's log:
# client, transaction, time in us, script number, ...)
pgb() {
	local mode=$PROTOCOL prefix="$WORK/log_$1"
	[[ $1 == copy* ]] && mode=simple
	rm -f "$prefix".*
	pgbench -n -c 1 -M "$mode" -T "$2" -l --log-prefix="$prefix" \
		-f "$WORK/$1.plain.pgb" -f "$WORK/$1.slo5.pgb" -f "$WORK/$1.slo20.pgb" "$DB" >"$WORK/pgbench.out" 2>&1 \
		|| { cat "$WORK/pgbench.out" >&2; return 1; }
	cat "$prefix".* | awk '{ s[$4] += $3; n[$4]++ }
		END { split("plain slo5 slo20", v, " "); for (i = 0; i < 3; i++) printf "%s|%.3f|%d\n", v[i + 1], s[i] / n[i], n[i] }'
	rm -f "$prefix".*
}

for s in $STATEMENTS; do
	for v in "${VARIANTS[@]}"; do
		statement_sql "$s" "bench.w_$v" >"$WORK/$s.$v.pgb"
	done
done

# ---------------------------------------------------------------------------
# The runs: per statement, a warm-up run, then RUNS runs, each with the
# three variants interleaved
# ---------------------------------------------------------------------------

for s in $STATEMENTS; do
	secs=$SECONDS_PER_RUN
	[[ $s == copy100k ]] && secs=$((SECONDS_PER_RUN * 3))
	log "$s: a 2 s warm-up run, then $RUNS runs of $secs s, the variants interleaved ..."
	for r in $(seq 0 "$RUNS"); do
		if (( r == 0 )); then
			pgb "$s" 2 >/dev/null
		else
			pgb "$s" "$secs" | while IFS='|' read -r v us n; do
				printf '%s\t%s\t%s\t%s|%s\n' "$s" "$v" "$r" "$us" "$n"
			done >>"$RESULTS"
		fi
		# what the tick would take every minute
		q -c "TRUNCATE slo_internal.invalidation"
	done
done

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

bench_about "slo write cost: capture triggers on the user's table (bench/write_cost.sh)" "$DB"
echo "installed:   $(sha256sum "$(pg_config --sharedir)/extension/slo--$(bench_ext_version "$DB" slo).sql" | cut -c1-12) (sha256 of the install script), pg_config $(command -v pg_config)"
bench_load "after the runs"
echo "CPUs:        $(nproc) ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')), RAM $(free -g | awk '/^Mem:/ {print $2}') GB${PGHOST:+; server socket $PGHOST}"
q -c "
	SELECT 'setting     ' || rpad(name || ':', 36) || current_setting(name)
	FROM pg_settings
	WHERE name IN ('jit', 'shared_buffers', 'work_mem', 'max_parallel_workers_per_gather',
	               'synchronous_commit', 'fsync', 'full_page_writes', 'autovacuum')
	ORDER BY name"
echo "pgbench:     -n -c 1 -T $SECONDS_PER_RUN (copy100k: $((SECONDS_PER_RUN * 3))) -M $PROTOCOL (COPY: -M simple) -l, three scripts of equal"
echo "             weight (plain, slo5, slo20: picked at random per transaction); $RUNS runs after a 2 s warm-up run"
echo "tables:      bench.w_plain, bench.w_slo5, bench.w_slo20: $ROWS rows each over 30 days, primary key on id, index on ts;"
echo "             500 objectives: 5 on w_slo5, 20 on w_slo20, 475 on $OTHER_TABLES other tables; no trigger on w_plain"
echo "total run time: $(( $(date +%s) - T_START )) s"
echo
"${PSQL[@]}" -d "$DB" -f - <<-EOF
	\set QUIET on
	\pset footer off
	CREATE TEMP TABLE r (statement text, variant text, run int, value text);
	\copy r FROM '$RESULTS'
	CREATE TEMP VIEW x AS
	SELECT statement, variant, run, split_part(value, '|', 1)::float8 AS us, split_part(value, '|', 2)::int8 AS n FROM r;
	CREATE TEMP TABLE targets (statement text, ord int, target float8);
	INSERT INTO targets VALUES ('insert1', 1, 1.15), ('insert1000', 2, 1.05), ('copy1000', 3, 1.05),
	                           ('copy100k', 4, 1.05), ('update1', 5, 1.25), ('delete1', 6, 1.25);
	\set QUIET off
	\echo == write cost: mean time per statement (us), median of $RUNS runs; ratio = variant / plain (the peer)
	WITH m AS (
		SELECT statement, variant, count(*) AS runs, sum(n) AS statements,
		       percentile_cont(0.5) WITHIN GROUP (ORDER BY us) AS us, min(us) AS us_min, max(us) AS us_max
		FROM x GROUP BY 1, 2
	), paired AS (   -- the ratio within each run, then its median
		SELECT a.statement, a.variant, percentile_cont(0.5) WITHIN GROUP (ORDER BY a.us / p.us) AS ratio,
		       min(a.us / p.us) AS ratio_min, max(a.us / p.us) AS ratio_max
		FROM x a JOIN x p ON p.statement = a.statement AND p.run = a.run AND p.variant = 'plain'
		GROUP BY 1, 2
	)
	SELECT m.statement, m.variant, m.runs, m.statements AS "statements timed",
	       round(m.us::numeric, 1) AS "median us", round(m.us_min::numeric, 1) || ' - ' || round(m.us_max::numeric, 1) AS "min-max us",
	       CASE WHEN m.variant <> 'plain' THEN round((m.us / p.us)::numeric, 3) END AS "ratio of medians",
	       CASE WHEN m.variant <> 'plain' THEN round(pr.ratio::numeric, 3) || ' (' || round(pr.ratio_min::numeric, 2)
	                                           || ' - ' || round(pr.ratio_max::numeric, 2) || ')' END AS "ratio within a run: median (min - max)",
	       CASE WHEN m.variant <> 'plain' THEN '<= ' || t.target END AS target,
	       CASE WHEN m.variant = 'plain' THEN 'peer'
	            WHEN pr.ratio <= t.target THEN 'met'
	            ELSE format('MISSED by %s%% of the peer''s time', round(((pr.ratio - t.target) * 100)::numeric, 1)) END AS verdict,
	       CASE WHEN m.variant <> 'plain' THEN round((m.us - p.us)::numeric, 1) END AS "added us"
	FROM m JOIN m p ON p.statement = m.statement AND p.variant = 'plain'
	LEFT JOIN paired pr ON pr.statement = m.statement AND pr.variant = m.variant
	JOIN targets t ON t.statement = m.statement
	ORDER BY t.ord, array_position(ARRAY['plain', 'slo5', 'slo20'], m.variant);
	\echo per run: mean us per statement (statements timed)
	SELECT statement, run,
	       round(max(us) FILTER (WHERE variant = 'plain')::numeric, 1) || ' (' || max(n) FILTER (WHERE variant = 'plain') || ')' AS plain,
	       round(max(us) FILTER (WHERE variant = 'slo5')::numeric, 1) || ' (' || max(n) FILTER (WHERE variant = 'slo5') || ')' AS slo5,
	       round(max(us) FILTER (WHERE variant = 'slo20')::numeric, 1) || ' (' || max(n) FILTER (WHERE variant = 'slo20') || ')' AS slo20
	FROM x JOIN targets USING (statement) GROUP BY statement, ord, run ORDER BY ord, run;
EOF
