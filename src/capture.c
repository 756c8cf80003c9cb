/*-------------------------------------------------------------------------
 *
 * capture.c
 *	  The trigger slo puts on every source table: which minutes of which
 *	  time column the transaction changed, written once at commit.
 *
 * slo.attach_triggers() creates, on a table that objectives read (and on
 * each of its partitions), four AFTER ... FOR EACH STATEMENT triggers that
 * call capture(): on INSERT with the transition table of the new rows, on
 * UPDATE with both, on DELETE with the old rows, and on TRUNCATE.  Their
 * arguments name the table's time columns (those of its objectives).
 *
 * For each statement capture() reads the transition tables directly (no
 * SQL, no name lookup), and for each row and time column adds the minute
 * of the row to a small set of minute ranges kept in memory for the
 * transaction: O(1) per row, whatever the number of objectives.  At commit
 * (and at PREPARE TRANSACTION) one row per table and time column goes into
 * slo_internal.invalidation: the changed minutes as a tstzmultirange.  The
 * row is written directly into the heap, as PostgreSQL writes its catalogs:
 * the writer needs no privilege on that table, and no SQL runs with rights
 * other than the writer's.  A transaction that aborts leaves nothing; a
 * subtransaction that aborts may leave minutes noted that did not change,
 * which only costs the tick a recount that finds the same numbers.
 *
 * note_all_changed() notes a whole table, as a TRUNCATE does, for rows that
 * came or went without DML (ATTACH and DETACH PARTITION).
 *
 * The set of ranges is bounded (SLO_CAPTURE_MAX_RANGES); when it is full,
 * the two closest ranges are merged, so a transaction touching many
 * scattered minutes notes a few wider ranges: more to recount, never less.
 *
 * src/capture.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/multirangetypes.h"
#include "utils/rangetypes.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

#include "slo.h"

/* Ranges of changed minutes kept per table and time column. */
#define SLO_CAPTURE_MAX_RANGES	32

/* Minute numbers are minutes since 2000-01-01 00:00 UTC (may be negative). */
#define USECS_PER_MINUTE_I64	INT64CONST(60000000)

/* The changed minutes of one time column of one table, in this transaction. */
typedef struct CaptureEntry
{
	Oid			relid;			/* the table the triggers fired on */
	NameData	column;			/* its time column */
	bool		everything;		/* TRUNCATE: every minute */
	int			nranges;
	int			last;			/* the range the last minute fell in */
	int64		lo[SLO_CAPTURE_MAX_RANGES + 1];	/* first minute of each range */
	int64		hi[SLO_CAPTURE_MAX_RANGES + 1];	/* last minute of each range */
	struct CaptureEntry *next;
} CaptureEntry;

/* This transaction's entries, in TopTransactionContext; NULL when none. */
static CaptureEntry *capture_entries = NULL;
static bool capture_callback_registered = false;

static void capture_xact_callback(XactEvent event, void *arg);

/*
 * The entry of (relid, column), made on first use in TopTransactionContext.
 */
static CaptureEntry *
capture_entry(Oid relid, const char *column)
{
	CaptureEntry *e;

	for (e = capture_entries; e != NULL; e = e->next)
		if (e->relid == relid && strcmp(NameStr(e->column), column) == 0)
			return e;

	e = MemoryContextAllocZero(TopTransactionContext, sizeof(CaptureEntry));
	e->relid = relid;
	namestrcpy(&e->column, column);
	e->next = capture_entries;
	capture_entries = e;
	return e;
}

/*
 * Merge the two ranges closest to each other, so that at most
 * SLO_CAPTURE_MAX_RANGES remain.
 */
static void
merge_closest_ranges(CaptureEntry *e)
{
	int			best = 0;
	int64		best_gap = PG_INT64_MAX;
	int			i;

	for (i = 0; i + 1 < e->nranges; i++)
	{
		int64		gap = e->lo[i + 1] - e->hi[i];

		if (gap < best_gap)
		{
			best_gap = gap;
			best = i;
		}
	}
	e->hi[best] = e->hi[best + 1];
	for (i = best + 1; i + 1 < e->nranges; i++)
	{
		e->lo[i] = e->lo[i + 1];
		e->hi[i] = e->hi[i + 1];
	}
	e->nranges--;
	e->last = best;
}

