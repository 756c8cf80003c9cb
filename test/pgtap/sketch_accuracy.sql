-- test/pgtap/sketch_accuracy.sql
--
-- Accuracy of slo.sketch, as a property of seeded random data sets: every
-- percentile a sketch returns is within relative error alpha of the exact
-- percentile_disc at the same fraction,
--
--   |percentile(s, q) - percentile_disc(q)| <= alpha * |percentile_disc(q)| * (1 + 1e-9)
--
-- for q in 0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.
-- The 1e-9 allows for floating-point rounding where a value lies on a bin
-- boundary (the sketch computes ceil(log(x) / log(gamma)) in float8); the
-- error actually seen is reported in each assertion's description.  One
-- assertion covers every data set of a distribution at one alpha.
--
-- Distributions (sizes 1 to 100,000): lognormal (exp(mu + sigma z), z by
-- Box-Muller from random()), uniform, bimodal (two lognormal modes 1000x
-- apart), heavy-tailed (Pareto, 1 / u^(1/1.1)), mixed signs (negatives,
-- zeros and positives), all negative, heavy ties (rounded lognormal, zeros
-- included), wide (log-uniform over 1e-200 .. 1e200) and bin edges (the
-- float8 values at and next to gamma^i and at the representatives, for the
-- alpha they belong to).  Alphas 0.01 (the default), 0.05 and 0.001, and the
-- limits 0.0001 and 0.5.
--
-- A sketch holds at most 2^20 bins.  While it grows it keeps room to grow
-- (a quarter of its span on the side it grew), and that room counts against
-- the limit (a known bug, see the TODO tests at the end): a set needing N
-- bins may need up to about 1.7 N while it is built, depending on the order
-- of the values.  So every set here needs at most 460,000 bins at the alphas
-- it is built at: "wide" (2.3 million bins at alpha 0.0001) is not built at
-- 0.0001; the edge sets of alpha >= 0.01 span 1e-300 .. 1e300 in both signs
-- and are built only at alphas >= 0.01, those of 0.001 and 0.0001 span less.
--
-- The same accuracy through slo.merge of per-group sketches and through
-- forced parallel plans (partial sketches built by two workers and combined
-- by the leader): both give the very bins, count, min and max of the
-- one-pass sketch (the sum may differ in its last bits: float8 addition in
-- another order), hence the same percentiles.
--
-- p_within(s, bound) against the exact share of values <= bound.  The
-- sketch counts each bin by its representative value, so values in the bin
-- that holds the bound may be counted either way; every other value is
-- counted exactly.  Asserted: |p_within - exact share| <= the share of
-- values in the bound's bin (computed here with the sketch's own float8
-- formula).  At and beyond min and max it is exact.
--
-- Last, known problems as TODO tests (they fail today; see the comments).
--
-- Run by pg_prove in a database with pgtap and slo installed.  Everything
-- runs in one transaction and is rolled back.
BEGIN;
SELECT plan(76);

SET LOCAL client_min_messages = warning;
SET LOCAL max_parallel_workers_per_gather = 0;
DO $seed$ BEGIN PERFORM setseed(0.2718); END $seed$;

-- ---------------------------------------------------------------------------
-- Alphas, with 1 / log(gamma) computed exactly as src/sketch.c does.
-- ---------------------------------------------------------------------------
CREATE TABLE sa_alpha (alpha float8 PRIMARY KEY, inv_log_gamma float8 NOT NULL);
INSERT INTO sa_alpha
SELECT a, 1::float8 / ln((1::float8 + a) / (1::float8 - a))
FROM unnest('{0.01, 0.05, 0.001, 0.0001, 0.5}'::float8[]) a;

-- the bin of a value, as the sketch computes it ('z' for zero)
CREATE FUNCTION pg_temp.bin_of(v float8, inv_log_gamma float8) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $f$
SELECT CASE WHEN v > 0 THEN 'p' || ceil(ln(v) * inv_log_gamma)
            WHEN v < 0 THEN 'n' || ceil(ln(-v) * inv_log_gamma)
            ELSE 'z' END
$f$;

