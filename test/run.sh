#!/bin/bash
#
# test/run.sh: the two commands of this repository (see README.md).
#
#   bash test/run.sh demo    install what is missing, build, install, start a
#                            throwaway cluster (pg_cron preloaded) in /tmp/slo-demo
#                            on port 54320, load test/demo/demo_data.sql into the
#                            database slo_demo and print test/demo/report.sql.
#                            Leaves the cluster running; says how to reach and stop it.
#   bash test/run.sh check   the same set-up (warnings are errors) in a cluster of
#                            its own (a mktemp directory, port 54321, removed at
#                            exit), then every suite:
#                              inventory    every test file is run (see run_inventory)
#                              pg_regress   make installcheck (REGRESS)
#                              isolation    make installcheck (ISOLATION), if any
#                              pgTAP        pg_prove -v test/pgtap/*.sql, if any
#                              docs         perl test/docs_examples.pl
#                              extra        each executable test/extra/*.sh
#                            and ends with one line "N passed, N failed".  Exit
#                            status 0 only if nothing failed and every suite ran.
#
# Run as root on Debian 12 (packages are installed with apt-get; the server
# runs as the postgres OS user).  Any current directory; no stdin needed.
#
# Environment (optional):
#   SLO_DEMO_DIR=/tmp/slo-demo  SLO_DEMO_PORT=54320  SLO_CHECK_PORT=54321
#   SLO_KEEP=1                  check: keep the cluster directory and leave it running
#   SLO_SUITE_TIMEOUT=1800      seconds per suite (per file for pgTAP and extra)
#
set -uo pipefail    # no -e: every step checks its own status

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || exit 1
cd "$ROOT" || exit 1
SLO_ROOT=$ROOT
# shellcheck source=test/lib.sh
source "$ROOT/test/lib.sh"

DEMO_DIR=${SLO_DEMO_DIR:-/tmp/slo-demo}
DEMO_PORT=${SLO_DEMO_PORT:-54320}
DEMO_DB=slo_demo
CHECK_PORT=${SLO_CHECK_PORT:-54321}
CHECK_DB=slo_check
PGTAP_DB=slo_pgtap
SUITE_TIMEOUT=${SLO_SUITE_TIMEOUT:-1800}

usage() {
	sed -n '3,20p' "$ROOT/test/run.sh" | sed 's/^# \{0,1\}//'
}

die() {
	slo_err "$*"
	exit 1
}

# psql on a database of the current cluster, quiet, stopping at the first error
psql_db() {
	local db=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"
}

# The value of a make variable of the Makefile (REGRESS, ISOLATION).
# shellcheck disable=SC2016  # $(%s) is for make, not for the shell
make_var() {
	make -s --no-print-directory -C "$ROOT" "PG_CONFIG=$SLO_PG_CONFIG" \
		-f Makefile -f <(printf 'slo-print-var:\n\t@echo $(%s)\n' "$1") slo-print-var 2>/dev/null
}

# build into LOG; prints the log on failure, a warning count otherwise
build_logged() {
	local log=$1 warnings
	slo_log "building and installing slo${SLO_WERROR:+ (warnings are errors)}"
	if ! slo_build_install >"$log" 2>&1; then
		cat "$log" >&2
		return 1
	fi
	warnings=$(grep -c 'warning:' "$log")
	if [[ $warnings -gt 0 ]]; then
		grep -B2 -A4 'warning:' "$log" >&2
	fi
	slo_log "build: ok, $warnings warning(s)"
}

# ===========================================================================
# demo
# ===========================================================================

