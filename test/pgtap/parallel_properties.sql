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
-- ds_targets), and one ungrouped aggregate per data set (empty, single-row
-- and all-NULL sets included, where a worker sees no rows at all).
--
-- Tables created inside this transaction are scanned by parallel workers
-- (checked by the plans below), so the file runs in one transaction and
-- rolls everything back.
--
-- Run by pg_prove in a database with pgtap and slo installed.
BEGIN;
SELECT plan(28);

\set seed 0.91
\ir datasets.psql

-- parallel sequential scans, not an index scan, feed the sorted aggregation
DROP INDEX ds_data_ds_idx;

-- every data set against every target (a NULL target stays NULL), as a real
-- table so that workers scan it
CREATE TABLE ds_tdata AS
SELECT d.ds, tg.k AS tk, d.ok, d.good, d.valid,
       CASE WHEN d.t IS NULL THEN NULL ELSE tg.target END AS tt
FROM ds_data d CROSS JOIN ds_targets tg;
ANALYZE ds_tdata;

CREATE TEMP VIEW ds_cdata AS
SELECT *, good IS NOT NULL AND valid IS NOT NULL AND t IS NOT NULL AS c FROM ds_data;

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
FROM ds_cdata GROUP BY ds;

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
FROM (SELECT *, good IS NOT NULL AND valid IS NOT NULL AND tt IS NOT NULL AS cc FROM ds_tdata) s
GROUP BY ds, tk;

CREATE TEMP TABLE want_one AS
SELECT m.ds, w.pf, w.pi, w.pb, w.br, w.rem, w.cbr, w.crem
FROM ds_ds m LEFT JOIN want_ds w USING (ds);   -- an empty data set: all NULL

-- ---------------------------------------------------------------------------
-- Forced parallel plans
-- ---------------------------------------------------------------------------
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_leader_participation = off;

CREATE TEMP TABLE ds_plans (name text PRIMARY KEY, plan text NOT NULL);

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
    INSERT INTO ds_plans VALUES (name, result);
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
    'CREATE TEMP TABLE got_hashed AS SELECT ds, ' || pg_temp.agg_list() || ' FROM ds_data GROUP BY ds'); END $$;
SET LOCAL enable_sort = on;

-- grouped by data set, sorted
SET LOCAL enable_hashagg = off;
DO $$ BEGIN PERFORM pg_temp.run_analyzed('grouped_sorted',
    'CREATE TEMP TABLE got_sorted AS SELECT ds, ' || pg_temp.agg_list() || ' FROM ds_data GROUP BY ds'); END $$;
SET LOCAL enable_hashagg = on;

