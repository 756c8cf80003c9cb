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

-- ---------------------------------------------------------------------------
-- Random data sets (the same generator in every file of test/pgtap/, each
-- file with its own seed).  pw_ds holds one row of parameters for each of
-- 64 data sets, pw_data their rows.  Data set 1 is empty, 2 and 3 have one
-- row (3 all NULL), 7 is all NULL, 5 and 6 have 5000 rows; the rest have
-- random sizes up to 5000, skewed small.  Values mix NULL, NaN, +/-Infinity,
-- signed zeros, extremes and heavy duplicates; bounds are constant,
-- infinite, tied with values, or vary per row (never NaN).  Targets cycle
-- through pw_targets; some rows have a NULL target or NULL counts.  Counts
-- go up to 1.5e14 a row, so that a data set's total passes 2^53 (float8
-- rounds) while the total of all data sets stays below 2^63.
-- ---------------------------------------------------------------------------
SET LOCAL TimeZone = 'UTC';
DO $seed$ BEGIN PERFORM setseed(0.31); END $seed$;

CREATE TABLE pw_targets (k int PRIMARY KEY, target float8 NOT NULL);
INSERT INTO pw_targets
VALUES (1, 0.9), (2, 0.99), (3, 0.999), (4, 0.9999), (5, 0.95), (6, 0.5),
       (7, 0.001 + random() * 0.998);     -- a random target in (0, 1)

-- a finite float8 drawn from the value domain of a data set
CREATE FUNCTION pg_temp.pw_value(mode text, k int, r float8) RETURNS float8
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
CREATE FUNCTION pg_temp.pw_interval(mode text, r float8, s float8) RETURNS interval
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

CREATE TABLE pw_ds AS
SELECT ds, n, null_p, nan_p, pinf_p, ninf_p, vmode, k, bmode,
       pg_temp.pw_value(vmode, k, rb) AS bound,
       imode, inull_p, ibmode,
       pg_temp.pw_interval('tricky', rib, 0) AS ibound,
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
           (SELECT target FROM pw_targets WHERE k = 1 + ds % 7) AS target,
           CASE WHEN ds % 5 = 2 THEN 0.1 ELSE 0 END AS t_null_p,
           (ARRAY[0, 1, 10, 1000, 1000000, 1.5e14])[1 + ds % 6] AS scale,
           CASE WHEN ds IN (3, 7) THEN 1.0 ELSE (ARRAY[0, 0.02, 0.3])[1 + floor(random() * 3)::int] END AS cnull_p,
           (ARRAY[30, 120, 420, 1800, 7200])[1 + floor(random() * 5)::int] AS gap_s,
           (ARRAY[0, 0, 0.3, 0.8])[1 + floor(random() * 4)::int] AS peer_p
    FROM generate_series(1, 64) ds
) p;

CREATE TABLE pw_raw AS
SELECT d.ds, g AS id,
       random() AS r1, random() AS r2, random() AS r3, random() AS r4,
       random() AS r5, random() AS r6, random() AS r7, random() AS r8,
       random() AS r9, random() AS r10, random() AS r11, random() AS r12,
       random() AS r13, random() AS r14, random() AS r15, random() AS r16
FROM pw_ds d, generate_series(1, d.n) g;

