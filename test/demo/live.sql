-- test/demo/live.sql: keep the demo's data alive.  demo.write_events()
-- writes the events of every minute since it last ran (at most an hour)
-- into the demo's tables, at their usual rates and error rates, with no
-- outage; `bash test/run.sh demo` schedules it with pg_cron every minute,
-- beside the tick, so that the numbers a newcomer sees keep moving.

CREATE TABLE demo.live (written_until timestamptz NOT NULL);
INSERT INTO demo.live SELECT as_of FROM demo.meta;

CREATE FUNCTION demo.write_events() RETURNS int LANGUAGE plpgsql AS $$
DECLARE
	a timestamptz;
	b timestamptz := date_trunc('minute', now());
	n int := 0;
	k int;
BEGIN
	SELECT greatest(written_until, b - interval '1 hour') INTO a FROM demo.live FOR UPDATE;
	IF a >= b THEN
		RETURN 0;
	END IF;
	-- leads every 30 s: routed in 3 s + exponential(12 s), answered 20 s + exponential(96 s) later
	WITH l AS (
		SELECT a + g * interval '30 seconds' + random() * interval '30 seconds' AS t,
			   3 - 12 * ln(1 - random()) AS route_s, 20 - 96 * ln(1 - random()) AS rep_s
		FROM generate_series(0, (extract(epoch FROM b - a) / 30)::int - 1) g
	), r AS (
		INSERT INTO demo.routing_events (ts, lead_id, created_at, routed_at)
		SELECT t, (extract(epoch FROM t) * 1000)::bigint, t, t + make_interval(secs => route_s) FROM l
		RETURNING 1
	)
	INSERT INTO demo.lead_responses (ts, lead_id, response)
	SELECT t, (extract(epoch FROM t) * 1000)::bigint, make_interval(secs => route_s + rep_s) FROM l;
	GET DIAGNOSTICS k = ROW_COUNT;
	n := n + k;
	INSERT INTO demo.crm_writes (ts, ok)
	SELECT a + g * interval '5 seconds', random() >= 0.0004
	FROM generate_series(0, (extract(epoch FROM b - a) / 5)::int - 1) g;
	INSERT INTO demo.bus_messages (ts, failed)
	SELECT mm + x * (interval '1 minute' / 230), random() < 0.001
	FROM generate_series(a, b - interval '1 minute', interval '1 minute') mm, generate_series(0, 229) x;
	INSERT INTO demo.invites
	SELECT t, t, t + CASE WHEN random() < 0.012 THEN interval '4 minutes' ELSE interval '20 seconds' END
	FROM generate_series(a, b - interval '1 minute', interval '1 minute') t;
	INSERT INTO demo.attributions
	SELECT t, (extract(epoch FROM t) / 60)::bigint, random() >= 0.003
	FROM generate_series(a, b - interval '1 minute', interval '1 minute') t
	WHERE extract(minute FROM t)::int % 2 = 0;
	INSERT INTO demo.forecast_updates
	SELECT t, 'NA' FROM generate_series(a, b - interval '1 minute', interval '1 minute') t
	WHERE extract(minute FROM t) = 0;
	INSERT INTO demo.enrichment_runs
	SELECT t, 5000 + (random() * 500)::int FROM generate_series(a, b - interval '1 minute', interval '1 minute') t
	WHERE extract(minute FROM t) = 0 AND extract(hour FROM t)::int % 6 = 0;
	INSERT INTO demo.api_requests
	SELECT mm + x * interval '5 seconds', CASE WHEN random() < 0.0005 THEN 500 ELSE 200 END
	FROM generate_series(a, b - interval '1 minute', interval '1 minute') mm, generate_series(0, 11) x;
	-- and new leads through the data contracts: one in a hundred from a
	-- territory nobody added yet
	INSERT INTO demo.leads (id, email, territory, created_at)
	SELECT (extract(epoch FROM t) * 1000)::bigint + 7, 'live' || (extract(epoch FROM t))::bigint || '@example.com',
		   CASE WHEN random() < 0.01 THEN 'LATAM' ELSE 'UK' END, t
	FROM generate_series(a, b - interval '30 seconds', interval '30 seconds') t
	ON CONFLICT (id) DO NOTHING;
	UPDATE demo.live SET written_until = b;
	RETURN n;
END
$$;
COMMENT ON FUNCTION demo.write_events() IS 'write the demo''s events since the last call (at most an hour): the demo stays alive';
SELECT demo.write_events() AS leads_written;
