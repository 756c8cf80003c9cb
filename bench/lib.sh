# shellcheck shell=bash
# bench/lib.sh: what the benchmarks share.  Sourced by bench/*.sh once they
# have read their knobs.  It sources test/lib.sh, whose throwaway cluster the
# benchmarks use (and which puts this PostgreSQL version's binaries first in
# PATH and exports LC_ALL=C.UTF-8).
#
#   log MESSAGE...                  progress, on stderr
#   bench_start_cluster             no server given (PGHOST, PGPORT, PGUSER unset):
#                                   start a throwaway one, sized for measuring
#   bench_stop_cluster              stop and remove it (BENCH_KEEP=1 keeps it running)
#   bench_load WHEN                 the "load:" line of a report
#   bench_about TITLE DB            a report's first lines: title, date, server, slo
#   bench_installed DB              the "installed:" line: the install script's checksum
#   bench_machine                   the "CPUs:" line: CPUs, their model, RAM, server socket
#   bench_settings DB NAME...       a "setting" line per server setting NAME
#   bench_cleanup                   the EXIT trap of a script with database DB and
#                                   work directory WORK (stops the throwaway cluster)
#
# and, for the suites of bench/aggregates.sh and bench/sketch.sh (queries in
# bench.SUITE_queries, timed runs in bench.SUITE_results; see bench/lib.sql):
#
#   bench_server EXTENSION...       the server, and database DB with EXTENSION...
#   bench_requests                  the request log of bench/aggregates_setup.sql
#   bench_header TITLE [LINE...]    bench_about, LINE..., load, CPUs, timing, settings
#   bench_requests_note             whether bench.requests fits in shared_buffers/4
#   bench_runs SUITE                the timed runs, round robin, per workers setting
#   bench_plan_shapes SUITE [COND]  the plan shape of each query (COND: which queries)
#   bench_plan_in_full SUITE ID     one query's plan under the most workers
#   bench_parallel_check SUITE      fails unless the parallel queries ran parallel
#   bench_query_sql SUITE ID        a query's SQL
#
# Knobs read from the scripts: PORT, SHARED_BUFFERS, WORK_MEM; for the suites
# also DB, ROWS, WINDOW_ROWS, RUNS, WARMUP, WORKERS.  PGBIN (in the
# environment) chooses the PostgreSQL binaries; it is set here otherwise.

BENCH_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -n ${PGBIN:-} ]]; then
	SLO_PGBIN=${SLO_PGBIN:-$PGBIN}
fi
# shellcheck source=test/lib.sh
source "$BENCH_LIB_DIR/../test/lib.sh"
PGBIN=$SLO_PGBIN

log() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------------------
# The throwaway cluster
# ---------------------------------------------------------------------------

CLUSTER_DIR=

# bench_start_cluster: unless a server is given (PGHOST, PGPORT or PGUSER
# set), start a throwaway cluster on port PORT in a new /tmp/slo-bench.XXXXXX
# and export PGHOST/PGPORT/PGUSER for it.  It is test/lib.sh's cluster (unix
# socket only, fsync off, timezone UTC, run as the postgres OS user) in
# locale C, without pg_cron (nothing runs in it but what is measured), with
# the settings of a measuring server: large shared_buffers, jit off, no
# autovacuum, no checkpoint during a run.  The caller's PGOPTIONS are kept.
# BENCH_CLUSTER_SETTINGS (an array the caller may set) holds more
# postgresql.conf lines, written last (e.g. shared_preload_libraries).
# Call bench_stop_cluster at exit.
bench_start_cluster() {
	[[ -z ${PGHOST:-}${PGPORT:-}${PGUSER:-} ]] || return 0
	log "no PGHOST/PGPORT/PGUSER: starting a throwaway cluster on port ${PORT:?}"
	local options=${PGOPTIONS:-}
	CLUSTER_DIR=$(mktemp -d /tmp/slo-bench.XXXXXX) || return 1
	SLO_CLUSTER_CRON=0 SLO_CLUSTER_LOCALE=C slo_cluster_start "$CLUSTER_DIR" "$PORT" postgres \
		"shared_buffers = $SHARED_BUFFERS" \
		"work_mem = $WORK_MEM" \
		"jit = off" \
		"max_wal_size = 8GB" \
		"checkpoint_timeout = 1h" \
		"autovacuum = off" \
		${BENCH_CLUSTER_SETTINGS[@]+"${BENCH_CLUSTER_SETTINGS[@]}"} \
		|| return 1
	if [[ -n $options ]]; then
		export PGOPTIONS=$options
	fi
}

