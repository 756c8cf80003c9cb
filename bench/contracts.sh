#!/usr/bin/env bash
#
# bench/contracts.sh: what slo's data contracts cost the writes they check
# (issue 10), beside what the same checks cost done natively and in
# PL/pgSQL.  A leads table (id bigserial primary key, email, territory,
# full_name, company, source, score, owner_id, created_at default now();
# an index on email) in one copy per variant, and a reference table of
# BENCH_TERRITORIES territories (bench/contracts_setup.sql):
#
#   plain       no check: the floor
#   native      CHECK (email ~* '^[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}$') and
#               FOREIGN KEY (territory) REFERENCES territories (code)
#   plpgsql     a PL/pgSQL BEFORE INSERT OR UPDATE row trigger doing the same:
#               the pattern (raises 23514) and a lookup in territories (a miss
#               is logged into a table, as slo's mode record does)
#   slo         slo's contracts: slo.email_shape('email') in mode enforce and
#               slo.member_of('territory', 'territories', 'code') in mode record
#   slo_email, slo_member   (BENCH_BREAKDOWN=1) each of the two contracts alone
#
# Every variant inserts the same leads, read from bench.lead_source (all
# addresses have the shape, all territories are known: nothing is rejected or
# logged), by each kind of write:
#
#   insert1      1-row INSERT ... VALUES (parameters), one per transaction,
#                BENCH_SINGLE_ROWS per variant
#   insert1000   1000-row INSERT ... SELECT from bench.lead_source, BENCH_ROWS
#                per variant
#   copy         COPY from a CSV file on the server, BENCH_ROWS per variant
#
# and again (BENCH_DIRTY_KINDS) with BENCH_DIRTY_SHARE of the leads in an
# unknown territory: slo and PL/pgSQL keep and log those rows; the native
# foreign key would reject the statement, so native does not run then.
#
# Aims (the issue's): slo within 1.3 times native, and faster than PL/pgSQL,
# for each kind of write.
#
# Timing: per kind, BENCH_RUNS runs of pgbench -n -c 1 -r (protocol
# BENCH_PROTOCOL; COPY -M simple), each writing 1/BENCH_RUNS of the rows of
# every variant.  A script has one statement per variant, each its own
# transaction (autocommit), so the variants are interleaved statement by
# statement and the machine's drift hits them alike.  The leads a script
# execution writes come from a sequence (SELECT ... \gset, not timed), so
# every variant writes every lead once.  For the INSERTs pgbench is given one
# script per rotation of the variants' order and picks one at random for
# each execution, so that each variant takes each place about equally often
# (the statement right after the \gset is a few us slower than the others);
# COPY has one script per run, its order rotated by the run.  The time of a
# statement is pgbench's per-command latency (-r: client side, round trip
# and commit included; printed to the us), weighted by the scripts'
# executions.  The report gives per kind and variant the median over the
# runs of the mean time per statement and per row, and the ratios to the
# peers (no checks, native, PL/pgSQL) within each run: their median and
# range.  The tables are emptied (TRUNCATE) before each kind and grow over
# its runs; CHECKPOINT before every run.  Checked after each kind: every
# table got the same rows, slo's and PL/pgSQL's logs hold exactly the leads
# of unknown territory, and slo's tallies count every row.
#
# Usage:
#   bash bench/contracts.sh
#
# Server: with none of PGHOST, PGPORT, PGUSER set, a throwaway cluster
# (bench_start_cluster in bench/lib.sh: jit off, autovacuum off, fsync and
# synchronous_commit off), removed at exit unless BENCH_KEEP=1; otherwise
# that server, in database $BENCH_DB (dropped at the end unless BENCH_KEEP=1).
# PGBIN chooses the PostgreSQL binaries (and so the slo installed with them).
#
# Knobs (environment):
#   BENCH_ROWS=1000000          leads written per variant by insert1000 and by copy
#   BENCH_SINGLE_ROWS=1000000   leads written per variant by insert1 (<= BENCH_ROWS)
#   BENCH_RUNS=5                runs per kind (the rows are split among them)
#   BENCH_KINDS="insert1 insert1000 copy"
#   BENCH_DIRTY_KINDS="insert1 insert1000 copy"   kinds run again with unknown
#                               territories ("" for none)
#   BENCH_DIRTY_SHARE=0.01      share of leads in an unknown territory, then
#   BENCH_TERRITORIES=50        known territories
#   BENCH_BREAKDOWN=1           also slo_email and slo_member (0: not)
#   BENCH_PROTOCOL=prepared     pgbench -M of the INSERTs (simple, extended, prepared)
#   BENCH_WORKERS=2             max_parallel_workers_per_gather
#   BENCH_WORK_MEM=64MB BENCH_SHARED_BUFFERS=4GB BENCH_PORT=54600 BENCH_DB=slo_bench_contracts
#
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

