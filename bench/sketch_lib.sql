--
-- bench/sketch_lib.sql: the queries of bench/sketch.sh and the functions
-- that time them and collect their answers.  Idempotent; run on every
-- benchmark run.  Its tables and functions carry a sketch_ prefix, so that
-- it can share the database (and the data set) of bench/aggregates.sh.
--
-- Timing, as in bench/aggregates_lib.sql: each run is one EXPLAIN (ANALYZE,
-- TIMING OFF, SUMMARY ON, FORMAT JSON) executed on the server; its
-- "Execution Time" is the time the executor took, without parsing, planning
-- or sending rows to the client.
--
-- psql variables: rows (size of bench.requests), buckets (rollups),
-- internal (1 when the scratch extension slo_sketch_internal is installed).
--
\set ON_ERROR_STOP on

CREATE SCHEMA IF NOT EXISTS bench;

-- One row per benchmarked query.
--   method   what answers (for the accuracy table); NULL: no percentiles
--   answers  the query returns float8[] p50, p95, p99
--   workers  the max_parallel_workers_per_gather settings it runs under
--   rows     rows it reads (for time per row)
DROP TABLE IF EXISTS bench.sketch_queries CASCADE;
CREATE TABLE bench.sketch_queries (
	ord       int PRIMARY KEY,
	id        text NOT NULL UNIQUE,
	section   text NOT NULL,
	answers   bool NOT NULL,
	parallel  bool NOT NULL,      -- can run as Gather > Partial Aggregate
	workers   int[] NOT NULL,
	rows      bigint NOT NULL,
	sql       text NOT NULL
);

CREATE TABLE IF NOT EXISTS bench.sketch_results (
	stamp      timestamptz NOT NULL DEFAULT clock_timestamp(),
	id         text NOT NULL,
	workers    int NOT NULL,     -- max_parallel_workers_per_gather
	run        int NOT NULL,     -- 0 = warm-up
	ms         float8 NOT NULL,  -- Execution Time
	planned    int,              -- sum of "Workers Planned" over Gather nodes
	launched   int,              -- sum of "Workers Launched"
	shape      text              -- plan shape, e.g. Aggregate (Finalize) > Gather > ...
);
TRUNCATE bench.sketch_results;

-- The answers (p50, p95, p99) of each query that gives percentiles, from
-- one plain execution under each workers setting.
CREATE TABLE IF NOT EXISTS bench.sketch_answers (
	id         text NOT NULL,
	workers    int NOT NULL,
	answers    float8[] NOT NULL,
	PRIMARY KEY (id, workers)
);
TRUNCATE bench.sketch_answers;

-- "Aggregate (Finalize) > Gather > Aggregate (Partial) > Seq Scan"
CREATE OR REPLACE FUNCTION bench.sketch_plan_shape(p jsonb) RETURNS text
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
	SELECT string_agg(bench.sketch_plan_shape(c), ' + ') INTO kids
	FROM jsonb_array_elements(p->'Plans') c;
	IF kids IS NOT NULL THEN
		s := s || ' > ' || kids;
	END IF;
	RETURN s;
END
$$;

