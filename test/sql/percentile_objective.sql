--
-- Percentile objectives: "p95 <= 250 ms in each 5-minute slice", evaluated
-- from per-minute sketches in the rollup.
--
SET TIME ZONE 'UTC';
\set SHOW_CONTEXT never
CREATE FUNCTION pg_temp.error(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; st text; m text;
BEGIN
    EXECUTE q INTO r;
    RETURN 'ok: ' || coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT;
    RETURN st || ': ' || m;
END $$;

-- Two hours of requests, one a second.  Latency cycles 50..149 ms, except
-- [11:00, 11:05) when it is 400..449 ms: exactly one bad 5-minute slice.
CREATE TABLE pct_requests (ts timestamptz NOT NULL, latency_ms float8);
CREATE INDEX ON pct_requests (ts);
INSERT INTO pct_requests
SELECT timestamptz '2026-11-20 10:00+00' + g * interval '1 second',
       CASE WHEN g BETWEEN 3600 AND 3899 THEN 400 + g % 50 ELSE 50 + g % 100 END
FROM generate_series(0, 7199) g;
SELECT slo.define_service('pct');

-- definition errors
SELECT pg_temp.error($$SELECT slo.define_objective('pct', 'x', source => 'pct_requests', value => 'latency_ms',
    percentile => 1.5, op => 'le', threshold => '250', budgeting => 'timeslices', slice => '5 minutes', target => 0.99)$$);
SELECT pg_temp.error($$SELECT slo.define_objective('pct', 'x', source => 'pct_requests', value => 'latency_ms',
    percentile => 0.95, op => 'le', threshold => '250', target => 0.99)$$);
SELECT pg_temp.error($$SELECT slo.define_objective('pct', 'x', source => 'pct_requests', value => 'ts',
    percentile => 0.95, op => 'le', threshold => '250', budgeting => 'timeslices', slice => '5 minutes', target => 0.99)$$);
SELECT pg_temp.error($$SELECT slo.define_objective('pct', 'x', source => 'pct_requests', value => 'latency_ms',
    percentile => 0.95, op => 'le', threshold => 'fast', budgeting => 'timeslices', slice => '5 minutes', target => 0.99)$$);
SELECT pg_temp.error($$SELECT slo.define_objective('pct', 'x', source => 'pct_requests', value => 'latency_ms',
    percentile => 0.95, op => 'about', threshold => '250', budgeting => 'timeslices', slice => '5 minutes', target => 0.99)$$);
SELECT count(*) AS objectives FROM slo.objective WHERE service = 'pct';

SELECT slo.define_objective('pct', 'p95-under-250', source => 'pct_requests', value => 'latency_ms',
    percentile => 0.95, op => 'le', threshold => '250', budgeting => 'timeslices', slice => '5 minutes',
    target => 0.99, window_length => '1 day') IS NOT NULL AS defined;
SELECT slo.define_objective('pct', 'p99-under-120-hourly', source => 'pct_requests', value => 'latency_ms',
    percentile => 0.99, op => 'le', threshold => '120', budgeting => 'timeslices', slice => '1 hour',
    target => 0.9, window_length => '1 day') IS NOT NULL AS defined;
SELECT name, sli_kind, percentile, op, threshold, good_expr, valid_expr FROM slo.objective
WHERE service = 'pct' ORDER BY id;

CALL slo.tick(at => '2026-11-20 12:00+00');
-- p95-under-250: 24 slices of 5 minutes, one bad (11:00).  SLI 23/24;
--   budget (1 - 0.99) * 288 slices * 5 min = 14.4 minutes; consumed 1/2.88;
--   burn 1h: 1/12 / 0.01 = 8.333333; 6h and beyond: 1/24 / 0.01 = 4.166667.
-- p99-under-120-hourly: two 1-hour slices; the p99 of each is about 148 ms
--   (values cycle 50..149), so both are bad: SLI 0.
SELECT objective, round(sli::numeric, 6) AS sli, round(error_budget::numeric, 6) AS budget,
       budget_unit, round(consumed::numeric, 6) AS consumed, round(burn_1h::numeric, 6) AS burn_1h,
       round(burn_6h::numeric, 6) AS burn_6h, valid, good
FROM slo.status WHERE service = 'pct' ORDER BY objective;

-- the rollup's sketches equal fresh sketches of the raw rows, minute by minute
CREATE FUNCTION pg_temp.sketch_mismatches() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*)
    FROM (SELECT date_bin('1 minute', ts, '2000-01-01 00:00+00') AS bucket, count(*) AS valid,
                 slo.sketch(latency_ms)::text AS sketch
          FROM pct_requests WHERE latency_ms IS NOT NULL GROUP BY 1) fresh
    FULL JOIN (SELECT bucket, valid, sketch::text AS sketch FROM slo.rollup r
               JOIN slo.objective o ON o.id = r.objective_id AND o.name = 'p95-under-250') kept
    USING (bucket)
    WHERE (fresh.valid, fresh.sketch) IS DISTINCT FROM (kept.valid, kept.sketch)
$$;
SELECT pg_temp.sketch_mismatches() AS mismatches;

-- late and changed rows: a slow burst lands in 10:30 (a second bad slice),
-- the 11:00 slice is repaired, a row is deleted; one tick later the rollup
-- is a fresh recount again
INSERT INTO pct_requests SELECT timestamptz '2026-11-20 10:30+00' + g * interval '100 ms', 900
FROM generate_series(0, 99) g;
UPDATE pct_requests SET latency_ms = 100 WHERE ts >= '2026-11-20 11:00+00' AND ts < '2026-11-20 11:05+00';
DELETE FROM pct_requests WHERE ts = '2026-11-20 10:45:00+00';
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT pg_temp.sketch_mismatches() AS mismatches;
SELECT buckets_recounted FROM slo.tick_log ORDER BY id DESC LIMIT 1;
-- p95-under-250 now: the 10:30 slice holds 400 values (300 + 100), 100 of
--   them 900 ms: its p95 is 900 -> bad; 11:00 is good again.  Still 1 bad
--   of 24.  valid 7200 + 100 - 1; good 6900 + 300 repaired - 1 deleted.
--   7 minutes changed (10:30, 10:45, 11:00..11:04), for 2 objectives: 14.
SELECT objective, round(sli::numeric, 6) AS sli, valid, good FROM slo.status
WHERE service = 'pct' ORDER BY objective;
