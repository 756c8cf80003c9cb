/*-------------------------------------------------------------------------
 *
 * sketch.c
 *	  The slo.sketch type: building, merging and reading quantile sketches,
 *	  and their text and binary input/output.
 *
 * Text form (trimmed, so equal sketches print alike):
 *
 *   alpha=0.01 count=6 zero=1 min=0 max=250 sum=431 pos=210:2,0,1 neg=3:1
 *
 * pos and neg give the index of the first bin, a colon and the bins' counts
 * (empty after "pos=" when there are none).  Binary form: uint8 version,
 * uint8 flags, float8 alpha, int64 count, int64 zero, float8 min, max, sum,
 * then for pos and for neg an int32 bin count, an int32 offset and the
 * counts as int64.  Every value arriving from outside is checked against
 * every invariant (slo_sketch_invalid_reason) before it is returned; sizes
 * are checked before anything is allocated.
 *
 * src/sketch.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>

#include "common/int.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "slo.h"
#include "sketch.h"

/* 1 / log(gamma) for the last alpha seen: one log() per value, not two. */
static float8 cached_alpha = 0.0;
static float8 cached_inv_log_gamma = 0.0;
static float8 cached_log_gamma = 0.0;

static inline void
set_gamma(float8 alpha)
{
	if (alpha != cached_alpha)
	{
		cached_log_gamma = log((1.0 + alpha) / (1.0 - alpha));
		cached_inv_log_gamma = 1.0 / cached_log_gamma;
		cached_alpha = alpha;
	}
}

/*
 * Report an alpha outside [SLO_SKETCH_MIN_ALPHA, SLO_SKETCH_MAX_ALPHA].
 */
void
slo_check_alpha(float8 alpha)
{
	if (!(alpha >= SLO_SKETCH_MIN_ALPHA && alpha <= SLO_SKETCH_MAX_ALPHA))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("alpha %s is out of range", slo_float8_to_cstring(alpha)),
				 errdetail("The relative accuracy of a sketch must be between %s and %s.",
						   slo_float8_to_cstring(SLO_SKETCH_MIN_ALPHA),
						   slo_float8_to_cstring(SLO_SKETCH_MAX_ALPHA))));
}

Size
slo_sketch_size(int32 npos, int32 nneg)
{
	Assert(npos >= 0 && nneg >= 0 && npos + nneg <= SLO_SKETCH_MAX_BINS);
	return SLO_SKETCH_HEADER_SIZE + ((Size) npos + (Size) nneg) * sizeof(int64);
}

/*
 * A new empty sketch with room for npos and nneg bins, in the current
 * memory context.
 */
SloSketch *
slo_sketch_new(float8 alpha, int32 npos, int32 nneg)
{
	Size		size = slo_sketch_size(npos, nneg);
	SloSketch  *s = palloc0(size);

	SET_VARSIZE(s, size);
	s->version = SLO_SKETCH_VERSION;
	s->alpha = alpha;
	s->npos = npos;
	s->nneg = nneg;
	return s;
}

/*
 * The bin of a finite x > 0.
 */
int32
slo_sketch_index(float8 alpha, float8 x)
{
	Assert(x > 0 && isfinite(x));
	set_gamma(alpha);
	return (int32) ceil(log(x) * cached_inv_log_gamma);
}

/*
 * The value that represents bin "index": 2 gamma^i / (gamma + 1).
 */
float8
slo_sketch_bin_value(float8 alpha, int32 index)
{
	set_gamma(alpha);
	return exp(index * cached_log_gamma) * (1.0 - alpha);
}

/*
 * NULL if the sketch, "size" bytes long, satisfies every invariant; else a
 * sentence saying which it breaks.
 */
