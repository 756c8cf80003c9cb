--
-- slo.sketch: the aggregates and accessors on a sketch small enough to check
-- by hand, text and binary input/output, hostile input, every error path,
-- NULL/empty/NaN/zero/negative values, merging, and parallel plans.
-- (Accuracy on random data: test/pgtap/sketch_accuracy.sql; random hostile
-- input: test/extra/fuzz_sketch.sh.)
--
\set VERBOSITY default
\set SHOW_CONTEXT never
SET client_min_messages = warning;

-- error(sql) runs a statement and reports its SQLSTATE, message, detail and
-- hint (a message longer than 160 characters is cut, with "...")
CREATE FUNCTION pg_temp.error(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text; state text; msg text; detail text; hint text;
BEGIN
    EXECUTE q INTO result;
    RETURN 'ok: ' || coalesce(result, 'NULL');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    IF length(msg) > 160 THEN
        msg := left(msg, 157) || '...';
    END IF;
    RETURN state || ': ' || msg || coalesce(' | ' || nullif(detail, ''), '')
        || coalesce(' | hint: ' || nullif(hint, ''), '');
END $$;

-- ---------------------------------------------------------------------------
-- A sketch to check by hand (table sk_hand).  At alpha 0.5, gamma =
-- (1 + 0.5) / (1 - 0.5) = 3: bin i holds (3^(i-1), 3^i] and is represented
-- by 3^i / 2.
--   2 -> bin 1 (1.5);  4, 5 -> bin 2 (4.5);  20 -> bin 3 (13.5);
--   50 -> bin 4 (40.5);  100 -> bin 5 (121.5);  -5 -> negative bin 2 (-4.5);
--   two zeros.  count 9, min -5, max 100, sum 176.
-- ---------------------------------------------------------------------------
CREATE TABLE sk_hand (v float8);
INSERT INTO sk_hand VALUES (20), (0), (4), (-5), (100), (2), (0), (50), (5), (NULL), ('NaN');
SELECT slo.sketch(v, 0.5) FROM sk_hand;
SELECT slo.sketch(v, 0.5)::text = 'alpha=0.5 count=9 zero=2 min=-5 max=100 sum=176 pos=1:1,2,1,1,1 neg=2:1' AS as_computed_by_hand
FROM sk_hand;
-- percentiles: rank ceil(q * 9); the extremes exact, the rest the
-- representative of the value's bin (within 50% of percentile_disc)
SELECT q, ceil(q * 9) AS rank, slo.percentile(s, q) AS sketch,
       (SELECT percentile_disc(q) WITHIN GROUP (ORDER BY v) FROM sk_hand WHERE v <> 'NaN') AS exact
FROM (SELECT slo.sketch(v, 0.5) AS s FROM sk_hand) t,
     unnest('{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 0.85, 0.9, 1}'::float8[]) q;
SELECT slo.percentiles(slo.sketch(v, 0.5), '{0.5, 0.85, NULL, 0, 1}') AS some_null,
       slo.percentiles(slo.sketch(v, 0.5), '{}') AS none,
       slo.percentiles(slo.sketch(v, 0.5), '[0:1]={0.2,0.4}') AS lower_bound_0
FROM sk_hand;
-- p_within: each bin counted by its representative.  -5 lies in the bin of
-- -4.5, which is not <= -5: counted 0 where the exact share is 1/9 (the
-- error is at most the share of the bound's bin); at -4 it is counted.
SELECT b, slo.p_within(s, b) AS sketch,
       (SELECT avg((v <= b)::int) FROM sk_hand WHERE v <> 'NaN')::float8 AS exact
FROM (SELECT slo.sketch(v, 0.5) AS s FROM sk_hand) t,
     unnest('{-Infinity, -10, -5, -4, -0.5, 0, 1, 2, 4.5, 49, 99.9, 100, 1e300, Infinity}'::float8[]) b;
SELECT slo.sketch_count(s) AS count, slo.sketch_min(s) AS min, slo.sketch_max(s) AS max,
       slo.sketch_mean(s) AS mean, 176 / 9::float8 AS exact_mean, slo.sketch_alpha(s) AS alpha
FROM (SELECT slo.sketch(v, 0.5) AS s FROM sk_hand) t;
-- the default alpha is 0.01
SELECT slo.sketch(v), slo.sketch_alpha(slo.sketch(v)),
       slo.percentiles(slo.sketch(v), '{0.25, 0.5, 0.75}') AS sketch,
       percentile_disc('{0.25, 0.5, 0.75}'::float8[]) WITHIN GROUP (ORDER BY v) AS exact
FROM (VALUES (-4.0::float8), (0), (0), (10)) t(v);

-- ---------------------------------------------------------------------------
-- NULL, NaN, empty input; zeros and negatives
-- ---------------------------------------------------------------------------
-- no rows, or only NULLs: the aggregate is NULL (and so is every accessor)
SELECT slo.sketch(v) IS NULL AS no_rows, slo.merge(NULL::slo.sketch) IS NULL AS merge_no_rows
FROM sk_hand WHERE false;
SELECT slo.sketch(v) IS NULL AS all_null, slo.sketch_count(slo.sketch(v)) AS count
FROM (VALUES (NULL::float8), (NULL)) t(v);
-- only NaN: NaN is skipped, but the state exists, so the aggregate is an
-- empty sketch (count 0) rather than NULL; its accessors are NULL except
-- sketch_count (0) and sketch_alpha
SELECT s, slo.sketch_count(s) AS count, slo.sketch_alpha(s) AS alpha, slo.percentile(s, 0.5) AS p50,
       slo.percentiles(s, '{0.5}') AS ps, slo.p_within(s, 1) AS pw, slo.sketch_min(s) AS min,
       slo.sketch_max(s) AS max, slo.sketch_mean(s) AS mean
FROM (SELECT slo.sketch(v, 0.05) AS s FROM (VALUES ('NaN'::float8), (NULL), ('NaN')) t(v)) x;
SELECT slo.percentile(NULL::slo.sketch, 0.5) AS p_null, slo.sketch_count(NULL::slo.sketch) AS count_null;
-- merging an empty sketch changes nothing but the alpha check
SELECT slo.merge(s) FROM (VALUES ('alpha=0.01 count=0 zero=0 min=0 max=0 sum=0 pos= neg='::slo.sketch),
                                 ((SELECT slo.sketch(3.0))), (NULL)) t(s);
SELECT slo.merge(s) FROM (VALUES ('alpha=0.01 count=0 zero=0 min=0 max=0 sum=0 pos= neg='::slo.sketch),
                                 (NULL)) t(s);

-- zeros only; negatives only; a mix of negatives, zeros and positives
SELECT slo.sketch(v), slo.percentiles(slo.sketch(v), '{0, 0.5, 1}')
FROM (VALUES (0::float8), (0), ('-0')) t(v);
SELECT slo.sketch(v, 0.5), slo.percentiles(slo.sketch(v, 0.5), '{0, 0.5, 0.75, 1}'),
       percentile_disc('{0, 0.5, 0.75, 1}'::float8[]) WITHIN GROUP (ORDER BY v) AS exact
FROM (VALUES (-1::float8), (-10), (-100), (-1000)) t(v);
CREATE TABLE sk_mixed AS
SELECT g, CASE WHEN g % 5 = 0 THEN 0 ELSE (g % 2 * 2 - 1) * (g % 97 + 1) * 1.5 END::float8 AS v
FROM generate_series(1, 1000) g;
SELECT q, slo.percentile(s, q) AS sketch,
       (SELECT percentile_disc(q) WITHIN GROUP (ORDER BY v) FROM sk_mixed) AS exact,
       abs(slo.percentile(s, q) - (SELECT percentile_disc(q) WITHIN GROUP (ORDER BY v) FROM sk_mixed))
         <= 0.01 * abs((SELECT percentile_disc(q) WITHIN GROUP (ORDER BY v) FROM sk_mixed)) AS within_alpha
FROM (SELECT slo.sketch(v) AS s FROM sk_mixed) t,
     unnest('{0, 0.001, 0.1, 0.25, 0.4, 0.45, 0.5, 0.6, 0.75, 0.9, 0.999, 1}'::float8[]) q;
SELECT slo.p_within(s, -1e-300) AS below_zero, slo.p_within(s, 0) AS at_zero,
       (SELECT avg((v <= 0)::int) FROM sk_mixed)::float8 AS exact_at_zero,
       slo.sketch_count(s) AS count, slo.sketch_mean(s) AS mean, (SELECT avg(v) FROM sk_mixed) AS avg
FROM (SELECT slo.sketch(v) AS s FROM sk_mixed) t;
-- the extremes of float8 and subnormals are held
SELECT slo.sketch_count(s) AS count, slo.sketch_min(s) AS min, slo.sketch_max(s) AS max,
       slo.percentiles(s, '{0, 0.5, 1}')
FROM (SELECT slo.sketch(v, 0.05) AS s
      FROM (VALUES (1.7976931348623157e308::float8), (-1.7976931348623157e308), (5e-324), (-5e-324),
                   (2.2250738585072014e-308), (1)) t(v)) x;

-- ---------------------------------------------------------------------------
-- Aggregate and accessor errors
-- ---------------------------------------------------------------------------
SELECT pg_temp.error(q) FROM (VALUES
    ($$SELECT slo.sketch(v, 0) FROM sk_hand$$),
    ($$SELECT slo.sketch(v, 0.00009) FROM sk_hand$$),
    ($$SELECT slo.sketch(v, 0.6) FROM sk_hand$$),
    ($$SELECT slo.sketch(v, -0.01) FROM sk_hand$$),
    ($$SELECT slo.sketch(v, 'NaN') FROM sk_hand$$),
    ($$SELECT slo.sketch(v, 'Infinity') FROM sk_hand$$),
    ($$SELECT slo.sketch(v, NULL) FROM sk_hand$$),
    -- (alpha is checked when the first non-NULL value arrives: with no
    -- value at all there is no sketch and no error)
    ($$SELECT slo.sketch(v, 5) FROM (VALUES (NULL::float8)) t(v)$$),
    ($$SELECT slo.sketch(v, 5) FROM (VALUES ('NaN'::float8)) t(v)$$),
    -- alpha changing between rows
    ($$SELECT slo.sketch(v, a ORDER BY v) FROM (VALUES (1::float8, 0.01::float8), (2, 0.02)) t(v, a)$$),
    ($$SELECT slo.sketch(v, 0.01 + 0 * v) FROM (VALUES (1::float8), (2)) t(v)$$),
    -- infinities
    ($$SELECT slo.sketch(v) FROM (VALUES (1::float8), ('Infinity')) t(v)$$),
    ($$SELECT slo.sketch(v, 0.1) FROM (VALUES ('-Infinity'::float8)) t(v)$$),
    -- a range needing more bins than a sketch may hold
    ($$SELECT slo.sketch(v, 0.0001) FROM (VALUES (1e-300::float8), (1e300)) t(v)$$),
    -- fractions
    ($$SELECT slo.percentile(slo.sketch(v), 95) FROM sk_hand$$),
    ($$SELECT slo.percentile(slo.sketch(v), 100) FROM sk_hand$$),
    ($$SELECT slo.percentile(slo.sketch(v), 1.000001) FROM sk_hand$$),
    ($$SELECT slo.percentile(slo.sketch(v), 101) FROM sk_hand$$),
    ($$SELECT slo.percentile(slo.sketch(v), -0.5) FROM sk_hand$$),
    ($$SELECT slo.percentile(slo.sketch(v), 'NaN') FROM sk_hand$$),
    ($$SELECT slo.percentile(slo.sketch(v), '-Infinity') FROM sk_hand$$),
    ($$SELECT slo.percentiles(slo.sketch(v), '{0.5, 99}') FROM sk_hand$$),
    ($$SELECT slo.percentiles(slo.sketch(v), '{0.5, NaN}') FROM sk_hand$$),
    ($$SELECT slo.percentiles(slo.sketch(v), '{{0.5}, {0.9}}') FROM sk_hand$$),
    -- a bad fraction is an error even for an empty sketch
    ($$SELECT slo.percentile('alpha=0.01 count=0 zero=0 min=0 max=0 sum=0 pos= neg=', 95)$$),
    ($$SELECT slo.p_within(slo.sketch(v), 'NaN') FROM sk_hand$$),
    -- merging different alphas
    ($$SELECT slo.merge(s) FROM (SELECT slo.sketch(1, 0.01) UNION ALL SELECT slo.sketch(1, 0.05)) t(s)$$),
    ($$SELECT slo.merge(s) FROM (VALUES ('alpha=0.01 count=0 zero=0 min=0 max=0 sum=0 pos= neg='::slo.sketch),
                                        ('alpha=0.02 count=0 zero=0 min=0 max=0 sum=0 pos= neg=')) t(s)$$),
    ($$SELECT slo_internal.sketch_combine(slo.sketch(1, 0.01), slo.sketch(1, 0.010000000000000002))$$),
    -- counts past 2^63 - 1
    ($$SELECT slo_internal.sketch_add('alpha=0.01 count=9223372036854775807 zero=9223372036854775807 min=0 max=0 sum=0 pos= neg=', 0)$$),
    ($$SELECT slo.merge(s) FROM (VALUES ('alpha=0.01 count=9223372036854775807 zero=0 min=1 max=1 sum=1 pos=0:9223372036854775807 neg='::slo.sketch),
                                        ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=0:1 neg=')) t(s)$$)
) t(q);

-- the transition and combine functions called directly (NULL on either side)
SELECT slo_internal.sketch_add(NULL, NULL) IS NULL AS add_null_null,
       slo_internal.sketch_add(NULL, 'NaN') AS add_null_nan,
       slo_internal.sketch_add(NULL, 2) AS add_null_2,
       slo_internal.sketch_add(NULL, -2, 0.5) AS add_null_minus2_alpha,
       slo_internal.sketch_add(slo_internal.sketch_add(NULL, 2), NULL) AS add_x_null;
SELECT slo_internal.sketch_combine(NULL, NULL) IS NULL AS null_null,
       slo_internal.sketch_combine(NULL, slo.sketch(1.0)) AS null_x,
       slo_internal.sketch_combine(slo.sketch(1.0), NULL) AS x_null,
       slo_internal.sketch_combine(slo.sketch(1.0), slo.sketch(-1.0)) AS x_y;
-- called outside an aggregate, they leave their arguments alone
SELECT s AS before, slo_internal.sketch_add(s, 3, 0.5) AS added, slo_internal.sketch_combine(s, s) AS doubled, s AS after
FROM (SELECT slo.sketch(v, 0.5) AS s FROM (VALUES (1::float8), (2)) t(v)) x;

-- in a window, each row's sketch stays as it was when that row was reached
SELECT g, slo.sketch_count(slo.sketch(g::float8) OVER w) AS count,
       slo.sketch_max(slo.sketch(g::float8) OVER w) AS max,
       slo.sketch(g::float8, 0.5) OVER w AS running,
       slo.sketch_count(slo.sketch(g::float8) OVER (ORDER BY g ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)) AS last_two
FROM generate_series(1, 5) g
WINDOW w AS (ORDER BY g);

-- ---------------------------------------------------------------------------
-- Text input and output
-- ---------------------------------------------------------------------------
-- round trip: text -> sketch -> text is the identity on what the server prints
SELECT s::text::slo.sketch::text = s::text AS round_trip, length(s::text) AS length, left(s::text, 100) AS s
FROM (SELECT slo.sketch(v, 0.5) FROM sk_hand
      UNION ALL SELECT slo.sketch(v) FROM sk_mixed
      UNION ALL SELECT slo.sketch(v, 0.0001) FROM (VALUES (1e-300::float8), (-1e-300), (0)) t(v)
      UNION ALL SELECT slo.sketch(v, 0.123456789) FROM (VALUES (0.1::float8), (0.2), (0.30000000000000004)) t(v)
      UNION ALL SELECT 'alpha=0.01 count=0 zero=0 min=0 max=0 sum=0 pos= neg='
      UNION ALL SELECT 'alpha=0.01 count=1 zero=1 min=-0 max=-0 sum=-0 pos= neg='
      UNION ALL SELECT 'alpha=0.01 count=1 zero=0 min=1 max=1 sum=Infinity pos=0:1 neg='
      UNION ALL SELECT 'alpha=0.01 count=9223372036854775807 zero=9223372036854775806 min=0 max=1 sum=1 pos=0:1 neg='
      UNION ALL SELECT 'alpha=0.0001 count=2 zero=0 min=-1 max=1 sum=0 pos=8388607:1 neg=-8388608:1'::text::slo.sketch) x(s)
WHERE s IS NOT NULL;
-- the wide one above has to show itself by its length
SELECT length(slo.sketch(v, 0.0001)::text) AS length,
       slo.sketch(v, 0.0001)::text::slo.sketch::text = slo.sketch(v, 0.0001)::text AS round_trip
FROM (VALUES (1e-300::float8), (-1e-300), (0), (1e-290)) t(v);
-- alpha, min, max and sum print exactly, whatever extra_float_digits says
SET extra_float_digits = -15;
SELECT slo.sketch(v, 0.0123456789012345) FROM (VALUES (0.1::float8), (0.12345678901234568)) t(v);
RESET extra_float_digits;
-- equal sketches print alike: empty bins at either end are dropped, the
-- order of the values and of merging does not matter
SELECT ('alpha=0.01 count=2 zero=0 min=1 max=2.5 sum=3.5 pos=-3:0,0,0,1,' || repeat('0,', 45)
        || '1,0,0 neg=7:0,0')::slo.sketch::text = slo.sketch(v)::text AS trimmed,
       slo.sketch(v ORDER BY v)::text = slo.sketch(v ORDER BY v DESC)::text AS order_free
FROM (VALUES (1::float8), (2.5)) t(v);
SELECT count(DISTINCT s::text) AS distinct_texts
FROM (SELECT slo.sketch(v ORDER BY v) FROM sk_mixed
      UNION ALL SELECT slo.sketch(v ORDER BY v DESC) FROM sk_mixed
      UNION ALL SELECT slo.sketch(v ORDER BY md5(v::text)) FROM sk_mixed
      UNION ALL SELECT slo.merge(s ORDER BY k) FROM (SELECT g % 7 AS k, slo.sketch(v) AS s FROM sk_mixed GROUP BY g % 7) t
      UNION ALL SELECT slo.merge(s ORDER BY k DESC) FROM (SELECT g % 3 AS k, slo.sketch(v) AS s FROM sk_mixed GROUP BY g % 3) t) x(s);
-- whitespace around the fields is allowed, but fields may not touch
SELECT '  alpha=0.5   count=1 zero=0 min=2 max=2 sum=2 pos=1:1	neg=  '::slo.sketch AS spaces,
       'alpha=5e-1 count=1 zero=0 min=2e0 max=0x1p1 sum=2 pos=1:1 neg='::slo.sketch AS float_syntax;
SELECT pg_temp.error($$SELECT 'alpha=0.5count=1 zero=0 min=2max=2 sum=2 pos=1:1 neg='::slo.sketch$$) AS touching;

-- malformed text: 22P02, the detail names the problem
SELECT pg_temp.error(format('SELECT %L::slo.sketch', s)) FROM (VALUES
    (''),
    ('   '),
    ('alpha=0.01'),
    ('count=0 alpha=0.01 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('Alpha=0.01 count=0 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha 0.01 count=0 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.01 count=0 zero=0 min=0 max=0 sum=0 neg= pos='),
    ('alpha=0.01 count=0 zero=0 min=0 max=0 sum=0 pos='),
    ('alpha=0.01 count=0 zero=0 min=0 max=0 sum=0 pos= neg= x'),
    ('alpha=0.01 count=0 zero=0 min=0 max=0 sum=0 pos= neg= neg='),
    -- each field wrong
    ('alpha=abc count=0 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha= count=0 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.01 count=x zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.01 count=1.5 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.01 count=+1 zero=1 min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.01 count=0 zero= min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.01 count=0 zero=0 min=zero max=0 sum=0 pos= neg='),
    ('alpha=0.01 count=0 zero=0 min=0 max=- sum=0 pos= neg='),
    ('alpha=0.01 count=0 zero=0 min=0 max=0 sum=abc pos= neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=0 neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=0: neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=:1 neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=0:1, neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=0:1,,1 neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=0 :1 neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=0: 1 neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=0:1x neg='),
    ('alpha=0.01 count=1 zero=0 min=-1 max=-1 sum=-1 pos= neg=0;1'),
    -- numbers out of range
    ('alpha=0.01 count=99999999999999999999 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.01 count=0 zero=-99999999999999999999 min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.01 count=1 zero=0 min=1e999 max=1 sum=1 pos=0:1 neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=0:99999999999999999999 neg='),
    -- alpha out of range
    ('alpha=0 count=0 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.00009999 count=0 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.50000001 count=0 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha=1 count=0 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha=-0.01 count=0 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha=NaN count=0 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha=Infinity count=0 zero=0 min=0 max=0 sum=0 pos= neg='),
    -- counts not adding up
    ('alpha=0.01 count=2 zero=0 min=1 max=1 sum=2 pos=0:1 neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=2 pos=0:1,1 neg='),
    ('alpha=0.01 count=1 zero=1 min=0 max=1 sum=1 pos=0:1 neg='),
    ('alpha=0.01 count=3 zero=1 min=-1 max=1 sum=0 pos=0:1 neg=0:0'),
    ('alpha=0.01 count=0 zero=0 min=0 max=0 sum=0 pos=0:0,0 neg=0:0'),
    ('alpha=0.01 count=-1 zero=0 min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.01 count=0 zero=-1 min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.01 count=1 zero=2 min=0 max=0 sum=0 pos= neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=0:2,-1 neg='),
    ('alpha=0.01 count=2 zero=0 min=1 max=1 sum=2 pos=0:9223372036854775807,9223372036854775807 neg='),
    ('alpha=0.01 count=9223372036854775807 zero=9223372036854775807 min=0 max=1 sum=1 pos=0:1 neg='),
    -- min, max and sum
    ('alpha=0.01 count=2 zero=0 min=2 max=1 sum=3 pos=0:1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1 neg='),
    ('alpha=0.01 count=1 zero=0 min=NaN max=1 sum=1 pos=0:1 neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=Infinity sum=1 pos=0:1 neg='),
    ('alpha=0.01 count=1 zero=0 min=-Infinity max=1 sum=1 pos=0:1 neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=NaN pos=0:1 neg='),
    ('alpha=0.01 count=0 zero=0 min=1 max=1 sum=0 pos= neg='),
    ('alpha=0.01 count=0 zero=0 min=0 max=0 sum=1 pos= neg='),
    -- min and max not agreeing with the bins
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos= neg=0:1'),
    ('alpha=0.01 count=1 zero=0 min=-1 max=-1 sum=-1 pos=0:1 neg='),
    ('alpha=0.01 count=2 zero=1 min=0.5 max=1 sum=1 pos=0:1 neg='),
    ('alpha=0.01 count=2 zero=1 min=-1 max=-0.5 sum=-1 pos= neg=0:1'),
    ('alpha=0.01 count=2 zero=0 min=-1 max=1 sum=0 pos=0:2 neg='),
    ('alpha=0.01 count=1 zero=1 min=0 max=1 sum=0 pos= neg='),
    -- bin offsets out of range (indexes must lie in [-2^23, 2^23 - 1])
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=8388609:1 neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=8388608:1 neg='),
    ('alpha=0.01 count=2 zero=0 min=1 max=1 sum=2 pos=8388607:1,1 neg='),
    ('alpha=0.01 count=1 zero=0 min=-1 max=-1 sum=-1 pos= neg=-8388609:1'),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=2147483648:1 neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=-99999999999999999999:1 neg=')
) t(s);

-- too many bins: 2^20 in all is the limit (2 MB of text here)
SELECT pg_temp.error(format('SELECT length(%L::slo.sketch::text)', s)) AS too_many
FROM (VALUES
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=0:1' || repeat(',0', 1048575) || ' neg='),
    ('alpha=0.01 count=1 zero=0 min=1 max=1 sum=1 pos=0:1' || repeat(',0', 1048576) || ' neg='),
    ('alpha=0.01 count=2 zero=0 min=-1 max=1 sum=0 pos=0:1' || repeat(',0', 524287)
       || ' neg=0:1' || repeat(',0', 524288))
) t(s);

-- ---------------------------------------------------------------------------
-- Binary send/recv and COPY
-- ---------------------------------------------------------------------------
-- the binary form: version, flags, alpha, count, zero, min, max, sum, then
-- for pos and neg: number of bins, offset, counts
SELECT slo_internal.sketch_send(slo.sketch(v, 0.5)) FROM sk_hand;
SELECT slo_internal.sketch_send('alpha=0.01 count=0 zero=0 min=0 max=0 sum=0 pos= neg=');

-- values keep in tables and survive text and binary COPY, large and
-- TOASTed ones included
CREATE TABLE sketches (id int, s slo.sketch);
INSERT INTO sketches
SELECT 1, slo.sketch(v, 0.5) FROM sk_hand
UNION ALL SELECT 2, slo.sketch(v) FROM sk_mixed
UNION ALL SELECT 3, 'alpha=0.01 count=0 zero=0 min=0 max=0 sum=0 pos= neg='
UNION ALL SELECT 4, NULL
UNION ALL SELECT 5, slo.sketch(v, 0.001) FROM (VALUES (1e-100::float8), (-1e100), (0), (1e100)) t(v)
UNION ALL SELECT 6, 'alpha=0.01 count=9223372036854775807 zero=9223372036854775806 min=-0 max=1 sum=1 pos=0:1 neg='
UNION ALL SELECT 7, slo.sketch(g::float8 / 7, 0.0001) FROM generate_series(1, 100000) g;
SELECT id, pg_column_size(s) < octet_length(slo_internal.sketch_send(s)) AS compressed, s::text::slo.sketch::text = s::text AS text_ok
FROM sketches ORDER BY id;
-- (through files in a scratch directory of the server's, removed at the
-- end of this file)
CREATE TEMP TABLE scratch (dir text);
COPY scratch FROM PROGRAM 'mktemp -d "${TMPDIR:-/tmp}/slo_regress.XXXXXX"';
SELECT dir || '/sketches.txt' AS sketches_txt, dir || '/sketches.bin' AS sketches_bin,
       format('rm -rf %L', dir) AS scratch_cleanup, set_config('regress.scratch', dir, false) IS NOT NULL AS set
FROM scratch \gset
COPY sketches TO :'sketches_txt';
COPY sketches TO :'sketches_bin' (FORMAT binary);
CREATE TABLE sketches_text (LIKE sketches);
CREATE TABLE sketches_bin (LIKE sketches);
COPY sketches_text FROM :'sketches_txt';
COPY sketches_bin FROM :'sketches_bin' (FORMAT binary);
SELECT a.id, length(a.s::text) AS length, a.s::text IS NOT DISTINCT FROM b.s::text AS text_ok,
       a.s::text IS NOT DISTINCT FROM c.s::text AS binary_ok,
       slo_internal.sketch_send(a.s) IS NOT DISTINCT FROM slo_internal.sketch_send(c.s) AS send_ok
FROM sketches a JOIN sketches_text b USING (id) JOIN sketches_bin c USING (id)
ORDER BY a.id;
-- merging stored sketches (as aggregates leave them: with room to grow at
-- their ends) and sketches read back from COPY gives the same sketch
SELECT slo.merge(a.s ORDER BY a.id)::text = slo.merge(c.s ORDER BY c.id DESC)::text AS merged_alike
FROM sketches a JOIN sketches_bin c USING (id) WHERE a.id IN (2, 3);

-- hostile binary values arrive through COPY FORMAT binary; each is an error
CREATE FUNCTION pg_temp.copy_binary_sketch(payload bytea) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    file bytea := '\x5047434f50590aff0d0a00'::bytea       -- signature
                  || '\x0000000000000000'::bytea         -- flags, header extension
                  || '\x0001'::bytea                     -- one field
                  || int4send(length(payload)) || payload
                  || '\xffff'::bytea;                    -- trailer
BEGIN
    EXECUTE format($c$COPY (SELECT %L) TO PROGRAM %L$c$, encode(file, 'hex'),
                   format('perl -ne ''chomp; print pack("H*", $_)'' > %s/hostile.bin', current_setting('regress.scratch')));
    CREATE TEMP TABLE IF NOT EXISTS hostile (s slo.sketch);
    TRUNCATE hostile;
    EXECUTE format('COPY hostile FROM %L (FORMAT binary)', current_setting('regress.scratch') || '/hostile.bin');
    RETURN (SELECT s::text FROM hostile);
END $$;
-- sk(version, flags, alpha, count, zero, min, max, sum, npos, pos offset,
--    pos counts, nneg, neg offset, neg counts) builds a binary payload;
-- npos and nneg are what the message claims, whatever the arrays hold
CREATE FUNCTION pg_temp.sk(ver int, flags int, alpha float8, cnt int8, zero int8,
                           mn float8, mx float8, sm float8,
                           npos int, poff int, pos int8[], nneg int, noff int, neg int8[])
RETURNS bytea LANGUAGE sql AS $$
SELECT set_byte(set_byte('\x0000'::bytea, 0, ver), 1, flags)
    || float8send(alpha) || int8send(cnt) || int8send(zero)
    || float8send(mn) || float8send(mx) || float8send(sm)
    || int4send(npos) || int4send(poff)
    || coalesce((SELECT string_agg(int8send(c), ''::bytea ORDER BY o) FROM unnest(pos) WITH ORDINALITY u(c, o)), '')
    || int4send(nneg) || int4send(noff)
    || coalesce((SELECT string_agg(int8send(c), ''::bytea ORDER BY o) FROM unnest(neg) WITH ORDINALITY u(c, o)), '')
$$;
-- the hand-checked sketch, built byte by byte, is what sketch_send sends
SELECT pg_temp.sk(1, 0, 0.5, 9, 2, -5, 100, 176, 5, 1, '{1,2,1,1,1}', 1, 2, '{1}')
       = (SELECT slo_internal.sketch_send(slo.sketch(v, 0.5)) FROM sk_hand) AS same_bytes;

-- truncated at every length: the header (version 1 byte, flags 1, alpha 8,
-- count 8, zero 8, min 8, max 8, sum 8: 50 bytes), then for each store its
-- number of bins 4, offset 4 and counts 8 each (58 + 40, 106 + 8): 114 bytes
SELECT result, min(len) || '..' || max(len) AS lengths, count(*) AS cases
FROM (SELECT len, pg_temp.error(format('SELECT pg_temp.copy_binary_sketch(%L)', substr(p, 1, len))) AS result
      FROM (SELECT pg_temp.sk(1, 0, 0.5, 9, 2, -5, 100, 176, 5, 1, '{1,2,1,1,1}', 1, 2, '{1}') AS p) x,
           generate_series(0, length(x.p)) len) t
GROUP BY result ORDER BY min(len);

SELECT label, pg_temp.error(format('SELECT pg_temp.copy_binary_sketch(%L)', payload)) AS result
FROM (VALUES
    ('well formed',         pg_temp.sk(1, 0, 0.5, 9, 2, -5, 100, 176, 5, 1, '{1,2,1,1,1}', 1, 2, '{1}')),
    ('empty sketch',        pg_temp.sk(1, 0, 0.01, 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('empty bins at ends',  pg_temp.sk(1, 0, 0.5, 9, 2, -5, 100, 176, 8, -1, '{0,0,1,2,1,1,1,0}', 3, 1, '{0,1,0}')),
    ('trailing byte',       pg_temp.sk(1, 0, 0.01, 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}') || '\x00'::bytea),
    ('trailing bin',        pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 1, 1, 0, '{1}', 0, 0, '{0}')),
    ('version 0',           pg_temp.sk(0, 0, 0.01, 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('version 2',           pg_temp.sk(2, 0, 0.01, 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('version 255',         pg_temp.sk(255, 0, 0.01, 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('flag 1',              pg_temp.sk(1, 1, 0.01, 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('flag 128',            pg_temp.sk(1, 128, 0.01, 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('alpha NaN',           pg_temp.sk(1, 0, 'NaN', 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('alpha 0',             pg_temp.sk(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('alpha 1',             pg_temp.sk(1, 0, 1, 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('alpha -0.01',         pg_temp.sk(1, 0, -0.01, 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('alpha Infinity',      pg_temp.sk(1, 0, 'Infinity', 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('alpha 0.00009',       pg_temp.sk(1, 0, 0.00009, 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('alpha 0.5000001',     pg_temp.sk(1, 0, 0.5000001, 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    -- bin counts claiming more than the message holds, or out of range
    ('npos 2^31 - 1',       pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 1, 2147483647, 0, '{1}', 0, 0, '{}')),
    ('npos 2^20 + 1',       pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 1, 1048577, 0, '{1}', 0, 0, '{}')),
    ('npos 2^20',           pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 1, 1048576, 0, '{1}', 0, 0, '{}')),
    ('npos 2 for 1',        pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 1, 2, 0, '{1}', 0, 0, '{}')),
    ('npos -1',             pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 1, -1, 0, '{1}', 0, 0, '{}')),
    ('npos -2^31',          pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 1, -2147483648, 0, '{1}', 0, 0, '{}')),
    ('npos 0 for 1',        pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 1, 0, 0, '{1}', 0, 0, '{}')),
    ('nneg 2^31 - 1',       pg_temp.sk(1, 0, 0.01, 1, 0, -1, -1, -1, 0, 0, '{}', 2147483647, 0, '{1}')),
    ('nneg 2 for 1',        pg_temp.sk(1, 0, 0.01, 1, 0, -1, -1, -1, 0, 0, '{}', 2, 0, '{1}')),
    ('nneg -1',             pg_temp.sk(1, 0, 0.01, 1, 0, -1, -1, -1, 0, 0, '{}', -1, 0, '{1}')),
    -- counts
    ('count -1',            pg_temp.sk(1, 0, 0.01, -1, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('count -2^63',         pg_temp.sk(1, 0, 0.01, -9223372036854775808, 0, 1, 1, 1, 1, 0, '{1}', 0, 0, '{}')),
    ('zero -1',             pg_temp.sk(1, 0, 0.01, 0, -1, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('zero > count',        pg_temp.sk(1, 0, 0.01, 1, 2, 0, 0, 0, 0, 0, '{}', 0, 0, '{}')),
    ('bin -1',              pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 1, 2, 0, '{2,-1}', 0, 0, '{}')),
    ('neg bin -1',          pg_temp.sk(1, 0, 0.01, 1, 0, -1, 1, 0, 1, 0, '{2}', 1, 0, '{-1}')),
    ('count 2, bins 1',     pg_temp.sk(1, 0, 0.01, 2, 0, 1, 1, 2, 1, 0, '{1}', 0, 0, '{}')),
    ('count 1, bins 2',     pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 1, 1, 0, '{1}', 1, 0, '{1}')),
    ('bins overflow',       pg_temp.sk(1, 0, 0.01, 9223372036854775807, 0, 1, 2, 3, 2, 0, '{4611686018427387904,4611686018427387904}', 0, 0, '{}')),
    -- min, max, sum
    ('min > max',           pg_temp.sk(1, 0, 0.01, 2, 0, 2, 1, 3, 2, 0, '{1,1}', 0, 0, '{}')),
    ('min NaN',             pg_temp.sk(1, 0, 0.01, 1, 0, 'NaN', 1, 1, 1, 0, '{1}', 0, 0, '{}')),
    ('max Infinity',        pg_temp.sk(1, 0, 0.01, 1, 0, 1, 'Infinity', 1, 1, 0, '{1}', 0, 0, '{}')),
    ('sum NaN',             pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 'NaN', 1, 0, '{1}', 0, 0, '{}')),
    ('sum Infinity',        pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 'Infinity', 1, 0, '{1}', 0, 0, '{}')),
    ('empty, min 1',        pg_temp.sk(1, 0, 0.01, 0, 0, 1, 1, 0, 0, 0, '{}', 0, 0, '{}')),
    ('min > 0, neg bin',    pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, -1, 0, 0, '{}', 1, 0, '{1}')),
    ('max < 0, pos bin',    pg_temp.sk(1, 0, 0.01, 1, 0, -1, -1, 1, 1, 0, '{1}', 0, 0, '{}')),
    ('min > 0 with zeros',  pg_temp.sk(1, 0, 0.01, 2, 1, 1, 1, 1, 1, 0, '{1}', 0, 0, '{}')),
    ('max > 0, no pos bin', pg_temp.sk(1, 0, 0.01, 1, 1, 0, 1, 0, 0, 0, '{}', 0, 0, '{}')),
    -- bin indexes
    ('pos offset 2^23',     pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 1, 1, 8388608, '{1}', 0, 0, '{}')),
    ('pos offset -2^23-1',  pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 1, 1, -8388609, '{1}', 0, 0, '{}')),
    ('pos offset 2^31 - 1', pg_temp.sk(1, 0, 0.01, 1, 0, 1, 1, 1, 1, 2147483647, '{1}', 0, 0, '{}')),
    ('neg offset -2^31',    pg_temp.sk(1, 0, 0.01, 1, 0, -1, -1, -1, 0, 0, '{}', 1, -2147483648, '{1}')),
    ('last bins 2^23 - 1',  pg_temp.sk(1, 0, 0.01, 2, 0, -1, 1, 0, 1, 8388607, '{1}', 1, 8388607, '{1}')),
    ('first bins -2^23',    pg_temp.sk(1, 0, 0.01, 2, 0, -1, 1, 0, 1, -8388608, '{1}', 1, -8388608, '{1}')),
    ('2 bins past 2^23 - 1', pg_temp.sk(1, 0, 0.01, 2, 0, 1, 1, 2, 2, 8388607, '{1,1}', 0, 0, '{}'))
) v(label, payload);

-- accepted extreme values: bins at the ends of the index range (whose
-- representatives overflow to infinity or underflow to 0) are read without
-- harm; percentiles stay clamped to [min, max]; a count of 2^63 - 1 (whose
-- rank at 1 does not fit in an int64) has its max at 1
SELECT s, slo.percentiles(s, '{0, 0.25, 0.5, 0.75, 1}'), slo.p_within(s, 0.5) AS p_within_half,
       slo.p_within(s, -0.5) AS p_within_minus_half
FROM (VALUES ('alpha=0.01 count=2 zero=0 min=-1 max=1 sum=0 pos=8388607:1 neg=8388607:1'::slo.sketch),
             ('alpha=0.01 count=9223372036854775807 zero=9223372036854775806 min=0 max=1 sum=1 pos=0:1 neg='),
             ('alpha=0.01 count=2 zero=0 min=-1 max=1 sum=0 pos=-8388608:1 neg=-8388608:1'),
             (('alpha=0.5 count=4 zero=0 min=-1 max=1 sum=0 pos=-8388608:1,' || repeat('0,', 9) || '1 neg=8388597:1,'
               || repeat('0,', 9) || '1')::slo.sketch)) t(s);

-- ---------------------------------------------------------------------------
-- Merging: the merge of per-group sketches is the sketch of all the values
-- (the values are integers, so that even the sum is exact in any order)
-- ---------------------------------------------------------------------------
CREATE TABLE sk_lat AS
SELECT g AS id, g % 10 AS grp,
       CASE WHEN g % 101 = 0 THEN NULL WHEN g % 103 = 0 THEN 'NaN'::float8
            WHEN g % 50 = 0 THEN 0 WHEN g % 70 = 0 THEN -(g % 13)
            ELSE (g * 7919) % 5000 + 1 END AS ms
FROM generate_series(1, 200000) g;
ANALYZE sk_lat;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE sk_lat_grp AS SELECT grp, slo.sketch(ms) AS s FROM sk_lat GROUP BY grp;
SELECT (SELECT slo.sketch(ms) FROM sk_lat)::text = (SELECT slo.merge(s) FROM sk_lat_grp)::text AS merge_equals_all,
       (SELECT slo.sketch(ms) FROM sk_lat)::text
         = (SELECT slo.merge(s) FROM (SELECT slo.merge(s) FROM sk_lat_grp GROUP BY grp % 3) t(s))::text AS merge_of_merges,
       (SELECT slo.sketch_count(slo.merge(s)) FROM sk_lat_grp) AS count;
SELECT grp, slo.sketch_count(s) AS count, slo.percentiles(s, '{0.5, 0.99}') AS p50_p99,
       slo.p_within(s, 1000) AS p_within_1000
FROM sk_lat_grp ORDER BY grp;
-- sketches of very different ranges (one of them twice, built in two
-- orders so that its room to grow differs), merged in either order: the
-- same bins, count, min and max as the sketch of all the values (the sum
-- of such values depends on the order of the additions)
CREATE FUNCTION pg_temp.nosum(s slo.sketch) RETURNS text LANGUAGE sql AS $$
SELECT regexp_replace(s::text, ' sum=\S+ ', ' ')
$$;
CREATE TEMP TABLE ranges AS
SELECT 1 AS k, slo.sketch(v, 0.001 ORDER BY v) AS s FROM (VALUES (1::float8), (1e200)) t(v)
UNION ALL SELECT 2, slo.sketch(v, 0.001 ORDER BY v DESC) FROM (VALUES (1::float8), (1e200)) t(v)
UNION ALL SELECT 3, slo.sketch(v, 0.001) FROM (VALUES (1e-200::float8)) t(v)
UNION ALL SELECT 4, slo.sketch(v, 0.001) FROM (VALUES (-1e100::float8), (-1e-100)) t(v);
CREATE TEMP TABLE ranges_all AS
SELECT pg_temp.nosum(slo.sketch(v, 0.001)) AS t
FROM (VALUES (1::float8), (1e200), (1e-200), (-1e100), (-1e-100)) t(v);
SELECT pg_temp.nosum(slo.merge(s ORDER BY k)) = (SELECT t FROM ranges_all) AS merged_1_3_4,
       pg_temp.nosum(slo.merge(s ORDER BY k DESC)) = (SELECT t FROM ranges_all) AS merged_4_3_1
FROM ranges WHERE k <> 2;
SELECT pg_temp.nosum(slo.merge(s ORDER BY k)) = (SELECT t FROM ranges_all) AS merged_2_3_4,
       pg_temp.nosum(slo.merge(s ORDER BY k DESC)) = (SELECT t FROM ranges_all) AS merged_4_3_2
FROM ranges WHERE k <> 1;

-- ---------------------------------------------------------------------------
-- Parallel plans: Partial Aggregate in the workers, combined by the leader,
-- give what the serial plan gives
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE serial AS
SELECT slo.sketch(ms) AS s, slo.sketch(ms, 0.05) AS s05,
       slo.merge(slo_internal.sketch_add(NULL, ms)) AS m
FROM sk_lat;
CREATE TEMP TABLE serial_grp AS SELECT grp, slo.sketch(ms) AS s FROM sk_lat GROUP BY grp;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT slo.sketch(ms), slo.sketch(ms, 0.05), slo.merge(slo_internal.sketch_add(NULL, ms)) FROM sk_lat;
SELECT p.s::text = s.s::text AS sketch_same, p.s05::text = s.s05::text AS sketch_alpha_same,
       p.m::text = s.m::text AS merge_same, slo.sketch_count(p.s) AS count,
       slo.percentiles(p.s, '{0, 0.5, 0.9, 0.99, 1}') AS percentiles
FROM (SELECT slo.sketch(ms) AS s, slo.sketch(ms, 0.05) AS s05, slo.merge(slo_internal.sketch_add(NULL, ms)) AS m
      FROM sk_lat) p, serial s;
EXPLAIN (COSTS OFF)
SELECT grp, slo.sketch(ms) FROM sk_lat GROUP BY grp;
SELECT count(*) AS groups, bool_and(p.s::text = s.s::text) AS all_same
FROM (SELECT grp, slo.sketch(ms) AS s FROM sk_lat GROUP BY grp) p JOIN serial_grp s USING (grp);
SET enable_hashagg = off;
SELECT count(*) AS groups, bool_and(p.s::text = s.s::text) AS all_same_sorted
FROM (SELECT grp, slo.sketch(ms) AS s FROM sk_lat GROUP BY grp) p JOIN serial_grp s USING (grp);
RESET enable_hashagg;
-- merging stored sketches in parallel
CREATE TABLE sk_lat_rollup AS SELECT id / 100 AS bucket, grp, slo.sketch(ms) AS s FROM sk_lat GROUP BY 1, 2;
ANALYZE sk_lat_rollup;
EXPLAIN (COSTS OFF)
SELECT slo.merge(s) FROM sk_lat_rollup;
SELECT slo.merge(s)::text = (SELECT s::text FROM serial) AS parallel_merge_same FROM sk_lat_rollup;
-- errors raised in a worker reach the client
SELECT pg_temp.error($$SELECT slo.sketch(CASE WHEN id = 123457 THEN 'Infinity' ELSE ms END) FROM sk_lat$$);
-- (either a worker sees both alphas, or each worker one and the leader
-- cannot combine them: both are 22023)
SELECT left(pg_temp.error($$SELECT slo.sketch(ms, CASE WHEN id < 100000 THEN 0.01 ELSE 0.02 END) FROM sk_lat$$), 6) AS two_alphas;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- the scratch directory goes
COPY (SELECT) TO PROGRAM :'scratch_cleanup';
