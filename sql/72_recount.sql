/*
 * recount.sql: the loss-free incremental rollup -- which objectives read a
 * table, the counting queries run as each objective's owner, and the
 * recount of exactly the noted minutes into the minute, hour and day
 * rollups.
 */

-- The time columns of the objectives that read table tbl: those of its own
-- objectives and of the objectives of the tables it is a partition of
-- (contract objectives read slo.contract_rate, not the table).
CREATE FUNCTION slo_internal.time_columns_of(tbl pg_catalog.regclass)
RETURNS pg_catalog.name[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT pg_catalog.array_agg(DISTINCT o.time_column ORDER BY o.time_column)
		FROM @extschema@.objective o
		WHERE o.sli_kind <> 'contract'
		  AND (o.source = tbl
			   OR o.source IN (SELECT pg_catalog.pg_partition_ancestors(tbl))
			   OR o.source IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(tbl) t)));

-- How a counting query names its source: a partitioned table with its
-- partitions (the capture triggers are on each), any other table ONLY, for
-- the triggers are not on inheritance children.
CREATE FUNCTION slo_internal.only_unless_partitioned(tbl pg_catalog.regclass)
RETURNS pg_catalog.text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = tbl) = 'p' THEN '' ELSE 'ONLY ' END;

-- The SQL that counts a group of objectives of one source table, owner,
-- search_path and time column (none of them freshness objectives) in one
-- pass over the minutes of the ranges $3, run as their owner by
-- query_group_as: (objective_id, bucket, valid, good, sketch), a row per
-- objective and minute with valid events.  It calls nothing of slo_internal
-- (the owner may not), so minutes are written out as date_bin('1 minute',
-- ts, '2000-01-01 00:00:00+00'), which is minute_of().
CREATE FUNCTION slo_internal.counting_query(members @extschema@.objective[], ranges pg_catalog.tstzmultirange)
RETURNS pg_catalog.text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	o @extschema@.objective;
	counts text := '';
	per_objective text := '';
	in_ranges text;
	i int := 0;
BEGIN
	FOREACH o IN ARRAY members LOOP
		i := i + 1;
		counts := counts || format(E',\n\t\tcount(*) FILTER (WHERE (%1$s)) AS slo_v%2$s, '
										'count(*) FILTER (WHERE (%1$s) AND (%3$s)) AS slo_g%2$s',
								   o.valid_expr, i, o.good_expr);
		-- percentile objectives also keep a sketch of the value per minute
		IF o.sli_kind = 'percentile' THEN
			counts := counts || format(E',\n\t\t@extschema@.sketch((%s)::pg_catalog.float8) FILTER (WHERE (%s)) AS slo_s%s',
									   o.value_expr, o.valid_expr, i);
		END IF;
		per_objective := per_objective || format('%s(%s::pg_catalog.int8, slo_v%s, slo_g%s, %s)',
												 CASE WHEN i > 1 THEN ', ' ELSE '' END, o.id, i, i,
												 CASE WHEN o.sli_kind = 'percentile' THEN 'slo_s' || i
													  ELSE 'NULL::@extschema@.sketch' END);
	END LOOP;
	-- the ranges as constants, so that each is an index range scan of the
	-- time column (a join with $3 would read the whole table); many ranges
	-- (rare: they are merged as they are noted) are joined with $3
	IF pg_catalog.cardinality(ARRAY(SELECT pg_catalog.unnest(ranges))) <= 64 THEN
		SELECT coalesce(string_agg(format('(%1$I >= %2$L::pg_catalog.timestamptz AND %1$I < %3$L::pg_catalog.timestamptz)',
										  members[1].time_column, coalesce(lower(r), '-infinity'),
										  coalesce(upper(r), 'infinity')), E'\n\t   OR '), 'false')
		INTO in_ranges FROM unnest(ranges) r;
		in_ranges := 'WHERE ' || in_ranges;
	ELSE
		in_ranges := format($j$JOIN pg_catalog.unnest($3) AS slo_r(slo_range)
	  ON %1$I >= coalesce(pg_catalog.lower(slo_r.slo_range), '-infinity')
	 AND %1$I < coalesce(pg_catalog.upper(slo_r.slo_range), 'infinity')$j$, members[1].time_column);
	END IF;
	RETURN format($q$
SELECT slo_k.objective_id, slo_w.slo_bucket, slo_k.valid, slo_k.good, slo_k.sketch
FROM (
	SELECT pg_catalog.date_bin('1 minute', %1$I, '2000-01-01 00:00:00+00') AS slo_bucket%3$s
	FROM %5$s%2$s
	%6$s
	GROUP BY 1
) AS slo_w
CROSS JOIN LATERAL (VALUES %4$s) AS slo_k(objective_id, valid, good, sketch)
WHERE slo_k.valid > 0$q$,
		members[1].time_column, members[1].source, counts, per_objective,
		slo_internal.only_unless_partitioned(members[1].source), in_ranges);
