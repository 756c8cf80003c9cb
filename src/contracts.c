/*-------------------------------------------------------------------------
 *
 * contracts.c
 *	  The row trigger that checks a table's data contracts where its rows
 *	  are written, and what it keeps: the violations of contracts in mode
 *	  record, and each contract's checked and failed rows per minute.
 *
 * slo.add_contract() puts one trigger on a table, slo_contracts, BEFORE
 * INSERT OR UPDATE ... FOR EACH ROW, calling check_contracts() (on a
 * partitioned table PostgreSQL clones it to every partition; COPY fires it
 * too).  For each row it checks the table's enabled contracts (and those of
 * the tables it is a partition of):
 *
 *	 - email_shape, not_null, range and one_of run here in C, with the
 *	   column type's own input, comparison and the regular expression engine;
 *	 - member_of probes the reference table's unique index directly;
 *	 - expression evaluates the contract's boolean expression, parsed and
 *	   compiled once.
 *
 * Each table's contracts are read from slo.contract and compiled once per
 * backend, then kept until a relcache invalidation of the table (sent by
 * every change to its contracts, see contracts_changed()), of its reference
 * tables, or of slo.contract itself.  They are compiled and run with the
 * rights of the table's owner in a security-restricted operation, with the
 * search_path recorded when the contract was made (pg_temp last), so that
 * nothing a writer controls is looked up by name.
 *
 * A row that breaks a contract in mode enforce is rejected (SQLSTATE
 * 23514); in mode record it is kept and a row goes into
 * slo.contract_violation, in the writer's (sub)transaction.  An UPDATE
 * that leaves a contract's columns as they were does not check it again.
 * The checked and failed rows of each contract and minute are counted in
 * memory, per subtransaction (an aborted one takes its counts away), and
 * written at commit into slo_internal.contract_tally, which the tick folds
 * into slo.contract_rate.  Both tables are written straight into the heap,
 * as capture.c writes its notes: the writer needs no privilege on them.
 *
 * src/contracts.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "slo.h"

/*
 * The shape of an e-mail address: something@domain.tld, case-insensitive
 * (slo_internal.email_pattern() returns the same text for the SQL checks).
 */
#define SLO_EMAIL_PATTERN "^[A-Z0-9._%+-]+@[A-Z0-9.-]+\\.[A-Z]{2,}$"

/* The longest value a message or a violation shows, in bytes. */
#define SLO_MAX_SHOWN_VALUE 200

#define USECS_PER_MINUTE_I64 INT64CONST(60000000)

typedef enum ContractKind
{
	CONTRACT_EMAIL_SHAPE,
	CONTRACT_MEMBER_OF,
	CONTRACT_NOT_NULL,
	CONTRACT_RANGE,
	CONTRACT_ONE_OF,
	CONTRACT_EXPRESSION
} ContractKind;

/* One contract, compiled for one table (a partition has its own copy). */
typedef struct Contract
{
	int64		id;
	char	   *name;
	Oid			defined_on;		/* the table it is defined on (rel, or an ancestor) */
	Oid			owner;			/* that table's owner: whose rights it runs with */
	ContractKind kind;
	bool		enforce;
	char	   *column;			/* checked column; NULL for expression */
	AttrNumber	attnum;			/* ... its number in this table */
	Oid			atttype;
	int32		atttypmod;
	Bitmapset  *columns;		/* the columns it reads (offset by
								 * FirstLowInvalidHeapAttributeNumber) */
	bool		all_columns;	/* expression reading the whole row */
	/* member_of */
	Oid			ref_relid;
	Oid			ref_index;
	RegProcedure eq_proc;
	Oid			eq_subtype;
	Oid			eq_collation;
	/* range and one_of */
	FmgrInfo	cmp;			/* the column type's btree comparison */
	Oid			collation;
	bool		has_lower;
	bool		has_upper;
	Datum		lower;
	Datum		upper;
	Datum	   *allowed;		/* sorted */
	int			nallowed;
	/* expression */
	ExprState  *expr;
	bool		needs_search_path;	/* it calls functions that may look names up */
	char	   *search_path;	/* recorded with the contract */
} Contract;

/*
 * The contracts of one table, as its rows are checked: allocated with all
 * it points to in its own memory context, which is never changed once
 * built (a check in progress keeps reading the one it started with, even
 * if a nested write builds a new one).
 */
typedef struct TableContracts
{
	bool		valid;
	MemoryContext cxt;			/* this struct and everything below */
	int			ncontracts;
	Contract   *contracts;
	int			npk;			/* primary key columns, for the row key */
	AttrNumber *pk;
	ExprContext *econtext;		/* expressions */
	TupleTableSlot *slot;
} TableContracts;

/* Checked and failed rows of one contract and minute, in one subtransaction. */
typedef struct TallyEntry
{
	int64		contract_id;
	int64		minute;
	SubTransactionId subid;
	int64		checked;
	int64		failed;
	struct TallyEntry *next;
} TallyEntry;

/* The cache: per table, the contracts its rows are checked with now. */
typedef struct ContractCacheEntry
{
	Oid			relid;			/* hash key */
	TableContracts *current;	/* NULL until built, or after a failed build */
	uint64		invalidations;	/* relcache invalidations seen */
} ContractCacheEntry;

static HTAB *contract_cache = NULL;
static List *retired_contexts = NIL;	/* freed at the end of the transaction */
static TallyEntry *tally_entries = NULL;	/* in TopTransactionContext */
static bool callbacks_registered = false;

/* OIDs of slo's own tables, kept until a relcache invalidation says otherwise */
static Oid	contract_table_oid = InvalidOid;
static Oid	violation_table_oid = InvalidOid;
static Oid	tally_table_oid = InvalidOid;

static void contracts_xact_callback(XactEvent event, void *arg);
static void contracts_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
									   SubTransactionId parentSubid, void *arg);

/* ------------------------------------------------------------------------
 * slo's tables
 * ------------------------------------------------------------------------
 */