CREATE TABLE pw_data AS
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
                ELSE pg_temp.pw_value(d.vmode, d.k, r.r3) END AS v,
           CASE d.bmode
                WHEN 'const' THEN d.bound
                WHEN 'pinf' THEN 'Infinity'::float8
                WHEN 'ninf' THEN '-Infinity'::float8
                ELSE CASE WHEN r.r4 < 0.1 THEN NULL
                          WHEN r.r4 < 0.15 THEN 'Infinity'::float8
                          WHEN r.r4 < 0.2 THEN '-Infinity'::float8
                          ELSE pg_temp.pw_value(d.vmode, d.k, r.r5) END END AS b,
           CASE WHEN r.r6 < d.inull_p THEN NULL
                ELSE pg_temp.pw_interval(d.imode, r.r7, r.r8) END AS iv,
           CASE d.ibmode
                WHEN 'const' THEN d.ibound
                ELSE CASE WHEN r.r4 < 0.1 THEN NULL
                          ELSE pg_temp.pw_interval('tricky', r.r5, 0) END END AS ib,
           CASE WHEN r.r9 < d.ok_null_p THEN NULL ELSE r.r10 < d.ok_p END AS ok,
           CASE WHEN r.r11 < d.t_null_p THEN NULL ELSE d.target END AS t,
           CASE WHEN r.r12 < d.cnull_p / 2 THEN NULL
                ELSE floor(cnt.valid::numeric * CASE WHEN r.r15 < 0.3 THEN 1
                                                     WHEN r.r15 < 0.4 THEN 0
                                                     ELSE r.r15::numeric END)::bigint END AS good,
           cnt.valid
    FROM pw_raw r
    JOIN pw_ds d USING (ds)
    CROSS JOIN LATERAL (
        SELECT CASE WHEN r.r12 > 1 - d.cnull_p / 2 THEN NULL
                    WHEN r.r13 < 0.2 THEN 0
                    ELSE floor(r.r14::numeric * d.scale::numeric)::bigint END AS valid) cnt
) s;
CREATE INDEX ON pw_data (ds);
ANALYZE pw_ds, pw_data, pw_targets;

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
SELECT cmp_ok((SELECT count(*) FROM pw_ds)::int, '>=', 40, 'at least 40 data sets');
SELECT ok((SELECT bool_and(n BETWEEN 0 AND 5000) AND bool_or(n = 0) AND bool_or(n = 1)
                  AND bool_or(n = 5000) AND sum(n) > 20000 FROM pw_ds),
          'data set sizes span 0..5000, with empty, single-row and 5000-row sets');
SELECT ok(EXISTS (SELECT FROM pw_data GROUP BY ds
                  HAVING count(*) > 0 AND count(v) = 0 AND count(iv) = 0 AND count(ok) = 0),
          'a non-empty data set is all NULL');
SELECT ok((SELECT count(*) FILTER (WHERE v IS NULL) > 0 AND count(*) FILTER (WHERE v = 'NaN') > 0
              AND count(*) FILTER (WHERE v = 'Infinity') > 0 AND count(*) FILTER (WHERE v = '-Infinity') > 0
              AND count(*) FILTER (WHERE v = 0 AND text(v) = '-0') > 0
           FROM pw_data),
          'values include NULL, NaN, Infinity, -Infinity and -0');
SELECT ok((SELECT count(*) FILTER (WHERE b IS NULL) > 0 AND count(*) FILTER (WHERE b = 'Infinity') > 0
              AND count(*) FILTER (WHERE b = '-Infinity') > 0 AND count(*) FILTER (WHERE v = b) > 100
           FROM pw_data),
          'bounds include NULL, Infinity, -Infinity and many values tied with the bound');
SELECT ok(EXISTS (SELECT FROM pw_data WHERE v IS NOT NULL GROUP BY ds, v HAVING count(*) >= 500),
          'heavy duplicates (one value 500+ times in a data set)');
SELECT ok((SELECT count(*) FILTER (WHERE iv = ib AND iv::text <> ib::text) > 100
              AND count(*) FILTER (WHERE iv IS NULL) > 0 AND count(*) FILTER (WHERE ib IS NULL) > 0
           FROM pw_data),
          'intervals that compare equal but are written differently (1 mon, 30 days, 720 hours), and NULLs');
SELECT ok((SELECT count(*) FILTER (WHERE w IS NULL) > 0 AND count(*) FILTER (WHERE w = 0) > 0
              AND count(*) FILTER (WHERE w = 1) > 0 AND count(*) FILTER (WHERE w > 0 AND w < 1) > 10
           FROM (SELECT slo.p_within(v, b) AS w FROM pw_ds LEFT JOIN pw_data USING (ds) GROUP BY ds) s),
          'answers over the data sets include NULL, 0, 1 and fractions');