# bench_stop_cluster: stop the cluster bench_start_cluster started and remove
# its directory; with BENCH_KEEP set, leave it running and say how to reuse
# it.  Returns 1 when it started none (the server was the caller's).
bench_stop_cluster() {
	[[ -n $CLUSTER_DIR && -d $CLUSTER_DIR ]] || return 1
	if [[ -n ${BENCH_KEEP:-} ]]; then
		log "cluster kept running in $CLUSTER_DIR"
		log "  reuse it: PGHOST=$CLUSTER_DIR PGPORT=$PORT PGUSER=postgres bash $0"
		log "  stop it:  $(slo_stop_command "$CLUSTER_DIR") && rm -rf $CLUSTER_DIR"
		return 0
	fi
	slo_cluster_stop "$CLUSTER_DIR"
	rm -rf "$CLUSTER_DIR"
}

# ---------------------------------------------------------------------------
# Report lines
# ---------------------------------------------------------------------------

# bench_load WHEN: the load averages now, "WHEN" saying when that is.
bench_load() {
	echo "load:        $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) $1"
}

# bench_ext_version DB NAME: the version of extension NAME in database DB.
bench_ext_version() {
	psql -X -q -d "$1" -tAc "SELECT extversion FROM pg_extension WHERE extname = '$2'"
}

# bench_so_line NAME: the installed library NAME.so and its checksum.
bench_so_line() {
	local so
	so="$(pg_config --pkglibdir 2>/dev/null)/$1.so"
	echo "$so sha256 $(sha256sum "$so" 2>/dev/null | cut -c1-12)"
}

# bench_about TITLE DB: the first lines of a report: its title, the date, the
# server, and the slo that runs in database DB (extension version, source
# commit, installed library).
bench_about() {
	echo "== $1"
	echo "date:        $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "server:      $(psql -X -q -d "$2" -tAc 'SELECT version()')"
	echo "slo:         extension $(bench_ext_version "$2" slo)," \
		"source $(git -C "$SLO_ROOT" describe --always --dirty 2>/dev/null || echo '?'), $(bench_so_line slo)"
}

# bench_installed DB: the checksum of the install script of the slo that runs
# in database DB, and the pg_config (so the PostgreSQL) it was found with.
bench_installed() {
	echo "installed:   $(sha256sum "$(pg_config --sharedir)/extension/slo--$(bench_ext_version "$1" slo).sql" | cut -c1-12) (sha256 of the install script), pg_config $(command -v pg_config)"
}

# bench_machine: the CPUs (how many, which), the RAM, and the server's
# socket when the server is the caller's.
bench_machine() {
	echo "CPUs:        $(nproc) ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')), RAM $(free -g | awk '/^Mem:/ {print $2}') GB${PGHOST:+; server socket $PGHOST}"
}

# bench_settings DB NAME...: the server settings NAME... as database DB's
# sessions see them (so with the caller's PGOPTIONS), one line each.
bench_settings() {
	local db=$1 names
	shift
	names=$(printf "'%s', " "$@")
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" -tA -c "
	SELECT 'setting     ' || rpad(name || ':', 36) || current_setting(name)
	FROM pg_settings
	WHERE name IN (${names%, })
	ORDER BY name"
}

# bench_cleanup: at exit of a script that makes its own database DB (setting
# DB_CREATED once it has) and work directory WORK: stop and remove the
# throwaway cluster (bench_stop_cluster), or on the caller's server drop DB
# unless BENCH_KEEP is set; remove WORK.
bench_cleanup() {
	if ! bench_stop_cluster && [[ -z ${BENCH_KEEP:-} && -n ${DB_CREATED:-} ]]; then
		psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$DB\"" >/dev/null 2>&1 || true
	fi
	rm -rf "$WORK"
}

# ---------------------------------------------------------------------------
# The suites: bench/aggregates.sh, bench/sketch.sh
# ---------------------------------------------------------------------------

