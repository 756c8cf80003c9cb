/*
 * definitions.sql: defining services, objectives, corrections and probe
 * events.  Everything here runs with the caller's rights.
 */

------------------------------------------------------------------------------
-- Defining services and objectives
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.define_service(name pg_catalog.text,
		owner pg_catalog.name DEFAULT CURRENT_USER,
		team pg_catalog.text DEFAULT NULL,
		runbook_url pg_catalog.text DEFAULT NULL,
		description pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF define_service.name IS NULL OR btrim(define_service.name) = '' THEN
		RAISE EXCEPTION 'service name must not be empty' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = define_service.owner) THEN
		RAISE EXCEPTION 'role "%" does not exist', define_service.owner USING ERRCODE = 'undefined_object';
	END IF;
	INSERT INTO @extschema@.service AS s (name, owner, team, runbook_url, description)
	VALUES (define_service.name, define_service.owner, define_service.team,
			define_service.runbook_url, define_service.description)
	ON CONFLICT ON CONSTRAINT service_pkey DO UPDATE
		SET owner = EXCLUDED.owner, team = EXCLUDED.team,
			runbook_url = EXCLUDED.runbook_url, description = EXCLUDED.description;
	RETURN define_service.name;
END
$$;
COMMENT ON FUNCTION @extschema@.define_service(pg_catalog.text, pg_catalog.name, pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
'create or update a service';

-- The static type of an expression over a table, found without reading a row.
CREATE FUNCTION slo_internal.expression_type(tbl pg_catalog.regclass, expr pg_catalog.text)
RETURNS pg_catalog.regtype
LANGUAGE plpgsql
-- no SET search_path: the expression is the caller's, in the caller's path
AS $$
DECLARE
	t pg_catalog.regtype;
BEGIN
	EXECUTE format('SELECT pg_typeof((%s))::regtype FROM (SELECT * FROM %s LIMIT 0) s RIGHT JOIN (SELECT) AS slo_dummy ON true',
				   expr, tbl) INTO t;
	RETURN t;
END
$$;

-- Reject an expression that is not of the wanted type, naming it.
CREATE FUNCTION slo_internal.check_expression(tbl pg_catalog.regclass, what pg_catalog.text,
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
		percentile pg_catalog.float8 DEFAULT NULL,
		contract pg_catalog.text DEFAULT NULL)
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
	v_time_column name := define_objective.time_column;
BEGIN
	IF define_objective.name IS NULL OR btrim(define_objective.name) = '' THEN
		RAISE EXCEPTION 'objective name must not be empty' USING ERRCODE = 'invalid_parameter_value';
	END IF;

	-- the objective's source: a contract's pass rate (slo.contract_rate, by
	-- minute), a table of the user's, or the built-in event table
	IF define_objective.contract IS NOT NULL THEN
		SELECT c.tbl INTO rel FROM @extschema@.contract c WHERE c.name = define_objective.contract;
		IF rel IS NULL THEN
			RAISE EXCEPTION 'contract "%" does not exist', define_objective.contract
				USING ERRCODE = 'undefined_object', HINT = 'Add it first with slo.add_contract().';
		END IF;
		IF define_objective.source IS NOT NULL OR define_objective.good IS NOT NULL
		   OR define_objective.value IS NOT NULL OR define_objective.max_age IS NOT NULL
		   OR define_objective.percentile IS NOT NULL OR coalesce(define_objective.valid, 'true') <> 'true'
		   OR coalesce(define_objective.sli_kind, 'contract') <> 'contract' THEN
			RAISE EXCEPTION 'a contract objective counts the contract''s checked rows'
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = 'Its valid events are the rows the contract checked, its good events those that passed.',
					  HINT = 'Drop source, good, valid, value and max_age.';
		END IF;
		kind := 'contract';
		v_time_column := 'minute';
	ELSIF define_objective.source IS NULL THEN
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
	IF kind = 'contract' THEN
		NULL;	-- counted by the minute of slo.contract_rate, not by a column of the table
	ELSIF col_type IS NULL THEN
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
	IF kind NOT IN ('ratio', 'threshold', 'freshness', 'throughput', 'percentile', 'contract') THEN
		RAISE EXCEPTION 'unknown SLI kind "%"', kind
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use ratio, threshold, freshness, throughput or percentile, or name a contract.';
	END IF;
	IF kind = 'contract' AND define_objective.contract IS NULL THEN
		RAISE EXCEPTION 'a contract objective needs a contract' USING ERRCODE = 'invalid_parameter_value';
	END IF;

	-- every expression is checked now, as the caller, with the caller's search_path
	IF kind <> 'contract' THEN
		PERFORM slo_internal.check_expression(rel, 'valid', v_valid, 'boolean');
	END IF;
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
		 min_events, sla_target, sla_window, policy, search_path, percentile, contract)
	VALUES
		(define_objective.service, define_objective.name, CURRENT_USER, define_objective.description,
		 kind, rel, v_time_column, v_valid, v_good,
		 define_objective.value, define_objective.op, define_objective.threshold,
		 define_objective.max_age, define_objective.target, define_objective.window_kind,
		 v_window_length, v_calendar_unit,
		 coalesce(define_objective.anchor, CASE WHEN v_calendar_unit = 'days'
				  THEN date_trunc('day', pg_catalog.now(), define_objective.time_zone) END),
		 define_objective.time_zone, define_objective.budgeting, define_objective.slice,
		 define_objective.slice_target, define_objective.slice_min_events, coalesce(v_empty, 'exclude'),
		 coalesce(define_objective.min_events, 0), define_objective.sla_target,
		 define_objective.sla_window, define_objective.policy, caller_path, define_objective.percentile,
		 define_objective.contract)
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
			percentile = EXCLUDED.percentile, contract = EXCLUDED.contract,
			revision = o.revision + 1
	RETURNING o.id INTO new_id;

	IF rel <> '@extschema@.event'::regclass AND kind <> 'contract' THEN
		PERFORM @extschema@.attach_triggers(rel);
	END IF;
	RETURN new_id;
