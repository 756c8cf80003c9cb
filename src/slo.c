/*-------------------------------------------------------------------------
 *
 * slo.c
 *	  Module entry point of the slo extension: the module magic and the
 *	  settings (GUCs) the rest of the module reads.
 *
 * Every SQL-callable function sits in the file of its concern (tally.c for
 * the state type, tally_aggs.c for the counting aggregates, run_as.c for
 * evaluating objectives as their owners, tick.c for the tick's guard).
 *
 * src/slo.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "slo.h"

PG_MODULE_MAGIC;

/* slo.query_timeout: the time limit of one objective's counting query, ms */
int			slo_query_timeout = 30000;

/* slo.lock_timeout: how long one objective's work waits for a lock, ms */
int			slo_lock_timeout = 5000;


void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("slo.query_timeout",
							"Time limit of the counting query of one objective during a tick.",
							"An objective whose counting query runs longer fails with this "
							"message recorded in its status; the tick goes on with the others. "
							"0 turns the limit off.",
							&slo_query_timeout,
							30000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("slo.lock_timeout",
							"How long the work of one objective during a tick waits for a lock.",
							"An objective whose rollup or freeze waits longer (for example "
							"behind an uncommitted change of its owner's) fails with this "
							"message recorded in its status; the tick goes on with the others. "
							"0 waits forever.",
							&slo_lock_timeout,
							5000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("slo");
}