cmd_demo() {
	slo_install_packages || die "could not install the packages"
	mkdir -p "$DEMO_DIR" || die "cannot create $DEMO_DIR"
	build_logged "$DEMO_DIR/build.log" || die "build failed"

	slo_log "starting a throwaway cluster in $DEMO_DIR (port $DEMO_PORT, database $DEMO_DB)"
	slo_cluster_start "$DEMO_DIR" "$DEMO_PORT" "$DEMO_DB" || die "could not start the cluster"
	psql_db "$DEMO_DB" <<<'CREATE EXTENSION pg_cron; CREATE EXTENSION slo;' \
		|| die "CREATE EXTENSION failed"

	slo_log "loading test/demo/demo_data.sql"
	psql_db "$DEMO_DB" -f "$ROOT/test/demo/demo_data.sql" || die "loading the demo data failed"

	psql -X -v ON_ERROR_STOP=1 -d "$DEMO_DB" -f "$ROOT/test/demo/report.sql" \
		|| die "the report failed"

	slo_log "defining the revenue team's SLO set in the slo catalog (test/demo/catalog_demo.sql)"
	psql_db "$DEMO_DB" -f "$ROOT/test/demo/catalog_demo.sql" || die "defining the SLO catalog failed"
	psql -X -v ON_ERROR_STOP=1 -d "$DEMO_DB" -f "$ROOT/test/demo/catalog_report.sql" \
		|| die "the catalog report failed"
	slo_log "keeping the demo alive: demo.write_events() every minute (test/demo/live.sql)"
	psql_db "$DEMO_DB" -f "$ROOT/test/demo/live.sql" || die "loading test/demo/live.sql failed"
	psql -X -v ON_ERROR_STOP=1 -d "$DEMO_DB" \
		-c "SELECT slo.schedule() AS cron_job_id" \
		-c "SELECT CASE WHEN current_database() = current_setting('cron.database_name', true)
		                THEN cron.schedule('slo-demo-events', '* * * * *', 'SELECT demo.write_events()')
		                ELSE cron.schedule_in_database('slo-demo-events', '* * * * *', 'SELECT demo.write_events()',
		                                               current_database()) END AS events_job_id" \
		-c "SELECT jobname, schedule, command, database, username FROM cron.job" \
		|| die "scheduling the tick with pg_cron failed"
	echo "pg_cron now writes fresh events (demo.write_events()) and runs CALL slo.tick() every minute; watch it with"
	echo "  SELECT * FROM slo.tick_log ORDER BY id DESC LIMIT 5;"

	cat <<-EOF

		The demo cluster is running (data $DEMO_DIR/data, server log $DEMO_DIR/log).
		  open psql on it:  $(slo_psql_command "$DEMO_DIR" "$DEMO_PORT" "$DEMO_DB")
		  stop it:          $(slo_stop_command "$DEMO_DIR")
		Run 'bash test/run.sh demo' again to rebuild it from scratch.
	EOF
}

# ===========================================================================
# check
# ===========================================================================

WORK=
SUMMARY=()
TOTAL_PASSED=0
TOTAL_FAILED=0
BROKEN=0

cleanup() {
	[[ -n $WORK && -d $WORK && -z ${SLO_KEEP:-} ]] || return 0
	slo_cluster_stop "$WORK" >/dev/null 2>&1
	rm -rf "$WORK"
}

# record SUITE PASSED FAILED [NOTE]
record() {
	local line
	line=$(printf '%-11s %5d passed, %3d failed' "$1" "$2" "$3")
	[[ -n ${4:-} ]] && line+="   ($4)"
	SUMMARY+=("$line")
	TOTAL_PASSED=$((TOTAL_PASSED + $2))
	TOTAL_FAILED=$((TOTAL_FAILED + $3))
}

section() {
	printf '\n======== %s ========\n\n' "$*"
}

