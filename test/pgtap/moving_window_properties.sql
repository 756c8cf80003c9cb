-- test/pgtap/moving_window_properties.sql
--
-- Property tests of the aggregates used as window functions.  Over many
-- random data sets (one window partition each), for frames whose start
-- moves -- RANGE '1 hour' PRECEDING, ROWS and GROUPS frames, frames that
-- move at both ends, frames that lag behind the current row and so are
-- sometimes empty -- and for contrast a frame with EXCLUDE (always
-- recomputed) and a running total (never shrinks), every aggregate equals,
-- row by row, its plain-SQL definition over the same frame
-- (count(*) FILTER (...) OVER w and friends), exactly.
--
-- That PostgreSQL really takes the moving-aggregate path (the inverse
-- transition functions) is proved by counting how often the aggregate's
-- argument is evaluated: about twice per row (add, later remove) with the
-- inverse, about (rows * frame size) when every frame is recomputed.
--
-- Run by pg_prove in a database with pgtap and slo installed.
BEGIN;
SELECT plan(78);

-- ---------------------------------------------------------------------------
-- Random data sets (the same generator in every file of test/pgtap/, each
-- file with its own seed).  mw_ds holds one row of parameters for each of
-- 64 data sets, mw_data their rows.  Data set 1 is empty, 2 and 3 have one
-- row (3 all NULL), 7 is all NULL, 5 and 6 have 5000 rows; the rest have
-- random sizes up to 5000, skewed small.  Values mix NULL, NaN, +/-Infinity,
-- signed zeros, extremes and heavy duplicates; bounds are constant,
-- infinite, tied with values, or vary per row (never NaN).  Targets cycle
-- through mw_targets; some rows have a NULL target or NULL counts.  Counts
-- go up to 1.5e14 a row, so that a data set's total passes 2^53 (float8
-- rounds) while the total of all data sets stays below 2^63.
-- ---------------------------------------------------------------------------
SET LOCAL TimeZone = 'UTC';
DO $seed$ BEGIN PERFORM setseed(0.73); END $seed$;

CREATE TABLE mw_targets (k int PRIMARY KEY, target float8 NOT NULL);
INSERT INTO mw_targets
VALUES (1, 0.9), (2, 0.99), (3, 0.999), (4, 0.9999), (5, 0.95), (6, 0.5),
       (7, 0.001 + random() * 0.998);     -- a random target in (0, 1)

-- a finite float8 drawn from the value domain of a data set
CREATE FUNCTION pg_temp.mw_value(mode text, k int, r float8) RETURNS float8
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
CREATE FUNCTION pg_temp.mw_interval(mode text, r float8, s float8) RETURNS interval
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

CREATE TABLE mw_ds AS
SELECT ds, n, null_p, nan_p, pinf_p, ninf_p, vmode, k, bmode,
       pg_temp.mw_value(vmode, k, rb) AS bound,
       imode, inull_p, ibmode,
       pg_temp.mw_interval('tricky', rib, 0) AS ibound,
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
           (SELECT target FROM mw_targets WHERE k = 1 + ds % 7) AS target,
           CASE WHEN ds % 5 = 2 THEN 0.1 ELSE 0 END AS t_null_p,
           (ARRAY[0, 1, 10, 1000, 1000000, 1.5e14])[1 + ds % 6] AS scale,
           CASE WHEN ds IN (3, 7) THEN 1.0 ELSE (ARRAY[0, 0.02, 0.3])[1 + floor(random() * 3)::int] END AS cnull_p,
           (ARRAY[30, 120, 420, 1800, 7200])[1 + floor(random() * 5)::int] AS gap_s,
           (ARRAY[0, 0, 0.3, 0.8])[1 + floor(random() * 4)::int] AS peer_p
    FROM generate_series(1, 64) ds
) p;

CREATE TABLE mw_raw AS
SELECT d.ds, g AS id,
       random() AS r1, random() AS r2, random() AS r3, random() AS r4,
       random() AS r5, random() AS r6, random() AS r7, random() AS r8,
       random() AS r9, random() AS r10, random() AS r11, random() AS r12,
       random() AS r13, random() AS r14, random() AS r15, random() AS r16
