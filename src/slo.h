/*-------------------------------------------------------------------------
 *
 * slo.h
 *	  Module-wide declarations of the slo extension: its settings, the
 *	  helpers every C file may use, and the one test of whether an
 *	  aggregate's state may be updated where it lies.
 *
 * Include after postgres.h.  The types have headers of their own: tally.h
 * and sketch.h.
 *
 * src/slo.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef SLO_H
#define SLO_H

#include "fmgr.h"
#include "nodes/execnodes.h"
#include "utils/relcache.h"

/* slo.c: settings */
extern int	slo_query_timeout;
extern int	slo_lock_timeout;

/* slo.c: helpers */
extern Oid	slo_extension_schema(void);
extern char *slo_float8_to_cstring(float8 value);
extern Oid	slo_member_table(const char *nspname, const char *relname);
extern void slo_check_heap_table(Relation rel, const Oid *types, int natts);
extern void slo_require_trigger_call(FunctionCallInfo fcinfo, const char *funcname);
extern char *slo_trusted_search_path(Oid owner, const char *search_path);

/*
 * May a transition or combine function update "state", which it read from
 * its argument "arg", where it lies?
 *
 * Yes inside an aggregate, where the executor owns the state (this is the
 * test AggCheckCallContext(fcinfo, NULL) makes, inlined: it runs once per
 * row); and yes when reading the argument made a private copy (a detoasted
 * or short-header varlena).  Otherwise (a direct call) the function must
 * copy the state first: a pass-by-reference argument is never modified.
 */
static inline bool
slo_state_is_ours(FunctionCallInfo fcinfo, Datum arg, const void *state)
{
	if ((const void *) DatumGetPointer(arg) != state)
		return true;
	return fcinfo->context != NULL &&
		(IsA(fcinfo->context, AggState) || IsA(fcinfo->context, WindowAggState));
}

#endif							/* SLO_H */