ROWS=${BENCH_ROWS:-1000000}
SINGLE_ROWS=${BENCH_SINGLE_ROWS:-1000000}
RUNS=${BENCH_RUNS:-5}
KINDS=${BENCH_KINDS:-insert1 insert1000 copy}
DIRTY_KINDS=${BENCH_DIRTY_KINDS-insert1 insert1000 copy}
DIRTY_SHARE=${BENCH_DIRTY_SHARE:-0.01}
TERRITORIES=${BENCH_TERRITORIES:-50}
BREAKDOWN=${BENCH_BREAKDOWN:-1}
PROTOCOL=${BENCH_PROTOCOL:-prepared}
WORKERS=${BENCH_WORKERS:-2}
WORK_MEM=${BENCH_WORK_MEM:-64MB}
SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-4GB}
PORT=${BENCH_PORT:-54600}
DB=${BENCH_DB:-slo_bench_contracts}
BATCH=1000
VARIANTS=(plain native plpgsql slo)
if [[ $BREAKDOWN == 1 ]]; then
	VARIANTS+=(slo_email slo_member)
fi
COLUMNS_WRITTEN="email, territory, full_name, company, source, score"

# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"

if (( SINGLE_ROWS > ROWS || ROWS % (RUNS * BATCH) != 0 || SINGLE_ROWS % RUNS != 0 )); then
	log "BENCH_ROWS must be a multiple of BENCH_RUNS * $BATCH, BENCH_SINGLE_ROWS of BENCH_RUNS and at most BENCH_ROWS"
	exit 1
fi

T_START=$(date +%s)
WORK=$(mktemp -d /tmp/slo-bench-contracts.XXXXXX)
chmod 0755 "$WORK"   # the server reads the COPY files
trap bench_cleanup EXIT
bench_start_cluster || exit 1

export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c client_min_messages=warning -c jit=off -c work_mem=$WORK_MEM -c max_parallel_workers_per_gather=$WORKERS"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
q() { "${PSQL[@]}" -d "$DB" -tA -F '|' "$@"; }
RESULTS=$WORK/results.tsv   # kind, data, variant, run, ms per statement, rows per statement, statements
CHECKS=$WORK/checks.txt
: >"$RESULTS"
: >"$CHECKS"

# ---------------------------------------------------------------------------
# The tables, the leads, and a check that each variant checks what it should
# ---------------------------------------------------------------------------

"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS \"$DB\"" -c "CREATE DATABASE \"$DB\""
DB_CREATED=1
log "$ROWS leads, $TERRITORIES territories, the variants' tables (bench/contracts_setup.sql) ..."
q -v rows="$ROWS" -v territories="$TERRITORIES" -v dirty_share="$DIRTY_SHARE" \
	-f "$HERE/contracts_setup.sql" >/dev/null

