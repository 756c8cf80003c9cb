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
 * owner had when defining the objective.
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
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

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
 *                 lo timestamptz, hi timestamptz, buckets timestamptz[])
 * returns table (bucket timestamptz, valid bigint, good bigint)
 * (and, declared as query_sketches_as, a fourth column: sketch slo.sketch)
 *
 * Runs "query" with $1 = lo, $2 = hi, $3 = buckets as role "owner" in a
 * security-restricted operation, with search_path set for the duration, and
 * returns its rows.  The caller must have the privileges of "owner" (or be a
 * superuser), so this can never grant more than the caller already has.
 * Read-only: the query runs with a read-only SPI execution.
 */
PG_FUNCTION_INFO_V1(query_counts_as);
Datum
query_counts_as(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			owner;
	char	   *search_path;
	char	   *query;
	Oid			argtypes[3] = {TIMESTAMPTZOID, TIMESTAMPTZOID, TIMESTAMPTZARRAYOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
	int			ret;
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
	if (search_path != NULL)
		(void) set_config_option("search_path", search_path,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args(query, 3, argtypes, values, nulls, true, 0);
	if (ret != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("counting query must be a single SELECT")));
	check_result_shape(SPI_tuptable->tupdesc, rsinfo->setDesc);

	for (i = 0; i < SPI_processed; i++)
		tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[i]);

	SPI_finish();
	AtEOXact_GUC(false, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);

	return (Datum) 0;
}
