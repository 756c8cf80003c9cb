--
-- bench/catalog_whatif.sql: part 5 of bench/catalog.sh.  Plain SQL over the
-- same data and the same rollup, timing the work the tick does now next to
-- other ways of computing the same numbers; every pair is checked for
-- equal results.  Nothing here changes slo.
--
--   window sums   the 38 occurrences objectives' window sums (valid, good)
--                 from minute rows (slo_internal.minutes, what measure read
--                 before 0.6), against slo_internal.range_sum (day and hour
--                 rows plus the minutes of the two edge hours: what
--                 slo_internal.measure reads since 0.6)
--   recount       111 changed minutes (the last 11 and 100 older ones) for
--                 all 50 objectives: one counting query per objective (what
--                 the tick ran before 0.6), the tick's one query per group
--                 (slo_internal.query_group_as over counting_query of all 50),
--                 and a plain-SQL query computing every objective's counts
--                 per minute
--   backfill      the backfill's reading (without writing the rollup): one
--                 counting query per objective over its horizon, against one
--                 query over the longest horizon computing every objective's
--                 counts per minute
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
SELECT o.id, x.window_start AS lo, LEAST(slo_internal.minute_of(now()), x.window_end) AS hi
FROM slo.objective o, slo_internal.window_of(o, slo_internal.minute_of(now())) x
WHERE o.budgeting = 'occurrences';
ANALYZE w;

SELECT set_config('bench.q_minutes', $q$
SELECT w.id, x.v, x.g FROM w, LATERAL (
  SELECT coalesce(sum(valid), 0) AS v, coalesce(sum(good), 0) AS g FROM slo_internal.minutes m
  WHERE m.objective_id = w.id AND m.bucket >= w.lo AND m.bucket < w.hi) x$q$, false) \g /dev/null
SELECT set_config('bench.q_hours', $q$
SELECT w.id, s.valid, s.good FROM w, slo_internal.range_sum(w.id, w.lo, w.hi) s$q$, false) \g /dev/null

SELECT format(E'%s\twhatif_check_window_sums\t0\t%s', :size,
              CASE WHEN count(*) = 0 THEN 'same' ELSE 'DIFFERENT' END)
FROM ((SELECT * FROM bench.catalog_rows(current_setting('bench.q_minutes')))
      EXCEPT ALL (SELECT * FROM bench.catalog_rows(current_setting('bench.q_hours')))) d;
SELECT format(E'%s\twhatif_window sums: minute rows, slo_internal.minutes (38 objectives)\t%s\t%s', :size, e.run, e.exec_ms)
FROM bench.catalog_explain_runs(current_setting('bench.q_minutes'), 1, :runs) e WHERE e.run > 0;
SELECT format(E'%s\twhatif_window sums: day + hour rows + edge minutes, slo_internal.range_sum (38 objectives)\t%s\t%s', :size, e.run, e.exec_ms)
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

CREATE TEMP TABLE bkr AS
SELECT range_agg(tstzrange(b, b + interval '1 minute')) AS mr FROM bk, unnest(bk.bs) b;
SELECT set_config('bench.q_recount_each', format($q$
SELECT o.id, c.bucket, c.valid, c.good FROM slo.objective o,
  LATERAL slo_internal.query_group_as(o.owner::regrole, o.search_path, slo_internal.counting_query(ARRAY[o]),
                              NULL, NULL, %L::tstzmultirange) c$q$, (SELECT mr FROM bkr)), false) \g /dev/null
-- the tick's form: one query for the group (one table, owner, search_path, time column)
SELECT set_config('bench.q_recount_group', format($q$
SELECT c.objective_id, c.bucket, c.valid, c.good
FROM (SELECT min(o.owner) AS owner, min(o.search_path) AS search_path, array_agg(o ORDER BY o.id) AS members
      FROM slo.objective o) g,
  LATERAL slo_internal.query_group_as(g.owner::regrole, g.search_path, slo_internal.counting_query(g.members),
                              NULL, NULL, %L::tstzmultirange) c$q$, (SELECT mr FROM bkr)), false) \g /dev/null
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
SELECT format(E'%s\twhatif_check_recount_group\t0\t%s', :size, CASE WHEN count(*) = 0 THEN 'same' ELSE 'DIFFERENT' END)
FROM ((SELECT * FROM bench.catalog_rows4(current_setting('bench.q_recount_each')))
      EXCEPT ALL (SELECT * FROM bench.catalog_rows4(current_setting('bench.q_recount_group')))) d;
SELECT format(E'%s\twhatif_recount 111 minutes: one query per objective (50)\t%s\t%s', :size, e.run, e.exec_ms)
FROM bench.catalog_explain_runs(current_setting('bench.q_recount_each'), 1, :runs) e WHERE e.run > 0;
SELECT format(E'%s\twhatif_recount 111 minutes: the tick\'s one query per group (50 objectives)\t%s\t%s', :size, e.run, e.exec_ms)
FROM bench.catalog_explain_runs(current_setting('bench.q_recount_group'), 1, :runs) e WHERE e.run > 0;
SELECT format(E'%s\twhatif_recount 111 minutes: one query for all 50 objectives\t%s\t%s', :size, e.run, e.exec_ms)
FROM bench.catalog_explain_runs(current_setting('bench.q_recount_once'), 1, :runs) e WHERE e.run > 0;

-- ---------------------------------------------------------------------------
-- the backfill's reading, all objectives (one run each: they read the table
-- 50 times and once)
-- ---------------------------------------------------------------------------
SELECT set_config('bench.q_backfill_each', $q$
SELECT o.id, c.bucket, c.valid, c.good FROM slo.objective o,
  LATERAL slo_internal.query_group_as(o.owner::regrole, o.search_path, slo_internal.counting_query(ARRAY[o]), NULL, NULL,
                              tstzmultirange(tstzrange(slo_internal.minute_of(now() - slo_internal.horizon_of(o)), NULL))) c$q$, false) \g /dev/null
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