FROM mw_ds d, generate_series(1, d.n) g;

CREATE TABLE mw_data AS
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
                ELSE pg_temp.mw_value(d.vmode, d.k, r.r3) END AS v,
           CASE d.bmode
                WHEN 'const' THEN d.bound
                WHEN 'pinf' THEN 'Infinity'::float8
                WHEN 'ninf' THEN '-Infinity'::float8
                ELSE CASE WHEN r.r4 < 0.1 THEN NULL
                          WHEN r.r4 < 0.15 THEN 'Infinity'::float8
                          WHEN r.r4 < 0.2 THEN '-Infinity'::float8
                          ELSE pg_temp.mw_value(d.vmode, d.k, r.r5) END END AS b,
           CASE WHEN r.r6 < d.inull_p THEN NULL
                ELSE pg_temp.mw_interval(d.imode, r.r7, r.r8) END AS iv,
           CASE d.ibmode
                WHEN 'const' THEN d.ibound
                ELSE CASE WHEN r.r4 < 0.1 THEN NULL
                          ELSE pg_temp.mw_interval('tricky', r.r5, 0) END END AS ib,
           CASE WHEN r.r9 < d.ok_null_p THEN NULL ELSE r.r10 < d.ok_p END AS ok,
           CASE WHEN r.r11 < d.t_null_p THEN NULL ELSE d.target END AS t,
           CASE WHEN r.r12 < d.cnull_p / 2 THEN NULL
                ELSE floor(cnt.valid::numeric * CASE WHEN r.r15 < 0.3 THEN 1
                                                     WHEN r.r15 < 0.4 THEN 0
                                                     ELSE r.r15::numeric END)::bigint END AS good,
           cnt.valid
    FROM mw_raw r
    JOIN mw_ds d USING (ds)
    CROSS JOIN LATERAL (
        SELECT CASE WHEN r.r12 > 1 - d.cnull_p / 2 THEN NULL
                    WHEN r.r13 < 0.2 THEN 0
                    ELSE floor(r.r14::numeric * d.scale::numeric)::bigint END AS valid) cnt
) s;
CREATE INDEX ON mw_data (ds);
ANALYZE mw_ds, mw_data, mw_targets;

SET LOCAL max_parallel_workers_per_gather = 0;

-- Each aggregate and its definition over the window "w", row by row, into a
-- temporary table named after the frame.  Columns got_X / want_X for
--   pf:   p_within(float8, float8)      pi:   p_within(interval, interval)
--   pb:   p_within(boolean)             br:   burn_rate(boolean, float8)
--   rem:  budget_remaining(boolean, float8)
--   cbr:  burn_rate(bigint, bigint, float8)
--   crem: budget_remaining(bigint, bigint, float8)
CREATE FUNCTION pg_temp.window_results(name text, frame text) RETURNS void
LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE format($q$
        CREATE TEMP TABLE %I AS
        SELECT ds, id,
               slo.p_within(v, b) OVER w AS got_pf,
               (count(*) FILTER (WHERE v <= b) OVER w)::float8
                 / nullif(count(*) FILTER (WHERE v IS NOT NULL AND b IS NOT NULL) OVER w, 0)::float8 AS want_pf,
               slo.p_within(iv, ib) OVER w AS got_pi,
               (count(*) FILTER (WHERE iv <= ib) OVER w)::float8
                 / nullif(count(*) FILTER (WHERE iv IS NOT NULL AND ib IS NOT NULL) OVER w, 0)::float8 AS want_pi,
               slo.p_within(ok) OVER w AS got_pb,
               (count(*) FILTER (WHERE ok) OVER w)::float8 / nullif(count(ok) OVER w, 0)::float8 AS want_pb,
               slo.burn_rate(ok, t) OVER w AS got_br,
               (count(*) FILTER (WHERE NOT ok AND t IS NOT NULL) OVER w)::float8
                 / nullif(count(*) FILTER (WHERE ok IS NOT NULL AND t IS NOT NULL) OVER w, 0)::float8
                 / (1::float8 - max(t) OVER w) AS want_br,
               slo.budget_remaining(ok, t) OVER w AS got_rem,
               1::float8 - (count(*) FILTER (WHERE NOT ok AND t IS NOT NULL) OVER w)::float8
                 / ((1::float8 - max(t) OVER w)
                    * nullif(count(*) FILTER (WHERE ok IS NOT NULL AND t IS NOT NULL) OVER w, 0)::float8) AS want_rem,
               slo.burn_rate(good, valid, t) OVER w AS got_cbr,
               ((sum(valid) FILTER (WHERE c) OVER w) - (sum(good) FILTER (WHERE c) OVER w))::bigint::float8
                 / nullif(sum(valid) FILTER (WHERE c) OVER w, 0)::bigint::float8
                 / (1::float8 - max(t) OVER w) AS want_cbr,
               slo.budget_remaining(good, valid, t) OVER w AS got_crem,
               1::float8 - ((sum(valid) FILTER (WHERE c) OVER w) - (sum(good) FILTER (WHERE c) OVER w))::bigint::float8
                 / ((1::float8 - max(t) OVER w) * nullif(sum(valid) FILTER (WHERE c) OVER w, 0)::bigint::float8) AS want_crem,
               count(*) OVER w AS frame_rows,
               min(id) OVER w AS frame_first,
               min(id) OVER (PARTITION BY ds) AS partition_first
        FROM (SELECT *, good IS NOT NULL AND valid IS NOT NULL AND t IS NOT NULL AS c FROM mw_data) x
        WINDOW w AS (PARTITION BY ds %s) $q$, name, frame);
