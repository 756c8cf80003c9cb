/*-------------------------------------------------------------------------
 *
 * tally_aggs.c
 *	  The counting aggregates of slo: p_within, burn_rate and
 *	  budget_remaining, with their transition, inverse (moving-aggregate),
 *	  combine and final functions, and the scalar forms over counts that are
 *	  already known.
 *
 * Every aggregate here uses slo.tally as its state and the same shape:
 *
 *	 SFUNC/MSFUNC    STRICT: rows with a NULL argument are skipped; the state
 *	                 starts from INITCOND, which the executor copies into the
 *	                 aggregate memory context, so it is never NULL and is
 *	                 updated in place there (no allocation per row).
 *	 MINVFUNC        the exact inverse of the transition, for O(n) moving
 *	                 windows.
 *	 COMBINEFUNC     not STRICT; handles NULL on either side.
 *	 FINALFUNC       read only (FINALFUNC_MODIFY = READ_ONLY), so window
 *	                 aggregates may call it repeatedly.
 *
 * Called outside an aggregate, a transition function copies its state first:
 * a pass-by-reference argument is never modified.
 *
 * src/tally_aggs.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"

#include "slo.h"
#include "tally.h"

/*
 * The state to update: the aggregate's own in place, or a copy when the
 * function is called directly (slo_state_is_ours).
 */
static inline SloTally *
tally_for_update(FunctionCallInfo fcinfo)
{
	SloTally   *state = PG_GETARG_SLO_TALLY_P(0);

	if (!slo_state_is_ours(fcinfo, PG_GETARG_DATUM(0), state))
	{
		SloTally   *copy = palloc(sizeof(SloTally));

		memcpy(copy, state, sizeof(SloTally));
		state = copy;
	}
	Assert(slo_tally_invalid_reason(state) == NULL);
	return state;
}

/*
 * Record the target of this row in the state: the first one sets it, any
 * other must be the same (one aggregate, one objective).
 */
static inline void
tally_set_target(SloTally *state, float8 target)
{
	if ((state->flags & SLO_TALLY_HAS_TARGET) != 0 && state->target == target)
		return;

	slo_check_target(target);
	if ((state->flags & SLO_TALLY_HAS_TARGET) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("target changed from %s to %s within one aggregate",
						slo_float8_to_cstring(state->target),
						slo_float8_to_cstring(target)),
				 errdetail("Every row of one burn_rate or budget_remaining aggregate must use the same target."),
				 errhint("Group by the target, or aggregate each objective separately.")));
	state->target = target;
	state->flags |= SLO_TALLY_HAS_TARGET;
}

static void
inverse_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cannot remove events that were never added to the tally"),
			 errdetail("An inverse transition function may only remove rows its transition function added.")));
}

/*
 * Add (sign = 1) or remove (sign = -1) one event.  Window aggregation only
 * removes rows it added; a direct call that tries more is an error.
 */
static inline void
tally_step(SloTally *state, bool good, int sign)
{
	if (sign < 0 &&
		unlikely(good ? state->good == 0 : state->valid == state->good))
		inverse_error();
	state->valid += sign;
	if (good)
		state->good += sign;
	Assert(state->valid >= 0 && state->good >= 0 && state->good <= state->valid);
}

/*
 * Check a pre-counted row: non-negative counts, good <= valid.
 */
static void
check_counts(int64 good, int64 valid)
{
	if (valid < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("valid count " INT64_FORMAT " is negative", valid)));
	if (good < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("good count " INT64_FORMAT " is negative", good)));
	if (good > valid)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("good count " INT64_FORMAT " exceeds valid count " INT64_FORMAT,
						good, valid),
				 errdetail("Good events are a subset of valid events.")));
}

static void
count_overflow_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("event count out of range"),
			 errdetail("The sum of the counts does not fit in a bigint.")));
}

/*
 * state += (good, valid) with overflow checks.  The invariant good <= valid
 * holds for the sum because it holds for both terms.
 */
static void
tally_add_counts(SloTally *state, int64 good, int64 valid)
{
	if (pg_add_s64_overflow(state->valid, valid, &state->valid) ||
		pg_add_s64_overflow(state->good, good, &state->good))
		count_overflow_error();
}

/*
 * state -= (good, valid): the inverse of tally_add_counts for a row that was
 * added before.
 */
static void
tally_subtract_counts(SloTally *state, int64 good, int64 valid)
{
	if (valid > state->valid || good > state->good ||
		valid - good > state->valid - state->good)
		inverse_error();
	state->valid -= valid;
	state->good -= good;
}

/*
 * Reject a NaN bound: every value is <= NaN by PostgreSQL's ordering, which
 * would make "within NaN" silently true.
 */
static inline void
check_bound_float8(float8 bound)
{
	if (unlikely(isnan(bound)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bound NaN is out of range"),
				 errdetail("The bound of p_within must be a number or an infinity, not NaN.")));
}

/* ----------
 * p_within(value float8, bound float8)
 * ----------
 */