/* The relcache callback: forget what an invalidated table makes stale. */
static void
contracts_relcache_callback(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS status;
	ContractCacheEntry *entry;

	if (!OidIsValid(relid) || relid == contract_table_oid ||
		relid == violation_table_oid || relid == tally_table_oid)
	{
		contract_table_oid = InvalidOid;
		violation_table_oid = InvalidOid;
		tally_table_oid = InvalidOid;
		relid = InvalidOid;		/* and every table's contracts */
	}
	if (contract_cache == NULL)
		return;
	hash_seq_init(&status, contract_cache);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		TableContracts *tc = entry->current;
		int			i;

		entry->invalidations++;
		if (tc == NULL || !tc->valid)
			continue;
		if (!OidIsValid(relid) || entry->relid == relid)
		{
			tc->valid = false;
			continue;
		}
		for (i = 0; i < tc->ncontracts; i++)
			if (tc->contracts[i].ref_relid == relid || tc->contracts[i].ref_index == relid ||
				tc->contracts[i].defined_on == relid)
				tc->valid = false;
	}
}

static void
register_callbacks(void)
{
	HASHCTL		ctl;

	if (callbacks_registered)
		return;
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(ContractCacheEntry);
	contract_cache = hash_create("slo contracts", 16, &ctl, HASH_ELEM | HASH_BLOBS);
	CacheRegisterRelcacheCallback(contracts_relcache_callback, (Datum) 0);
	RegisterXactCallback(contracts_xact_callback, NULL);
	RegisterSubXactCallback(contracts_subxact_callback, NULL);
	callbacks_registered = true;
}

static Oid
contract_table(void)
{
	if (!OidIsValid(contract_table_oid))
		contract_table_oid = slo_member_table("slo", "contract");
	return contract_table_oid;
}

/* ------------------------------------------------------------------------
 * Reading slo.contract
 * ------------------------------------------------------------------------
 */

/* The columns of slo.contract, in their order (see sql/87_contracts.sql). */
enum
{
	CC_ID, CC_NAME, CC_TBL, CC_KIND, CC_COLUMN, CC_REF_TABLE, CC_REF_COLUMN,
	CC_LOWER, CC_UPPER, CC_ALLOWED, CC_EXPRESSION, CC_MODE, CC_ENABLED,
	CC_DISABLED_REASON, CC_OWNER, CC_SEARCH_PATH, CC_DESCRIPTION, CC_CREATED_AT,
	CC_CHANGED_AT, CC_NATTS
};

static const Oid contract_column_types[CC_NATTS] = {
	INT8OID, TEXTOID, REGCLASSOID, TEXTOID, NAMEOID, REGCLASSOID, NAMEOID,
	TEXTOID, TEXTOID, TEXTARRAYOID, TEXTOID, TEXTOID, BOOLOID,
	TEXTOID, NAMEOID, TEXTOID, TEXTOID, TIMESTAMPTZOID,
	TIMESTAMPTZOID
};

static char *
text_or_null(Datum *values, bool *nulls, int i)
{
	return nulls[i] ? NULL : TextDatumGetCString(values[i]);
}

/* Error context: which contract was being compiled. */
static void
compile_error_callback(void *arg)
{
	errcontext("contract \"%s\"", (const char *) arg);
}

/* ------------------------------------------------------------------------
 * Compiling one contract for one table
 * ------------------------------------------------------------------------
 */

static void
find_column(Contract *c, Relation rel)
{
	AttrNumber	attnum = get_attnum(RelationGetRelid(rel), c->column);

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						c->column, RelationGetRelationName(rel))));
	c->attnum = attnum;
	c->atttype = TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid;
	c->atttypmod = TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypmod;
	c->collation = TupleDescAttr(RelationGetDescr(rel), attnum - 1)->attcollation;
	c->columns = bms_make_singleton(attnum - FirstLowInvalidHeapAttributeNumber);
}

/* The column type's btree comparison, for range and one_of. */
static void
find_comparison(Contract *c)
{
	TypeCacheEntry *typ = lookup_type_cache(c->atttype, TYPECACHE_CMP_PROC_FINFO);

	if (!OidIsValid(typ->cmp_proc))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of type %s has no ordering", c->column,
						format_type_be(c->atttype)),
				 errdetail("A range or a set of values compares with the type's default btree operator class.")));
	fmgr_info_cxt(typ->cmp_proc, &c->cmp, CurrentMemoryContext);
}

/* A literal of the column's type, read by the type's input function. */
static Datum
read_literal(Contract *c, const char *literal)
{
	Oid			typinput;
	Oid			typioparam;

	getTypeInputInfo(c->atttype, &typinput, &typioparam);
	return OidInputFunctionCall(typinput, (char *) literal, typioparam, c->atttypmod);
}

static int
compare_values(Contract *c, Datum a, Datum b)
{
	return DatumGetInt32(FunctionCall2Coll(&c->cmp, c->collation, a, b));
}

/* qsort_arg comparator for the allowed values */
static int
compare_allowed(const void *a, const void *b, void *arg)
{
	return compare_values((Contract *) arg, *(const Datum *) a, *(const Datum *) b);
}

static void
compile_range(Contract *c, const char *lower, const char *upper)
{
	find_comparison(c);
	c->has_lower = lower != NULL;
	c->has_upper = upper != NULL;
	if (c->has_lower)
		c->lower = read_literal(c, lower);
	if (c->has_upper)
		c->upper = read_literal(c, upper);
	if (!c->has_lower && !c->has_upper)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a range needs a lower bound, an upper bound or both")));
	if (c->has_lower && c->has_upper && compare_values(c, c->lower, c->upper) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lower bound %s is above upper bound %s", lower, upper)));
}

static void
compile_one_of(Contract *c, ArrayType *allowed)
{
	Datum	   *texts;
	bool	   *nulls;
	int			n;
	int			i;

	find_comparison(c);
	deconstruct_array(allowed, TEXTOID, -1, false, TYPALIGN_INT, &texts, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a set of allowed values must not be empty")));
	c->allowed = palloc(n * sizeof(Datum));
	c->nallowed = 0;
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("a set of allowed values must not contain NULL"),
					 errhint("NULL passes every contract but not_null.")));
		c->allowed[c->nallowed++] = read_literal(c, TextDatumGetCString(texts[i]));
	}
	qsort_arg(c->allowed, c->nallowed, sizeof(Datum), compare_allowed, c);
}

