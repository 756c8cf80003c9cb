/* slo--0.2--0.3.sql: latency percentiles -- the slo.sketch type (a mergeable,
 * log-bucketed quantile sketch with a relative-error guarantee), the
 * aggregates that build and merge it, and its accessors */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION slo UPDATE TO '0.3'" to load this file. \quit

CREATE TYPE @extschema@.sketch;

CREATE FUNCTION @extschema@.sketch_in(pg_catalog.cstring)
RETURNS @extschema@.sketch
AS 'MODULE_PATHNAME', 'sketch_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sketch_out(@extschema@.sketch)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'sketch_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sketch_recv(pg_catalog.internal)
RETURNS @extschema@.sketch
AS 'MODULE_PATHNAME', 'sketch_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sketch_send(@extschema@.sketch)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'sketch_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.sketch (
	INTERNALLENGTH = VARIABLE,
	INPUT = @extschema@.sketch_in,
	OUTPUT = @extschema@.sketch_out,
	RECEIVE = @extschema@.sketch_recv,
	SEND = @extschema@.sketch_send,
	ALIGNMENT = double,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.sketch IS
'log-bucketed quantile sketch: every percentile within relative error alpha';

-- Transition and combine functions: not STRICT (the state starts NULL, and
-- NULL or NaN values are skipped); IMMUTABLE, since they update their state
-- in place only inside an aggregate.
CREATE FUNCTION @extschema@.sketch_add(@extschema@.sketch, pg_catalog.float8)
RETURNS @extschema@.sketch
AS 'MODULE_PATHNAME', 'sketch_add'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.sketch_add(@extschema@.sketch, pg_catalog.float8, pg_catalog.float8)
RETURNS @extschema@.sketch
AS 'MODULE_PATHNAME', 'sketch_add_alpha'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.sketch_combine(@extschema@.sketch, @extschema@.sketch)
RETURNS @extschema@.sketch
AS 'MODULE_PATHNAME', 'sketch_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- the aggregates' final function: the result without its room to grow
CREATE FUNCTION @extschema@.sketch_trim(@extschema@.sketch)
RETURNS @extschema@.sketch
AS 'MODULE_PATHNAME', 'sketch_trim'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.sketch(value pg_catalog.float8) (
	SFUNC = @extschema@.sketch_add,
	STYPE = @extschema@.sketch,
	FINALFUNC = @extschema@.sketch_trim,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = @extschema@.sketch_combine,
	PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.sketch(value pg_catalog.float8, alpha pg_catalog.float8) (
	SFUNC = @extschema@.sketch_add,
	STYPE = @extschema@.sketch,
	FINALFUNC = @extschema@.sketch_trim,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = @extschema@.sketch_combine,
	PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.merge(@extschema@.sketch) (
	SFUNC = @extschema@.sketch_combine,
	STYPE = @extschema@.sketch,
	FINALFUNC = @extschema@.sketch_trim,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = @extschema@.sketch_combine,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.sketch(pg_catalog.float8) IS
'quantile sketch of the non-NULL, non-NaN values, relative accuracy 0.01';
COMMENT ON AGGREGATE @extschema@.sketch(pg_catalog.float8, pg_catalog.float8) IS
'quantile sketch of the non-NULL, non-NaN values, relative accuracy alpha';
COMMENT ON AGGREGATE @extschema@.merge(@extschema@.sketch) IS
'one sketch holding every value of the sketches merged (same alpha)';

-- Accessors
CREATE FUNCTION @extschema@.percentile(@extschema@.sketch, pg_catalog.float8)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'sketch_percentile'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.percentiles(@extschema@.sketch, pg_catalog.float8[])
RETURNS pg_catalog.float8[]
AS 'MODULE_PATHNAME', 'sketch_percentiles'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.p_within(@extschema@.sketch, pg_catalog.float8)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'sketch_p_within'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sketch_count(@extschema@.sketch)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'sketch_count'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sketch_min(@extschema@.sketch)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'sketch_min'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sketch_max(@extschema@.sketch)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'sketch_max'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sketch_mean(@extschema@.sketch)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'sketch_mean'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.sketch_alpha(@extschema@.sketch)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'sketch_alpha'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.percentile(@extschema@.sketch, pg_catalog.float8) IS
'the value at a percentile (0..1), within relative error alpha of percentile_disc';
COMMENT ON FUNCTION @extschema@.percentiles(@extschema@.sketch, pg_catalog.float8[]) IS
'the values at several percentiles';
COMMENT ON FUNCTION @extschema@.p_within(@extschema@.sketch, pg_catalog.float8) IS
'the share of values <= bound, each bin counted by its representative value';

------------------------------------------------------------------------------
-- Percentile objectives in the catalog: "p95 <= 250 ms in each 5-minute
-- slice".  Rollups keep a sketch of the value per minute; each slice merges
-- its minutes' sketches and is good when its percentile meets the bound.
-- (Functions whose body changes are replaced in place: they are members of
-- this extension, so CREATE OR REPLACE cannot take over anything else.)
------------------------------------------------------------------------------

ALTER TABLE @extschema@.objective DROP CONSTRAINT objective_sli_kind_check;
ALTER TABLE @extschema@.objective ADD CONSTRAINT objective_sli_kind_check
	CHECK (sli_kind IN ('ratio', 'threshold', 'freshness', 'throughput', 'percentile'));
ALTER TABLE @extschema@.objective ADD COLUMN percentile pg_catalog.float8
	CHECK (percentile >= 0 AND percentile <= 1);
ALTER TABLE @extschema@.rollup ADD COLUMN sketch @extschema@.sketch;
COMMENT ON COLUMN @extschema@.rollup.sketch IS
'percentile objectives: a sketch of the minute''s values';

-- query_counts_as with a sketch column (the same C function checks the
-- query's columns against the declaration)
CREATE FUNCTION @extschema@.query_sketches_as(owner pg_catalog.regrole, search_path pg_catalog.text,
		query pg_catalog.text, lo pg_catalog.timestamptz, hi pg_catalog.timestamptz,
		buckets pg_catalog.timestamptz[])
RETURNS TABLE (bucket pg_catalog.timestamptz, valid pg_catalog.int8, good pg_catalog.int8,
			   sketch @extschema@.sketch)
AS 'MODULE_PATHNAME', 'query_counts_as'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
REVOKE ALL ON FUNCTION @extschema@.query_sketches_as(pg_catalog.regrole, pg_catalog.text, pg_catalog.text,
		pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.query_sketches_as(pg_catalog.regrole, pg_catalog.text, pg_catalog.text,
		pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz[]) TO slo_admin;

CREATE OR REPLACE FUNCTION @extschema@.counting_query(o @extschema@.objective, mode pg_catalog.text)
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
CROSS JOIN LATERAL generate_series(@extschema@.minute_of(slo_a), slo_z - interval '1 microsecond', interval '1 minute') AS slo_b
WHERE slo_z > slo_a
GROUP BY slo_b$q$, o.time_column, o.source, o.valid_expr, o.max_age);
	ELSIF mode = 'backfill' THEN
		RETURN format($q$
SELECT @extschema@.minute_of(%1$I),
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

CREATE OR REPLACE FUNCTION @extschema@.recount(o @extschema@.objective, mode pg_catalog.text,
		lo pg_catalog.timestamptz, hi pg_catalog.timestamptz, buckets pg_catalog.timestamptz[])
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n int8;
BEGIN
	IF to_regclass('pg_temp.slo_counted_v3') IS NULL THEN
		CREATE TEMP TABLE slo_counted_v3 (bucket timestamptz PRIMARY KEY, valid int8, good int8,
										  sketch @extschema@.sketch)
			ON COMMIT DROP;
	ELSE
		TRUNCATE slo_counted_v3;
	END IF;
	IF o.sli_kind = 'percentile' THEN
		INSERT INTO slo_counted_v3
		SELECT c.bucket, c.valid, c.good, c.sketch
		FROM @extschema@.query_sketches_as(o.owner::regrole, o.search_path,
										   @extschema@.counting_query(o, mode), lo, hi, buckets) c;
	ELSE
		INSERT INTO slo_counted_v3
		SELECT c.bucket, c.valid, c.good, NULL
		FROM @extschema@.query_counts_as(o.owner::regrole, o.search_path,
										 @extschema@.counting_query(o, mode), lo, hi, buckets) c;
	END IF;
	GET DIAGNOSTICS n = ROW_COUNT;

	IF mode = 'buckets' THEN
		DELETE FROM @extschema@.rollup r
		WHERE r.objective_id = o.id AND r.bucket = ANY (buckets)
		  AND NOT EXISTS (SELECT 1 FROM slo_counted_v3 c WHERE c.bucket = r.bucket AND c.valid > 0);
	ELSE
		DELETE FROM @extschema@.rollup r
		WHERE r.objective_id = o.id AND r.bucket >= lo AND (hi IS NULL OR r.bucket < hi)
		  AND NOT EXISTS (SELECT 1 FROM slo_counted_v3 c WHERE c.bucket = r.bucket AND c.valid > 0);
	END IF;
	INSERT INTO @extschema@.rollup AS r (objective_id, bucket, valid, good, sketch)
	SELECT o.id, c.bucket, c.valid, c.good, c.sketch FROM slo_counted_v3 c WHERE c.valid > 0
	ON CONFLICT (objective_id, bucket) DO UPDATE
		SET valid = EXCLUDED.valid, good = EXCLUDED.good, sketch = EXCLUDED.sketch;
	RETURN n;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.measure(o @extschema@.objective, origin pg_catalog.timestamptz,
		lo pg_catalog.timestamptz, hi pg_catalog.timestamptz,
		OUT valid pg_catalog.int8, OUT good pg_catalog.int8,
		OUT counted pg_catalog.float8, OUT bad pg_catalog.float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	slices_total int8;
	slices_seen int8;
BEGIN
	IF o.budgeting = 'occurrences' THEN
		SELECT coalesce(sum(r.valid), 0), coalesce(sum(r.good), 0)
		INTO valid, good
		FROM @extschema@.rollup r
		WHERE r.objective_id = o.id AND r.bucket >= lo AND r.bucket < hi
		  AND NOT EXISTS (SELECT 1 FROM @extschema@.correction c
						  WHERE c.objective_id = o.id AND c.during @> r.bucket);
		counted := valid;
		bad := valid - good;
		RETURN;
	END IF;

	WITH slices AS (
		SELECT date_bin(o.slice, r.bucket, origin) AS s, sum(r.valid) AS v, sum(r.good) AS g,
			   CASE WHEN o.sli_kind = 'percentile'
					THEN @extschema@.percentile(@extschema@.merge(r.sketch), o.percentile) END AS p
		FROM @extschema@.rollup r
		WHERE r.objective_id = o.id AND r.bucket >= lo AND r.bucket < hi
		  AND NOT EXISTS (SELECT 1 FROM @extschema@.correction c
						  WHERE c.objective_id = o.id AND c.during @> r.bucket)
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
		  AND NOT EXISTS (SELECT 1 FROM @extschema@.correction c
						  WHERE c.objective_id = o.id AND c.during && tstzrange(s, s + o.slice));
		IF slices_total > slices_seen THEN
			counted := slices_total;
			IF o.empty_slices = 'bad' THEN
				bad := bad + (slices_total - slices_seen);
			END IF;
		END IF;
	END IF;
END
$$;

DROP FUNCTION @extschema@.define_objective(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.name, pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.interval, pg_catalog.text, pg_catalog.interval, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.text, pg_catalog.text, pg_catalog.interval, pg_catalog.float8, pg_catalog.int8, pg_catalog.text, pg_catalog.int8, pg_catalog.float8, pg_catalog.interval, pg_catalog.text, pg_catalog.text);

CREATE FUNCTION @extschema@.define_objective(service pg_catalog.text, name pg_catalog.text,
		source pg_catalog.text DEFAULT NULL,
		time_column pg_catalog.name DEFAULT 'ts',
		good pg_catalog.text DEFAULT NULL,
		valid pg_catalog.text DEFAULT 'true',
		target pg_catalog.float8 DEFAULT NULL,
		sli_kind pg_catalog.text DEFAULT NULL,
		value pg_catalog.text DEFAULT NULL,
		op pg_catalog.text DEFAULT NULL,
		threshold pg_catalog.text DEFAULT NULL,
		max_age pg_catalog.interval DEFAULT NULL,
		window_kind pg_catalog.text DEFAULT 'rolling',
		window_length pg_catalog.interval DEFAULT '28 days',
		calendar_unit pg_catalog.text DEFAULT NULL,
		anchor pg_catalog.timestamptz DEFAULT NULL,
		time_zone pg_catalog.text DEFAULT 'UTC',
		budgeting pg_catalog.text DEFAULT 'occurrences',
		slice pg_catalog.interval DEFAULT NULL,
		slice_target pg_catalog.float8 DEFAULT NULL,
		slice_min_events pg_catalog.int8 DEFAULT NULL,
		empty_slices pg_catalog.text DEFAULT NULL,
		min_events pg_catalog.int8 DEFAULT 0,
		sla_target pg_catalog.float8 DEFAULT NULL,
		sla_window pg_catalog.interval DEFAULT NULL,
		policy pg_catalog.text DEFAULT 'default',
		description pg_catalog.text DEFAULT NULL,
		percentile pg_catalog.float8 DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
-- No SET search_path: names in the arguments (the source table, functions in
-- the expressions) resolve as the caller wrote them, and the caller's path is
-- recorded to evaluate the expressions with later.  pg_catalog comes first
-- unless the caller's path says otherwise, and this runs with the caller's
-- own rights.
AS $$
DECLARE
	rel pg_catalog.regclass;
	kind text := define_objective.sli_kind;
	col_type pg_catalog.regtype;
	value_type pg_catalog.regtype;
	v_valid text := coalesce(define_objective.valid, 'true');
	v_good text := define_objective.good;
	v_window_length interval := define_objective.window_length;
	v_calendar_unit text := define_objective.calendar_unit;
	v_empty text := define_objective.empty_slices;
	new_id int8;
	caller_path text := pg_catalog.current_setting('search_path');
BEGIN
	IF define_objective.name IS NULL OR btrim(define_objective.name) = '' THEN
		RAISE EXCEPTION 'objective name must not be empty' USING ERRCODE = '22023';
	END IF;

	-- the objective's source: a table of the user's, or the built-in event table
	IF define_objective.source IS NULL THEN
		rel := '@extschema@.event'::regclass;
		v_valid := format('service = %L AND objective = %L AND (%s)',
						  define_objective.service, define_objective.name, v_valid);
		IF v_good IS NULL AND define_objective.value IS NULL THEN
			v_good := 'ok';
		END IF;
	ELSE
		rel := pg_catalog.to_regclass(define_objective.source);
		IF rel IS NULL THEN
			RAISE EXCEPTION 'relation "%" does not exist', define_objective.source
				USING ERRCODE = '42P01';
		END IF;
		IF (SELECT relkind FROM pg_class WHERE oid = rel) NOT IN ('r', 'p') THEN
			RAISE EXCEPTION '"%" is not a table', define_objective.source
				USING ERRCODE = '42809',
					  HINT = 'Objectives read tables, whose changes slo can track with triggers.';
		END IF;
		IF (SELECT relpersistence FROM pg_class WHERE oid = rel) = 't' THEN
			RAISE EXCEPTION 'objectives cannot read temporary table "%"', define_objective.source
				USING ERRCODE = 'wrong_object_type',
					  DETAIL = 'The tick runs in another session, which cannot see this session''s temporary tables.';
		END IF;
	END IF;

	IF NOT EXISTS (SELECT 1 FROM @extschema@.service s WHERE s.name = define_objective.service) THEN
		RAISE EXCEPTION 'service "%" does not exist', define_objective.service
			USING ERRCODE = '42704', HINT = 'Create it first with slo.define_service().';
	END IF;

	SELECT a.atttypid INTO col_type FROM pg_attribute a
	WHERE a.attrelid = rel AND a.attname = define_objective.time_column
	  AND a.attnum > 0 AND NOT a.attisdropped;
	IF col_type IS NULL THEN
		RAISE EXCEPTION 'column "%" of relation "%" does not exist', define_objective.time_column, rel
			USING ERRCODE = '42703';
	END IF;
	IF col_type <> 'timestamptz'::regtype THEN
		RAISE EXCEPTION 'time column "%" must be of type timestamp with time zone, not %',
			define_objective.time_column, col_type
			USING ERRCODE = '42804';
	END IF;

	IF define_objective.target IS NULL OR NOT (define_objective.target > 0 AND define_objective.target < 1) THEN
		RAISE EXCEPTION 'target % is out of range', coalesce(define_objective.target::text, 'NULL')
			USING ERRCODE = '22023', DETAIL = 'A target must be strictly between 0 and 1.';
	END IF;

	-- the kind of SLI, from what was given unless it is named
	IF kind IS NULL THEN
		kind := CASE WHEN define_objective.percentile IS NOT NULL THEN 'percentile'
					 WHEN define_objective.max_age IS NOT NULL THEN 'freshness'
					 WHEN define_objective.value IS NOT NULL THEN 'threshold'
					 WHEN define_objective.slice_min_events IS NOT NULL THEN 'throughput'
					 ELSE 'ratio' END;
	END IF;
	IF kind NOT IN ('ratio', 'threshold', 'freshness', 'throughput', 'percentile') THEN
		RAISE EXCEPTION 'unknown SLI kind "%"', kind
			USING ERRCODE = '22023', HINT = 'Use ratio, threshold, freshness, throughput or percentile.';
	END IF;

	-- every expression is checked now, as the caller, with the caller's search_path
	PERFORM @extschema@.check_expression(rel, 'valid', v_valid, 'boolean');
	IF kind IN ('ratio', 'throughput') THEN
		IF v_good IS NULL THEN
			RAISE EXCEPTION 'a % objective needs a good expression', kind USING ERRCODE = '22023';
		END IF;
		PERFORM @extschema@.check_expression(rel, 'good', v_good, 'boolean');
	ELSIF kind = 'threshold' THEN
		IF define_objective.value IS NULL OR define_objective.op IS NULL OR define_objective.threshold IS NULL THEN
			RAISE EXCEPTION 'a threshold objective needs value, op and threshold' USING ERRCODE = '22023';
		END IF;
		IF define_objective.good IS NOT NULL AND define_objective.source IS NOT NULL THEN
			RAISE EXCEPTION 'a threshold objective takes value, op and threshold, not good'
				USING ERRCODE = '22023',
					  HINT = 'Drop good, or drop value, op and threshold for a ratio objective.';
		END IF;
		IF define_objective.op NOT IN ('lt', 'le', 'gt', 'ge') THEN
			RAISE EXCEPTION 'unknown comparison "%"', define_objective.op
				USING ERRCODE = '22023', HINT = 'Use lt, le, gt or ge.';
		END IF;
		value_type := @extschema@.expression_type(rel, define_objective.value);
		-- the threshold must read as a value of the same type (22P02 otherwise)
		EXECUTE format('SELECT %L::%s', define_objective.threshold, value_type);
		v_good := format('(%s) %s %L::%s', define_objective.value,
						 CASE define_objective.op WHEN 'lt' THEN '<' WHEN 'le' THEN '<='
												  WHEN 'gt' THEN '>' ELSE '>=' END,
						 define_objective.threshold, value_type);
		v_valid := format('(%s) AND (%s) IS NOT NULL', v_valid, define_objective.value);
		PERFORM @extschema@.check_expression(rel, 'good', v_good, 'boolean');
	ELSIF kind = 'percentile' THEN
		-- "p95 <= 250 in each slice": the slice's percentile, from sketches
		IF define_objective.value IS NULL OR define_objective.op IS NULL
		   OR define_objective.threshold IS NULL OR define_objective.percentile IS NULL THEN
			RAISE EXCEPTION 'a percentile objective needs value, percentile, op and threshold'
				USING ERRCODE = '22023';
		END IF;
		IF NOT (define_objective.percentile >= 0 AND define_objective.percentile <= 1) THEN
			RAISE EXCEPTION 'percentile % is out of range', define_objective.percentile
				USING ERRCODE = '22023', HINT = 'Write p95 as 0.95.';
		END IF;
		IF define_objective.op NOT IN ('lt', 'le', 'gt', 'ge') THEN
			RAISE EXCEPTION 'unknown comparison "%"', define_objective.op
				USING ERRCODE = '22023', HINT = 'Use lt, le, gt or ge.';
		END IF;
		IF define_objective.budgeting <> 'timeslices' OR define_objective.slice IS NULL THEN
			RAISE EXCEPTION 'a percentile objective is a condition per timeslice'
				USING ERRCODE = '22023',
					  HINT = 'Pass budgeting => ''timeslices'' and a slice, e.g. slice => ''5 minutes''.';
		END IF;
		value_type := @extschema@.expression_type(rel, define_objective.value);
		IF value_type NOT IN ('float8'::regtype, 'float4'::regtype, 'numeric'::regtype,
							  'int2'::regtype, 'int4'::regtype, 'int8'::regtype) THEN
			RAISE EXCEPTION 'value expression must be numeric, not %', value_type
				USING ERRCODE = '42804',
					  HINT = 'For intervals, measure in a unit: extract(epoch FROM routed_at - created_at) * 1000.';
		END IF;
		-- the threshold must read as a number (22P02 otherwise)
		PERFORM define_objective.threshold::float8;
		v_good := format('((%s)::float8) %s %L::float8', define_objective.value,
						 CASE define_objective.op WHEN 'lt' THEN '<' WHEN 'le' THEN '<='
												  WHEN 'gt' THEN '>' ELSE '>=' END,
						 define_objective.threshold);
		v_valid := format('(%s) AND (%s) IS NOT NULL', v_valid, define_objective.value);
		PERFORM @extschema@.check_expression(rel, 'good', v_good, 'boolean');
	ELSIF kind = 'freshness' THEN
		IF define_objective.max_age IS NULL OR define_objective.max_age <= interval '0' THEN
			RAISE EXCEPTION 'a freshness objective needs a positive max_age' USING ERRCODE = '22023';
		END IF;
		v_good := NULL;
	END IF;

	-- windows
	IF define_objective.window_kind NOT IN ('rolling', 'calendar') THEN
		RAISE EXCEPTION 'unknown window kind "%"', define_objective.window_kind
			USING ERRCODE = '22023', HINT = 'Use rolling or calendar.';
	END IF;
	IF define_objective.window_kind = 'calendar' THEN
		v_calendar_unit := coalesce(v_calendar_unit,
									-- '30 days' = '1 month' for interval equality: compare the fields
									CASE WHEN extract(month FROM v_window_length) = 1
										  AND extract(day FROM v_window_length) = 0
										 THEN 'month' ELSE 'days' END);
		IF v_calendar_unit = 'month' THEN
			v_window_length := interval '1 month';
		END IF;
	END IF;
	IF v_window_length IS NULL OR v_window_length < interval '1 minute'
	   OR v_window_length > interval '400 days' THEN
		RAISE EXCEPTION 'window length % is out of range', coalesce(v_window_length::text, 'NULL')
			USING ERRCODE = '22023', DETAIL = 'A window lasts from one minute to 400 days.';
	END IF;
	IF pg_catalog.now() AT TIME ZONE define_objective.time_zone IS NULL THEN
		NULL;	-- an unknown zone has already raised 22023
	END IF;

	-- budgeting
	IF define_objective.budgeting NOT IN ('occurrences', 'timeslices', 'ratio_timeslices') THEN
		RAISE EXCEPTION 'unknown budgeting method "%"', define_objective.budgeting
			USING ERRCODE = '22023', HINT = 'Use occurrences, timeslices or ratio_timeslices.';
	END IF;
	IF kind = 'throughput' AND define_objective.budgeting = 'occurrences' THEN
		RAISE EXCEPTION 'a throughput objective is budgeted in timeslices'
			USING ERRCODE = '22023', HINT = 'Pass budgeting => ''timeslices'' and a slice length.';
	END IF;
	IF define_objective.budgeting <> 'occurrences' THEN
		IF define_objective.slice IS NULL OR define_objective.slice < interval '1 minute'
		   OR extract(epoch FROM define_objective.slice)::numeric % 60 <> 0
		   OR define_objective.slice > v_window_length THEN
			RAISE EXCEPTION 'slice % is out of range', coalesce(define_objective.slice::text, 'NULL')
				USING ERRCODE = '22023',
					  DETAIL = 'Timeslices are whole minutes, at least one, and no longer than the window.';
		END IF;
		v_empty := coalesce(v_empty, CASE WHEN kind = 'throughput' THEN 'bad' ELSE 'exclude' END);
	END IF;
	IF define_objective.budgeting = 'timeslices' AND define_objective.slice_target IS NULL
	   AND kind NOT IN ('throughput', 'percentile') THEN
		RAISE EXCEPTION 'timeslices budgeting needs a slice_target' USING ERRCODE = '22023';
	END IF;
	IF define_objective.sla_target IS NOT NULL
	   AND (define_objective.sla_target <= 0 OR define_objective.sla_target >= 1) THEN
		RAISE EXCEPTION 'SLA target % is out of range', define_objective.sla_target
			USING ERRCODE = '22023', DETAIL = 'A target must be strictly between 0 and 1.';
	END IF;
	IF (define_objective.sla_target IS NULL) <> (define_objective.sla_window IS NULL) THEN
		RAISE EXCEPTION 'an SLA needs both sla_target and sla_window' USING ERRCODE = '22023';
	END IF;
	IF define_objective.sla_window < interval '1 minute' OR define_objective.sla_window > interval '400 days' THEN
		RAISE EXCEPTION 'SLA window % is out of range', define_objective.sla_window
			USING ERRCODE = '22023', DETAIL = 'A window lasts from one minute to 400 days.';
	END IF;
	IF NOT (define_objective.slice_target > 0 AND define_objective.slice_target <= 1) THEN
		RAISE EXCEPTION 'slice target % is out of range', define_objective.slice_target
			USING ERRCODE = '22023', DETAIL = 'A slice target must be greater than 0 and at most 1.';
	END IF;
	IF define_objective.min_events < 0 OR define_objective.slice_min_events < 0 THEN
		RAISE EXCEPTION 'a minimum number of events must not be negative' USING ERRCODE = '22023';
	END IF;
	IF v_empty NOT IN ('exclude', 'good', 'bad') THEN
		RAISE EXCEPTION 'unknown empty_slices "%"', v_empty
			USING ERRCODE = '22023', HINT = 'Use exclude, good or bad.';
	END IF;
	IF v_calendar_unit NOT IN ('month', 'days') THEN
		RAISE EXCEPTION 'unknown calendar unit "%"', v_calendar_unit
			USING ERRCODE = '22023', HINT = 'Use month or days.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.policy p WHERE p.name = define_objective.policy) THEN
		RAISE EXCEPTION 'policy "%" does not exist', define_objective.policy
			USING ERRCODE = '42704', HINT = 'Shipped policies: default, traffic-light, freeze-on-burn.';
	END IF;

	-- the ownership check is row-level security on slo.objective; say it plainly first
	IF NOT @extschema@.may_define_on(rel, define_objective.service) THEN
		RAISE EXCEPTION 'permission denied to define objectives on "%" for service "%"', rel, define_objective.service
			USING ERRCODE = '42501',
				  DETAIL = 'An objective is defined by a role that acts for the service''s owner and owns the source table, or by a member of slo_admin.';
	END IF;

	INSERT INTO @extschema@.objective AS o
		(service, name, owner, description, sli_kind, source, time_column, valid_expr, good_expr,
		 value_expr, op, threshold, max_age, target, window_kind, window_length, calendar_unit,
		 anchor, time_zone, budgeting, slice, slice_target, slice_min_events, empty_slices,
		 min_events, sla_target, sla_window, policy, search_path, percentile)
	VALUES
		(define_objective.service, define_objective.name, CURRENT_USER, define_objective.description,
		 kind, rel, define_objective.time_column, v_valid, v_good,
		 define_objective.value, define_objective.op, define_objective.threshold,
		 define_objective.max_age, define_objective.target, define_objective.window_kind,
		 v_window_length, v_calendar_unit,
		 coalesce(define_objective.anchor, CASE WHEN v_calendar_unit = 'days'
				  THEN date_trunc('day', pg_catalog.now(), define_objective.time_zone) END),
		 define_objective.time_zone, define_objective.budgeting, define_objective.slice,
		 define_objective.slice_target, define_objective.slice_min_events, coalesce(v_empty, 'exclude'),
		 coalesce(define_objective.min_events, 0), define_objective.sla_target,
		 define_objective.sla_window, define_objective.policy, caller_path, define_objective.percentile)
	ON CONFLICT ON CONSTRAINT objective_service_name_key DO UPDATE
		SET owner = EXCLUDED.owner, description = EXCLUDED.description,
			sli_kind = EXCLUDED.sli_kind, source = EXCLUDED.source,
			time_column = EXCLUDED.time_column, valid_expr = EXCLUDED.valid_expr,
			good_expr = EXCLUDED.good_expr, value_expr = EXCLUDED.value_expr, op = EXCLUDED.op,
			threshold = EXCLUDED.threshold, max_age = EXCLUDED.max_age, target = EXCLUDED.target,
			window_kind = EXCLUDED.window_kind, window_length = EXCLUDED.window_length,
			calendar_unit = EXCLUDED.calendar_unit, anchor = EXCLUDED.anchor,
			time_zone = EXCLUDED.time_zone, budgeting = EXCLUDED.budgeting, slice = EXCLUDED.slice,
			slice_target = EXCLUDED.slice_target, slice_min_events = EXCLUDED.slice_min_events,
			empty_slices = EXCLUDED.empty_slices, min_events = EXCLUDED.min_events,
			sla_target = EXCLUDED.sla_target, sla_window = EXCLUDED.sla_window,
			policy = EXCLUDED.policy, search_path = EXCLUDED.search_path,
			percentile = EXCLUDED.percentile,
			revision = o.revision + 1
	RETURNING o.id INTO new_id;

	IF rel <> '@extschema@.event'::regclass THEN
		PERFORM @extschema@.attach_triggers(rel);
	END IF;
	RETURN new_id;
END
$$;
