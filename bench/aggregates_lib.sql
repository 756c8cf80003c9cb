--
-- bench/aggregates_lib.sql: the queries of bench/aggregates.sh, the suite
-- "aggregates" of bench/lib.sql (which times them, into
-- bench.aggregates_results).  Idempotent; run on every benchmark run.
--
-- psql variables: rows (size of bench.requests), window_rows (the sizes of
-- its moving-window subsets), window_main (the largest of them).
--
\set ON_ERROR_STOP on

CREATE SCHEMA IF NOT EXISTS bench;

-- One row per benchmarked query (the columns bench/lib.sql names, and):
--   floor_id   the count(*) query over the same rows with the same shape
--              (plain, grouped or moving window): the cost of just scanning
--   peer_id    the plain-SQL form an slo aggregate is compared with
-- Every query but the moving windows (section 3: a window aggregate has no
-- partial form) must run parallel under workers > 0.
DROP TABLE IF EXISTS bench.aggregates_queries CASCADE;
CREATE TABLE bench.aggregates_queries (
	ord       int PRIMARY KEY,
	id        text NOT NULL UNIQUE,
	section   text NOT NULL,
	floor_id  text,
	peer_id   text,
	workers   int[] NOT NULL,
	rows      bigint NOT NULL,
	sql       text NOT NULL,
	frame     text,             -- moving window: frame length
	frame_rows bigint,          -- and rows per frame (one row per 250 ms)
	parallel  bool NOT NULL GENERATED ALWAYS AS (section NOT LIKE '3%') STORED
);

