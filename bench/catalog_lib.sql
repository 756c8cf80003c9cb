--
-- bench/catalog_lib.sql: the timing helpers and the plain-SQL peer of
-- bench/catalog.sh.  Idempotent; run in each benchmark database.
--
-- Timing of a query: one EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON, FORMAT
-- JSON) executed on the server; its "Execution Time" (and "Planning Time")
-- as in bench/aggregates_lib.sql.
--
\set ON_ERROR_STOP on

CREATE SCHEMA IF NOT EXISTS bench;

-- Execution and planning time of one run of a query.
CREATE OR REPLACE FUNCTION bench.catalog_explain(q text, OUT exec_ms float8, OUT plan_ms float8,
		OUT shape text)
LANGUAGE plpgsql AS $$
DECLARE
	j jsonb;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON, FORMAT JSON) ' || q INTO j;
	exec_ms := (j->0->>'Execution Time')::float8;
	plan_ms := (j->0->>'Planning Time')::float8;
	shape := j->0->'Plan'->>'Node Type';
END
$$;

-- warmup + runs runs of a query, numbered -warmup+1 .. runs (warm-ups <= 0).
CREATE OR REPLACE FUNCTION bench.catalog_explain_runs(q text, warmup int, runs int)
RETURNS TABLE (run int, exec_ms float8, plan_ms float8)
LANGUAGE plpgsql AS $$
DECLARE
	e record;
BEGIN
	FOR i IN 1 - warmup .. runs LOOP
		e := bench.catalog_explain(q);
		run := i;
		exec_ms := e.exec_ms;
		plan_ms := e.plan_ms;
		RETURN NEXT;
	END LOOP;
END
$$;


/*
 * The peer: plain SQL that recomputes, straight from the raw table, the
 * numbers the tick stores for every objective as of instant "at": valid,
 * good, SLI and the six burn rates (5m, 30m, 1h, 6h, 1d, 3d), with the
 * arithmetic of docs/reference/status.md (and of slo_internal.evaluate and
 * slo_internal.measure, so that the results can be checked for equality: every
 * window and look-back counts [start, E), E the last whole minute before
 * "at", and empty slices count from the first minute with an event within
 * the rollup's horizon).  One UNION ALL branch per objective,
 * each reading the table once over its window and lookbacks, with the
 * objective's own valid and good expressions; the bounds are literals
 * (what an analyst's query with now() would compute).  The window bounds come
 * from slo_internal.window_of() (rolling: E - length; calendar: the period holding
 * the last counted minute), which is arithmetic, not part of what is timed.
 *
 * Occurrences: count(*) FILTER per range.  Timeslices: minutes grouped into
 * slices aligned to the window start (date_bin), each judged against the
 * slice target (and minimum events), then counted per range; empty slices
 * are added from generate_series when the objective counts them.
 */
CREATE OR REPLACE FUNCTION bench.catalog_peer_sql(at timestamptz) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	o slo.objective;
	w record;
	lbs interval[] := ARRAY['5 minutes', '30 minutes', '1 hour', '6 hours', '1 day', '3 days']::interval[];
	names text[] := ARRAY['5m', '30m', '1h', '6h', '1d', '3d'];
	at_o timestamptz;
	hi timestamptz;
	low timestamptz;
	parts text[] := '{}';
	sel text;
	q text;
	i int;
	ranges text;
	burns text;
