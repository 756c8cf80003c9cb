/*-------------------------------------------------------------------------
 *
 * tally.c
 *	  The slo.tally type: text and binary input/output, validation, and the
 *	  SLO arithmetic that turns a tally into an SLI, a burn rate or a
 *	  remaining error budget.
 *
 * Text form:   valid=1000 good=990 target=0.999
 *              (target= is present only when the tally carries a target)
 * Binary form: int32 version, int32 flags, int64 valid, int64 good,
 *              float8 target -- 32 bytes, network byte order.
 *
 * Every value arriving from outside (text or binary) is treated as hostile:
 * it is fully parsed and checked against the invariants in tally.h before it
 * is returned, so the aggregate code can rely on them.
 *
 * src/tally.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "slo.h"
#include "tally.h"

/*
 * Set up an empty tally: no events, no target.
 */
void
slo_tally_init(SloTally *tally)
{
	memset(tally, 0, sizeof(SloTally));
	tally->version = SLO_TALLY_VERSION;
}

/*
 * A target is usable when it lies strictly between 0 and 1 (NaN does not).
 */
bool
slo_target_is_valid(float8 target)
{
	return target > 0.0 && target < 1.0;
}

/*
 * Report a target out of range with SQLSTATE 22023, naming the value.
 */
void
slo_check_target(float8 target)
{
	if (!slo_target_is_valid(target))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("target %s is out of range",
						slo_float8_to_cstring(target)),
				 errdetail("A target must be strictly between 0 and 1."),
				 (target > 1.0 && target <= 100.0) ?
				 errhint("Write a percentage as a fraction, for example 99.9%% as 0.999.") : 0));
}

/*
 * Return NULL if the tally satisfies every invariant of tally.h, else a
 * sentence saying which one it breaks (used as an errdetail).
 */
const char *
slo_tally_invalid_reason(const SloTally *tally)
{
	if (tally->version != SLO_TALLY_VERSION)
		return psprintf("Version %d is not supported; this build reads version %d.",
						tally->version, SLO_TALLY_VERSION);
	if ((tally->flags & ~SLO_TALLY_KNOWN_FLAGS) != 0)
		return psprintf("Flags 0x%x contain unknown bits.", tally->flags);
	if (tally->valid < 0)
		return psprintf("Valid count " INT64_FORMAT " is negative.", tally->valid);
	if (tally->good < 0)
		return psprintf("Good count " INT64_FORMAT " is negative.", tally->good);
	if (tally->good > tally->valid)
		return psprintf("Good count " INT64_FORMAT " exceeds valid count " INT64_FORMAT ".",
						tally->good, tally->valid);
	if ((tally->flags & SLO_TALLY_HAS_TARGET) != 0)
	{
		if (!slo_target_is_valid(tally->target))
			return psprintf("Target %s is not strictly between 0 and 1.",
							slo_float8_to_cstring(tally->target));
	}
	else if (tally->target != 0.0 || signbit(tally->target))
		return psprintf("Target %s is given but the target flag is not set.",
						slo_float8_to_cstring(tally->target));
	return NULL;
}

/* ----------
 * SLO arithmetic (docs/design.md, "Arithmetic").  Callers guarantee
 * valid > 0, 0 <= good <= valid and a valid target.  Each formula is written
 * so that the same operations in SQL float8 arithmetic give the same bits:
 *
 *   sli              = good::float8 / valid::float8
 *   burn_rate        = ((valid - good)::float8 / valid::float8) / (1 - target)
 *   budget_remaining = 1 - (valid - good)::float8 / ((1 - target) * valid::float8)
 * ----------
 */
float8
slo_sli(int64 good, int64 valid)
{
	Assert(valid > 0 && good >= 0 && good <= valid);
	return (float8) good / (float8) valid;
}

float8
slo_burn_rate(int64 good, int64 valid, float8 target)
{
	Assert(valid > 0 && good >= 0 && good <= valid);
	Assert(slo_target_is_valid(target));
	return ((float8) (valid - good) / (float8) valid) / (1.0 - target);
}

float8
slo_budget_remaining(int64 good, int64 valid, float8 target)
{
	Assert(valid > 0 && good >= 0 && good <= valid);
	Assert(slo_target_is_valid(target));
	return 1.0 - (float8) (valid - good) / ((1.0 - target) * (float8) valid);
}

/* ----------
 * Text input.
 * ----------
 */

static void
tally_syntax_error(const char *input, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"",
					"slo.tally", input),
			 errdetail_internal("%s", detail),
			 errhint("A tally reads like \"valid=1000 good=990\" or \"valid=1000 good=990 target=0.999\".")));
}

/*
 * Expect "key=" at *p, skipping leading white space; advance past it.
 */
