/* slo--0.5.sql: the install script of version 0.5, as released; kept so that
 * CREATE EXTENSION slo VERSION '0.5' (and the update tests) can install it.
 * Never edited: later versions change the sources under sql/ and ship an
 * update script in sql/updates/. */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION slo" to load this file. \quit

/*
 * roles.sql: the extension's roles, and its two schemas: @extschema@ (slo)
 * for what users call and read, slo_internal for the machinery behind it
 * (support functions of the types and aggregates, the tick's steps, the
 * triggers, the tables only the tick uses).  Who may call what in
 * slo_internal is set in internal_rights.sql, after everything exists.
 */

-- The aggregates are pure functions of their input, safe for everyone.
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

CREATE SCHEMA slo_internal;
COMMENT ON SCHEMA slo_internal IS 'the machinery of extension slo; not an interface to build on';

------------------------------------------------------------------------------
-- Roles.  Cluster-wide, so created only when missing and never dropped with
-- the extension.  slo_reader reads every table and view of schema slo and
-- changes nothing; slo_writer may also define services, and objectives on
-- tables its members own, and freeze its own services; slo_admin may do all
-- that for any table and service, and run the tick.
------------------------------------------------------------------------------
DO $roles$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'slo_reader') THEN
		CREATE ROLE slo_reader NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'slo_writer') THEN
		CREATE ROLE slo_writer NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'slo_admin') THEN
		CREATE ROLE slo_admin NOLOGIN;
	END IF;
END
$roles$;
GRANT slo_reader TO slo_writer;
GRANT slo_writer TO slo_admin;