/*
 * tally_within_float8(slo.tally, float8, float8) returns slo.tally
 *
 * One event, good when value <= bound under PostgreSQL's float8 ordering
 * (NaN sorts above every number, so a NaN value is never within).
 */
PG_FUNCTION_INFO_V1(tally_within_float8);
Datum
tally_within_float8(PG_FUNCTION_ARGS)
{
	SloTally   *state = tally_for_update(fcinfo);
	float8		value = PG_GETARG_FLOAT8(1);
	float8		bound = PG_GETARG_FLOAT8(2);

	check_bound_float8(bound);
	tally_step(state, float8_le(value, bound), 1);
	PG_RETURN_SLO_TALLY_P(state);
}

/*
 * tally_within_float8_inv(slo.tally, float8, float8) returns slo.tally
 */
PG_FUNCTION_INFO_V1(tally_within_float8_inv);
Datum
tally_within_float8_inv(PG_FUNCTION_ARGS)
{
	SloTally   *state = tally_for_update(fcinfo);
	float8		value = PG_GETARG_FLOAT8(1);
	float8		bound = PG_GETARG_FLOAT8(2);

	check_bound_float8(bound);
	tally_step(state, float8_le(value, bound), -1);
	PG_RETURN_SLO_TALLY_P(state);
}

/* ----------
 * p_within(value interval, bound interval)
 * ----------
 */

/*
 * value <= bound by interval_cmp, so the answer is exactly SQL's
 * "value <= bound" (a month counts as 30 days, a day as 24 hours).
 */
static inline bool
interval_within(Datum value, Datum bound)
{
	return DatumGetInt32(DirectFunctionCall2(interval_cmp, value, bound)) <= 0;
}

/*
 * tally_within_interval(slo.tally, interval, interval) returns slo.tally
 */
PG_FUNCTION_INFO_V1(tally_within_interval);
Datum
tally_within_interval(PG_FUNCTION_ARGS)
{
	SloTally   *state = tally_for_update(fcinfo);

	tally_step(state, interval_within(PG_GETARG_DATUM(1), PG_GETARG_DATUM(2)), 1);
	PG_RETURN_SLO_TALLY_P(state);
}

/*
 * tally_within_interval_inv(slo.tally, interval, interval) returns slo.tally
 */
PG_FUNCTION_INFO_V1(tally_within_interval_inv);
Datum
tally_within_interval_inv(PG_FUNCTION_ARGS)
{
	SloTally   *state = tally_for_update(fcinfo);

	tally_step(state, interval_within(PG_GETARG_DATUM(1), PG_GETARG_DATUM(2)), -1);
	PG_RETURN_SLO_TALLY_P(state);
}

/* ----------
 * p_within(ok boolean)
 * ----------
 */

/*
 * tally_bool(slo.tally, boolean) returns slo.tally
 */
PG_FUNCTION_INFO_V1(tally_bool);
Datum
tally_bool(PG_FUNCTION_ARGS)
{
	SloTally   *state = tally_for_update(fcinfo);

	tally_step(state, PG_GETARG_BOOL(1), 1);
	PG_RETURN_SLO_TALLY_P(state);
}

/*
 * tally_bool_inv(slo.tally, boolean) returns slo.tally
 */
PG_FUNCTION_INFO_V1(tally_bool_inv);
Datum
tally_bool_inv(PG_FUNCTION_ARGS)
{
	SloTally   *state = tally_for_update(fcinfo);

	tally_step(state, PG_GETARG_BOOL(1), -1);
	PG_RETURN_SLO_TALLY_P(state);
}

/* ----------
 * burn_rate(ok boolean, target float8), budget_remaining(ok boolean, target float8)
 * ----------
 */

/*
 * tally_bool_target(slo.tally, boolean, float8) returns slo.tally
 */
PG_FUNCTION_INFO_V1(tally_bool_target);
Datum
tally_bool_target(PG_FUNCTION_ARGS)
{
	SloTally   *state = tally_for_update(fcinfo);

	tally_set_target(state, PG_GETARG_FLOAT8(2));
	tally_step(state, PG_GETARG_BOOL(1), 1);
	PG_RETURN_SLO_TALLY_P(state);
}

/*
 * tally_bool_target_inv(slo.tally, boolean, float8) returns slo.tally
 */
PG_FUNCTION_INFO_V1(tally_bool_target_inv);
Datum
tally_bool_target_inv(PG_FUNCTION_ARGS)
{
	SloTally   *state = tally_for_update(fcinfo);

	tally_set_target(state, PG_GETARG_FLOAT8(2));
	tally_step(state, PG_GETARG_BOOL(1), -1);
	PG_RETURN_SLO_TALLY_P(state);
}

/* ----------
 * burn_rate(good bigint, valid bigint, target float8),
 * budget_remaining(good bigint, valid bigint, target float8)
 * ----------
 */

/*
 * tally_counts(slo.tally, bigint, bigint, float8) returns slo.tally
 */