/*
 * Note minute m.  The ranges are sorted and disjoint, and stay so; ranges
 * that touch are joined.  Most rows of a statement fall in the minute of
 * the row before, which costs one comparison.
 */
static void
note_minute(CaptureEntry *e, int64 m)
{
	int			lo,
				hi,
				i;

	if (e->nranges > 0 && m >= e->lo[e->last] && m <= e->hi[e->last])
		return;

	/* the first range whose end is at or after m - 1 */
	lo = 0;
	hi = e->nranges;
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (e->hi[mid] < m - 1)
			lo = mid + 1;
		else
			hi = mid;
	}
	i = lo;

	if (i < e->nranges && m >= e->lo[i] - 1)
	{
		/* m is in range i or touches it */
		if (m < e->lo[i])
			e->lo[i] = m;
		if (m > e->hi[i])
		{
			e->hi[i] = m;
			/* it may now touch the next one */
			if (i + 1 < e->nranges && e->lo[i + 1] <= m + 1)
			{
				int			j;

				e->hi[i] = e->hi[i + 1];
				for (j = i + 1; j + 1 < e->nranges; j++)
				{
					e->lo[j] = e->lo[j + 1];
					e->hi[j] = e->hi[j + 1];
				}
				e->nranges--;
			}
		}
		e->last = i;
		return;
	}

	/* a range of its own, before range i */
	memmove(&e->lo[i + 1], &e->lo[i], (e->nranges - i) * sizeof(int64));
	memmove(&e->hi[i + 1], &e->hi[i], (e->nranges - i) * sizeof(int64));
	e->lo[i] = m;
	e->hi[i] = m;
	e->nranges++;
	e->last = i;
	if (e->nranges > SLO_CAPTURE_MAX_RANGES)
		merge_closest_ranges(e);
}

/* The minute number of a finite timestamptz. */
static inline int64
minute_number(TimestampTz ts)
{
	int64		m = ts / USECS_PER_MINUTE_I64;

	if (ts % USECS_PER_MINUTE_I64 < 0)
		m--;
	return m;
}

/*
 * Add the minutes of every row of a transition table to the entries, one
 * per time column.
 */
static void
note_rows(Tuplestorestate *rows, TupleDesc tupdesc, int ncolumns,
		  const AttrNumber *attnums, CaptureEntry **entries)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(tupdesc, &TTSOpsMinimalTuple);
	int			ptr = tuplestore_alloc_read_pointer(rows, 0);

	tuplestore_select_read_pointer(rows, ptr);
	tuplestore_rescan(rows);
	while (tuplestore_gettupleslot(rows, true, false, slot))
	{
		int			c;

		for (c = 0; c < ncolumns; c++)
		{
			bool		isnull;
			Datum		d;
			TimestampTz ts;

			/* every minute is noted already (TRUNCATE, or no such column) */
			if (entries[c]->everything)
				continue;
			d = slot_getattr(slot, attnums[c], &isnull);
			if (isnull)
				continue;
			ts = DatumGetTimestampTz(d);
			/* no window holds an infinite time */
			if (TIMESTAMP_NOT_FINITE(ts))
				continue;
			note_minute(entries[c], minute_number(ts));
		}
	}
	ExecDropSingleTupleTableSlot(slot);
}

/*
 * Refuse to run unless fired as one of the triggers attach_triggers()
 * creates: AFTER ... FOR EACH STATEMENT, with the transition tables its
 * event needs.  (The notes it writes
 * name only the table it fired on, so a role that attaches it to a table
 * of its own can only make the tick recount that table's objectives.)
 */
static void
check_capture_call(FunctionCallInfo fcinfo)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent event;

	slo_require_trigger_call(fcinfo, "capture");
	event = trigdata->tg_event;
	if (!TRIGGER_FIRED_AFTER(event) || !TRIGGER_FIRED_FOR_STATEMENT(event) ||
		((TRIGGER_FIRED_BY_INSERT(event) || TRIGGER_FIRED_BY_UPDATE(event)) &&
		 trigdata->tg_newtable == NULL) ||
		((TRIGGER_FIRED_BY_DELETE(event) || TRIGGER_FIRED_BY_UPDATE(event)) &&
		 trigdata->tg_oldtable == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on relation \"%s\" is not one of slo's capture triggers",
						trigdata->tg_trigger->tgname, RelationGetRelationName(trigdata->tg_relation)),
				 errdetail("This function runs only as the statement triggers slo.attach_triggers() creates, with their transition tables."),
				 errhint("Let slo.define_objective() or slo.attach_triggers() put the triggers on the table.")));
}

