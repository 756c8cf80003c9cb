--
-- bench/sketch_lib.sql: the queries of bench/sketch.sh, the suite "sketch"
-- of bench/lib.sql (which times them, into bench.sketch_results), and the
-- function that collects their answers.  Idempotent; run on every benchmark
-- run.  Its tables and functions carry a sketch_ prefix, so that it can
-- share the database (and the data set) of bench/aggregates.sh.
--
-- psql variables: rows (size of bench.requests), buckets (rollups),
-- internal (1 when the scratch extension slo_sketch_internal is installed).
--
\set ON_ERROR_STOP on

CREATE SCHEMA IF NOT EXISTS bench;

-- One row per benchmarked query (the columns bench/lib.sql names, and):
--   answers   the query returns float8[] p50, p95, p99 (for the accuracy table)
-- parallel: the section-1 queries that can run as Gather > Partial Aggregate
-- (percentile_cont and percentile_disc cannot: no combine function); the
-- rollups (a few thousand rows) are left to the planner.
DROP TABLE IF EXISTS bench.sketch_queries CASCADE;
CREATE TABLE bench.sketch_queries (
	ord       int PRIMARY KEY,
	id        text NOT NULL UNIQUE,
	section   text NOT NULL,
	answers   bool NOT NULL,
	parallel  bool NOT NULL,
	workers   int[] NOT NULL,
	rows      bigint NOT NULL,
	sql       text NOT NULL
);

-- The answers (p50, p95, p99) of each query that gives percentiles, from
-- one plain execution under each workers setting.
CREATE TABLE IF NOT EXISTS bench.sketch_answers (
	id         text NOT NULL,
	workers    int NOT NULL,
	answers    float8[] NOT NULL,
	PRIMARY KEY (id, workers)
);
TRUNCATE bench.sketch_answers;

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
(20, 'slo.merge rollups', '2 rollups', true, false, '{0,2}', :buckets,
 $q$SELECT slo.percentiles(slo.merge(sketch), ARRAY[.5,.95,.99]) FROM bench.sketch_rollup$q$),
(22, 'tdigest merge rollups', '2 rollups', true, false, '{0,2}', :buckets,
 $q$SELECT tdigest_percentile(digest, ARRAY[.5,.95,.99]) FROM bench.sketch_rollup$q$);

\if :internal
-- the same algorithm with an internal transition state (scratch extension
-- slo_sketch_internal, built outside the repository; see docs/performance.md)
INSERT INTO bench.sketch_queries (ord, id, section, answers, parallel, workers, rows, sql) VALUES
(15, 'slo.sketch, internal state', '1 raw', true, true, '{0,2}', :rows,
 $q$SELECT slo.percentiles(slo_sketch_internal.sketch(latency_ms), ARRAY[.5,.95,.99]) FROM bench.requests$q$),
(21, 'slo.merge rollups, internal state', '2 rollups', true, false, '{0,2}', :buckets,
 $q$SELECT slo.percentiles(slo_sketch_internal.merge(sketch), ARRAY[.5,.95,.99]) FROM bench.sketch_rollup$q$);
\endif
