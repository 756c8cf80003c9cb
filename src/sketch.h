/*-------------------------------------------------------------------------
 *
 * sketch.h
 *	  The slo.sketch type: a log-bucketed quantile sketch (DDSketch) with a
 *	  relative-error guarantee.
 *
 * A value x > 0 falls in bin i = ceil(log(x) / log(gamma)), gamma =
 * (1 + alpha) / (1 - alpha), that is in (gamma^(i-1), gamma^i]; the bin is
 * represented by 2 gamma^i / (gamma + 1), which is within relative error
 * alpha of every value of the bin.  Negative values use a mirrored store,
 * zeros a counter of their own.  NaN is skipped; infinities are rejected.
 *
 * Layout (one varlena, double aligned): a fixed header, then the counts of
 * npos positive bins (indexes pos_offset ..) followed by those of nneg
 * negative bins (indexes neg_offset ..), each an int64.  Inside an
 * aggregate the stores may carry empty bins at their ends (room to grow);
 * the aggregates' final function, sketch_out and sketch_send trim them, so
 * equal sketches have equal text and stored sketches hold no slack.
 *
 * Include after postgres.h.
 *
 * src/sketch.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SLO_SKETCH_H
#define SLO_SKETCH_H

#include "fmgr.h"

#define SLO_SKETCH_VERSION		1

#define SLO_SKETCH_MIN_ALPHA	0.0001
#define SLO_SKETCH_MAX_ALPHA	0.5
#define SLO_SKETCH_DEFAULT_ALPHA 0.01

/* No finite double needs an index beyond this at SLO_SKETCH_MIN_ALPHA. */
#define SLO_SKETCH_MAX_INDEX	(1 << 23)
/* Bins one sketch may hold: 8 MB of counts. */
#define SLO_SKETCH_MAX_BINS		(1 << 20)

typedef struct SloSketch
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		version;		/* SLO_SKETCH_VERSION */
	uint8		flags;			/* none defined yet: always 0 */
	uint16		reserved;		/* always 0 */
	int32		npos;			/* positive bins stored */
	int32		nneg;			/* negative bins stored */
	int32		pos_offset;		/* index of the first positive bin */
	int32		neg_offset;		/* index of the first negative bin */
	float8		alpha;			/* relative accuracy */
	int64		count;			/* values held, zeros included */
	int64		zero_count;		/* values equal to zero */
	float8		min;			/* smallest value (0 when empty) */
	float8		max;			/* largest value (0 when empty) */
	float8		sum;			/* sum of the values */
	int64		bins[FLEXIBLE_ARRAY_MEMBER];
} SloSketch;

#define SLO_SKETCH_HEADER_SIZE	offsetof(SloSketch, bins)
#define SLO_SKETCH_POS(s)		((s)->bins)
#define SLO_SKETCH_NEG(s)		((s)->bins + (s)->npos)

#define DatumGetSloSketchP(X)	((SloSketch *) PG_DETOAST_DATUM(X))
#define PG_GETARG_SLO_SKETCH_P(n) DatumGetSloSketchP(PG_GETARG_DATUM(n))

/* sketch.c */
extern void slo_check_alpha(float8 alpha);
extern SloSketch *slo_sketch_new(float8 alpha, int32 npos, int32 nneg);
extern Size slo_sketch_size(int32 npos, int32 nneg);
extern const char *slo_sketch_invalid_reason(const SloSketch *s, Size size);
extern int32 slo_sketch_index(float8 alpha, float8 x);
extern float8 slo_sketch_bin_value(float8 alpha, int32 index);
extern SloSketch *slo_sketch_trim(const SloSketch *s);
extern SloSketch *slo_sketch_add(SloSketch *s, float8 value, bool in_place);
extern SloSketch *slo_sketch_merge(SloSketch *into, const SloSketch *from, bool in_place);
extern float8 slo_sketch_quantile(const SloSketch *s, float8 q);
extern void slo_sketch_quantiles(const SloSketch *s, int n, const float8 *qs, float8 *out);
extern float8 slo_sketch_rank(const SloSketch *s, float8 bound);

#endif							/* SLO_SKETCH_H */
