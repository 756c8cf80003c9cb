/*-------------------------------------------------------------------------
 *
 * tick.c
 *	  The guard around each objective's share of a tick: one objective's
 *	  failure, of any kind, is recorded and the tick goes on; a cancel of the
 *	  tick itself still stops it.
 *
 * PL/pgSQL's EXCEPTION WHEN OTHERS does not catch query_canceled or
 * assert_failure, so an objective whose expression raised either (or ran
 * past a time limit) used to abort the whole tick.  Catching them by name
 * would also swallow an administrator's pg_cancel_backend().  Here, in C,
 * the two are told apart by where the error was raised: a real cancel is
 * raised by ProcessInterrupts() when the backend's cancel flag is set
 * (pg_cancel_backend, statement_timeout of the session running the tick);
 * everything else, including a query_canceled raised by user code and the
 * counting query's own time limit (run_as.c, which reports it from
 * query_counts_as), is the objective's failure.
 *
 * src/tick.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "slo.h"

/*
 * Was this error a cancel of the statement that runs the tick (and not of
 * one objective's work)?
 */
static bool
is_cancel_of_tick(const ErrorData *edata)
{
	return edata->sqlerrcode == ERRCODE_QUERY_CANCELED &&
		edata->funcname != NULL &&
		strcmp(edata->funcname, "ProcessInterrupts") == 0;
}

/*
 * Run "SELECT <own schema>.tick_objective(o, $2) FROM <extension schema>.objective o
 * WHERE o.id = $1", returning the number of buckets it recounted.
 * tick_objective lives beside this function (slo_internal), the objective
 * table in the extension's schema (slo).
 */
static int64
run_tick_objective(const char *own_schema, const char *ext_schema, Datum objective_id, Datum at)
{
	Oid			argtypes[2] = {INT8OID, TIMESTAMPTZOID};
	Datum		values[2] = {objective_id, at};
	char	   *query;
	int64		recounted = 0;
	bool		isnull;

	query = psprintf("SELECT %s.tick_objective(o, $2) FROM %s.objective o WHERE o.id = $1",
					 own_schema, ext_schema);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(query, 2, argtypes, values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed");
	if (SPI_processed == 1)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			recounted = DatumGetInt64(d);
	}
	SPI_finish();
	return recounted;
}

/*
 * tick_objective_guarded(objective_id bigint, at timestamptz,
 *                        OUT recounted bigint, OUT sqlstate text, OUT message text)
 *
 * Runs the objective's share of a tick (rollup, evaluation, policy) in a
 * subtransaction.  On success: (recounted, NULL, NULL).  On any failure but
 * a cancel of the tick itself, everything the objective did is rolled back
 * and (NULL, sqlstate, message) comes back for the tick to record; a cancel
 * of the tick is re-thrown.  Runs with the caller's rights; revoked from
 * PUBLIC.
 */
PG_FUNCTION_INFO_V1(tick_objective_guarded);
Datum
tick_objective_guarded(PG_FUNCTION_ARGS)
{
	Datum		objective_id = PG_GETARG_DATUM(0);
	Datum		at = PG_GETARG_DATUM(1);
	char	   *own_schema;
	char	   *ext_schema;
	TupleDesc	tupdesc;
	Datum		result[3] = {0, 0, 0};
	bool		nulls[3] = {false, true, true};
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	own_schema = get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid));
	ext_schema = get_namespace_name(slo_extension_schema());
	if (own_schema == NULL || ext_schema == NULL)
		elog(ERROR, "cache lookup failed for the schemas of extension \"slo\"");
	own_schema = (char *) quote_identifier(own_schema);
	ext_schema = (char *) quote_identifier(ext_schema);

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);

	PG_TRY();
	{
		/*
		 * An objective's owner could hold a lock its work needs (say an
		 * uncommitted delete of one of its rows): wait for it only so long.
		 * The setting is undone when this returns, and by the rollback on error.
		 */
		int			save_nestlevel = NewGUCNestLevel();

		(void) set_config_option("lock_timeout", psprintf("%d", slo_lock_timeout),
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		result[0] = Int64GetDatum(run_tick_objective(own_schema, ext_schema, objective_id, at));
		AtEOXact_GUC(true, save_nestlevel);

		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();

		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;

		if (is_cancel_of_tick(edata))
			ReThrowError(edata);

		nulls[0] = true;
		nulls[1] = false;
		nulls[2] = false;
		result[1] = CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode));
		result[2] = CStringGetTextDatum(edata->message ? edata->message : "");
		FreeErrorData(edata);
	}
	PG_END_TRY();

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, result, nulls)));
}
