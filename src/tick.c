/*-------------------------------------------------------------------------
 *
 * tick.c
 *	  The guard around each step of a tick (the recount of a group of
 *	  objectives, a backfill step, the evaluation): one step's failure, of
 *	  any kind, is rolled back and reported, and the tick goes on; a cancel
 *	  of the tick itself still stops it.  And whether the tick may commit
 *	  between its steps.
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
 * Run query (one row, one int8 column) with the given parameters through
 * SPI, returning that value (0 when NULL or no row).
 */
static int64
run_step_query(const char *query, int nargs, Oid *argtypes, Datum *values)
{
	int64		result = 0;
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(query, nargs, argtypes, values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_with_args failed");
	if (SPI_processed == 1)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			result = DatumGetInt64(d);
	}
	SPI_finish();
	return result;
}

/*
 * Run query in a subtransaction, under slo.lock_timeout, and return its
 * record: (result, NULL, NULL) on success; on any failure but a cancel of
 * the tick itself, everything it did is rolled back and (NULL, sqlstate,
 * message) comes back; a cancel of the tick is re-thrown.
 */
static Datum
run_guarded(FunctionCallInfo fcinfo, const char *query, int nargs, Oid *argtypes, Datum *values)
{
	TupleDesc	tupdesc;
	Datum		result[3] = {0, 0, 0};
	bool		nulls[3] = {false, true, true};
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);

	PG_TRY();
	{
		/*
		 * An objective's owner could hold a lock its work needs (say an
		 * uncommitted delete of one of its rows): wait for it only so long.
		 * The setting is undone when this returns, and by the rollback on
		 * error.
		 */
		int			save_nestlevel = NewGUCNestLevel();

		(void) set_config_option("lock_timeout", psprintf("%d", slo_lock_timeout),
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
		result[0] = Int64GetDatum(run_step_query(query, nargs, argtypes, values));
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

/* The schema a function lives in, quoted. */
static const char *
own_schema(FunctionCallInfo fcinfo)
{
	char	   *schema = get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid));

	if (schema == NULL)
		elog(ERROR, "cache lookup failed for the schema of function %u", fcinfo->flinfo->fn_oid);
	return quote_identifier(schema);
}

/*
 * tick_step_guarded(step text, ids bigint[], at timestamptz,
 *                   OUT result bigint, OUT sqlstate text, OUT message text)
 *
 * Runs "SELECT <own schema>.tick_step(step, ids, at)", one step of the tick
 * for one objective or a group of them, as run_guarded() says.  Runs with
 * the caller's rights; slo_admin only.
 */
PG_FUNCTION_INFO_V1(tick_step_guarded);
Datum
tick_step_guarded(PG_FUNCTION_ARGS)
{
	Oid			argtypes[3] = {TEXTOID, INT8ARRAYOID, TIMESTAMPTZOID};
	Datum		values[3] = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), PG_GETARG_DATUM(2)};

	return run_guarded(fcinfo, psprintf("SELECT %s.tick_step($1, $2, $3)", own_schema(fcinfo)),
					   3, argtypes, values);
}

/*
 * tick_objective_guarded(objective_id bigint, at timestamptz,
 *                        OUT recounted bigint, OUT sqlstate text, OUT message text)
 *
 * The guard of versions 0.4 and 0.5, kept for their SQL: runs
 * "SELECT <own schema>.tick_objective(o, $2) FROM <extension schema>.objective o
 * WHERE o.id = $1" as run_guarded() says.
 */
PG_FUNCTION_INFO_V1(tick_objective_guarded);
Datum
tick_objective_guarded(PG_FUNCTION_ARGS)
{
	Oid			argtypes[2] = {INT8OID, TIMESTAMPTZOID};
	Datum		values[2] = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)};
	char	   *ext_schema = get_namespace_name(slo_extension_schema());

	if (ext_schema == NULL)
		elog(ERROR, "cache lookup failed for the schema of extension \"slo\"");
	return run_guarded(fcinfo,
					   psprintf("SELECT %s.tick_objective(o, $2) FROM %s.objective o WHERE o.id = $1",
								own_schema(fcinfo), quote_identifier(ext_schema)),
					   2, argtypes, values);
}

/*
 * may_commit() returns boolean
 *
 * May the procedure that calls this commit?  Yes when it runs in a
 * non-atomic context: CALL at top level, outside a transaction block.
 */
PG_FUNCTION_INFO_V1(may_commit);
Datum
may_commit(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(SPI_inside_nonatomic_context());
}
