--
-- bench/tick_scale_setup.sql: the data set and the objectives of
-- bench/tick_scale.sh, in the current database.
--
-- :tables tables bench.ev_01 .. bench.ev_NN, each shaped like a service's
-- request log and holding :rows_per_table rows spread evenly (with jitter)
-- over the :days days that end when this script starts, in ts order:
--   ts          timestamptz, btree index
--   service     6 services, skewed (checkout about 41% of the rows)
--   latency_ms  lognormal: exp(3.9 + 0.75 z), median ~49 ms
--   ok          false for ~0.5% of the rows
--   status      HTTP status: 500 for ~0.2% of the rows, 200 otherwise
-- The tables are loaded before any objective exists, so the load fires no
-- slo trigger: the objectives' first ticks backfill them.
--
-- Objectives: one slo service per table (tbl01 ..), 20 objectives per
-- table, every window rolling 30 days:
--   12 ratio, occurrences: per app service, good = ok (0.99) and status < 500 (0.995)
--    2 ratio, occurrences: all rows, ok (0.999) and status < 500 (0.999)
--    5 threshold, occurrences: latency_ms <= 100, 250, 500, < 1000 (all rows);
--                               <= 250 for checkout
--    1 on odd tables: threshold, timeslices of 5 minutes (latency_ms <= 250,
--      slice target 0.95, target 0.99); on even tables: threshold,
--      occurrences, latency_ms <= 300 for search
-- With 50 tables: 1,000 objectives, 975 occurrences and 25 timeslices.
--
-- Deterministic apart from the timestamps (setseed).  psql variables:
-- tables, rows_per_table, days.
--
\set ON_ERROR_STOP on

CREATE SCHEMA IF NOT EXISTS bench;

SELECT setseed(0.2026);
SELECT set_config('bench.t_end', now()::text, false),
       set_config('bench.tables', :'tables', false),
       set_config('bench.rows_per_table', :'rows_per_table', false),
       set_config('bench.days', :'days', false);

-- the generator: n rows into bench.ev_<i>, ts spread over [t_end - span, t_end)
-- (or over [lo, hi) when given), in ts order
CREATE OR REPLACE FUNCTION bench.ev_fill(tbl regclass, n int8, lo timestamptz, hi timestamptz)
RETURNS int8
LANGUAGE plpgsql AS $$
DECLARE
	k int8;
BEGIN
	EXECUTE format($q$
		INSERT INTO %s (ts, service, latency_ms, ok, status)
		SELECT $1 + ($2 - $1) * ((g + u5) / $3::float8),
		       (ARRAY['checkout', 'search', 'auth', 'catalog', 'payments', 'profile'])[1 + floor(u3 * u3 * 6)::int],
		       exp(3.9 + 0.75 * sqrt(-2 * ln(1 - u1)) * cos(2 * pi() * u2)),
		       u4 >= 0.005,
		       CASE WHEN u4 < 0.002 THEN 500 ELSE 200 END
		FROM (SELECT g, random() AS u1, random() AS u2, random() AS u3, random() AS u4, random() AS u5
		      FROM generate_series(0, $3 - 1) g
		      OFFSET 0) r$q$, tbl)
	USING lo, hi, n;
	GET DIAGNOSTICS k = ROW_COUNT;
	RETURN k;
END
$$;

DO $$
DECLARE
	t_end timestamptz := current_setting('bench.t_end')::timestamptz;
	n_tables int := current_setting('bench.tables')::int;
	n_rows int8 := current_setting('bench.rows_per_table')::int8;
	n_days int := current_setting('bench.days')::int;
BEGIN
	FOR i IN 1 .. n_tables LOOP
		EXECUTE format('DROP TABLE IF EXISTS bench.ev_%s', to_char(i, 'FM00'));
		EXECUTE format($q$CREATE TABLE bench.ev_%s (
			id         int8 GENERATED ALWAYS AS IDENTITY,
			ts         timestamptz NOT NULL,
			service    text        NOT NULL,
			latency_ms float8      NOT NULL,
			ok         boolean     NOT NULL,
			status     int2        NOT NULL
		) WITH (autovacuum_enabled = off)$q$, to_char(i, 'FM00'));
		PERFORM bench.ev_fill(format('bench.ev_%s', to_char(i, 'FM00'))::regclass, n_rows,
		                      t_end - n_days * interval '1 day', t_end);
		EXECUTE format('CREATE INDEX ON bench.ev_%s (ts)', to_char(i, 'FM00'));
	END LOOP;
