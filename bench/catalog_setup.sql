--
-- bench/catalog_setup.sql: the data set and the 50 objectives of
-- bench/catalog.sh, in the current database (one database per size).
--
-- A request log shaped like the one of bench/aggregates_setup.sql, but
-- ending now, as a live table would:
--   ts          :rows rows evenly spaced over the :days days that end at the
--               start of this script (the newest row is one step before it),
--               in physical ts order; a btree index on ts
--   service     6 services, skewed (checkout about 41% of the rows, profile 9%)
--   latency_ms  lognormal: exp(3.9 + 0.75 z), median ~49 ms, ~98.5% <= 250 ms
--   ok          false for ~0.5% of the rows
-- Deterministic apart from the timestamps: setseed() and a serial
-- INSERT ... SELECT from generate_series.  The table is an ordinary logged
-- table (the late inserts of the benchmark pay for WAL as a live table
-- would); it is loaded before any objective exists, so the load fires no
-- slo trigger.
--
-- psql variables: rows, days.
--
\set ON_ERROR_STOP on

CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS bench.catalog_events;
CREATE TABLE bench.catalog_events (
	ts         timestamptz NOT NULL,
	service    text        NOT NULL,
	latency_ms float8      NOT NULL,
	ok         boolean     NOT NULL
) WITH (autovacuum_enabled = off);

SELECT setseed(0.2026);
SELECT set_config('bench.t_end', now()::text, false),
       set_config('bench.step_us', ((:days::float8 * 86400e6) / :rows)::text, false);

INSERT INTO bench.catalog_events (ts, service, latency_ms, ok)
SELECT current_setting('bench.t_end')::timestamptz - :days * interval '1 day'
           + make_interval(secs => g * current_setting('bench.step_us')::float8 / 1e6),
       (ARRAY['checkout', 'search', 'auth', 'catalog', 'payments', 'profile'])
           [1 + floor(u3 * u3 * 6)::int],
       exp(3.9 + 0.75 * sqrt(-2 * ln(1 - u1)) * cos(2 * pi() * u2)),
       u4 >= 0.005
FROM (SELECT g, random() AS u1, random() AS u2, random() AS u3, random() AS u4
      FROM generate_series(0, :rows - 1) g
      OFFSET 0) r;  -- OFFSET 0: keep the subquery, so each random() runs once per row

CREATE INDEX catalog_events_ts_idx ON bench.catalog_events (ts);
VACUUM (FREEZE, ANALYZE) bench.catalog_events;

-- ---------------------------------------------------------------------------
-- 50 objectives over bench.catalog_events (see the table in catalog.sh's
-- output: bench.catalog_mix).  Services of slo: the six services of the log
-- and "edge" for objectives over all of its rows.
-- ---------------------------------------------------------------------------
DO $$
DECLARE
	svc text[] := ARRAY['checkout', 'search', 'auth', 'catalog', 'payments', 'profile'];
	s text;
	b int;
	src text := 'bench.catalog_events';