END $f$;

CREATE FUNCTION pg_temp.query_bool(q text) RETURNS boolean LANGUAGE plpgsql AS $f$
DECLARE
    result boolean;
BEGIN
    EXECUTE q INTO result;
    RETURN result;
END $f$;

CREATE TEMP TABLE mw_frames (name text PRIMARY KEY, frame text NOT NULL, moving boolean NOT NULL);
INSERT INTO mw_frames VALUES
    ('w_range_1h',    $$ORDER BY ts RANGE BETWEEN '1 hour' PRECEDING AND CURRENT ROW$$, true),
    ('w_range_ahead', $$ORDER BY ts RANGE BETWEEN '2 hours' PRECEDING AND '30 minutes' FOLLOWING$$, true),
    ('w_rows_10',     'ORDER BY id ROWS BETWEEN 9 PRECEDING AND CURRENT ROW', true),
    ('w_rows_both',   'ORDER BY id ROWS BETWEEN 25 PRECEDING AND 5 FOLLOWING', true),
    ('w_rows_lag',    'ORDER BY id ROWS BETWEEN 4 PRECEDING AND 2 PRECEDING', true),
    ('w_groups_3',    'ORDER BY ts GROUPS BETWEEN 3 PRECEDING AND CURRENT ROW', true),
    ('w_rows_excl',   'ORDER BY id ROWS BETWEEN 6 PRECEDING AND 6 FOLLOWING EXCLUDE CURRENT ROW', false),
    ('w_running',     'ORDER BY ts', false);

DO $$ BEGIN PERFORM pg_temp.window_results(name, frame) FROM mw_frames; END $$;

CREATE TEMP TABLE mw_aggs (col text PRIMARY KEY, agg text NOT NULL);
INSERT INTO mw_aggs VALUES
    ('pf', 'p_within(float8, float8)'), ('pi', 'p_within(interval, interval)'),
    ('pb', 'p_within(boolean)'), ('br', 'burn_rate(boolean, float8)'),
    ('rem', 'budget_remaining(boolean, float8)'), ('cbr', 'burn_rate(bigint, bigint, float8)'),
    ('crem', 'budget_remaining(bigint, bigint, float8)');