-- relative error of got against want (exact only when want is 0)
CREATE FUNCTION pg_temp.relerr(got float8, want float8) RETURNS float8
LANGUAGE sql IMMUTABLE AS $f$
SELECT CASE WHEN got = want THEN 0::float8
            WHEN want = 0 OR got IS NULL OR want IS NULL THEN 'Infinity'::float8
            ELSE abs(got - want) / abs(want) END
$f$;

-- ---------------------------------------------------------------------------
-- Data sets.  alpha_min: sketches of the set are built only at alphas >=
-- alpha_min (the value range must fit in 2^20 bins).
-- ---------------------------------------------------------------------------
CREATE TABLE sa_ds (ds int PRIMARY KEY, dist text NOT NULL, n int NOT NULL,
                    p1 float8, p2 float8, p3 float8, alpha_min float8 NOT NULL DEFAULT 0);

INSERT INTO sa_ds (ds, dist, n, p1, p2, p3)
SELECT row_number() OVER (ORDER BY d.o, s.n), d.dist, s.n,
       random(), random(), random()
FROM (VALUES (1, 'lognormal'), (2, 'uniform'), (3, 'bimodal'), (4, 'pareto')) d(o, dist),
     unnest('{1, 2, 3, 10, 100, 1000, 10000, 100000}'::int[]) s(n);
INSERT INTO sa_ds (ds, dist, n, p1, p2, p3)
SELECT 100 + row_number() OVER (ORDER BY d.o, s.n), d.dist, s.n, random(), random(), random()
FROM (VALUES (1, 'mixed', '{1, 2, 7, 1000, 100000}'::int[]),
             (2, 'negative', '{5, 1000, 20000}'::int[]),
             (3, 'ties', '{1000, 50000}'::int[])) d(o, dist, sizes),
     unnest(d.sizes) s(n);
INSERT INTO sa_ds (ds, dist, n, alpha_min) VALUES (201, 'wide', 1000, 0.001), (202, 'wide', 10000, 0.001);
-- bin edges: one set per alpha, 3000 exponents i, four values each
-- (p2: the exponents span |ln x| <= p2, so that the set fits in a sketch of
-- its own alpha, see above)
INSERT INTO sa_ds (ds, dist, n, p1, p2, alpha_min)
SELECT 300 + row_number() OVER (ORDER BY alpha), 'edges', 12000, alpha,
       CASE WHEN alpha = 0.0001 THEN 15 WHEN alpha = 0.001 THEN 200 ELSE 690 END,
       CASE WHEN alpha = 0.0001 THEN 0.0001 WHEN alpha = 0.001 THEN 0.001 ELSE 0.01 END
FROM sa_alpha;

-- standard normal, Box-Muller (1 - random() is in (0, 1])
CREATE FUNCTION pg_temp.z() RETURNS float8 LANGUAGE sql VOLATILE AS $f$
SELECT sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())
$f$;

CREATE TABLE sa_data (ds int NOT NULL, id int NOT NULL, v float8 NOT NULL);

INSERT INTO sa_data
SELECT d.ds, g,
       CASE d.dist
           -- mu in [0, 8), sigma in [0.3, 2.5)
           WHEN 'lognormal' THEN exp(8 * d.p1 + (0.3 + 2.2 * d.p2) * pg_temp.z())
           -- scale 1, 1000 or 1e6
           WHEN 'uniform' THEN random() * power(1000::float8, floor(d.p1 * 3))
           -- a mode near 2 and one near 2000, weight of the first in [0.5, 0.99)
           WHEN 'bimodal' THEN CASE WHEN random() < 0.5 + 0.49 * d.p1
                                    THEN exp(ln(2::float8) + 0.2 * pg_temp.z())
                                    ELSE exp(ln(2000::float8) + 0.4 * pg_temp.z()) END
           -- Pareto, shape 1.1, scale in [0.1, 100)
           WHEN 'pareto' THEN (0.1 + 99.9 * d.p1) / power(1 - random(), 1 / 1.1::float8)
           -- 15% zeros, 35% negative, 50% positive lognormal
           WHEN 'mixed' THEN CASE WHEN r < 0.15 THEN 0::float8
                                  WHEN r < 0.50 THEN -exp(3 + 1.5 * pg_temp.z())
                                  ELSE exp(4 + 2 * pg_temp.z()) END
           WHEN 'negative' THEN -10 / power(1 - random(), 1 / 1.1::float8)
           -- rounded to integers: heavy duplicates and some zeros
           WHEN 'ties' THEN round(exp(1 + 1.2 * pg_temp.z()))
           -- log-uniform over 1e-200 .. 1e200 (see above for why not wider)
           WHEN 'wide' THEN exp((2 * random() - 1) * 460.5)
       END
