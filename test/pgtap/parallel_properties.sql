-- test/pgtap/parallel_properties.sql
--
-- Property tests of the aggregates under forced parallel plans.  Parallel
-- workers compute partial states (slo.tally values), send them to the leader
-- through the tuple queue, and the leader combines them; with
-- parallel_leader_participation off the leader does no partial aggregation
-- itself.  Each plan is run through EXPLAIN ANALYZE so that the very run
-- whose answers are checked is shown to have had Partial aggregation under
-- Gather in two launched workers.
--
-- Against the plain-SQL definitions (computed beforehand with a serial
-- plan), exactly: grouped by data set (hashed and sorted partial
-- aggregation), grouped by data set and target (every target of
-- pp_targets), and one ungrouped aggregate per data set (empty, single-row
-- and all-NULL sets included, where a worker sees no rows at all).
--
-- Tables created inside this transaction are scanned by parallel workers
-- (checked by the plans below), so the file runs in one transaction and
-- rolls everything back.
--
-- Run by pg_prove in a database with pgtap and slo installed.
BEGIN;
SELECT plan(28);

-- ---------------------------------------------------------------------------
-- Random data sets (the same generator in every file of test/pgtap/, each
-- file with its own seed).  pp_ds holds one row of parameters for each of
-- 64 data sets, pp_data their rows.  Data set 1 is empty, 2 and 3 have one
-- row (3 all NULL), 7 is all NULL, 5 and 6 have 5000 rows; the rest have
-- random sizes up to 5000, skewed small.  Values mix NULL, NaN, +/-Infinity,
-- signed zeros, extremes and heavy duplicates; bounds are constant,
-- infinite, tied with values, or vary per row (never NaN).  Targets cycle
-- through pp_targets; some rows have a NULL target or NULL counts.  Counts
-- go up to 1.5e14 a row, so that a data set's total passes 2^53 (float8
-- rounds) while the total of all data sets stays below 2^63.
-- ---------------------------------------------------------------------------
SET LOCAL TimeZone = 'UTC';
DO $seed$ BEGIN PERFORM setseed(0.91); END $seed$;

CREATE TABLE pp_targets (k int PRIMARY KEY, target float8 NOT NULL);
INSERT INTO pp_targets
VALUES (1, 0.9), (2, 0.99), (3, 0.999), (4, 0.9999), (5, 0.95), (6, 0.5),
       (7, 0.001 + random() * 0.998);     -- a random target in (0, 1)