-- grouped by data set and target
DO $$ BEGIN PERFORM pg_temp.run_analyzed('grouped_targets', $q$
    CREATE TEMP TABLE got_tk AS
    SELECT ds, tk, slo.burn_rate(ok, tt) AS br, slo.budget_remaining(ok, tt) AS rem,
           slo.burn_rate(good, valid, tt) AS cbr, slo.budget_remaining(good, valid, tt) AS crem
    FROM ds_tdata GROUP BY ds, tk $q$); END $$;

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
    FOR k IN SELECT ds FROM ds_ds ORDER BY ds LOOP
        PERFORM pg_temp.run_analyzed('ungrouped_' || k,
            format('CREATE TEMP TABLE got_one_%s AS SELECT %s AS ds, %s FROM ds_data',
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
FROM ds_plans WHERE name = 'grouped_hashed';
SELECT matches(plan, 'Gather Merge.*\n(.*\n)*.*Partial GroupAggregate \(actual rows=\d+ loops=2\)',
               'grouped by data set, sorted: Partial GroupAggregate under Gather Merge, run by both workers')
FROM ds_plans WHERE name = 'grouped_sorted';
SELECT matches(plan, 'Gather.*\n(.*\n)*.*Partial (Hash|Group)Aggregate \(actual rows=\d+ loops=2\)',
               'grouped by data set and target: partial aggregation under Gather, run by both workers')
FROM ds_plans WHERE name = 'grouped_targets';
SELECT is_empty($q$
    SELECT name, plan FROM ds_plans
    WHERE name LIKE 'ungrouped_%'
      AND plan !~ 'Finalize Aggregate.*\n.*Gather.*\n(.*\n)*.*Partial Aggregate \(actual rows=1 loops=2\)' $q$,
    'every ungrouped run: Finalize Aggregate over Gather over a Partial Aggregate in each of two workers');
SELECT is_empty($q$
    SELECT name, plan FROM ds_plans WHERE plan !~ 'Workers Launched: 2\M' $q$,
    'every run launched its two workers');
SELECT is((SELECT count(*) FROM ds_plans WHERE name LIKE 'ungrouped_%')::int,
          (SELECT count(*) FROM ds_ds)::int,
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

SELECT ok((SELECT count(*) FROM got_tk) = 7 * (SELECT count(DISTINCT ds) FROM ds_data)
          AND (SELECT count(*) FILTER (WHERE br IS NULL) > 0 AND count(*) FILTER (WHERE br > 1) > 0
                      AND count(*) FILTER (WHERE cbr > 0 AND cbr < 1) > 0 FROM got_tk)
          AND (SELECT count(*) FILTER (WHERE pf IS NULL) > 0 AND count(*) FILTER (WHERE pf > 0 AND pf < 1) > 10
               FROM got_one),
          'the parallel answers cover every data set and target and include NULL, fractions and burn rates above 1');

-- ---------------------------------------------------------------------------
-- Combine, directly: NULL on either side, targets, overflow.
-- ---------------------------------------------------------------------------
SELECT is(slo_internal.tally_combine(NULL, NULL)::text, NULL, 'tally_combine(NULL, NULL) is NULL');
SELECT is(slo_internal.tally_combine(NULL, 'valid=5 good=3 target=0.9')::text, 'valid=5 good=3 target=0.9',
          'tally_combine(NULL, x) is x');
SELECT is(slo_internal.tally_combine('valid=5 good=3', NULL)::text, 'valid=5 good=3',
          'tally_combine(x, NULL) is x');
SELECT is(slo_internal.tally_combine('valid=5 good=3', 'valid=7 good=7 target=0.99')::text,
          'valid=12 good=10 target=0.99',
          'tally_combine adds the counts and takes the target of the side that has one');
SELECT throws_ok($q$SELECT slo_internal.tally_combine('valid=1 good=1 target=0.99', 'valid=1 good=0 target=0.999')$q$,
                 '22023', 'target changed from 0.99 to 0.999 within one aggregate',
                 'tally_combine of two targets is an error (22023)');
SELECT throws_ok($q$SELECT slo_internal.tally_combine('valid=9223372036854775807 good=0', 'valid=1 good=1')$q$,
                 '22003', 'event count out of range',
                 'tally_combine past 2^63 - 1 events is an error (22003)');

-- ---------------------------------------------------------------------------
-- Errors raised in parallel workers reach the client intact.
-- ---------------------------------------------------------------------------
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_leader_participation = off;

CREATE TABLE ds_big AS
SELECT g AS id, (g % 10 <> 0) AS ok,
       CASE WHEN g <= 50000 THEN 0.99 ELSE 0.999 END::float8 AS t,
       0::bigint AS good, 92233720368547::bigint AS valid    -- 100,000 rows: about 2^63 in all
FROM generate_series(1, 100000) g;
ANALYZE ds_big;

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

SELECT matches(pg_temp.plan_text('SELECT slo.burn_rate(good, valid, 0.9) FROM ds_big'),
               'Finalize Aggregate\n.*Gather\n(.*\n)*.*Partial Aggregate',
               'the queries below have Partial Aggregate under Gather');
SELECT throws_ok($q$SELECT slo.burn_rate(good, valid + 10, 0.9) FROM ds_big$q$,
                 '22003', 'event count out of range',
                 'counts whose total passes 2^63 - 1 across workers: an error (22003)');
SELECT is((SELECT slo.burn_rate(good, valid, 0.5) FROM ds_big), 2::float8,
          'counts whose total stays just under 2^63 - 1 across workers: counted');
SELECT matches(pg_temp.error_of($q$SELECT slo.burn_rate(ok, t) FROM ds_big$q$),
               '^22023: target changed from 0\.999? to 0\.999? within one aggregate',
               'rows with two targets split across workers: an error (22023)');
SELECT is(pg_temp.error_of($q$SELECT slo.p_within(id::float8, CASE WHEN id = 77777 THEN 'NaN'::float8 ELSE 5e4 END)
                              FROM ds_big$q$),
          '22023: bound NaN is out of range (in a parallel worker)',
          'a NaN bound, seen by a worker: the worker''s error reaches the client intact (22023)');

SELECT * FROM finish();
ROLLBACK;