# a bad address and an unknown territory into each variant: the SQLSTATE (or
# ok), then what was logged
check=$(q <<-'EOF'
	CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
	BEGIN
		EXECUTE sql;
		RETURN 'ok';
	EXCEPTION WHEN OTHERS THEN
		RETURN SQLSTATE;
	END
	$$;
	SELECT string_agg(format('%s:%s/%s', v,
		pg_temp.try(format('INSERT INTO bench.leads_%s (email, territory, full_name, source) VALUES (%L, %L, %L, %L)', v, 'no.at.sign.example.com', 'NA-01', 'X', 'test')),
		pg_temp.try(format('INSERT INTO bench.leads_%s (email, territory, full_name, source) VALUES (%L, %L, %L, %L)', v, 'x@y.example.com', 'ZZ-00', 'X', 'test'))), ' ' ORDER BY o)
	FROM unnest(ARRAY['plain', 'native', 'plpgsql', 'slo', 'slo_email', 'slo_member']) WITH ORDINALITY u (v, o);
	SELECT 'logged: plpgsql ' || (SELECT count(*) FROM bench.plpgsql_violation)
	       || ', slo ' || (SELECT string_agg(c.name, ',' ORDER BY c.name) FROM slo.contract_violation v JOIN slo.contract c ON c.id = v.contract_id);
EOF
)
check=${check//$'\n'/ }
log "check: $check"
expected="plain:ok/ok native:23514/23503 plpgsql:23514/ok slo:23514/ok slo_email:23514/ok slo_member:ok/ok logged: plpgsql 1, slo lead-territory-known,lead-territory-known-alone"
if [[ $check != "$expected" ]]; then
	log "FAILED: expected '$expected'"
	exit 1
fi
echo "check before the runs (SQLSTATE of a bad address / of an unknown territory per variant): $check" >>"$CHECKS"

# ---------------------------------------------------------------------------
# The statements: one pgbench script per kind, data and run
# ---------------------------------------------------------------------------

# the COPY files, one per run (written by the client, read by the server)
for data in clean dirty; do
	tcol=territory
	[[ $data == dirty ]] && tcol=territory_dirty
	for r in $(seq 1 "$RUNS"); do
		n=$((ROWS / RUNS))
		q -c "\\copy (SELECT email, $tcol, full_name, company, source, score FROM bench.lead_source WHERE id > $(((r - 1) * n)) AND id <= $((r * n)) ORDER BY id) TO '$WORK/$data.$r.csv' (FORMAT csv)"
		chmod 0644 "$WORK/$data.$r.csv"
	done
	[[ -n $DIRTY_KINDS ]] || break
done

# the variants in order ROTATION (the list rotated by that many places;
# native left out for dirty data)
run_variants() {   # $1 data, $2 rotation
	local vs=() i n
	for v in "${VARIANTS[@]}"; do
		[[ $1 == dirty && $v == native ]] || vs+=("$v")
	done
	n=${#vs[@]}
	for ((i = 0; i < n; i++)); do
		echo "${vs[(i + $2) % n]}"
	done
}

# the pgbench script of kind $1 and data $2, its statements in rotation $3,
# for run $4 (which COPY file)
script() {
	local tcol=territory v
	[[ $2 == dirty ]] && tcol=territory_dirty
	case $1 in
	insert1)
		echo "SELECT email, $tcol AS territory, full_name, company, source, score FROM bench.lead_source WHERE id = (SELECT nextval('bench.pick')) \\gset"
		for v in $(run_variants "$2" "$3"); do
			echo "INSERT INTO bench.leads_$v ($COLUMNS_WRITTEN) VALUES (:email, :territory, :full_name, :company, :source, :score);"
		done ;;
	insert1000)
		echo "SELECT (nextval('bench.pick') - 1) * $BATCH + 1 AS lo \\gset"
		for v in $(run_variants "$2" "$3"); do
			echo "INSERT INTO bench.leads_$v ($COLUMNS_WRITTEN) SELECT email, $tcol, full_name, company, source, score FROM bench.lead_source WHERE id BETWEEN :lo AND :lo + $((BATCH - 1));"
		done ;;
	copy)
		for v in $(run_variants "$2" "$3"); do
			echo "COPY bench.leads_$v ($COLUMNS_WRITTEN) FROM '$WORK/$2.$4.csv' (FORMAT csv);"
		done ;;
	*) log "unknown kind $1"; exit 1 ;;
	esac
}