END
$$;

-- The SQL that counts a freshness objective, run as its owner by
-- query_counts_as: time-weighted, between consecutive updates the thing is
-- fresh for max_age and stale after; valid and good are milliseconds per
-- minute.  $3 holds the changed minutes within [$1, $2) (NULL: all of
-- them).  A change at minute m can only change the minutes from m to the
-- next update after it, so only those are counted; the last update before
-- $1 says how fresh it was at $1.  Every minute counted comes back, with 0
-- valid where nothing was valid, so that the caller knows what it replaces.
CREATE FUNCTION slo_internal.freshness_query(o @extschema@.objective)
RETURNS pg_catalog.text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN format($q$
WITH slo_u AS (
	SELECT slo_t, lead(slo_t) OVER (ORDER BY slo_t) AS slo_next
	FROM ((SELECT %1$I AS slo_t FROM %5$s%2$s WHERE %1$I < $1 AND (%3$s) ORDER BY %1$I DESC LIMIT 1)
		  UNION ALL
		  (SELECT %1$I FROM %5$s%2$s WHERE %1$I >= $1 AND %1$I < $2 AND (%3$s))) slo_x
), slo_seg AS (
	SELECT greatest(slo_t, $1) AS slo_a, coalesce(slo_next, $2) AS slo_z,
		   slo_t + %4$L::interval AS slo_fresh_until
	FROM slo_u
), slo_todo AS (
	SELECT coalesce(pg_catalog.range_agg(pg_catalog.tstzrange(
			   pg_catalog.date_bin('1 minute', lower(slo_r), timestamptz '2000-01-01 00:00:00+00'),
			   pg_catalog.date_bin('1 minute', coalesce((SELECT min(u.slo_t) FROM slo_u u WHERE u.slo_t >= upper(slo_r)), $2)
											   - interval '1 microsecond', timestamptz '2000-01-01 00:00:00+00')
				   + interval '1 minute')), '{}')
		   * pg_catalog.tstzmultirange(pg_catalog.tstzrange($1, $2)) AS slo_m
	FROM pg_catalog.unnest(coalesce($3, pg_catalog.tstzmultirange(pg_catalog.tstzrange($1, $2)))) AS slo_r
), slo_part AS (
	SELECT s.slo_a, s.slo_z, s.slo_fresh_until, slo_p
	FROM slo_seg s, slo_todo t,
		 pg_catalog.unnest(t.slo_m * pg_catalog.tstzmultirange(pg_catalog.tstzrange(
			 pg_catalog.date_bin('1 minute', s.slo_a, timestamptz '2000-01-01 00:00:00+00'), s.slo_z))) AS slo_p
	WHERE s.slo_z > s.slo_a
)
SELECT slo_b, sum(slo_v)::int8, sum(slo_g)::int8
FROM (SELECT slo_b,
			 greatest(0, extract(epoch FROM least(slo_b + interval '1 minute', slo_z) - greatest(slo_b, slo_a)) * 1000) AS slo_v,
			 greatest(0, extract(epoch FROM least(slo_b + interval '1 minute', slo_z, slo_fresh_until) - greatest(slo_b, slo_a)) * 1000) AS slo_g
	  FROM slo_part
	  CROSS JOIN LATERAL pg_catalog.generate_series(lower(slo_p), upper(slo_p) - interval '1 microsecond', interval '1 minute') AS slo_b
	  UNION ALL
	  SELECT slo_b, 0, 0
	  FROM slo_todo, pg_catalog.unnest(slo_m) AS slo_r,
		   pg_catalog.generate_series(lower(slo_r), upper(slo_r) - interval '1 minute', interval '1 minute') AS slo_b) slo_x
GROUP BY slo_b$q$, o.time_column, o.source, o.valid_expr, o.max_age, slo_internal.only_unless_partitioned(o.source));