/*
 * member_of: the reference table's unique btree index on the reference
 * column alone, and the equality operator of its operator family between
 * the indexed type and the checked column's type.
 */
static void
compile_member_of(Contract *c, Oid ref_relid, const char *ref_column, Oid owner)
{
	Relation	ref;
	AttrNumber	ref_attnum;
	List	   *indexes;
	ListCell   *lc;
	AclResult	acl;

	ref = table_open(ref_relid, AccessShareLock);
	if (ref->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("reference table \"%s\" is not a plain table", RelationGetRelationName(ref)),
				 errdetail("A membership contract probes one unique index; a partitioned table has one per partition.")));
	ref_attnum = get_attnum(ref_relid, ref_column);
	if (ref_attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						ref_column, RelationGetRelationName(ref))));
	acl = pg_class_aclcheck(ref_relid, owner, ACL_SELECT);
	if (acl != ACLCHECK_OK)
		acl = pg_attribute_aclcheck(ref_relid, ref_attnum, owner, ACL_SELECT);
	if (acl != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("role \"%s\" may not read column \"%s\" of \"%s\"",
						GetUserNameFromId(owner, false), ref_column, RelationGetRelationName(ref)),
				 errdetail("Contracts run with the rights of their table's owner.")));

	/* the probe reads the index directly: it may not see past row-level security */
	if (check_enable_rls(ref_relid, owner, true) != RLS_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("reference table \"%s\" has row-level security for role \"%s\"",
						RelationGetRelationName(ref), GetUserNameFromId(owner, false)),
				 errdetail("A membership contract probes the reference table's index, which row-level security does not filter."),
				 errhint("Use a reference table without row-level security, or one the table's owner is not subject to.")));

	c->ref_relid = ref_relid;
	indexes = RelationGetIndexList(ref);
	foreach(lc, indexes)
	{
		Relation	idx = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index form = idx->rd_index;
		bool		usable = form->indisunique && form->indisvalid && form->indimmediate &&
			form->indnkeyatts == 1 && form->indkey.values[0] == ref_attnum &&
			idx->rd_rel->relam == BTREE_AM_OID &&
			heap_attisnull(idx->rd_indextuple, Anum_pg_index_indpred, NULL) &&
			heap_attisnull(idx->rd_indextuple, Anum_pg_index_indexprs, NULL);

		if (usable)
		{
			Oid			opfamily = idx->rd_opfamily[0];
			Oid			indexed = idx->rd_opcintype[0];
			Oid			subtype = c->atttype;
			Oid			opr = get_opfamily_member(opfamily, indexed, subtype, BTEqualStrategyNumber);

			if (!OidIsValid(opr) && IsBinaryCoercible(c->atttype, indexed))
			{
				subtype = indexed;
				opr = get_opfamily_member(opfamily, indexed, indexed, BTEqualStrategyNumber);
			}
			if (OidIsValid(opr))
			{
				c->ref_index = RelationGetRelid(idx);
				c->eq_proc = get_opcode(opr);
				c->eq_subtype = subtype;
				c->eq_collation = idx->rd_indcollation[0];
				index_close(idx, AccessShareLock);
				break;
			}
			index_close(idx, AccessShareLock);
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of type %s cannot be compared with \"%s\".\"%s\" of type %s",
							c->column, format_type_be(c->atttype), RelationGetRelationName(ref),
							ref_column, format_type_be(indexed)),
					 errdetail("The unique index \"%s\" has no equality operator for these types.",
							   get_rel_name(lfirst_oid(lc)))));
		}
		index_close(idx, AccessShareLock);
	}
	if (!OidIsValid(c->ref_index))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("column \"%s\" of \"%s\" has no unique index",
						ref_column, RelationGetRelationName(ref)),
				 errdetail("A membership contract probes a unique btree index on the reference column alone, without predicate."),
				 errhint("Make the column the table's primary key, or CREATE UNIQUE INDEX on it.")));
	table_close(ref, AccessShareLock);
}

/*
 * May function "funcid" look names up while it runs?  Built-in functions
 * (language internal) do not; SQL, PL and C functions of extensions may.
 */
static bool
looks_up_names(Oid funcid, void *context)
{
	HeapTuple	tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	Oid			lang;

	if (!HeapTupleIsValid(tp))
		return true;
	lang = ((Form_pg_proc) GETSTRUCT(tp))->prolang;
	ReleaseSysCache(tp);
	return lang != INTERNALlanguageId;
}

/* Does expression "node" call such a function anywhere? */
static bool
calls_name_lookups(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (check_functions_in_node(node, looks_up_names, context))
		return true;
	return expression_tree_walker(node, calls_name_lookups, context);
}

/*
 * expression: parsed as the table's owner would parse a CHECK constraint
 * (no subqueries, aggregates or set-returning functions), over the table's
 * row, and compiled.  Must be boolean.
 */