FROM sa_ds d, generate_series(1, d.n) g, LATERAL (SELECT random() + g * 0 AS r) rr
WHERE d.dist <> 'edges';

-- gamma^i, its two float8 neighbours, and the representative gamma^i (1 - alpha);
-- negated for odd i.  i spans the exponents of exp(-p2) .. exp(p2).
INSERT INTO sa_data
SELECT d.ds, 4 * k + j,
       (CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END)
       * CASE j WHEN 0 THEN e
                WHEN 1 THEN e * (1 + 2.220446049250313e-16)
                WHEN 2 THEN e * (1 - 1.1102230246251565e-16)
                ELSE e * (1 - d.p1) END
FROM sa_ds d
JOIN sa_alpha a ON a.alpha = d.p1,
     LATERAL (SELECT k, (round((2 * random() - 1) * floor(d.p2 * a.inv_log_gamma)))::int AS i
              FROM generate_series(0, 2999) k) ks,
     LATERAL (SELECT exp(ks.i / a.inv_log_gamma) AS e) ee,
     generate_series(0, 3) j
WHERE d.dist = 'edges';
ANALYZE sa_ds, sa_data;

CREATE TABLE sa_q (qs float8[] NOT NULL);
INSERT INTO sa_q VALUES ('{0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1}');

-- ---------------------------------------------------------------------------
-- Exact answers, and one-pass sketches at every alpha
-- ---------------------------------------------------------------------------
CREATE TABLE sa_exact AS
SELECT ds, count(*) AS n, min(v) AS vmin, max(v) AS vmax,
       sum(v) / count(*) AS vavg, sum(abs(v)) / count(*) AS vabs,   -- avg() squares: overflow
       percentile_disc((SELECT qs FROM sa_q)) WITHIN GROUP (ORDER BY v) AS want
FROM sa_data GROUP BY ds;

CREATE TABLE sa_sketch AS
SELECT a.alpha, d.ds, slo.sketch(d.v, a.alpha) AS s
FROM sa_data d JOIN sa_ds USING (ds) JOIN sa_alpha a ON a.alpha >= sa_ds.alpha_min
GROUP BY a.alpha, d.ds;

CREATE TABLE sa_err AS
SELECT k.alpha, k.ds, x.dist, x.n, u.q, u.got, u.want, pg_temp.relerr(u.got, u.want) AS err
FROM sa_sketch k JOIN sa_exact e USING (ds) JOIN sa_ds x USING (ds),
     LATERAL unnest((SELECT qs FROM sa_q), slo.percentiles(k.s, (SELECT qs FROM sa_q)), e.want) u(q, got, want);

-- ---------------------------------------------------------------------------
-- The data sets are what they claim to be.
-- ---------------------------------------------------------------------------
SELECT ok((SELECT bool_and(e.n = d.n) AND count(*) = (SELECT count(*) FROM sa_ds)
           FROM sa_exact e JOIN sa_ds d USING (ds))
          AND (SELECT min(n) = 1 AND max(n) = 100000 FROM sa_ds),
          format('%s data sets of 1 to 100000 values, %s values in all',
                 (SELECT count(*) FROM sa_ds), (SELECT count(*) FROM sa_data)));
SELECT ok((SELECT count(*) FILTER (WHERE v < 0) > 1000 AND count(*) FILTER (WHERE v = 0) > 1000
                  AND count(*) FILTER (WHERE v > 0) > 1000
           FROM sa_data JOIN sa_ds USING (ds) WHERE dist IN ('mixed', 'ties')),
          'the mixed and ties sets hold negatives, zeros and positives');
SELECT ok((SELECT min(v) < 1e-190 AND max(v) > 1e190 FROM sa_data JOIN sa_ds USING (ds) WHERE dist = 'wide')
          AND (SELECT max(v) > 1e5 FROM sa_data JOIN sa_ds USING (ds) WHERE dist = 'pareto')
          AND (SELECT min(abs(v)) < 1e-290 AND max(abs(v)) > 1e290 FROM sa_data JOIN sa_ds USING (ds) WHERE dist = 'edges'),
          'the wide sets span 1e-190 .. 1e190, the Pareto sets reach past 1e5, the edge sets 1e-290 .. 1e290');
