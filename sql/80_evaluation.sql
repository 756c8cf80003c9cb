/*
 * evaluation.sql: the window arithmetic -- units counted and bad in a range
 * of the rollup, by budgeting method, and one objective's evaluation.
 */

-- Valid and good units in the minutes [a, b) of an objective budgeted in
-- occurrences, from its hour and day rows: the whole UTC days inside, the
-- whole hours inside but outside those days, and the minutes of the hours
-- that [a, b) starts or ends inside.  A 30-day window reads about 30 day
-- rows, up to 46 hour rows and two of them again for their minutes.
CREATE FUNCTION slo_internal.range_sum(objective_id pg_catalog.int8, a pg_catalog.timestamptz,
		b pg_catalog.timestamptz, OUT valid pg_catalog.int8, OUT good pg_catalog.int8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	origin CONSTANT timestamptz := '2000-01-01 00:00:00+00';
	id CONSTANT int8 := range_sum.objective_id;
	ha timestamptz;		-- the first whole hour at or after a
	hb timestamptz;		-- the last hour boundary at or before b
	da timestamptz;		-- the first whole day at or after ha
	db timestamptz;		-- the last day boundary at or before hb
	v int8;
	g int8;
BEGIN
	valid := 0;
	good := 0;
	IF a >= b THEN
		RETURN;
	END IF;
	ha := date_bin('1 hour', a, origin);
	IF ha < a THEN
		ha := ha + interval '1 hour';
	END IF;
	hb := date_bin('1 hour', b, origin);

	IF ha > hb THEN
		-- a and b inside one hour: its minutes [a, b)
		SELECT coalesce(sum(x.v), 0), coalesce(sum(x.g), 0) INTO valid, good
		FROM slo_internal.rollup_hour h,
			 unnest(h.minute_valid[1 + extract(epoch FROM a - h.hour)::int / 60 : extract(epoch FROM b - h.hour)::int / 60],
					h.minute_good[1 + extract(epoch FROM a - h.hour)::int / 60 : extract(epoch FROM b - h.hour)::int / 60]) AS x(v, g)
		WHERE h.objective_id = id AND h.breakdown = '' AND h.hour = hb;
		RETURN;
	END IF;

	da := date_bin('1 day', ha, origin);
	IF da < ha THEN
		da := da + interval '1 day';
	END IF;
	db := date_bin('1 day', hb, origin);
	IF da < db THEN
		SELECT coalesce(sum(d.valid), 0), coalesce(sum(d.good), 0) INTO v, g
		FROM slo_internal.rollup_day d
		WHERE d.objective_id = id AND d.breakdown = '' AND d.day >= da AND d.day < db;
		valid := valid + v;
		good := good + g;
		SELECT coalesce(sum(h.valid), 0), coalesce(sum(h.good), 0) INTO v, g
		FROM slo_internal.rollup_hour h
		WHERE h.objective_id = id AND h.breakdown = ''
		  AND ((h.hour >= ha AND h.hour < da) OR (h.hour >= db AND h.hour < hb));
	ELSE
		SELECT coalesce(sum(h.valid), 0), coalesce(sum(h.good), 0) INTO v, g
		FROM slo_internal.rollup_hour h
		WHERE h.objective_id = id AND h.breakdown = '' AND h.hour >= ha AND h.hour < hb;
	END IF;
	valid := valid + v;
	good := good + g;

	-- the minutes [a, ha) of the hour before ha, and [hb, b) of hour hb
	IF a < ha THEN
		SELECT coalesce(sum(x.v), 0), coalesce(sum(x.g), 0) INTO v, g
		FROM slo_internal.rollup_hour h,
			 unnest(h.minute_valid[1 + extract(epoch FROM a - h.hour)::int / 60 : 60],
					h.minute_good[1 + extract(epoch FROM a - h.hour)::int / 60 : 60]) AS x(v, g)
		WHERE h.objective_id = id AND h.breakdown = '' AND h.hour = ha - interval '1 hour';
		valid := valid + v;
		good := good + g;
	END IF;
	IF hb < b THEN
		SELECT coalesce(sum(x.v), 0), coalesce(sum(x.g), 0) INTO v, g
		FROM slo_internal.rollup_hour h,
			 unnest(h.minute_valid[1 : extract(epoch FROM b - h.hour)::int / 60],
					h.minute_good[1 : extract(epoch FROM b - h.hour)::int / 60]) AS x(v, g)
		WHERE h.objective_id = id AND h.breakdown = '' AND h.hour = hb;
		valid := valid + v;
		good := good + g;
	END IF;
END
$$;

-- What is taken out of objective o around [lo, hi): its corrections, and
-- the maintenance windows of it or of its whole service (one-off, and each
-- occurrence of the weekly ones in [lo - 7 days, hi + 1 day]), as they were
-- given.  (plpgsql: slo.maintenance_window is made after this file.)
CREATE FUNCTION slo_internal.excluded_ranges(o @extschema@.objective, lo pg_catalog.timestamptz,
		hi pg_catalog.timestamptz)
RETURNS pg_catalog.tstzmultirange
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	a timestamptz := CASE WHEN isfinite(lo) THEN lo ELSE hi - interval '400 days' END;
	b timestamptz := CASE WHEN isfinite(hi) THEN hi ELSE lo + interval '400 days' END;
	r tstzmultirange;
BEGIN
	SELECT coalesce(range_agg(x.r), '{}') INTO r
	FROM (
		SELECT c.during AS r FROM @extschema@.correction c WHERE c.objective_id = o.id
		UNION ALL
		SELECT m.during FROM @extschema@.maintenance_window m
		WHERE m.during IS NOT NULL AND m.service = o.service AND (m.objective_id IS NULL OR m.objective_id = o.id)
		UNION ALL
		SELECT tstzrange((d.day + m.starts) AT TIME ZONE m.time_zone, ((d.day + m.starts) AT TIME ZONE m.time_zone) + m.lasts)
		FROM @extschema@.maintenance_window m
		CROSS JOIN LATERAL generate_series(date_trunc('day', a AT TIME ZONE m.time_zone) - interval '7 days',
										   b AT TIME ZONE m.time_zone + interval '1 day', interval '1 day') AS d(day)
		WHERE m.day_of_week IS NOT NULL AND m.service = o.service AND (m.objective_id IS NULL OR m.objective_id = o.id)
		  AND extract(dow FROM d.day) = m.day_of_week
	) x;
	RETURN r;
END
$$;

-- Does anything take minutes out of objective o?  (No cost for those that
-- have nothing taken out.)
CREATE FUNCTION slo_internal.has_exclusions(o @extschema@.objective)
RETURNS pg_catalog.bool
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN EXISTS (SELECT 1 FROM @extschema@.correction c WHERE c.objective_id = o.id)
		OR EXISTS (SELECT 1 FROM @extschema@.maintenance_window m
				   WHERE m.service = o.service AND (m.objective_id IS NULL OR m.objective_id = o.id));
END
$$;

-- The same as whole minutes: a minute is taken out when its start lies in
-- one of the ranges.
CREATE FUNCTION slo_internal.whole_minutes(ranges pg_catalog.tstzmultirange)
RETURNS pg_catalog.tstzmultirange
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
RETURN (
	SELECT coalesce(range_agg(tstzrange(
			   CASE WHEN lower_inf(c) THEN '-infinity'
					WHEN lower_inc(c) AND slo_internal.minute_of(lower(c)) = lower(c) THEN lower(c)
					ELSE slo_internal.minute_of(lower(c)) + interval '1 minute' END,
			   CASE WHEN upper_inf(c) THEN 'infinity'
					WHEN NOT upper_inc(c) AND slo_internal.minute_of(upper(c)) = upper(c) THEN upper(c)
					ELSE slo_internal.minute_of(upper(c)) + interval '1 minute' END)), '{}')
	FROM unnest(ranges) AS c
);

-- Counted units and bad units of an objective in [lo, hi), from its rollup,
-- by its budgeting method: events (occurrences), whole slices (timeslices)
-- or the sum of (1 - slice ratio) (ratio_timeslices).  Corrections and, for
-- timeslices, the unfinished last slice are left out.  An objective without
-- corrections pays nothing for them.  "exclusions": what is taken out around
-- [lo, hi), when the caller knows it (slo_internal.excluded_ranges()).
CREATE FUNCTION slo_internal.measure(o @extschema@.objective, origin pg_catalog.timestamptz,
		lo pg_catalog.timestamptz, hi pg_catalog.timestamptz, exclusions pg_catalog.tstzmultirange DEFAULT NULL,
		OUT valid pg_catalog.int8, OUT good pg_catalog.int8,
		OUT counted pg_catalog.float8, OUT bad pg_catalog.float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	slices_total int8;
	slices_seen int8;
	-- (the caller may pass what is taken out around [lo, hi), '{}' for
	-- nothing, when it measures the same objective many times)
	excluded tstzmultirange := coalesce(exclusions,
										CASE WHEN slo_internal.has_exclusions(o)
											 THEN slo_internal.excluded_ranges(o, lo, hi) ELSE '{}' END);
	corrected bool := NOT isempty(excluded);
	part tstzrange;
	part_sum record;
BEGIN
	IF o.budgeting = 'occurrences' THEN
		IF NOT corrected THEN
			SELECT * INTO valid, good FROM slo_internal.range_sum(o.id, lo, hi);
		ELSE
			valid := 0;
			good := 0;
			FOR part IN SELECT unnest(tstzmultirange(tstzrange(lo, hi)) - slo_internal.whole_minutes(excluded)) LOOP
				part_sum := slo_internal.range_sum(o.id, lower(part), upper(part));
				valid := valid + part_sum.valid;
				good := good + part_sum.good;
			END LOOP;
		END IF;
		counted := valid;
		bad := valid - good;
		RETURN;
	END IF;

	WITH slices AS (
		SELECT date_bin(o.slice, r.bucket, origin) AS s, sum(r.valid) AS v, sum(r.good) AS g,
			   CASE WHEN o.sli_kind = 'percentile'
					THEN @extschema@.percentile(@extschema@.merge(r.sketch), o.percentile) END AS p
		FROM @extschema@.rollup r
		WHERE r.objective_id = o.id AND r.breakdown = '' AND r.bucket >= lo AND r.bucket < hi
		  AND (NOT corrected OR NOT excluded @> r.bucket)
		GROUP BY 1
	), judged AS (
		SELECT v, g,
			   (v >= coalesce(o.slice_min_events, 1)
				AND CASE WHEN o.sli_kind = 'percentile'
						 -- the slice's percentile meets the bound
						 THEN CASE o.op WHEN 'lt' THEN p < o.threshold::float8
										WHEN 'le' THEN p <= o.threshold::float8
										WHEN 'gt' THEN p > o.threshold::float8
										ELSE p >= o.threshold::float8 END
						 ELSE g::float8 / v >= coalesce(o.slice_target, o.target) END) AS ok
		FROM slices
		WHERE s >= lo AND s + o.slice <= hi AND v > 0
	)
	SELECT coalesce(sum(v), 0), coalesce(sum(g), 0), count(*),
		   CASE WHEN o.budgeting = 'timeslices' THEN count(*) FILTER (WHERE NOT ok)
				ELSE coalesce(sum(1 - g::float8 / v), 0) END
	INTO valid, good, slices_seen, bad
	FROM judged;
	counted := slices_seen;

	IF o.empty_slices <> 'exclude' THEN
		-- whole slices in [lo, hi) aligned to origin, less corrected ones,
		-- from the first event the rollup has seen (a new objective is not
		-- charged for the time before its data began)
		SELECT count(*) INTO slices_total
		FROM generate_series(date_bin(o.slice, lo, origin), hi - o.slice, o.slice) AS s
		WHERE s >= lo
		  AND s + o.slice > (SELECT min(r.bucket) FROM @extschema@.rollup r WHERE r.objective_id = o.id)
		  AND (NOT corrected OR NOT excluded && tstzrange(s, s + o.slice));
		IF slices_total > slices_seen THEN
			counted := slices_total;
			IF o.empty_slices = 'bad' THEN
				bad := bad + (slices_total - slices_seen);
			END IF;
		END IF;
	END IF;
END
$$;

-- Evaluate one objective at instant "at" into slo.evaluation.  Windows,
-- look-backs and the SLA window all end at E = the minute "at" falls in
-- (the last whole minute before it), and count [start, E).
CREATE FUNCTION slo_internal.evaluate(o @extschema@.objective, at pg_catalog.timestamptz)
RETURNS @extschema@.evaluation
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w record;
	m record;
	mw record;
	e @extschema@.evaluation;
	budget float8;
	w_secs float8;
	lookbacks interval[] := slo_internal.lookbacks();
	excl tstzmultirange;
	burns float8[] := '{}';
	counts float8[] := '{}';
	lb interval;
	t record;
BEGIN
	-- Every window and look-back ends at the last whole minute before "at"
	-- (E) and counts [start, E): the rollup's minutes are whole, so this is
	-- exactly what a raw count over the same bounds gives.
	e.evaluated_at := at;
	at := slo_internal.minute_of(at);
	w := slo_internal.window_of(o, at);
	-- what is taken out of every range measured below, found once
	excl := CASE WHEN slo_internal.has_exclusions(o)
				 THEN slo_internal.excluded_ranges(o, LEAST(w.window_start, at - interval '3 days',
															at - coalesce(o.sla_window, interval '0')), at)
				 ELSE '{}' END;
	mw := slo_internal.measure(o, w.window_start, w.window_start, LEAST(at, w.window_end), excl);
	m := mw;
	w_secs := extract(epoch FROM w.window_end - w.window_start);

	e.objective_id := o.id;
	e.window_start := w.window_start;
	e.window_end := w.window_end;
	e.counted_until := LEAST(at, w.window_end);
	e.valid := m.valid;
	e.good := m.good;
	IF m.counted > 0 THEN
		IF o.budgeting = 'occurrences' THEN
			e.sli := m.good::float8 / m.valid::float8;
		ELSE
			e.sli := 1 - m.bad / m.counted;
		END IF;
	END IF;

	IF o.budgeting = 'occurrences' THEN
		IF o.sli_kind = 'freshness' THEN
			e.budget_unit := 'minutes';
			budget := (1 - o.target) * m.counted;			-- milliseconds
			e.error_budget := budget / 60000;
		ELSE
			e.budget_unit := 'events';
			budget := (1 - o.target) * m.counted;
			e.error_budget := budget;
		END IF;
	ELSE
		e.budget_unit := 'minutes';
		budget := (1 - o.target) * (w_secs / extract(epoch FROM o.slice));	-- slices
		e.error_budget := budget * extract(epoch FROM o.slice) / 60;
	END IF;
	IF budget > 0 AND m.counted > 0 THEN
		e.consumed := m.bad / budget;
		e.remaining := 1 - e.consumed;
	END IF;

	FOREACH lb IN ARRAY lookbacks LOOP
		m := slo_internal.measure(o, w.window_start, at - lb, at, excl);
		burns := burns || CASE WHEN m.counted > 0 THEN (m.bad / m.counted) / (1 - o.target) END;
		counts := counts || m.valid::float8;	-- events (milliseconds for freshness), whatever the budgeting
	END LOOP;
	e.burn_5m := burns[1]; e.burn_30m := burns[2]; e.burn_1h := burns[3]; e.burn_2h := burns[4];
	e.burn_6h := burns[5]; e.burn_1d := burns[6]; e.burn_3d := burns[7];
	e.lookback_counted := counts;

	IF e.remaining > 0 AND e.burn_1h > 0 THEN
		e.time_to_exhaustion := make_interval(secs => e.remaining * w_secs / e.burn_1h);
	END IF;
	e.too_little_data := mw.valid < o.min_events OR mw.counted = 0;
	-- until its rollup reaches back over the whole window (and SLA window),
	-- a new objective's numbers are partial: no policy acts on them
	e.backfilling := NOT EXISTS (SELECT 1 FROM slo_internal.progress p
								 WHERE p.objective_id = o.id AND p.revision = o.revision
								   AND (p.backfilled_until IS NOT NULL
										OR p.backfilled_from <= LEAST(w.window_start, at - interval '3 days',
																	  at - coalesce(o.sla_window, interval '0'))));

	IF o.sla_target IS NOT NULL THEN
		m := slo_internal.measure(o, at - o.sla_window, at - o.sla_window, at, excl);
		IF m.counted > 0 THEN
			e.sla_sli := 1 - m.bad / m.counted;
		END IF;
	END IF;

	-- the policy tier: thresholds are lower bounds, the highest that applies wins
	SELECT pt.label, pt.action INTO t
	FROM @extschema@.policy p JOIN @extschema@.policy_tier pt ON pt.policy = p.name
	WHERE p.name = o.policy
	  AND CASE p.measure WHEN 'remaining' THEN e.remaining > pt.threshold
						 ELSE e.consumed >= pt.threshold END
	ORDER BY pt.threshold DESC
	LIMIT 1;
	e.tier := t.label;
	e.action := t.action;

	-- a trigger of the policy that applies (a burn rate over a look-back,
	-- or the time to exhaustion) takes precedence over the budget's tier,
	-- the one with the highest priority first; not with too little data
	IF NOT e.too_little_data THEN
		SELECT pt.label, pt.action INTO t
		FROM @extschema@.policy_trigger pt
		WHERE pt.policy = o.policy
		  AND CASE pt.measure
				  WHEN 'burn' THEN burns[array_position(lookbacks, pt.lookback)] > pt.above
				  ELSE e.remaining <= 0 OR e.time_to_exhaustion < pt.within END
		ORDER BY pt.priority DESC, pt.label
		LIMIT 1;
		IF FOUND THEN
			e.tier := t.label;
			e.action := t.action;
		END IF;
	END IF;
	RETURN e;
END
$$;
