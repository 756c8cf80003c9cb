/*-------------------------------------------------------------------------
 *
 * run_as.c
 *	  Evaluate an objective's user-written SQL with the rights of the role
 *	  that defined it, never with the rights of whoever runs the tick.
 *
 * slo.tick() is typically run by pg_cron as a superuser.  The good and valid
 * expressions of an objective were written by its owner, so they are
 * evaluated the way PostgreSQL evaluates index expressions during
 * maintenance: as the owner, inside a security-restricted operation (which
 * forbids SET ROLE, RESET ROLE and similar escapes), with the search_path the
 * owner had when defining the objective.  Two more fences keep one owner's
 * SQL from harming the tick or anybody else:
 *
 *	 - the query runs read-only (transaction_read_only is on for its
 *	   duration), so an expression that tries to write fails;
 *	 - it has a time limit, slo.query_timeout.  When it expires the query is
 *	   cancelled and the cancel is reported as this objective's error, which
 *	   the tick records before going on with the others (tick.c tells it
 *	   from a cancel of the tick itself).
 *
 * src/run_as.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/timeout.h"
#include "utils/tuplestore.h"

#include "slo.h"

/* The counting query's timer, registered on first use. */
static TimeoutId query_timeout_id = MAX_TIMEOUTS;
static volatile sig_atomic_t query_timeout_fired = false;

/*
 * Timer handler (runs in a signal handler): ask for a query cancel, as the
 * statement_timeout handler does, and remember that it was ours.
 */
static void
query_timeout_handler(void)
{
	query_timeout_fired = true;
	QueryCancelPending = true;
	InterruptPending = true;
	SetLatch(MyLatch);
}

static void
arm_query_timeout(void)
{
	if (query_timeout_id == MAX_TIMEOUTS)
		query_timeout_id = RegisterTimeout(USER_TIMEOUT, query_timeout_handler);
	query_timeout_fired = false;
	if (slo_query_timeout > 0)
		enable_timeout_after(query_timeout_id, slo_query_timeout);
}

static void
disarm_query_timeout(void)
{
	if (query_timeout_id != MAX_TIMEOUTS)
		disable_timeout(query_timeout_id, false);
}

/* What the error context line of a failing counting query names. */
typedef struct CountingContext
{
	Oid			owner;
} CountingContext;

static void
counting_error_callback(void *arg)
{
	CountingContext *ctx = (CountingContext *) arg;

	errcontext("counting query run as role \"%s\"",
			   GetUserNameFromId(ctx->owner, true));
}

/*
 * The query's columns must be those the SQL declaration of the calling
 * function promises (bucket, valid, good[, sketch]).
 */
static void
check_result_shape(TupleDesc got, TupleDesc want)
{
	int			i;

	if (got->natts != want->natts)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("counting query returns %d columns, not %d", got->natts, want->natts)));
	for (i = 0; i < want->natts; i++)
		if (TupleDescAttr(got, i)->atttypid != TupleDescAttr(want, i)->atttypid)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column %d of the counting query is of type %s, not %s", i + 1,
							format_type_be(TupleDescAttr(got, i)->atttypid),
							format_type_be(TupleDescAttr(want, i)->atttypid))));
}

/*
 * query_counts_as(owner regrole, search_path text, query text,
 *                 lo timestamptz, hi timestamptz, ranges tstzmultirange)
 * returns table (bucket timestamptz, valid bigint, good bigint)
 * (and, declared as query_group_as, the columns the counting query of a
 * group of objectives returns)
 *
 * Runs "query" with $1 = lo, $2 = hi, $3 = ranges (each of the type the
 * declaration gives it) as role "owner" in a
 * security-restricted operation, with search_path set for the duration, and
 * returns its rows.  The caller must have the privileges of "owner" (or be a
 * superuser), so this can never grant more than the caller already has.
 * The query runs read-only and under slo.query_timeout (see the file
 * header); a write fails with SQLSTATE 25006, the time limit with 57014.
 */
PG_FUNCTION_INFO_V1(query_counts_as);
Datum
query_counts_as(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			owner;
	char	   *search_path;
	char	   *query;
	Oid			argtypes[3];
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
	int			ret = 0;
	MemoryContext oldcxt;
	CountingContext counting_ctx;
	ErrorContextCallback errcallback;
	uint64		i;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("owner and query must not be null")));
	owner = PG_GETARG_OID(0);
	search_path = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	query = text_to_cstring(PG_GETARG_TEXT_PP(2));
	for (i = 0; i < 3; i++)
	{
		/* $1..$3 have the types the SQL declaration gives arguments 4..6 */
		argtypes[i] = get_fn_expr_argtype(fcinfo->flinfo, i + 3);
		values[i] = PG_ARGISNULL(i + 3) ? (Datum) 0 : PG_GETARG_DATUM(i + 3);
		nulls[i] = PG_ARGISNULL(i + 3) ? 'n' : ' ';
	}

	if (!has_privs_of_role(GetUserId(), owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to evaluate objectives of role \"%s\"",
						GetUserNameFromId(owner, false)),
				 errdetail("Objectives are evaluated with the rights of the role that defined them."),
				 errhint("Run slo.tick() as a superuser, or as a member of role \"%s\".",
						 GetUserNameFromId(owner, false))));

	InitMaterializedSRF(fcinfo, 0);

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	save_nestlevel = NewGUCNestLevel();
	/* only the schemas nobody but the owner (and the trusted) can create in */
	search_path = slo_trusted_search_path(owner, search_path);
	if (search_path != NULL)
		(void) set_config_option("search_path", search_path,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	/* read-only until the GUC nest level is popped (or the error unwinds it) */
	(void) set_config_option("transaction_read_only", "on",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	counting_ctx.owner = owner;
	errcallback.callback = counting_error_callback;
	errcallback.arg = &counting_ctx;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	arm_query_timeout();
	oldcxt = CurrentMemoryContext;
	PG_TRY();
	{
		ret = SPI_execute_with_args(query, 3, argtypes, values, nulls, true, 0);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		disarm_query_timeout();
		if (query_timeout_fired && geterrcode() == ERRCODE_QUERY_CANCELED)
		{
			/* our own timer: report it as this objective's failure */
			FlushErrorState();
			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("counting query canceled after %d ms", slo_query_timeout),
					 errdetail("It ran longer than slo.query_timeout allows."),
					 errhint("Index the time column, simplify the objective's expressions, or raise slo.query_timeout for the session that runs the tick.")));
		}
		PG_RE_THROW();
	}
	PG_END_TRY();
	disarm_query_timeout();

	if (ret != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("counting query must be a single SELECT")));
	check_result_shape(SPI_tuptable->tupdesc, rsinfo->setDesc);

	for (i = 0; i < SPI_processed; i++)
	{
		CHECK_FOR_INTERRUPTS();
		tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[i]);
	}

	SPI_finish();
	error_context_stack = errcallback.previous;
	AtEOXact_GUC(false, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);

	return (Datum) 0;
}