const char *
slo_sketch_invalid_reason(const SloSketch *s, Size size)
{
	int64		total;
	int32		i;

	if (size < SLO_SKETCH_HEADER_SIZE)
		return "The value is shorter than a sketch header.";
	if (s->version != SLO_SKETCH_VERSION)
		return psprintf("Version %d is not supported; this build reads version %d.",
						s->version, SLO_SKETCH_VERSION);
	if (s->flags != 0 || s->reserved != 0)
		return "Unknown flags are set.";
	if (!(s->alpha >= SLO_SKETCH_MIN_ALPHA && s->alpha <= SLO_SKETCH_MAX_ALPHA))
		return psprintf("Alpha %s is out of range.", slo_float8_to_cstring(s->alpha));
	if (s->npos < 0 || s->nneg < 0 || s->npos > SLO_SKETCH_MAX_BINS ||
		s->nneg > SLO_SKETCH_MAX_BINS - s->npos)
		return "The number of bins is out of range.";
	if (size != slo_sketch_size(s->npos, s->nneg))
		return "The length does not match the number of bins.";
	if (s->pos_offset < -SLO_SKETCH_MAX_INDEX || s->pos_offset > SLO_SKETCH_MAX_INDEX - s->npos ||
		s->neg_offset < -SLO_SKETCH_MAX_INDEX || s->neg_offset > SLO_SKETCH_MAX_INDEX - s->nneg)
		return "A bin index is out of range.";
	if (s->count < 0 || s->zero_count < 0 || s->zero_count > s->count)
		return "The counts are out of range.";
	/* the sum may overflow to an infinity, or NaN once both signs have */
	if (isnan(s->min) || isnan(s->max) || isinf(s->min) || isinf(s->max))
		return "Min and max must be finite numbers.";
	if (s->count > 0 && s->min > s->max)
		return "Min exceeds max.";
	if (s->count == 1 && s->min != s->max)
		return "A sketch of one value has min equal to max.";
	if (s->count == 0 && (s->min != 0 || s->max != 0 || s->sum != 0))
		return "An empty sketch has min, max and sum 0.";

	total = s->zero_count;
	for (i = 0; i < s->npos + s->nneg; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (s->bins[i] < 0)
			return "A bin count is negative.";
		if (pg_add_s64_overflow(total, s->bins[i], &total))
			return "The bin counts overflow.";
	}
	if (total != s->count)
		return "The bin counts do not add up to the count.";
	if (s->count > 0)
	{
		/* min and max must agree with the stores they fall in */
		bool		has_neg = false,
					has_pos = false;

		for (i = 0; i < s->nneg; i++)
			has_neg |= SLO_SKETCH_NEG(s)[i] > 0;
		for (i = 0; i < s->npos; i++)
			has_pos |= SLO_SKETCH_POS(s)[i] > 0;
		if ((s->min < 0) != has_neg || (s->max > 0) != has_pos ||
			((s->min > 0 || s->max < 0) && s->zero_count > 0))
			return "Min and max do not agree with the bins.";
	}
	return NULL;
}

/* First and last non-empty bin of a store; false when it is empty. */
static bool
store_range(const int64 *bins, int32 n, int32 offset, int32 *lo, int32 *hi)
{
	int32		first = 0,
				last = n - 1;

	while (first < n && bins[first] == 0)
		first++;
	if (first == n)
		return false;
	while (bins[last] == 0)
		last--;
	*lo = offset + first;
	*hi = offset + last;
	return true;
}

/*
 * A copy of the sketch covering [plo, phi] and [nlo, nhi] (or keeping a
 * store empty when its lo > hi), with the counts moved to their places.
 */
static SloSketch *
sketch_resize(const SloSketch *s, int32 plo, int32 phi, int32 nlo, int32 nhi)
{
	int32		npos = plo <= phi ? phi - plo + 1 : 0;
	int32		nneg = nlo <= nhi ? nhi - nlo + 1 : 0;
	SloSketch  *r;
	int32		i;

	if ((int64) npos + nneg > SLO_SKETCH_MAX_BINS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sketch would need more than %d bins", SLO_SKETCH_MAX_BINS),
				 errdetail("The values span too many orders of magnitude for alpha %s.",
						   slo_float8_to_cstring(s->alpha)),
				 errhint("Use a larger alpha.")));

	r = slo_sketch_new(s->alpha, npos, nneg);
	r->pos_offset = npos ? plo : 0;
	r->neg_offset = nneg ? nlo : 0;
	r->count = s->count;
	r->zero_count = s->zero_count;
	r->min = s->min;
	r->max = s->max;
	r->sum = s->sum;
	CHECK_FOR_INTERRUPTS();
	for (i = 0; i < s->npos; i++)
		if (SLO_SKETCH_POS(s)[i] != 0)
			SLO_SKETCH_POS(r)[s->pos_offset + i - r->pos_offset] = SLO_SKETCH_POS(s)[i];
	for (i = 0; i < s->nneg; i++)
		if (SLO_SKETCH_NEG(s)[i] != 0)
			SLO_SKETCH_NEG(r)[s->neg_offset + i - r->neg_offset] = SLO_SKETCH_NEG(s)[i];
	return r;
}