# statements per run of kind $1, and rows per statement
per_run() {
	case $1 in
	insert1) echo "$((SINGLE_ROWS / RUNS)) 1" ;;
	insert1000) echo "$((ROWS / RUNS / BATCH)) $BATCH" ;;
	copy) echo "1 $((ROWS / RUNS))" ;;
	esac
}

# Empty the tables and the logs before a kind; the pick sequence restarts.
reset_tables() {
	local v tables=""
	for v in "${VARIANTS[@]}"; do
		tables+="bench.leads_$v, "
	done
	q >/dev/null <<-EOF
		TRUNCATE ${tables} bench.plpgsql_violation, slo.contract_violation, slo_internal.contract_tally;
		DROP SEQUENCE IF EXISTS bench.pick;
		CREATE SEQUENCE bench.pick;
	EOF
}

# One run: pgbench, then a line "kind data variant run ms_per_statement
# rows_per_statement statements" per variant into RESULTS, from pgbench's
# per-command latencies.  INSERTs: one script per rotation of the variants,
# pgbench picking one at random for each execution, so that each variant
# takes each place in the script about as often (the statement right after
# the \gset is a few us slower); a variant's time is the mean over the
# scripts weighted by their executions.  COPY: one script, rotation = run.
run_once() {   # $1 kind, $2 data, $3 run
	local mode=$PROTOCOL out=$WORK/pgbench.out n rows nv i files=()
	read -r n rows < <(per_run "$1")
	if [[ $1 == copy ]]; then
		mode=simple
		script "$1" "$2" "$3" "$3" >"$WORK/run.0.pgb"
		files=(-f "$WORK/run.0.pgb")
	else
		nv=$(run_variants "$2" 0 | wc -l)
		for ((i = 0; i < nv; i++)); do
			script "$1" "$2" "$i" "$3" >"$WORK/run.$i.pgb"
			files+=(-f "$WORK/run.$i.pgb")
		done
	fi
	q -c "CHECKPOINT"
	pgbench -n -c 1 -r -M "$mode" -t "$n" "${files[@]}" "$DB" >"$out" 2>&1 \
		|| { cat "$out" >&2; return 1; }
	awk -v kind="$1" -v data="$2" -v run="$3" -v rows="$rows" -v n="$n" '
		/^SQL script/ { on = 0; w = 0 }
		/^ - [0-9]+ transactions/ { w = $2 }
		/statement latencies/ { on = 1; if (!w) w = 1; next }
		on && match($0, /(INSERT INTO|COPY) bench\.leads_[a-z_]+ /) {
			v = substr($0, RSTART, RLENGTH - 1); sub(/.*bench\.leads_/, "", v)
			sum[v] += w * $1; cnt[v] += w
		}
		END { for (v in sum) printf "%s\t%s\t%s\t%s\t%.5f\t%s\t%s\n", kind, data, v, run, sum[v] / cnt[v], rows, n }' "$out" >>"$RESULTS"
}