END
$$;

DO $$
DECLARE
	svc text[] := ARRAY['checkout', 'search', 'auth', 'catalog', 'payments', 'profile'];
	s text;
	b int;
	t text;
	src text;
BEGIN
	FOR i IN 1 .. current_setting('bench.tables')::int LOOP
		t := 'tbl' || to_char(i, 'FM00');
		src := 'bench.ev_' || to_char(i, 'FM00');
		PERFORM slo.define_service(t);
		FOREACH s IN ARRAY svc LOOP
			PERFORM slo.define_objective(t, s || '-ok', source => src, valid => format('service = %L', s),
				good => 'ok', target => 0.99, window_length => '30 days');
			PERFORM slo.define_objective(t, s || '-no-5xx', source => src, valid => format('service = %L', s),
				good => 'status < 500', target => 0.995, window_length => '30 days');
		END LOOP;
		PERFORM slo.define_objective(t, 'all-ok', source => src, good => 'ok', target => 0.999,
			window_length => '30 days');
		PERFORM slo.define_objective(t, 'all-no-5xx', source => src, good => 'status < 500', target => 0.999,
			window_length => '30 days');
		FOREACH b IN ARRAY ARRAY[100, 250, 500] LOOP
			PERFORM slo.define_objective(t, format('latency-le-%s', b), source => src,
				value => 'latency_ms', op => 'le', threshold => b::text,
				target => CASE b WHEN 100 THEN 0.8 WHEN 250 THEN 0.98 ELSE 0.99 END, window_length => '30 days');
		END LOOP;
		PERFORM slo.define_objective(t, 'latency-lt-1000', source => src,
			value => 'latency_ms', op => 'lt', threshold => '1000', target => 0.999, window_length => '30 days');
		PERFORM slo.define_objective(t, 'checkout-latency-le-250', source => src,
			valid => 'service = ''checkout''', value => 'latency_ms', op => 'le', threshold => '250',
			target => 0.98, window_length => '30 days');
		IF i % 2 = 1 THEN
			PERFORM slo.define_objective(t, 'latency-le-250-5m-slices', source => src,
				value => 'latency_ms', op => 'le', threshold => '250', target => 0.99,
				window_length => '30 days', budgeting => 'timeslices', slice => '5 minutes',
				slice_target => 0.95);
		ELSE
			PERFORM slo.define_objective(t, 'search-latency-le-300', source => src,
				valid => 'service = ''search''', value => 'latency_ms', op => 'le', threshold => '300',
				target => 0.98, window_length => '30 days');
		END IF;
	END LOOP;
END
$$;

VACUUM (FREEZE, ANALYZE);

-- n new events over the tables, round robin: a share "late" of them
-- stamped between 1 hour and 27 days ago, the rest in the last "recent"
-- (one INSERT per table, one transaction).
CREATE OR REPLACE FUNCTION bench.ev_insert(n int, late_share float8, recent interval)
RETURNS int8
LANGUAGE plpgsql AS $$
DECLARE
	k int8;
	total int8 := 0;
	tbls regclass[] := (SELECT array_agg(c.oid::regclass ORDER BY c.relname)
	                    FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
	                    WHERE s.nspname = 'bench' AND c.relname ~ '^ev_[0-9]+$' AND c.relkind = 'r');
	per int := n / cardinality(tbls);
	n_late int := round(per * late_share);
BEGIN
	FOR i IN 1 .. cardinality(tbls) LOOP
		EXECUTE format($q$
			INSERT INTO %s (ts, service, latency_ms, ok, status)
			SELECT CASE WHEN g > $2 THEN now() - $3 * u5
			            ELSE now() - interval '1 hour' - interval '27 days' * u5 END,
			       (ARRAY['checkout', 'search', 'auth', 'catalog', 'payments', 'profile'])[1 + floor(u3 * u3 * 6)::int],
			       exp(3.9 + 0.75 * sqrt(-2 * ln(1 - u1)) * cos(2 * pi() * u2)),
			       u4 >= 0.005,
			       CASE WHEN u4 < 0.002 THEN 500 ELSE 200 END
			FROM (SELECT g, random() AS u1, random() AS u2, random() AS u3, random() AS u4, random() AS u5
			      FROM generate_series(1, $1) g
			      OFFSET 0) r$q$, tbls[i])
		USING per, n_late, recent;
		GET DIAGNOSTICS k = ROW_COUNT;
		total := total + k;
	END LOOP;
	RETURN total;
END
$$;