-- ---------------------------------------------------------------------------
-- GROUP BY data set
-- ---------------------------------------------------------------------------
SELECT is_empty($q$
    SELECT ds, got, want FROM (
        SELECT ds, slo.p_within(v, b) AS got,
               (count(*) FILTER (WHERE v <= b))::float8
                 / nullif(count(*) FILTER (WHERE v IS NOT NULL AND b IS NOT NULL), 0)::float8 AS want
        FROM pw_data GROUP BY ds) s
    WHERE got IS DISTINCT FROM want $q$,
    'p_within(float8, float8) equals its SQL definition on every data set (GROUP BY)');

SELECT is_empty($q$
    SELECT ds, got, want FROM (
        SELECT ds, slo.p_within(iv, ib) AS got,
               (count(*) FILTER (WHERE iv <= ib))::float8
                 / nullif(count(*) FILTER (WHERE iv IS NOT NULL AND ib IS NOT NULL), 0)::float8 AS want
        FROM pw_data GROUP BY ds) s
    WHERE got IS DISTINCT FROM want $q$,
    'p_within(interval, interval) equals its SQL definition on every data set (GROUP BY)');

SELECT is_empty($q$
    SELECT ds, got, want FROM (
        SELECT ds, slo.p_within(ok) AS got,
               (count(*) FILTER (WHERE ok))::float8 / nullif(count(ok), 0)::float8 AS want
        FROM pw_data GROUP BY ds) s
    WHERE got IS DISTINCT FROM want $q$,
    'p_within(boolean) equals its SQL definition on every data set (GROUP BY)');

-- ---------------------------------------------------------------------------
-- One ungrouped aggregate per data set: an empty set gives NULL, never 0.
-- ---------------------------------------------------------------------------
SELECT is_empty($q$
    SELECT m.ds, a.* FROM pw_ds m CROSS JOIN LATERAL (
        SELECT slo.p_within(v, b) AS got_f,
               (count(*) FILTER (WHERE v <= b))::float8
                 / nullif(count(*) FILTER (WHERE v IS NOT NULL AND b IS NOT NULL), 0)::float8 AS want_f,
               slo.p_within(iv, ib) AS got_i,
               (count(*) FILTER (WHERE iv <= ib))::float8
                 / nullif(count(*) FILTER (WHERE iv IS NOT NULL AND ib IS NOT NULL), 0)::float8 AS want_i,
               slo.p_within(ok) AS got_b,
               (count(*) FILTER (WHERE ok))::float8 / nullif(count(ok), 0)::float8 AS want_b
        FROM pw_data d WHERE d.ds = m.ds) a
    WHERE a.got_f IS DISTINCT FROM a.want_f
       OR a.got_i IS DISTINCT FROM a.want_i
       OR a.got_b IS DISTINCT FROM a.want_b $q$,
    'each p_within equals its SQL definition as one ungrouped aggregate per data set (empty sets included)');

SELECT is((SELECT ARRAY[slo.p_within(v, b), slo.p_within(iv, ib), slo.p_within(ok)]
           FROM pw_data WHERE ds = 1),
          ARRAY[NULL, NULL, NULL]::float8[],
          'no rows: every p_within is NULL');
SELECT is((SELECT ARRAY[slo.p_within(v, b), slo.p_within(iv, ib), slo.p_within(ok)]
           FROM pw_data WHERE ds = 7),
          ARRAY[NULL, NULL, NULL]::float8[],
          'only NULL rows: every p_within is NULL');

-- ---------------------------------------------------------------------------
-- Many groups: sorted, hashed and spilled-hash aggregation.
-- ---------------------------------------------------------------------------
CREATE TEMP VIEW pw_many_groups AS
SELECT ds, id % 37 AS grp,
       slo.p_within(v, b) AS got_f,
       (count(*) FILTER (WHERE v <= b))::float8
         / nullif(count(*) FILTER (WHERE v IS NOT NULL AND b IS NOT NULL), 0)::float8 AS want_f,
       slo.p_within(iv, ib) AS got_i,
       (count(*) FILTER (WHERE iv <= ib))::float8
         / nullif(count(*) FILTER (WHERE iv IS NOT NULL AND ib IS NOT NULL), 0)::float8 AS want_i,
       slo.p_within(ok) AS got_b,
       (count(*) FILTER (WHERE ok))::float8 / nullif(count(ok), 0)::float8 AS want_b