-- a finite float8 drawn from the value domain of a data set
CREATE FUNCTION pg_temp.pp_value(mode text, k int, r float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS $f$
SELECT CASE mode
    WHEN 'unique' THEN r * 1000 - 100
    WHEN 'coarse' THEN round(r * 100)::float8 / 4
    WHEN 'dup'    THEN floor(r * k)
    WHEN 'zeros'  THEN CASE WHEN r < 0.5 THEN '-0'::float8 ELSE 0::float8 END
    ELSE (ARRAY[1e308, -1e308, 5e-324, -5e-324, 0, 2.2250738585072014e-308,
                1.7976931348623157e308, 1, 0.1 + 0.2, 0.3]::float8[])[1 + floor(r * 10)::int]
END $f$;

-- an interval from a set whose members compare equal across units
-- ('1 mon' = '30 days' = '720 hours', '1 year' = '360 days', ...)
CREATE FUNCTION pg_temp.pp_interval(mode text, r float8, s float8) RETURNS interval
LANGUAGE sql IMMUTABLE AS $f$
SELECT CASE mode
    WHEN 'tricky' THEN (ARRAY['1 mon', '30 days', '720 hours', '29 days 24:00',
                              '1 mon -1 us', '30 days 00:00:00.000001', '1 year',
                              '360 days', '12 mons', '-1 day', '-24 hours', '0',
                              '1 day -24 hours', '2 mons -30 days', '43200 minutes',
                              '1 hour', '60 minutes', '3600 seconds']::interval[])
                       [1 + floor(r * 18)::int]
    ELSE make_interval(months => floor(r * 3)::int,
                       days => floor(s * 70)::int - 10,
                       hours => (floor(r * 1000)::int % 48) - 12)
END $f$;

CREATE TABLE pp_ds AS
SELECT ds, n, null_p, nan_p, pinf_p, ninf_p, vmode, k, bmode,
       pg_temp.pp_value(vmode, k, rb) AS bound,
       imode, inull_p, ibmode,
       pg_temp.pp_interval('tricky', rib, 0) AS ibound,
       ok_null_p, ok_p, target, t_null_p, scale, cnull_p, gap_s, peer_p
FROM (
    SELECT ds,
           CASE ds WHEN 1 THEN 0 WHEN 2 THEN 1 WHEN 3 THEN 1 WHEN 4 THEN 2
                   WHEN 5 THEN 5000 WHEN 6 THEN 5000 WHEN 7 THEN 300 WHEN 8 THEN 3
                   ELSE floor(random() ^ 3 * 5001)::int END AS n,
           CASE WHEN ds IN (3, 7) THEN 1.0 WHEN ds % 6 = 0 THEN 0.0
                ELSE (ARRAY[0.01, 0.05, 0.2, 0.5, 0.9])[1 + floor(random() * 5)::int] END AS null_p,
           CASE WHEN ds % 4 = 1 THEN 0.0
                ELSE (ARRAY[0.005, 0.02, 0.1, 0.3])[1 + floor(random() * 4)::int] END AS nan_p,
           (ARRAY[0, 0.01, 0.05, 0.2])[1 + floor(random() * 4)::int] AS pinf_p,
           (ARRAY[0, 0.01, 0.05, 0.2])[1 + floor(random() * 4)::int] AS ninf_p,
           (ARRAY['unique', 'coarse', 'dup', 'dup', 'zeros', 'extreme'])[1 + ds % 6] AS vmode,
           (ARRAY[1, 2, 3, 7])[1 + floor(random() * 4)::int] AS k,
           (ARRAY['const', 'const', 'pinf', 'ninf', 'per_row', 'const', 'per_row'])[1 + ds % 7] AS bmode,
           random() AS rb,
           (ARRAY['tricky', 'random'])[1 + ds % 2] AS imode,
           CASE WHEN ds IN (3, 7) THEN 1.0 ELSE (ARRAY[0, 0.05, 0.4])[1 + floor(random() * 3)::int] END AS inull_p,
           (ARRAY['const', 'per_row', 'const'])[1 + ds % 3] AS ibmode,
           random() AS rib,
           CASE WHEN ds IN (3, 7) THEN 1.0 ELSE (ARRAY[0, 0, 0.01, 0.3])[1 + floor(random() * 4)::int] END AS ok_null_p,
           CASE ds % 8 WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 2 THEN 0.5 WHEN 3 THEN 0.9
                       WHEN 4 THEN 0.99 WHEN 5 THEN 0.999 WHEN 6 THEN 0.9999 ELSE random() END AS ok_p,
           (SELECT target FROM pp_targets WHERE k = 1 + ds % 7) AS target,
           CASE WHEN ds % 5 = 2 THEN 0.1 ELSE 0 END AS t_null_p,
           (ARRAY[0, 1, 10, 1000, 1000000, 1.5e14])[1 + ds % 6] AS scale,
           CASE WHEN ds IN (3, 7) THEN 1.0 ELSE (ARRAY[0, 0.02, 0.3])[1 + floor(random() * 3)::int] END AS cnull_p,
           (ARRAY[30, 120, 420, 1800, 7200])[1 + floor(random() * 5)::int] AS gap_s,
           (ARRAY[0, 0, 0.3, 0.8])[1 + floor(random() * 4)::int] AS peer_p
    FROM generate_series(1, 64) ds
) p;

CREATE TABLE pp_raw AS
SELECT d.ds, g AS id,
       random() AS r1, random() AS r2, random() AS r3, random() AS r4,
       random() AS r5, random() AS r6, random() AS r7, random() AS r8,
       random() AS r9, random() AS r10, random() AS r11, random() AS r12,
       random() AS r13, random() AS r14, random() AS r15, random() AS r16
FROM pp_ds d, generate_series(1, d.n) g;

CREATE TABLE pp_data AS
SELECT ds, id,
       timestamptz '2024-03-01 00:00+00'
         + make_interval(secs => sum(gap) OVER (PARTITION BY ds ORDER BY id)) AS ts,
       v, b, iv, ib, ok, t, good, valid
FROM (
    SELECT r.ds, r.id,
           CASE WHEN r.r16 < d.peer_p THEN 0 ELSE floor(r.r16 * d.gap_s) END AS gap,
           CASE WHEN r.r1 < d.null_p THEN NULL
                WHEN r.r2 < d.nan_p THEN 'NaN'::float8
                WHEN r.r2 < d.nan_p + d.pinf_p THEN 'Infinity'::float8
                WHEN r.r2 < d.nan_p + d.pinf_p + d.ninf_p THEN '-Infinity'::float8
                ELSE pg_temp.pp_value(d.vmode, d.k, r.r3) END AS v,
           CASE d.bmode
                WHEN 'const' THEN d.bound
                WHEN 'pinf' THEN 'Infinity'::float8
                WHEN 'ninf' THEN '-Infinity'::float8
                ELSE CASE WHEN r.r4 < 0.1 THEN NULL
                          WHEN r.r4 < 0.15 THEN 'Infinity'::float8
                          WHEN r.r4 < 0.2 THEN '-Infinity'::float8
                          ELSE pg_temp.pp_value(d.vmode, d.k, r.r5) END END AS b,
           CASE WHEN r.r6 < d.inull_p THEN NULL
                ELSE pg_temp.pp_interval(d.imode, r.r7, r.r8) END AS iv,
           CASE d.ibmode
                WHEN 'const' THEN d.ibound
                ELSE CASE WHEN r.r4 < 0.1 THEN NULL
                          ELSE pg_temp.pp_interval('tricky', r.r5, 0) END END AS ib,
           CASE WHEN r.r9 < d.ok_null_p THEN NULL ELSE r.r10 < d.ok_p END AS ok,
           CASE WHEN r.r11 < d.t_null_p THEN NULL ELSE d.target END AS t,
           CASE WHEN r.r12 < d.cnull_p / 2 THEN NULL
                ELSE floor(cnt.valid::numeric * CASE WHEN r.r15 < 0.3 THEN 1
                                                     WHEN r.r15 < 0.4 THEN 0
                                                     ELSE r.r15::numeric END)::bigint END AS good,
           cnt.valid
    FROM pp_raw r
    JOIN pp_ds d USING (ds)
    CROSS JOIN LATERAL (
        SELECT CASE WHEN r.r12 > 1 - d.cnull_p / 2 THEN NULL
                    WHEN r.r13 < 0.2 THEN 0
                    ELSE floor(r.r14::numeric * d.scale::numeric)::bigint END AS valid) cnt
) s;
CREATE INDEX ON pp_data (ds);
ANALYZE pp_ds, pp_data, pp_targets;

-- parallel sequential scans, not an index scan, feed the sorted aggregation
DROP INDEX pp_data_ds_idx;

-- every data set against every target (a NULL target stays NULL), as a real
-- table so that workers scan it
CREATE TABLE pp_tdata AS
SELECT d.ds, tg.k AS tk, d.ok, d.good, d.valid,
       CASE WHEN d.t IS NULL THEN NULL ELSE tg.target END AS tt
FROM pp_data d CROSS JOIN pp_targets tg;
ANALYZE pp_tdata;

CREATE TEMP VIEW pp_cdata AS
SELECT *, good IS NOT NULL AND valid IS NOT NULL AND t IS NOT NULL AS c FROM pp_data;

-- ---------------------------------------------------------------------------
-- Expected answers: the SQL definitions, with a serial plan.
-- ---------------------------------------------------------------------------
SET LOCAL max_parallel_workers_per_gather = 0;

CREATE TEMP TABLE want_ds AS
SELECT ds,
       (count(*) FILTER (WHERE v <= b))::float8
         / nullif(count(*) FILTER (WHERE v IS NOT NULL AND b IS NOT NULL), 0)::float8 AS pf,
       (count(*) FILTER (WHERE iv <= ib))::float8
         / nullif(count(*) FILTER (WHERE iv IS NOT NULL AND ib IS NOT NULL), 0)::float8 AS pi,
       (count(*) FILTER (WHERE ok))::float8 / nullif(count(ok), 0)::float8 AS pb,
       (count(*) FILTER (WHERE NOT ok AND t IS NOT NULL))::float8
         / nullif(count(*) FILTER (WHERE ok IS NOT NULL AND t IS NOT NULL), 0)::float8
         / (1::float8 - max(t)) AS br,
       1::float8 - (count(*) FILTER (WHERE NOT ok AND t IS NOT NULL))::float8
         / ((1::float8 - max(t))
            * nullif(count(*) FILTER (WHERE ok IS NOT NULL AND t IS NOT NULL), 0)::float8) AS rem,
       (sum(valid) FILTER (WHERE c) - sum(good) FILTER (WHERE c))::bigint::float8
         / nullif(sum(valid) FILTER (WHERE c), 0)::bigint::float8
         / (1::float8 - max(t)) AS cbr,
       1::float8 - (sum(valid) FILTER (WHERE c) - sum(good) FILTER (WHERE c))::bigint::float8
         / ((1::float8 - max(t)) * nullif(sum(valid) FILTER (WHERE c), 0)::bigint::float8) AS crem
FROM pp_cdata GROUP BY ds;

CREATE TEMP TABLE want_tk AS
SELECT ds, tk,
       (count(*) FILTER (WHERE NOT ok AND tt IS NOT NULL))::float8
         / nullif(count(*) FILTER (WHERE ok IS NOT NULL AND tt IS NOT NULL), 0)::float8
         / (1::float8 - max(tt)) AS br,
       1::float8 - (count(*) FILTER (WHERE NOT ok AND tt IS NOT NULL))::float8
         / ((1::float8 - max(tt))
            * nullif(count(*) FILTER (WHERE ok IS NOT NULL AND tt IS NOT NULL), 0)::float8) AS rem,
       (sum(valid) FILTER (WHERE cc) - sum(good) FILTER (WHERE cc))::bigint::float8
         / nullif(sum(valid) FILTER (WHERE cc), 0)::bigint::float8
         / (1::float8 - max(tt)) AS cbr,
       1::float8 - (sum(valid) FILTER (WHERE cc) - sum(good) FILTER (WHERE cc))::bigint::float8
         / ((1::float8 - max(tt)) * nullif(sum(valid) FILTER (WHERE cc), 0)::bigint::float8) AS crem
FROM (SELECT *, good IS NOT NULL AND valid IS NOT NULL AND tt IS NOT NULL AS cc FROM pp_tdata) s
GROUP BY ds, tk;

CREATE TEMP TABLE want_one AS
SELECT m.ds, w.pf, w.pi, w.pb, w.br, w.rem, w.cbr, w.crem
FROM pp_ds m LEFT JOIN want_ds w USING (ds);   -- an empty data set: all NULL

-- ---------------------------------------------------------------------------
-- Forced parallel plans
-- ---------------------------------------------------------------------------
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_leader_participation = off;

CREATE TEMP TABLE pp_plans (name text PRIMARY KEY, plan text NOT NULL);

-- Run q (a CREATE TABLE AS) under EXPLAIN ANALYZE and keep its plan.
CREATE FUNCTION pg_temp.run_analyzed(name text, q text) RETURNS void
LANGUAGE plpgsql AS $f$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        result := result || line || E'\n';
    END LOOP;
    INSERT INTO pp_plans VALUES (name, result);
END $f$;

-- EXPLAIN (COSTS OFF) of a query, as one text
CREATE FUNCTION pg_temp.plan_text(q text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END $f$;

-- SELECT list of the seven aggregates, each with the given FILTER clause
CREATE FUNCTION pg_temp.agg_list(filter text DEFAULT '') RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format('slo.p_within(v, b) %1$s AS pf, slo.p_within(iv, ib) %1$s AS pi, slo.p_within(ok) %1$s AS pb,
               slo.burn_rate(ok, t) %1$s AS br, slo.budget_remaining(ok, t) %1$s AS rem,
               slo.burn_rate(good, valid, t) %1$s AS cbr, slo.budget_remaining(good, valid, t) %1$s AS crem',
              filter)
$f$;

-- grouped by data set, hashed (the planner's choice with these data)
SET LOCAL enable_sort = off;
DO $$ BEGIN PERFORM pg_temp.run_analyzed('grouped_hashed',
    'CREATE TEMP TABLE got_hashed AS SELECT ds, ' || pg_temp.agg_list() || ' FROM pp_data GROUP BY ds'); END $$;
SET LOCAL enable_sort = on;

-- grouped by data set, sorted
SET LOCAL enable_hashagg = off;
DO $$ BEGIN PERFORM pg_temp.run_analyzed('grouped_sorted',
    'CREATE TEMP TABLE got_sorted AS SELECT ds, ' || pg_temp.agg_list() || ' FROM pp_data GROUP BY ds'); END $$;
SET LOCAL enable_hashagg = on;

-- grouped by data set and target
DO $$ BEGIN PERFORM pg_temp.run_analyzed('grouped_targets', $q$
    CREATE TEMP TABLE got_tk AS
    SELECT ds, tk, slo.burn_rate(ok, tt) AS br, slo.budget_remaining(ok, tt) AS rem,
           slo.burn_rate(good, valid, tt) AS cbr, slo.budget_remaining(good, valid, tt) AS crem
    FROM pp_tdata GROUP BY ds, tk $q$); END $$;

-- One ungrouped aggregate per data set.  The data set is picked by the
-- aggregates' FILTER clause rather than by WHERE, so that the planner, seeing
-- the whole table stream past, always aggregates in the workers: for a small
-- data set one worker, or both, then has an empty partial state to combine.
CREATE TEMP TABLE got_one (ds int, pf float8, pi float8, pb float8, br float8, rem float8,
                           cbr float8, crem float8);
DO $$
DECLARE
    k int;
BEGIN
    FOR k IN SELECT ds FROM pp_ds ORDER BY ds LOOP
        PERFORM pg_temp.run_analyzed('ungrouped_' || k,
            format('CREATE TEMP TABLE got_one_%s AS SELECT %s AS ds, %s FROM pp_data',
                   k, k, pg_temp.agg_list(format('FILTER (WHERE ds = %s)', k))));
        EXECUTE format('INSERT INTO got_one SELECT * FROM got_one_%s', k);
    END LOOP;
END $$;

RESET parallel_leader_participation;
SET LOCAL max_parallel_workers_per_gather = 0;

-- ---------------------------------------------------------------------------
-- The runs were parallel: partial aggregation in two workers under Gather.
-- ---------------------------------------------------------------------------
SELECT matches(plan, 'Gather.*\n(.*\n)*.*Partial HashAggregate \(actual rows=\d+ loops=2\)',
               'grouped by data set: Partial HashAggregate under Gather, run by both workers')
FROM pp_plans WHERE name = 'grouped_hashed';
SELECT matches(plan, 'Gather Merge.*\n(.*\n)*.*Partial GroupAggregate \(actual rows=\d+ loops=2\)',
               'grouped by data set, sorted: Partial GroupAggregate under Gather Merge, run by both workers')
FROM pp_plans WHERE name = 'grouped_sorted';
SELECT matches(plan, 'Gather.*\n(.*\n)*.*Partial (Hash|Group)Aggregate \(actual rows=\d+ loops=2\)',
               'grouped by data set and target: partial aggregation under Gather, run by both workers')
FROM pp_plans WHERE name = 'grouped_targets';
SELECT is_empty($q$
    SELECT name, plan FROM pp_plans
    WHERE name LIKE 'ungrouped_%'
      AND plan !~ 'Finalize Aggregate.*\n.*Gather.*\n(.*\n)*.*Partial Aggregate \(actual rows=1 loops=2\)' $q$,
    'every ungrouped run: Finalize Aggregate over Gather over a Partial Aggregate in each of two workers');
SELECT is_empty($q$
    SELECT name, plan FROM pp_plans WHERE plan !~ 'Workers Launched: 2\M' $q$,
    'every run launched its two workers');
SELECT is((SELECT count(*) FROM pp_plans WHERE name LIKE 'ungrouped_%')::int,
          (SELECT count(*) FROM pp_ds)::int,
          'one parallel ungrouped run per data set');

-- ---------------------------------------------------------------------------
-- The parallel answers equal the definitions.
-- ---------------------------------------------------------------------------
SELECT is_empty(format($q$
    SELECT ds, g.%1$I AS got, w.%1$I AS want
    FROM want_ds w FULL JOIN got_hashed g USING (ds)
    WHERE g.%1$I IS DISTINCT FROM w.%1$I OR g.ds IS NULL OR w.ds IS NULL $q$, col),
    format('parallel hashed GROUP BY: %s equals its SQL definition on every data set', agg))
FROM (VALUES ('pf', 'p_within(float8, float8)'), ('pi', 'p_within(interval, interval)'),
             ('pb', 'p_within(boolean)'), ('br', 'burn_rate(boolean, float8)'),
             ('rem', 'budget_remaining(boolean, float8)'), ('cbr', 'burn_rate(bigint, bigint, float8)'),
             ('crem', 'budget_remaining(bigint, bigint, float8)')) a(col, agg);

SELECT is_empty($q$
    SELECT ds, w, g FROM want_ds w FULL JOIN got_sorted g USING (ds)
    WHERE g IS DISTINCT FROM w $q$,
    'parallel sorted GROUP BY: all seven aggregates equal their SQL definitions on every data set');

SELECT is_empty($q$
    SELECT ds, tk, w, g FROM want_tk w FULL JOIN got_tk g USING (ds, tk)
    WHERE g IS DISTINCT FROM w $q$,
    'parallel GROUP BY data set and target: the four error-budget aggregates equal their SQL definitions for every target');

SELECT is_empty($q$
    SELECT ds, w, g FROM want_one w FULL JOIN got_one g USING (ds)
    WHERE g IS DISTINCT FROM w $q$,
    'parallel ungrouped, per data set: all seven aggregates equal their SQL definitions (empty sets give NULL)');

SELECT ok((SELECT count(*) FROM got_tk) = 7 * (SELECT count(DISTINCT ds) FROM pp_data)
          AND (SELECT count(*) FILTER (WHERE br IS NULL) > 0 AND count(*) FILTER (WHERE br > 1) > 0
                      AND count(*) FILTER (WHERE cbr > 0 AND cbr < 1) > 0 FROM got_tk)
          AND (SELECT count(*) FILTER (WHERE pf IS NULL) > 0 AND count(*) FILTER (WHERE pf > 0 AND pf < 1) > 10
               FROM got_one),
          'the parallel answers cover every data set and target and include NULL, fractions and burn rates above 1');

-- ---------------------------------------------------------------------------
-- Combine, directly: NULL on either side, targets, overflow.
-- ---------------------------------------------------------------------------
SELECT is(slo.tally_combine(NULL, NULL)::text, NULL, 'tally_combine(NULL, NULL) is NULL');
SELECT is(slo.tally_combine(NULL, 'valid=5 good=3 target=0.9')::text, 'valid=5 good=3 target=0.9',
          'tally_combine(NULL, x) is x');
SELECT is(slo.tally_combine('valid=5 good=3', NULL)::text, 'valid=5 good=3',
          'tally_combine(x, NULL) is x');
SELECT is(slo.tally_combine('valid=5 good=3', 'valid=7 good=7 target=0.99')::text,
          'valid=12 good=10 target=0.99',
          'tally_combine adds the counts and takes the target of the side that has one');
SELECT throws_ok($q$SELECT slo.tally_combine('valid=1 good=1 target=0.99', 'valid=1 good=0 target=0.999')$q$,
                 '22023', 'target changed from 0.99 to 0.999 within one aggregate',
                 'tally_combine of two targets is an error (22023)');
SELECT throws_ok($q$SELECT slo.tally_combine('valid=9223372036854775807 good=0', 'valid=1 good=1')$q$,
                 '22003', 'event count out of range',
                 'tally_combine past 2^63 - 1 events is an error (22003)');

-- ---------------------------------------------------------------------------
-- Errors raised in parallel workers reach the client intact.
-- ---------------------------------------------------------------------------
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_leader_participation = off;

CREATE TABLE pp_big AS
SELECT g AS id, (g % 10 <> 0) AS ok,
       CASE WHEN g <= 50000 THEN 0.99 ELSE 0.999 END::float8 AS t,
       0::bigint AS good, 92233720368547::bigint AS valid    -- 100,000 rows: about 2^63 in all
FROM generate_series(1, 100000) g;
ANALYZE pp_big;

-- "SQLSTATE: message", and whether a parallel worker raised the error
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    state text;
    message text;
    context text;
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            context = PG_EXCEPTION_CONTEXT;
    RETURN state || ': ' || message
        || CASE WHEN context ~ '(^|\n)parallel worker(\n|$)' THEN ' (in a parallel worker)' ELSE '' END;
END $f$;

SELECT matches(pg_temp.plan_text('SELECT slo.burn_rate(good, valid, 0.9) FROM pp_big'),
               'Finalize Aggregate\n.*Gather\n(.*\n)*.*Partial Aggregate',
               'the queries below have Partial Aggregate under Gather');
SELECT throws_ok($q$SELECT slo.burn_rate(good, valid + 10, 0.9) FROM pp_big$q$,
                 '22003', 'event count out of range',
                 'counts whose total passes 2^63 - 1 across workers: an error (22003)');
SELECT is((SELECT slo.burn_rate(good, valid, 0.5) FROM pp_big), 2::float8,
          'counts whose total stays just under 2^63 - 1 across workers: counted');
SELECT matches(pg_temp.error_of($q$SELECT slo.burn_rate(ok, t) FROM pp_big$q$),
               '^22023: target changed from 0\.999? to 0\.999? within one aggregate',
               'rows with two targets split across workers: an error (22023)');
SELECT is(pg_temp.error_of($q$SELECT slo.p_within(id::float8, CASE WHEN id = 77777 THEN 'NaN'::float8 ELSE 5e4 END)
                              FROM pp_big$q$),
          '22023: bound NaN is out of range (in a parallel worker)',
          'a NaN bound, seen by a worker: the worker''s error reaches the client intact (22023)');

SELECT * FROM finish();
ROLLBACK;