finish() {
	local s
	if [[ -n ${SLO_KEEP:-} && -n $WORK ]]; then
		printf '\nSLO_KEEP: cluster left running in %s (PGHOST=%s PGPORT=%s PGUSER=postgres)\n  stop and remove: %s && rm -rf %s\n' \
			"$WORK" "$WORK" "$CHECK_PORT" "$(slo_stop_command "$WORK")" "$WORK"
	fi
	section "summary"
	for s in "${SUMMARY[@]}"; do
		printf '%s\n' "$s"
	done
	printf '%d passed, %d failed\n' "$TOTAL_PASSED" "$TOTAL_FAILED"
	if [[ $TOTAL_FAILED -ne 0 || $BROKEN -ne 0 ]]; then
		exit 1
	fi
	exit 0
}

# A set-up step failed: no suite can run.
setup_failed() {
	record "set-up" 0 1 "$*; no suite ran"
	BROKEN=1
	finish
}

count_lines() {    # count_lines REGEX FILE
	grep -cE "$1" "$2" 2>/dev/null || true
}

# pg_regress or pg_isolation_regress through make installcheck.
#   run_installcheck SUITE VAR DIFFS [make overrides...]
run_installcheck() {
	local suite=$1 var=$2 diffs=$3
	shift 3
	local names expected out rc passed failed ignored note=
	names=$(make_var "$var")
	if [[ -z $names ]]; then
		record "$suite" 0 0 "no $var tests in the Makefile"
		return
	fi
	expected=$(wc -w <<<"$names")
	section "$suite: make installcheck ($expected tests)"
	out=$WORK/$suite.out
	rm -f "$diffs"
	timeout "$SUITE_TIMEOUT" make -s --no-print-directory -C "$ROOT" "PG_CONFIG=$SLO_PG_CONFIG" \
		installcheck "$@" </dev/null 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}

	# PG15 prints "test NAME ... ok    12 ms" (or "     NAME ..." inside a
	# parallel group), "... FAILED", "... failed (ignored)".
	passed=$(count_lines '^(test | {5})[^ ].* \.\.\. ok' "$out")
	ignored=$(count_lines '^(test | {5})[^ ].* \.\.\. failed \(ignored\)' "$out")
	failed=$(count_lines '^(test | {5})[^ ].* \.\.\. FAILED' "$out")
	passed=$((passed + ignored))
	[[ $ignored -gt 0 ]] && note="$ignored ignored failure(s)"
	if [[ $((passed + failed)) -lt $expected ]]; then
		note="${note:+$note; }$((expected - passed - failed)) of $expected did not run"
		failed=$((expected - passed))
	fi
	if [[ $rc -ne 0 && $failed -eq 0 ]]; then
		note="${note:+$note; }make installcheck exited with status $rc"
		[[ $rc -eq 124 ]] && note="${note:+$note; }timed out after ${SUITE_TIMEOUT}s"
		failed=1
		BROKEN=1
	fi
	if [[ -s $diffs ]]; then
		section "$suite: $diffs"
		cat "$diffs"
	fi
	record "$suite" "$passed" "$failed" "$note"
}

