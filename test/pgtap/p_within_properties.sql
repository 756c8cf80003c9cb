-- test/pgtap/p_within_properties.sql
--
-- Property tests of the three p_within aggregates: on many random data sets
-- (NULLs, NaN, +/-Infinity, signed zeros, heavy duplicates, ties with the
-- bound, intervals that compare equal across units), each aggregate equals
-- its plain-SQL definition exactly (float8 equality via IS DISTINCT FROM):
--
--   p_within(v float8, b float8)   = count(v <= b)::float8 / count(v, b both non-NULL)
--   p_within(v interval, b interval) the same with interval comparison
--   p_within(ok boolean)           = count(ok is true)::float8 / count(ok)
--
-- NULL when there is nothing to count.  Serial plans only here (see
-- parallel_properties.sql and moving_window_properties.sql for the other
-- execution paths); grouped, ungrouped, sorted, hashed and spilled-hash
-- aggregation all have to agree with the definition.
--
-- Run by pg_prove in a database with pgtap and slo installed.
BEGIN;
SELECT plan(32);

\set seed 0.31
\ir datasets.psql

SET LOCAL max_parallel_workers_per_gather = 0;

-- EXPLAIN output of a query as one text, for assertions on the plan shape
CREATE FUNCTION pg_temp.plan_of(q text, with_analyze boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF'
        || CASE WHEN with_analyze THEN ', ANALYZE, TIMING OFF, SUMMARY OFF' ELSE '' END
        || ') ' || q
    LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END $f$;

-- ---------------------------------------------------------------------------
-- The data sets really contain what the properties are about.
-- ---------------------------------------------------------------------------
SELECT cmp_ok((SELECT count(*) FROM ds_ds)::int, '>=', 40, 'at least 40 data sets');
SELECT ok((SELECT bool_and(n BETWEEN 0 AND 5000) AND bool_or(n = 0) AND bool_or(n = 1)
                  AND bool_or(n = 5000) AND sum(n) > 20000 FROM ds_ds),
          'data set sizes span 0..5000, with empty, single-row and 5000-row sets');
SELECT ok(EXISTS (SELECT FROM ds_data GROUP BY ds
                  HAVING count(*) > 0 AND count(v) = 0 AND count(iv) = 0 AND count(ok) = 0),
          'a non-empty data set is all NULL');
SELECT ok((SELECT count(*) FILTER (WHERE v IS NULL) > 0 AND count(*) FILTER (WHERE v = 'NaN') > 0
              AND count(*) FILTER (WHERE v = 'Infinity') > 0 AND count(*) FILTER (WHERE v = '-Infinity') > 0
              AND count(*) FILTER (WHERE v = 0 AND text(v) = '-0') > 0
           FROM ds_data),
          'values include NULL, NaN, Infinity, -Infinity and -0');
SELECT ok((SELECT count(*) FILTER (WHERE b IS NULL) > 0 AND count(*) FILTER (WHERE b = 'Infinity') > 0
              AND count(*) FILTER (WHERE b = '-Infinity') > 0 AND count(*) FILTER (WHERE v = b) > 100
           FROM ds_data),
          'bounds include NULL, Infinity, -Infinity and many values tied with the bound');
SELECT ok(EXISTS (SELECT FROM ds_data WHERE v IS NOT NULL GROUP BY ds, v HAVING count(*) >= 500),
          'heavy duplicates (one value 500+ times in a data set)');
SELECT ok((SELECT count(*) FILTER (WHERE iv = ib AND iv::text <> ib::text) > 100
              AND count(*) FILTER (WHERE iv IS NULL) > 0 AND count(*) FILTER (WHERE ib IS NULL) > 0
           FROM ds_data),
          'intervals that compare equal but are written differently (1 mon, 30 days, 720 hours), and NULLs');
SELECT ok((SELECT count(*) FILTER (WHERE w IS NULL) > 0 AND count(*) FILTER (WHERE w = 0) > 0
              AND count(*) FILTER (WHERE w = 1) > 0 AND count(*) FILTER (WHERE w > 0 AND w < 1) > 10
           FROM (SELECT slo.p_within(v, b) AS w FROM ds_ds LEFT JOIN ds_data USING (ds) GROUP BY ds) s),
          'answers over the data sets include NULL, 0, 1 and fractions');

-- ---------------------------------------------------------------------------
-- GROUP BY data set
-- ---------------------------------------------------------------------------
SELECT is_empty($q$
    SELECT ds, got, want FROM (
        SELECT ds, slo.p_within(v, b) AS got,
               (count(*) FILTER (WHERE v <= b))::float8
                 / nullif(count(*) FILTER (WHERE v IS NOT NULL AND b IS NOT NULL), 0)::float8 AS want
        FROM ds_data GROUP BY ds) s
    WHERE got IS DISTINCT FROM want $q$,
    'p_within(float8, float8) equals its SQL definition on every data set (GROUP BY)');

SELECT is_empty($q$
    SELECT ds, got, want FROM (
        SELECT ds, slo.p_within(iv, ib) AS got,
               (count(*) FILTER (WHERE iv <= ib))::float8
                 / nullif(count(*) FILTER (WHERE iv IS NOT NULL AND ib IS NOT NULL), 0)::float8 AS want
        FROM ds_data GROUP BY ds) s
    WHERE got IS DISTINCT FROM want $q$,
    'p_within(interval, interval) equals its SQL definition on every data set (GROUP BY)');

SELECT is_empty($q$
    SELECT ds, got, want FROM (
        SELECT ds, slo.p_within(ok) AS got,
               (count(*) FILTER (WHERE ok))::float8 / nullif(count(ok), 0)::float8 AS want
        FROM ds_data GROUP BY ds) s
    WHERE got IS DISTINCT FROM want $q$,
    'p_within(boolean) equals its SQL definition on every data set (GROUP BY)');

-- ---------------------------------------------------------------------------
-- One ungrouped aggregate per data set: an empty set gives NULL, never 0.
-- ---------------------------------------------------------------------------
SELECT is_empty($q$
    SELECT m.ds, a.* FROM ds_ds m CROSS JOIN LATERAL (
        SELECT slo.p_within(v, b) AS got_f,
               (count(*) FILTER (WHERE v <= b))::float8
                 / nullif(count(*) FILTER (WHERE v IS NOT NULL AND b IS NOT NULL), 0)::float8 AS want_f,
               slo.p_within(iv, ib) AS got_i,
               (count(*) FILTER (WHERE iv <= ib))::float8
                 / nullif(count(*) FILTER (WHERE iv IS NOT NULL AND ib IS NOT NULL), 0)::float8 AS want_i,
               slo.p_within(ok) AS got_b,
               (count(*) FILTER (WHERE ok))::float8 / nullif(count(ok), 0)::float8 AS want_b
        FROM ds_data d WHERE d.ds = m.ds) a
    WHERE a.got_f IS DISTINCT FROM a.want_f
       OR a.got_i IS DISTINCT FROM a.want_i
       OR a.got_b IS DISTINCT FROM a.want_b $q$,
    'each p_within equals its SQL definition as one ungrouped aggregate per data set (empty sets included)');

SELECT is((SELECT ARRAY[slo.p_within(v, b), slo.p_within(iv, ib), slo.p_within(ok)]
           FROM ds_data WHERE ds = 1),
          ARRAY[NULL, NULL, NULL]::float8[],
          'no rows: every p_within is NULL');
SELECT is((SELECT ARRAY[slo.p_within(v, b), slo.p_within(iv, ib), slo.p_within(ok)]
           FROM ds_data WHERE ds = 7),
          ARRAY[NULL, NULL, NULL]::float8[],
          'only NULL rows: every p_within is NULL');

-- ---------------------------------------------------------------------------
-- Many groups: sorted, hashed and spilled-hash aggregation.
-- ---------------------------------------------------------------------------
CREATE TEMP VIEW ds_many_groups AS
SELECT ds, id % 37 AS grp,
       slo.p_within(v, b) AS got_f,
       (count(*) FILTER (WHERE v <= b))::float8
         / nullif(count(*) FILTER (WHERE v IS NOT NULL AND b IS NOT NULL), 0)::float8 AS want_f,
       slo.p_within(iv, ib) AS got_i,
       (count(*) FILTER (WHERE iv <= ib))::float8
         / nullif(count(*) FILTER (WHERE iv IS NOT NULL AND ib IS NOT NULL), 0)::float8 AS want_i,
       slo.p_within(ok) AS got_b,
       (count(*) FILTER (WHERE ok))::float8 / nullif(count(ok), 0)::float8 AS want_b
FROM ds_data GROUP BY ds, id % 37;

SET LOCAL enable_hashagg = off;
SELECT matches(pg_temp.plan_of('SELECT * FROM ds_many_groups'), 'GroupAggregate',
               'sorted aggregation plan (GroupAggregate) for many groups');
SELECT is_empty($q$
    SELECT * FROM ds_many_groups
    WHERE got_f IS DISTINCT FROM want_f OR got_i IS DISTINCT FROM want_i OR got_b IS DISTINCT FROM want_b $q$,
    'sorted aggregation over ~1,600 groups: every p_within equals its SQL definition per group');
SET LOCAL enable_hashagg = on;

SET LOCAL enable_sort = off;
SET LOCAL enable_incremental_sort = off;
SELECT matches(pg_temp.plan_of('SELECT * FROM ds_many_groups'), 'HashAggregate',
               'hashed aggregation plan (HashAggregate) for many groups');
SELECT is_empty($q$
    SELECT * FROM ds_many_groups
    WHERE got_f IS DISTINCT FROM want_f OR got_i IS DISTINCT FROM want_i OR got_b IS DISTINCT FROM want_b $q$,
    'hashed aggregation over ~1,600 groups: every p_within equals its SQL definition per group');

-- a hash table that does not fit in work_mem spills groups to disk in batches
SET LOCAL work_mem = '64kB';
CREATE TEMP VIEW ds_spill_groups AS
SELECT ds, id / 2 AS grp,
       slo.p_within(v, b) AS got_f,
       (count(*) FILTER (WHERE v <= b))::float8
         / nullif(count(*) FILTER (WHERE v IS NOT NULL AND b IS NOT NULL), 0)::float8 AS want_f,
       slo.p_within(iv, ib) AS got_i,
       (count(*) FILTER (WHERE iv <= ib))::float8
         / nullif(count(*) FILTER (WHERE iv IS NOT NULL AND ib IS NOT NULL), 0)::float8 AS want_i,
       slo.p_within(ok) AS got_b,
       (count(*) FILTER (WHERE ok))::float8 / nullif(count(ok), 0)::float8 AS want_b
FROM ds_data GROUP BY ds, id / 2;
SELECT matches(pg_temp.plan_of('SELECT * FROM ds_spill_groups', true),
               'HashAggregate.*\n.*Batches: ([2-9]|[0-9]{2,})',
               'hashed aggregation with a small work_mem spills to several batches');
SELECT is_empty($q$
    SELECT * FROM ds_spill_groups
    WHERE got_f IS DISTINCT FROM want_f OR got_i IS DISTINCT FROM want_i OR got_b IS DISTINCT FROM want_b $q$,
    'spilled hashed aggregation: every p_within equals its SQL definition per group');
SET LOCAL work_mem = DEFAULT;
SET LOCAL enable_sort = on;
SET LOCAL enable_incremental_sort = on;

-- ---------------------------------------------------------------------------
-- An aggregate FILTER clause composes with the definition.
-- ---------------------------------------------------------------------------
SELECT is_empty($q$
    SELECT ds, got, want FROM (
        SELECT ds, slo.p_within(v, b) FILTER (WHERE id % 3 <> 0) AS got,
               (count(*) FILTER (WHERE v <= b AND id % 3 <> 0))::float8
                 / nullif(count(*) FILTER (WHERE v IS NOT NULL AND b IS NOT NULL AND id % 3 <> 0), 0)::float8 AS want
        FROM ds_data GROUP BY ds) s
    WHERE got IS DISTINCT FROM want $q$,
    'p_within(float8, float8) FILTER (WHERE ...) equals the definition restricted to the filtered rows');

-- ordered input (a sort per group inside the Agg node)
SELECT is_empty($q$
    SELECT ds, got, want FROM (
        SELECT ds, slo.p_within(v, b ORDER BY v DESC, id) AS got,
               (count(*) FILTER (WHERE v <= b))::float8
                 / nullif(count(*) FILTER (WHERE v IS NOT NULL AND b IS NOT NULL), 0)::float8 AS want
        FROM ds_data GROUP BY ds) s
    WHERE got IS DISTINCT FROM want $q$,
    'p_within(float8, float8 ORDER BY ...) equals the definition: input order does not matter');

-- grouping sets: several groupings, and the grand total, in one pass
SELECT is_empty($q$
    SELECT ds, grp, got_f, want_f, got_i, want_i, got_b, want_b FROM (
        SELECT ds, id % 5 AS grp,
               slo.p_within(v, b) AS got_f,
               (count(*) FILTER (WHERE v <= b))::float8
                 / nullif(count(*) FILTER (WHERE v IS NOT NULL AND b IS NOT NULL), 0)::float8 AS want_f,
               slo.p_within(iv, ib) AS got_i,
               (count(*) FILTER (WHERE iv <= ib))::float8
                 / nullif(count(*) FILTER (WHERE iv IS NOT NULL AND ib IS NOT NULL), 0)::float8 AS want_i,
               slo.p_within(ok) AS got_b,
               (count(*) FILTER (WHERE ok))::float8 / nullif(count(ok), 0)::float8 AS want_b
        FROM ds_data GROUP BY ROLLUP (ds, id % 5)) s
    WHERE got_f IS DISTINCT FROM want_f OR got_i IS DISTINCT FROM want_i OR got_b IS DISTINCT FROM want_b $q$,
    'GROUP BY ROLLUP (data set, id % 5): every p_within equals its definition per grouping set, grand total included');

-- ---------------------------------------------------------------------------
-- The edges the definition implies, spelled out.
-- ---------------------------------------------------------------------------
SELECT is((SELECT slo.p_within(v, b) FROM (VALUES ('NaN'::float8, 'Infinity'::float8),
                                                  ('Infinity', 'Infinity'),
                                                  ('-Infinity', '-Infinity'),
                                                  ('1', '-Infinity')) x(v, b)),
          0.5::float8,
          'NaN is not within even Infinity; Infinity is within Infinity; -Infinity is within -Infinity');
SELECT is((SELECT slo.p_within(v, b) FROM (VALUES ('-0'::float8, '0'::float8), ('0', '-0'),
                                                  ('5e-324', '0'), ('-5e-324', '-0')) x(v, b)),
          0.75::float8,
          '-0 and 0 are equal; the smallest subnormal is above both');
SELECT is((SELECT slo.p_within(v, b) FROM (VALUES (interval '30 days', interval '1 mon'),
                                                  ('720 hours', '1 mon'),
                                                  ('1 mon', '720 hours'),
                                                  ('1 mon', '30 days'),
                                                  ('12 mons', '360 days'),
                                                  ('29 days 24:00', '720 hours')) x(v, b)),
          1::float8,
          'intervals: 1 mon = 30 days = 720 hours and 1 year = 360 days are within each other');
SELECT is((SELECT slo.p_within(v, b) FROM (VALUES (interval '30 days 00:00:00.000001', interval '1 mon'),
                                                  ('1 mon 1 us', '720 hours'),
                                                  ('1 mon -1 us', '30 days'),
                                                  ('719:59:59.999999', '1 mon')) x(v, b)),
          0.5::float8,
          'intervals: one microsecond over the bound is not within, one under is');
SELECT is((SELECT slo.p_within(v, b) FROM (VALUES (NULL::float8, 1::float8), (1, NULL),
                                                  (NULL, NULL)) x(v, b)),
          NULL::float8,
          'rows with a NULL value or bound are skipped; none left gives NULL');
SELECT is((SELECT slo.p_within(ok) FROM (VALUES (true), (NULL), (false), (NULL), (true)) x(ok)),
          2::float8 / 3::float8,
          'p_within(boolean) skips NULLs: 2 of 3');

-- ---------------------------------------------------------------------------
-- A NaN bound is an error, wherever it appears.
-- ---------------------------------------------------------------------------
SELECT throws_ok($q$SELECT slo.p_within(1::float8, 'NaN'::float8)$q$,
                 '22023', 'bound NaN is out of range',
                 'p_within(float8, float8): a NaN bound is an error (22023)');
SELECT throws_ok($q$SELECT slo.p_within(v, CASE WHEN id = (SELECT max(id) FROM ds_data
                                                             WHERE ds = 5 AND v IS NOT NULL)
                                              THEN 'NaN'::float8 ELSE b END)
                    FROM ds_data WHERE ds = 5$q$,
                 '22023', 'bound NaN is out of range',
                 'p_within(float8, float8): one NaN bound among 5000 rows is an error (22023)');
SELECT throws_ok($q$SELECT ds, slo.p_within(v, CASE WHEN id = 3 THEN 'NaN'::float8 ELSE b END)
                    FROM ds_data WHERE v IS NOT NULL GROUP BY ds$q$,
                 '22023', 'bound NaN is out of range',
                 'p_within(float8, float8): a NaN bound in one group of a GROUP BY is an error (22023)');

SELECT * FROM finish();
ROLLBACK;