/*
 * The sketch with empty bins cut off both ends of both stores: the form
 * that leaves the server.
 */
SloSketch *
slo_sketch_trim(const SloSketch *s)
{
	int32		plo = 0,
				phi = -1,
				nlo = 0,
				nhi = -1;

	if (!store_range(SLO_SKETCH_POS(s), s->npos, s->pos_offset, &plo, &phi))
		plo = 0, phi = -1;
	if (!store_range(SLO_SKETCH_NEG(s), s->nneg, s->neg_offset, &nlo, &nhi))
		nlo = 0, nhi = -1;
	return sketch_resize(s, plo, phi, nlo, nhi);
}

/* Room to grow: a quarter of the span, at least 16 bins, within limits. */
static void
widen(int32 *lo, int32 *hi, bool grew_low, bool grew_high)
{
	int64		slack = Max(16, ((int64) *hi - *lo + 1) / 4);

	if (grew_low)
		*lo = (int32) Max((int64) -SLO_SKETCH_MAX_INDEX, (int64) *lo - slack);
	if (grew_high)
		*hi = (int32) Min((int64) SLO_SKETCH_MAX_INDEX - 1, (int64) *hi + slack);
}

/*
 * Make sure store "negative" of s covers [lo, hi]; returns s itself when it
 * already does, else a larger copy.
 */
static SloSketch *
sketch_cover(SloSketch *s, bool negative, int32 lo, int32 hi)
{
	int32		n = negative ? s->nneg : s->npos;
	int32		off = negative ? s->neg_offset : s->pos_offset;
	int32		newlo,
				newhi;
	bool		grew_low,
				grew_high;

	if (n > 0 && lo >= off && hi <= off + n - 1)
		return s;
	grew_low = n == 0 || lo < off;
	grew_high = n == 0 || hi > off + n - 1;
	newlo = n > 0 ? Min(lo, off) : lo;
	newhi = n > 0 ? Max(hi, off + n - 1) : hi;
	widen(&newlo, &newhi, grew_low, grew_high);
	if ((int64) newhi - newlo + 1 + (negative ? s->npos : s->nneg) > SLO_SKETCH_MAX_BINS)
	{
		/*
		 * Not that much room to grow: cover the non-empty bins and [lo, hi],
		 * drop the other store's empty ends too, so that only what the data
		 * needs counts against the limit, and keep what room is left (up to
		 * the usual slack) on the side that grew.  Covering exactly would
		 * copy the whole sketch again for every value that extends it by a
		 * bin.
		 */
		SloSketch  *t = slo_sketch_trim(s);
		int32		tn = negative ? t->nneg : t->npos;
		int32		toff = negative ? t->neg_offset : t->pos_offset;
		int64		room;
		int32		slack_lo,
					slack_hi;

		newlo = tn > 0 ? Min(lo, toff) : lo;
		newhi = tn > 0 ? Max(hi, toff + tn - 1) : hi;
		s = t;
		room = (int64) SLO_SKETCH_MAX_BINS - (negative ? s->npos : s->nneg) - ((int64) newhi - newlo + 1);
		if (room > 0)
		{
			slack_lo = newlo;
			slack_hi = newhi;
			widen(&slack_lo, &slack_hi, grew_low, grew_high);
			if (grew_low)
				newlo = (int32) Max((int64) slack_lo, (int64) newlo - (grew_high ? room / 2 : room));
			if (grew_high)
				newhi = (int32) Min((int64) slack_hi, (int64) newhi + (grew_low ? room / 2 : room));
		}
	}
	if (negative)
		return sketch_resize(s, s->pos_offset, s->pos_offset + s->npos - 1, newlo, newhi);
	return sketch_resize(s, newlo, newhi, s->neg_offset, s->neg_offset + s->nneg - 1);
}

