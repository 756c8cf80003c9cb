# shellcheck shell=bash
# test/lib.sh: set-up helpers shared by test/run.sh (and by any script in
# test/extra/ or bench/ that wants them).  Source it from bash:
#
#   source test/lib.sh
#   slo_install_packages                 # apt-get what is missing (root)
#   slo_build_install                    # make && make install (SLO_WERROR=1: -Werror)
#   slo_cluster_start DIR PORT DBNAME    # throwaway socket-only cluster in DIR
#       [SETTING...]                     # (more postgresql.conf lines, e.g. for benchmarks)
#   slo_cluster_stop DIR
#   slo_as_postgres CMD...               # run CMD as the postgres OS user (when root)
#   slo_psql_command DIR PORT DB, slo_stop_command DIR   # command lines, for messages
#
# Sourcing it also puts /usr/lib/postgresql/15/bin first in PATH (SLO_PGBIN)
# and exports LC_ALL=C.UTF-8.
#
# Every function returns non-zero on failure, with the reason on stderr; none
# of them exits the calling shell.  Nothing here depends on the current
# directory: SLO_ROOT is the repository root, found from this file's place.
#
# The cluster: initdb as the postgres OS user (initdb refuses root) into
# DIR/data (UTF8, locale C.UTF-8, trust authentication), listening only on a
# unix socket in DIR (listen_addresses = ''), timezone UTC, fsync off,
# pg_cron preloaded with cron.database_name = DBNAME and cron.host = DIR,
# server log in DIR/log, in a session of its own (setsid).  A cluster already
# in DIR is stopped and replaced.  slo_cluster_start exports PGHOST=DIR,
# PGPORT=PORT and PGUSER=postgres, so clients run as root (psql, pg_regress,
# pg_prove) reach it.  jit is left at its default.  A caller may add
# postgresql.conf settings and leave pg_cron out: bench/lib.sh makes the
# benchmarks' clusters so (see slo_cluster_start).

SLO_ROOT=${SLO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SLO_PG_MAJOR=${SLO_PG_MAJOR:-15}
SLO_PGBIN=${SLO_PGBIN:-/usr/lib/postgresql/$SLO_PG_MAJOR/bin}
SLO_PG_CONFIG=${SLO_PG_CONFIG:-$SLO_PGBIN/pg_config}

# Packages, by Debian 12 name.  pg_prove comes from libtap-parser-sourcehandler-pgtap-perl.
SLO_PACKAGES=(
	build-essential
	"postgresql-$SLO_PG_MAJOR"
	"postgresql-server-dev-$SLO_PG_MAJOR"
	"postgresql-$SLO_PG_MAJOR-cron"
	"postgresql-$SLO_PG_MAJOR-pgtap"
	libtap-parser-sourcehandler-pgtap-perl
	prometheus-postgres-exporter
)

# This version's binaries first: /usr/bin/psql and pg_config are Debian's
# wrappers, which pick a version by themselves.
case ":$PATH:" in
	*":$SLO_PGBIN:"*) ;;
	*) PATH=$SLO_PGBIN:$PATH ;;
esac
export PATH

# Deterministic client output: English messages, UTF-8 (psql sizes columns by
# the client encoding, which it takes from the locale).  C.UTF-8 is part of
# libc-bin on Debian, so it is always there.
export LC_ALL=C.UTF-8
unset LANGUAGE

slo_log() { printf '==> %s\n' "$*" >&2; }
slo_err() { printf 'error: %s\n' "$*" >&2; }

# Run a command as the postgres OS user when we are root (initdb and the
# server refuse root), as ourselves otherwise.  The working directory is /, so
# that a directory postgres cannot read is never its cwd.
slo_as_postgres() {
	if [[ $(id -u) -eq 0 ]]; then
		local runuser
		runuser=$(command -v runuser || echo /usr/sbin/runuser)
		(cd / && "$runuser" -u postgres -- "$@")
	else
		(cd / && "$@")
	fi
}

