-- test/pgtap/burn_rate_properties.sql
--
-- Property tests of the error-budget aggregates and their scalar forms.  On
-- many random data sets, against every target of ds_targets (0.9, 0.99,
-- 0.999, 0.9999, 0.95, 0.5 and a random one in (0, 1)), each equals its
-- plain-SQL definition exactly (float8 equality via IS DISTINCT FROM):
--
--   burn_rate(ok, t)        = bad::float8 / valid::float8 / (1 - t)
--   budget_remaining(ok, t) = 1 - bad::float8 / ((1 - t) * valid::float8)
--     with bad = count(NOT ok), valid = count(ok), over rows where ok and t
--     are both non-NULL; NULL when there are none
--   burn_rate(good, valid, t), budget_remaining(good, valid, t)
--     the same over pre-counted rows: valid = sum(valid), bad = sum(valid) - sum(good)
--   burn_rate_of(good, valid, t), budget_remaining_of(good, valid, t)
--     the same for one row; NULL when valid = 0
--
-- and every out-of-range input is rejected with its SQLSTATE and message.
-- Serial plans only here; see parallel_properties.sql and
-- moving_window_properties.sql for the other execution paths.
--
-- Run by pg_prove in a database with pgtap and slo installed.
BEGIN;
SELECT plan(105);

\set seed 0.57
\ir datasets.psql

SET LOCAL max_parallel_workers_per_gather = 0;

CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END $f$;

-- every data set against every target (a NULL target stays NULL)
CREATE TEMP VIEW ds_tdata AS
SELECT d.ds, d.id, tg.k AS tk, d.ok, d.good, d.valid,
       CASE WHEN d.t IS NULL THEN NULL ELSE tg.target END AS t
FROM ds_data d CROSS JOIN ds_targets tg;

-- ---------------------------------------------------------------------------
-- The data sets really contain what the properties are about.
-- ---------------------------------------------------------------------------
SELECT ok((SELECT count(*) = 7 AND bool_and(target > 0 AND target < 1) FROM ds_targets)
          AND (SELECT count(DISTINCT target) FROM ds_ds) = 7,
          'seven targets in (0, 1), each the target of some data sets');
SELECT ok((SELECT count(*) FILTER (WHERE g = n AND n > 0) > 0 AND count(*) FILTER (WHERE g = 0 AND n > 0) > 0
              AND count(*) FILTER (WHERE g > 0 AND g < n) > 10 AND count(*) FILTER (WHERE n = 0) > 0
           FROM (SELECT ds, count(*) FILTER (WHERE ok) AS g, count(ok) AS n FROM ds_data GROUP BY ds) s),
          'boolean data sets: all good, all bad, mixed, and none valid');
SELECT ok((SELECT count(*) FILTER (WHERE valid = 0) > 0 AND count(*) FILTER (WHERE good = valid AND valid > 0) > 0
              AND count(*) FILTER (WHERE good IS NULL) > 0 AND count(*) FILTER (WHERE valid IS NULL) > 0
              AND count(*) FILTER (WHERE t IS NULL) > 0
           FROM ds_data)
          AND (SELECT max(s) > 2::numeric ^ 56 FROM (SELECT sum(valid) AS s FROM ds_data GROUP BY ds) x),
          'counted rows: valid = 0, good = valid, NULL counts, NULL targets, and totals beyond 2^56 (where float8 rounds)');
SELECT ok((SELECT count(*) FILTER (WHERE br IS NULL) > 0 AND count(*) FILTER (WHERE br = 0) > 0
              AND count(*) FILTER (WHERE br > 1) > 0 AND count(*) FILTER (WHERE br > 0 AND br < 1) > 0
              AND count(*) FILTER (WHERE rem < 0) > 0 AND count(*) FILTER (WHERE rem > 0 AND rem < 1) > 0
           FROM (SELECT slo.burn_rate(ok, t) AS br, slo.budget_remaining(ok, t) AS rem
                 FROM ds_ds LEFT JOIN ds_tdata USING (ds) GROUP BY ds, tk) s),
          'answers include NULL, 0, burn rates above and below 1, and overspent (negative) budgets');