static void
count_overflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("sketch count out of range")));
}

/*
 * Add one value.  With in_place the sketch may be updated where it lies
 * (the caller owns it); the result is s itself or a larger copy.  NaN must
 * be filtered out by the caller; infinities are rejected here.
 */
SloSketch *
slo_sketch_add(SloSketch *s, float8 value, bool in_place)
{
	int32		index;
	bool		negative = value < 0;

	Assert(!isnan(value));
	if (isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sketch cannot hold %s", slo_float8_to_cstring(value)),
				 errdetail("No finite value is within a relative error of an infinity."),
				 errhint("Filter out infinite values, or cap them with least().")));

	if (!in_place)
		s = (SloSketch *) pg_detoast_datum_copy((struct varlena *) s);

	if (value != 0)
	{
		index = slo_sketch_index(s->alpha, negative ? -value : value);
		s = sketch_cover(s, negative, index, index);
		if (negative)
			SLO_SKETCH_NEG(s)[index - s->neg_offset]++;
		else
			SLO_SKETCH_POS(s)[index - s->pos_offset]++;
	}
	else
		s->zero_count++;

	if (s->count == 0)
		s->min = s->max = value;
	else
	{
		if (value < s->min)
			s->min = value;
		if (value > s->max)
			s->max = value;
	}
	if (pg_add_s64_overflow(s->count, 1, &s->count))
		count_overflow();
	s->sum += value;
	return s;
}

/*
 * Add every value of "from" to "into" (same alpha).  With in_place "into"
 * may be updated where it lies; the result is into itself or a larger copy.
 */
SloSketch *
slo_sketch_merge(SloSketch *into, const SloSketch *from, bool in_place)
{
	int32		lo,
				hi,
				i;

	if (into->alpha != from->alpha)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge sketches of alpha %s and %s",
						slo_float8_to_cstring(into->alpha),
						slo_float8_to_cstring(from->alpha)),
				 errdetail("Sketches of different relative accuracy have different bins."),
				 errhint("Build every sketch you merge with the same alpha (the default is 0.01).")));

	if (!in_place)
		into = (SloSketch *) pg_detoast_datum_copy((struct varlena *) into);
	if (from->count == 0)
		return into;

	if (store_range(SLO_SKETCH_POS(from), from->npos, from->pos_offset, &lo, &hi))
	{
		into = sketch_cover(into, false, lo, hi);
		CHECK_FOR_INTERRUPTS();
		/* only [lo, hi] is covered: from may have empty bins beyond it */
		for (i = lo - from->pos_offset; i <= hi - from->pos_offset; i++)
			SLO_SKETCH_POS(into)[from->pos_offset + i - into->pos_offset] += SLO_SKETCH_POS(from)[i];
	}
	if (store_range(SLO_SKETCH_NEG(from), from->nneg, from->neg_offset, &lo, &hi))
	{
		into = sketch_cover(into, true, lo, hi);
		CHECK_FOR_INTERRUPTS();
		for (i = lo - from->neg_offset; i <= hi - from->neg_offset; i++)
			SLO_SKETCH_NEG(into)[from->neg_offset + i - into->neg_offset] += SLO_SKETCH_NEG(from)[i];
	}

	if (into->count == 0)
	{
		into->min = from->min;
		into->max = from->max;
	}
	else
	{
		into->min = Min(into->min, from->min);
		into->max = Max(into->max, from->max);
	}
	if (pg_add_s64_overflow(into->count, from->count, &into->count) ||
		pg_add_s64_overflow(into->zero_count, from->zero_count, &into->zero_count))
		count_overflow();
	into->sum += from->sum;
	return into;
}

