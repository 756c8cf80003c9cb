--
-- Results of the counting aggregates on small data sets whose answers can be
-- checked by hand.
--


CREATE TABLE requests (ts timestamptz, latency_ms float8, ok boolean, wait interval);
INSERT INTO requests VALUES
    ('2026-11-01 10:00+00',  100, true,  '10 seconds'),
    ('2026-11-01 10:01+00',  250, true,  '2 minutes'),   -- on the bound: within
    ('2026-11-01 10:02+00',  251, true,  '121 seconds'),
    ('2026-11-01 10:03+00', 4000, false, '1 hour'),
    ('2026-11-01 10:04+00', NULL, NULL,  NULL),          -- skipped everywhere
    ('2026-11-01 10:05+00',   20, true,  '0 seconds'),
    ('2026-11-01 10:06+00',  250, false, '00:02:00'),
    ('2026-11-01 10:07+00',   80, true,  '1 second'),
    ('2026-11-01 10:08+00',   90, true,  '1 second');

-- 8 valid latencies, 6 within 250 ms (inclusive); 8 ok values, 2 bad
SELECT slo.p_within(latency_ms, 250)   AS p_fast,
       slo.p_within(wait, '2 minutes') AS p_wait,
       slo.p_within(ok)                AS p_ok,
       count(*)                        AS rows
FROM requests;

-- burn rate: (2/8) / (1 - 0.75) = 1.0 spends exactly the budget
SELECT slo.burn_rate(ok, 0.75)        AS burn,
       slo.budget_remaining(ok, 0.75) AS remaining
FROM requests;

-- overspent: the remaining budget goes negative, never clamped
SELECT slo.burn_rate(ok, 0.9)        AS burn,
       slo.budget_remaining(ok, 0.9) AS remaining
FROM requests;

-- no rows, and only NULL rows, give NULL (never 0 or 1)
SELECT slo.p_within(latency_ms, 250) AS p_fast, slo.p_within(ok) AS p_ok,
       slo.burn_rate(ok, 0.99) AS burn, slo.budget_remaining(ok, 0.99) AS remaining
FROM requests WHERE false;
SELECT slo.p_within(latency_ms, 250) AS p_fast, slo.p_within(wait, '1 minute') AS p_wait,
       slo.p_within(ok) AS p_ok, slo.burn_rate(ok, 0.99) AS burn
FROM requests WHERE latency_ms IS NULL;

-- a NULL bound or target skips the row like a NULL value
SELECT slo.p_within(latency_ms, CASE WHEN latency_ms > 200 THEN 250 END) AS p_fast,
       slo.burn_rate(ok, CASE WHEN ok THEN 0.9 END) AS burn_of_good_rows_only
FROM requests;

-- the bound may vary per row (per-route thresholds)
SELECT slo.p_within(latency_ms, CASE WHEN ok THEN 250 ELSE 5000 END) FROM requests;

-- NaN is above every number, so never within a bound; infinities compare as usual
SELECT slo.p_within(v, 1e308)       AS within_1e308,
       slo.p_within(v, 'Infinity')  AS within_inf,
       slo.p_within(v, '-Infinity') AS within_minus_inf
FROM (VALUES ('NaN'::float8), ('Infinity'), ('-Infinity'), (0), (1e308)) t(v);

-- intervals compare as PostgreSQL does: 1 month = 30 days = 720 hours
SELECT slo.p_within(v, '30 days') AS p
FROM (VALUES ('1 month'::interval), ('720 hours'), ('30 days 1 second'), ('-1 day')) t(v);

-- grouped, and with FILTER
SELECT ok, slo.p_within(latency_ms, 250) FROM requests GROUP BY ok ORDER BY ok;
SELECT slo.p_within(latency_ms, 250) FILTER (WHERE ts < '2026-11-01 10:04+00') FROM requests;

-- pre-counted rows, e.g. rollup buckets: (good, valid) per bucket
CREATE TABLE buckets (bucket timestamptz, good bigint, valid bigint);
INSERT INTO buckets VALUES
    ('2026-11-01 10:00+00', 999, 1000),
    ('2026-11-01 10:05+00', 990, 1000),
    ('2026-11-01 10:10+00',   0,    0),
    ('2026-11-01 10:15+00', NULL, 100);
-- 11 bad out of 2000 at 99.9% (the NULL row is skipped): burn 5.5, budget
-- remaining 1 - 11/2 = -4.5, up to float8 rounding
SELECT slo.burn_rate(good, valid, 0.999)        AS burn,
       slo.budget_remaining(good, valid, 0.999) AS remaining
FROM buckets;
SELECT slo.burn_rate(good, valid, 0.999) FROM buckets WHERE valid = 0;
SELECT slo.burn_rate(good, valid, 0.999) FROM buckets WHERE false;

-- the scalar forms over one pair of counts
SELECT slo.burn_rate_of(990, 1000, 0.99)        AS burn,
       slo.budget_remaining_of(990, 1000, 0.99) AS remaining,
       slo.burn_rate_of(0, 0, 0.99)             AS burn_no_events,
       slo.burn_rate_of(NULL, 10, 0.99)         AS burn_null;

-- the aggregates equal their SQL definitions bit for bit
SELECT slo.burn_rate(ok, 0.999) = (count(*) FILTER (WHERE NOT ok))::float8 / count(ok)::float8 / (1::float8 - 0.999) AS burn_same,
       slo.budget_remaining(ok, 0.999) = 1::float8 - (count(*) FILTER (WHERE NOT ok))::float8 / ((1::float8 - 0.999) * count(ok)::float8) AS remaining_same,
       slo.p_within(latency_ms, 250) = (count(*) FILTER (WHERE latency_ms <= 250))::float8 / count(latency_ms) AS p_within_same
FROM requests;

-- the transition functions never modify a state passed to them directly
SELECT t AS before, slo_internal.tally_bool(t, false) AS after, t AS still
FROM (SELECT 'valid=1 good=1'::slo.tally AS t) s;
SELECT slo.tally_sli('valid=4 good=3'), slo.tally_burn_rate('valid=4 good=3 target=0.5'),
       slo.tally_budget_remaining('valid=4 good=3 target=0.5'), slo.tally_sli('valid=0 good=0');
SELECT slo_internal.tally_combine('valid=4 good=3 target=0.5', 'valid=6 good=6'),
       slo_internal.tally_combine(NULL, 'valid=6 good=6'), slo_internal.tally_combine('valid=1 good=0', NULL),
       slo_internal.tally_combine(NULL, NULL);