SELECT is((SELECT count(*) FROM sa_sketch)::int,
          (SELECT count(*) FROM sa_ds d JOIN sa_alpha a ON a.alpha >= d.alpha_min)::int,
          'a sketch of every data set at every alpha it fits in');

-- ---------------------------------------------------------------------------
-- Accuracy: one assertion per distribution and alpha (44)
-- ---------------------------------------------------------------------------
SELECT ok(worst <= alpha * (1 + 1e-9),
          format('%s, alpha %s: %s data sets (n = %s .. %s), %s percentiles within alpha of percentile_disc; worst relative error %s (%s of alpha)',
                 dist, alpha, sets, nmin, nmax, cnt, worst, round((worst / alpha)::numeric, 12)))
FROM (SELECT alpha, dist, max(err) AS worst, count(DISTINCT ds) AS sets, min(n) AS nmin,
             max(n) AS nmax, count(*) AS cnt
      FROM sa_err GROUP BY alpha, dist) w
ORDER BY array_position('{0.01, 0.05, 0.001, 0.0001, 0.5}'::float8[], alpha),
         array_position('{lognormal, uniform, bimodal, pareto, mixed, negative, ties, wide, edges}'::text[], dist);

-- the worst cases, when something is off
SELECT diag(format('alpha %s, %s (ds %s, n %s), q %s: got %s, want %s, relative error %s',
                   alpha, dist, ds, n, q, got, want, err))
FROM (SELECT * FROM sa_err WHERE err > alpha * (1 + 1e-9) ORDER BY err / alpha DESC LIMIT 10) w;

SELECT is_empty($q$
    SELECT alpha, ds, q, got, want FROM sa_err
    WHERE (q = 0 AND got IS DISTINCT FROM (SELECT vmin FROM sa_exact e WHERE e.ds = sa_err.ds))
       OR (q = 1 AND got IS DISTINCT FROM (SELECT vmax FROM sa_exact e WHERE e.ds = sa_err.ds)) $q$,
    'percentiles 0 and 1 are exactly the min and max, at every alpha');

SELECT is_empty($q$
    SELECT k.alpha, k.ds, u.q, u.many, slo.percentile(k.s, u.q) AS one
    FROM sa_sketch k,
         LATERAL unnest((SELECT qs FROM sa_q), slo.percentiles(k.s, (SELECT qs FROM sa_q))) u(q, many)
    WHERE u.many IS DISTINCT FROM slo.percentile(k.s, u.q) $q$,
    'percentiles(s, q[]) gives what percentile(s, q) gives for each q');

SELECT is_empty($q$
    SELECT k.alpha, k.ds FROM sa_sketch k JOIN sa_exact e USING (ds)
    WHERE slo.sketch_count(k.s) <> e.n OR slo.sketch_min(k.s) <> e.vmin
       OR slo.sketch_max(k.s) <> e.vmax OR slo.sketch_alpha(k.s) <> k.alpha
       OR abs(slo.sketch_mean(k.s) - e.vavg) > 1e-12 * e.vabs $q$,
    'sketch_count, sketch_min, sketch_max and sketch_alpha are exact; sketch_mean equals avg() to 1e-12 of the mean magnitude');

-- the text form round-trips every sketch built here, large ones included
SELECT is_empty($q$
    SELECT alpha, ds FROM sa_sketch WHERE s::text::slo.sketch::text <> s::text $q$,
    'every sketch round-trips through its text form');

-- ---------------------------------------------------------------------------
-- slo.merge of per-group sketches (seven groups, by id % 7; a set of fewer
-- than seven values has empty groups, that is fewer sketches to merge)
-- ---------------------------------------------------------------------------
CREATE TABLE sa_group AS
SELECT a.alpha, d.ds, d.id % 7 AS g, slo.sketch(d.v, a.alpha) AS s
FROM sa_data d JOIN sa_ds USING (ds) JOIN sa_alpha a ON a.alpha >= sa_ds.alpha_min
GROUP BY a.alpha, d.ds, d.id % 7;