static void
compile_expression(Contract *c, Relation rel, const char *source)
{
	char	   *sql = psprintf("SELECT (%s\n)", source);
	List	   *raw = raw_parser(sql, RAW_PARSE_DEFAULT);
	SelectStmt *stmt;
	ResTarget  *target;
	ParseState *pstate;
	ParseNamespaceItem *nsitem;
	Node	   *node;
	Expr	   *planned;
	Bitmapset  *attrs = NULL;

	stmt = list_length(raw) == 1 ? (SelectStmt *) ((RawStmt *) linitial(raw))->stmt : NULL;
	if (stmt == NULL || !IsA(stmt, SelectStmt) || stmt->op != SETOP_NONE ||
		list_length(stmt->targetList) != 1 || stmt->fromClause != NIL ||
		stmt->whereClause != NULL || stmt->groupClause != NIL || stmt->havingClause != NULL ||
		stmt->windowClause != NIL || stmt->distinctClause != NIL || stmt->sortClause != NIL ||
		stmt->limitCount != NULL || stmt->limitOffset != NULL || stmt->lockingClause != NIL ||
		stmt->withClause != NULL || stmt->intoClause != NULL || stmt->valuesLists != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("contract expression must be a single expression"),
				 errdetail("The expression is: %s", source)));
	target = linitial_node(ResTarget, stmt->targetList);

	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = sql;
	nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock, NULL, false, true);
	addNSItemToQuery(pstate, nsitem, true, true, true);
	node = transformExpr(pstate, target->val, EXPR_KIND_CHECK_CONSTRAINT);
	if (exprType(node) != BOOLOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("contract expression must be of type boolean, not %s",
						format_type_be(exprType(node))),
				 errdetail("The expression is: %s", source)));
	assign_expr_collations(pstate, node);
	free_parsestate(pstate);

	pull_varattnos(node, 1, &attrs);
	c->all_columns = bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs);
	c->columns = attrs;
	planned = expression_planner((Expr *) node);
	c->expr = ExecInitExpr(planned, NULL);
	c->needs_search_path = calls_name_lookups((Node *) planned, NULL);
}

/* Switch to role "owner" in a security-restricted operation. */
typedef struct AsOwner
{
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;
} AsOwner;

static void
become_owner(AsOwner *as, Oid owner, const char *search_path)
{
	GetUserIdAndSecContext(&as->save_userid, &as->save_sec_context);
	SetUserIdAndSecContext(owner, as->save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	as->save_nestlevel = -1;
	if (search_path != NULL)
	{
		as->save_nestlevel = NewGUCNestLevel();
		(void) set_config_option("search_path", search_path, PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	}
}

static void
stop_being_owner(AsOwner *as)
{
	if (as->save_nestlevel >= 0)
		AtEOXact_GUC(false, as->save_nestlevel);
	SetUserIdAndSecContext(as->save_userid, as->save_sec_context);
}


/* The owner of table relid, or InvalidOid when it is gone. */
static Oid
owner_of_table(Oid relid)
{
	HeapTuple	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tp))
		return InvalidOid;
	owner = ((Form_pg_class) GETSTRUCT(tp))->relowner;
	ReleaseSysCache(tp);
	return owner;
}

static ContractKind
kind_of(const char *kind)
{
	if (strcmp(kind, "email_shape") == 0)
		return CONTRACT_EMAIL_SHAPE;
	if (strcmp(kind, "member_of") == 0)
		return CONTRACT_MEMBER_OF;
	if (strcmp(kind, "not_null") == 0)
		return CONTRACT_NOT_NULL;
	if (strcmp(kind, "range") == 0)
		return CONTRACT_RANGE;
	if (strcmp(kind, "one_of") == 0)
		return CONTRACT_ONE_OF;
	if (strcmp(kind, "expression") == 0)
		return CONTRACT_EXPRESSION;
	elog(ERROR, "unknown contract kind \"%s\"", kind);
	return CONTRACT_NOT_NULL;	/* keep compiler quiet */
}

/*
 * Compile contract row (values, nulls) of slo.contract for table rel, as
 * the table's owner, into c (in the current memory context).
 */
static void
compile_contract(Contract *c, Relation rel, Datum *values, bool *nulls)
{
	ErrorContextCallback errcallback;
	AsOwner		as;
	char	   *kind = TextDatumGetCString(values[CC_KIND]);
	Oid			owner;

	memset(c, 0, sizeof(Contract));
	c->id = DatumGetInt64(values[CC_ID]);
	/* the rights of the owner of the table the contract is defined on (a
	 * partition may have another owner) */
	c->defined_on = DatumGetObjectId(values[CC_TBL]);
	owner = owner_of_table(c->defined_on);
	if (!OidIsValid(owner))
		owner = rel->rd_rel->relowner;
	c->owner = owner;
	c->name = TextDatumGetCString(values[CC_NAME]);
	c->kind = kind_of(kind);
	c->enforce = strcmp(TextDatumGetCString(values[CC_MODE]), "enforce") == 0;
	c->search_path = slo_trusted_search_path(owner, text_or_null(values, nulls, CC_SEARCH_PATH));

	errcallback.callback = compile_error_callback;
	errcallback.arg = c->name;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	become_owner(&as, owner, c->search_path);

	if (c->kind != CONTRACT_EXPRESSION)
	{
		if (nulls[CC_COLUMN])
			elog(ERROR, "contract \"%s\" names no column", c->name);
		c->column = pstrdup(NameStr(*DatumGetName(values[CC_COLUMN])));
		find_column(c, rel);
	}
	switch (c->kind)
	{
		case CONTRACT_EMAIL_SHAPE:
			if (!IsBinaryCoercible(c->atttype, TEXTOID))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("column \"%s\" of type %s cannot hold an e-mail address",
								c->column, format_type_be(c->atttype)),
						 errhint("An e-mail shape is checked on text or varchar columns.")));
			break;
		case CONTRACT_MEMBER_OF:
			if (nulls[CC_REF_TABLE] || nulls[CC_REF_COLUMN])
				elog(ERROR, "contract \"%s\" names no reference", c->name);
			compile_member_of(c, DatumGetObjectId(values[CC_REF_TABLE]),
							  NameStr(*DatumGetName(values[CC_REF_COLUMN])), owner);
			break;
		case CONTRACT_NOT_NULL:
			break;
		case CONTRACT_RANGE:
			compile_range(c, text_or_null(values, nulls, CC_LOWER), text_or_null(values, nulls, CC_UPPER));
			break;
		case CONTRACT_ONE_OF:
			if (nulls[CC_ALLOWED])
				elog(ERROR, "contract \"%s\" has no allowed values", c->name);
			compile_one_of(c, DatumGetArrayTypeP(values[CC_ALLOWED]));
			break;
		case CONTRACT_EXPRESSION:
			if (nulls[CC_EXPRESSION])
				elog(ERROR, "contract \"%s\" has no expression", c->name);
			compile_expression(c, rel, TextDatumGetCString(values[CC_EXPRESSION]));
			break;
	}

	stop_being_owner(&as);
	error_context_stack = errcallback.previous;
}

