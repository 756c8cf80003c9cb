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