/* Bins in ascending order of value: negatives (highest index first), zero, positives. */
typedef struct BinCursor
{
	const SloSketch *s;
	int			phase;			/* 0 negative store, 1 zero, 2 positive store, 3 done */
	int32		i;				/* position in the current store */
	int64		seen;			/* values in the bins passed so far */
	float8		value;			/* representative of the last bin passed */
} BinCursor;

static void
cursor_init(BinCursor *c, const SloSketch *s)
{
	c->s = s;
	c->phase = 0;
	c->i = s->nneg - 1;
	c->seen = 0;
	c->value = s->max;
}

/* Pass bins until at least k values lie in the bins passed. */
static void
cursor_advance_to(BinCursor *c, int64 k)
{
	const SloSketch *s = c->s;

	while (c->seen < k && c->phase < 3)
	{
		CHECK_FOR_INTERRUPTS();
		if (c->phase == 0)
		{
			if (c->i < 0)
			{
				c->phase = 1;
				continue;
			}
			c->seen += SLO_SKETCH_NEG(s)[c->i];
			c->value = -slo_sketch_bin_value(s->alpha, s->neg_offset + c->i);
			c->i--;
		}
		else if (c->phase == 1)
		{
			c->seen += s->zero_count;
			c->value = 0.0;
			c->phase = 2;
			c->i = 0;
		}
		else
		{
			if (c->i >= s->npos)
			{
				c->phase = 3;
				break;
			}
			c->seen += SLO_SKETCH_POS(s)[c->i];
			c->value = slo_sketch_bin_value(s->alpha, s->pos_offset + c->i);
			c->i++;
		}
	}
}

static int
compare_quantile_order(const void *a, const void *b, void *arg)
{
	const float8 *qs = (const float8 *) arg;
	float8		qa = qs[*(const int *) a];
	float8		qb = qs[*(const int *) b];

	return (qa > qb) - (qa < qb);
}

/*
 * The values at quantiles qs[0..n-1], each in [0, 1], into out[0..n-1], in
 * one pass over the bins (the quantiles are visited in ascending order).
 * percentile_disc's rank: the ceil(q * count)-th smallest value (the first
 * for q = 0).  The sketch must not be empty.  Each answer is the
 * representative of the bin that holds that value, clamped to [min, max], so
 * within relative error alpha of it; the extremes are exact.
 */
void
slo_sketch_quantiles(const SloSketch *s, int n, const float8 *qs, float8 *out)
{
	int		   *order = palloc(Max(n, 1) * sizeof(int));
	BinCursor	cursor;
	int			j;

	Assert(s->count > 0);
	for (j = 0; j < n; j++)
		order[j] = j;
	qsort_arg(order, n, sizeof(int), compare_quantile_order, unconstify(float8 *, qs));

	cursor_init(&cursor, s);
	for (j = 0; j < n; j++)
	{
		float8		rank = ceil(qs[order[j]] * (float8) s->count);

		/* (float8) PG_INT64_MAX is 2^63: a rank that does not fit in an int64 */
		if (rank <= 1)
			out[order[j]] = s->min;
		else if (rank >= (float8) PG_INT64_MAX || (int64) rank >= s->count)
			out[order[j]] = s->max;
		else
		{
			cursor_advance_to(&cursor, (int64) rank);
			out[order[j]] = Min(Max(cursor.value, s->min), s->max);
		}
	}
	pfree(order);
}

/*
 * The value at one quantile q in [0, 1]; see slo_sketch_quantiles.
 */
float8
slo_sketch_quantile(const SloSketch *s, float8 q)
{
	float8		v;

	slo_sketch_quantiles(s, 1, &q, &v);
	return v;
}

/*
 * The share of values <= bound, counting each bin by its representative
 * value (exact at and beyond min and max).  The sketch must not be empty.
 */
