--
-- bench/catalog_whatif.sql: part 5 of bench/catalog.sh.  Plain SQL over the
-- same data and the same rollup, timing the work the tick does now next to
-- cheaper ways of computing the same numbers; every pair is checked for
-- equal results.  Nothing here changes slo: the hour table is a temporary
-- copy built from slo.rollup.
--
--   window sums   the 38 occurrences objectives' window sums (valid, good)
--                 from the minute rollup (what slo_internal.measure reads), against
--                 whole hours from an hour-level rollup plus the minutes at
--                 the two edges
--   recount       111 changed minutes (the last 11 and 100 older ones) for
--                 all 50 objectives: one counting query per objective (what
--                 the tick runs, through slo_internal.query_counts_as), against one
--                 query computing every objective's counts per minute
--   backfill      the backfill's reading (without writing the rollup): one
--                 counting query per objective, against one query over the
--                 longest horizon computing every objective's counts per minute
--
-- Output: lines "size<TAB>whatif_<name><TAB>run<TAB>ms" and
-- "size<TAB>whatif_check_<name><TAB>0<TAB>same|DIFFERENT".
-- psql variables: size, runs.
--
\set ON_ERROR_STOP on
\pset tuples_only on
\pset format unaligned

-- ---------------------------------------------------------------------------
-- window sums
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE w AS
SELECT o.id, x.window_start AS lo, LEAST(now(), x.window_end) AS hi
FROM slo.objective o, slo_internal.window_of(o, now()) x
WHERE o.budgeting = 'occurrences';
ANALYZE w;

CREATE TEMP TABLE hour_rollup AS
SELECT objective_id, date_trunc('hour', bucket) AS hour, sum(valid)::int8 AS valid, sum(good)::int8 AS good
FROM slo.rollup GROUP BY 1, 2;
ALTER TABLE hour_rollup ADD PRIMARY KEY (objective_id, hour);
ANALYZE hour_rollup;

SELECT set_config('bench.q_minutes', $q$
SELECT w.id, x.v, x.g FROM w, LATERAL (
  SELECT coalesce(sum(valid), 0) AS v, coalesce(sum(good), 0) AS g FROM slo.rollup r
  WHERE r.objective_id = w.id AND r.bucket >= w.lo AND r.bucket < w.hi) x$q$, false) \g /dev/null
-- whole hours inside [lo, hi), then the minutes before the first and after
-- the last whole hour
SELECT set_config('bench.q_hours', $q$
SELECT w.id, h.v + coalesce(m.v, 0) AS v, h.g + coalesce(m.g, 0) AS g
FROM w,
LATERAL (SELECT date_trunc('hour', w.lo) + CASE WHEN date_trunc('hour', w.lo) < w.lo THEN interval '1 hour' ELSE interval '0' END AS h0,
                date_trunc('hour', w.hi) AS h1) b,
LATERAL (SELECT coalesce(sum(valid), 0) AS v, coalesce(sum(good), 0) AS g FROM hour_rollup hr
         WHERE hr.objective_id = w.id AND hr.hour >= b.h0 AND hr.hour < b.h1) h,
LATERAL (SELECT sum(valid) AS v, sum(good) AS g FROM slo.rollup r
         WHERE r.objective_id = w.id
           AND ((r.bucket >= w.lo AND r.bucket < LEAST(b.h0, w.hi))
                OR (r.bucket >= GREATEST(b.h1, b.h0) AND r.bucket < w.hi))) m$q$, false) \g /dev/null

SELECT format(E'%s\twhatif_check_window_sums\t0\t%s', :size,
              CASE WHEN count(*) = 0 THEN 'same' ELSE 'DIFFERENT' END)
FROM ((SELECT * FROM bench.catalog_rows(current_setting('bench.q_minutes')))
      EXCEPT ALL (SELECT * FROM bench.catalog_rows(current_setting('bench.q_hours')))) d;
SELECT format(E'%s\twhatif_window sums: minute rollup (38 objectives)\t%s\t%s', :size, e.run, e.exec_ms)
FROM bench.catalog_explain_runs(current_setting('bench.q_minutes'), 1, :runs) e WHERE e.run > 0;
SELECT format(E'%s\twhatif_window sums: hour rollup + edge minutes (38 objectives)\t%s\t%s', :size, e.run, e.exec_ms)
FROM bench.catalog_explain_runs(current_setting('bench.q_hours'), 1, :runs) e WHERE e.run > 0;

-- ---------------------------------------------------------------------------
-- recount of 111 minutes, all objectives
-- ---------------------------------------------------------------------------
SELECT setseed(0.5);
CREATE TEMP TABLE bk AS
SELECT array_agg(DISTINCT b ORDER BY b) AS bs FROM (
  SELECT slo_internal.minute_of(now()) - g * interval '1 minute' AS b FROM generate_series(0, 10) g
  UNION ALL
  SELECT slo_internal.minute_of(now() - interval '1 hour' - random() * interval '27 days') FROM generate_series(1, 100)) x;