CREATE TABLE sa_merged AS
SELECT alpha, ds, slo.merge(s ORDER BY g DESC) AS s FROM sa_group GROUP BY alpha, ds;

-- the sketch without its sum, which depends on the order of float8 additions
CREATE FUNCTION pg_temp.nosum(s slo.sketch) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT regexp_replace(s::text, ' sum=\S+ ', ' ')
$f$;

SELECT is((SELECT count(*) FROM sa_merged m JOIN sa_sketch k USING (alpha, ds)
           WHERE m.alpha = a.alpha AND pg_temp.nosum(m.s) = pg_temp.nosum(k.s))::int,
          (SELECT count(*) FROM sa_sketch k WHERE k.alpha = a.alpha)::int,
          format('alpha %s: merge of 7 per-group sketches has the bins, count, min and max of the one-pass sketch, on every data set; worst relative error of its percentiles %s',
                 a.alpha,
                 (SELECT max(pg_temp.relerr(u.got, u.want))
                  FROM sa_merged m JOIN sa_exact e USING (ds),
                       LATERAL unnest(slo.percentiles(m.s, (SELECT qs FROM sa_q)), e.want) u(got, want)
                  WHERE m.alpha = a.alpha)))
FROM sa_alpha a
ORDER BY array_position('{0.01, 0.05, 0.001, 0.0001, 0.5}'::float8[], a.alpha);

-- merging the merged sketches of two halves again, in the other order
SELECT is_empty($q$
    SELECT alpha, ds FROM (
        SELECT alpha, ds, slo.merge(h ORDER BY half) AS s
        FROM (SELECT alpha, ds, g < 3 AS half, slo.merge(s) AS h FROM sa_group GROUP BY alpha, ds, g < 3) x
        GROUP BY alpha, ds) two
    JOIN sa_sketch k USING (alpha, ds)
    WHERE pg_temp.nosum(two.s) <> pg_temp.nosum(k.s) $q$,
    'merging merged sketches (two halves) also gives the one-pass bins, count, min and max');

-- ---------------------------------------------------------------------------
-- Forced parallel plans: each worker builds partial sketches, the leader
-- combines them (parallel_leader_participation off: it builds none itself)
-- ---------------------------------------------------------------------------
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_leader_participation = off;

CREATE TABLE sa_plans (alpha float8, kind text, plan text NOT NULL);
CREATE TABLE sa_par (alpha float8, ds int, s slo.sketch);

-- Run a query under EXPLAIN ANALYZE, keeping its plan, for each alpha:
-- grouped by data set (hashed), and ungrouped for the 100,000-value
-- lognormal set (a FILTER, so that both workers scan the whole table).
DO $$
DECLARE
    a float8;
    line text;
    plan text;
    big int := (SELECT ds FROM sa_ds WHERE dist = 'lognormal' AND n = 100000);