-- Everybody may look up names in slo_internal (the API calls its rights
-- checks with the caller's rights); what each role may call there is in
-- internal_rights.sql, and only slo_reader reads its tables.
GRANT USAGE ON SCHEMA slo_internal TO PUBLIC;

/*
 * tally.sql: the slo.tally type, the counting aggregates p_within,
 * burn_rate and budget_remaining, and their scalar forms over known counts.
 */

------------------------------------------------------------------------------
-- slo.tally: the transition state of the counting aggregates
------------------------------------------------------------------------------

CREATE TYPE @extschema@.tally;

CREATE FUNCTION slo_internal.tally_in(pg_catalog.cstring)
RETURNS @extschema@.tally
AS 'MODULE_PATHNAME', 'tally_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.tally_out(@extschema@.tally)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'tally_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.tally_recv(pg_catalog.internal)
RETURNS @extschema@.tally
AS 'MODULE_PATHNAME', 'tally_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.tally_send(@extschema@.tally)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'tally_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.tally (
	INTERNALLENGTH = 32,
	INPUT = slo_internal.tally_in,
	OUTPUT = slo_internal.tally_out,
	RECEIVE = slo_internal.tally_recv,
	SEND = slo_internal.tally_send,
	ALIGNMENT = double,
	STORAGE = plain
);

COMMENT ON TYPE @extschema@.tally IS
'counts of valid and good events and an optional target: the state of the slo counting aggregates';

------------------------------------------------------------------------------
-- Transition, inverse, combine and final functions.  IMMUTABLE: each is a
-- pure function of its arguments (the in-place update of the state happens
-- only inside an aggregate, where the executor owns the state).
------------------------------------------------------------------------------

CREATE FUNCTION slo_internal.tally_within_float8(@extschema@.tally, pg_catalog.float8, pg_catalog.float8)
RETURNS @extschema@.tally
AS 'MODULE_PATHNAME', 'tally_within_float8'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.tally_within_float8_inv(@extschema@.tally, pg_catalog.float8, pg_catalog.float8)
RETURNS @extschema@.tally
AS 'MODULE_PATHNAME', 'tally_within_float8_inv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.tally_within_interval(@extschema@.tally, pg_catalog.interval, pg_catalog.interval)
RETURNS @extschema@.tally
AS 'MODULE_PATHNAME', 'tally_within_interval'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.tally_within_interval_inv(@extschema@.tally, pg_catalog.interval, pg_catalog.interval)
RETURNS @extschema@.tally
AS 'MODULE_PATHNAME', 'tally_within_interval_inv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.tally_bool(@extschema@.tally, pg_catalog.bool)
RETURNS @extschema@.tally
AS 'MODULE_PATHNAME', 'tally_bool'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.tally_bool_inv(@extschema@.tally, pg_catalog.bool)
RETURNS @extschema@.tally
AS 'MODULE_PATHNAME', 'tally_bool_inv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.tally_bool_target(@extschema@.tally, pg_catalog.bool, pg_catalog.float8)
RETURNS @extschema@.tally
AS 'MODULE_PATHNAME', 'tally_bool_target'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.tally_bool_target_inv(@extschema@.tally, pg_catalog.bool, pg_catalog.float8)
RETURNS @extschema@.tally
AS 'MODULE_PATHNAME', 'tally_bool_target_inv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.tally_counts(@extschema@.tally, pg_catalog.int8, pg_catalog.int8, pg_catalog.float8)
RETURNS @extschema@.tally
AS 'MODULE_PATHNAME', 'tally_counts'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.tally_counts_inv(@extschema@.tally, pg_catalog.int8, pg_catalog.int8, pg_catalog.float8)
RETURNS @extschema@.tally
AS 'MODULE_PATHNAME', 'tally_counts_inv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Not STRICT on purpose: handles a NULL state on either side.
CREATE FUNCTION slo_internal.tally_combine(@extschema@.tally, @extschema@.tally)
RETURNS @extschema@.tally
AS 'MODULE_PATHNAME', 'tally_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.tally_sli(@extschema@.tally)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'tally_sli'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.tally_burn_rate(@extschema@.tally)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'tally_burn_rate'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.tally_budget_remaining(@extschema@.tally)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'tally_budget_remaining'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.tally_sli(@extschema@.tally) IS
'good / valid of a tally; NULL when it holds no events';
COMMENT ON FUNCTION @extschema@.tally_burn_rate(@extschema@.tally) IS
'burn rate of a tally that carries a target; NULL when it holds no events';
COMMENT ON FUNCTION @extschema@.tally_budget_remaining(@extschema@.tally) IS
'remaining error budget of a tally that carries a target; NULL when it holds no events';

------------------------------------------------------------------------------
-- The aggregates.  All skip rows with a NULL argument, return NULL for no
-- rows, combine partial states (parallel and distributed plans) and have
-- inverse functions (O(n) moving windows).
------------------------------------------------------------------------------

CREATE AGGREGATE @extschema@.p_within(value pg_catalog.float8, bound pg_catalog.float8) (
	SFUNC = slo_internal.tally_within_float8,
	STYPE = @extschema@.tally,
	INITCOND = 'valid=0 good=0',
	FINALFUNC = @extschema@.tally_sli,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = slo_internal.tally_combine,
	MSFUNC = slo_internal.tally_within_float8,
	MINVFUNC = slo_internal.tally_within_float8_inv,
	MSTYPE = @extschema@.tally,
	MINITCOND = 'valid=0 good=0',
	MFINALFUNC = @extschema@.tally_sli,
	MFINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.p_within(value pg_catalog.interval, bound pg_catalog.interval) (
	SFUNC = slo_internal.tally_within_interval,
	STYPE = @extschema@.tally,
	INITCOND = 'valid=0 good=0',
	FINALFUNC = @extschema@.tally_sli,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = slo_internal.tally_combine,
	MSFUNC = slo_internal.tally_within_interval,
	MINVFUNC = slo_internal.tally_within_interval_inv,
	MSTYPE = @extschema@.tally,
	MINITCOND = 'valid=0 good=0',
	MFINALFUNC = @extschema@.tally_sli,
	MFINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.p_within(ok pg_catalog.bool) (
	SFUNC = slo_internal.tally_bool,
	STYPE = @extschema@.tally,
	INITCOND = 'valid=0 good=0',
	FINALFUNC = @extschema@.tally_sli,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = slo_internal.tally_combine,
	MSFUNC = slo_internal.tally_bool,
	MINVFUNC = slo_internal.tally_bool_inv,
	MSTYPE = @extschema@.tally,
	MINITCOND = 'valid=0 good=0',
	MFINALFUNC = @extschema@.tally_sli,
	MFINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.burn_rate(ok pg_catalog.bool, target pg_catalog.float8) (
	SFUNC = slo_internal.tally_bool_target,
	STYPE = @extschema@.tally,
	INITCOND = 'valid=0 good=0',
	FINALFUNC = @extschema@.tally_burn_rate,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = slo_internal.tally_combine,
	MSFUNC = slo_internal.tally_bool_target,
	MINVFUNC = slo_internal.tally_bool_target_inv,
	MSTYPE = @extschema@.tally,
	MINITCOND = 'valid=0 good=0',
	MFINALFUNC = @extschema@.tally_burn_rate,
	MFINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.budget_remaining(ok pg_catalog.bool, target pg_catalog.float8) (
	SFUNC = slo_internal.tally_bool_target,
	STYPE = @extschema@.tally,
	INITCOND = 'valid=0 good=0',
	FINALFUNC = @extschema@.tally_budget_remaining,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = slo_internal.tally_combine,
	MSFUNC = slo_internal.tally_bool_target,
	MINVFUNC = slo_internal.tally_bool_target_inv,
	MSTYPE = @extschema@.tally,
	MINITCOND = 'valid=0 good=0',
	MFINALFUNC = @extschema@.tally_budget_remaining,
	MFINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.burn_rate(good pg_catalog.int8, valid pg_catalog.int8, target pg_catalog.float8) (
	SFUNC = slo_internal.tally_counts,
	STYPE = @extschema@.tally,
	INITCOND = 'valid=0 good=0',
	FINALFUNC = @extschema@.tally_burn_rate,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = slo_internal.tally_combine,
	MSFUNC = slo_internal.tally_counts,
	MINVFUNC = slo_internal.tally_counts_inv,
	MSTYPE = @extschema@.tally,
	MINITCOND = 'valid=0 good=0',
	MFINALFUNC = @extschema@.tally_burn_rate,
	MFINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.budget_remaining(good pg_catalog.int8, valid pg_catalog.int8, target pg_catalog.float8) (
	SFUNC = slo_internal.tally_counts,
	STYPE = @extschema@.tally,
	INITCOND = 'valid=0 good=0',
	FINALFUNC = @extschema@.tally_budget_remaining,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = slo_internal.tally_combine,
	MSFUNC = slo_internal.tally_counts,
	MINVFUNC = slo_internal.tally_counts_inv,
	MSTYPE = @extschema@.tally,
	MINITCOND = 'valid=0 good=0',
	MFINALFUNC = @extschema@.tally_budget_remaining,
	MFINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.p_within(pg_catalog.float8, pg_catalog.float8) IS
'share of non-NULL values with value <= bound (inclusive)';
COMMENT ON AGGREGATE @extschema@.p_within(pg_catalog.interval, pg_catalog.interval) IS
'share of non-NULL intervals with value <= bound (inclusive)';
COMMENT ON AGGREGATE @extschema@.p_within(pg_catalog.bool) IS
'share of non-NULL values that are true';
COMMENT ON AGGREGATE @extschema@.burn_rate(pg_catalog.bool, pg_catalog.float8) IS
'(bad / valid) / (1 - target): 1.0 spends exactly the error budget over the window';
COMMENT ON AGGREGATE @extschema@.budget_remaining(pg_catalog.bool, pg_catalog.float8) IS
'1 - bad / ((1 - target) * valid); negative when the budget is overspent';
COMMENT ON AGGREGATE @extschema@.burn_rate(pg_catalog.int8, pg_catalog.int8, pg_catalog.float8) IS
'burn rate over rows of pre-counted (good, valid) events, e.g. rollup buckets';
COMMENT ON AGGREGATE @extschema@.budget_remaining(pg_catalog.int8, pg_catalog.int8, pg_catalog.float8) IS
'remaining error budget over rows of pre-counted (good, valid) events, e.g. rollup buckets';

------------------------------------------------------------------------------
-- Scalar forms over counts already known
------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.burn_rate_of(good pg_catalog.int8, valid pg_catalog.int8, target pg_catalog.float8)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'burn_rate_of'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.budget_remaining_of(good pg_catalog.int8, valid pg_catalog.int8, target pg_catalog.float8)
RETURNS pg_catalog.float8
AS 'MODULE_PATHNAME', 'budget_remaining_of'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.burn_rate_of(pg_catalog.int8, pg_catalog.int8, pg_catalog.float8) IS
'burn rate of good out of valid events against a target; NULL when valid = 0';
COMMENT ON FUNCTION @extschema@.budget_remaining_of(pg_catalog.int8, pg_catalog.int8, pg_catalog.float8) IS
'remaining error budget of good out of valid events against a target; NULL when valid = 0';

/*
 * sketch.sql: latency percentiles -- the slo.sketch type (a mergeable,
 * log-bucketed quantile sketch with a relative-error guarantee), the
 * aggregates that build and merge it, and its accessors.
 */

CREATE TYPE @extschema@.sketch;

CREATE FUNCTION slo_internal.sketch_in(pg_catalog.cstring)
RETURNS @extschema@.sketch
AS 'MODULE_PATHNAME', 'sketch_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.sketch_out(@extschema@.sketch)
RETURNS pg_catalog.cstring
AS 'MODULE_PATHNAME', 'sketch_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.sketch_recv(pg_catalog.internal)
RETURNS @extschema@.sketch
AS 'MODULE_PATHNAME', 'sketch_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION slo_internal.sketch_send(@extschema@.sketch)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'sketch_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.sketch (
	INTERNALLENGTH = VARIABLE,
	INPUT = slo_internal.sketch_in,
	OUTPUT = slo_internal.sketch_out,
	RECEIVE = slo_internal.sketch_recv,
	SEND = slo_internal.sketch_send,
	ALIGNMENT = double,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.sketch IS
'log-bucketed quantile sketch: every percentile within relative error alpha';

-- Transition and combine functions: not STRICT (the state starts NULL, and
-- NULL or NaN values are skipped); IMMUTABLE, since they update their state
-- in place only inside an aggregate.
CREATE FUNCTION slo_internal.sketch_add(@extschema@.sketch, pg_catalog.float8)
RETURNS @extschema@.sketch
AS 'MODULE_PATHNAME', 'sketch_add'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION slo_internal.sketch_add(@extschema@.sketch, pg_catalog.float8, pg_catalog.float8)
RETURNS @extschema@.sketch
AS 'MODULE_PATHNAME', 'sketch_add_alpha'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION slo_internal.sketch_combine(@extschema@.sketch, @extschema@.sketch)
RETURNS @extschema@.sketch
AS 'MODULE_PATHNAME', 'sketch_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- the aggregates' final function: the result without its room to grow
CREATE FUNCTION slo_internal.sketch_trim(@extschema@.sketch)
RETURNS @extschema@.sketch
AS 'MODULE_PATHNAME', 'sketch_trim'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE @extschema@.sketch(value pg_catalog.float8) (
	SFUNC = slo_internal.sketch_add,
	STYPE = @extschema@.sketch,
	FINALFUNC = slo_internal.sketch_trim,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = slo_internal.sketch_combine,
	PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.sketch(value pg_catalog.float8, alpha pg_catalog.float8) (
	SFUNC = slo_internal.sketch_add,
	STYPE = @extschema@.sketch,
	FINALFUNC = slo_internal.sketch_trim,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = slo_internal.sketch_combine,
	PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.merge(@extschema@.sketch) (
	SFUNC = slo_internal.sketch_combine,
	STYPE = @extschema@.sketch,
	FINALFUNC = slo_internal.sketch_trim,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = slo_internal.sketch_combine,
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

/*
 * tables.sql: the catalog's tables: configuration (services, policies,
 * objectives, corrections, freezes: kept by pg_dump) and derived state
 * (events, rollups, invalidation notes, progress, evaluations, the tick's
 * log and lock).
 */

------------------------------------------------------------------------------
-- Configuration tables (kept by pg_dump through pg_extension_config_dump)
------------------------------------------------------------------------------

CREATE TABLE @extschema@.service (
	name		pg_catalog.text PRIMARY KEY
				CHECK (name <> '' AND name = pg_catalog.btrim(name)),
	owner		pg_catalog.name NOT NULL DEFAULT CURRENT_USER,
	team		pg_catalog.text,
	runbook_url pg_catalog.text,
	description pg_catalog.text,
	created_at	pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.service IS 'services whose objectives slo tracks';

CREATE TABLE @extschema@.policy (
	name		pg_catalog.text PRIMARY KEY,
	measure		pg_catalog.text NOT NULL CHECK (measure IN ('remaining', 'consumed')),
	description pg_catalog.text,
	builtin		pg_catalog.bool NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.policy IS
'budget policies: an ordered list of tiers over budget remaining or consumed';

-- With measure = remaining a tier applies when remaining > threshold; with
-- measure = consumed when consumed >= threshold.  The tier with the highest
-- threshold that applies wins (remaining: the highest threshold below the
-- value; consumed: likewise), so thresholds are lower bounds in both cases.
CREATE TABLE @extschema@.policy_tier (
	policy		pg_catalog.text NOT NULL REFERENCES @extschema@.policy ON UPDATE CASCADE ON DELETE CASCADE,
	threshold	pg_catalog.float8 NOT NULL CHECK (threshold = threshold),	-- not NaN
	label		pg_catalog.text NOT NULL,
	action		pg_catalog.text NOT NULL CHECK (action IN ('normal', 'caution', 'freeze', 'incident')),
	builtin		pg_catalog.bool NOT NULL DEFAULT false,
	PRIMARY KEY (policy, threshold)
);
COMMENT ON TABLE @extschema@.policy_tier IS 'the tiers of each budget policy';

INSERT INTO @extschema@.policy (name, measure, description, builtin) VALUES
	('default', 'remaining',
	 'remaining > 50% normal, 25-50% caution, 10-25% freeze, below 10% incident', true),
	('traffic-light', 'consumed',
	 'consumed below 25% green, 25-75% yellow, above 75% red (freeze)', true),
	('freeze-on-burn', 'consumed',
	 'freeze the service once the whole budget is consumed', true);
INSERT INTO @extschema@.policy_tier (policy, threshold, label, action, builtin) VALUES
	('default', 0.5, 'normal', 'normal', true),
	('default', 0.25, 'caution', 'caution', true),
	('default', 0.1, 'freeze', 'freeze', true),
	('default', '-Infinity', 'incident', 'incident', true),
	('traffic-light', '-Infinity', 'green', 'normal', true),
	('traffic-light', 0.25, 'yellow', 'caution', true),
	('traffic-light', 0.75, 'red', 'freeze', true),
	('freeze-on-burn', '-Infinity', 'normal', 'normal', true),
	('freeze-on-burn', 1.0, 'burned', 'freeze', true);

CREATE TABLE @extschema@.objective (
	id			pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	service		pg_catalog.text NOT NULL REFERENCES @extschema@.service ON UPDATE CASCADE,
	name		pg_catalog.text NOT NULL CHECK (name <> ''),
	owner		pg_catalog.name NOT NULL DEFAULT CURRENT_USER,
	description pg_catalog.text,
	sli_kind	pg_catalog.text NOT NULL
				CHECK (sli_kind IN ('ratio', 'threshold', 'freshness', 'throughput', 'percentile')),
	source		pg_catalog.regclass NOT NULL,
	time_column pg_catalog.name NOT NULL,
	valid_expr	pg_catalog.text NOT NULL DEFAULT 'true',
	good_expr	pg_catalog.text,			-- ratio, throughput
	value_expr	pg_catalog.text,			-- threshold
	op			pg_catalog.text CHECK (op IN ('lt', 'le', 'gt', 'ge')),
	threshold	pg_catalog.text,			-- threshold, as a literal of the value's type
	max_age		pg_catalog.interval,		-- freshness
	target		pg_catalog.float8 NOT NULL CHECK (target > 0 AND target < 1),
	window_kind pg_catalog.text NOT NULL CHECK (window_kind IN ('rolling', 'calendar')),
	window_length pg_catalog.interval,		-- rolling, or calendar every N days
	calendar_unit pg_catalog.text CHECK (calendar_unit IN ('month', 'days')),
	anchor		pg_catalog.timestamptz,	-- calendar every N days
	time_zone	pg_catalog.text NOT NULL DEFAULT 'UTC',
	budgeting	pg_catalog.text NOT NULL DEFAULT 'occurrences'
				CHECK (budgeting IN ('occurrences', 'timeslices', 'ratio_timeslices')),
	slice		pg_catalog.interval,
	slice_target pg_catalog.float8 CHECK (slice_target > 0 AND slice_target <= 1),
	slice_min_events pg_catalog.int8 CHECK (slice_min_events >= 0),
	empty_slices pg_catalog.text NOT NULL DEFAULT 'exclude'
				CHECK (empty_slices IN ('exclude', 'good', 'bad')),
	min_events	pg_catalog.int8 NOT NULL DEFAULT 0 CHECK (min_events >= 0),
	sla_target	pg_catalog.float8 CHECK (sla_target > 0 AND sla_target < 1),
	sla_window	pg_catalog.interval,
	policy		pg_catalog.text NOT NULL DEFAULT 'default'
				REFERENCES @extschema@.policy ON UPDATE CASCADE,
	search_path pg_catalog.text NOT NULL,
	revision	pg_catalog.int4 NOT NULL DEFAULT 1,	-- bumped by each redefinition
	enabled		pg_catalog.bool NOT NULL DEFAULT true,
	created_at	pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
	percentile	pg_catalog.float8 CHECK (percentile >= 0 AND percentile <= 1),	-- percentile objectives
	UNIQUE (service, name),
	CHECK ((sla_target IS NULL) = (sla_window IS NULL))
);
COMMENT ON TABLE @extschema@.objective IS
'service level objectives over users'' tables; evaluated with the rights of owner';
CREATE INDEX ON @extschema@.objective (source);

CREATE TABLE @extschema@.correction (
	id			pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	objective_id pg_catalog.int8 NOT NULL REFERENCES @extschema@.objective ON DELETE CASCADE,
	during		pg_catalog.tstzrange NOT NULL CHECK (NOT pg_catalog.isempty(during)),
	reason		pg_catalog.text NOT NULL,
	created_by	pg_catalog.name NOT NULL DEFAULT CURRENT_USER,
	created_at	pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE @extschema@.correction IS
'time ranges excluded from an objective''s counts and slices (maintenance, bad data)';
CREATE INDEX ON @extschema@.correction (objective_id);

-- Every deploy freeze ever set, and its lift.  A row is written once when
-- the freeze is set and once more when it is lifted, never deleted, and
-- says who did each in its own right: row-level security and column
-- privileges (below) make set_by and lifted_by the role that wrote them.
-- No foreign keys: the record outlives the service and the objective.
CREATE TABLE @extschema@.freezes (
	id			pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	service		pg_catalog.text NOT NULL,
	objective_id pg_catalog.int8,			-- kind policy: the objective whose policy set it
	kind		pg_catalog.text NOT NULL CHECK (kind IN ('policy', 'manual')),
	reason		pg_catalog.text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
	since		pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
	set_by		pg_catalog.name NOT NULL DEFAULT CURRENT_USER,
	lifted_at	pg_catalog.timestamptz,
	lifted_by	pg_catalog.name,
	lift_reason pg_catalog.text CHECK (pg_catalog.btrim(lift_reason) <> ''),
	CHECK ((lifted_at IS NULL) = (lifted_by IS NULL) AND (lifted_at IS NULL) = (lift_reason IS NULL)),
	CHECK (kind = 'manual' OR objective_id IS NOT NULL)
);
-- in force: one manual freeze per service, one policy freeze per objective
CREATE UNIQUE INDEX freeze_manual_key ON @extschema@.freezes (service)
	WHERE kind = 'manual' AND lifted_at IS NULL;
CREATE UNIQUE INDEX freeze_policy_key ON @extschema@.freezes (objective_id)
	WHERE kind = 'policy' AND lifted_at IS NULL;
CREATE INDEX freeze_in_force_idx ON @extschema@.freezes (service) WHERE lifted_at IS NULL;
COMMENT ON TABLE @extschema@.freezes IS
'every deploy freeze set, with who set it and why, and who lifted it and why';

------------------------------------------------------------------------------
-- Derived state (not dumped: the tick rebuilds it from the sources)
------------------------------------------------------------------------------

-- Built-in event table for teams without a table of their own (probes).
CREATE TABLE @extschema@.event (
	id			pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	service		pg_catalog.text NOT NULL,
	objective	pg_catalog.text NOT NULL,
	ts			pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
	ok			pg_catalog.bool NOT NULL,
	value		pg_catalog.float8
);
CREATE INDEX event_ts_idx ON @extschema@.event (ts);
COMMENT ON TABLE @extschema@.event IS 'events written by slo.record(), e.g. by synthetic probes';

-- One row per objective and minute: valid and good events (freshness:
-- valid and good milliseconds).
CREATE TABLE @extschema@.rollup (
	objective_id pg_catalog.int8 NOT NULL REFERENCES @extschema@.objective ON DELETE CASCADE,
	bucket		pg_catalog.timestamptz NOT NULL,
	valid		pg_catalog.int8 NOT NULL CHECK (valid >= 0),
	good		pg_catalog.int8 NOT NULL CHECK (good >= 0 AND good <= valid),
	PRIMARY KEY (objective_id, bucket),
	sketch		@extschema@.sketch
);
COMMENT ON TABLE @extschema@.rollup IS
'per objective and minute: valid and good events (freshness: milliseconds); kept equal to a recount';
COMMENT ON COLUMN @extschema@.rollup.sketch IS
'percentile objectives: a sketch of the minute''s values';

-- Buckets whose source rows changed since the last tick (written by the
-- triggers slo puts on each source table).  No key: concurrent writers never
-- wait on each other here; the tick de-duplicates.
CREATE TABLE slo_internal.invalidation (
	objective_id pg_catalog.int8 NOT NULL,
	bucket		pg_catalog.timestamptz NOT NULL
);
CREATE INDEX ON slo_internal.invalidation (objective_id);

-- How far each objective's rollup has been built.
CREATE TABLE slo_internal.progress (
	objective_id pg_catalog.int8 PRIMARY KEY REFERENCES @extschema@.objective ON DELETE CASCADE,
	revision	pg_catalog.int4 NOT NULL,	-- of the definition the rollup was built for
	backfilled_from pg_catalog.timestamptz NOT NULL,
	computed_until pg_catalog.timestamptz NOT NULL
);

-- The evaluated numbers of each objective, written by every tick.
CREATE TABLE @extschema@.evaluation (
	objective_id pg_catalog.int8 PRIMARY KEY REFERENCES @extschema@.objective ON DELETE CASCADE,
	evaluated_at pg_catalog.timestamptz NOT NULL,
	window_start pg_catalog.timestamptz,
	window_end	pg_catalog.timestamptz,
	counted_until pg_catalog.timestamptz,	-- end of what was counted: [window_start, counted_until)
	valid		pg_catalog.int8,
	good		pg_catalog.int8,
	sli			pg_catalog.float8,
	error_budget pg_catalog.float8,
	budget_unit pg_catalog.text,
	consumed	pg_catalog.float8,
	remaining	pg_catalog.float8,
	burn_5m		pg_catalog.float8,
	burn_30m	pg_catalog.float8,
	burn_1h		pg_catalog.float8,
	burn_6h		pg_catalog.float8,
	burn_1d		pg_catalog.float8,
	burn_3d		pg_catalog.float8,
	time_to_exhaustion pg_catalog.interval,
	too_little_data pg_catalog.bool,
	sla_sli		pg_catalog.float8,
	tier		pg_catalog.text,
	action		pg_catalog.text,
	last_error	pg_catalog.text,
	last_error_sqlstate pg_catalog.text,
	last_error_at pg_catalog.timestamptz
);

CREATE TABLE @extschema@.tick_log (
	id			pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	started_at	pg_catalog.timestamptz NOT NULL,
	finished_at pg_catalog.timestamptz NOT NULL,
	buckets_recounted pg_catalog.int8 NOT NULL,
	objectives_evaluated pg_catalog.int4 NOT NULL,
	errors		pg_catalog.int4 NOT NULL,
	skipped		pg_catalog.bool NOT NULL DEFAULT false,
	failures	pg_catalog.jsonb	-- one element per objective that failed: which, SQLSTATE, message
);
COMMENT ON TABLE @extschema@.tick_log IS 'one row per run of slo.tick()';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.service', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.policy', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.policy_tier', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.objective', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.correction', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.freezes', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.event', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.objective', 'id')::pg_catalog.regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.correction', 'id')::pg_catalog.regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.freezes', 'id')::pg_catalog.regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.event', 'id')::pg_catalog.regclass, '');

-- Mutual exclusion of ticks: a tick holds this empty table in EXCLUSIVE
-- mode until it commits.  Only roles that may run the tick may take any
-- lock on it that conflicts (EXCLUSIVE needs UPDATE, DELETE or TRUNCATE);
-- what readers can take (ACCESS SHARE) does not conflict.  Unlike an
-- advisory lock, no other role can take, hold or fake it.
CREATE TABLE slo_internal.tick_lock ();
COMMENT ON TABLE slo_internal.tick_lock IS 'locked by each running tick; holds no rows';
GRANT SELECT ON slo_internal.tick_lock TO slo_reader;
GRANT UPDATE ON slo_internal.tick_lock TO slo_admin;

/*
 * security.sql: who may write what.  The rights helpers, row-level
 * security on every table a role other than the tick writes, and the grants
 * (docs/security.md).  Reading is open to slo_reader.
 */

------------------------------------------------------------------------------
-- Row-level security: who may write what.  Reading is open to slo_reader.
------------------------------------------------------------------------------

-- The owner of a service (NULL for an unknown one).
CREATE FUNCTION slo_internal.service_owner(service pg_catalog.text)
RETURNS pg_catalog.name
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT s.owner FROM @extschema@.service s WHERE s.name = service);

-- Is the current role allowed to administer anything in slo?
CREATE FUNCTION slo_internal.is_admin()
RETURNS pg_catalog.bool
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.pg_has_role(CURRENT_USER, 'slo_admin', 'USAGE')
		OR (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = CURRENT_USER)
$$;

-- May the current role act for objects owned by role "owner"?
CREATE FUNCTION slo_internal.acts_for(owner pg_catalog.name)
RETURNS pg_catalog.bool
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT slo_internal.is_admin()
		OR (EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = owner)
			AND pg_catalog.pg_has_role(CURRENT_USER, owner, 'USAGE'))
$$;

ALTER TABLE @extschema@.service ENABLE ROW LEVEL SECURITY;
CREATE POLICY service_read ON @extschema@.service FOR SELECT USING (true);
CREATE POLICY service_insert ON @extschema@.service FOR INSERT
	WITH CHECK (slo_internal.acts_for(owner));
CREATE POLICY service_update ON @extschema@.service FOR UPDATE
	USING (slo_internal.acts_for(owner)) WITH CHECK (slo_internal.acts_for(owner));
CREATE POLICY service_delete ON @extschema@.service FOR DELETE
	USING (slo_internal.acts_for(owner));

-- An objective is written by a role that owns (or administers) its source;
-- its owner is the role whose rights evaluate it.
ALTER TABLE @extschema@.objective ENABLE ROW LEVEL SECURITY;
CREATE POLICY objective_read ON @extschema@.objective FOR SELECT USING (true);
CREATE FUNCTION slo_internal.may_define_on(source pg_catalog.regclass, service pg_catalog.text)
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
CREATE POLICY objective_insert ON @extschema@.objective FOR INSERT
	WITH CHECK (owner = CURRENT_USER AND slo_internal.may_define_on(source, service));
CREATE POLICY objective_update ON @extschema@.objective FOR UPDATE
	USING (slo_internal.acts_for(owner))
	WITH CHECK (owner = CURRENT_USER AND slo_internal.may_define_on(source, service));
CREATE POLICY objective_delete ON @extschema@.objective FOR DELETE
	USING (slo_internal.acts_for(owner));

ALTER TABLE @extschema@.correction ENABLE ROW LEVEL SECURITY;
CREATE POLICY correction_read ON @extschema@.correction FOR SELECT USING (true);
CREATE POLICY correction_write ON @extschema@.correction FOR ALL
	USING (slo_internal.acts_for((SELECT o.owner FROM @extschema@.objective o WHERE o.id = objective_id)))
	WITH CHECK (slo_internal.acts_for((SELECT o.owner FROM @extschema@.objective o WHERE o.id = objective_id)));

GRANT SELECT ON ALL TABLES IN SCHEMA @extschema@ TO slo_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA slo_internal TO slo_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.service, @extschema@.objective,
	@extschema@.correction TO slo_writer;
-- objectives on the built-in event table are evaluated as their owners
GRANT SELECT ON @extschema@.event TO slo_writer;
GRANT INSERT, UPDATE, DELETE ON @extschema@.policy, @extschema@.policy_tier TO slo_admin;

ALTER TABLE @extschema@.event ENABLE ROW LEVEL SECURITY;
CREATE POLICY event_read ON @extschema@.event FOR SELECT USING (true);
CREATE POLICY event_write ON @extschema@.event FOR ALL
	USING (slo_internal.acts_for(slo_internal.service_owner(service)))
	WITH CHECK (slo_internal.acts_for(slo_internal.service_owner(service)));
GRANT INSERT, UPDATE, DELETE ON @extschema@.event TO slo_writer;

-- Freezes are written with the writer's own rights, and only truthfully:
-- a role sets a freeze in its own name (set_by, since now) on a service it
-- acts for, manual unless it administers slo (the tick sets policy
-- freezes), and lifts a freeze in force of such a service, once, in its own
-- name, with a reason.  Column privileges keep everything but the three
-- lift columns as they were set; nobody may delete a freeze.
ALTER TABLE @extschema@.freezes ENABLE ROW LEVEL SECURITY;
CREATE POLICY freeze_read ON @extschema@.freezes FOR SELECT USING (true);
CREATE POLICY freeze_set ON @extschema@.freezes FOR INSERT
	WITH CHECK (set_by = CURRENT_USER AND since = pg_catalog.now() AND lifted_at IS NULL
				AND (slo_internal.is_admin()
					 OR (kind = 'manual' AND slo_internal.acts_for(slo_internal.service_owner(service)))));
CREATE POLICY freeze_lift ON @extschema@.freezes FOR UPDATE
	USING (lifted_at IS NULL AND slo_internal.acts_for(slo_internal.service_owner(service)))
	WITH CHECK (lifted_by = CURRENT_USER AND lifted_at = pg_catalog.now());
GRANT INSERT ON @extschema@.freezes TO slo_writer;
GRANT UPDATE (lifted_at, lifted_by, lift_reason) ON @extschema@.freezes TO slo_writer;

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

/*
 * evaluation.sql: the window arithmetic -- units counted and bad in a range
 * of the rollup, by budgeting method, and one objective's evaluation.
 */

-- Counted units and bad units of an objective in [lo, hi), from its rollup,
-- by its budgeting method: events (occurrences), whole slices (timeslices)
-- or the sum of (1 - slice ratio) (ratio_timeslices).  Corrections and, for
-- timeslices, the unfinished last slice are left out.
CREATE FUNCTION slo_internal.measure(o @extschema@.objective, origin pg_catalog.timestamptz,
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

/*
 * freezes.sql: deploy freezes -- the views over slo.freezes, the
 * rights on it, freezing and unfreezing by hand, the deploy gate, and the
 * policies' own freezes.
 */

CREATE VIEW @extschema@.deploy_freeze AS
SELECT f.service, f.objective_id, f.reason, f.since, f.set_by, f.kind, f.id
FROM @extschema@.freezes f
WHERE f.lifted_at IS NULL;
COMMENT ON VIEW @extschema@.deploy_freeze IS
'deploy freezes in force: one row per reason; a service is frozen while it has any';

CREATE VIEW @extschema@.freeze_history AS
SELECT f.id AS freeze_id, f.service, f.objective_id, 'set'::pg_catalog.text AS change, f.kind,
	   f.reason, f.set_by AS changed_by, f.since AS changed_at
FROM @extschema@.freezes f
UNION ALL
SELECT f.id, f.service, f.objective_id, 'lift', f.kind, f.lift_reason, f.lifted_by, f.lifted_at
FROM @extschema@.freezes f
WHERE f.lifted_at IS NOT NULL;
COMMENT ON VIEW @extschema@.freeze_history IS 'every freeze set or lifted, by whom and why';

GRANT SELECT ON @extschema@.deploy_freeze, @extschema@.freeze_history TO slo_reader;

CREATE FUNCTION slo_internal.check_service(service pg_catalog.text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	IF NOT EXISTS (SELECT 1 FROM @extschema@.service s WHERE s.name = check_service.service) THEN
		RAISE EXCEPTION 'service "%" does not exist', service
			USING ERRCODE = 'undefined_object', HINT = 'See SELECT name FROM slo.service.';
	END IF;
END
$$;

-- Freeze a service by hand.
CREATE FUNCTION @extschema@.freeze_service(service pg_catalog.text, reason pg_catalog.text)
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

-- Lift every freeze of a service by hand (a policy sets its own again at the
-- next tick if the budget is still exhausted).
CREATE FUNCTION @extschema@.unfreeze_service(service pg_catalog.text, reason pg_catalog.text)
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

-- The one question a deploy pipeline asks.  Any role may ask it.
CREATE FUNCTION @extschema@.deploy_allowed(service pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	IF NOT EXISTS (SELECT 1 FROM @extschema@.service s WHERE s.name = deploy_allowed.service) THEN
		RAISE EXCEPTION 'service "%" does not exist', deploy_allowed.service
			USING ERRCODE = 'undefined_object', HINT = 'See SELECT name FROM slo.service.';
	END IF;
	RETURN NOT EXISTS (SELECT 1 FROM @extschema@.freezes f
					   WHERE f.service = deploy_allowed.service AND f.lifted_at IS NULL);
END
$$;

-- Apply each objective's policy action to the freezes.
CREATE FUNCTION slo_internal.apply_policy(o @extschema@.objective, e @extschema@.evaluation)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF e.action IN ('freeze', 'incident') AND NOT e.too_little_data THEN
		INSERT INTO @extschema@.freezes (service, objective_id, reason, kind)
		VALUES (o.service, o.id,
				format('%s/%s: %s tier of policy %s (budget remaining %s)', o.service, o.name,
					   e.tier, o.policy, round(e.remaining::numeric, 4)),
				'policy')
		ON CONFLICT (objective_id) WHERE kind = 'policy' AND lifted_at IS NULL DO NOTHING;
	ELSIF e.action IN ('normal', 'caution') OR e.remaining IS NULL THEN
		-- a recovered budget, or a new window without events yet
		UPDATE @extschema@.freezes f
		SET lifted_at = now(), lifted_by = CURRENT_USER,
			lift_reason = format('%s/%s: %s', o.service, o.name,
								 coalesce('budget recovered to the ' || e.tier || ' tier',
										  'no events yet in the new window'))
		WHERE f.objective_id = o.id AND f.kind = 'policy' AND f.lifted_at IS NULL;
	END IF;
END
$$;

-- Lift the freezes in force whose objective (policy freezes) or service
-- was deleted since: nothing else would.
CREATE FUNCTION slo_internal.lift_orphaned_freezes()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	UPDATE @extschema@.freezes f
	SET lifted_at = now(), lifted_by = CURRENT_USER,
		lift_reason = CASE WHEN NOT EXISTS (SELECT 1 FROM @extschema@.service s WHERE s.name = f.service)
						   THEN 'service deleted' ELSE 'objective deleted' END
	WHERE f.lifted_at IS NULL
	  AND (NOT EXISTS (SELECT 1 FROM @extschema@.service s WHERE s.name = f.service)
		   OR (f.kind = 'policy'
			   AND NOT EXISTS (SELECT 1 FROM @extschema@.objective o WHERE o.id = f.objective_id)));
END;

/*
 * tick.sql: CALL slo.tick() -- rollup, then status, then policies, for every
 * enabled objective, each in a subtransaction of its own.
 */

-- One objective's share of a tick: rollup, evaluation, policy.  Returns the
-- number of buckets recounted.
CREATE FUNCTION slo_internal.tick_objective(o @extschema@.objective, at pg_catalog.timestamptz)
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

-- tick_objective() in a subtransaction, under slo.lock_timeout: a failure of
-- any kind comes back as (NULL, sqlstate, message) and is rolled back; a
-- cancel of the tick itself is re-raised (src/tick.c).
CREATE FUNCTION slo_internal.tick_objective_guarded(objective_id pg_catalog.int8, at pg_catalog.timestamptz,
		OUT recounted pg_catalog.int8, OUT sqlstate pg_catalog.text, OUT message pg_catalog.text)
AS 'MODULE_PATHNAME', 'tick_objective_guarded'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

-- Record an objective's failure in its status.  If even that cannot be done
-- within a second (its objective row is locked by its owner, or it was just
-- deleted), the tick's log still has it.
CREATE FUNCTION slo_internal.record_failure(objective_id pg_catalog.int8, at pg_catalog.timestamptz,
		sqlstate pg_catalog.text, message pg_catalog.text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '1s'
AS $$
BEGIN
	INSERT INTO @extschema@.evaluation AS e (objective_id, evaluated_at, last_error, last_error_sqlstate, last_error_at)
	VALUES (record_failure.objective_id, at, message, sqlstate, clock_timestamp())
	ON CONFLICT ON CONSTRAINT evaluation_pkey DO UPDATE
		SET last_error = EXCLUDED.last_error, last_error_sqlstate = EXCLUDED.last_error_sqlstate,
			last_error_at = EXCLUDED.last_error_at;
EXCEPTION WHEN OTHERS THEN
	NULL;
END
$$;
/*
 * CALL slo.tick(): rollup, then status, then policy tiers and freezes, for
 * every enabled objective, in one transaction.  Idempotent.  A second tick
 * that starts while one runs skips (it cannot take slo.tick_lock) instead of
 * waiting.  An objective that fails, in any way (its owner lost SELECT on
 * the source, its expression raised an error or an assertion, its counting
 * query ran past slo.query_timeout, it waited for a lock past
 * slo.lock_timeout), has the error recorded in its status and in the tick's
 * log, its work rolled back, and does not stop the others; a cancel of the
 * tick itself stops the tick.
 */
CREATE PROCEDURE @extschema@.tick(at pg_catalog.timestamptz DEFAULT NULL)
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
REVOKE ALL ON PROCEDURE @extschema@.tick(pg_catalog.timestamptz) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE @extschema@.tick(pg_catalog.timestamptz) TO slo_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.rollup, slo_internal.invalidation,
	slo_internal.progress, @extschema@.evaluation, @extschema@.tick_log TO slo_admin;
-- (slo_admin sets and lifts policy freezes through slo_writer's rights on
-- slo.freezes, in its own name like everybody; it may call every function
-- of slo_internal: internal_rights.sql)

/*
 * status.sql: slo.status, the dashboard view.
 */

CREATE VIEW @extschema@.status AS
SELECT o.service, o.name AS objective, o.sli_kind, o.budgeting, o.window_kind,
	   e.window_start, e.window_end, e.counted_until, e.valid, e.good, e.sli, o.target,
	   e.error_budget, e.budget_unit, e.consumed, e.remaining,
	   e.burn_5m, e.burn_30m, e.burn_1h, e.burn_6h, e.burn_1d, e.burn_3d,
	   e.time_to_exhaustion, e.too_little_data, o.min_events,
	   o.sla_target, o.sla_window, e.sla_sli, e.sla_sli - o.sla_target AS sla_margin,
	   o.policy, e.tier, e.action,
	   EXISTS (SELECT 1 FROM @extschema@.freezes f WHERE f.service = o.service AND f.lifted_at IS NULL) AS frozen,
	   e.evaluated_at, e.last_error, e.last_error_sqlstate, o.id AS objective_id
FROM @extschema@.objective o
LEFT JOIN @extschema@.evaluation e ON e.objective_id = o.id;
COMMENT ON VIEW @extschema@.status IS
'one row per objective: window, counts, SLI, budget, burn rates, SLA, policy tier, freeze; as of the last tick';
GRANT SELECT ON @extschema@.status TO slo_reader;

/*
 * cron.sql: scheduling the tick with pg_cron, which is optional: nothing
 * needs it, and these functions say how to do without it.
 */

CREATE FUNCTION slo_internal.cron_expression(every pg_catalog.interval)
RETURNS pg_catalog.text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	mins int8;
BEGIN
	IF every IS NULL OR every < interval '1 minute'
	   OR extract(epoch FROM every)::numeric % 60 <> 0 THEN
		RAISE EXCEPTION 'interval % cannot be scheduled', coalesce(every::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'pg_cron runs jobs in whole minutes, one minute at the shortest.';
	END IF;
	mins := extract(epoch FROM every)::int8 / 60;
	IF mins = 1 THEN
		RETURN '* * * * *';
	ELSIF mins < 60 AND 60 % mins = 0 THEN
		RETURN format('*/%s * * * *', mins);
	ELSIF mins % 60 = 0 AND mins / 60 < 24 AND 24 % (mins / 60) = 0 THEN
		RETURN format('0 */%s * * *', mins / 60);
	ELSIF mins = 1440 THEN
		RETURN '0 0 * * *';
	END IF;
	RAISE EXCEPTION 'interval % cannot be scheduled', every
		USING ERRCODE = 'invalid_parameter_value',
			  DETAIL = 'A five-field cron schedule repeats evenly only for minutes dividing an hour, or hours dividing a day.';
END
$$;

CREATE FUNCTION slo_internal.require_pg_cron()
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF to_regnamespace('cron') IS NULL THEN
		RAISE EXCEPTION 'pg_cron is not installed in this database'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Database %I has no schema "cron".', current_database()),
				  HINT = format('Install pg_cron (shared_preload_libraries, then CREATE EXTENSION pg_cron in the database named by cron.database_name, where cron.schedule_in_database(''slo-tick'', ''* * * * *'', ''CALL slo.tick()'', %L) schedules it), or run CALL slo.tick() every minute from any other scheduler.',
								current_database());
	END IF;
END
$$;

-- Schedule CALL slo.tick() with pg_cron; an upsert by job name.
CREATE FUNCTION @extschema@.schedule(every pg_catalog.interval DEFAULT '1 minute',
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

-- Remove the pg_cron job; false when there was none.
CREATE FUNCTION @extschema@.unschedule(job_name pg_catalog.text DEFAULT 'slo-tick')
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

/*
 * internal_rights.sql: who may call the functions of slo_internal.  Nobody
 * by default.  Everybody the rights checks that the API functions and row-
 * level security run with the caller's rights (they only answer questions
 * about the caller, or type-check the caller's own SQL as the caller, so
 * the API's own messages reach every role); writers the trigger their
 * tables get; slo_admin, which runs the tick, all of them.  The aggregates
 * and types need no grant: they call their support functions with their
 * owner's rights.
 */

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