-- ---------------------------------------------------------------------------
-- GROUP BY data set and target
-- ---------------------------------------------------------------------------
SELECT is_empty($q$
    SELECT ds, tk, got, want FROM (
        SELECT ds, tk, slo.burn_rate(ok, t) AS got,
               (count(*) FILTER (WHERE NOT ok AND t IS NOT NULL))::float8
                 / nullif(count(*) FILTER (WHERE ok IS NOT NULL AND t IS NOT NULL), 0)::float8
                 / (1::float8 - max(t)) AS want
        FROM ds_tdata GROUP BY ds, tk) s
    WHERE got IS DISTINCT FROM want $q$,
    'burn_rate(boolean, float8) equals its SQL definition on every data set and target');

SELECT is_empty($q$
    SELECT ds, tk, got, want FROM (
        SELECT ds, tk, slo.budget_remaining(ok, t) AS got,
               1::float8 - (count(*) FILTER (WHERE NOT ok AND t IS NOT NULL))::float8
                 / ((1::float8 - max(t))
                    * nullif(count(*) FILTER (WHERE ok IS NOT NULL AND t IS NOT NULL), 0)::float8) AS want
        FROM ds_tdata GROUP BY ds, tk) s
    WHERE got IS DISTINCT FROM want $q$,
    'budget_remaining(boolean, float8) equals its SQL definition on every data set and target');

SELECT is_empty($q$
    SELECT ds, tk, got, want FROM (
        SELECT ds, tk, slo.burn_rate(good, valid, t) AS got,
               (sum(valid) FILTER (WHERE c) - sum(good) FILTER (WHERE c))::bigint::float8
                 / nullif(sum(valid) FILTER (WHERE c), 0)::bigint::float8
                 / (1::float8 - max(t)) AS want
        FROM (SELECT *, good IS NOT NULL AND valid IS NOT NULL AND t IS NOT NULL AS c FROM ds_tdata) x
        GROUP BY ds, tk) s
    WHERE got IS DISTINCT FROM want $q$,
    'burn_rate(bigint, bigint, float8) equals its SQL definition on every data set and target');

SELECT is_empty($q$
    SELECT ds, tk, got, want FROM (
        SELECT ds, tk, slo.budget_remaining(good, valid, t) AS got,
               1::float8 - (sum(valid) FILTER (WHERE c) - sum(good) FILTER (WHERE c))::bigint::float8
                 / ((1::float8 - max(t)) * nullif(sum(valid) FILTER (WHERE c), 0)::bigint::float8) AS want
        FROM (SELECT *, good IS NOT NULL AND valid IS NOT NULL AND t IS NOT NULL AS c FROM ds_tdata) x
        GROUP BY ds, tk) s
    WHERE got IS DISTINCT FROM want $q$,
    'budget_remaining(bigint, bigint, float8) equals its SQL definition on every data set and target');

-- ---------------------------------------------------------------------------
-- Scalar forms, row by row
-- ---------------------------------------------------------------------------
SELECT is_empty($q$
    SELECT ds, id, tk, good, valid, got, want FROM (
        SELECT ds, id, tk, good, valid, slo.burn_rate_of(good, valid, t) AS got,
               (valid - good)::float8 / nullif(valid, 0)::float8 / (1::float8 - t) AS want
        FROM ds_tdata) s
    WHERE got IS DISTINCT FROM want $q$,
    'burn_rate_of equals its SQL definition on every row and target (NULL for valid = 0 or a NULL argument)');