FROM pw_data GROUP BY ds, id % 37;

SET LOCAL enable_hashagg = off;
SELECT matches(pg_temp.plan_of('SELECT * FROM pw_many_groups'), 'GroupAggregate',
               'sorted aggregation plan (GroupAggregate) for many groups');
SELECT is_empty($q$
    SELECT * FROM pw_many_groups
    WHERE got_f IS DISTINCT FROM want_f OR got_i IS DISTINCT FROM want_i OR got_b IS DISTINCT FROM want_b $q$,
    'sorted aggregation over ~1,600 groups: every p_within equals its SQL definition per group');
SET LOCAL enable_hashagg = on;

SET LOCAL enable_sort = off;
SET LOCAL enable_incremental_sort = off;
SELECT matches(pg_temp.plan_of('SELECT * FROM pw_many_groups'), 'HashAggregate',
               'hashed aggregation plan (HashAggregate) for many groups');
SELECT is_empty($q$
    SELECT * FROM pw_many_groups
    WHERE got_f IS DISTINCT FROM want_f OR got_i IS DISTINCT FROM want_i OR got_b IS DISTINCT FROM want_b $q$,
    'hashed aggregation over ~1,600 groups: every p_within equals its SQL definition per group');

-- a hash table that does not fit in work_mem spills groups to disk in batches
SET LOCAL work_mem = '64kB';
CREATE TEMP VIEW pw_spill_groups AS
SELECT ds, id / 2 AS grp,
       slo.p_within(v, b) AS got_f,
       (count(*) FILTER (WHERE v <= b))::float8
         / nullif(count(*) FILTER (WHERE v IS NOT NULL AND b IS NOT NULL), 0)::float8 AS want_f,
       slo.p_within(iv, ib) AS got_i,
       (count(*) FILTER (WHERE iv <= ib))::float8
         / nullif(count(*) FILTER (WHERE iv IS NOT NULL AND ib IS NOT NULL), 0)::float8 AS want_i,
       slo.p_within(ok) AS got_b,
       (count(*) FILTER (WHERE ok))::float8 / nullif(count(ok), 0)::float8 AS want_b
FROM pw_data GROUP BY ds, id / 2;
SELECT matches(pg_temp.plan_of('SELECT * FROM pw_spill_groups', true),
               'HashAggregate.*\n.*Batches: ([2-9]|[0-9]{2,})',
               'hashed aggregation with a small work_mem spills to several batches');
SELECT is_empty($q$
    SELECT * FROM pw_spill_groups
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
        FROM pw_data GROUP BY ds) s
    WHERE got IS DISTINCT FROM want $q$,
    'p_within(float8, float8) FILTER (WHERE ...) equals the definition restricted to the filtered rows');

-- ordered input (a sort per group inside the Agg node)
SELECT is_empty($q$
    SELECT ds, got, want FROM (
        SELECT ds, slo.p_within(v, b ORDER BY v DESC, id) AS got,
               (count(*) FILTER (WHERE v <= b))::float8
                 / nullif(count(*) FILTER (WHERE v IS NOT NULL AND b IS NOT NULL), 0)::float8 AS want
        FROM pw_data GROUP BY ds) s
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
        FROM pw_data GROUP BY ROLLUP (ds, id % 5)) s
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
SELECT throws_ok($q$SELECT slo.p_within(v, CASE WHEN id = (SELECT max(id) FROM pw_data
                                                             WHERE ds = 5 AND v IS NOT NULL)
                                              THEN 'NaN'::float8 ELSE b END)
                    FROM pw_data WHERE ds = 5$q$,
                 '22023', 'bound NaN is out of range',
                 'p_within(float8, float8): one NaN bound among 5000 rows is an error (22023)');
SELECT throws_ok($q$SELECT ds, slo.p_within(v, CASE WHEN id = 3 THEN 'NaN'::float8 ELSE b END)
                    FROM pw_data WHERE v IS NOT NULL GROUP BY ds$q$,
                 '22023', 'bound NaN is out of range',
                 'p_within(float8, float8): a NaN bound in one group of a GROUP BY is an error (22023)');

SELECT * FROM finish();
ROLLBACK;
