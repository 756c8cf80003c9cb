/* slo--0.4--0.5.sql: update from 0.4 to 0.5.
 *
 * 0.5 moves everything but the documented API out of schema slo into a
 * schema of its own, slo_internal, so that \df slo.* lists exactly what
 * docs/reference documents: the support functions of the types and
 * aggregates, the tick's steps, the rights checks, the invalidation
 * trigger, and the tables only the tick uses.  Objects keep their OIDs, so
 * aggregates, types, triggers on users' tables and row-level security
 * policies follow them; the functions whose bodies name a moved object are
 * replaced with their 0.5 text.  Nothing else changes.
 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION slo UPDATE TO '0.5'" to load this file. \quit

CREATE SCHEMA slo_internal;
COMMENT ON SCHEMA slo_internal IS 'the machinery of extension slo; not an interface to build on';
GRANT USAGE ON SCHEMA slo_internal TO PUBLIC;

------------------------------------------------------------------------------
-- Move the machinery
------------------------------------------------------------------------------
ALTER FUNCTION @extschema@.acts_for(pg_catalog.name) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.apply_policy(@extschema@.objective, @extschema@.evaluation) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.check_expression(pg_catalog.regclass, pg_catalog.text, pg_catalog.text, pg_catalog.regtype) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.check_service(pg_catalog.text) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.counting_query(@extschema@.objective, pg_catalog.text) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.cron_expression(pg_catalog.interval) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.evaluate(@extschema@.objective, pg_catalog.timestamptz) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.expression_type(pg_catalog.regclass, pg_catalog.text) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.horizon_of(@extschema@.objective) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.invalidate() SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.is_admin() SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.lift_orphaned_freezes() SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.may_define_on(pg_catalog.regclass, pg_catalog.text) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.measure(@extschema@.objective, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.minute_of(pg_catalog.timestamptz) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.query_counts_as(pg_catalog.regrole, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz[]) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.query_sketches_as(pg_catalog.regrole, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz[]) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.record_failure(pg_catalog.int8, pg_catalog.timestamptz, pg_catalog.text, pg_catalog.text) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.recount(@extschema@.objective, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz[]) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.refresh_rollup(@extschema@.objective, pg_catalog.timestamptz) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.require_pg_cron() SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.service_owner(pg_catalog.text) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.sketch_add(@extschema@.sketch, pg_catalog.float8) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.sketch_add(@extschema@.sketch, pg_catalog.float8, pg_catalog.float8) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.sketch_combine(@extschema@.sketch, @extschema@.sketch) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.sketch_in(pg_catalog.cstring) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.sketch_out(@extschema@.sketch) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.sketch_recv(pg_catalog.internal) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.sketch_send(@extschema@.sketch) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.sketch_trim(@extschema@.sketch) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_bool(@extschema@.tally, pg_catalog.bool) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_bool_inv(@extschema@.tally, pg_catalog.bool) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_bool_target(@extschema@.tally, pg_catalog.bool, pg_catalog.float8) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_bool_target_inv(@extschema@.tally, pg_catalog.bool, pg_catalog.float8) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_combine(@extschema@.tally, @extschema@.tally) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_counts(@extschema@.tally, pg_catalog.int8, pg_catalog.int8, pg_catalog.float8) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_counts_inv(@extschema@.tally, pg_catalog.int8, pg_catalog.int8, pg_catalog.float8) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_in(pg_catalog.cstring) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_out(@extschema@.tally) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_recv(pg_catalog.internal) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_send(@extschema@.tally) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_within_float8(@extschema@.tally, pg_catalog.float8, pg_catalog.float8) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_within_float8_inv(@extschema@.tally, pg_catalog.float8, pg_catalog.float8) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_within_interval(@extschema@.tally, pg_catalog.interval, pg_catalog.interval) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tally_within_interval_inv(@extschema@.tally, pg_catalog.interval, pg_catalog.interval) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tick_objective(@extschema@.objective, pg_catalog.timestamptz) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.tick_objective_guarded(pg_catalog.int8, pg_catalog.timestamptz) SET SCHEMA slo_internal;
ALTER FUNCTION @extschema@.window_of(@extschema@.objective, pg_catalog.timestamptz) SET SCHEMA slo_internal;

ALTER TABLE @extschema@.invalidation SET SCHEMA slo_internal;
ALTER TABLE @extschema@.progress SET SCHEMA slo_internal;
ALTER TABLE @extschema@.tick_lock SET SCHEMA slo_internal;

------------------------------------------------------------------------------
-- Functions whose bodies name what moved: their 0.5 text.  (They are
-- members of this extension, so CREATE OR REPLACE cannot take over
-- anything else.)
------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION slo_internal.acts_for(owner pg_catalog.name)
RETURNS pg_catalog.bool
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT slo_internal.is_admin()
		OR (EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = owner)
			AND pg_catalog.pg_has_role(CURRENT_USER, owner, 'USAGE'))
$$;

CREATE OR REPLACE FUNCTION slo_internal.may_define_on(source pg_catalog.regclass, service pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	-- the service must be the caller's, and so must the source table (the
	-- built-in event table belongs to every service's owners)
	SELECT slo_internal.is_admin()
		OR (slo_internal.acts_for((SELECT s.owner FROM @extschema@.service s WHERE s.name = service))
			AND (source = '@extschema@.event'::pg_catalog.regclass
				 OR pg_catalog.pg_has_role(CURRENT_USER,
						(SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = source), 'USAGE')))
$$;

CREATE OR REPLACE FUNCTION slo_internal.check_expression(tbl pg_catalog.regclass, what pg_catalog.text,
		expr pg_catalog.text, wanted pg_catalog.regtype)
RETURNS void
LANGUAGE plpgsql
-- no SET search_path: the expression is the caller's, in the caller's path
AS $$
DECLARE
	t pg_catalog.regtype := slo_internal.expression_type(tbl, expr);
BEGIN
	IF t <> wanted THEN
		RAISE EXCEPTION '% expression must be of type %, not %', what, wanted, t
			USING ERRCODE = 'datatype_mismatch', DETAIL = format('The expression is: %s', expr);
	END IF;
	-- parse it where the counting query puts it, without reading a row, so
	-- that an aggregate, window or set-returning function is rejected now
	EXECUTE format('SELECT count(*) FILTER (WHERE (%s)) FROM %s WHERE false', expr, tbl);
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.define_objective(service pg_catalog.text, name pg_catalog.text,
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
		RAISE EXCEPTION 'objective name must not be empty' USING ERRCODE = 'invalid_parameter_value';
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
				USING ERRCODE = 'undefined_table';
		END IF;
		IF (SELECT relkind FROM pg_class WHERE oid = rel) NOT IN ('r', 'p') THEN
			RAISE EXCEPTION '"%" is not a table', define_objective.source
				USING ERRCODE = 'wrong_object_type',
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
			USING ERRCODE = 'undefined_object', HINT = 'Create it first with slo.define_service().';
	END IF;

	SELECT a.atttypid INTO col_type FROM pg_attribute a
	WHERE a.attrelid = rel AND a.attname = define_objective.time_column
	  AND a.attnum > 0 AND NOT a.attisdropped;
	IF col_type IS NULL THEN
		RAISE EXCEPTION 'column "%" of relation "%" does not exist', define_objective.time_column, rel
			USING ERRCODE = 'undefined_column';
	END IF;
	IF col_type <> 'timestamptz'::regtype THEN
		RAISE EXCEPTION 'time column "%" must be of type timestamp with time zone, not %',
			define_objective.time_column, col_type
			USING ERRCODE = 'datatype_mismatch';
	END IF;

	IF define_objective.target IS NULL OR NOT (define_objective.target > 0 AND define_objective.target < 1) THEN
		RAISE EXCEPTION 'target % is out of range', coalesce(define_objective.target::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'A target must be strictly between 0 and 1.';
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
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use ratio, threshold, freshness, throughput or percentile.';
	END IF;

	-- every expression is checked now, as the caller, with the caller's search_path
	PERFORM slo_internal.check_expression(rel, 'valid', v_valid, 'boolean');
	IF kind IN ('ratio', 'throughput') THEN
		IF v_good IS NULL THEN
			RAISE EXCEPTION 'a % objective needs a good expression', kind USING ERRCODE = 'invalid_parameter_value';
		END IF;
		PERFORM slo_internal.check_expression(rel, 'good', v_good, 'boolean');
	ELSIF kind = 'threshold' THEN
		IF define_objective.value IS NULL OR define_objective.op IS NULL OR define_objective.threshold IS NULL THEN
			RAISE EXCEPTION 'a threshold objective needs value, op and threshold' USING ERRCODE = 'invalid_parameter_value';
		END IF;
		IF define_objective.good IS NOT NULL AND define_objective.source IS NOT NULL THEN
			RAISE EXCEPTION 'a threshold objective takes value, op and threshold, not good'
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Drop good, or drop value, op and threshold for a ratio objective.';
		END IF;
		IF define_objective.op NOT IN ('lt', 'le', 'gt', 'ge') THEN
			RAISE EXCEPTION 'unknown comparison "%"', define_objective.op
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Use lt, le, gt or ge.';
		END IF;
		value_type := slo_internal.expression_type(rel, define_objective.value);
		-- the threshold must read as a value of the same type (22P02 otherwise)
		EXECUTE format('SELECT %L::%s', define_objective.threshold, value_type);
		v_good := format('(%s) %s %L::%s', define_objective.value,
						 CASE define_objective.op WHEN 'lt' THEN '<' WHEN 'le' THEN '<='
												  WHEN 'gt' THEN '>' ELSE '>=' END,
						 define_objective.threshold, value_type);
		v_valid := format('(%s) AND (%s) IS NOT NULL', v_valid, define_objective.value);
		PERFORM slo_internal.check_expression(rel, 'good', v_good, 'boolean');
	ELSIF kind = 'percentile' THEN
		-- "p95 <= 250 in each slice": the slice's percentile, from sketches
		IF define_objective.value IS NULL OR define_objective.op IS NULL
		   OR define_objective.threshold IS NULL OR define_objective.percentile IS NULL THEN
			RAISE EXCEPTION 'a percentile objective needs value, percentile, op and threshold'
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		IF NOT (define_objective.percentile >= 0 AND define_objective.percentile <= 1) THEN
			RAISE EXCEPTION 'percentile % is out of range', define_objective.percentile
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Write p95 as 0.95.';
		END IF;
		IF define_objective.op NOT IN ('lt', 'le', 'gt', 'ge') THEN
			RAISE EXCEPTION 'unknown comparison "%"', define_objective.op
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Use lt, le, gt or ge.';
		END IF;
		IF define_objective.budgeting <> 'timeslices' OR define_objective.slice IS NULL THEN
			RAISE EXCEPTION 'a percentile objective is a condition per timeslice'
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Pass budgeting => ''timeslices'' and a slice, e.g. slice => ''5 minutes''.';
		END IF;
		value_type := slo_internal.expression_type(rel, define_objective.value);
		IF value_type NOT IN ('float8'::regtype, 'float4'::regtype, 'numeric'::regtype,
							  'int2'::regtype, 'int4'::regtype, 'int8'::regtype) THEN
			RAISE EXCEPTION 'value expression must be numeric, not %', value_type
				USING ERRCODE = 'datatype_mismatch',
					  HINT = 'For intervals, measure in a unit: extract(epoch FROM routed_at - created_at) * 1000.';
		END IF;
		-- the threshold must read as a number (22P02 otherwise)
		PERFORM define_objective.threshold::float8;
		v_good := format('((%s)::float8) %s %L::float8', define_objective.value,
						 CASE define_objective.op WHEN 'lt' THEN '<' WHEN 'le' THEN '<='
												  WHEN 'gt' THEN '>' ELSE '>=' END,
						 define_objective.threshold);
		v_valid := format('(%s) AND (%s) IS NOT NULL', v_valid, define_objective.value);
		PERFORM slo_internal.check_expression(rel, 'good', v_good, 'boolean');
	ELSIF kind = 'freshness' THEN
		IF define_objective.max_age IS NULL OR define_objective.max_age <= interval '0' THEN
			RAISE EXCEPTION 'a freshness objective needs a positive max_age' USING ERRCODE = 'invalid_parameter_value';
		END IF;
		v_good := NULL;
	END IF;

	-- windows
	IF define_objective.window_kind NOT IN ('rolling', 'calendar') THEN
		RAISE EXCEPTION 'unknown window kind "%"', define_objective.window_kind
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use rolling or calendar.';
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
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'A window lasts from one minute to 400 days.';
	END IF;
	IF pg_catalog.now() AT TIME ZONE define_objective.time_zone IS NULL THEN
		NULL;	-- an unknown zone has already raised 22023
	END IF;

	-- budgeting
	IF define_objective.budgeting NOT IN ('occurrences', 'timeslices', 'ratio_timeslices') THEN
		RAISE EXCEPTION 'unknown budgeting method "%"', define_objective.budgeting
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use occurrences, timeslices or ratio_timeslices.';
	END IF;
	IF kind = 'throughput' AND define_objective.budgeting = 'occurrences' THEN
		RAISE EXCEPTION 'a throughput objective is budgeted in timeslices'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass budgeting => ''timeslices'' and a slice length.';
	END IF;
	IF define_objective.budgeting <> 'occurrences' THEN
		IF define_objective.slice IS NULL OR define_objective.slice < interval '1 minute'
		   OR extract(epoch FROM define_objective.slice)::numeric % 60 <> 0
		   OR define_objective.slice > v_window_length THEN
			RAISE EXCEPTION 'slice % is out of range', coalesce(define_objective.slice::text, 'NULL')
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = 'Timeslices are whole minutes, at least one, and no longer than the window.';
		END IF;
		v_empty := coalesce(v_empty, CASE WHEN kind = 'throughput' THEN 'bad' ELSE 'exclude' END);
	END IF;
	IF define_objective.budgeting = 'timeslices' AND define_objective.slice_target IS NULL
	   AND kind NOT IN ('throughput', 'percentile') THEN
		RAISE EXCEPTION 'timeslices budgeting needs a slice_target' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF define_objective.sla_target IS NOT NULL
	   AND (define_objective.sla_target <= 0 OR define_objective.sla_target >= 1) THEN
		RAISE EXCEPTION 'SLA target % is out of range', define_objective.sla_target
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'A target must be strictly between 0 and 1.';
	END IF;
	IF (define_objective.sla_target IS NULL) <> (define_objective.sla_window IS NULL) THEN
		RAISE EXCEPTION 'an SLA needs both sla_target and sla_window' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF define_objective.sla_window < interval '1 minute' OR define_objective.sla_window > interval '400 days' THEN
		RAISE EXCEPTION 'SLA window % is out of range', define_objective.sla_window
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'A window lasts from one minute to 400 days.';
	END IF;
	IF NOT (define_objective.slice_target > 0 AND define_objective.slice_target <= 1) THEN
		RAISE EXCEPTION 'slice target % is out of range', define_objective.slice_target
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'A slice target must be greater than 0 and at most 1.';
	END IF;
	IF define_objective.min_events < 0 OR define_objective.slice_min_events < 0 THEN
		RAISE EXCEPTION 'a minimum number of events must not be negative' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF v_empty NOT IN ('exclude', 'good', 'bad') THEN
		RAISE EXCEPTION 'unknown empty_slices "%"', v_empty
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use exclude, good or bad.';
	END IF;
	IF v_calendar_unit NOT IN ('month', 'days') THEN
		RAISE EXCEPTION 'unknown calendar unit "%"', v_calendar_unit
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use month or days.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM @extschema@.policy p WHERE p.name = define_objective.policy) THEN
		RAISE EXCEPTION 'policy "%" does not exist', define_objective.policy
			USING ERRCODE = 'undefined_object', HINT = 'Shipped policies: default, traffic-light, freeze-on-burn.';
	END IF;

	-- the ownership check is row-level security on slo.objective; say it plainly first
	IF NOT slo_internal.may_define_on(rel, define_objective.service) THEN
		RAISE EXCEPTION 'permission denied to define objectives on "%" for service "%"', rel, define_objective.service
			USING ERRCODE = 'insufficient_privilege',
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

CREATE OR REPLACE FUNCTION slo_internal.invalidate()
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

CREATE OR REPLACE FUNCTION @extschema@.attach_triggers(tbl pg_catalog.regclass)
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

CREATE OR REPLACE FUNCTION slo_internal.counting_query(o @extschema@.objective, mode pg_catalog.text)
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

CREATE OR REPLACE FUNCTION slo_internal.recount(o @extschema@.objective, mode pg_catalog.text,
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

CREATE OR REPLACE FUNCTION slo_internal.refresh_rollup(o @extschema@.objective, at pg_catalog.timestamptz)
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

CREATE OR REPLACE FUNCTION slo_internal.evaluate(o @extschema@.objective, at pg_catalog.timestamptz)
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
	lookbacks interval[] := ARRAY['5 minutes', '30 minutes', '1 hour', '6 hours', '1 day', '3 days']::interval[];
	burns float8[] := '{}';
	lb interval;
	t record;
BEGIN
	-- Every window and look-back ends at the last whole minute before "at"
	-- (E) and counts [start, E): the rollup's minutes are whole, so this is
	-- exactly what a raw count over the same bounds gives.
	e.evaluated_at := at;
	at := slo_internal.minute_of(at);
	w := slo_internal.window_of(o, at);
	mw := slo_internal.measure(o, w.window_start, w.window_start, LEAST(at, w.window_end));
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
		m := slo_internal.measure(o, w.window_start, at - lb, at);
		burns := burns || CASE WHEN m.counted > 0 THEN (m.bad / m.counted) / (1 - o.target) END;
	END LOOP;
	e.burn_5m := burns[1]; e.burn_30m := burns[2]; e.burn_1h := burns[3];
	e.burn_6h := burns[4]; e.burn_1d := burns[5]; e.burn_3d := burns[6];

	IF e.remaining > 0 AND e.burn_1h > 0 THEN
		e.time_to_exhaustion := make_interval(secs => e.remaining * w_secs / e.burn_1h);
	END IF;
	e.too_little_data := mw.valid < o.min_events OR mw.counted = 0;

	IF o.sla_target IS NOT NULL THEN
		m := slo_internal.measure(o, at - o.sla_window, at - o.sla_window, at);
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
	RETURN e;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.freeze_service(service pg_catalog.text, reason pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	PERFORM slo_internal.check_service(service);
	IF reason IS NULL OR btrim(reason) = '' THEN
		RAISE EXCEPTION 'a freeze needs a reason' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT slo_internal.acts_for(slo_internal.service_owner(service)) THEN
		RAISE EXCEPTION 'permission denied to freeze service "%"', service
			USING ERRCODE = 'insufficient_privilege', DETAIL = 'Only the service''s owner or a member of slo_admin may.';
	END IF;
	INSERT INTO @extschema@.freezes (service, reason, kind)
	VALUES (freeze_service.service, freeze_service.reason, 'manual')
	ON CONFLICT (service) WHERE kind = 'manual' AND lifted_at IS NULL DO NOTHING;
	RETURN FOUND;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.unfreeze_service(service pg_catalog.text, reason pg_catalog.text)
RETURNS pg_catalog.int4
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	n int4;
BEGIN
	PERFORM slo_internal.check_service(service);
	IF reason IS NULL OR btrim(reason) = '' THEN
		RAISE EXCEPTION 'lifting a freeze needs a reason' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT slo_internal.acts_for(slo_internal.service_owner(service)) THEN
		RAISE EXCEPTION 'permission denied to unfreeze service "%"', service
			USING ERRCODE = 'insufficient_privilege', DETAIL = 'Only the service''s owner or a member of slo_admin may.';
	END IF;
	UPDATE @extschema@.freezes f
	SET lifted_at = now(), lifted_by = CURRENT_USER, lift_reason = unfreeze_service.reason
	WHERE f.service = unfreeze_service.service AND f.lifted_at IS NULL;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

CREATE OR REPLACE FUNCTION slo_internal.tick_objective(o @extschema@.objective, at pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n int8;
	e @extschema@.evaluation;
BEGIN
	n := slo_internal.refresh_rollup(o, at);
	e := slo_internal.evaluate(o, at);
	INSERT INTO @extschema@.evaluation VALUES (e.*)
	ON CONFLICT (objective_id) DO UPDATE SET
		evaluated_at = EXCLUDED.evaluated_at, window_start = EXCLUDED.window_start,
		window_end = EXCLUDED.window_end, counted_until = EXCLUDED.counted_until,
		valid = EXCLUDED.valid, good = EXCLUDED.good,
		sli = EXCLUDED.sli, error_budget = EXCLUDED.error_budget,
		budget_unit = EXCLUDED.budget_unit, consumed = EXCLUDED.consumed,
		remaining = EXCLUDED.remaining, burn_5m = EXCLUDED.burn_5m,
		burn_30m = EXCLUDED.burn_30m, burn_1h = EXCLUDED.burn_1h,
		burn_6h = EXCLUDED.burn_6h, burn_1d = EXCLUDED.burn_1d, burn_3d = EXCLUDED.burn_3d,
		time_to_exhaustion = EXCLUDED.time_to_exhaustion,
		too_little_data = EXCLUDED.too_little_data, sla_sli = EXCLUDED.sla_sli,
		tier = EXCLUDED.tier, action = EXCLUDED.action,
		last_error = NULL, last_error_sqlstate = NULL, last_error_at = NULL;
	PERFORM slo_internal.apply_policy(o, e);
	RETURN n;
END
$$;

CREATE OR REPLACE PROCEDURE @extschema@.tick(at pg_catalog.timestamptz DEFAULT NULL)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	started timestamptz := clock_timestamp();
	o record;
	r record;
	n_buckets int8 := 0;
	n_objectives int4 := 0;
	n_errors int4 := 0;
	failures jsonb := '[]';
BEGIN
	-- "at" evaluates as of another instant (tests, replays); normally now()
	at := coalesce(at, now());
	BEGIN
		LOCK TABLE slo_internal.tick_lock IN EXCLUSIVE MODE NOWAIT;
	EXCEPTION WHEN lock_not_available THEN
		INSERT INTO @extschema@.tick_log (started_at, finished_at, buckets_recounted,
										  objectives_evaluated, errors, skipped)
		VALUES (started, clock_timestamp(), 0, 0, 0, true);
		RAISE NOTICE 'tick skipped: another tick is running';
		RETURN;
	END;

	FOR o IN SELECT ob.id, ob.service, ob.name FROM @extschema@.objective ob WHERE ob.enabled ORDER BY ob.id LOOP
		r := slo_internal.tick_objective_guarded(o.id, at);
		IF r.sqlstate IS NULL THEN
			n_buckets := n_buckets + coalesce(r.recounted, 0);
			n_objectives := n_objectives + 1;
			CONTINUE;
		END IF;
		n_errors := n_errors + 1;
		failures := failures || jsonb_build_object('objective_id', o.id, 'service', o.service,
												   'objective', o.name, 'sqlstate', r.sqlstate,
												   'message', r.message);
		RAISE WARNING 'objective "%" of service "%" failed: %', o.name, o.service, r.message
			USING DETAIL = format('SQLSTATE %s. The other objectives were evaluated.', r.sqlstate);
		PERFORM slo_internal.record_failure(o.id, at, r.sqlstate, r.message);
	END LOOP;
	PERFORM slo_internal.lift_orphaned_freezes();

	INSERT INTO @extschema@.tick_log (started_at, finished_at, buckets_recounted,
									  objectives_evaluated, errors, failures)
	VALUES (started, clock_timestamp(), n_buckets, n_objectives, n_errors,
			CASE WHEN n_errors > 0 THEN failures END);
	-- kept seven days of wall-clock time ("at" may be any instant)
	DELETE FROM @extschema@.tick_log WHERE started_at < started - interval '7 days';
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.schedule(every pg_catalog.interval DEFAULT '1 minute',
		job_name pg_catalog.text DEFAULT 'slo-tick')
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	expr text := slo_internal.cron_expression(every);
	job int8;
BEGIN
	PERFORM slo_internal.require_pg_cron();
	IF current_database() = current_setting('cron.database_name', true) THEN
		EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job
			USING job_name, expr, 'CALL @extschema@.tick()';
	ELSE
		EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, $4)' INTO job
			USING job_name, expr, 'CALL @extschema@.tick()', current_database();
	END IF;
	RETURN job;
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.unschedule(job_name pg_catalog.text DEFAULT 'slo-tick')
RETURNS pg_catalog.bool
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_job bool;
BEGIN
	PERFORM slo_internal.require_pg_cron();
	EXECUTE 'SELECT EXISTS (SELECT 1 FROM cron.job WHERE jobname = $1 AND username = current_user)'
		INTO found_job USING job_name;
	IF NOT found_job THEN
		RETURN false;
	END IF;
	EXECUTE 'SELECT cron.unschedule($1)' USING job_name;
	RETURN true;
END
$$;

------------------------------------------------------------------------------
-- Rights in slo_internal (as sql/99_internal_rights.sql sets them)
------------------------------------------------------------------------------

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA slo_internal FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
	slo_internal.is_admin(),
	slo_internal.acts_for(pg_catalog.name),
	slo_internal.may_define_on(pg_catalog.regclass, pg_catalog.text),
	slo_internal.service_owner(pg_catalog.text),
	slo_internal.check_service(pg_catalog.text),
	slo_internal.expression_type(pg_catalog.regclass, pg_catalog.text),
	slo_internal.check_expression(pg_catalog.regclass, pg_catalog.text, pg_catalog.text, pg_catalog.regtype)
TO PUBLIC;

GRANT EXECUTE ON FUNCTION slo_internal.invalidate() TO slo_writer;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA slo_internal TO slo_admin;