BEGIN
    FOR a IN SELECT alpha FROM sa_alpha ORDER BY alpha LOOP
        plan := '';
        FOR line IN EXECUTE format(
            'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
             CREATE TABLE sa_par_tmp AS
             SELECT %1$s::float8 AS alpha, ds, slo.sketch(v, %1$s) AS s FROM sa_data
             WHERE ds IN (SELECT ds FROM sa_ds WHERE alpha_min <= %1$s) GROUP BY ds', a)
        LOOP
            plan := plan || line || E'\n';
        END LOOP;
        INSERT INTO sa_plans VALUES (a, 'grouped', plan);
        INSERT INTO sa_par SELECT * FROM sa_par_tmp;
        DROP TABLE sa_par_tmp;

        plan := '';
        FOR line IN EXECUTE format(
            'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
             CREATE TABLE sa_par_tmp AS
             SELECT slo.sketch(v, %1$s) FILTER (WHERE ds = %2$s) AS s FROM sa_data', a, big)
        LOOP
            plan := plan || line || E'\n';
        END LOOP;
        INSERT INTO sa_plans VALUES (a, 'ungrouped', plan);
        INSERT INTO sa_par SELECT a, -big, s FROM sa_par_tmp;
        DROP TABLE sa_par_tmp;
    END LOOP;
END $$;

RESET parallel_leader_participation;
SET LOCAL max_parallel_workers_per_gather = 0;

SELECT is_empty($q$
    SELECT alpha, kind, plan FROM sa_plans
    WHERE plan !~ 'Workers Launched: 2\M'
       OR (kind = 'grouped' AND plan !~ 'Gather.*\n(.*\n)*.*Partial (Hash|Group)Aggregate \(actual rows=\d+ loops=2\)')
       OR (kind = 'ungrouped' AND plan !~ 'Finalize Aggregate.*\n.*Gather.*\n(.*\n)*.*Partial Aggregate \(actual rows=1 loops=2\)') $q$,
    'every parallel run had partial aggregation in each of two launched workers under Gather');

SELECT is((SELECT count(*) FROM sa_par p JOIN sa_sketch k ON k.alpha = p.alpha AND k.ds = abs(p.ds)
           WHERE p.alpha = a.alpha AND pg_temp.nosum(p.s) = pg_temp.nosum(k.s))::int,
          (SELECT count(*) + 1 FROM sa_sketch k WHERE k.alpha = a.alpha)::int,
          format('alpha %s: sketches built by parallel workers and combined have the bins, count, min and max of the serial sketch (grouped, every data set, and ungrouped); worst relative error %s',
                 a.alpha,
                 (SELECT max(pg_temp.relerr(u.got, u.want))
                  FROM sa_par p JOIN sa_exact e ON e.ds = abs(p.ds),
                       LATERAL unnest(slo.percentiles(p.s, (SELECT qs FROM sa_q)), e.want) u(got, want)
                  WHERE p.alpha = a.alpha)))
FROM sa_alpha a
ORDER BY array_position('{0.01, 0.05, 0.001, 0.0001, 0.5}'::float8[], a.alpha);

-- ---------------------------------------------------------------------------
-- p_within(s, bound) against the exact share, on the data sets of up to
-- 20,000 values.  Bounds: the exact percentiles 0.01, 0.5, 0.9 and 0.999
-- (values of the set, so the bound's bin holds at least one value), and
-- 0, 1, -1, 250 and 1e6.
-- ---------------------------------------------------------------------------
CREATE TABLE sa_bound AS
SELECT ds, b
FROM sa_exact e JOIN sa_ds d USING (ds),
     LATERAL (SELECT e.want[i] AS b FROM unnest('{3, 6, 8, 11}'::int[]) i
              UNION SELECT unnest('{0, 1, -1, 250, 1e6}'::float8[])) bb
WHERE d.n <= 20000;

-- the exact share of each bound (it does not depend on alpha)
CREATE TABLE sa_bound_share AS
SELECT x.ds, x.b, avg((d.v <= x.b)::int::float8) AS exact
FROM sa_bound x JOIN sa_data d USING (ds) GROUP BY x.ds, x.b;

-- how many values each bin holds
CREATE TABLE sa_bin AS
SELECT a.alpha, d.ds, pg_temp.bin_of(d.v, a.inv_log_gamma) AS bin, count(*) AS cnt
FROM sa_data d JOIN sa_ds USING (ds) JOIN sa_alpha a ON a.alpha >= sa_ds.alpha_min
WHERE sa_ds.n <= 20000
GROUP BY 1, 2, 3;

CREATE TABLE sa_share AS
SELECT a.alpha, x.ds, x.b, x.exact, e.n, coalesce(k.cnt, 0)::float8 / e.n AS in_bin
FROM sa_bound_share x JOIN sa_exact e USING (ds) JOIN sa_ds d USING (ds)
     JOIN sa_alpha a ON a.alpha >= d.alpha_min
     LEFT JOIN sa_bin k ON k.alpha = a.alpha AND k.ds = x.ds AND k.bin = pg_temp.bin_of(x.b, a.inv_log_gamma);

CREATE TABLE sa_pw AS
SELECT h.*, slo.p_within(k.s, h.b) AS got, abs(slo.p_within(k.s, h.b) - h.exact) AS err
FROM sa_share h JOIN sa_sketch k USING (alpha, ds);

SELECT ok(bool_and(err <= in_bin + 1e-12),
          format('alpha %s: p_within on %s (data set, bound) pairs of %s data sets is off the exact share by at most the share of values in the bound''s bin; %s exact; largest error %s (that bin holds %s); on sets of 1000 values or more, largest error %s (that bin holds %s)',
                 alpha, count(*), count(DISTINCT ds), count(*) FILTER (WHERE err = 0),
                 max(err), (array_agg(in_bin ORDER BY err DESC, in_bin))[1],
                 max(err) FILTER (WHERE n >= 1000),
                 (array_agg(in_bin ORDER BY err DESC, in_bin) FILTER (WHERE n >= 1000))[1]))
FROM sa_pw GROUP BY alpha
ORDER BY array_position('{0.01, 0.05, 0.001, 0.0001, 0.5}'::float8[], alpha);

SELECT diag(format('p_within alpha %s ds %s bound %s: got %s, exact %s, share in the bound''s bin %s',
                   alpha, ds, b, got, exact, in_bin))
FROM (SELECT * FROM sa_pw WHERE err > in_bin + 1e-12 ORDER BY err - in_bin DESC LIMIT 10) w;

SELECT is_empty($q$
    SELECT k.alpha, k.ds FROM sa_sketch k JOIN sa_exact e USING (ds)
    WHERE slo.p_within(k.s, e.vmax) <> 1 OR slo.p_within(k.s, e.vmax + abs(e.vmax) + 1) <> 1
       OR slo.p_within(k.s, 'Infinity') <> 1 OR slo.p_within(k.s, '-Infinity') <> 0
       OR slo.p_within(k.s, e.vmin - abs(e.vmin) - 1) <> 0 $q$,
    'p_within is exactly 1 at and above max, 0 below min, at every alpha');

-- the rank ceil(q * count) of a count near 2^63 does not fit in an int64
-- (it was cast anyway: percentile(s, 1) answered the min)
SELECT is(slo.percentiles('alpha=0.01 count=9223372036854775807 zero=9223372036854775806 min=0 max=1 sum=1 pos=0:1 neg='::slo.sketch,
                          '{0, 0.5, 0.9999999999, 1}'),
          '{0, 0, 0, 1}'::float8[], 'percentiles of a sketch of 2^63 - 1 values: 1 is the max');

-- ---------------------------------------------------------------------------
-- Fixed problems, kept as tests; and one known limitation (TODO)
-- ---------------------------------------------------------------------------
SELECT lives_ok($q$
    SELECT slo.merge(s)::text::slo.sketch
    FROM (SELECT slo.sketch(x) AS s FROM (VALUES (1, 1e308), (1, 1e308), (2, -1e308), (2, -1e308)) v(g, x) GROUP BY g) t $q$,
    'a merged sketch (sum +Infinity + -Infinity) reads back from its own text');

SELECT lives_ok($q$
    SELECT slo.sketch(x, 0.0001 ORDER BY x) FROM (VALUES (1.0::float8), (1e78)) v(x) $q$,
    'values needing 898,009 bins at alpha 0.0001 (below the 1,048,576 limit; sketch_in accepts that sketch) build a sketch');
SELECT lives_ok($q$
    SELECT slo.sketch(x, 0.001 ORDER BY o) FROM (VALUES (1, 1e-300), (2, 1e300), (3, 1e-301)) v(o, x) $q$,
    'values needing 691,925 bins at alpha 0.001 build a sketch in any order (they do when 1e-301 comes first)');
SELECT lives_ok($q$
    SELECT slo.merge(s)
    FROM (SELECT slo.sketch(x, 0.001 ORDER BY x) AS s FROM (VALUES (1e-300), (1e300)) v(x)
          UNION ALL SELECT slo.sketch(1e-301, 0.001)) t $q$,
    'merging a sketch of 1e-300 and 1e300 with one of 1e-301 at alpha 0.001 works (it does after a text round trip of the first)');


SELECT todo('known limitation: subnormal values (below 2.2e-308) have too few digits for a representative within alpha', 1);
SELECT ok((SELECT max(pg_temp.relerr(slo.percentile(slo_internal.sketch_add(slo_internal.sketch_add(slo_internal.sketch_add(NULL, v * 0.5, 0.01), v, 0.01), v * 2, 0.01), 0.5), v))
           FROM (SELECT g * 5e-324::float8 AS v FROM generate_series(20, 2000) g) d) <= 0.01 * (1 + 1e-9),
          'the median of {v/2, v, 2v} is within alpha 0.01 of v for subnormal v');

SELECT * FROM finish();
ROLLBACK;