-- ---------------------------------------------------------------------------
-- Every aggregate can move: it has moving-aggregate transition, inverse and
-- final functions.
-- ---------------------------------------------------------------------------
SELECT is_empty($q$
    SELECT p.oid::regprocedure FROM pg_proc p LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
    WHERE p.oid = ANY (ARRAY['slo.p_within(float8, float8)', 'slo.p_within(interval, interval)',
                             'slo.p_within(boolean)', 'slo.burn_rate(boolean, float8)',
                             'slo.budget_remaining(boolean, float8)', 'slo.burn_rate(bigint, bigint, float8)',
                             'slo.budget_remaining(bigint, bigint, float8)']::regprocedure[])
      AND (a.aggmtransfn IS NULL OR a.aggmtransfn = 0 OR a.aggminvtransfn = 0 OR a.aggmfinalfn = 0) $q$,
    'every aggregate has a moving-aggregate transition, inverse and final function');

-- ---------------------------------------------------------------------------
-- The frames are what they claim.
-- ---------------------------------------------------------------------------
SELECT ok(pg_temp.query_bool(format($q$
              SELECT count(*) FILTER (WHERE frame_first > partition_first) >= 1000
                     AND count(DISTINCT frame_rows) >= 4
                     AND count(*) FILTER (WHERE want_br IS NULL) > 0
                     AND count(*) FILTER (WHERE want_pf > 0 AND want_pf < 1) > 100
                     AND count(*) FILTER (WHERE want_crem < 0) > 0
              FROM %I $q$, name)),
          format('%s: the frame head moves past the partition start on 1000+ rows, sizes vary (4+ sizes), answers include NULL, fractions and overspent budgets', name))
FROM mw_frames WHERE moving ORDER BY name;
SELECT ok((SELECT count(*) FILTER (WHERE frame_rows = 0) > 40 FROM w_rows_lag),
          'w_rows_lag: frames at the start of each partition are empty');

