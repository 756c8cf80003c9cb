/*
 * rollup.sql: the loss-free incremental rollup -- the statement triggers
 * that note changed minutes, the counting queries run as each objective's
 * owner, and the recount of exactly the noted minutes.
 */

------------------------------------------------------------------------------
-- Evaluating user SQL as its owner (src/run_as.c).  The C function refuses a
-- caller without the owner's privileges, so it can never grant more than the
-- caller already has; only slo_admin may call it (internal_rights.sql).
------------------------------------------------------------------------------
CREATE FUNCTION slo_internal.query_counts_as(owner pg_catalog.regrole, search_path pg_catalog.text,
		query pg_catalog.text, lo pg_catalog.timestamptz, hi pg_catalog.timestamptz,
		buckets pg_catalog.timestamptz[])
RETURNS TABLE (bucket pg_catalog.timestamptz, valid pg_catalog.int8, good pg_catalog.int8)
AS 'MODULE_PATHNAME', 'query_counts_as'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- query_counts_as with a sketch column (the same C function checks the
-- query's columns against the declaration)
CREATE FUNCTION slo_internal.query_sketches_as(owner pg_catalog.regrole, search_path pg_catalog.text,
		query pg_catalog.text, lo pg_catalog.timestamptz, hi pg_catalog.timestamptz,
		buckets pg_catalog.timestamptz[])
RETURNS TABLE (bucket pg_catalog.timestamptz, valid pg_catalog.int8, good pg_catalog.int8,
			   sketch @extschema@.sketch)
AS 'MODULE_PATHNAME', 'query_counts_as'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

------------------------------------------------------------------------------
-- Invalidation triggers on source tables
------------------------------------------------------------------------------

/*
 * invalidate() -- statement-level AFTER trigger on every source table.
 * Records, for each objective reading the table, the minutes whose rows this
 * statement inserted, deleted or changed (old and new timestamps both).  It
 * runs with the extension owner's rights so that writers need no privilege
 * on slo.invalidation; it reads only the transition tables, slo.objective
 * and pg_catalog.  Before anything else it makes sure it was fired as one of
 * the triggers attach_triggers() creates, with the transition tables those
 * declare: only then do the names new_rows and old_rows below name this
 * statement's rows (a transition table is found before any relation of the
 * same name, pg_temp's included), and it refuses any other call.
 */
CREATE FUNCTION slo_internal.invalidate()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	o record;
	t record;
	sql text;
BEGIN
	SELECT tg.tgfoid, tg.tgnewtable, tg.tgoldtable INTO t
	FROM pg_catalog.pg_trigger tg
	WHERE tg.tgrelid = TG_RELID AND tg.tgname = TG_NAME;
	IF TG_WHEN IS DISTINCT FROM 'AFTER' OR TG_LEVEL IS DISTINCT FROM 'STATEMENT'
	   OR t.tgfoid IS DISTINCT FROM 'slo_internal.invalidate()'::pg_catalog.regprocedure
	   OR TG_NAME IS DISTINCT FROM 'slo_invalidate_' || pg_catalog.lower(TG_OP)
	   OR (TG_OP IN ('INSERT', 'UPDATE') AND t.tgnewtable IS DISTINCT FROM 'new_rows')
	   OR (TG_OP IN ('DELETE', 'UPDATE') AND t.tgoldtable IS DISTINCT FROM 'old_rows') THEN
		RAISE EXCEPTION 'trigger "%" on relation "%" is not one of slo''s invalidation triggers',
			TG_NAME, TG_TABLE_NAME
			USING ERRCODE = 'trigger_protocol_violated',
				  DETAIL = 'This function runs only as the statement triggers slo.attach_triggers() creates, with their transition tables.',
				  HINT = 'Let slo.define_objective() or slo.attach_triggers() put the triggers on the table.';
	END IF;

	-- only time columns still of type timestamptz: a column whose type the
	-- table's owner changed could make minute_of() run the owner's cast
	-- function with this function's (superuser) rights
	FOR o IN SELECT ob.id, ob.time_column FROM @extschema@.objective ob
			 JOIN pg_catalog.pg_attribute a ON a.attrelid = ob.source AND a.attname = ob.time_column
			 WHERE (ob.source = TG_RELID
					OR ob.source IN (SELECT pg_catalog.pg_partition_ancestors(TG_RELID)))
			   AND NOT a.attisdropped
			   AND a.atttypid = 'pg_catalog.timestamptz'::pg_catalog.regtype LOOP
		IF TG_OP = 'TRUNCATE' THEN
			-- '-infinity' asks the tick to rebuild the whole rollup
			INSERT INTO slo_internal.invalidation (objective_id, bucket) VALUES (o.id, '-infinity');
			CONTINUE;
		END IF;
		sql := NULL;
		IF TG_OP IN ('INSERT', 'UPDATE') THEN
			sql := pg_catalog.format('SELECT %s, slo_internal.minute_of(%I) FROM new_rows', o.id, o.time_column);
		END IF;
		IF TG_OP IN ('DELETE', 'UPDATE') THEN
			sql := pg_catalog.concat_ws(' UNION ', sql,
							 pg_catalog.format('SELECT %s, slo_internal.minute_of(%I) FROM old_rows', o.id, o.time_column));
		END IF;
		EXECUTE pg_catalog.format('INSERT INTO slo_internal.invalidation (objective_id, bucket) '
					   'SELECT DISTINCT * FROM (%s) s(id, bucket) WHERE bucket IS NOT NULL', sql);
	END LOOP;
	RETURN NULL;
END
$$;

-- Put the three invalidation triggers on a table, once.
CREATE FUNCTION @extschema@.attach_triggers(tbl pg_catalog.regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	part regclass;
BEGIN
	-- the table and, if partitioned, every partition: DML aimed straight at
	-- a partition fires only that partition's statement triggers.  Run again
	-- after adding partitions.
	FOR part IN
		-- (pg_partition_tree() and pg_partition_ancestors() return no rows
		-- for a table that is not partitioned and not a partition)
		SELECT t.relid FROM (SELECT tbl AS relid UNION SELECT relid FROM pg_partition_tree(tbl)) t
		JOIN pg_class c ON c.oid = t.relid
		WHERE c.relkind IN ('r', 'p')
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = part AND tgname = 'slo_invalidate_insert') THEN
			EXECUTE format('CREATE TRIGGER slo_invalidate_insert AFTER INSERT ON %s '
						   'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
						   'EXECUTE FUNCTION slo_internal.invalidate()', part);
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = part AND tgname = 'slo_invalidate_update') THEN
			EXECUTE format('CREATE TRIGGER slo_invalidate_update AFTER UPDATE ON %s '
						   'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT '
						   'EXECUTE FUNCTION slo_internal.invalidate()', part);
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = part AND tgname = 'slo_invalidate_delete') THEN
			EXECUTE format('CREATE TRIGGER slo_invalidate_delete AFTER DELETE ON %s '
						   'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
						   'EXECUTE FUNCTION slo_internal.invalidate()', part);
		END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = part AND tgname = 'slo_invalidate_truncate') THEN
			EXECUTE format('CREATE TRIGGER slo_invalidate_truncate AFTER TRUNCATE ON %s '
						   'FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.invalidate()', part);
		END IF;
	END LOOP;
