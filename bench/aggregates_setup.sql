--
-- bench/aggregates_setup.sql: the data set of bench/aggregates.sh.
--
-- A request log shaped like the one slo is for:
--   ts          one row every 250 ms from 2026-01-01 00:00 UTC (10M rows ~ 29 days),
--               strictly increasing, in physical order
--   service     6 services, skewed (the first gets about 41% of the rows)
--   latency_ms  lognormal: exp(3.9 + 0.75 z), median ~49 ms, ~98.5% <= 250 ms
--   ok          false for ~0.5% of the rows
-- Deterministic: setseed() and a serial INSERT ... SELECT from generate_series.
-- The tables are UNLOGGED only to load faster; a sequential scan of an
-- unlogged heap costs the same as of a logged one.
--
-- bench.requests_fixed_first holds the same rows with the columns in the
-- order (ts, latency_ms, ok, service), for the column-layout comparison.
--
-- The moving-window queries read bench.requests_<N>: the first N rows (by ts)
-- of the same log, also in physical ts order.
--
-- psql variables: rows (size of bench.requests), window_rows (space-separated
-- sizes N), stamp (recorded in a comment so that the driver can reuse the data
-- set on the next run).
--
\set ON_ERROR_STOP on

DROP TABLE IF EXISTS bench.requests;
CREATE UNLOGGED TABLE bench.requests (
	ts         timestamptz NOT NULL,
	service    text        NOT NULL,
	latency_ms float8      NOT NULL,
	ok         boolean     NOT NULL
) WITH (autovacuum_enabled = off);

SELECT set_config('bench.window_rows', :'window_rows', false);
SELECT setseed(0.2026);

INSERT INTO bench.requests (ts, service, latency_ms, ok)
SELECT timestamptz '2026-01-01 00:00:00+00' + g * interval '250 milliseconds',
       (ARRAY['checkout', 'search', 'auth', 'catalog', 'payments', 'profile'])
           [1 + floor(u3 * u3 * 6)::int],
       exp(3.9 + 0.75 * sqrt(-2 * ln(1 - u1)) * cos(2 * pi() * u2)),
       u4 >= 0.005
FROM (SELECT g, random() AS u1, random() AS u2, random() AS u3, random() AS u4
      FROM generate_series(1, :rows) g
      OFFSET 0) r;  -- OFFSET 0: keep the subquery, so each random() runs once per row

-- set hint bits and the visibility map now, not during the first timed scan
VACUUM (FREEZE, ANALYZE) bench.requests;

DO $$
DECLARE
	n bigint;
BEGIN
	FOREACH n IN ARRAY string_to_array(current_setting('bench.window_rows'), ' ')::bigint[] LOOP
		EXECUTE format('DROP TABLE IF EXISTS bench.requests_%s', n);
		EXECUTE format('CREATE UNLOGGED TABLE bench.requests_%s WITH (autovacuum_enabled = off) AS '
					   'SELECT * FROM bench.requests '
					   'WHERE ts <= timestamptz ''2026-01-01 00:00:00+00'' + %s * interval ''250 milliseconds'' '
					   'ORDER BY ts', n, n);
	END LOOP;
END
$$;

-- The same rows with the fixed-width columns first: how much of the cost of
-- reading latency_ms is the varlena (service) in front of it.
DROP TABLE IF EXISTS bench.requests_fixed_first;
CREATE UNLOGGED TABLE bench.requests_fixed_first WITH (autovacuum_enabled = off) AS
SELECT ts, latency_ms, ok, service FROM bench.requests;

VACUUM (FREEZE, ANALYZE);

COMMENT ON TABLE bench.requests IS :'stamp';