# bench_server EXTENSION...: the server of a suite (bench_start_cluster,
# stopped at exit) and its database DB, created if missing, with the
# extensions (slo, ...) and the schema bench.  Sets PSQL (psql on DB,
# stopping at the first error) and SESSION_SET (the settings of every timed
# session).
bench_server() {
	local ext create=()
	for ext in "$@"; do
		create+=(-c "CREATE EXTENSION IF NOT EXISTS $ext")
	done
	trap 'bench_stop_cluster || :' EXIT
	bench_start_cluster || exit 1
	export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c client_min_messages=warning"
	PSQL=(psql -X -q -v ON_ERROR_STOP=1)
	if [[ $("${PSQL[@]}" -d postgres -tAc "SELECT count(*) FROM pg_database WHERE datname = '$DB'") == 0 ]]; then
		"${PSQL[@]}" -d postgres -c "CREATE DATABASE \"$DB\""
	fi
	PSQL+=(-d "$DB")
	"${PSQL[@]}" "${create[@]}" -c "CREATE SCHEMA IF NOT EXISTS bench"
	SESSION_SET="SET jit = off; SET work_mem = '$WORK_MEM';"
}

# bench_requests: the request log for ROWS and WINDOW_ROWS (bench.requests
# and its subsets, made by bench/aggregates_setup.sql; the suites share it):
# reused when the database holds it already, made otherwise or with
# BENCH_REGENERATE set.  Sets STAMP (the data set's name, kept in a comment
# on bench.requests) and REQUESTS_MADE (1 when it was made now).
bench_requests() {
	local have t0
	STAMP="slo bench data v2: rows=$ROWS window_rows=$WINDOW_ROWS"
	REQUESTS_MADE=
	# (a crash empties UNLOGGED tables but keeps their comments: check for rows too)
	have=$("${PSQL[@]}" -tAc "SELECT obj_description('bench.requests'::regclass, 'pg_class')
	                          FROM bench.requests LIMIT 1" 2>/dev/null || true)
	if [[ -z ${BENCH_REGENERATE:-} && $have == "$STAMP" ]]; then
		log "reusing the data set ($STAMP)"
		return 0
	fi
	log "generating $ROWS rows and window subsets $WINDOW_ROWS (bench/aggregates_setup.sql) ..."
	t0=$(date +%s)
	"${PSQL[@]}" -v rows="$ROWS" -v window_rows="$WINDOW_ROWS" -v stamp="$STAMP" \
		-f "$BENCH_LIB_DIR/aggregates_setup.sql" >/dev/null
	log "  done in $(( $(date +%s) - t0 )) s"
	# shellcheck disable=SC2034  # read by bench/sketch.sh
	REQUESTS_MADE=1
}

# bench_header TITLE [LINE...]: what ran where: bench_about, the LINEs (more
# about what runs), the load before the runs, the CPUs, how queries are
# timed, and the settings the timed sessions run with.
bench_header() {
	bench_about "$1" "$DB"
	shift
	if (( $# > 0 )); then
		printf '%s\n' "$@"
	fi
	bench_load "before the runs"
	echo "CPUs:        $(nproc) ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'))${PGHOST:+; server socket/host $PGHOST}"
	echo "timing:      server side, Execution Time of EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON);"
	echo "             median of $RUNS runs after $WARMUP warm-up run(s), round robin over the queries"
	"${PSQL[@]}" -tA -F ' ' -c "$SESSION_SET" -c "
		SELECT rpad(name || ':', 36) || current_setting(name)
		FROM pg_settings
		WHERE name IN ('jit', 'shared_buffers', 'work_mem', 'max_worker_processes',
		               'max_parallel_workers', 'parallel_leader_participation',
		               'parallel_setup_cost', 'parallel_tuple_cost', 'min_parallel_table_scan_size')
		ORDER BY name" | sed 's/^/setting     /'
	echo "setting     max_parallel_workers_per_gather:    $WORKERS (each query runs under each; see the table)"
}

# bench_requests_note: whether a sequential scan of bench.requests reads
# shared buffers or goes through a ring buffer (tables over shared_buffers/4).
bench_requests_note() {
	"${PSQL[@]}" -tA -c "
		SELECT CASE WHEN pg_relation_size('bench.requests') > pg_size_bytes(current_setting('shared_buffers')) / 4
		            THEN 'note:        bench.requests is larger than shared_buffers/4: its sequential scans read'
		                 || E'\n             through a 256kB ring buffer (BAS_BULKREAD) from the OS page cache'
		            ELSE 'note:        bench.requests fits in shared_buffers/4: after the warm-up its scans hit shared buffers' END"
}

# bench_runs SUITE: time the suite's queries.  Per workers setting (WORKERS),
# one session with SESSION_SET runs WARMUP warm-up rounds and then RUNS
# measured rounds, each round every query that runs under that setting once,
# in order (round robin, so that drift hits every query alike).  Progress
# goes to stderr; the times to bench.SUITE_results.
bench_runs() {
	local suite=$1 w ids script r reps k id
	for w in $WORKERS; do
		ids=$("${PSQL[@]}" -tA -c "SELECT id FROM bench.${suite}_queries WHERE $w = ANY (workers) ORDER BY ord")
		script=$(mktemp)
		{
			echo "$SESSION_SET"
			echo "SET max_parallel_workers_per_gather = $w;"
			for r in $(seq 0 "$RUNS"); do
				if (( r == 0 )); then reps=$WARMUP; else reps=1; fi
				for (( k = 0; k < reps; k++ )); do
					while IFS= read -r id; do
						printf "SELECT bench.measure('%s', '%s', %d);\n" "$suite" "$id" "$r"
					done <<<"$ids"
				done
			done
		} >"$script"
		log "running max_parallel_workers_per_gather = $w ($(grep -c measure "$script") query runs) ..."
		"${PSQL[@]}" -tA -f "$script" >&2
		rm -f "$script"
	done
}

# bench_plan_shapes SUITE [COND]: the plan shape of each query (those for
# which the SQL condition COND on q, its bench.SUITE_queries row, holds)
# under each workers setting, with the workers launched (the fewest over its
# runs) and planned.
bench_plan_shapes() {
	echo "== plan shapes (from the timed EXPLAIN ANALYZE runs)"
	"${PSQL[@]}" -c "
		SELECT DISTINCT ON (q.ord, r.workers) r.workers, q.id AS query, r.shape AS plan,
		       format('%s/%s', min(r.launched) OVER (PARTITION BY q.id, r.workers), r.planned) AS \"launched/planned\"
		FROM bench.${1}_results r JOIN bench.${1}_queries q USING (id)
		WHERE ${2:-true}
		ORDER BY q.ord, r.workers"
}

# bench_query_sql SUITE ID: the SQL of query ID.
bench_query_sql() {
	"${PSQL[@]}" -tA -v id="$2" <<<"SELECT sql FROM bench.${1}_queries WHERE id = :'id'"
}

# bench_plan_in_full SUITE ID: EXPLAIN VERBOSE of query ID under the last
# (largest) workers setting.
bench_plan_in_full() {
	local w=${WORKERS##* }
	echo "== one plan in full: $2 under max_parallel_workers_per_gather = $w"
	"${PSQL[@]}" -c "$SESSION_SET" -c "SET max_parallel_workers_per_gather = $w" \
		-c "EXPLAIN (COSTS OFF, VERBOSE) $(bench_query_sql "$1" "$2")"
}

# bench_parallel_check SUITE: the queries marked parallel must have run as
# Gather > Partial Aggregate, with workers launched, in every run with
# workers > 0.  Prints the runs that did not and returns 1 if there are any.
bench_parallel_check() {
	local bad
	bad=$("${PSQL[@]}" -tA -c "
		SELECT string_agg(DISTINCT format('%s (workers=%s): %s, launched %s', r.id, r.workers, r.shape, r.launched), E'\n')
		FROM bench.${1}_results r JOIN bench.${1}_queries q USING (id)
		WHERE r.workers > 0 AND q.parallel
		  AND NOT (r.shape LIKE '%Gather%Aggregate (Partial)%' AND r.launched > 0)")
	if [[ -n $bad ]]; then
		echo "FAILED: these runs were meant to be parallel (Gather > Partial Aggregate, workers launched) but were not:"
		echo "$bad"
		echo "(with a small BENCH_ROWS the planner may rightly prefer a serial plan)"
		return 1
	fi
}