-- ---------------------------------------------------------------------------
-- Row by row, every aggregate equals its definition over the same frame.
-- ---------------------------------------------------------------------------
SELECT is_empty(format('SELECT ds, id, frame_rows, got_%1$s, want_%1$s FROM %2$I
                        WHERE got_%1$s IS DISTINCT FROM want_%1$s', a.col, f.name),
                format('%s OVER (%s) equals its SQL definition on every row', a.agg, f.frame))
FROM mw_frames f CROSS JOIN mw_aggs a
ORDER BY f.name, a.col;

-- ---------------------------------------------------------------------------
-- The moving frames really use the inverse transition functions.  A STABLE
-- (so not volatile) wrapper counts evaluations of the aggregate's first
-- argument: with the inverse each row is evaluated about twice (added once,
-- removed once); recomputing every frame costs rows * frame size.
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.counted(x anyelement) RETURNS anyelement
LANGUAGE plpgsql STABLE AS $f$
BEGIN
    PERFORM set_config('pt.calls', (current_setting('pt.calls')::bigint + 1)::text, true);
    RETURN x;
END $f$;
CREATE FUNCTION pg_temp.counted_volatile(x anyelement) RETURNS anyelement
LANGUAGE plpgsql VOLATILE AS $f$
BEGIN
    PERFORM set_config('pt.calls', (current_setting('pt.calls')::bigint + 1)::text, true);
    RETURN x;
END $f$;
CREATE FUNCTION pg_temp.evaluations(q text) RETURNS bigint LANGUAGE plpgsql AS $f$
BEGIN
    PERFORM set_config('pt.calls', '0', true);
    EXECUTE q;
    RETURN current_setting('pt.calls')::bigint;
END $f$;

SELECT cmp_ok(pg_temp.evaluations(format(
                  'SELECT %s OVER (ORDER BY id ROWS BETWEEN 49 PRECEDING AND CURRENT ROW)
                   FROM mw_data WHERE ds = 5 AND id <= 1000', call)),
              '<=', 2000::bigint,
              format('%s OVER (ROWS BETWEEN 49 PRECEDING AND CURRENT ROW) over 1000 rows uses the inverse transition (at most 2 argument evaluations per row)', agg))
FROM (VALUES
    ('p_within(float8, float8)', 'slo.p_within(pg_temp.counted(v), b)'),
    ('p_within(interval, interval)', 'slo.p_within(pg_temp.counted(iv), ib)'),
    ('p_within(boolean)', 'slo.p_within(pg_temp.counted(ok))'),
    ('burn_rate(boolean, float8)', 'slo.burn_rate(pg_temp.counted(ok), t)'),
    ('budget_remaining(boolean, float8)', 'slo.budget_remaining(pg_temp.counted(ok), t)'),
    ('burn_rate(bigint, bigint, float8)', 'slo.burn_rate(pg_temp.counted(good), valid, t)'),
    ('budget_remaining(bigint, bigint, float8)', 'slo.budget_remaining(pg_temp.counted(good), valid, t)')
) x(agg, call);
SELECT cmp_ok(pg_temp.evaluations(
                  $q$SELECT slo.burn_rate(pg_temp.counted(ok), t)
                       OVER (ORDER BY ts RANGE BETWEEN '1 hour' PRECEDING AND CURRENT ROW)
                     FROM mw_data WHERE ds = 5$q$),
              '<=', 10000::bigint,
              'burn_rate(boolean, float8) OVER (RANGE BETWEEN ''1 hour'' PRECEDING AND CURRENT ROW) over 5000 rows uses the inverse transition');
SELECT cmp_ok(pg_temp.evaluations(
                  'SELECT slo.p_within(pg_temp.counted_volatile(ok))
                     OVER (ORDER BY id ROWS BETWEEN 49 PRECEDING AND CURRENT ROW)
                   FROM mw_data WHERE ds = 5 AND id <= 1000'),
              '>=', 40000::bigint,
              'control: with a volatile argument PostgreSQL recomputes every frame (~50 evaluations per row), so the count tells the paths apart');

-- ---------------------------------------------------------------------------
-- Edges and errors inside windows
-- ---------------------------------------------------------------------------
SELECT is((SELECT array_agg(b ORDER BY k) FROM (
               SELECT k, slo.burn_rate(g, v, 0.5) OVER (ORDER BY k ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS b
               FROM (VALUES (1, 0::bigint, 6000000000000000000::bigint), (2, 0, 3000000000000000000),
                            (3, 0, 6000000000000000000)) x(k, g, v)) s),
          ARRAY[2, 2, 2]::float8[],
          'a sliding frame removes before it adds: frames of 9e18 events each never overflow');
SELECT is((SELECT array_agg(b ORDER BY k) FROM (
               SELECT k, slo.burn_rate(ok, t) OVER (ORDER BY k ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS b
               FROM (VALUES (1, true, 0.99::float8), (2, NULL, 0.999), (3, false, 0.999)) x(k, ok, t)) s),
          ARRAY[0, 0, 1::float8 / 1::float8 / (1::float8 - 0.999::float8)]::float8[],
          'a frame whose rows with the old target have all left may use a new target');
SELECT throws_ok($q$SELECT slo.burn_rate(ok, CASE WHEN k % 2 = 1 THEN 0.99 ELSE 0.999 END)
                      OVER (ORDER BY k ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
                    FROM (VALUES (1, true), (2, false), (3, true)) x(k, ok)$q$,
                 '22023', 'target changed from 0.99 to 0.999 within one aggregate',
                 'two targets inside one frame are an error (22023)');
SELECT throws_ok($q$SELECT slo.budget_remaining(g, v, 0.9)
                      OVER (ORDER BY k ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
                    FROM (VALUES (1, 0::bigint, 4611686018427387904::bigint), (2, 0, 4611686018427387904)) x(k, g, v)$q$,
                 '22003', 'event count out of range',
                 'a frame whose counts sum beyond 2^63 - 1 is an error (22003)');
SELECT throws_ok($q$SELECT slo.p_within(v, CASE WHEN id = last_id THEN 'NaN'::float8 ELSE 1 END)
                      OVER (ORDER BY id ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)
                    FROM mw_data
                    CROSS JOIN (SELECT max(id) AS last_id FROM mw_data WHERE ds = 5 AND v IS NOT NULL) l
                    WHERE ds = 5 AND v IS NOT NULL$q$,
                 '22023', 'bound NaN is out of range',
                 'a NaN bound inside a moving window is an error (22023)');

SELECT * FROM finish();
ROLLBACK;
