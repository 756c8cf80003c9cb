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