END
$$;
-- Runs with the caller's rights (CREATE TRIGGER needs the TRIGGER privilege on
-- the table), so every role that may define objectives may call it.

SELECT @extschema@.attach_triggers('@extschema@.event');

------------------------------------------------------------------------------
-- Incremental rollup
------------------------------------------------------------------------------

-- The SQL that counts an objective's buckets, run as its owner by
-- query_counts_as with $1 = lo, $2 = hi, $3 = buckets.  It calls nothing of
-- slo_internal (the owner may not), so minutes are written out as
-- date_bin('1 minute', ts, '2000-01-01 00:00:00+00'), which is minute_of().
CREATE FUNCTION slo_internal.counting_query(o @extschema@.objective, mode pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- percentile objectives also keep a sketch of the value per minute
	sk text := CASE WHEN o.sli_kind = 'percentile'
					THEN format(', @extschema@.sketch((%s)::pg_catalog.float8) FILTER (WHERE (%s))',
								o.value_expr, o.valid_expr)
					ELSE '' END;
BEGIN
	IF o.sli_kind = 'freshness' THEN
		-- time-weighted: between consecutive updates, the thing is fresh for
		-- max_age and stale after; valid and good are milliseconds per minute
		RETURN format($q$
WITH slo_u AS (
	SELECT slo_t, lead(slo_t) OVER (ORDER BY slo_t) AS slo_next
	FROM ((SELECT %1$I AS slo_t FROM %2$s WHERE %1$I < $1 AND (%3$s) ORDER BY %1$I DESC LIMIT 1)
		  UNION ALL
		  (SELECT %1$I FROM %2$s WHERE %1$I >= $1 AND %1$I < $2 AND (%3$s))) slo_x
), slo_seg AS (
	SELECT greatest(slo_t, $1) AS slo_a, coalesce(slo_next, $2) AS slo_z,
		   slo_t + %4$L::interval AS slo_fresh_until
	FROM slo_u
)
SELECT slo_b,
	   sum(greatest(0, extract(epoch FROM least(slo_b + interval '1 minute', slo_z) - greatest(slo_b, slo_a)) * 1000))::int8,
	   sum(greatest(0, extract(epoch FROM least(slo_b + interval '1 minute', slo_z, slo_fresh_until) - greatest(slo_b, slo_a)) * 1000))::int8
FROM slo_seg
CROSS JOIN LATERAL generate_series(pg_catalog.date_bin('1 minute', slo_a, '2000-01-01 00:00:00+00'), slo_z - interval '1 microsecond', interval '1 minute') AS slo_b
WHERE slo_z > slo_a
GROUP BY slo_b$q$, o.time_column, o.source, o.valid_expr, o.max_age);
	ELSIF mode = 'backfill' THEN
		RETURN format($q$
SELECT pg_catalog.date_bin('1 minute', %1$I, '2000-01-01 00:00:00+00'),
	   count(*) FILTER (WHERE (%3$s)),
	   count(*) FILTER (WHERE (%3$s) AND (%4$s))%5$s
FROM %2$s
WHERE %1$I >= $1
GROUP BY 1$q$, o.time_column, o.source, o.valid_expr, o.good_expr, sk);
	ELSE
		RETURN format($q$
SELECT slo_b.slo_bucket, slo_c.*
FROM unnest($3) AS slo_b(slo_bucket)
CROSS JOIN LATERAL (
	SELECT count(*) FILTER (WHERE (%3$s)) AS valid,
		   count(*) FILTER (WHERE (%3$s) AND (%4$s)) AS good%5$s
	FROM %2$s
	WHERE %1$I >= slo_b.slo_bucket AND %1$I < slo_b.slo_bucket + interval '1 minute'
) AS slo_c$q$, o.time_column, o.source, o.valid_expr, o.good_expr, sk);
	END IF;
END
$$;

-- Replace the rollup buckets of [lo, hi) (or the listed buckets) with a
-- fresh count.  Returns the number of buckets counted.
CREATE FUNCTION slo_internal.recount(o @extschema@.objective, mode pg_catalog.text,
		lo pg_catalog.timestamptz, hi pg_catalog.timestamptz, buckets pg_catalog.timestamptz[])
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n int8;
BEGIN
	IF to_regclass('pg_temp.slo_counted') IS NULL THEN
		CREATE TEMP TABLE slo_counted (bucket timestamptz PRIMARY KEY, valid int8, good int8,
										  sketch @extschema@.sketch)
			ON COMMIT DROP;
	ELSE
		TRUNCATE pg_temp.slo_counted;
	END IF;
	IF o.sli_kind = 'percentile' THEN
		INSERT INTO pg_temp.slo_counted
		SELECT c.bucket, c.valid, c.good, c.sketch
		FROM slo_internal.query_sketches_as(o.owner::regrole, o.search_path,
										   slo_internal.counting_query(o, mode), lo, hi, buckets) c;
	ELSE
		INSERT INTO pg_temp.slo_counted
		SELECT c.bucket, c.valid, c.good, NULL
		FROM slo_internal.query_counts_as(o.owner::regrole, o.search_path,
										 slo_internal.counting_query(o, mode), lo, hi, buckets) c;
	END IF;
	GET DIAGNOSTICS n = ROW_COUNT;

	IF mode = 'buckets' THEN
		DELETE FROM @extschema@.rollup r
		WHERE r.objective_id = o.id AND r.bucket = ANY (buckets)
		  AND NOT EXISTS (SELECT 1 FROM pg_temp.slo_counted c WHERE c.bucket = r.bucket AND c.valid > 0);
	ELSE
		DELETE FROM @extschema@.rollup r
		WHERE r.objective_id = o.id AND r.bucket >= lo AND (hi IS NULL OR r.bucket < hi)
		  AND NOT EXISTS (SELECT 1 FROM pg_temp.slo_counted c WHERE c.bucket = r.bucket AND c.valid > 0);
	END IF;
	INSERT INTO @extschema@.rollup AS r (objective_id, bucket, valid, good, sketch)
	SELECT o.id, c.bucket, c.valid, c.good, c.sketch FROM pg_temp.slo_counted c WHERE c.valid > 0
	ON CONFLICT (objective_id, bucket) DO UPDATE
		SET valid = EXCLUDED.valid, good = EXCLUDED.good, sketch = EXCLUDED.sketch;
	RETURN n;
END
$$;

-- Bring one objective's rollup up to date at instant "at": a backfill the
-- first time, then only the buckets the triggers invalidated (freshness:
-- also the open stretch since the last tick, as age grows with time).
CREATE FUNCTION slo_internal.refresh_rollup(o @extschema@.objective, at pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p slo_internal.progress;
	lo timestamptz;
	changed timestamptz[];
	n int8 := 0;
BEGIN
	-- nothing after the last whole minute is counted (see evaluate())
	at := slo_internal.minute_of(at);
	lo := slo_internal.minute_of(at - slo_internal.horizon_of(o));
	IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = o.source) THEN
		RAISE EXCEPTION 'source table of objective "%" of service "%" no longer exists', o.name, o.service
			USING ERRCODE = 'undefined_table',
				  HINT = 'Redefine the objective on another table, or delete it from slo.objective.';
	END IF;

	SELECT * INTO p FROM slo_internal.progress WHERE objective_id = o.id;
	IF p.objective_id IS NOT NULL AND p.revision <> o.revision THEN
		-- redefined since the rollup was built: rebuild it from scratch
		DELETE FROM slo_internal.progress WHERE objective_id = o.id;
		DELETE FROM @extschema@.rollup WHERE objective_id = o.id;
		p := NULL;
	END IF;

	-- the triggers' notes; those of writers still in flight stay for the next tick
	WITH gone AS (
		DELETE FROM slo_internal.invalidation i WHERE i.objective_id = o.id RETURNING i.bucket
	)
	SELECT array_agg(DISTINCT bucket ORDER BY bucket) INTO changed FROM gone
	WHERE p.objective_id IS NOT NULL AND (bucket >= p.backfilled_from OR bucket = '-infinity');

	IF changed[1] = '-infinity' THEN
		-- the source was truncated: rebuild from scratch
		DELETE FROM slo_internal.progress WHERE objective_id = o.id;
		DELETE FROM @extschema@.rollup WHERE objective_id = o.id;
		p := NULL;
	END IF;

	IF p.objective_id IS NULL THEN
		IF o.sli_kind = 'freshness' THEN
			n := slo_internal.recount(o, 'range', lo, at, NULL);
		ELSE
			n := slo_internal.recount(o, 'backfill', lo, NULL, NULL);
		END IF;
		INSERT INTO slo_internal.progress (objective_id, revision, backfilled_from, computed_until)
		VALUES (o.id, o.revision, lo, at);
		RETURN n;
	END IF;

	IF o.sli_kind = 'freshness' THEN
		n := slo_internal.recount(o, 'range',
								 LEAST(coalesce(changed[1], 'infinity'),
									   slo_internal.minute_of(p.computed_until)),
								 at, NULL);
	ELSIF changed IS NOT NULL THEN
		n := slo_internal.recount(o, 'buckets', NULL, NULL, changed);
	END IF;

	-- keep only what some window can still reach
	DELETE FROM @extschema@.rollup r WHERE r.objective_id = o.id AND r.bucket < lo;
	UPDATE slo_internal.progress SET computed_until = at,
		backfilled_from = GREATEST(backfilled_from, lo)
	WHERE objective_id = o.id;
	RETURN n;
END
$$;
