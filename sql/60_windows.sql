/*
 * windows.sql: minutes, budget windows and how far back a rollup reaches.
 */

-- The minute a timestamp falls in, independent of the session's time zone.
CREATE FUNCTION slo_internal.minute_of(ts pg_catalog.timestamptz)
RETURNS pg_catalog.timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN pg_catalog.date_bin('1 minute'::pg_catalog.interval, ts,
						   '2000-01-01 00:00:00+00'::pg_catalog.timestamptz);

-- The budget window of an objective whose counted part ends at "at" (an
-- exclusive end, normally a whole minute): rolling [at - length, at);
-- calendar, the period holding the instant just before "at": a month in
-- the objective's time zone, or every N days from the anchor (N * 24 hours,
-- time-zone independent).  So at the first minute of a new period the
-- window is still the period just finished, counted to its end.
CREATE FUNCTION slo_internal.window_of(o @extschema@.objective, at pg_catalog.timestamptz,
		OUT window_start pg_catalog.timestamptz, OUT window_end pg_catalog.timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n_secs float8;
	last_instant timestamptz := at - interval '1 microsecond';
BEGIN
	IF o.window_kind = 'rolling' THEN
		window_start := at - o.window_length;
		window_end := at;
	ELSIF o.calendar_unit = 'month' THEN
		window_start := date_trunc('month', last_instant, o.time_zone);
		window_end := ((window_start AT TIME ZONE o.time_zone) + interval '1 month') AT TIME ZONE o.time_zone;
	ELSE
		n_secs := extract(epoch FROM o.window_length);
		window_start := o.anchor + make_interval(secs =>
			floor(extract(epoch FROM last_instant - o.anchor) / n_secs) * n_secs);
		window_end := window_start + make_interval(secs => n_secs);
	END IF;
END
$$;

-- How far back an objective's rollup must reach: its window, its SLA window
-- and the longest burn-rate lookback (3 days), plus a day.
CREATE FUNCTION slo_internal.horizon_of(o @extschema@.objective)
RETURNS pg_catalog.interval
LANGUAGE sql IMMUTABLE
RETURN GREATEST(CASE WHEN o.calendar_unit = 'month' THEN interval '31 days' ELSE o.window_length END,
				COALESCE(o.sla_window, interval '0'), interval '3 days') + interval '1 day';