BEGIN
	FOR o IN SELECT * FROM slo.objective WHERE enabled ORDER BY id LOOP
		-- every window and look-back ends at the last whole minute before at
		at_o := date_bin('1 minute', at, '2000-01-01 00:00+00');
		w := slo_internal.window_of(o, at_o);
		hi := LEAST(at_o, w.window_end);
		low := LEAST(w.window_start, at_o - interval '3 days');
		IF o.budgeting = 'occurrences' THEN
			sel := format('count(*) FILTER (WHERE ts >= %L AND ts < %L AND v) AS valid, '
						  'count(*) FILTER (WHERE ts >= %L AND ts < %L AND v AND g) AS good',
						  w.window_start, hi, w.window_start, hi);
			burns := '';
			FOR i IN 1 .. 6 LOOP
				sel := sel || format(', count(*) FILTER (WHERE ts >= %1$L AND v) AS v_%2$s, '
									 'count(*) FILTER (WHERE ts >= %1$L AND v AND g) AS g_%2$s',
									 at_o - lbs[i], names[i]);
				burns := burns || format(', CASE WHEN v_%1$s > 0 THEN ((v_%1$s - g_%1$s)::float8 / v_%1$s::float8) / (1::float8 - %2$s) END AS burn_%1$s',
										 names[i], o.target);
			END LOOP;
			q := format($q$SELECT %1$s::int8 AS objective_id, valid, good,
       CASE WHEN valid > 0 THEN good::float8 / valid::float8 END AS sli%2$s
FROM (SELECT %3$s
      FROM (SELECT ts, (%4$s) AS v, (%5$s) AS g FROM %6$s
            WHERE ts >= %7$L AND ts < %8$L) x) c$q$,
						o.id, burns, sel, o.valid_expr, o.good_expr, o.source,
						low, at_o);
		ELSE
			-- range 0 is the window, ranges 1..6 the burn-rate lookbacks
			ranges := format('(0, %L::timestamptz, %L::timestamptz)', w.window_start, hi);
			burns := '';
			FOR i IN 1 .. 6 LOOP
				ranges := ranges || format(', (%s, %L::timestamptz, %L::timestamptz)', i, at_o - lbs[i], at_o);
				burns := burns || format(', CASE WHEN max(counted) FILTER (WHERE k = %1$s) > 0 THEN '
										 '(max(bad) FILTER (WHERE k = %1$s) / max(counted) FILTER (WHERE k = %1$s)) / (1::float8 - %2$s) END AS burn_%3$s',
										 i, o.target, names[i]);
			END LOOP;
			q := format($q$SELECT %1$s::int8 AS objective_id,
       max(valid) FILTER (WHERE k = 0)::int8 AS valid, max(good) FILTER (WHERE k = 0)::int8 AS good,
       CASE WHEN max(counted) FILTER (WHERE k = 0) > 0
            THEN 1 - max(bad) FILTER (WHERE k = 0) / max(counted) FILTER (WHERE k = 0) END AS sli%2$s
FROM (
  WITH slices AS (
    SELECT date_bin(%3$L::interval, date_bin('1 minute', ts, '2000-01-01 00:00+00'), %4$L::timestamptz) AS s,
           count(*) FILTER (WHERE v) AS v, count(*) FILTER (WHERE v AND g) AS g
    FROM (SELECT ts, (%5$s) AS v, (%6$s) AS g FROM %7$s WHERE ts >= %8$L AND ts < %9$L) x
    GROUP BY 1
  ), judged AS (
    SELECT s, v, g, (v >= %10$s AND g::float8 / v >= %11$s) AS ok FROM slices WHERE v > 0
  ), per_range AS (
    SELECT r.k, coalesce(sum(j.v), 0) AS valid, coalesce(sum(j.g), 0) AS good, count(j.s) AS seen,
           %12$s AS bad0,
           %13$s AS total
    FROM (VALUES %14$s) AS r(k, lo, hi)
    LEFT JOIN judged j ON j.s >= r.lo AND j.s + %3$L::interval <= r.hi
    GROUP BY r.k, r.lo, r.hi
  )
  SELECT k, valid, good,
         CASE WHEN total > seen THEN total ELSE seen END::float8 AS counted,
         CASE WHEN %15$L = 'bad' AND total > seen THEN bad0 + (total - seen) ELSE bad0 END::float8 AS bad
  FROM per_range
) pr$q$,
				o.id, burns, o.slice, w.window_start, o.valid_expr, o.good_expr, o.source,
				low, at_o,
				coalesce(o.slice_min_events, 1), coalesce(o.slice_target, o.target),
				CASE WHEN o.budgeting = 'timeslices' THEN 'count(j.s) FILTER (WHERE NOT j.ok)::float8'
					 ELSE 'coalesce(sum(1 - j.g::float8 / j.v), 0)' END,
				CASE WHEN o.empty_slices = 'exclude' THEN '0::int8'
					 -- empty slices count from the first minute with a valid event
					 -- that the rollup keeps (its horizon starts at
					 -- minute_of(at - horizon_of(o)))
					 ELSE format('(SELECT count(*) FROM generate_series(date_bin(%1$L::interval, r.lo, %2$L::timestamptz), '
								 'r.hi - %1$L::interval, %1$L::interval) AS t(s) WHERE t.s >= r.lo '
								 'AND t.s + %1$L::interval > (SELECT min(date_bin(''1 minute'', ts, ''2000-01-01 00:00+00'')) '
								 'FROM %3$s WHERE ts >= %4$L AND (%5$s)))',
								 o.slice, w.window_start, o.source,
								 date_bin('1 minute', at - slo_internal.horizon_of(o), '2000-01-01 00:00+00'), o.valid_expr) END,
				ranges, o.empty_slices);
		END IF;
		parts := parts || q;
	END LOOP;
	RETURN array_to_string(parts, E'\nUNION ALL\n');