static bool
tally_expect_key(const char **p, const char *key)
{
	size_t		len = strlen(key);

	while (isspace((unsigned char) **p))
		(*p)++;
	if (strncmp(*p, key, len) != 0 || (*p)[len] != '=')
		return false;
	*p += len + 1;
	return true;
}

/*
 * Parse a non-negative decimal int64 at *p; advance past it.
 */
static bool
tally_parse_count(const char **p, int64 *result)
{
	const char *start = *p;
	char	   *end;
	long long	value;

	if (!isdigit((unsigned char) *start))
		return false;
	errno = 0;
	value = strtoll(start, &end, 10);
	if (errno != 0 || end == start)
		return false;
	*result = (int64) value;
	*p = end;
	return true;
}

/*
 * tally_in(cstring) returns slo.tally
 */
PG_FUNCTION_INFO_V1(tally_in);
Datum
tally_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	const char *p = input;
	SloTally   *tally = palloc(sizeof(SloTally));
	const char *reason;

	slo_tally_init(tally);

	if (!tally_expect_key(&p, "valid"))
		tally_syntax_error(input, "Expected \"valid=\" first.");
	if (!tally_parse_count(&p, &tally->valid))
		tally_syntax_error(input, "The valid count must be a non-negative integer that fits in a bigint.");
	if (!isspace((unsigned char) *p) || !tally_expect_key(&p, "good"))
		tally_syntax_error(input, "Expected \"good=\" after the valid count.");
	if (!tally_parse_count(&p, &tally->good))
		tally_syntax_error(input, "The good count must be a non-negative integer that fits in a bigint.");

	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
	{
		char	   *end;
		bool		bad_number = false;

		if (!tally_expect_key(&p, "target"))
			tally_syntax_error(input, "Expected \"target=\" or the end of the input after the good count.");
		tally->target = float8in_internal_opt_error(unconstify(char *, p), &end,
													"double precision", input,
													&bad_number);
		if (bad_number)
			tally_syntax_error(input, "The target must be a number strictly between 0 and 1.");
		tally->flags |= SLO_TALLY_HAS_TARGET;
		p = end;
		while (isspace((unsigned char) *p))
			p++;
		if (*p != '\0')
			tally_syntax_error(input, "Unexpected text after the target.");
	}

	reason = slo_tally_invalid_reason(tally);
	if (reason != NULL)
		tally_syntax_error(input, reason);

	PG_RETURN_SLO_TALLY_P(tally);
}

/*
 * tally_out(slo.tally) returns cstring
 */
PG_FUNCTION_INFO_V1(tally_out);
Datum
tally_out(PG_FUNCTION_ARGS)
{
	SloTally   *tally = PG_GETARG_SLO_TALLY_P(0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "valid=" INT64_FORMAT " good=" INT64_FORMAT,
					 tally->valid, tally->good);
	if ((tally->flags & SLO_TALLY_HAS_TARGET) != 0)
		appendStringInfo(&buf, " target=%s",
						 slo_float8_to_cstring(tally->target));
	PG_RETURN_CSTRING(buf.data);
}

/*
 * tally_recv(internal) returns slo.tally
 *
 * Reads exactly SLO_TALLY_SIZE bytes; pq_getmsg* raise an error rather than
 * read past the end of a short message, and the caller rejects trailing
 * bytes.
 */
PG_FUNCTION_INFO_V1(tally_recv);
Datum
tally_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	SloTally   *tally = palloc(sizeof(SloTally));
	const char *reason;

	tally->version = (int32) pq_getmsgint(msg, 4);
	if (tally->version != SLO_TALLY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external slo.tally value"),
				 errdetail("Version %d is not supported; this build reads version %d.",
						   tally->version, SLO_TALLY_VERSION)));
	tally->flags = (int32) pq_getmsgint(msg, 4);
	tally->valid = pq_getmsgint64(msg);
	tally->good = pq_getmsgint64(msg);
	tally->target = pq_getmsgfloat8(msg);

	reason = slo_tally_invalid_reason(tally);
	if (reason != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external slo.tally value"),
				 errdetail_internal("%s", reason)));

	PG_RETURN_SLO_TALLY_P(tally);
}

/*
 * tally_send(slo.tally) returns bytea
 */
PG_FUNCTION_INFO_V1(tally_send);
Datum
tally_send(PG_FUNCTION_ARGS)
{
	SloTally   *tally = PG_GETARG_SLO_TALLY_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, (uint32) tally->version);
	pq_sendint32(&buf, (uint32) tally->flags);
	pq_sendint64(&buf, tally->valid);
	pq_sendint64(&buf, tally->good);
	pq_sendfloat8(&buf, tally->target);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
