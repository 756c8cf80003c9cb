/*-------------------------------------------------------------------------
 *
 * sketch_aggs.c
 *	  The aggregates that build and merge slo.sketch values, and the
 *	  accessors that read percentiles, ranks and summaries out of them.
 *
 * The aggregates' state is slo.sketch itself, not internal, so partial
 * aggregation can be shipped between processes and machines.  The
 * transition functions are not STRICT: the state starts NULL (the alpha is
 * known only from the first row) and NULL or NaN values are skipped.  Inside
 * an aggregate the state is updated in place; when a store must grow, a
 * larger copy is returned and the executor moves it into the aggregate
 * memory context (and frees the old one), which happens O(log range) times.
 *
 * src/sketch_aggs.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "slo.h"
#include "sketch.h"

/*
 * Add one value to the state of sketch(value[, alpha]).
 */
static Datum
sketch_accumulate(FunctionCallInfo fcinfo, float8 alpha)
{
	SloSketch  *state;
	float8		value;

	/* checked until a state exists; after that, the state's alpha was */
	if (PG_ARGISNULL(0))
		slo_check_alpha(alpha);
	/* NULL, and NaN (no place in an ordering of latencies), are skipped */
	if (PG_ARGISNULL(1) || isnan(PG_GETARG_FLOAT8(1)))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	value = PG_GETARG_FLOAT8(1);

	if (PG_ARGISNULL(0))
		state = slo_sketch_new(alpha, 0, 0);
	else
	{
		state = PG_GETARG_SLO_SKETCH_P(0);
		if (state->alpha != alpha)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("alpha changed from %s to %s within one aggregate",
							slo_float8_to_cstring(state->alpha),
							slo_float8_to_cstring(alpha))));
	}

	/* a freshly made state is ours */
	state = slo_sketch_add(state, value, PG_ARGISNULL(0) || slo_state_is_ours(fcinfo, PG_GETARG_DATUM(0), state));
	PG_RETURN_POINTER(state);
}

/*
 * sketch_add(slo.sketch, float8) returns slo.sketch
 */
PG_FUNCTION_INFO_V1(sketch_add);
Datum
sketch_add(PG_FUNCTION_ARGS)
{
	return sketch_accumulate(fcinfo, SLO_SKETCH_DEFAULT_ALPHA);
}

/*
 * sketch_add_alpha(slo.sketch, float8, float8) returns slo.sketch
 */
PG_FUNCTION_INFO_V1(sketch_add_alpha);
Datum
sketch_add_alpha(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("alpha must not be null")));
	return sketch_accumulate(fcinfo, PG_GETARG_FLOAT8(2));
}

/*
 * sketch_combine(slo.sketch, slo.sketch) returns slo.sketch
 *
 * The transition function of merge(sketch) and the combine function of
 * every sketch aggregate.  Not STRICT.  When the state is NULL, a plain
 * (4-byte header, aligned) copy of the other becomes the state.
 */
PG_FUNCTION_INFO_V1(sketch_combine);
Datum
sketch_combine(PG_FUNCTION_ARGS)
{
	SloSketch  *state;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(1)));

	state = PG_GETARG_SLO_SKETCH_P(0);
	state = slo_sketch_merge(state, PG_GETARG_SLO_SKETCH_P(1), slo_state_is_ours(fcinfo, PG_GETARG_DATUM(0), state));
	PG_RETURN_POINTER(state);
}

/* ----------
 * Accessors.  Each returns NULL for an empty sketch.
 * ----------
 */

static void
check_quantile(float8 q)
{
	if (!(q >= 0.0 && q <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("percentile %s is out of range", slo_float8_to_cstring(q)),
				 errdetail("A percentile is a fraction between 0 and 1."),
				 (q > 1.0 && q <= 100.0) ?
				 errhint("Write p95 as 0.95.") : 0));
}

/*
 * percentile(slo.sketch, float8) returns float8
 */
PG_FUNCTION_INFO_V1(sketch_percentile);
Datum
sketch_percentile(PG_FUNCTION_ARGS)
{
	SloSketch  *s = PG_GETARG_SLO_SKETCH_P(0);
	float8		q = PG_GETARG_FLOAT8(1);

	check_quantile(q);
	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(slo_sketch_quantile(s, q));
}

/*
 * percentiles(slo.sketch, float8[]) returns float8[]
 *
 * One answer per fraction, in the order given; a NULL fraction gives NULL.
 */
PG_FUNCTION_INFO_V1(sketch_percentiles);
Datum
sketch_percentiles(PG_FUNCTION_ARGS)
{
	SloSketch  *s = PG_GETARG_SLO_SKETCH_P(0);
	ArrayType  *qs = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				nq = 0,
				i,
				j;
	float8	   *fractions;
	float8	   *out;
	int			dims[1];
	int			lbs[1] = {1};

	if (ARR_NDIM(qs) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("percentiles must be a one-dimensional array")));
	deconstruct_array(qs, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &n);
	fractions = palloc(Max(n, 1) * sizeof(float8));
	out = palloc(Max(n, 1) * sizeof(float8));
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			continue;
		check_quantile(DatumGetFloat8(elems[i]));
		fractions[nq++] = DatumGetFloat8(elems[i]);
	}
	if (s->count == 0)
		PG_RETURN_NULL();
	/* one pass over the bins for every fraction asked */
	slo_sketch_quantiles(s, nq, fractions, out);
	for (i = 0, j = 0; i < n; i++)
		if (!nulls[i])
			elems[i] = Float8GetDatum(out[j++]);
	dims[0] = n;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, nulls, n > 0 ? 1 : 0, dims, lbs,
											 FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
											 TYPALIGN_DOUBLE));
}

/*
 * p_within(slo.sketch, float8) returns float8: the share of values <= bound.
 */
PG_FUNCTION_INFO_V1(sketch_p_within);
Datum
sketch_p_within(PG_FUNCTION_ARGS)
{
	SloSketch  *s = PG_GETARG_SLO_SKETCH_P(0);
	float8		bound = PG_GETARG_FLOAT8(1);

	if (isnan(bound))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bound NaN is out of range")));
	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(slo_sketch_rank(s, bound));
}

/*
 * sketch_count(slo.sketch) returns bigint (0 for an empty sketch)
 */
PG_FUNCTION_INFO_V1(sketch_count);
Datum
sketch_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_SLO_SKETCH_P(0)->count);
}

/*
 * sketch_min(slo.sketch) returns float8
 */
PG_FUNCTION_INFO_V1(sketch_min);
Datum
sketch_min(PG_FUNCTION_ARGS)
{
	SloSketch  *s = PG_GETARG_SLO_SKETCH_P(0);

	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->min);
}

/*
 * sketch_max(slo.sketch) returns float8
 */
PG_FUNCTION_INFO_V1(sketch_max);
Datum
sketch_max(PG_FUNCTION_ARGS)
{
	SloSketch  *s = PG_GETARG_SLO_SKETCH_P(0);

	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->max);
}

/*
 * sketch_mean(slo.sketch) returns float8
 */
PG_FUNCTION_INFO_V1(sketch_mean);
Datum
sketch_mean(PG_FUNCTION_ARGS)
{
	SloSketch  *s = PG_GETARG_SLO_SKETCH_P(0);

	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->sum / (float8) s->count);
}

/*
 * sketch_alpha(slo.sketch) returns float8
 */
PG_FUNCTION_INFO_V1(sketch_alpha);
Datum
sketch_alpha(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(PG_GETARG_SLO_SKETCH_P(0)->alpha);
}