float8
slo_sketch_rank(const SloSketch *s, float8 bound)
{
	int64		within = 0;
	int32		i;

	Assert(s->count > 0);
	if (bound >= s->max)
		return 1.0;
	if (bound < s->min)
		return 0.0;
	CHECK_FOR_INTERRUPTS();
	for (i = 0; i < s->nneg; i++)
		if (-slo_sketch_bin_value(s->alpha, s->neg_offset + i) <= bound)
			within += SLO_SKETCH_NEG(s)[i];
	if (bound >= 0)
		within += s->zero_count;
	for (i = 0; i < s->npos; i++)
		if (slo_sketch_bin_value(s->alpha, s->pos_offset + i) <= bound)
			within += SLO_SKETCH_POS(s)[i];
	return (float8) within / (float8) s->count;
}

/* ----------
 * Text input and output
 * ----------
 */

static void
sketch_syntax_error(const char *input, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", "slo.sketch", input),
			 errdetail_internal("%s", detail)));
}

static void
expect_key(const char **p, const char *key, const char *input)
{
	size_t		len = strlen(key);

	/* keys after the first follow white space (a number may have eaten it) */
	if (strcmp(key, "alpha") != 0 && !isspace((unsigned char) **p) &&
		!isspace((unsigned char) (*p)[-1]))
		sketch_syntax_error(input, psprintf("Expected white space before \"%s=\".", key));
	while (isspace((unsigned char) **p))
		(*p)++;
	if (strncmp(*p, key, len) != 0 || (*p)[len] != '=')
		sketch_syntax_error(input, psprintf("Expected \"%s=\".", key));
	*p += len + 1;
}

static int64
parse_int64(const char **p, const char *input, const char *what)
{
	char	   *end;
	long long	v;

	if (!(isdigit((unsigned char) **p) || (**p == '-' && isdigit((unsigned char) (*p)[1]))))
		sketch_syntax_error(input, psprintf("Expected an integer for %s.", what));
	errno = 0;
	v = strtoll(*p, &end, 10);
	if (errno != 0)
		sketch_syntax_error(input, psprintf("The %s is out of range.", what));
	*p = end;
	return (int64) v;
}

static float8
parse_float8(const char **p, const char *input, const char *what)
{
	char	   *end;
	bool		bad = false;
	float8		v;

	v = float8in_internal_opt_error(unconstify(char *, *p), &end, "double precision",
									input, &bad);
	if (bad || end == *p)
		sketch_syntax_error(input, psprintf("Expected a number for %s.", what));
	*p = end;
	return v;
}

/*
 * Parse "<offset>:<c>,<c>,..." (or nothing) into a palloc'd array.
 */
static int64 *
parse_store(const char **p, const char *input, const char *what, int32 *n, int32 *offset)
{
	int64	   *bins;
	int32		cap = 16;
	int64		off;

	*n = 0;
	*offset = 0;
	if (**p == '\0' || isspace((unsigned char) **p))
		return NULL;
	off = parse_int64(p, input, what);
	if (off < -SLO_SKETCH_MAX_INDEX || off > SLO_SKETCH_MAX_INDEX)
		sketch_syntax_error(input, psprintf("The %s offset is out of range.", what));
	*offset = (int32) off;
	if (**p != ':')
		sketch_syntax_error(input, psprintf("Expected \":\" after the %s offset.", what));
	(*p)++;
	bins = palloc(cap * sizeof(int64));
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (*n >= SLO_SKETCH_MAX_BINS)
			sketch_syntax_error(input, "Too many bins.");
		if (*n == cap)
		{
			cap *= 2;
			bins = repalloc(bins, cap * sizeof(int64));
		}
		bins[(*n)++] = parse_int64(p, input, what);
		if (**p != ',')
			break;
		(*p)++;
	}
	return bins;
}

/*
 * sketch_in(cstring) returns slo.sketch
 */