END
$$;

-- Does the peer say what slo.status says?  One row per objective that differs
-- (valid, good exactly; SLI and burn rates to 1e-9 relative).
CREATE OR REPLACE FUNCTION bench.catalog_peer_check(peer_sql text)
RETURNS TABLE (objective_id int8, what text, slo_value text, peer_value text)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format($q$
		WITH p AS (%s),
		pairs AS (
			SELECT e.objective_id, x.what, x.a, x.b
			FROM slo.evaluation e JOIN p ON p.objective_id = e.objective_id,
			LATERAL (VALUES ('valid', e.valid::float8, p.valid::float8), ('good', e.good::float8, p.good::float8),
			                ('sli', e.sli, p.sli), ('burn_5m', e.burn_5m, p.burn_5m),
			                ('burn_30m', e.burn_30m, p.burn_30m), ('burn_1h', e.burn_1h, p.burn_1h),
			                ('burn_6h', e.burn_6h, p.burn_6h), ('burn_1d', e.burn_1d, p.burn_1d),
			                ('burn_3d', e.burn_3d, p.burn_3d)) AS x(what, a, b)
		)
		SELECT objective_id, what, a::text, b::text FROM pairs
		WHERE (a IS NULL) <> (b IS NULL) OR abs(a - b) > 1e-9 * greatest(abs(a), abs(b), 1e-300)
		UNION ALL
		SELECT e.objective_id, 'missing in peer', NULL, NULL FROM slo.evaluation e
		WHERE NOT EXISTS (SELECT 1 FROM p WHERE p.objective_id = e.objective_id)
		ORDER BY 1, 2$q$, peer_sql);
END
$$;

-- 10k new events: most in the last minutes, some late ones in older minutes
-- (ts spread over the window, as a batch replayed from a queue would be).
CREATE OR REPLACE FUNCTION bench.catalog_insert(n_recent int, recent interval, n_late int)
RETURNS int8
LANGUAGE plpgsql AS $$
DECLARE
	n int8;
BEGIN
	INSERT INTO bench.catalog_events (ts, service, latency_ms, ok)
	SELECT CASE WHEN g <= n_recent THEN now() - recent * u5
	            ELSE now() - interval '1 hour' - interval '27 days' * u5 END,
	       (ARRAY['checkout', 'search', 'auth', 'catalog', 'payments', 'profile'])
	           [1 + floor(u3 * u3 * 6)::int],
	       exp(3.9 + 0.75 * sqrt(-2 * ln(1 - u1)) * cos(2 * pi() * u2)),
	       u4 >= 0.005
	FROM (SELECT g, random() AS u1, random() AS u2, random() AS u3, random() AS u4, random() AS u5
	      FROM generate_series(1, n_recent + n_late) g
	      OFFSET 0) r;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

-- Helpers of bench/catalog_whatif.sql: run a query, return its rows typed,
-- so that two forms of the same numbers can be compared with EXCEPT ALL.
DO $$ BEGIN
	IF to_regtype('bench.catalog_vg') IS NULL THEN
		CREATE TYPE bench.catalog_vg AS (valid int8, good int8);
	END IF;
END $$;
CREATE OR REPLACE FUNCTION bench.catalog_rows(q text) RETURNS TABLE (id int8, v numeric, g numeric)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format('SELECT s.a::int8, s.b::numeric, s.c::numeric FROM (%s) s(a, b, c)', q);
END
$$;
CREATE OR REPLACE FUNCTION bench.catalog_rows4(q text)
RETURNS TABLE (id int8, bucket timestamptz, valid int8, good int8)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format('SELECT s.a::int8, s.b::timestamptz, s.c::int8, s.d::int8 FROM (%s) s(a, b, c, d)', q);
END
$$;
