--
-- Parallel plans: every aggregate runs as Partial Aggregate under Gather and
-- gives the same answer as the serial plan.
--
CREATE TABLE events AS
SELECT g AS id,
       timestamptz '2026-11-01 00:00+00' + g * interval '1 second' AS ts,
       CASE WHEN g % 97 = 0 THEN NULL ELSE (g * 7919 % 1000)::float8 END AS latency_ms,
       CASE WHEN g % 89 = 0 THEN NULL ELSE g % 50 <> 0 END AS ok,
       (g % 10)::bigint AS good, 10::bigint AS valid,
       make_interval(secs => g % 300) AS wait,
       g % 4 AS shard
FROM generate_series(1, 200000) g;
ANALYZE events;

-- serial answers
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS
SELECT slo.p_within(latency_ms, 250) AS p_fast, slo.p_within(wait, '2 minutes') AS p_wait,
       slo.p_within(ok) AS p_ok, slo.burn_rate(ok, 0.99) AS burn,
       slo.budget_remaining(ok, 0.99) AS remaining,
       slo.burn_rate(good, valid, 0.9) AS burn_counts,
       slo.budget_remaining(good, valid, 0.9) AS remaining_counts
FROM events;

-- force the workers to do the partial aggregation
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF)
SELECT slo.p_within(latency_ms, 250), slo.p_within(wait, '2 minutes'), slo.p_within(ok),
       slo.burn_rate(ok, 0.99), slo.budget_remaining(ok, 0.99),
       slo.burn_rate(good, valid, 0.9), slo.budget_remaining(good, valid, 0.9)
FROM events;

CREATE TEMP TABLE parallel AS
SELECT slo.p_within(latency_ms, 250) AS p_fast, slo.p_within(wait, '2 minutes') AS p_wait,
       slo.p_within(ok) AS p_ok, slo.burn_rate(ok, 0.99) AS burn,
       slo.budget_remaining(ok, 0.99) AS remaining,
       slo.burn_rate(good, valid, 0.9) AS burn_counts,
       slo.budget_remaining(good, valid, 0.9) AS remaining_counts
FROM events;

SELECT * FROM serial;
SELECT (s.*)::text = (p.*)::text AS parallel_equals_serial FROM serial s, parallel p;

-- grouped: Partial HashAggregate / GroupAggregate per shard
EXPLAIN (COSTS OFF)
SELECT shard, slo.burn_rate(ok, 0.99) FROM events GROUP BY shard;
SELECT shard, slo.burn_rate(ok, 0.99) AS burn, slo.p_within(latency_ms, 250) AS p_fast
FROM events GROUP BY shard ORDER BY shard;
SET enable_hashagg = off;
SELECT shard, slo.burn_rate(ok, 0.99) AS burn, slo.p_within(latency_ms, 250) AS p_fast
FROM events GROUP BY shard ORDER BY shard;
RESET enable_hashagg;

-- the exact SQL definitions agree in the parallel plan too
SELECT slo.burn_rate(ok, 0.99) = (count(*) FILTER (WHERE NOT ok))::float8 / count(ok)::float8 / (1::float8 - 0.99) AS burn_same,
       slo.p_within(latency_ms, 250) = (count(*) FILTER (WHERE latency_ms <= 250))::float8 / count(latency_ms) AS p_within_same
FROM events;

-- partition-wise aggregation combines the per-partition states
CREATE TABLE events_part (shard int, ok boolean, latency_ms float8) PARTITION BY LIST (shard);
CREATE TABLE events_part_0 PARTITION OF events_part FOR VALUES IN (0, 1);
CREATE TABLE events_part_1 PARTITION OF events_part FOR VALUES IN (2, 3);
INSERT INTO events_part SELECT shard, ok, latency_ms FROM events;
ANALYZE events_part;
SET enable_partitionwise_aggregate = on;
EXPLAIN (COSTS OFF)
SELECT slo.burn_rate(ok, 0.99) FROM events_part;
SELECT slo.burn_rate(ok, 0.99) = (SELECT burn FROM serial) AS partitionwise_equals_serial,
       slo.p_within(latency_ms, 250) = (SELECT p_fast FROM serial) AS p_within_equal
FROM events_part;