/* ------------------------------------------------------------------------
 * The contracts of one table
 * ------------------------------------------------------------------------
 */

static int
compare_contract_ids(const void *a, const void *b)
{
	int64		x = ((const Contract *) a)->id;
	int64		y = ((const Contract *) b)->id;

	return (x > y) - (x < y);
}

/* Does contract row "tbl" apply to rel (its own, or an ancestor's)? */
static bool
applies_to(Oid tbl, Oid relid, List *ancestors)
{
	return tbl == relid || list_member_oid(ancestors, tbl);
}

static void
load_contracts(TableContracts *tc, Relation rel, bool include_disabled)
{
	Oid			relid = contract_table();
	Relation	crel;
	TableScanDesc scan;
	HeapTuple	tuple;
	Snapshot	snapshot;
	List	   *ancestors = NIL;
	int			allocated = 4;
	Bitmapset  *pkattrs;
	int			attno;

	tc->ncontracts = 0;
	tc->contracts = palloc(allocated * sizeof(Contract));

	/* the primary key, for the row key of a violation */
	pkattrs = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	tc->npk = 0;
	tc->pk = palloc((bms_num_members(pkattrs) + 1) * sizeof(AttrNumber));
	attno = -1;
	while ((attno = bms_next_member(pkattrs, attno)) >= 0)
		tc->pk[tc->npk++] = attno + FirstLowInvalidHeapAttributeNumber;

	if (!OidIsValid(relid))
		return;					/* slo is being dropped */
	if (rel->rd_rel->relispartition)
		ancestors = get_partition_ancestors(RelationGetRelid(rel));

	crel = table_open(relid, AccessShareLock);
	if (RelationGetDescr(crel)->natts != CC_NATTS)
		elog(ERROR, "slo.contract has %d columns, not %d", RelationGetDescr(crel)->natts, CC_NATTS);
	for (attno = 0; attno < CC_NATTS; attno++)
		if (TupleDescAttr(RelationGetDescr(crel), attno)->atttypid != contract_column_types[attno])
			elog(ERROR, "column %d of slo.contract is not of type %s", attno + 1,
				 format_type_be(contract_column_types[attno]));
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	scan = table_beginscan(crel, snapshot, 0, NULL);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Datum		values[CC_NATTS];
		bool		nulls[CC_NATTS];

		heap_deform_tuple(tuple, RelationGetDescr(crel), values, nulls);
		if (!applies_to(DatumGetObjectId(values[CC_TBL]), RelationGetRelid(rel), ancestors))
			continue;
		if (!include_disabled && !DatumGetBool(values[CC_ENABLED]))
			continue;
		if (tc->ncontracts == allocated)
		{
			allocated *= 2;
			tc->contracts = repalloc(tc->contracts, allocated * sizeof(Contract));
		}
		compile_contract(&tc->contracts[tc->ncontracts], rel, values, nulls);
		tc->ncontracts++;
	}
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(crel, AccessShareLock);
	/* checked in the order they were made, whatever the heap's order */
	if (tc->ncontracts > 1)
		qsort(tc->contracts, tc->ncontracts, sizeof(Contract), compare_contract_ids);

	tc->econtext = CreateStandaloneExprContext();
	tc->slot = MakeSingleTupleTableSlot(CreateTupleDescCopy(RelationGetDescr(rel)), &TTSOpsHeapTuple);
}

/*
 * The compiled contracts of rel, compiled now if they are not (or stale).
 * A stale set is retired, not freed: a check in progress (a nested write)
 * may still read it; retired sets are freed at the end of the transaction.
 */