# Every test file is run, and every expected output has its test:
# test/sql/*.sql are the pg_regress tests (REGRESS), test/specs/*.spec the
# isolation tests (ISOLATION), each with expected/NAME.out; no extension
# source sql/NAME.sql shadows a test (pg_regress looks in ./sql first);
# every test/extra/*.sh is executable.  pgTAP files and extra scripts are
# run by glob, so they cannot be forgotten.
run_inventory() {
	local regress isolation t f passed=0 failed=0 problems=()
	section "inventory: every test file is run"
	regress=" $(make_var REGRESS) "
	isolation=" $(make_var ISOLATION) "
	for f in "$ROOT"/test/sql/*.sql; do
		t=$(basename "$f" .sql)
		[[ $regress == *" $t "* ]] || problems+=("test/sql/$t.sql is not in REGRESS")
	done
	for f in "$ROOT"/test/specs/*.spec; do
		t=$(basename "$f" .spec)
		[[ $isolation == *" $t "* ]] || problems+=("test/specs/$t.spec is not in ISOLATION")
	done
	for t in $regress; do
		[[ -f $ROOT/test/sql/$t.sql ]] || problems+=("REGRESS names $t, but test/sql/$t.sql is missing")
		[[ -f $ROOT/expected/$t.out ]] || problems+=("REGRESS names $t, but expected/$t.out is missing")
		[[ -e $ROOT/sql/$t.sql ]] && problems+=("sql/$t.sql would be run instead of test/sql/$t.sql")
	done
	for t in $isolation; do
		[[ -f $ROOT/test/specs/$t.spec ]] || problems+=("ISOLATION names $t, but test/specs/$t.spec is missing")
		[[ -f $ROOT/expected/$t.out ]] || problems+=("ISOLATION names $t, but expected/$t.out is missing")
	done
	for f in "$ROOT"/expected/*.out; do
		t=$(basename "$f" .out)
		[[ $regress$isolation == *" $t "* ]] || problems+=("expected/$t.out belongs to no test")
	done
	for f in "$ROOT"/test/extra/*.sh; do
		[[ -x $f ]] || problems+=("${f#"$ROOT"/} is not executable")
	done
	# the API: every function, table and view of schema slo has a reference page
	for t in $(psql_db "$CHECK_DB" -At -c "SELECT DISTINCT p.proname FROM pg_proc p WHERE p.pronamespace = 'slo'::regnamespace
				UNION SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'slo'::regnamespace AND c.relkind IN ('r', 'v', 'p')"); do
		grep -qE "slo\.$t([^a-z_]|\$)" "$ROOT"/docs/reference/*.md || problems+=("slo.$t is named in no page of docs/reference")
	done
	if [[ ${#problems[@]} -eq 0 ]]; then
		printf 'ok - %d pg_regress and %d isolation tests, each with its expected output; nothing left out; the API documented\n' \
			"$(wc -w <<<"$regress")" "$(wc -w <<<"$isolation")"
		passed=1
	else
		printf 'not ok - %s\n' "${problems[@]}"
		failed=${#problems[@]}
	fi
	record "inventory" "$passed" "$failed"
}

run_pgtap() {
	local files=() f out rc passed=0 failed=0 p n todo died=0 note=
	local nullglob
	nullglob=$(shopt -p nullglob)
	shopt -s nullglob
	files=("$ROOT"/test/pgtap/*.sql)
	eval "$nullglob"
	if [[ ${#files[@]} -eq 0 ]]; then
		record "pgTAP" 0 0 "no test/pgtap/*.sql"
		return
	fi
	section "pgTAP: pg_prove ${#files[@]} file(s)"
	if ! command -v pg_prove >/dev/null; then
		record "pgTAP" 0 1 "pg_prove not found"
		BROKEN=1
		return
	fi
	if ! psql_db postgres <<<"DROP DATABASE IF EXISTS $PGTAP_DB WITH (FORCE); CREATE DATABASE $PGTAP_DB;" \
		|| ! psql_db "$PGTAP_DB" <<<'CREATE EXTENSION pgtap; CREATE EXTENSION slo;'; then
		record "pgTAP" 0 1 "could not create database $PGTAP_DB with pgtap and slo"
		BROKEN=1
		return
	fi
	for f in "${files[@]}"; do
		out=$WORK/pgtap.$(basename "$f").out
		(cd "$ROOT" && timeout "$SUITE_TIMEOUT" pg_prove -v --merge -d "$PGTAP_DB" "test/pgtap/$(basename "$f")") \
			</dev/null 2>&1 | tee "$out"
		rc=${PIPESTATUS[0]}
		# assertion lines; "not ok ... # TODO" is an expected failure, not a failure
		p=$(count_lines '^ok [0-9]+' "$out")
		todo=$(count_lines '^not ok [0-9]+.*#[[:space:]]*TODO' "$out")
		n=$(count_lines '^not ok [0-9]+' "$out")
		n=$((n - todo))
		p=$((p + todo))
		if [[ $rc -ne 0 && $n -eq 0 ]]; then
			# died, or a plan mismatch, without a failing assertion
			n=1
			died=$((died + 1))
		fi
		passed=$((passed + p))
		failed=$((failed + n))
	done
	[[ $died -gt 0 ]] && note="$died file(s) failed without a failing assertion (died or wrong plan)"
	record "pgTAP" "$passed" "$failed" "$note"
}

run_docs() {
	local out rc passed failed note=
	section "docs: perl test/docs_examples.pl"
	out=$WORK/docs.out
	timeout "$SUITE_TIMEOUT" perl "$ROOT/test/docs_examples.pl" </dev/null 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	passed=$(count_lines '^ok [0-9]+' "$out")
	failed=$(count_lines '^not ok [0-9]+' "$out")
	if [[ $rc -ne 0 && $failed -eq 0 ]]; then
		note="test/docs_examples.pl exited with status $rc"
		failed=1
		BROKEN=1
	fi
	record "docs" "$passed" "$failed" "$note"
}

run_extra() {
	local scripts=() f rc passed=0 failed=0 skipped=0 note=
	local nullglob
	nullglob=$(shopt -p nullglob)
	shopt -s nullglob
	scripts=("$ROOT"/test/extra/*.sh)
	eval "$nullglob"
	if [[ ${#scripts[@]} -eq 0 ]]; then
		record "extra" 0 0 "no test/extra/*.sh"
		return
	fi
	section "extra: test/extra/*.sh"
	for f in "${scripts[@]}"; do
		if [[ ! -x $f ]]; then
			printf 'skip %s: not executable\n' "${f#"$ROOT"/}"
			skipped=$((skipped + 1))
			continue
		fi
		printf -- '--- %s\n' "${f#"$ROOT"/}"
		(cd "$ROOT" && SLO_CLUSTER_DIR=$WORK SLO_CLUSTER_PORT=$CHECK_PORT SLO_DB=$CHECK_DB \
			timeout "$SUITE_TIMEOUT" "$f") </dev/null 2>&1
		rc=$?
		if [[ $rc -eq 0 ]]; then
			printf 'ok - %s\n' "${f#"$ROOT"/}"
			passed=$((passed + 1))
		else
			printf 'not ok - %s (exit status %d%s)\n' "${f#"$ROOT"/}" "$rc" \
				"$([[ $rc -eq 124 ]] && echo ", timed out after ${SUITE_TIMEOUT}s")"
			failed=$((failed + 1))
		fi
	done
	[[ $skipped -gt 0 ]] && note="$skipped not executable, not run"
	record "extra" "$passed" "$failed" "$note"
}

cmd_check() {
	WORK=$(mktemp -d /tmp/slo-check.XXXXXX) || die "mktemp failed"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP

	section "set-up"
	slo_install_packages || setup_failed "could not install the packages"
	SLO_WERROR=1 build_logged "$WORK/build.log" || setup_failed "the build failed"
	slo_log "starting a throwaway cluster in $WORK (port $CHECK_PORT)"
	slo_cluster_start "$WORK" "$CHECK_PORT" "$CHECK_DB" || setup_failed "the cluster did not start"
	psql_db "$CHECK_DB" <<<'CREATE EXTENSION pg_cron; CREATE EXTENSION slo;' \
		|| setup_failed "CREATE EXTENSION pg_cron, slo failed"
	slo_log "cluster ready: PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER"

	run_inventory
	run_installcheck pg_regress REGRESS "$ROOT/regression.diffs" ISOLATION=
	run_installcheck isolation ISOLATION "$ROOT/regression.diffs" REGRESS=
	run_pgtap
	run_docs
	run_extra
	finish
}

case ${1:-} in
	demo) cmd_demo ;;
	check) cmd_check ;;
	-h | --help | help)
		usage
		;;
	*)
		usage >&2
		exit 2
		;;
esac