SELECT is_empty($q$
    SELECT ds, id, tk, good, valid, got, want FROM (
        SELECT ds, id, tk, good, valid, slo.budget_remaining_of(good, valid, t) AS got,
               1::float8 - (valid - good)::float8 / ((1::float8 - t) * nullif(valid, 0)::float8) AS want
        FROM ds_tdata) s
    WHERE got IS DISTINCT FROM want $q$,
    'budget_remaining_of equals its SQL definition on every row and target (NULL for valid = 0 or a NULL argument)');

-- ---------------------------------------------------------------------------
-- One ungrouped aggregate per data set (its own target): empty gives NULL.
-- ---------------------------------------------------------------------------
SELECT is_empty($q$
    SELECT m.ds, a.* FROM ds_ds m CROSS JOIN LATERAL (
        SELECT slo.burn_rate(ok, t) AS got_br,
               (count(*) FILTER (WHERE NOT ok AND t IS NOT NULL))::float8
                 / nullif(count(*) FILTER (WHERE ok IS NOT NULL AND t IS NOT NULL), 0)::float8
                 / (1::float8 - max(t)) AS want_br,
               slo.budget_remaining(ok, t) AS got_rem,
               1::float8 - (count(*) FILTER (WHERE NOT ok AND t IS NOT NULL))::float8
                 / ((1::float8 - max(t))
                    * nullif(count(*) FILTER (WHERE ok IS NOT NULL AND t IS NOT NULL), 0)::float8) AS want_rem,
               slo.burn_rate(good, valid, t) AS got_cbr,
               (sum(valid) FILTER (WHERE c) - sum(good) FILTER (WHERE c))::bigint::float8
                 / nullif(sum(valid) FILTER (WHERE c), 0)::bigint::float8
                 / (1::float8 - max(t)) AS want_cbr,
               slo.budget_remaining(good, valid, t) AS got_crem,
               1::float8 - (sum(valid) FILTER (WHERE c) - sum(good) FILTER (WHERE c))::bigint::float8
                 / ((1::float8 - max(t)) * nullif(sum(valid) FILTER (WHERE c), 0)::bigint::float8) AS want_crem
        FROM (SELECT *, good IS NOT NULL AND valid IS NOT NULL AND t IS NOT NULL AS c
              FROM ds_data d WHERE d.ds = m.ds) x) a
    WHERE a.got_br IS DISTINCT FROM a.want_br OR a.got_rem IS DISTINCT FROM a.want_rem
       OR a.got_cbr IS DISTINCT FROM a.want_cbr OR a.got_crem IS DISTINCT FROM a.want_crem $q$,
    'each error-budget aggregate equals its SQL definition as one ungrouped aggregate per data set (empty sets included)');

SELECT is((SELECT ARRAY[slo.burn_rate(ok, t), slo.budget_remaining(ok, t),
                        slo.burn_rate(good, valid, t), slo.budget_remaining(good, valid, t)]
           FROM ds_data WHERE ds = 1),
          ARRAY[NULL, NULL, NULL, NULL]::float8[],
          'no rows: every error-budget aggregate is NULL');
SELECT is((SELECT ARRAY[slo.burn_rate(ok, t), slo.budget_remaining(ok, t),
                        slo.burn_rate(good, valid, t), slo.budget_remaining(good, valid, t)]
           FROM ds_data WHERE ds = 7),
          ARRAY[NULL, NULL, NULL, NULL]::float8[],
          'only NULL rows: every error-budget aggregate is NULL');
SELECT is((SELECT ARRAY[slo.burn_rate(good, valid, 0.99), slo.budget_remaining(good, valid, 0.99)]
           FROM (VALUES (0::bigint, 0::bigint), (0, 0)) x(good, valid)),
          ARRAY[NULL, NULL]::float8[],
          'pre-counted rows that hold no valid events: NULL, not 0');