SELECT set_config('bench.q_recount_each', format($q$
SELECT o.id, c.bucket, c.valid, c.good FROM slo.objective o,
  LATERAL slo_internal.query_counts_as(o.owner::regrole, o.search_path, slo_internal.counting_query(o, 'buckets'),
                              NULL, NULL, %L::timestamptz[]) c$q$, (SELECT bs FROM bk)), false) \g /dev/null
SELECT set_config('bench.q_recount_once', format($q$
SELECT o.id, b.bucket, (c.counts[o.rn]).valid, (c.counts[o.rn]).good
FROM unnest(%L::timestamptz[]) AS b(bucket)
CROSS JOIN LATERAL (SELECT ARRAY[%s] AS counts
                    FROM %s WHERE ts >= b.bucket AND ts < b.bucket + interval '1 minute') c,
     (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM slo.objective) o$q$,
	(SELECT bs FROM bk),
	(SELECT string_agg(format('ROW(count(*) FILTER (WHERE (%s)), count(*) FILTER (WHERE (%s) AND (%s)))::bench.catalog_vg',
	                          valid_expr, valid_expr, good_expr), ', ' ORDER BY id) FROM slo.objective),
	(SELECT DISTINCT source FROM slo.objective)), false) \g /dev/null

SELECT format(E'%s\twhatif_check_recount\t0\t%s', :size, CASE WHEN count(*) = 0 THEN 'same' ELSE 'DIFFERENT' END)
FROM ((SELECT * FROM bench.catalog_rows4(current_setting('bench.q_recount_each')))
      EXCEPT ALL (SELECT * FROM bench.catalog_rows4(current_setting('bench.q_recount_once')))) d;
SELECT format(E'%s\twhatif_recount 111 minutes: one query per objective (50)\t%s\t%s', :size, e.run, e.exec_ms)
FROM bench.catalog_explain_runs(current_setting('bench.q_recount_each'), 1, :runs) e WHERE e.run > 0;
SELECT format(E'%s\twhatif_recount 111 minutes: one query for all 50 objectives\t%s\t%s', :size, e.run, e.exec_ms)
FROM bench.catalog_explain_runs(current_setting('bench.q_recount_once'), 1, :runs) e WHERE e.run > 0;

-- ---------------------------------------------------------------------------
-- the backfill's reading, all objectives (one run each: they read the table
-- 50 times and once)
-- ---------------------------------------------------------------------------
SELECT set_config('bench.q_backfill_each', $q$
SELECT o.id, c.bucket, c.valid, c.good FROM slo.objective o,
  LATERAL slo_internal.query_counts_as(o.owner::regrole, o.search_path, slo_internal.counting_query(o, 'backfill'),
                              slo_internal.minute_of(now() - slo_internal.horizon_of(o)), NULL, NULL) c$q$, false) \g /dev/null
SELECT set_config('bench.q_backfill_once', format($q$
SELECT o.id, c.bucket, (c.counts[o.rn]).valid, (c.counts[o.rn]).good
FROM (SELECT slo_internal.minute_of(ts) AS bucket, ARRAY[%s] AS counts
      FROM %s WHERE ts >= %L GROUP BY 1) c,
     (SELECT id, row_number() OVER (ORDER BY id) AS rn, slo_internal.minute_of(now() - slo_internal.horizon_of(ob)) AS lo
      FROM slo.objective ob) o
WHERE c.bucket >= o.lo AND (c.counts[o.rn]).valid > 0$q$,
	(SELECT string_agg(format('ROW(count(*) FILTER (WHERE (%s)), count(*) FILTER (WHERE (%s) AND (%s)))::bench.catalog_vg',
	                          valid_expr, valid_expr, good_expr), ', ' ORDER BY id) FROM slo.objective),
	(SELECT DISTINCT source FROM slo.objective),
	(SELECT min(slo_internal.minute_of(now() - slo_internal.horizon_of(o))) FROM slo.objective o)), false) \g /dev/null

SELECT format(E'%s\twhatif_backfill reading: one query per objective (50)\t1\t%s', :size, e.exec_ms)
FROM bench.catalog_explain(current_setting('bench.q_backfill_each')) e;
SELECT format(E'%s\twhatif_backfill reading: one query for all 50 objectives\t1\t%s', :size, e.exec_ms)
FROM bench.catalog_explain(current_setting('bench.q_backfill_once')) e;
SELECT format(E'%s\twhatif_check_backfill\t0\t%s', :size, CASE WHEN count(*) = 0 THEN 'same' ELSE 'DIFFERENT' END)
FROM ((SELECT * FROM bench.catalog_rows4(current_setting('bench.q_backfill_each')) WHERE valid > 0)
      EXCEPT ALL (SELECT * FROM bench.catalog_rows4(current_setting('bench.q_backfill_once')))) d;