END
$$;

-- Exclude a time range from an objective.
CREATE FUNCTION @extschema@.add_correction(service pg_catalog.text, objective pg_catalog.text,
		during pg_catalog.tstzrange, reason pg_catalog.text)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	oid_ int8;
	new_id int8;
BEGIN
	SELECT o.id INTO oid_ FROM @extschema@.objective o
	WHERE o.service = add_correction.service AND o.name = add_correction.objective;
	IF oid_ IS NULL THEN
		RAISE EXCEPTION 'objective "%" of service "%" does not exist', objective, service
			USING ERRCODE = 'undefined_object';
	END IF;
	IF reason IS NULL OR btrim(reason) = '' THEN
		RAISE EXCEPTION 'a correction needs a reason' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF during IS NULL OR isempty(during) THEN
		RAISE EXCEPTION 'a correction needs a non-empty time range' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	INSERT INTO @extschema@.correction (objective_id, during, reason)
	VALUES (oid_, during, reason) RETURNING id INTO new_id;
	RETURN new_id;
END
$$;

-- Record one event in the built-in event table (synthetic probes).
CREATE FUNCTION @extschema@.record(service pg_catalog.text, objective pg_catalog.text,
		ok pg_catalog.bool, value pg_catalog.float8 DEFAULT NULL,
		ts pg_catalog.timestamptz DEFAULT pg_catalog.now())
RETURNS void
LANGUAGE sql
-- runs with the caller's rights: row-level security on slo.event lets a role
-- record events only for services it acts for
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	INSERT INTO @extschema@.event (service, objective, ts, ok, value)
	VALUES (record.service, record.objective, record.ts, record.ok, record.value);
END;
REVOKE ALL ON FUNCTION @extschema@.record(pg_catalog.text, pg_catalog.text, pg_catalog.bool,
		pg_catalog.float8, pg_catalog.timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.record(pg_catalog.text, pg_catalog.text, pg_catalog.bool,
		pg_catalog.float8, pg_catalog.timestamptz) TO slo_writer;