/*
 * The attribute number of time column "name" of tupdesc, or
 * InvalidAttrNumber when the table has no such column of type timestamptz
 * (it was dropped, renamed or retyped since the triggers were made).  The
 * writer's statement must not fail for that: the caller notes every minute
 * instead, and the tick reports the objectives that can no longer count.
 */
static AttrNumber
time_column_attnum(TupleDesc tupdesc, const char *name)
{
	int			i;

	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (!att->attisdropped && att->atttypid == TIMESTAMPTZOID &&
			strcmp(NameStr(att->attname), name) == 0)
			return att->attnum;
	}
	return InvalidAttrNumber;
}

/* Have this backend's notes written at commit (once per backend). */
static void
register_capture_callback(void)
{
	if (!capture_callback_registered)
	{
		RegisterXactCallback(capture_xact_callback, NULL);
		capture_callback_registered = true;
	}
}

/*
 * capture() returns trigger
 *
 * AFTER INSERT/UPDATE/DELETE/TRUNCATE ... FOR EACH STATEMENT, with the
 * table's time columns as arguments.  Notes the changed minutes for the
 * transaction; writes nothing until commit.
 */
PG_FUNCTION_INFO_V1(capture);
Datum
capture(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	Trigger    *trigger;
	TupleDesc	tupdesc;
	int			ncolumns;
	AttrNumber *attnums;
	CaptureEntry **entries;
	int			c;

	check_capture_call(fcinfo);
	rel = trigdata->tg_relation;
	trigger = trigdata->tg_trigger;
	ncolumns = trigger->tgnargs;
	if (ncolumns == 0)
		return PointerGetDatum(NULL);

	register_capture_callback();

	tupdesc = RelationGetDescr(rel);
	attnums = palloc(ncolumns * sizeof(AttrNumber));
	entries = palloc(ncolumns * sizeof(CaptureEntry *));
	for (c = 0; c < ncolumns; c++)
	{
		attnums[c] = time_column_attnum(tupdesc, trigger->tgargs[c]);
		entries[c] = capture_entry(RelationGetRelid(rel), trigger->tgargs[c]);
		if (attnums[c] == InvalidAttrNumber)
			entries[c]->everything = true;
	}

	if (TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
	{
		for (c = 0; c < ncolumns; c++)
			entries[c]->everything = true;
		return PointerGetDatum(NULL);
	}
	if (trigdata->tg_newtable != NULL)
		note_rows(trigdata->tg_newtable, tupdesc, ncolumns, attnums, entries);
	if (trigdata->tg_oldtable != NULL)
		note_rows(trigdata->tg_oldtable, tupdesc, ncolumns, attnums, entries);

	return PointerGetDatum(NULL);
}

/*
 * The changed minutes of an entry as a tstzmultirange: each range of
 * minutes [lo, hi] as [lo minute, hi minute + 1 minute); TRUNCATE as
 * (-infinity, infinity).
 */
static Datum
entry_multirange(CaptureEntry *e)
{
	TypeCacheEntry *rangetyp = lookup_type_cache(TSTZRANGEOID, TYPECACHE_RANGE_INFO);
	int			n = e->everything ? 1 : e->nranges;
	RangeType **ranges = palloc(n * sizeof(RangeType *));
	int			i;

	for (i = 0; i < n; i++)
	{
		RangeBound lower = {0},
					upper = {0};

		lower.lower = true;
		lower.inclusive = true;
		upper.lower = false;
		upper.inclusive = false;
		if (e->everything)
		{
			lower.infinite = true;
			upper.infinite = true;
		}
		else
		{
			lower.val = TimestampTzGetDatum(e->lo[i] * USECS_PER_MINUTE_I64);
			upper.val = TimestampTzGetDatum((e->hi[i] + 1) * USECS_PER_MINUTE_I64);
		}
		ranges[i] = make_range(rangetyp, &lower, &upper, false);
	}
	return MultirangeTypePGetDatum(make_multirange(TSTZMULTIRANGEOID, rangetyp, n, ranges));
}

/*
 * The OID of slo_internal.invalidation, or InvalidOid when slo is not
 * installed.  A table of that name counts only if it is a member of the
 * extension: nobody can redirect the notes to a table of their own.  The
 * lookup scans pg_extension and pg_depend, so its answer is kept for the
 * backend until a relcache invalidation says the table changed (or went).
 */
static Oid	invalidation_relid_cache = InvalidOid;
static bool invalidation_callback_registered = false;

static void
forget_invalidation_relid(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == invalidation_relid_cache)
		invalidation_relid_cache = InvalidOid;
}