-- pre-counted rows of one event each are the boolean rows
SELECT is_empty($q$
    SELECT ds, tk FROM ds_tdata GROUP BY ds, tk
    HAVING slo.burn_rate(ok, t) IS DISTINCT FROM slo.burn_rate(ok::int::bigint, (ok IS NOT NULL)::int::bigint, t)
        OR slo.budget_remaining(ok, t) IS DISTINCT FROM slo.budget_remaining(ok::int::bigint, (ok IS NOT NULL)::int::bigint, t) $q$,
    'one (good, valid) = (ok, 1) row per event gives the same answers as the boolean forms');

-- ---------------------------------------------------------------------------
-- Many groups: sorted and hashed aggregation.
-- ---------------------------------------------------------------------------
CREATE TEMP VIEW ds_many_groups AS
SELECT ds, tk, id % 37 AS grp,
       slo.burn_rate(ok, t) AS got_br,
       (count(*) FILTER (WHERE NOT ok AND t IS NOT NULL))::float8
         / nullif(count(*) FILTER (WHERE ok IS NOT NULL AND t IS NOT NULL), 0)::float8
         / (1::float8 - max(t)) AS want_br,
       slo.budget_remaining(ok, t) AS got_rem,
       1::float8 - (count(*) FILTER (WHERE NOT ok AND t IS NOT NULL))::float8
         / ((1::float8 - max(t))
            * nullif(count(*) FILTER (WHERE ok IS NOT NULL AND t IS NOT NULL), 0)::float8) AS want_rem,
       slo.burn_rate(good, valid, t) AS got_cbr,
       (sum(valid) FILTER (WHERE c) - sum(good) FILTER (WHERE c))::bigint::float8
         / nullif(sum(valid) FILTER (WHERE c), 0)::bigint::float8
         / (1::float8 - max(t)) AS want_cbr,
       slo.budget_remaining(good, valid, t) AS got_crem,
       1::float8 - (sum(valid) FILTER (WHERE c) - sum(good) FILTER (WHERE c))::bigint::float8
         / ((1::float8 - max(t)) * nullif(sum(valid) FILTER (WHERE c), 0)::bigint::float8) AS want_crem
FROM (SELECT *, good IS NOT NULL AND valid IS NOT NULL AND t IS NOT NULL AS c FROM ds_tdata) x
GROUP BY ds, tk, id % 37;

SET LOCAL enable_hashagg = off;
SELECT matches(pg_temp.plan_of('SELECT * FROM ds_many_groups'), 'GroupAggregate',
               'sorted aggregation plan (GroupAggregate) for many groups');
SELECT is_empty($q$
    SELECT * FROM ds_many_groups
    WHERE got_br IS DISTINCT FROM want_br OR got_rem IS DISTINCT FROM want_rem
       OR got_cbr IS DISTINCT FROM want_cbr OR got_crem IS DISTINCT FROM want_crem $q$,
    'sorted aggregation over ~10,000 groups: every error-budget aggregate equals its SQL definition per group');
SET LOCAL enable_hashagg = on;

SET LOCAL enable_sort = off;
SET LOCAL enable_incremental_sort = off;
SELECT matches(pg_temp.plan_of('SELECT * FROM ds_many_groups'), 'HashAggregate',
               'hashed aggregation plan (HashAggregate) for many groups');
SELECT is_empty($q$
    SELECT * FROM ds_many_groups
    WHERE got_br IS DISTINCT FROM want_br OR got_rem IS DISTINCT FROM want_rem
       OR got_cbr IS DISTINCT FROM want_cbr OR got_crem IS DISTINCT FROM want_crem $q$,
    'hashed aggregation over ~10,000 groups: every error-budget aggregate equals its SQL definition per group');
SET LOCAL enable_sort = on;
SET LOCAL enable_incremental_sort = on;

