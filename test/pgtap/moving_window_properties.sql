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

\set seed 0.73
\ir datasets.psql

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
        FROM (SELECT *, good IS NOT NULL AND valid IS NOT NULL AND t IS NOT NULL AS c FROM ds_data) x
        WINDOW w AS (PARTITION BY ds %s) $q$, name, frame);
END $f$;

CREATE FUNCTION pg_temp.query_bool(q text) RETURNS boolean LANGUAGE plpgsql AS $f$
DECLARE
    result boolean;
BEGIN
    EXECUTE q INTO result;
    RETURN result;
END $f$;

CREATE TEMP TABLE ds_frames (name text PRIMARY KEY, frame text NOT NULL, moving boolean NOT NULL);
INSERT INTO ds_frames VALUES
    ('w_range_1h',    $$ORDER BY ts RANGE BETWEEN '1 hour' PRECEDING AND CURRENT ROW$$, true),
    ('w_range_ahead', $$ORDER BY ts RANGE BETWEEN '2 hours' PRECEDING AND '30 minutes' FOLLOWING$$, true),
    ('w_rows_10',     'ORDER BY id ROWS BETWEEN 9 PRECEDING AND CURRENT ROW', true),
    ('w_rows_both',   'ORDER BY id ROWS BETWEEN 25 PRECEDING AND 5 FOLLOWING', true),
    ('w_rows_lag',    'ORDER BY id ROWS BETWEEN 4 PRECEDING AND 2 PRECEDING', true),
    ('w_groups_3',    'ORDER BY ts GROUPS BETWEEN 3 PRECEDING AND CURRENT ROW', true),
    ('w_rows_excl',   'ORDER BY id ROWS BETWEEN 6 PRECEDING AND 6 FOLLOWING EXCLUDE CURRENT ROW', false),
    ('w_running',     'ORDER BY ts', false);

DO $$ BEGIN PERFORM pg_temp.window_results(name, frame) FROM ds_frames; END $$;

CREATE TEMP TABLE ds_aggs (col text PRIMARY KEY, agg text NOT NULL);
INSERT INTO ds_aggs VALUES
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
FROM ds_frames WHERE moving ORDER BY name;
SELECT ok((SELECT count(*) FILTER (WHERE frame_rows = 0) > 40 FROM w_rows_lag),
          'w_rows_lag: frames at the start of each partition are empty');

-- ---------------------------------------------------------------------------
-- Row by row, every aggregate equals its definition over the same frame.
-- ---------------------------------------------------------------------------
SELECT is_empty(format('SELECT ds, id, frame_rows, got_%1$s, want_%1$s FROM %2$I
                        WHERE got_%1$s IS DISTINCT FROM want_%1$s', a.col, f.name),
                format('%s OVER (%s) equals its SQL definition on every row', a.agg, f.frame))
FROM ds_frames f CROSS JOIN ds_aggs a
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
                   FROM ds_data WHERE ds = 5 AND id <= 1000', call)),
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
                     FROM ds_data WHERE ds = 5$q$),
              '<=', 10000::bigint,
              'burn_rate(boolean, float8) OVER (RANGE BETWEEN ''1 hour'' PRECEDING AND CURRENT ROW) over 5000 rows uses the inverse transition');
SELECT cmp_ok(pg_temp.evaluations(
                  'SELECT slo.p_within(pg_temp.counted_volatile(ok))
                     OVER (ORDER BY id ROWS BETWEEN 49 PRECEDING AND CURRENT ROW)
                   FROM ds_data WHERE ds = 5 AND id <= 1000'),
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
                    FROM ds_data
                    CROSS JOIN (SELECT max(id) AS last_id FROM ds_data WHERE ds = 5 AND v IS NOT NULL) l
                    WHERE ds = 5 AND v IS NOT NULL$q$,
                 '22023', 'bound NaN is out of range',
                 'a NaN bound inside a moving window is an error (22023)');

SELECT * FROM finish();
ROLLBACK;