_slo_pkg_installed() {
	dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

# slo_install_packages: install whichever of SLO_PACKAGES is missing.
# Idempotent: with everything present it runs neither apt-get update nor install.
slo_install_packages() {
	local p missing=()
	for p in "${SLO_PACKAGES[@]}"; do
		_slo_pkg_installed "$p" || missing+=("$p")
	done
	if [[ ${#missing[@]} -eq 0 ]]; then
		slo_log "packages: all present"
		return 0
	fi
	if [[ $(id -u) -ne 0 ]]; then
		slo_err "missing packages (${missing[*]}); run as root to install them"
		return 1
	fi
	slo_log "packages: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	local apt=(apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends)
	apt-get -q update </dev/null || { slo_err "apt-get update failed"; return 1; }
	# Without this, installing postgresql-NN creates and starts a "main"
	# cluster on port 5432 that nothing here uses.  (The official Docker
	# image does the same.)
	if ! _slo_pkg_installed postgresql-common; then
		"${apt[@]}" install postgresql-common </dev/null || { slo_err "apt-get install postgresql-common failed"; return 1; }
		if [[ -f /etc/postgresql-common/createcluster.conf ]]; then
			sed -ri 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*$/create_main_cluster = false/' \
				/etc/postgresql-common/createcluster.conf
		fi
	fi
	"${apt[@]}" install "${missing[@]}" </dev/null || { slo_err "apt-get install failed"; return 1; }
	for p in "${missing[@]}"; do
		_slo_pkg_installed "$p" || { slo_err "package $p is still not installed"; return 1; }
	done
}

# slo_build_install: make, then make install, in the repository root, against
# this PostgreSQL version's pg_config.  No make clean: objects already up to
# date are not rebuilt.  With SLO_WERROR=1 in the environment, warnings are
# errors.  Output goes to stdout/stderr; callers capture it if they want.
slo_build_install() {
	local args=(-C "$SLO_ROOT" "PG_CONFIG=$SLO_PG_CONFIG")
	[[ -n ${SLO_WERROR:-} ]] && args+=("SLO_WERROR=1")
	[[ -x $SLO_PG_CONFIG ]] || { slo_err "$SLO_PG_CONFIG not found (postgresql-server-dev-$SLO_PG_MAJOR)"; return 1; }
	make "${args[@]}" -j"$(nproc 2>/dev/null || echo 2)" </dev/null || { slo_err "make failed"; return 1; }
	make "${args[@]}" install </dev/null || { slo_err "make install failed"; return 1; }
}

# slo_cluster_stop DIR: stop the cluster in DIR/data if one runs there.
# Leaves the files in place.
slo_cluster_stop() {
	local dir=${1:?slo_cluster_stop DIR}
	[[ -f $dir/data/PG_VERSION ]] || return 0
	if slo_as_postgres "$SLO_PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		slo_as_postgres "$SLO_PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 \
			|| slo_as_postgres "$SLO_PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 \
			|| { slo_err "could not stop the cluster in $dir/data"; return 1; }
	fi
	return 0
}

# slo_cluster_start DIR PORT DBNAME [SETTING...]: a fresh cluster in DIR
# (created if missing; a cluster already there is stopped and replaced),
# started and ready, with database DBNAME created.  Exports PGHOST, PGPORT,
# PGUSER.
# Each SETTING is one more postgresql.conf line, e.g. 'shared_buffers = 4GB',
# written after the ones above (the last one wins, so it may also change
# them).  Two more choices, in the environment of the call:
#   SLO_CLUSTER_CRON=0     no pg_cron (no preload, no restart)
#   SLO_CLUSTER_LOCALE=L   initdb --locale=L (default C.UTF-8)
slo_cluster_start() {
	local dir=${1:?slo_cluster_start DIR PORT DBNAME [SETTING...]} port=${2:?port} db=${3:?dbname}
	shift 3
	[[ $dir == /* ]] || dir=$(pwd)/$dir
	# A unix socket path is limited to 107 bytes (".s.PGSQL.NNNNN" included).
	if (( ${#dir} > 80 )); then
		slo_err "cluster directory path too long for a unix socket: $dir"
		return 1
	fi
	if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
		slo_err "there is no postgres OS user (is postgresql-$SLO_PG_MAJOR installed?)"
		return 1
	fi

	slo_cluster_stop "$dir" || return 1
	rm -rf "$dir/data" "$dir/log" || return 1
	mkdir -p "$dir" || return 1
	if [[ $(id -u) -eq 0 ]]; then
		chown postgres: "$dir" || return 1
	fi
	chmod 0755 "$dir" || return 1

	slo_as_postgres "$SLO_PGBIN/initdb" -A trust -U postgres --no-sync -E UTF8 \
		--locale="${SLO_CLUSTER_LOCALE:-C.UTF-8}" \
		-D "$dir/data" >"$dir/initdb.log" 2>&1 \
		|| { cat "$dir/initdb.log" >&2; slo_err "initdb failed in $dir/data"; return 1; }

	cat >>"$dir/data/postgresql.conf" <<-EOF

		# ---- slo throwaway test cluster (test/lib.sh) ----
		listen_addresses = ''
		unix_socket_directories = '$dir'
		port = $port
		timezone = 'UTC'
		log_timezone = 'UTC'
		fsync = off
		synchronous_commit = off
		full_page_writes = off
	EOF
	if (( $# > 0 )); then
		{
			echo "# ---- the caller's settings ----"
			printf '%s\n' "$@"
		} >>"$dir/data/postgresql.conf" || return 1
	fi

	_slo_pg_ctl_start "$dir" start || return 1

	export PGHOST=$dir PGPORT=$port PGUSER=postgres
	unset PGDATABASE PGSERVICE PGPASSWORD PGHOSTADDR PGOPTIONS

	local exists
	exists=$(psql -X -q -At -d postgres -v ON_ERROR_STOP=1 -v db="$db" 2>&1 \
		<<<"SELECT count(*) FROM pg_database WHERE datname = :'db';") \
		|| { printf '%s\n' "$exists" >&2; slo_err "cannot connect to the cluster in $dir"; return 1; }
	if [[ $exists == 0 ]]; then
		psql -X -q -d postgres -v ON_ERROR_STOP=1 -v db="$db" <<<'CREATE DATABASE :"db";' \
			|| { slo_err "cannot create database $db"; return 1; }
	fi

	if [[ ${SLO_CLUSTER_CRON:-1} == 0 ]]; then
		return 0
	fi
	# pg_cron only now: its launcher exits (and logs a FATAL) while
	# cron.database_name does not exist yet.
	cat >>"$dir/data/postgresql.conf" <<-EOF
		shared_preload_libraries = 'pg_cron'
		cron.database_name = '$db'
		cron.host = '$dir'
	EOF
	_slo_pg_ctl_start "$dir" restart || return 1
}

# _slo_pg_ctl_start DIR start|restart: pg_ctl, waiting until the server is ready.
_slo_pg_ctl_start() {
	local dir=$1 action=$2
	# setsid: the server gets a session of its own, so a Ctrl-C meant for the
	# script (sent to its whole process group) does not shut it down under the
	# tests; the script's exit trap stops it instead.
	if ! slo_as_postgres setsid -w "$SLO_PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -m fast -w -t 120 "$action" >/dev/null 2>&1; then
		tail -n 30 "$dir/log" >&2 2>/dev/null
		slo_err "the cluster in $dir/data did not $action (log: $dir/log)"
		return 1
	fi
}

# The psql command line that reaches the cluster in DIR on PORT, for messages.
slo_psql_command() {
	printf 'psql -h %q -p %q -U postgres %q' "$1" "$2" "$3"
}

# The command that stops the cluster in DIR, for messages.
slo_stop_command() {
	if [[ $(id -u) -eq 0 ]]; then
		printf 'runuser -u postgres -- %q -D %q stop' "$SLO_PGBIN/pg_ctl" "$1/data"
	else
		printf '%q -D %q stop' "$SLO_PGBIN/pg_ctl" "$1/data"
	fi
}

# slo_check WHAT RESULT DETAIL: one check line of the scripts in test/extra:
# "ok:   WHAT (DETAIL)" when RESULT is t, else "FAIL: ..." and one more in
# $failures (the caller's counter).
slo_check() {
	if [[ $2 == t ]]; then
		printf 'ok:   %s (%s)\n' "$1" "$3"
	else
		printf 'FAIL: %s (%s)\n' "$1" "$3"
		failures=$((failures + 1))
	fi
}
