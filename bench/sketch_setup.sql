--
-- bench/sketch_setup.sql: the stored rollups of bench/sketch.sh.
--
-- bench.requests (bench/aggregates_setup.sql) must exist.  Its rows are cut,
-- in ts order, into :buckets consecutive buckets of equal length (8,640 by
-- default: what 30 days of 5-minute rollups make; the 10M-row log covers
-- 28.9 days, so each bucket holds ~1,157 rows instead of 1,200), and each
-- bucket gets one stored slo.sketch (default alpha 0.01) and one stored
-- tdigest (compression 100), the way a dashboard would keep them.
-- bucket_start is the nominal start of the 5-minute rollup.
--
-- bench.requests holds one row per 250 ms from 2026-01-01 00:00 UTC, the
-- first at g = 1 (ts = start + g * 250 ms), so g - 1 = 0 .. rows - 1 is the
-- row's position and (g - 1) * buckets / rows its bucket.
--
-- psql variables: rows (size of bench.requests), buckets, stamp.
--
\set ON_ERROR_STOP on

DROP TABLE IF EXISTS bench.sketch_rollup;
CREATE UNLOGGED TABLE bench.sketch_rollup WITH (autovacuum_enabled = off) AS
SELECT b AS bucket,
       timestamptz '2026-01-01 00:00:00+00' + b * interval '5 minutes' AS bucket_start,
       count(*) AS n,
       slo.sketch(latency_ms) AS sketch,
       tdigest(latency_ms, 100) AS digest
FROM (SELECT floor((extract(epoch FROM ts - timestamptz '2026-01-01 00:00:00+00') * 4 - 1)
                   * :buckets / :rows)::int AS b,
             latency_ms
      FROM bench.requests) r
GROUP BY b
ORDER BY b;

ALTER TABLE bench.sketch_rollup ADD PRIMARY KEY (bucket);
VACUUM (FREEZE, ANALYZE) bench.sketch_rollup;

COMMENT ON TABLE bench.sketch_rollup IS :'stamp';
