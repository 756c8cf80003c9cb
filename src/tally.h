/*-------------------------------------------------------------------------
 *
 * tally.h
 *	  The slo.tally type: the state of the counting aggregates.
 *
 * A tally is a count of valid events, a count of good events among them
 * and, for the error-budget aggregates, the objective's target.  It is a
 * real SQL type (slo.tally, fixed length, passed by reference) rather than
 * "internal", so that partial aggregation can be shipped between processes
 * and machines.
 *
 * Include after postgres.h.
 *
 * src/tally.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SLO_TALLY_H
#define SLO_TALLY_H

#include "fmgr.h"

/* On-disk and on-wire version of slo.tally; bump when the layout changes. */
#define SLO_TALLY_VERSION		1

/* Flag bits of SloTally.flags. */
#define SLO_TALLY_HAS_TARGET	0x0001
#define SLO_TALLY_KNOWN_FLAGS	(SLO_TALLY_HAS_TARGET)

/*
 * slo.tally: 32 bytes, double aligned.  Invariants (checked on every way in
 * and asserted on the way through): 0 <= good <= valid; target is 0 unless
 * SLO_TALLY_HAS_TARGET is set, and then strictly between 0 and 1.
 */
typedef struct SloTally
{
	int32		version;		/* SLO_TALLY_VERSION */
	int32		flags;			/* SLO_TALLY_* bits */
	int64		valid;			/* events that count at all */
	int64		good;			/* valid events that met the objective */
	float8		target;			/* objective target, if HAS_TARGET */
} SloTally;

#define SLO_TALLY_SIZE			((int) sizeof(SloTally))

/* CREATE TYPE slo.tally (INTERNALLENGTH = 32, ...) in sql/10_tally.sql */
StaticAssertDecl(sizeof(SloTally) == 32,
				 "SloTally must be exactly the INTERNALLENGTH of slo.tally");

#define DatumGetSloTallyP(X)	((SloTally *) DatumGetPointer(X))
#define SloTallyPGetDatum(X)	PointerGetDatum(X)
#define PG_GETARG_SLO_TALLY_P(n) DatumGetSloTallyP(PG_GETARG_DATUM(n))
#define PG_RETURN_SLO_TALLY_P(x) PG_RETURN_POINTER(x)

/* tally.c */
extern const char *slo_tally_invalid_reason(const SloTally *tally);
extern void slo_tally_init(SloTally *tally);
extern bool slo_target_is_valid(float8 target);
extern void slo_check_target(float8 target);

/* The arithmetic of docs/design.md ("Arithmetic"), shared by every face. */
extern float8 slo_sli(int64 good, int64 valid);
extern float8 slo_burn_rate(int64 good, int64 valid, float8 target);
extern float8 slo_budget_remaining(int64 good, int64 valid, float8 target);

#endif							/* SLO_TALLY_H */