PG_FUNCTION_INFO_V1(sketch_in);
Datum
sketch_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	const char *p = input;
	SloSketch	head;
	SloSketch  *s;
	int64	   *pos,
			   *neg;
	int32		npos,
				nneg,
				pos_offset,
				neg_offset;
	const char *reason;

	memset(&head, 0, sizeof(head));
	expect_key(&p, "alpha", input);
	head.alpha = parse_float8(&p, input, "alpha");
	if (!(head.alpha >= SLO_SKETCH_MIN_ALPHA && head.alpha <= SLO_SKETCH_MAX_ALPHA))
		sketch_syntax_error(input, psprintf("Alpha %s is out of range.",
											slo_float8_to_cstring(head.alpha)));
	expect_key(&p, "count", input);
	head.count = parse_int64(&p, input, "count");
	expect_key(&p, "zero", input);
	head.zero_count = parse_int64(&p, input, "zero count");
	expect_key(&p, "min", input);
	head.min = parse_float8(&p, input, "min");
	expect_key(&p, "max", input);
	head.max = parse_float8(&p, input, "max");
	expect_key(&p, "sum", input);
	head.sum = parse_float8(&p, input, "sum");
	expect_key(&p, "pos", input);
	pos = parse_store(&p, input, "positive store", &npos, &pos_offset);
	expect_key(&p, "neg", input);
	neg = parse_store(&p, input, "negative store", &nneg, &neg_offset);
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
		sketch_syntax_error(input, "Unexpected text after the negative store.");
	if ((int64) npos + nneg > SLO_SKETCH_MAX_BINS)
		sketch_syntax_error(input, "Too many bins.");

	s = slo_sketch_new(head.alpha, npos, nneg);
	s->pos_offset = pos_offset;
	s->neg_offset = neg_offset;
	s->count = head.count;
	s->zero_count = head.zero_count;
	s->min = head.min;
	s->max = head.max;
	s->sum = head.sum;
	if (npos > 0)
		memcpy(SLO_SKETCH_POS(s), pos, npos * sizeof(int64));
	if (nneg > 0)
		memcpy(SLO_SKETCH_NEG(s), neg, nneg * sizeof(int64));

	reason = slo_sketch_invalid_reason(s, VARSIZE(s));
	if (reason != NULL)
		sketch_syntax_error(input, reason);
	PG_RETURN_POINTER(slo_sketch_trim(s));
}

static void
append_store(StringInfo buf, const int64 *bins, int32 n, int32 offset)
{
	int32		i;

	if (n == 0)
		return;
	appendStringInfo(buf, "%d:", offset);
	CHECK_FOR_INTERRUPTS();
	for (i = 0; i < n; i++)
		appendStringInfo(buf, "%s" INT64_FORMAT, i ? "," : "", bins[i]);
}

/*
 * sketch_out(slo.sketch) returns cstring
 */
PG_FUNCTION_INFO_V1(sketch_out);
Datum
sketch_out(PG_FUNCTION_ARGS)
{
	SloSketch  *s = slo_sketch_trim(PG_GETARG_SLO_SKETCH_P(0));
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "alpha=%s count=" INT64_FORMAT " zero=" INT64_FORMAT " min=%s max=%s sum=%s pos=",
					 slo_float8_to_cstring(s->alpha), s->count, s->zero_count,
					 slo_float8_to_cstring(s->min), slo_float8_to_cstring(s->max),
					 slo_float8_to_cstring(s->sum));
	append_store(&buf, SLO_SKETCH_POS(s), s->npos, s->pos_offset);
	appendStringInfoString(&buf, " neg=");
	append_store(&buf, SLO_SKETCH_NEG(s), s->nneg, s->neg_offset);
	PG_RETURN_CSTRING(buf.data);
}

/* ----------
 * Binary input and output
 * ----------
 */

static void
sketch_binary_error(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid external slo.sketch value"),
			 errdetail_internal("%s", detail)));
}

/* Read a store's size and offset, checking the message holds its counts. */
static void
recv_store_header(StringInfo msg, int32 *n, int32 *offset)
{
	*n = (int32) pq_getmsgint(msg, 4);
	*offset = (int32) pq_getmsgint(msg, 4);
	if (*n < 0 || *n > SLO_SKETCH_MAX_BINS)
		sketch_binary_error("The number of bins is out of range.");
	if ((Size) *n * sizeof(int64) > (Size) (msg->len - msg->cursor))
		sketch_binary_error("The message is shorter than its bins.");
}

/*
 * sketch_recv(internal) returns slo.sketch
 */