-- grouping sets, hashed and sorted in one plan where the planner likes
SELECT is_empty($q$
    SELECT * FROM (
        SELECT ds, tk,
               slo.burn_rate(ok, t) AS got_br,
               (count(*) FILTER (WHERE NOT ok AND t IS NOT NULL))::float8
                 / nullif(count(*) FILTER (WHERE ok IS NOT NULL AND t IS NOT NULL), 0)::float8
                 / (1::float8 - max(t)) AS want_br,
               slo.budget_remaining(good, valid, t) AS got_crem,
               1::float8 - (sum(valid) FILTER (WHERE c) - sum(good) FILTER (WHERE c))::bigint::float8
                 / ((1::float8 - max(t)) * nullif(sum(valid) FILTER (WHERE c), 0)::bigint::float8) AS want_crem
        FROM (SELECT *, good IS NOT NULL AND valid IS NOT NULL AND t IS NOT NULL AS c FROM ds_tdata) x
        GROUP BY GROUPING SETS ((tk, ds), (tk), (tk, id % 3))) s
    WHERE got_br IS DISTINCT FROM want_br OR got_crem IS DISTINCT FROM want_crem $q$,
    'GROUP BY GROUPING SETS ((target, data set), (target), (target, id % 3)): burn_rate and budget_remaining equal their definitions per set');

-- ---------------------------------------------------------------------------
-- Sums right at the edge of bigint.
-- ---------------------------------------------------------------------------
SELECT is((SELECT ARRAY[slo.burn_rate(good, valid, 0.5), slo.budget_remaining(good, valid, 0.5)]
           FROM (VALUES (0::bigint, 9223372036854775806::bigint), (0, 1)) x(good, valid)),
          ARRAY[2, -1]::float8[],
          'valid counts summing to exactly 2^63 - 1 are counted');
SELECT is((SELECT slo.burn_rate(good, valid, 0.999)
           FROM (VALUES (9223372036854775000::bigint, 9223372036854775807::bigint)) x(good, valid)),
          807::float8 / 9223372036854775807::float8 / (1::float8 - 0.999::float8),
          'one row of 2^63 - 1 valid events');

-- ---------------------------------------------------------------------------
-- Errors
-- ---------------------------------------------------------------------------

-- every form rejects every out-of-range target, naming it
SELECT throws_ok(format(f.sql, tg.lit), '22023', format('target %s is out of range', tg.shown),
                 format('%s rejects target %s (22023)', f.name, tg.shown))
FROM (VALUES ('0', '0'), ('1', '1'), ('1.5', '1.5'), ('-0.1', '-0.1'), ('''NaN''', 'NaN'),
             ('''Infinity''', 'Infinity'), ('''-Infinity''', '-Infinity'), ('99.9', '99.9'),
             ('''-0''', '-0')) tg(lit, shown)
CROSS JOIN (VALUES
    ('burn_rate(boolean, float8)',
     'SELECT slo.burn_rate(ok, %s::float8) FROM (VALUES (true), (false)) x(ok)'),
    ('budget_remaining(boolean, float8)',
     'SELECT slo.budget_remaining(ok, %s::float8) FROM (VALUES (true), (false)) x(ok)'),
    ('burn_rate(bigint, bigint, float8)',
     'SELECT slo.burn_rate(g, v, %s::float8) FROM (VALUES (9::bigint, 10::bigint)) x(g, v)'),
    ('budget_remaining(bigint, bigint, float8)',
     'SELECT slo.budget_remaining(g, v, %s::float8) FROM (VALUES (9::bigint, 10::bigint)) x(g, v)'),
    ('burn_rate_of', 'SELECT slo.burn_rate_of(9, 10, %s::float8)'),
    ('budget_remaining_of', 'SELECT slo.budget_remaining_of(9, 10, %s::float8)')) f(name, sql);

-- one aggregate, one target
SELECT throws_ok(f.sql, '22023', 'target changed from 0.99 to 0.999 within one aggregate',
                 format('%s: a target that changes between rows is an error (22023)', f.name))