static TableContracts *
contracts_of(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	ContractCacheEntry *entry;
	TableContracts *tc;
	bool		found;
	MemoryContext cxt;
	MemoryContext old;
	uint64		seen;

	register_callbacks();
	entry = hash_search(contract_cache, &relid, HASH_ENTER, &found);
	if (!found)
	{
		entry->current = NULL;
		entry->invalidations = 0;
	}
	if (entry->current != NULL && entry->current->valid)
		return entry->current;
	if (entry->current != NULL)
	{
		MemoryContext top = MemoryContextSwitchTo(TopMemoryContext);

		retired_contexts = lappend(retired_contexts, entry->current->cxt);
		MemoryContextSwitchTo(top);
		entry->current = NULL;
	}

	seen = entry->invalidations;
	cxt = AllocSetContextCreate(CacheMemoryContext, "slo contracts of a table", ALLOCSET_SMALL_SIZES);
	MemoryContextCopyAndSetIdentifier(cxt, RelationGetRelationName(rel));
	old = MemoryContextSwitchTo(cxt);
	tc = palloc0(sizeof(TableContracts));
	tc->cxt = cxt;
	PG_TRY();
	{
		load_contracts(tc, rel, false);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(old);
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	/* an invalidation that came while compiling: use it once, then rebuild */
	tc->valid = (entry->invalidations == seen);
	entry = hash_search(contract_cache, &relid, HASH_FIND, &found);
	if (found)
	{
		if (entry->current != NULL)
		{
			MemoryContext top = MemoryContextSwitchTo(TopMemoryContext);

			retired_contexts = lappend(retired_contexts, entry->current->cxt);
			MemoryContextSwitchTo(top);
		}
		entry->current = tc;
	}
	else
	{
		MemoryContext top = MemoryContextSwitchTo(TopMemoryContext);

		retired_contexts = lappend(retired_contexts, cxt);
		MemoryContextSwitchTo(top);
	}
	return tc;
}

/* ------------------------------------------------------------------------
 * Checking a row
 * ------------------------------------------------------------------------
 */

/* Is the value of member_of contract c in the reference table? */
static bool
reference_has(Contract *c, Datum value)
{
	Relation	heap = table_open(c->ref_relid, AccessShareLock);
	Relation	idx = index_open(c->ref_index, AccessShareLock);
	ScanKeyData key;
	IndexScanDesc scan;
	ItemPointer tid;
	bool		found = false;
	Snapshot	snapshot = GetActiveSnapshot();

	ScanKeyEntryInitialize(&key, 0, 1, BTEqualStrategyNumber, c->eq_subtype,
						   c->eq_collation, c->eq_proc, value);
	scan = index_beginscan(heap, idx, snapshot, 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	while (!found && (tid = index_getnext_tid(scan, ForwardScanDirection)) != NULL)
	{
		bool		all_dead = false;

		found = table_index_fetch_tuple_check(heap, tid, snapshot, &all_dead);
	}
	index_endscan(scan);
	index_close(idx, AccessShareLock);
	table_close(heap, AccessShareLock);
	return found;
}

static bool
email_shape_ok(Datum value)
{
	static text *pattern = NULL;

	if (pattern == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		pattern = cstring_to_text(SLO_EMAIL_PATTERN);
		MemoryContextSwitchTo(old);
	}
	return DatumGetBool(DirectFunctionCall2Coll(texticregexeq, C_COLLATION_OID, value,
												PointerGetDatum(pattern)));
}

/* Does the row (in tc->slot) pass contract c? */
static bool
passes(TableContracts *tc, Contract *c, HeapTuple tuple, TupleDesc desc)
{
	Datum		value = (Datum) 0;
	bool		isnull = false;
	int			lo,
				hi;

	if (c->kind != CONTRACT_EXPRESSION)
	{
		value = heap_getattr(tuple, c->attnum, desc, &isnull);
		if (isnull)
			return c->kind != CONTRACT_NOT_NULL;	/* NULL passes all but not_null */
	}
	switch (c->kind)
	{
		case CONTRACT_EMAIL_SHAPE:
			return email_shape_ok(value);
		case CONTRACT_MEMBER_OF:
			return reference_has(c, value);
		case CONTRACT_NOT_NULL:
			return true;
		case CONTRACT_RANGE:
			return (!c->has_lower || compare_values(c, value, c->lower) >= 0) &&
				(!c->has_upper || compare_values(c, value, c->upper) <= 0);
		case CONTRACT_ONE_OF:
			lo = 0;
			hi = c->nallowed - 1;
			while (lo <= hi)
			{
				int			mid = (lo + hi) / 2;
				int			cmp = compare_values(c, value, c->allowed[mid]);

				if (cmp == 0)
					return true;
				if (cmp < 0)
					hi = mid - 1;
				else
					lo = mid + 1;
			}
			return false;
		case CONTRACT_EXPRESSION:
			{
				Datum		result;

				ExecStoreHeapTuple(tuple, tc->slot, false);
				tc->econtext->ecxt_scantuple = tc->slot;
				result = ExecEvalExprSwitchContext(c->expr, tc->econtext, &isnull);
				ResetExprContext(tc->econtext);
				ExecClearTuple(tc->slot);
				/* NULL passes, as in a CHECK constraint */
				return isnull || DatumGetBool(result);
			}
	}
	return false;
}

/* Did the UPDATE change a column that contract c reads? */
static bool
columns_changed(Contract *c, HeapTuple oldtuple, HeapTuple newtuple, TupleDesc desc)
{
	int			attno = -1;

	if (c->all_columns)
		return true;
	while ((attno = bms_next_member(c->columns, attno)) >= 0)
	{
		AttrNumber	att = attno + FirstLowInvalidHeapAttributeNumber;
		Form_pg_attribute form;
		bool		oldnull,
					newnull;
		Datum		oldv,
					newv;

		if (att <= 0)
			return true;		/* a system column: check again */
		form = TupleDescAttr(desc, att - 1);
		oldv = heap_getattr(oldtuple, att, desc, &oldnull);
		newv = heap_getattr(newtuple, att, desc, &newnull);
		if (oldnull != newnull)
			return true;
		if (!oldnull && !datumIsEqual(oldv, newv, form->attbyval, form->attlen))
			return true;
	}
	return false;
}

/* A column's value as text for a message, shortened; NULL as "null". */
static char *
shown_value(HeapTuple tuple, TupleDesc desc, AttrNumber att)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, att, desc, &isnull);
	Oid			typoutput;
	bool		varlena;
	char	   *s;

	if (isnull)
		return NULL;
	getTypeOutputInfo(TupleDescAttr(desc, att - 1)->atttypid, &typoutput, &varlena);
	s = OidOutputFunctionCall(typoutput, value);
	if (strlen(s) > SLO_MAX_SHOWN_VALUE)
	{
		int			len = pg_mbcliplen(s, strlen(s), SLO_MAX_SHOWN_VALUE);

		s[len] = '\0';
		s = psprintf("%s...", s);
	}
	return s;
}

/* The columns a contract reads, as attribute numbers (all, for a whole row). */
static List *
contract_attnums(Contract *c, TupleDesc desc)
{
	List	   *atts = NIL;
	int			attno = -1;
	int			i;

	if (c->all_columns)
	{
		for (i = 0; i < desc->natts; i++)
			if (!TupleDescAttr(desc, i)->attisdropped)
				atts = lappend_int(atts, i + 1);
		return atts;
	}
	while ((attno = bms_next_member(c->columns, attno)) >= 0)
		if (attno + FirstLowInvalidHeapAttributeNumber > 0)
			atts = lappend_int(atts, attno + FirstLowInvalidHeapAttributeNumber);
	return atts;
}