PG_FUNCTION_INFO_V1(sketch_recv);
Datum
sketch_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	SloSketch	head;
	SloSketch  *s;
	int32		npos,
				nneg,
				pos_offset,
				neg_offset,
				i;
	int64	   *pos;
	const char *reason;

	memset(&head, 0, sizeof(head));
	head.version = (uint8) pq_getmsgbyte(msg);
	if (head.version != SLO_SKETCH_VERSION)
		sketch_binary_error(psprintf("Version %d is not supported; this build reads version %d.",
									 head.version, SLO_SKETCH_VERSION));
	head.flags = (uint8) pq_getmsgbyte(msg);
	head.alpha = pq_getmsgfloat8(msg);
	head.count = pq_getmsgint64(msg);
	head.zero_count = pq_getmsgint64(msg);
	head.min = pq_getmsgfloat8(msg);
	head.max = pq_getmsgfloat8(msg);
	head.sum = pq_getmsgfloat8(msg);

	recv_store_header(msg, &npos, &pos_offset);
	pos = palloc((Size) Max(npos, 1) * sizeof(int64));
	CHECK_FOR_INTERRUPTS();
	for (i = 0; i < npos; i++)
		pos[i] = pq_getmsgint64(msg);
	recv_store_header(msg, &nneg, &neg_offset);
	if ((int64) npos + nneg > SLO_SKETCH_MAX_BINS)
		sketch_binary_error("The number of bins is out of range.");
	if (!(head.alpha >= SLO_SKETCH_MIN_ALPHA && head.alpha <= SLO_SKETCH_MAX_ALPHA))
		sketch_binary_error(psprintf("Alpha %s is out of range.",
									 slo_float8_to_cstring(head.alpha)));

	s = slo_sketch_new(head.alpha, npos, nneg);
	s->flags = head.flags;
	s->pos_offset = pos_offset;
	s->neg_offset = neg_offset;
	s->count = head.count;
	s->zero_count = head.zero_count;
	s->min = head.min;
	s->max = head.max;
	s->sum = head.sum;
	if (npos > 0)
		memcpy(SLO_SKETCH_POS(s), pos, npos * sizeof(int64));
	for (i = 0; i < nneg; i++)
		SLO_SKETCH_NEG(s)[i] = pq_getmsgint64(msg);

	reason = slo_sketch_invalid_reason(s, VARSIZE(s));
	if (reason != NULL)
		sketch_binary_error(reason);
	PG_RETURN_POINTER(slo_sketch_trim(s));
}

/*
 * sketch_trim(slo.sketch) returns slo.sketch
 *
 * The final function of the sketch aggregates: the result without the
 * empty bins kept for growth, so stored sketches take only what they hold.
 */
PG_FUNCTION_INFO_V1(sketch_trim);
Datum
sketch_trim(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(slo_sketch_trim(PG_GETARG_SLO_SKETCH_P(0)));
}

/*
 * sketch_send(slo.sketch) returns bytea
 */
PG_FUNCTION_INFO_V1(sketch_send);
Datum
sketch_send(PG_FUNCTION_ARGS)
{
	SloSketch  *s = slo_sketch_trim(PG_GETARG_SLO_SKETCH_P(0));
	StringInfoData buf;
	int32		i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, s->version);
	pq_sendbyte(&buf, s->flags);
	pq_sendfloat8(&buf, s->alpha);
	pq_sendint64(&buf, s->count);
	pq_sendint64(&buf, s->zero_count);
	pq_sendfloat8(&buf, s->min);
	pq_sendfloat8(&buf, s->max);
	pq_sendfloat8(&buf, s->sum);
	pq_sendint32(&buf, (uint32) s->npos);
	pq_sendint32(&buf, (uint32) s->pos_offset);
	for (i = 0; i < s->npos; i++)
		pq_sendint64(&buf, SLO_SKETCH_POS(s)[i]);
	pq_sendint32(&buf, (uint32) s->nneg);
	pq_sendint32(&buf, (uint32) s->neg_offset);
	for (i = 0; i < s->nneg; i++)
		pq_sendint64(&buf, SLO_SKETCH_NEG(s)[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
