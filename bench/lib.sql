--
-- bench/lib.sql: how the suites of bench/aggregates.sh and bench/sketch.sh
-- time their queries, keyed by the suite's name.  Idempotent; run on every
-- benchmark run, with the psql variable suite (aggregates, sketch).
--
-- A suite S keeps its queries in bench.S_queries, made by bench/S_lib.sql,
-- with at least these columns (and any of its own):
--   ord       int, unique    order in the report
--   id        text, unique   the query's name
--   section   text           the part of the report it belongs to
--   workers   int[]          the max_parallel_workers_per_gather settings it runs under
--   rows      bigint         rows it reads (for time per row)
--   parallel  bool           under workers > 0 it must run as Gather > Partial
--                            Aggregate and launch workers (bench_parallel_check)
--   sql       text           the query
-- and the time of each run in bench.S_results, made here (empty).
-- bench/lib.sh runs the rounds (bench_runs) and reads the results.
--
-- Timing: each run is one EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON,
-- FORMAT JSON) executed on the server; its "Execution Time" is the time the
-- executor took, without parsing, planning or sending rows to the client.
-- TIMING OFF keeps the per-node clock calls out of the measurement.
--
\set ON_ERROR_STOP on

CREATE SCHEMA IF NOT EXISTS bench;

-- left behind by the layout before this file (bench.queries and bench.results
-- were the aggregates suite's; the sketch suite had functions of its own)
DROP TABLE IF EXISTS bench.queries, bench.results;
DROP FUNCTION IF EXISTS bench.measure(text, int), bench.sketch_measure(text, int),
	bench.sketch_plan_shape(jsonb);

\set results :suite '_results'
DROP TABLE IF EXISTS bench.:"results";
CREATE TABLE bench.:"results" (
	stamp      timestamptz NOT NULL DEFAULT clock_timestamp(),
	id         text NOT NULL,
	workers    int NOT NULL,     -- max_parallel_workers_per_gather
	run        int NOT NULL,     -- 0 = warm-up
	ms         float8 NOT NULL,  -- Execution Time
	planned    int,              -- sum of "Workers Planned" over Gather nodes
	launched   int,              -- sum of "Workers Launched"
	shape      text              -- plan shape, e.g. Aggregate (Finalize) > Gather > ...
);

-- "Aggregate (Finalize) > Gather > Aggregate (Partial) > Seq Scan"
CREATE OR REPLACE FUNCTION bench.plan_shape(p jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	s text := p->>'Node Type';
	kids text;
BEGIN
	IF p->>'Partial Mode' IS NOT NULL AND p->>'Partial Mode' <> 'Simple' THEN
		s := s || ' (' || (p->>'Partial Mode') || ')';
	END IF;
	IF p->>'Strategy' IS NOT NULL AND p->>'Strategy' <> 'Plain' THEN
		s := s || ' [' || (p->>'Strategy') || ']';
	END IF;
	SELECT string_agg(bench.plan_shape(c), ' + ') INTO kids
	FROM jsonb_array_elements(p->'Plans') c;
	IF kids IS NOT NULL THEN
		s := s || ' > ' || kids;
	END IF;
	RETURN s;
END
$$;

-- Run query p_id of suite p_suite once under the current settings and record
-- its time (run p_run; 0 = warm-up) in bench.<suite>_results.
CREATE OR REPLACE FUNCTION bench.measure(p_suite text, p_id text, p_run int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	q_sql     text;
	plan      json;
	j         jsonb;
	workers   int := current_setting('max_parallel_workers_per_gather')::int;
	ms        float8;
	planned   int;
	launched  int;
BEGIN
	EXECUTE format('SELECT sql FROM bench.%I WHERE id = $1', p_suite || '_queries')
		INTO STRICT q_sql USING p_id;
	EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON, FORMAT JSON) ' || q_sql INTO plan;
	j := plan::jsonb;
	ms := (j->0->>'Execution Time')::float8;
	SELECT coalesce(sum((x #>> '{}')::int), 0) INTO planned
	FROM jsonb_path_query(j, 'strict $.**."Workers Planned"') x;
	SELECT coalesce(sum((x #>> '{}')::int), 0) INTO launched
	FROM jsonb_path_query(j, 'strict $.**."Workers Launched"') x;
	EXECUTE format('INSERT INTO bench.%I (stamp, id, workers, run, ms, planned, launched, shape)'
				   ' VALUES (clock_timestamp(), $1, $2, $3, $4, $5, $6, $7)', p_suite || '_results')
		USING p_id, workers, p_run, ms, planned, launched, bench.plan_shape(j->0->'Plan');
	RETURN format('  %-40s workers=%s %-7s %s ms', p_id, workers,
				  CASE WHEN p_run = 0 THEN 'warm-up' ELSE 'run ' || p_run END,
				  lpad(to_char(ms, 'FM9999990.0'), 9));
END
$$;

-- The measured runs (warm-ups left out) of suite p_suite, per query and
-- workers setting: how many, and the median, fastest and slowest Execution Time.
CREATE OR REPLACE FUNCTION bench.medians(p_suite text)
RETURNS TABLE (id text, workers int, n bigint, ms float8, min_ms float8, max_ms float8)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN QUERY EXECUTE format(
		'SELECT id, workers, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), min(ms), max(ms)'
		' FROM bench.%I WHERE run > 0 GROUP BY id, workers', p_suite || '_results');
END
$$;