/* {"column": "value", ...} of the given columns, as jsonb */
static Datum
columns_as_jsonb(HeapTuple tuple, TupleDesc desc, List *atts)
{
	StringInfoData buf;
	ListCell   *lc;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	foreach(lc, atts)
	{
		AttrNumber	att = lfirst_int(lc);
		char	   *v = shown_value(tuple, desc, att);

		if (!first)
			appendStringInfoString(&buf, ", ");
		first = false;
		escape_json(&buf, NameStr(TupleDescAttr(desc, att - 1)->attname));
		appendStringInfoString(&buf, ": ");
		if (v == NULL)
			appendStringInfoString(&buf, "null");
		else
			escape_json(&buf, v);
	}
	appendStringInfoChar(&buf, '}');
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

/* "email = 'x'" for the message of a rejected row */
static char *
describe_values(HeapTuple tuple, TupleDesc desc, List *atts)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, atts)
	{
		AttrNumber	att = lfirst_int(lc);
		char	   *v = shown_value(tuple, desc, att);

		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfo(&buf, "%s = %s", quote_identifier(NameStr(TupleDescAttr(desc, att - 1)->attname)),
						 v == NULL ? "NULL" : quote_literal_cstr(v));
	}
	return buf.data;
}

/* ------------------------------------------------------------------------
 * What the trigger keeps: violations and tallies
 * ------------------------------------------------------------------------
 */

static const Oid violation_column_types[] = {INT8OID, REGCLASSOID, JSONBOID, JSONBOID, TIMESTAMPTZOID, NAMEOID};
static const Oid tally_column_types[] = {INT8OID, TIMESTAMPTZOID, INT8OID, INT8OID};

/*
 * Open one of slo's unindexed tables for a heap insert, checking its shape;
 * NULL when slo is being dropped.
 */
static Relation
open_slo_table(Oid *cached, const char *nsp, const char *name, const Oid *types, int natts)
{
	Relation	rel;

	if (!OidIsValid(*cached))
		*cached = slo_member_table(nsp, name);
	if (!OidIsValid(*cached))
		return NULL;
	rel = try_relation_open(*cached, RowExclusiveLock);
	if (rel == NULL)
	{
		*cached = slo_member_table(nsp, name);
		if (!OidIsValid(*cached))
			return NULL;
		rel = table_open(*cached, RowExclusiveLock);
	}
	slo_check_heap_table(rel, types, natts);
	return rel;
}

static void
log_violation(TableContracts *tc, Contract *c, Relation rel, HeapTuple tuple)
{
	Relation	vrel = open_slo_table(&violation_table_oid, "slo", "contract_violation",
									  violation_column_types, lengthof(violation_column_types));
	TupleDesc	desc = RelationGetDescr(rel);
	List	   *keys = NIL;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	HeapTuple	vtuple;
	int			i;
	NameData	writer;

	if (vrel == NULL)
		return;
	for (i = 0; i < tc->npk; i++)
		keys = lappend_int(keys, tc->pk[i]);
	values[0] = Int64GetDatum(c->id);
	values[1] = ObjectIdGetDatum(RelationGetRelid(rel));
	if (keys == NIL)
		nulls[2] = true;
	else
		values[2] = columns_as_jsonb(tuple, desc, keys);
	values[3] = columns_as_jsonb(tuple, desc, contract_attnums(c, desc));
	values[4] = TimestampTzGetDatum(GetCurrentStatementStartTimestamp());
	namestrcpy(&writer, GetUserNameFromId(GetUserId(), false));
	values[5] = NameGetDatum(&writer);
	vtuple = heap_form_tuple(RelationGetDescr(vrel), values, nulls);
	simple_heap_insert(vrel, vtuple);
	heap_freetuple(vtuple);
	table_close(vrel, RowExclusiveLock);
}

static void
count_check(int64 contract_id, int64 minute, bool failed)
{
	SubTransactionId subid = GetCurrentSubTransactionId();
	TallyEntry *e;

	for (e = tally_entries; e != NULL; e = e->next)
		if (e->contract_id == contract_id && e->minute == minute && e->subid == subid)
			break;
	if (e == NULL)
	{
		e = MemoryContextAllocZero(TopTransactionContext, sizeof(TallyEntry));
		e->contract_id = contract_id;
		e->minute = minute;
		e->subid = subid;
		e->next = tally_entries;
		tally_entries = e;
	}
	e->checked++;
	if (failed)
		e->failed++;
}

/* At commit: one row per contract and minute into slo_internal.contract_tally. */
static void
write_tallies(void)
{
	Relation	rel = open_slo_table(&tally_table_oid, "slo_internal", "contract_tally",
									 tally_column_types, lengthof(tally_column_types));
	TallyEntry *e;
	TallyEntry *f;

	if (rel == NULL)
		return;
	for (e = tally_entries; e != NULL; e = e->next)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};
		HeapTuple	tuple;

		if (e->checked == 0)
			continue;
		/* fold entries of other (committed) subtransactions into this one */
		for (f = e->next; f != NULL; f = f->next)
			if (f->contract_id == e->contract_id && f->minute == e->minute)
			{
				e->checked += f->checked;
				e->failed += f->failed;
				f->checked = 0;
				f->failed = 0;
			}
		values[0] = Int64GetDatum(e->contract_id);
		values[1] = TimestampTzGetDatum(e->minute * USECS_PER_MINUTE_I64);
		values[2] = Int64GetDatum(e->checked);
		values[3] = Int64GetDatum(e->failed);
		tuple = heap_form_tuple(RelationGetDescr(rel), values, nulls);
		simple_heap_insert(rel, tuple);
		heap_freetuple(tuple);
	}
	table_close(rel, RowExclusiveLock);
}

static void
contracts_xact_callback(XactEvent event, void *arg)
{
	ListCell   *lc;

	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			if (tally_entries != NULL)
				write_tallies();
			tally_entries = NULL;
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			tally_entries = NULL;
			/* no check can be running now */
			foreach(lc, retired_contexts)
				MemoryContextDelete((MemoryContext) lfirst(lc));
			list_free(retired_contexts);
			retired_contexts = NIL;
			break;
		default:
			break;
	}
}

