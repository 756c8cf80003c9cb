--
-- Window forms: moving frames use the inverse transition functions, and each
-- row's answer equals the SQL definition over the same frame.
--
CREATE TABLE win AS
SELECT g AS id,
       timestamptz '2026-11-01 00:00+00' + g * interval '7 minutes' AS ts,
       CASE WHEN g % 13 = 0 THEN NULL ELSE g % 7 <> 0 END AS ok,
       CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 37 % 500)::float8 END AS latency_ms,
       make_interval(secs => g * 13 % 200) AS wait,
       (g % 5)::bigint AS good, 5::bigint AS valid
FROM generate_series(1, 2000) g;

-- an hour of history per row, as a runbook would ask
SELECT id, ts, ok,
       slo.burn_rate(ok, 0.9) OVER w        AS burn_1h,
       slo.budget_remaining(ok, 0.9) OVER w AS remaining_1h,
       slo.p_within(latency_ms, 250) OVER w AS p_fast_1h
FROM win
WINDOW w AS (ORDER BY ts RANGE BETWEEN '1 hour' PRECEDING AND CURRENT ROW)
ORDER BY id LIMIT 12;

-- every row of every form equals its SQL definition over the same frame
SELECT count(*) AS rows,
       count(*) FILTER (WHERE burn IS DISTINCT FROM burn_sql) AS burn_mismatches,
       count(*) FILTER (WHERE remaining IS DISTINCT FROM remaining_sql) AS remaining_mismatches,
       count(*) FILTER (WHERE p_fast IS DISTINCT FROM p_fast_sql) AS p_fast_mismatches,
       count(*) FILTER (WHERE p_wait IS DISTINCT FROM p_wait_sql) AS p_wait_mismatches,
       count(*) FILTER (WHERE p_ok IS DISTINCT FROM p_ok_sql) AS p_ok_mismatches,
       count(*) FILTER (WHERE burn_counts IS DISTINCT FROM burn_counts_sql) AS counts_mismatches,
       count(*) FILTER (WHERE burn IS NULL) AS frames_without_events
FROM (
    SELECT slo.burn_rate(ok, 0.9) OVER w AS burn,
           (count(*) FILTER (WHERE NOT ok) OVER w)::float8 / (count(ok) OVER w)::float8 / (1::float8 - 0.9) AS burn_sql,
           slo.budget_remaining(ok, 0.9) OVER w AS remaining,
           1::float8 - (count(*) FILTER (WHERE NOT ok) OVER w)::float8 / ((1::float8 - 0.9) * (count(ok) OVER w)::float8) AS remaining_sql,
           slo.p_within(latency_ms, 250) OVER w AS p_fast,
           (count(*) FILTER (WHERE latency_ms <= 250) OVER w)::float8 / (count(latency_ms) OVER w) AS p_fast_sql,
           slo.p_within(wait, '1 minute') OVER w AS p_wait,
           (count(*) FILTER (WHERE wait <= '1 minute') OVER w)::float8 / (count(wait) OVER w) AS p_wait_sql,
           slo.p_within(ok) OVER w AS p_ok,
           (count(*) FILTER (WHERE ok) OVER w)::float8 / (count(ok) OVER w) AS p_ok_sql,
           slo.burn_rate(good, valid, 0.5) OVER w AS burn_counts,
           ((sum(valid) OVER w) - (sum(good) OVER w))::float8 / (sum(valid) OVER w)::float8 / (1::float8 - 0.5) AS burn_counts_sql
    FROM win
    WINDOW w AS (ORDER BY ts RANGE BETWEEN '25 minutes' PRECEDING AND CURRENT ROW)
) s;

-- ROWS frames that move at both ends, and frames with no valid rows
SELECT count(*) FILTER (WHERE b IS DISTINCT FROM b_sql) AS mismatches,
       count(*) FILTER (WHERE b IS NULL) AS null_frames
FROM (
    SELECT slo.burn_rate(CASE WHEN id % 50 < 10 THEN NULL ELSE ok END, 0.99) OVER w AS b,
           (count(*) FILTER (WHERE NOT CASE WHEN id % 50 < 10 THEN NULL ELSE ok END) OVER w)::float8
             / nullif(count(CASE WHEN id % 50 < 10 THEN NULL ELSE ok END) OVER w, 0)::float8 / (1::float8 - 0.99) AS b_sql
    FROM win
    WINDOW w AS (ORDER BY id ROWS BETWEEN 5 PRECEDING AND 2 PRECEDING)
) s;

-- the whole partition as one frame, per partition
SELECT id % 3 AS part, max(b) AS burn
FROM (SELECT id, slo.burn_rate(ok, 0.9) OVER (PARTITION BY id % 3) AS b FROM win) s
GROUP BY 1 ORDER BY 1;