PG_FUNCTION_INFO_V1(tally_counts);
Datum
tally_counts(PG_FUNCTION_ARGS)
{
	SloTally   *state = tally_for_update(fcinfo);
	int64		good = PG_GETARG_INT64(1);
	int64		valid = PG_GETARG_INT64(2);

	check_counts(good, valid);
	tally_set_target(state, PG_GETARG_FLOAT8(3));
	tally_add_counts(state, good, valid);
	PG_RETURN_SLO_TALLY_P(state);
}

/*
 * tally_counts_inv(slo.tally, bigint, bigint, float8) returns slo.tally
 */
PG_FUNCTION_INFO_V1(tally_counts_inv);
Datum
tally_counts_inv(PG_FUNCTION_ARGS)
{
	SloTally   *state = tally_for_update(fcinfo);
	int64		good = PG_GETARG_INT64(1);
	int64		valid = PG_GETARG_INT64(2);

	check_counts(good, valid);
	tally_set_target(state, PG_GETARG_FLOAT8(3));
	tally_subtract_counts(state, good, valid);
	PG_RETURN_SLO_TALLY_P(state);
}

/* ----------
 * Combine
 * ----------
 */

/*
 * tally_combine(slo.tally, slo.tally) returns slo.tally
 *
 * Not STRICT.  When the first state is NULL the second is returned as it is:
 * the executor sees a new pointer and copies the value into the aggregate
 * memory context itself (ExecAggTransReparent), so nothing here needs to.
 * When both are present the first is updated in place inside an aggregate,
 * or copied when called directly.
 */
PG_FUNCTION_INFO_V1(tally_combine);
Datum
tally_combine(PG_FUNCTION_ARGS)
{
	SloTally   *state;
	SloTally   *other;

	if (PG_ARGISNULL(0))
	{
		if (PG_ARGISNULL(1))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(1));
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));

	state = tally_for_update(fcinfo);
	other = PG_GETARG_SLO_TALLY_P(1);
	Assert(slo_tally_invalid_reason(other) == NULL);

	if ((other->flags & SLO_TALLY_HAS_TARGET) != 0)
		tally_set_target(state, other->target);
	tally_add_counts(state, other->good, other->valid);
	PG_RETURN_SLO_TALLY_P(state);
}

/* ----------
 * Final functions and accessors; none modifies its argument.
 * ----------
 */

static void
tally_require_target(const SloTally *tally)
{
	if ((tally->flags & SLO_TALLY_HAS_TARGET) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tally has no target"),
				 errdetail("A burn rate or an error budget needs the objective's target."),
				 errhint("Build the tally with burn_rate or budget_remaining, which record the target.")));
}

/*
 * tally_sli(slo.tally) returns float8: good / valid, NULL without events.
 */
PG_FUNCTION_INFO_V1(tally_sli);
Datum
tally_sli(PG_FUNCTION_ARGS)
{
	SloTally   *tally = PG_GETARG_SLO_TALLY_P(0);

	if (tally->valid == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(slo_sli(tally->good, tally->valid));
}

/*
 * tally_burn_rate(slo.tally) returns float8: NULL without events.
 */
PG_FUNCTION_INFO_V1(tally_burn_rate);
Datum
tally_burn_rate(PG_FUNCTION_ARGS)
{
	SloTally   *tally = PG_GETARG_SLO_TALLY_P(0);

	if (tally->valid == 0)
		PG_RETURN_NULL();
	tally_require_target(tally);
	PG_RETURN_FLOAT8(slo_burn_rate(tally->good, tally->valid, tally->target));
}

/*
 * tally_budget_remaining(slo.tally) returns float8: NULL without events.
 */
PG_FUNCTION_INFO_V1(tally_budget_remaining);
Datum
tally_budget_remaining(PG_FUNCTION_ARGS)
{
	SloTally   *tally = PG_GETARG_SLO_TALLY_P(0);

	if (tally->valid == 0)
		PG_RETURN_NULL();
	tally_require_target(tally);
	PG_RETURN_FLOAT8(slo_budget_remaining(tally->good, tally->valid, tally->target));
}

/* ----------
 * Scalar forms over counts already known.
 * ----------
 */

/*
 * burn_rate_of(good bigint, valid bigint, target float8) returns float8
 */
PG_FUNCTION_INFO_V1(burn_rate_of);
Datum
burn_rate_of(PG_FUNCTION_ARGS)
{
	int64		good = PG_GETARG_INT64(0);
	int64		valid = PG_GETARG_INT64(1);
	float8		target = PG_GETARG_FLOAT8(2);

	check_counts(good, valid);
	slo_check_target(target);
	if (valid == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(slo_burn_rate(good, valid, target));
}

/*
 * budget_remaining_of(good bigint, valid bigint, target float8) returns float8
 */
PG_FUNCTION_INFO_V1(budget_remaining_of);
Datum
budget_remaining_of(PG_FUNCTION_ARGS)
{
	int64		good = PG_GETARG_INT64(0);
	int64		valid = PG_GETARG_INT64(1);
	float8		target = PG_GETARG_FLOAT8(2);

	check_counts(good, valid);
	slo_check_target(target);
	if (valid == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(slo_budget_remaining(good, valid, target));
}