-- Run one query once under the current settings and record its time.
CREATE OR REPLACE FUNCTION bench.sketch_measure(p_id text, p_run int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	q       bench.sketch_queries;
	plan    json;
	j       jsonb;
	r       bench.sketch_results;
BEGIN
	SELECT * INTO STRICT q FROM bench.sketch_queries WHERE id = p_id;
	EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON, FORMAT JSON) ' || q.sql INTO plan;
	j := plan::jsonb;
	r.stamp := clock_timestamp();
	r.id := p_id;
	r.workers := current_setting('max_parallel_workers_per_gather')::int;
	r.run := p_run;
	r.ms := (j->0->>'Execution Time')::float8;
	SELECT coalesce(sum((x #>> '{}')::int), 0) INTO r.planned
	FROM jsonb_path_query(j, 'strict $.**."Workers Planned"') x;
	SELECT coalesce(sum((x #>> '{}')::int), 0) INTO r.launched
	FROM jsonb_path_query(j, 'strict $.**."Workers Launched"') x;
	r.shape := bench.sketch_plan_shape(j->0->'Plan');
	INSERT INTO bench.sketch_results SELECT r.*;
	RETURN format('  %-40s workers=%s %-7s %s ms', p_id, r.workers,
				  CASE WHEN p_run = 0 THEN 'warm-up' ELSE 'run ' || p_run END,
				  lpad(to_char(r.ms, 'FM9999990.0'), 9));
END
$$;

-- Run one query for its answer (p50, p95, p99) under the current settings.
CREATE OR REPLACE FUNCTION bench.sketch_answer(p_id text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	q       bench.sketch_queries;
	a       float8[];
BEGIN
	SELECT * INTO STRICT q FROM bench.sketch_queries WHERE id = p_id AND answers;
	EXECUTE q.sql INTO a;
	INSERT INTO bench.sketch_answers
	VALUES (p_id, current_setting('max_parallel_workers_per_gather')::int, a);
	RETURN format('  %-40s workers=%s  %s', p_id,
				  current_setting('max_parallel_workers_per_gather'), a);
END
$$;

-- The queries.  Each answering query returns p50, p95, p99 as a float8[].
INSERT INTO bench.sketch_queries (ord, id, section, answers, parallel, workers, rows, sql) VALUES
-- 1. p50/p95/p99 of 10M raw rows
(10, 'count(latency_ms)', '1 raw', false, true, '{0,2}', :rows,
 $q$SELECT count(latency_ms) FROM bench.requests$q$),
(11, 'percentile_disc', '1 raw', true, false, '{0,2}', :rows,
 $q$SELECT percentile_disc(ARRAY[.5,.95,.99]) WITHIN GROUP (ORDER BY latency_ms) FROM bench.requests$q$),
(12, 'percentile_cont', '1 raw', true, false, '{0,2}', :rows,
 $q$SELECT percentile_cont(ARRAY[.5,.95,.99]) WITHIN GROUP (ORDER BY latency_ms) FROM bench.requests$q$),
(13, 'tdigest', '1 raw', true, true, '{0,2}', :rows,
 $q$SELECT tdigest_percentile(latency_ms, 100, ARRAY[.5,.95,.99]) FROM bench.requests$q$),
(14, 'slo.sketch', '1 raw', true, true, '{0,2}', :rows,
 $q$SELECT slo.percentiles(slo.sketch(latency_ms), ARRAY[.5,.95,.99]) FROM bench.requests$q$),
(16, 'slo.sketch alpha 0.001', '1 raw', true, true, '{0,2}', :rows,
 $q$SELECT slo.percentiles(slo.sketch(latency_ms, 0.001), ARRAY[.5,.95,.99]) FROM bench.requests$q$),
-- 2. the dashboard query over stored rollups, against recomputing from raw
(20, 'slo.merge rollups', '2 rollups', true, true, '{0,2}', :buckets,
 $q$SELECT slo.percentiles(slo.merge(sketch), ARRAY[.5,.95,.99]) FROM bench.sketch_rollup$q$),
(22, 'tdigest merge rollups', '2 rollups', true, true, '{0,2}', :buckets,
 $q$SELECT tdigest_percentile(digest, ARRAY[.5,.95,.99]) FROM bench.sketch_rollup$q$);

\if :internal
-- the same algorithm with an internal transition state (scratch extension
-- slo_sketch_internal, built outside the repository; see docs/performance.md)
INSERT INTO bench.sketch_queries (ord, id, section, answers, parallel, workers, rows, sql) VALUES
(15, 'slo.sketch, internal state', '1 raw', true, true, '{0,2}', :rows,
 $q$SELECT slo.percentiles(slo_sketch_internal.sketch(latency_ms), ARRAY[.5,.95,.99]) FROM bench.requests$q$),
(21, 'slo.merge rollups, internal state', '2 rollups', true, true, '{0,2}', :buckets,
 $q$SELECT slo.percentiles(slo_sketch_internal.merge(sketch), ARRAY[.5,.95,.99]) FROM bench.sketch_rollup$q$);
\endif
