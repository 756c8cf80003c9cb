--
-- bench/tick_scale_lib.sql: the helpers of bench/tick_scale.sh.  Idempotent.
--
--   bench.ts_explain_runs(q, warmup, runs)  Execution and Planning Time of
--                                           EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON)
--   bench.ts_peer_sql()                     the idle tick's peer: count(*) of the
--                                           events of the 30-day window, every table
--   bench.ts_check_minutes(objective_id)    slo_internal.minutes of one objective
--                                           against a fresh count of its raw rows
--
\set ON_ERROR_STOP on

CREATE SCHEMA IF NOT EXISTS bench;

CREATE OR REPLACE FUNCTION bench.ts_explain_runs(q text, warmup int, runs int)
RETURNS TABLE (run int, exec_ms float8, plan_ms float8)
LANGUAGE plpgsql AS $$
DECLARE
	j jsonb;
BEGIN
	FOR i IN 1 - warmup .. runs LOOP
		EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON, FORMAT JSON) ' || q INTO j;
		run := i;
		exec_ms := (j->0->>'Execution Time')::float8;
		plan_ms := (j->0->>'Planning Time')::float8;
		RETURN NEXT;
	END LOOP;
END
$$;

-- count(*) of every table's rows in the last 30 days: the floor of reading
-- the window's events once, what any recomputation from raw rows pays
CREATE OR REPLACE FUNCTION bench.ts_peer_sql()
RETURNS text
LANGUAGE sql STABLE
RETURN (SELECT 'SELECT sum(n) FROM (' || string_agg(format('SELECT count(*) AS n FROM %s WHERE ts >= now() - interval ''30 days''',
                                                           c.oid::regclass), ' UNION ALL ' ORDER BY c.relname) || ') s'
        FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
        WHERE s.nspname = 'bench' AND c.relname ~ '^ev_[0-9]+$' AND c.relkind = 'r');

-- One objective's rollup, as slo_internal.minutes shows it, against a fresh
-- count of its source rows per minute (valid and good, with its own
-- expressions), over what its rollup covers ([progress.backfilled_from,
-- infinity)).  Returns (minutes compared, minutes that differ, valid events).
CREATE OR REPLACE FUNCTION bench.ts_check_minutes(id int8, OUT minutes int8, OUT mismatches int8, OUT events int8)
LANGUAGE plpgsql AS $$
DECLARE
	o slo.objective;
	lo timestamptz;
BEGIN
	SELECT * INTO o FROM slo.objective WHERE objective.id = ts_check_minutes.id;
	SELECT p.backfilled_from INTO lo FROM slo_internal.progress p WHERE p.objective_id = o.id;
	EXECUTE format($q$
		WITH raw AS (
			SELECT date_bin('1 minute', %1$I, '2000-01-01 00:00+00') AS bucket,
			       count(*) FILTER (WHERE (%3$s)) AS valid,
			       count(*) FILTER (WHERE (%3$s) AND (%4$s)) AS good
			FROM %2$s WHERE %1$I >= $1
			GROUP BY 1
			HAVING count(*) FILTER (WHERE (%3$s)) > 0
		), m AS (
			SELECT bucket, valid, good FROM slo_internal.minutes WHERE objective_id = $2
		)
		SELECT count(*), count(*) FILTER (WHERE (raw.valid, raw.good) IS DISTINCT FROM (m.valid, m.good)),
		       coalesce(sum(raw.valid), 0)
		FROM raw FULL JOIN m USING (bucket)$q$,
		o.time_column, o.source, o.valid_expr, o.good_expr)
	INTO minutes, mismatches, events
	USING lo, o.id;
END
$$;

-- the data set in one row: (n_tables, n_rows, lo, hi), as SQL to run
CREATE OR REPLACE FUNCTION bench.ts_stats_sql()
RETURNS text
LANGUAGE sql STABLE
RETURN (SELECT format('SELECT count(DISTINCT t) AS n_tables, sum(n)::int8 AS n_rows, min(lo) AS lo, max(hi) AS hi FROM (%s) x',
                      string_agg(format('SELECT %L AS t, count(*) AS n, min(ts) AS lo, max(ts) AS hi FROM %s', c.relname, c.oid::regclass),
                                 ' UNION ALL ' ORDER BY c.relname))
        FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
        WHERE s.nspname = 'bench' AND c.relname ~ '^ev_[0-9]+$' AND c.relkind = 'r');