/* An aborted subtransaction takes its counts away; a committed one hands them up. */
static void
contracts_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						   SubTransactionId parentSubid, void *arg)
{
	TallyEntry **link = &tally_entries;

	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	while (*link != NULL)
	{
		TallyEntry *e = *link;
		TallyEntry *f;

		if (e->subid != mySubid)
		{
			link = &e->next;
			continue;
		}
		if (event == SUBXACT_EVENT_COMMIT_SUB)
		{
			/* into the parent's entry of the same contract and minute, if any */
			for (f = tally_entries; f != NULL; f = f->next)
				if (f->subid == parentSubid && f->contract_id == e->contract_id && f->minute == e->minute)
					break;
			if (f == NULL)
			{
				e->subid = parentSubid;
				link = &e->next;
				continue;
			}
			f->checked += e->checked;
			f->failed += e->failed;
		}
		*link = e->next;
		pfree(e);
	}
}

/* ------------------------------------------------------------------------
 * The trigger
 * ------------------------------------------------------------------------
 */

/* Minutes since 2000-01-01 00:00 UTC, rounded down. */
static int64
minute_number(TimestampTz ts)
{
	int64		m = ts / USECS_PER_MINUTE_I64;

	if (ts < 0 && ts % USECS_PER_MINUTE_I64 != 0)
		m--;
	return m;
}

static void
check_trigger_call(FunctionCallInfo fcinfo)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent event;

	slo_require_trigger_call(fcinfo, "check_contracts");
	event = trigdata->tg_event;
	if (!TRIGGER_FIRED_BEFORE(event) || !TRIGGER_FIRED_FOR_ROW(event) ||
		!(TRIGGER_FIRED_BY_INSERT(event) || TRIGGER_FIRED_BY_UPDATE(event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on relation \"%s\" is not slo's contract trigger",
						trigdata->tg_trigger->tgname, RelationGetRelationName(trigdata->tg_relation)),
				 errdetail("This function runs only as BEFORE INSERT OR UPDATE ... FOR EACH ROW."),
				 errhint("Let slo.add_contract() put the trigger on the table.")));
}

static void
reject_row(Contract *c, Relation rel, HeapTuple tuple)
{
	TupleDesc	desc = RelationGetDescr(rel);
	char	   *values = describe_values(tuple, desc, contract_attnums(c, desc));

	if (c->kind == CONTRACT_EXPRESSION)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("new row for relation \"%s\" violates contract \"%s\"",
						RelationGetRelationName(rel), c->name),
				 errdetail("The row has %s.", values),
				 errtable(rel)));
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("new row for relation \"%s\" violates contract \"%s\"",
					RelationGetRelationName(rel), c->name),
			 errdetail("Column \"%s\" has %s.", c->column,
					   strchr(values, '=') != NULL ? strchr(values, '=') + 2 : values),
			 errtablecol(rel, c->attnum)));
}

/*
 * check_contracts() returns trigger
 *
 * BEFORE INSERT OR UPDATE ... FOR EACH ROW on a table with contracts.
 * Returns the row unchanged, or rejects it (enforce), or logs it (record).
 */
PG_FUNCTION_INFO_V1(check_contracts);
Datum
check_contracts(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TableContracts *tc;
	HeapTuple	tuple;
	HeapTuple	oldtuple = NULL;
	TupleDesc	desc;
	int64		minute;
	AsOwner		as;
	int			i;

	check_trigger_call(fcinfo);
	rel = trigdata->tg_relation;
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		tuple = trigdata->tg_newtuple;
		oldtuple = trigdata->tg_trigtuple;
	}
	else
		tuple = trigdata->tg_trigtuple;

	tc = contracts_of(rel);
	if (tc->ncontracts == 0)
		return PointerGetDatum(tuple);
	desc = RelationGetDescr(rel);
	minute = minute_number(GetCurrentStatementStartTimestamp());

	for (i = 0; i < tc->ncontracts; i++)
	{
		Contract   *c = &tc->contracts[i];
		bool		ok;

		if (oldtuple != NULL && !columns_changed(c, oldtuple, tuple, desc))
			continue;
		if (c->kind == CONTRACT_MEMBER_OF || c->kind == CONTRACT_EXPRESSION)
		{
			/* as the table's owner; back as the writer before anything else */
			become_owner(&as, c->owner, c->needs_search_path ? c->search_path : NULL);
			ok = passes(tc, c, tuple, desc);
			stop_being_owner(&as);
		}
		else
			ok = passes(tc, c, tuple, desc);
		if (!ok && c->enforce)
			reject_row(c, rel, tuple);
		count_check(c->id, minute, !ok);
		if (!ok)
			log_violation(tc, c, rel, tuple);
	}
	return PointerGetDatum(tuple);
}

/*
 * compile_contracts(tbl regclass, include_disabled bool) returns int
 *
 * Compiles the contracts of table tbl as its trigger would (as the table's
 * owner), so that a bad definition is reported when it is made; returns
 * how many there are.  With include_disabled, disabled ones too.
 */
PG_FUNCTION_INFO_V1(compile_contracts);
Datum
compile_contracts(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	bool		include_disabled = PG_GETARG_BOOL(1);
	Relation	rel = table_open(relid, AccessShareLock);
	TableContracts tc;

	memset(&tc, 0, sizeof(tc));
	load_contracts(&tc, rel, include_disabled);
	FreeExprContext(tc.econtext, true);
	ExecDropSingleTupleTableSlot(tc.slot);
	table_close(rel, AccessShareLock);
	PG_RETURN_INT32(tc.ncontracts);
}

/*
 * contracts_changed(tbl regclass) returns void
 *
 * Tells every backend, at commit, that the contracts of tbl changed (a
 * relcache invalidation of the table), so that they compile them again.
 */
PG_FUNCTION_INFO_V1(contracts_changed);
Datum
contracts_changed(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);

	if (SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
		CacheInvalidateRelcacheByRelid(relid);
	PG_RETURN_VOID();
}

/*
 * email_pattern() returns text: the pattern the e-mail shape is checked
 * with, for the SQL that checks rows already there.
 */
PG_FUNCTION_INFO_V1(email_pattern);
Datum
email_pattern(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(SLO_EMAIL_PATTERN));
}