static Oid
invalidation_relid(void)
{
	Oid			relid;

	if (OidIsValid(invalidation_relid_cache))
		return invalidation_relid_cache;
	relid = slo_member_table("slo_internal", "invalidation");
	if (!OidIsValid(relid))
		return InvalidOid;

	if (!invalidation_callback_registered)
	{
		CacheRegisterRelcacheCallback(forget_invalidation_relid, (Datum) 0);
		invalidation_callback_registered = true;
	}
	invalidation_relid_cache = relid;
	return relid;
}

/* The columns of slo_internal.invalidation, which the notes are formed with. */
static const Oid invalidation_column_types[] = {OIDOID, NAMEOID, TSTZMULTIRANGEOID, TIMESTAMPTZOID};

/*
 * Write this transaction's notes into slo_internal.invalidation: one row
 * (relid, column, changed minutes) per table and time column.
 */
static void
write_notes(void)
{
	Oid			relid = invalidation_relid();
	Relation	rel;
	CaptureEntry *e;

	/* the extension was dropped in this transaction: nobody to tell */
	if (!OidIsValid(relid))
		return;

	/*
	 * Taking the lock processes pending invalidations: if the table was
	 * dropped or replaced since it was looked up, look it up again.
	 */
	rel = try_relation_open(relid, RowExclusiveLock);
	if (rel == NULL || invalidation_relid_cache != relid)
	{
		if (rel != NULL)
			relation_close(rel, RowExclusiveLock);
		relid = invalidation_relid();
		if (!OidIsValid(relid))
			return;
		rel = table_open(relid, RowExclusiveLock);
	}
	slo_check_heap_table(rel, invalidation_column_types, lengthof(invalidation_column_types));
	for (e = capture_entries; e != NULL; e = e->next)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};
		HeapTuple	tuple;

		if (e->nranges == 0 && !e->everything)
			continue;
		values[0] = ObjectIdGetDatum(e->relid);
		values[1] = NameGetDatum(&e->column);
		values[2] = entry_multirange(e);
		values[3] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		tuple = heap_form_tuple(RelationGetDescr(rel), values, nulls);
		simple_heap_insert(rel, tuple);
		heap_freetuple(tuple);
	}
	table_close(rel, RowExclusiveLock);
}

/*
 * At commit (or PREPARE) write the notes; at the end of the transaction
 * forget them.  The entries live in TopTransactionContext, which goes with
 * the transaction.
 */
static void
capture_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			if (capture_entries != NULL)
			{
				write_notes();
				capture_entries = NULL;
			}
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
			capture_entries = NULL;
			break;
		default:
			break;
	}
}

/*
 * note_all_changed(tbl regclass, columns name[]) returns void
 *
 * Notes every minute of the given time columns of tbl as changed, as a
 * TRUNCATE would: at commit the note is written, and the next tick counts
 * the objectives of that table from scratch.  For rows that came or went
 * without any DML (ATTACH or DETACH PARTITION).  Only the table's owner may:
 * it costs the tick a full recount.
 */
PG_FUNCTION_INFO_V1(note_all_changed);
Datum
note_all_changed(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	ArrayType  *columns = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *names;
	bool	   *nulls;
	int			n;
	int			i;
	char	   *relname = get_rel_name(relid);

	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (!pg_class_ownercheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, get_relkind_objtype(get_rel_relkind(relid)), relname);

	deconstruct_array(columns, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR, &names, &nulls, &n);
	register_capture_callback();
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			continue;
		capture_entry(relid, NameStr(*DatumGetName(names[i])))->everything = true;
	}
	PG_RETURN_VOID();
}
