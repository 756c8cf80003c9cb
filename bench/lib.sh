# bench/lib.sh: the throwaway cluster the benchmarks start when no server is
# given (PGHOST/PGPORT/PGUSER unset).  Sourced by bench/*.sh, which set
# PGBIN, PORT, SHARED_BUFFERS, WORK_MEM and define log().
#
# Unlike test/lib.sh's cluster, this one is sized for measuring: large
# shared_buffers, jit off, no fsync, no autovacuum.

CLUSTER_DIR=

# Start the cluster in a fresh /tmp directory, as the postgres OS user when
# run as root; export PGHOST/PGPORT/PGUSER for it.
bench_start_cluster() {
	local dir
	dir=$(mktemp -d /tmp/slo-bench.XXXXXX)
	CLUSTER_DIR=$dir
	if [[ $(id -u) -eq 0 ]]; then
		chown postgres: "$dir"
		RUNAS=(runuser -u postgres --)
	else
		RUNAS=()
	fi
	"${RUNAS[@]}" "$PGBIN/initdb" -A trust -U postgres --no-sync -E UTF8 --locale=C \
		-D "$dir/data" >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	cat >>"$dir/data/postgresql.conf" <<-EOF
		listen_addresses = ''
		unix_socket_directories = '$dir'
		port = $PORT
		shared_buffers = $SHARED_BUFFERS
		work_mem = $WORK_MEM
		jit = off
		max_wal_size = 8GB
		checkpoint_timeout = 1h
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		autovacuum = off
	EOF
	"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null \
		|| { cat "$dir/server.log" >&2; exit 1; }
	export PGHOST=$dir PGPORT=$PORT PGUSER=postgres
}

# Stop and remove the cluster, if this script started one (BENCH_KEEP keeps it).
bench_stop_cluster() {
	[[ -n $CLUSTER_DIR && -d $CLUSTER_DIR ]] || return 1
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
	if [[ -z ${BENCH_KEEP:-} ]]; then
		rm -rf "$CLUSTER_DIR"
	else
		log "cluster kept in $CLUSTER_DIR (stop: runuser -u postgres -- $PGBIN/pg_ctl -D $CLUSTER_DIR/data stop)"
	fi
}