-- The counts of a recount, per objective and minute, until the
-- transaction ends (a tick's steps are transactions of their own).
CREATE FUNCTION slo_internal.counted_table()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF to_regclass('pg_temp.slo_counted') IS NULL THEN
		CREATE TEMP TABLE slo_counted (objective_id int8, bucket timestamptz, valid int8, good int8,
									   sketch @extschema@.sketch, PRIMARY KEY (objective_id, bucket))
			ON COMMIT DROP;
	ELSE
		DELETE FROM pg_temp.slo_counted;
	END IF;
END
$$;

-- Replace the rollups of objectives "ids" over the minutes of their
-- "ranges" (one multirange each) with what pg_temp.slo_counted holds for
-- them, writing only rows that change, for all of them at once.  Minute
-- layout (timeslices): rollup rows.  Hour layout (occurrences): the hours
-- that had counts in the ranges or get new ones (no other hour changes, so
-- a wide range costs only its hours with events) get their counted
-- minutes, their days the change of their sums.  Every read of a rollup is
-- a probe of one objective's rows through the primary key (LATERAL), so
-- that no plan reads a whole rollup, whatever the planner guesses of the
-- work table.
CREATE FUNCTION slo_internal.store_counts(ids pg_catalog.int8[], ranges pg_catalog.tstzmultirange[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- minute layout: drop the minutes of the ranges that have no count any
	-- more, write those that do
	WITH g AS (
		SELECT x.id AS objective_id, x.r AS ranges,
			   coalesce(lower(x.r), '-infinity') AS lo, coalesce(upper(x.r), 'infinity') AS hi
		FROM unnest(ids, ranges) AS x(id, r)
		JOIN @extschema@.objective o ON o.id = x.id AND o.budgeting <> 'occurrences'
		WHERE NOT isempty(x.r)
	), gone AS (
		DELETE FROM @extschema@.rollup r
		WHERE r.ctid = ANY (ARRAY(
			SELECT k.ctid
			FROM g CROSS JOIN LATERAL (
				SELECT r2.ctid, r2.bucket FROM @extschema@.rollup r2
				WHERE r2.objective_id = g.objective_id AND r2.breakdown = ''
				  AND r2.bucket >= g.lo AND r2.bucket < g.hi) k
			WHERE k.bucket <@ g.ranges
			  AND NOT EXISTS (SELECT 1 FROM pg_temp.slo_counted c
							  WHERE c.objective_id = g.objective_id AND c.bucket = k.bucket)))
	)
	INSERT INTO @extschema@.rollup AS r (objective_id, bucket, valid, good, sketch)
	SELECT c.objective_id, c.bucket, c.valid, c.good, c.sketch
	FROM g CROSS JOIN LATERAL (SELECT * FROM pg_temp.slo_counted c WHERE c.objective_id = g.objective_id) c
	ON CONFLICT (objective_id, breakdown, bucket) DO UPDATE
		SET valid = EXCLUDED.valid, good = EXCLUDED.good, sketch = EXCLUDED.sketch
		WHERE (r.valid, r.good) IS DISTINCT FROM (EXCLUDED.valid, EXCLUDED.good)
		   OR slo_internal.sketch_send(r.sketch) IS DISTINCT FROM slo_internal.sketch_send(EXCLUDED.sketch);

	-- hour layout, in one statement: the hours, rebuilt minute by minute
	-- (the new count where the ranges cover a minute, else what it had),
	-- written back; the days changed by what their hours changed (so a day
	-- whose first hours are no longer kept keeps its sum: see prune_rollups)
	WITH g AS (
		SELECT x.id AS objective_id, x.r AS ranges,
			   coalesce(lower(x.r), '-infinity') AS lo, coalesce(upper(x.r), 'infinity') AS hi
		FROM unnest(ids, ranges) AS x(id, r)
		JOIN @extschema@.objective o ON o.id = x.id AND o.budgeting = 'occurrences'
		WHERE NOT isempty(x.r)
	), hours AS (
		SELECT g.objective_id, k.hour
		FROM g CROSS JOIN LATERAL (
			SELECT h.hour FROM slo_internal.rollup_hour h
			WHERE h.objective_id = g.objective_id AND h.breakdown = ''
			  AND h.hour > g.lo - interval '1 hour' AND h.hour < g.hi) k
		WHERE g.ranges && tstzrange(k.hour, k.hour + interval '1 hour')
		UNION
		SELECT g.objective_id, date_bin('1 hour', c.bucket, '2000-01-01 00:00+00')
		FROM g CROSS JOIN LATERAL (SELECT c.bucket FROM pg_temp.slo_counted c WHERE c.objective_id = g.objective_id) c
	), rebuilt AS (
		SELECT t.objective_id, t.hour, m.mv, m.mg, m.v, m.g,
			   coalesce(old.valid, 0) AS old_v, coalesce(old.good, 0) AS old_g
		FROM hours t
		JOIN g ON g.objective_id = t.objective_id
		LEFT JOIN LATERAL (
			SELECT h.valid, h.good, h.minute_valid, h.minute_good FROM slo_internal.rollup_hour h
			WHERE h.objective_id = t.objective_id AND h.breakdown = '' AND h.hour = t.hour) old ON true
		CROSS JOIN LATERAL (
			SELECT array_agg(CASE WHEN s.minute <@ g.ranges THEN coalesce(c.valid, 0)::int4
								  ELSE coalesce(old.minute_valid[s.i], 0) END ORDER BY s.i) AS mv,
				   array_agg(CASE WHEN s.minute <@ g.ranges THEN coalesce(c.good, 0)::int4
								  ELSE coalesce(old.minute_good[s.i], 0) END ORDER BY s.i) AS mg,
				   sum(CASE WHEN s.minute <@ g.ranges THEN coalesce(c.valid, 0)
							ELSE coalesce(old.minute_valid[s.i], 0) END)::int8 AS v,
				   sum(CASE WHEN s.minute <@ g.ranges THEN coalesce(c.good, 0)
							ELSE coalesce(old.minute_good[s.i], 0) END)::int8 AS g
			FROM (SELECT i, t.hour + (i - 1) * interval '1 minute' AS minute FROM generate_series(1, 60) i) s
			LEFT JOIN LATERAL (SELECT c.valid, c.good FROM pg_temp.slo_counted c
							   WHERE c.objective_id = t.objective_id AND c.bucket = s.minute) c ON true) m
	), emptied AS (
		DELETE FROM slo_internal.rollup_hour h
		USING rebuilt b
		WHERE b.v = 0 AND b.old_v > 0
		  AND h.objective_id = b.objective_id AND h.breakdown = '' AND h.hour = b.hour
	), written AS (
		INSERT INTO slo_internal.rollup_hour AS h (objective_id, hour, valid, good, minute_valid, minute_good)
		SELECT b.objective_id, b.hour, b.v, b.g, b.mv, b.mg FROM rebuilt b WHERE b.v > 0
		ON CONFLICT (objective_id, breakdown, hour) DO UPDATE
			SET valid = EXCLUDED.valid, good = EXCLUDED.good,
				minute_valid = EXCLUDED.minute_valid, minute_good = EXCLUDED.minute_good
			WHERE h.minute_valid IS DISTINCT FROM EXCLUDED.minute_valid
			   OR h.minute_good IS DISTINCT FROM EXCLUDED.minute_good
	), delta AS (
		SELECT b.objective_id, date_bin('1 day', b.hour, '2000-01-01 00:00+00') AS day,
			   sum(b.v - b.old_v)::int8 AS dv, sum(b.g - b.old_g)::int8 AS dg
		FROM rebuilt b
		GROUP BY 1, 2
		HAVING sum(b.v - b.old_v) <> 0 OR sum(b.g - b.old_g) <> 0
	), days AS (
		SELECT d.objective_id, d.day, d.dv, d.dg, r.valid AS old_valid, r.good AS old_good
		FROM delta d
		LEFT JOIN LATERAL (
			SELECT r.valid, r.good FROM slo_internal.rollup_day r
			WHERE r.objective_id = d.objective_id AND r.breakdown = '' AND r.day = d.day) r ON true
	), days_gone AS (
		DELETE FROM slo_internal.rollup_day r
		USING days d
		WHERE d.old_valid + d.dv = 0
		  AND r.objective_id = d.objective_id AND r.breakdown = '' AND r.day = d.day
	)
	INSERT INTO slo_internal.rollup_day AS r (objective_id, day, valid, good)
	SELECT d.objective_id, d.day, coalesce(d.old_valid, 0) + d.dv, coalesce(d.old_good, 0) + d.dg
	FROM days d
	WHERE coalesce(d.old_valid, 0) + d.dv > 0
	ON CONFLICT (objective_id, breakdown, day) DO UPDATE
		SET valid = EXCLUDED.valid, good = EXCLUDED.good;
END
$$;

-- Count the minutes of "ranges" for a group of objectives of one table,
-- owner, search_path and time column, in one query run as the owner, into
-- pg_temp.slo_counted; contract objectives among them count their
-- contract's checked and passed rows from slo.contract_rate (slo's own
-- table, read by the tick: no SQL of the owner's runs).  Returns the number
-- of (objective, minute) rows.
CREATE FUNCTION slo_internal.count_group(members @extschema@.objective[], ranges pg_catalog.tstzmultirange)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n int8 := 0;
	m int8;
	rows_of @extschema@.objective[] := ARRAY(SELECT x FROM unnest(members) x WHERE x.sli_kind <> 'contract');
	contracts @extschema@.objective[] := ARRAY(SELECT x FROM unnest(members) x WHERE x.sli_kind = 'contract');
BEGIN
	PERFORM slo_internal.counted_table();
	IF cardinality(rows_of) > 0 THEN
		INSERT INTO pg_temp.slo_counted
		SELECT c.objective_id, c.bucket, c.valid, c.good, c.sketch
		FROM slo_internal.query_group_as(rows_of[1].owner::regrole, rows_of[1].search_path,
										 slo_internal.counting_query(rows_of, ranges), NULL, NULL, ranges) c;
		GET DIAGNOSTICS n = ROW_COUNT;
	END IF;
	IF cardinality(contracts) > 0 THEN
		INSERT INTO pg_temp.slo_counted (objective_id, bucket, valid, good)
		SELECT o.id, r.minute, r.checked, r.checked - r.failed
		FROM unnest(contracts) o
		JOIN @extschema@.contract k ON k.name = o.contract AND k.tbl = o.source
		CROSS JOIN unnest(ranges) q
		JOIN @extschema@.contract_rate r
		  ON r.contract_id = k.id
		 AND r.minute >= coalesce(lower(q), '-infinity') AND r.minute < coalesce(upper(q), 'infinity');
		GET DIAGNOSTICS m = ROW_COUNT;
		n := n + m;
	END IF;
	RETURN n;
END
$$;

-- Count a freshness objective over the minutes of "ranges" within [lo, hi)
-- (NULL: all of them), as far as a change there reaches, into
-- pg_temp.slo_counted.  "replaced" is every minute counted; "counted" the
-- number of them with valid time.
CREATE FUNCTION slo_internal.count_freshness(o @extschema@.objective, lo pg_catalog.timestamptz,
		hi pg_catalog.timestamptz, ranges pg_catalog.tstzmultirange,
		OUT counted pg_catalog.int8, OUT replaced pg_catalog.tstzmultirange)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM slo_internal.counted_table();
	WITH q AS (
		SELECT c.bucket, c.valid, c.good
		FROM slo_internal.query_counts_as(o.owner::regrole, o.search_path, slo_internal.freshness_query(o),
										  lo, hi, ranges) c
	), kept AS (
		INSERT INTO pg_temp.slo_counted (objective_id, bucket, valid, good)
		SELECT o.id, q.bucket, q.valid, q.good FROM q WHERE q.valid > 0
		RETURNING 1
	)
	SELECT (SELECT count(*) FROM kept),
		   coalesce(range_agg(tstzrange(q.bucket, q.bucket + interval '1 minute')), '{}')
	INTO counted, replaced
	FROM q;
END
$$;

-- An objective's source must still be there.
CREATE FUNCTION slo_internal.check_source(o @extschema@.objective)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = o.source) THEN
		RAISE EXCEPTION 'source table of objective "%" of service "%" no longer exists', o.name, o.service
			USING ERRCODE = 'undefined_table',
				  HINT = 'Redefine the objective on another table, or delete it from slo.objective.';
	END IF;
	IF o.sli_kind = 'contract'
	   AND NOT EXISTS (SELECT 1 FROM @extschema@.contract k WHERE k.name = o.contract AND k.tbl = o.source) THEN
		RAISE EXCEPTION 'contract "%" of objective "%" of service "%" no longer exists', o.contract, o.name, o.service
			USING ERRCODE = 'undefined_object',
				  HINT = 'Add the contract again, or delete the objective from slo.objective.';
	END IF;
	PERFORM slo_internal.refuse_distributed(o.source);
END
$$;

-- Drop objective o's rollup and start it again: a new objective, one
-- redefined, or one whose source was truncated.  The backfill steps then
-- count it back to its horizon, a day at a time, newest first.
CREATE FUNCTION slo_internal.restart_rollup(o @extschema@.objective, e pg_catalog.timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM @extschema@.rollup WHERE objective_id = o.id;
	DELETE FROM slo_internal.rollup_hour WHERE objective_id = o.id;
	DELETE FROM slo_internal.rollup_day WHERE objective_id = o.id;
	DELETE FROM slo_internal.pending WHERE objective_id = o.id;
	INSERT INTO slo_internal.progress AS p (objective_id, revision, backfilled_from, computed_until,
											backfilled_until, days_from)
	VALUES (o.id, o.revision, e, e, NULL, NULL)
	ON CONFLICT (objective_id) DO UPDATE
		SET revision = EXCLUDED.revision, backfilled_from = EXCLUDED.backfilled_from,
			computed_until = EXCLUDED.computed_until, backfilled_until = NULL, days_from = NULL;
END
$$;

-- One backfill step of objective o at minute e: count the day before what
-- its rollup reaches back to (the first step also counts everything from e
-- on), and stop at its horizon.  Returns the number of minutes counted.
CREATE FUNCTION slo_internal.backfill_step(o @extschema@.objective, e pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p slo_internal.progress;
	lo timestamptz := slo_internal.minute_of(e - slo_internal.horizon_of(o));
	chunk_lo timestamptz;
	chunk_hi timestamptz;
	ranges tstzmultirange;
	n int8;
BEGIN
	PERFORM slo_internal.check_source(o);
	SELECT * INTO p FROM slo_internal.progress WHERE objective_id = o.id;
	chunk_hi := p.backfilled_from;
	chunk_lo := greatest(lo, chunk_hi - interval '1 day');
	IF o.sli_kind = 'freshness' THEN
		-- the first step also counts up to e (freshness has nothing after
		-- it); each later one its own day, the update before it included
		IF chunk_hi >= p.computed_until THEN
			chunk_hi := e;
		END IF;
		SELECT c.counted INTO n FROM slo_internal.count_freshness(o, chunk_lo, chunk_hi, NULL) c;
		ranges := tstzmultirange(tstzrange(chunk_lo, chunk_hi));
		PERFORM slo_internal.store_counts(ARRAY[o.id], ARRAY[ranges]);
		UPDATE slo_internal.progress SET computed_until = greatest(computed_until, e) WHERE objective_id = o.id;
	ELSE
		-- the first step counts [chunk_lo, infinity): events stamped after e too
		ranges := tstzmultirange(tstzrange(chunk_lo, CASE WHEN chunk_hi >= p.computed_until THEN NULL ELSE chunk_hi END));
		n := slo_internal.count_group(ARRAY[o], ranges);
		PERFORM slo_internal.store_counts(ARRAY[o.id], ARRAY[ranges]);
	END IF;
	UPDATE slo_internal.progress
	SET backfilled_from = chunk_lo,
		backfilled_until = CASE WHEN chunk_lo <= lo THEN lo END,
		days_from = date_bin('1 day', chunk_lo - interval '1 microsecond', '2000-01-01 00:00+00') + interval '1 day'
	WHERE objective_id = o.id;
	RETURN n;
END
$$;

-- Count the changed minutes of a group of backfilled objectives of one
-- table, owner, search_path and time column (no freshness objectives): each
-- takes its own pending minutes (from what its rollup covers on), one
-- query counts the union, and each stores its own.  Returns the number of
-- (objective, minute) rows counted.
CREATE FUNCTION slo_internal.recount_group(ids pg_catalog.int8[], e pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	members @extschema@.objective[];
	own tstzmultirange[];
	o @extschema@.objective;
	all_ranges tstzmultirange := '{}';
	r tstzmultirange;
	n int8 := 0;
BEGIN
	FOR o IN SELECT ob.* FROM @extschema@.objective ob WHERE ob.id = ANY (ids) ORDER BY ob.id LOOP
		PERFORM slo_internal.check_source(o);
		WITH gone AS (DELETE FROM slo_internal.pending pd WHERE pd.objective_id = o.id RETURNING pd.changed)
		SELECT g.changed * tstzmultirange(tstzrange(p.backfilled_from, NULL)) INTO r
		FROM gone g, slo_internal.progress p WHERE p.objective_id = o.id;
		CONTINUE WHEN r IS NULL OR isempty(r);
		members := members || o;
		own := own || r;
		all_ranges := all_ranges + r;
	END LOOP;
	IF members IS NULL THEN
		RETURN 0;
	END IF;
	n := slo_internal.count_group(members, all_ranges);
	PERFORM slo_internal.store_counts(ARRAY(SELECT m.id FROM unnest(members) m), own);
	RETURN n;
END
$$;

-- Count what changed for a backfilled freshness objective: from the first
-- changed minute (or the last tick's end, since age grows with time) to e.
CREATE FUNCTION slo_internal.recount_freshness(o @extschema@.objective, e pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p slo_internal.progress;
	changed tstzmultirange;
	n int8;
BEGIN
	PERFORM slo_internal.check_source(o);
	SELECT * INTO p FROM slo_internal.progress WHERE objective_id = o.id;
	WITH gone AS (DELETE FROM slo_internal.pending pd WHERE pd.objective_id = o.id RETURNING pd.changed)
	-- (a change before the rollup's start still reaches the minutes from its
	-- start to the next update: they are recounted as if its first minute
	-- had changed)
	SELECT g.changed * tstzmultirange(tstzrange(p.backfilled_from, NULL))
		   + CASE WHEN g.changed && tstzmultirange(tstzrange(NULL, p.backfilled_from))
				  THEN tstzmultirange(tstzrange(p.backfilled_from, p.backfilled_from + interval '1 minute'))
				  ELSE '{}' END
	INTO changed FROM gone g;
	-- what changed, and the minutes since the last tick (age grows)
	-- (a tick at an instant before the last one, a replay, recounts nothing new)
	changed := (coalesce(changed, '{}') + tstzmultirange(tstzrange(least(slo_internal.minute_of(p.computed_until), e), e)))
			   * tstzmultirange(tstzrange(NULL, e));
	IF isempty(changed) THEN
		UPDATE slo_internal.progress SET computed_until = e WHERE objective_id = o.id;
		RETURN 0;
	END IF;
	SELECT c.counted, c.replaced INTO n, changed
	FROM slo_internal.count_freshness(o, lower(changed), e, changed) c;
	PERFORM slo_internal.store_counts(ARRAY[o.id], ARRAY[changed]);
	UPDATE slo_internal.progress SET computed_until = e WHERE objective_id = o.id;
	RETURN n;
END
$$;

-- Drop what no window of any objective can reach any more, and what
-- deleted objectives left.
CREATE FUNCTION slo_internal.prune_rollups(e pg_catalog.timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- contracts' pass rates written since the last tick (the minutes they
	-- change are pending for their objectives), and what is too old to keep
	PERFORM slo_internal.fold_contract_tallies();
	PERFORM slo_internal.prune_contracts(e);

	-- what deleted objectives left (their progress row says they had a
	-- rollup); each a probe of the primary key, never a scan of a rollup
	WITH gone AS (
		SELECT p.objective_id AS id FROM slo_internal.progress p
		WHERE NOT EXISTS (SELECT 1 FROM @extschema@.objective o WHERE o.id = p.objective_id)
	), m AS (
		DELETE FROM @extschema@.rollup r WHERE r.ctid = ANY (ARRAY(
			SELECT k.ctid FROM gone CROSS JOIN LATERAL (
				SELECT r2.ctid FROM @extschema@.rollup r2 WHERE r2.objective_id = gone.id) k))
	), hr AS (
		DELETE FROM slo_internal.rollup_hour r WHERE r.ctid = ANY (ARRAY(
			SELECT k.ctid FROM gone CROSS JOIN LATERAL (
				SELECT r2.ctid FROM slo_internal.rollup_hour r2 WHERE r2.objective_id = gone.id) k))
	), d AS (
		DELETE FROM slo_internal.rollup_day r WHERE r.ctid = ANY (ARRAY(
			SELECT k.ctid FROM gone CROSS JOIN LATERAL (
				SELECT r2.ctid FROM slo_internal.rollup_day r2 WHERE r2.objective_id = gone.id) k))
	)
	DELETE FROM slo_internal.progress p USING gone WHERE p.objective_id = gone.id;
	DELETE FROM @extschema@.evaluation v WHERE NOT EXISTS (SELECT 1 FROM @extschema@.objective o WHERE o.id = v.objective_id);
	DELETE FROM slo_internal.pending d WHERE NOT EXISTS (SELECT 1 FROM @extschema@.objective o WHERE o.id = d.objective_id);

	-- beyond each objective's horizon: at the left edge of its rows
	-- (breakdown '' is the only one there is yet); day sums are kept 13
	-- months (for the monthly results), or back to the horizon if that is
	-- longer
	WITH h AS (
		SELECT o.id, slo_internal.minute_of(e - slo_internal.horizon_of(o)) AS lo,
			   least(date_bin('1 day', e - interval '13 months', '2000-01-01 00:00+00'),
					 date_bin('1 day', e - slo_internal.horizon_of(o), '2000-01-01 00:00+00')) AS days_lo
		FROM @extschema@.objective o
	), m AS (
		DELETE FROM @extschema@.rollup r WHERE r.ctid = ANY (ARRAY(
			SELECT k.ctid FROM h CROSS JOIN LATERAL (
				SELECT r2.ctid FROM @extschema@.rollup r2
				WHERE r2.objective_id = h.id AND r2.breakdown = '' AND r2.bucket < h.lo) k))
	), hr AS (
		DELETE FROM slo_internal.rollup_hour r WHERE r.ctid = ANY (ARRAY(
			SELECT k.ctid FROM h CROSS JOIN LATERAL (
				SELECT r2.ctid FROM slo_internal.rollup_hour r2
				WHERE r2.objective_id = h.id AND r2.breakdown = ''
				  AND r2.hour < date_bin('1 hour', h.lo, '2000-01-01 00:00+00')) k))
	), d AS (
		DELETE FROM slo_internal.rollup_day r WHERE r.ctid = ANY (ARRAY(
			SELECT k.ctid FROM h CROSS JOIN LATERAL (
				SELECT r2.ctid FROM slo_internal.rollup_day r2
				WHERE r2.objective_id = h.id AND r2.breakdown = '' AND r2.day < h.days_lo) k))
	)
	UPDATE slo_internal.progress p
	SET backfilled_from = greatest(p.backfilled_from, h.lo),
		backfilled_until = CASE WHEN p.backfilled_from < h.lo THEN h.lo ELSE p.backfilled_until END,
		days_from = CASE WHEN p.days_from IS NOT NULL THEN greatest(p.days_from, h.days_lo) END
	FROM h
	WHERE p.objective_id = h.id AND (p.backfilled_from < h.lo OR p.days_from < h.days_lo);
END
$$;

-- Every objective's rollup as one row per minute with valid events,
-- whichever layout holds it: what a recount of the source rows must equal.
CREATE VIEW slo_internal.minutes AS
SELECT r.objective_id, r.bucket, r.valid, r.good
FROM @extschema@.rollup r
WHERE r.breakdown = ''
UNION ALL
SELECT h.objective_id, h.hour + (m.i - 1) * interval '1 minute', m.v::pg_catalog.int8, m.g::pg_catalog.int8
FROM slo_internal.rollup_hour h,
	 ROWS FROM (pg_catalog.unnest(h.minute_valid), pg_catalog.unnest(h.minute_good)) WITH ORDINALITY AS m(v, g, i)
WHERE h.breakdown = '' AND m.v > 0;
COMMENT ON VIEW slo_internal.minutes IS
'every objective''s rollup, one row per minute with valid events: what a recount of the source rows must equal';
GRANT SELECT ON slo_internal.minutes TO slo_reader;