BEGIN
	FOREACH s IN ARRAY svc || 'edge'::text LOOP
		PERFORM slo.define_service(s);
	END LOOP;

	FOREACH s IN ARRAY svc LOOP
		-- ratio on ok, rolling 28 days (6)
		PERFORM slo.define_objective(s, 'ok-28d', source => src,
			valid => format('service = %L', s), good => 'ok', target => 0.99);
		-- ratio on ok, calendar month (6)
		PERFORM slo.define_objective(s, 'ok-month', source => src,
			valid => format('service = %L', s), good => 'ok', target => 0.995,
			window_kind => 'calendar', window_length => '1 month');
		-- threshold on latency, two bounds, rolling 28 days (12)
		FOREACH b IN ARRAY ARRAY[100, 250] LOOP
			PERFORM slo.define_objective(s, format('latency-le-%s-28d', b), source => src,
				valid => format('service = %L', s), value => 'latency_ms', op => 'le',
				threshold => b::text, target => CASE b WHEN 100 THEN 0.8 ELSE 0.98 END);
		END LOOP;
		-- threshold on latency, 1 s, rolling 30 days (6)
		PERFORM slo.define_objective(s, 'latency-lt-1000-30d', source => src,
			valid => format('service = %L', s), value => 'latency_ms', op => 'lt',
			threshold => '1000', target => 0.999, window_length => '30 days');
	END LOOP;

	-- all rows: ratio on ok, rolling 30 days (1)
	PERFORM slo.define_objective('edge', 'ok-30d', source => src, good => 'ok',
		target => 0.999, window_length => '30 days');
	-- all rows: threshold on latency, five bounds, rolling 30 days (5)
	FOREACH b IN ARRAY ARRAY[50, 150, 300, 500, 2000] LOOP
		PERFORM slo.define_objective('edge', format('latency-le-%s-30d', b), source => src,
			value => 'latency_ms', op => 'le', threshold => b::text,
			target => CASE WHEN b < 100 THEN 0.4 WHEN b < 1000 THEN 0.95 ELSE 0.9999 END,
			window_length => '30 days');
	END LOOP;
	-- calendar weeks (every 7 days from a Monday) (2)
	PERFORM slo.define_objective('edge', 'latency-le-200-week', source => src,
		value => 'latency_ms', op => 'le', threshold => '200', target => 0.97,
		window_kind => 'calendar', window_length => '7 days', anchor => '2024-01-01 00:00+00');
	PERFORM slo.define_objective('checkout', 'ok-week', source => src,
		valid => 'service = ''checkout''', good => 'ok', target => 0.995,
		window_kind => 'calendar', window_length => '7 days', anchor => '2024-01-01 00:00+00');

	-- timeslices, 1-minute slices, ratio on ok, rolling 28 days (3)
	FOREACH s IN ARRAY svc[1:3] LOOP
		PERFORM slo.define_objective(s, 'ok-1m-slices-28d', source => src,
			valid => format('service = %L', s), good => 'ok', target => 0.99,
			budgeting => 'timeslices', slice => '1 minute', slice_target => 0.95);
	END LOOP;
	-- timeslices, 5-minute slices, latency, rolling 30 days (3)
	PERFORM slo.define_objective('edge', 'latency-le-250-5m-slices-30d', source => src,
		value => 'latency_ms', op => 'le', threshold => '250', target => 0.99,
		window_length => '30 days', budgeting => 'timeslices', slice => '5 minutes', slice_target => 0.97);
	FOREACH s IN ARRAY svc[4:5] LOOP
		PERFORM slo.define_objective(s, 'latency-le-250-5m-slices-30d', source => src,
			valid => format('service = %L', s), value => 'latency_ms', op => 'le', threshold => '250',
			target => 0.99, window_length => '30 days',
			budgeting => 'timeslices', slice => '5 minutes', slice_target => 0.95);
	END LOOP;
	-- timeslices, 1-minute slices, latency, calendar month (2)
	PERFORM slo.define_objective('edge', 'latency-le-500-1m-slices-month', source => src,
		value => 'latency_ms', op => 'le', threshold => '500', target => 0.99,
		window_kind => 'calendar', window_length => '1 month',
		budgeting => 'timeslices', slice => '1 minute', slice_target => 0.98);
	PERFORM slo.define_objective('search', 'latency-le-500-1m-slices-month', source => src,
		valid => 'service = ''search''', value => 'latency_ms', op => 'le', threshold => '500',
		target => 0.99, window_kind => 'calendar', window_length => '1 month',
		budgeting => 'timeslices', slice => '1 minute', slice_target => 0.9);
	-- ratio_timeslices, 5-minute slices, ok, rolling 28 days (2)
	PERFORM slo.define_objective('edge', 'ok-5m-ratio-slices-28d', source => src, good => 'ok',
		target => 0.99, budgeting => 'ratio_timeslices', slice => '5 minutes');
	PERFORM slo.define_objective('payments', 'ok-5m-ratio-slices-28d', source => src,
		valid => 'service = ''payments''', good => 'ok',
		target => 0.99, budgeting => 'ratio_timeslices', slice => '5 minutes');
	-- throughput: a slice is good with >= N events and ok >= 99% (empty slices
	-- count as bad) (2)
	PERFORM slo.define_objective('checkout', 'throughput-1m-28d', source => src,
		valid => 'service = ''checkout''', good => 'ok', target => 0.99, sli_kind => 'throughput',
		budgeting => 'timeslices', slice => '1 minute', slice_min_events => 5, slice_target => 0.99);
	PERFORM slo.define_objective('edge', 'throughput-5m-30d', source => src, good => 'ok',
		target => 0.99, sli_kind => 'throughput', window_length => '30 days',
		budgeting => 'timeslices', slice => '5 minutes', slice_min_events => 50, slice_target => 0.99);
END
$$;

-- the objective mix, for the report
DROP TABLE IF EXISTS bench.catalog_mix;
CREATE TABLE bench.catalog_mix AS
SELECT sli_kind, budgeting, coalesce(slice::text, '') AS slice, window_kind,
       CASE WHEN window_kind = 'rolling' THEN window_length::text
            WHEN calendar_unit = 'month' THEN 'month'
            ELSE 'every ' || window_length::text END AS "window",
       count(*) AS objectives,
       string_agg(DISTINCT CASE WHEN valid_expr LIKE '%service =%' THEN 'per service' ELSE 'all rows' END, ', ') AS valid,
       string_agg(DISTINCT coalesce(op || ' ' || threshold, good_expr), ', ') AS good,
       string_agg(DISTINCT target::text, ', ') AS targets
FROM slo.objective
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5;