-- The queries.  The SQL forms are those the reference pages give as the
-- definitions (docs/reference/*.md).
INSERT INTO bench.aggregates_queries (ord, id, section, floor_id, peer_id, workers, rows, sql) VALUES
-- 1. share within a bound, 10M rows
(10, 'count(*)', '1 p_within', 'count(*)', NULL, '{0,2}', :rows,
 $q$SELECT count(*) FROM bench.requests$q$),
-- count(latency_ms): the cheapest aggregate that has to read latency_ms (the
-- third column, after a varlena); the distance from count(*) to it is what
-- reading the column costs, whatever aggregate reads it
(11, 'count(latency_ms)', '1 p_within', 'count(*)', NULL, '{0,2}', :rows,
 $q$SELECT count(latency_ms) FROM bench.requests$q$),
(12, 'sql p_within', '1 p_within', 'count(*)', NULL, '{0,2}', :rows,
 $q$SELECT count(*) FILTER (WHERE latency_ms <= 250)::float8 / count(*) FROM bench.requests$q$),
(13, 'slo.p_within', '1 p_within', 'count(*)', 'sql p_within', '{0,2}', :rows,
 $q$SELECT slo.p_within(latency_ms, 250) FROM bench.requests$q$),
-- 2. error budget, 10M rows
-- count(ok): likewise for the fourth column
(19, 'count(ok)', '2 budget', 'count(*)', NULL, '{0,2}', :rows,
 $q$SELECT count(ok) FROM bench.requests$q$),
(20, 'sql burn_rate', '2 budget', 'count(*)', NULL, '{0,2}', :rows,
 $q$SELECT (count(*) FILTER (WHERE NOT ok))::float8 / count(ok)::float8 / (1::float8 - 0.999) FROM bench.requests$q$),
(21, 'slo.burn_rate', '2 budget', 'count(*)', 'sql burn_rate', '{0,2}', :rows,
 $q$SELECT slo.burn_rate(ok, 0.999) FROM bench.requests$q$),
(22, 'sql budget_remaining', '2 budget', 'count(*)', NULL, '{0,2}', :rows,
 $q$SELECT 1::float8 - (count(*) FILTER (WHERE NOT ok))::float8 / ((1::float8 - 0.999) * count(ok)::float8) FROM bench.requests$q$),
(23, 'slo.budget_remaining', '2 budget', 'count(*)', 'sql budget_remaining', '{0,2}', :rows,
 $q$SELECT slo.budget_remaining(ok, 0.999) FROM bench.requests$q$),
-- 2b. grouped by service (6 groups, hash aggregation)
(30, 'grouped count(*)', '2b grouped', 'grouped count(*)', NULL, '{0,2}', :rows,
 $q$SELECT service, count(*) FROM bench.requests GROUP BY service$q$),
(31, 'grouped sql burn_rate', '2b grouped', 'grouped count(*)', NULL, '{0,2}', :rows,
 $q$SELECT service, (count(*) FILTER (WHERE NOT ok))::float8 / count(ok)::float8 / (1::float8 - 0.999) FROM bench.requests GROUP BY service$q$),
(32, 'grouped slo.burn_rate', '2b grouped', 'grouped count(*)', 'grouped sql burn_rate', '{0,2}', :rows,
 $q$SELECT service, slo.burn_rate(ok, 0.999) FROM bench.requests GROUP BY service$q$);

-- 3. moving window: one-hour RANGE frame (14,400 rows per frame) over the
-- first N rows of the log.  max() over the window output keeps the window
-- computed (the planner cannot drop a column that is used) and ships one row.
INSERT INTO bench.aggregates_queries (ord, id, section, floor_id, peer_id, workers, rows, sql, frame, frame_rows)
SELECT 100 + 10 * i + k,
       format('%s %s', f.name, n.label),
       '3 moving window',
       format('window count(*) %s', n.label),
       CASE WHEN f.name = 'window slo.burn_rate' THEN format('window sql burn_rate %s', n.label) END,
       CASE WHEN n.n = :window_main THEN '{0,2}'::int[] ELSE '{0}'::int[] END,
       n.n,
       format('SELECT max(x) FROM (SELECT %s AS x FROM bench.requests_%s'
              ' WINDOW w AS (ORDER BY ts RANGE BETWEEN ''1 hour'' PRECEDING AND CURRENT ROW)) s',
              f.expr, n.n),
       '1 hour', 14400
FROM (SELECT i, n::bigint,
             CASE WHEN n % 1000000 = 0 THEN (n / 1000000) || 'M' ELSE (n / 1000) || 'k' END AS label
      FROM unnest(string_to_array(:'window_rows', ' ')::int[]) WITH ORDINALITY AS t(n, i)) n,
     (VALUES (0, 'window count(*)', 'count(*) OVER w'),
             (1, 'window sql burn_rate',
              '(count(*) FILTER (WHERE NOT ok) OVER w)::float8 / count(ok) OVER w / (1::float8 - 0.999)'),
             (2, 'window slo.burn_rate', 'slo.burn_rate(ok, 0.999) OVER w')) AS f(k, name, expr);

-- 3b. the same aggregate over the largest subset with other frame lengths:
-- with the inverse transition function the time does not grow with the
-- frame (5 minutes = 1,200 rows, 6 hours = 86,400 rows per frame).
INSERT INTO bench.aggregates_queries (ord, id, section, floor_id, peer_id, workers, rows, sql, frame, frame_rows)
SELECT 200 + k,
       format('window slo.burn_rate %s, %s frame', n.label, f.frame),
       '3b window frame',
       format('window count(*) %s', n.label), NULL, '{0}', n.n,
       format('SELECT max(x) FROM (SELECT slo.burn_rate(ok, 0.999) OVER w AS x FROM bench.requests_%s'
              ' WINDOW w AS (ORDER BY ts RANGE BETWEEN %L PRECEDING AND CURRENT ROW)) s',
              n.n, f.frame),
       f.frame, f.frame_rows
FROM (SELECT :window_main::bigint AS n,
             CASE WHEN :window_main % 1000000 = 0 THEN (:window_main / 1000000) || 'M'
                  ELSE (:window_main / 1000) || 'k' END AS label) n,
     (VALUES (1, '5 minutes', 1200), (2, '6 hours', 86400)) AS f(k, frame, frame_rows);

-- 4. column layout: the same rows, fixed-width columns first
INSERT INTO bench.aggregates_queries (ord, id, section, floor_id, peer_id, workers, rows, sql) VALUES
(300, 'fixed-first count(*)', '4 column layout', 'fixed-first count(*)', NULL, '{0,2}', :rows,
 $q$SELECT count(*) FROM bench.requests_fixed_first$q$),
(301, 'fixed-first count(latency_ms)', '4 column layout', 'fixed-first count(*)', NULL, '{0,2}', :rows,
 $q$SELECT count(latency_ms) FROM bench.requests_fixed_first$q$),
(302, 'fixed-first sql p_within', '4 column layout', 'fixed-first count(*)', NULL, '{0,2}', :rows,
 $q$SELECT count(*) FILTER (WHERE latency_ms <= 250)::float8 / count(*) FROM bench.requests_fixed_first$q$),
(303, 'fixed-first slo.p_within', '4 column layout', 'fixed-first count(*)', 'fixed-first sql p_within', '{0,2}', :rows,
 $q$SELECT slo.p_within(latency_ms, 250) FROM bench.requests_fixed_first$q$);