# After a kind: every table got the same rows; PL/pgSQL's log and slo's (per
# territory contract) hold exactly the leads of unknown territory; slo's
# tallies count every row of its tables, and as failed those leads.  A line
# into CHECKS; returns 1 if any of it is not so.
check_kind() {   # $1 kind, $2 data
	local v sums="" got
	for v in $(run_variants "$2" 0); do
		sums+="SELECT count(*) AS n, sum(hashtext(concat_ws('|', email, territory, full_name, company, source, score))) AS h FROM bench.leads_$v UNION ALL "
	done
	got=$(q -v dirty="$([[ $2 == dirty ]] && echo 1 || echo 0)" <<-EOF
		WITH s AS (${sums% UNION ALL }),
		u AS (SELECT count(*) AS n FROM bench.leads_plain p
		      WHERE NOT EXISTS (SELECT 1 FROM bench.territories t WHERE t.code = p.territory)),
		l AS (SELECT c.name, count(*) AS n FROM slo.contract_violation v JOIN slo.contract c ON c.id = v.contract_id GROUP BY 1),
		t AS (SELECT c.name, c.kind, sum(checked) AS checked, sum(failed) AS failed
		      FROM slo_internal.contract_tally t JOIN slo.contract c ON c.id = t.contract_id GROUP BY 1, 2)
		SELECT format('%s rows in every table (%s set(s) of rows), %s of them in an unknown territory; logged: PL/pgSQL %s, slo %s; slo tallies (checked/failed): %s',
		              (SELECT min(n) FROM s), (SELECT count(DISTINCT (n, h)) FROM s), u.n,
		              (SELECT count(*) FROM bench.plpgsql_violation),
		              coalesce((SELECT string_agg(format('%s %s', name, n), ', ' ORDER BY name) FROM l), 'none'),
		              (SELECT string_agg(format('%s %s/%s', name, checked, failed), ', ' ORDER BY name) FROM t)),
		       (SELECT count(DISTINCT (n, h)) FROM s) = 1
		       AND (u.n > 0) = (:dirty = 1)
		       AND (SELECT count(*) FROM bench.plpgsql_violation) = u.n
		       AND (SELECT coalesce(sum(n), 0) FROM l) = u.n * (SELECT count(*) FROM t WHERE kind = 'member_of')
		       AND NOT EXISTS (SELECT 1 FROM l WHERE n <> u.n)
		       AND NOT EXISTS (SELECT 1 FROM t WHERE checked <> (SELECT min(n) FROM s)
		                                          OR failed <> CASE WHEN kind = 'member_of' THEN u.n ELSE 0 END)
		FROM u;
	EOF
	)
	echo "$1 $2: ${got%|*}" >>"$CHECKS"
	log "  ${got%|*}"
	if [[ ${got##*|} != t ]]; then
		log "FAILED: the tables, the logs or the tallies are not as they should be"
		return 1
	fi
}

# ---------------------------------------------------------------------------
# The runs
# ---------------------------------------------------------------------------

for data in clean dirty; do
	kinds=$KINDS
	[[ $data == dirty ]] && kinds=$DIRTY_KINDS
	for k in $kinds; do
		read -r n rows < <(per_run "$k")
		log "$k, $data: $RUNS runs of $n statement(s) of $rows row(s) per variant ($(run_variants "$data" 0 | paste -sd ' ')) ..."
		reset_tables
		for r in $(seq 1 "$RUNS"); do
			t0=$(date +%s)
			run_once "$k" "$data" "$r"
			log "  run $r: $(( $(date +%s) - t0 )) s"
		done
		check_kind "$k" "$data"
	done
done

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

bench_about "slo data contracts: the cost of checking the writes (bench/contracts.sh)" "$DB"
bench_installed "$DB"
bench_load "after the runs"
bench_machine
bench_settings "$DB" jit max_parallel_workers_per_gather max_parallel_workers shared_buffers work_mem \
	synchronous_commit fsync full_page_writes autovacuum
echo "pgbench:     -n -c 1 -r -M $PROTOCOL (COPY: -M simple); a statement per variant in a script, each its own"
echo "             transaction; INSERTs: a script per order of the variants, picked at random per execution;"
echo "             COPY: the order rotates by run; $RUNS runs per kind"
echo "writes:      insert1: $SINGLE_ROWS 1-row INSERTs per variant; insert1000: $((ROWS / BATCH)) INSERT ... SELECT of $BATCH rows;"
echo "             copy: $RUNS COPYs of $((ROWS / RUNS)) rows (CSV file); dirty: $DIRTY_SHARE of the leads in an unknown territory"
echo "tables:      bench.leads_{$(IFS=,; echo "${VARIANTS[*]}")}: primary key on id (bigserial), index on email;"
echo "             $TERRITORIES territories (primary key on code)"
echo "total run time: $(( $(date +%s) - T_START )) s"
cat "$CHECKS"
echo
"${PSQL[@]}" -d "$DB" -f "$HERE/contracts_report.sql" <"$RESULTS"
