/*-------------------------------------------------------------------------
 *
 * slo.c
 *	  Module entry point of the slo extension: the module magic, the
 *	  settings (GUCs) the rest of the module reads, and module-wide helpers.
 *
 * Every SQL-callable function sits in the file of its concern (tally.c for
 * the state type, tally_aggs.c for the counting aggregates, sketch.c and
 * sketch_aggs.c for the percentile sketch, run_as.c for evaluating
 * objectives as their owners, tick.c for the tick's guard); this file holds
 * the module magic, the settings and the helpers slo.h declares.
 *
 * src/slo.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include <math.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_database.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/varlena.h"
#include "utils/rel.h"

#include "slo.h"

PG_MODULE_MAGIC;

/* slo.query_timeout: the time limit of one objective's counting query, ms */
int			slo_query_timeout = 30000;

/* slo.lock_timeout: how long one objective's work waits for a lock, ms */
int			slo_lock_timeout = 5000;

/* slo.backfill_time: how long one tick may spend backfilling, ms */
static int	slo_backfill_time = 10000;


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

	DefineCustomIntVariable("slo.backfill_time",
							"How long one tick may spend backfilling new objectives.",
							"A new objective is counted back to its horizon a day at a time, "
							"newest first; each tick spends at most this long on it, so a "
							"large backfill never holds up the regular tick of the others.",
							&slo_backfill_time,
							10000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("slo");
}

/*
 * The schema the extension was created in ("slo"), read from pg_extension.
 * (PostgreSQL 16 has get_extension_schema(); 15 does not export one.)
 */
Oid
slo_extension_schema(void)
{
	Oid			ext_oid = get_extension_oid("slo", false);
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			schema = InvalidOid;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ext_oid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		schema = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	if (!OidIsValid(schema))
		elog(ERROR, "could not find the schema of extension \"slo\"");
	return schema;
}

/*
 * Shortest text that reads back as exactly the same float8, whatever
 * extra_float_digits says.
 */
char *
slo_float8_to_cstring(float8 value)
{
	char	   *buf = palloc(DOUBLE_SHORTEST_DECIMAL_LEN + 1);

	if (isnan(value))
		strcpy(buf, "NaN");
	else if (isinf(value))
		strcpy(buf, value > 0 ? "Infinity" : "-Infinity");
	else
		double_to_shortest_decimal_buf(value, buf);
	return buf;
}

/*
 * The OID of table nspname.relname if it is a member of extension slo, else
 * InvalidOid (slo is not installed, or is being dropped): code that writes
 * slo's tables straight into the heap never writes a table of the same
 * name that someone else made.
 */
Oid
slo_member_table(const char *nspname, const char *relname)
{
	Oid			ext = get_extension_oid("slo", true);
	Oid			nsp = get_namespace_oid(nspname, true);
	Oid			relid;

	if (!OidIsValid(ext) || !OidIsValid(nsp))
		return InvalidOid;
	relid = get_relname_relid(relname, nsp);
	if (!OidIsValid(relid) || getExtensionOfObject(RelationRelationId, relid) != ext)
		return InvalidOid;
	return relid;
}

/*
 * A table slo writes straight into the heap must have exactly the columns
 * (types, in order) the writer forms its tuples with, and no index to keep
 * up to date.
 */
void
slo_check_heap_table(Relation rel, const Oid *types, int natts)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	if (desc->natts != natts)
		elog(ERROR, "table \"%s\" has %d columns, not %d",
			 RelationGetRelationName(rel), desc->natts, natts);
	for (i = 0; i < natts; i++)
		if (TupleDescAttr(desc, i)->attisdropped || TupleDescAttr(desc, i)->atttypid != types[i])
			elog(ERROR, "column %d of table \"%s\" is not of type %s",
				 i + 1, RelationGetRelationName(rel), format_type_be(types[i]));
	if (rel->rd_rel->relhasindex || rel->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table \"%s\" must be a plain table without indexes", RelationGetRelationName(rel)),
				 errhint("Drop the indexes created on it: slo writes it directly, without updating indexes.")));
}

/*
 * Refuse a call of trigger function "funcname" that does not come from the
 * trigger manager.
 */
void
slo_require_trigger_call(FunctionCallInfo fcinfo, const char *funcname)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" was not called by trigger manager", funcname)));
}

/*
 * May role "creator", who can create objects in some schema, be trusted
 * with the names code running as "owner" looks up there?  The owner
 * itself, a superuser, and the database owner's role when the database's
 * owner is one of those.
 */
static bool
trusted_creator(Oid creator, Oid owner)
{
	HeapTuple	tp;
	Oid			dbowner;

	if (creator == owner || superuser_arg(creator))
		return true;
	if (creator != ROLE_PG_DATABASE_OWNER)
		return false;
	tp = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(MyDatabaseId));
	if (!HeapTupleIsValid(tp))
		return false;
	dbowner = ((Form_pg_database) GETSTRUCT(tp))->datdba;
	ReleaseSysCache(tp);
	return dbowner == owner || superuser_arg(dbowner);
}

/* Can only trusted roles create objects in schema nsp? */
static bool
trusted_schema(Oid nsp, Oid owner)
{
	HeapTuple	tp = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
	Oid			nspowner;
	bool		isnull;
	Datum		aclDatum;
	Acl		   *acl;
	AclItem    *items;
	int			i;
	bool		trusted;

	if (!HeapTupleIsValid(tp))
		return false;
	nspowner = ((Form_pg_namespace) GETSTRUCT(tp))->nspowner;
	aclDatum = SysCacheGetAttr(NAMESPACEOID, tp, Anum_pg_namespace_nspacl, &isnull);
	acl = isnull ? acldefault(OBJECT_SCHEMA, nspowner) : DatumGetAclPCopy(aclDatum);
	ReleaseSysCache(tp);

	trusted = trusted_creator(nspowner, owner);
	/* (an ACL never has nulls: its items follow the array header) */
	items = (AclItem *) ((char *) acl + ARR_OVERHEAD_NONULLS(ARR_NDIM(acl)));
	for (i = 0; trusted && i < ACL_NUM(acl); i++)
		if ((ACLITEM_GET_PRIVS(items[i]) & ACL_CREATE) != 0 &&
			(items[i].ai_grantee == ACL_ID_PUBLIC || !trusted_creator(items[i].ai_grantee, owner)))
			trusted = false;
	return trusted;
}

/*
 * The search_path to run SQL of role "owner" with, from the one it
 * recorded: only the schemas in which no role but the owner, superusers
 * and a trusted database owner can create objects (so that nobody else
 * can put a function, operator or type where the owner's names resolve),
 * then pg_temp, searched last.  "$user" is the owner.  Schemas that do
 * not exist are left out.
 */
char *
slo_trusted_search_path(Oid owner, const char *search_path)
{
	StringInfoData buf;
	List	   *names;
	ListCell   *lc;
	char	   *copy = pstrdup(search_path != NULL ? search_path : "");

	initStringInfo(&buf);
	if (SplitIdentifierString(copy, ',', &names))
	{
		foreach(lc, names)
		{
			char	   *name = (char *) lfirst(lc);
			Oid			nsp;

			if (strcmp(name, "$user") == 0)
				name = GetUserNameFromId(owner, true);
			if (name == NULL || strcmp(name, "pg_temp") == 0)
				continue;
			nsp = get_namespace_oid(name, true);
			if (!OidIsValid(nsp) || !trusted_schema(nsp, owner))
				continue;
			appendStringInfo(&buf, "%s, ", quote_identifier(name));
		}
	}
	appendStringInfoString(&buf, "pg_temp");
	return buf.data;
}
