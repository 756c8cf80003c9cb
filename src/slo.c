/*-------------------------------------------------------------------------
 *
 * slo.c
 *	  Module entry point of the slo extension.
 *
 * Only the module magic lives here; every SQL-callable function sits in the
 * file of its concern (tally.c for the state type, tally_aggs.c for the
 * counting aggregates).
 *
 * src/slo.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