FROM (VALUES
    ('burn_rate(boolean, float8)',
     'SELECT slo.burn_rate(ok, t) FROM (VALUES (true, 0.99::float8), (false, 0.99), (true, 0.999)) x(ok, t)'),
    ('budget_remaining(boolean, float8)',
     'SELECT slo.budget_remaining(ok, t) FROM (VALUES (true, 0.99::float8), (false, 0.999)) x(ok, t)'),
    ('burn_rate(bigint, bigint, float8)',
     'SELECT slo.burn_rate(g, v, t) FROM (VALUES (1::bigint, 2::bigint, 0.99::float8), (3, 3, 0.999)) x(g, v, t)'),
    ('budget_remaining(bigint, bigint, float8)',
     'SELECT slo.budget_remaining(g, v, t) FROM (VALUES (1::bigint, 2::bigint, 0.99::float8), (0, 0, 0.999)) x(g, v, t)')
) f(name, sql);
SELECT throws_ok($q$SELECT ds, slo.burn_rate(ok, CASE WHEN id = 2 THEN 0.5 ELSE t END)
                    FROM ds_data WHERE ok IS NOT NULL AND t IS NOT NULL GROUP BY ds$q$,
                 '22023', NULL,
                 'burn_rate(boolean, float8): a second target inside one group of a GROUP BY is an error (22023)');
SELECT is((SELECT slo.burn_rate(ok, t) FROM (VALUES (true, 0.99::float8), (NULL, 0.5), (false, NULL),
                                                   (false, 0.99)) x(ok, t)),
          1::float8 / 2::float8 / (1::float8 - 0.99::float8),
          'rows skipped for a NULL argument neither count nor set the target');

-- counts must be non-negative, good a subset of valid
SELECT throws_ok(format(f.sql, c.g, c.v), '22023', c.msg,
                 format('%s rejects (good %s, valid %s) (22023)', f.name, c.g, c.v))
FROM (VALUES ('5', '-1', 'valid count -1 is negative'),
             ('-1', '-1', 'valid count -1 is negative'),
             ('-3', '5', 'good count -3 is negative'),
             ('6', '5', 'good count 6 exceeds valid count 5'),
             ('1', '0', 'good count 1 exceeds valid count 0')) c(g, v, msg)
CROSS JOIN (VALUES
    ('burn_rate(bigint, bigint, float8)',
     'SELECT slo.burn_rate(g, v, 0.99) FROM (VALUES (1::bigint, 2::bigint), (%s, %s)) x(g, v)'),
    ('budget_remaining(bigint, bigint, float8)',
     'SELECT slo.budget_remaining(g, v, 0.99) FROM (VALUES (1::bigint, 2::bigint), (%s, %s)) x(g, v)'),
    ('burn_rate_of', 'SELECT slo.burn_rate_of(%s, %s, 0.99)'),
    ('budget_remaining_of', 'SELECT slo.budget_remaining_of(%s, %s, 0.99)')) f(name, sql);

-- summed counts that do not fit in a bigint
SELECT throws_ok(f.sql, '22003', 'event count out of range',
                 format('%s: a sum of counts beyond 2^63 - 1 is an error (22003)', f.name))
FROM (VALUES
    ('burn_rate(bigint, bigint, float8)',
     'SELECT slo.burn_rate(g, v, 0.99) FROM (VALUES (0::bigint, 9223372036854775807::bigint), (0, 1)) x(g, v)'),
    ('budget_remaining(bigint, bigint, float8)',
     'SELECT slo.budget_remaining(g, v, 0.99) FROM (VALUES (4611686018427387904::bigint, 4611686018427387904::bigint), (4611686018427387904, 4611686018427387904)) x(g, v)'),
    ('burn_rate(bigint, bigint, float8) GROUP BY',
     'SELECT k, slo.burn_rate(g, v, 0.9) FROM (VALUES (1, 1::bigint, 5::bigint), (2, 0, 9223372036854775807), (2, 9223372036854775807, 9223372036854775807)) x(k, g, v) GROUP BY k')
) f(name, sql);

SELECT * FROM finish();
ROLLBACK;
