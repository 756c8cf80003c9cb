/*
 * 0.5--0.6.before.sql: the first part of the update from 0.5 to 0.6 (the
 * Makefile builds slo--0.5--0.6.sql from this file, sql/35_data_path.sql
 * (the tables 0.6 adds), 0.5--0.6.convert.sql, the sources of the functions
 * and views 0.6 redefines, and 0.5--0.6.after.sql).
 *
 * 0.6 changes how the rollups are kept, not what they hold: changed minutes
 * are noted per table by a C trigger and counted one query per table;
 * objectives budgeted in occurrences keep hours and days instead of
 * minutes; the tick keeps an hourly history and the result of each closed
 * period.  Here the tables change shape and keep their rows, so that the
 * first tick after the update goes on where the last one stopped (no
 * recount from the source tables).
 */

-- The old triggers first, before any table of slo_internal is locked: a
-- writer of a source table that is in the middle of a statement finishes
-- it (and writes its note) before its table can be locked here, and after
-- that no writer notes anything until this transaction commits, with the
-- new triggers in place.  On the users' tables they take the names of the
-- new ones, which slo.attach_triggers() then replaces (after.sql): so it
-- knows these tables had triggers, and does not note them as changed in
-- full.  slo.event gets its new triggers from rollup.sql.
DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT tgrelid::pg_catalog.regclass AS rel, tgname FROM pg_catalog.pg_trigger
			 WHERE tgfoid = 'slo_internal.invalidate()'::pg_catalog.regprocedure
	LOOP
		IF t.rel = '@extschema@.event'::pg_catalog.regclass OR t.tgname NOT LIKE 'slo\_invalidate\_%' THEN
			EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', t.tgname, t.rel);
		ELSE
			EXECUTE pg_catalog.format('ALTER TRIGGER %I ON %s RENAME TO %I', t.tgname, t.rel,
									  pg_catalog.replace(t.tgname, 'slo_invalidate_', 'slo_capture_'));
		END IF;
	END LOOP;
END
$$;

-- The functions and views of the sources that follow, as 0.5 had them.
DROP FUNCTION slo_internal.query_counts_as(pg_catalog.regrole, pg_catalog.text, pg_catalog.text,
	pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz[]);
DROP FUNCTION slo_internal.query_sketches_as(pg_catalog.regrole, pg_catalog.text, pg_catalog.text,
	pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz[]);
DROP FUNCTION @extschema@.attach_triggers(pg_catalog.regclass);
DROP FUNCTION slo_internal.counting_query(@extschema@.objective, pg_catalog.text);
DROP FUNCTION slo_internal.recount(@extschema@.objective, pg_catalog.text, pg_catalog.timestamptz,
	pg_catalog.timestamptz, pg_catalog.timestamptz[]);
DROP FUNCTION slo_internal.refresh_rollup(@extschema@.objective, pg_catalog.timestamptz);
DROP FUNCTION slo_internal.measure(@extschema@.objective, pg_catalog.timestamptz, pg_catalog.timestamptz,
	pg_catalog.timestamptz);
DROP FUNCTION slo_internal.evaluate(@extschema@.objective, pg_catalog.timestamptz);
DROP FUNCTION slo_internal.tick_objective(@extschema@.objective, pg_catalog.timestamptz);
DROP FUNCTION slo_internal.tick_objective_guarded(pg_catalog.int8, pg_catalog.timestamptz);
DROP FUNCTION slo_internal.record_failure(pg_catalog.int8, pg_catalog.timestamptz, pg_catalog.text, pg_catalog.text);
DROP FUNCTION slo_internal.apply_policy(@extschema@.objective, @extschema@.evaluation);
DROP FUNCTION slo_internal.lift_orphaned_freezes();
DROP PROCEDURE @extschema@.tick(pg_catalog.timestamptz);

-- No foreign keys on what the tick writes: it drops what deleted
-- objectives leave (a check per row written costs more).
ALTER TABLE @extschema@.rollup DROP CONSTRAINT rollup_objective_id_fkey;
ALTER TABLE slo_internal.progress DROP CONSTRAINT progress_objective_id_fkey;
ALTER TABLE @extschema@.evaluation DROP CONSTRAINT evaluation_objective_id_fkey;

-- The minute layout, for objectives budgeted in timeslices.
ALTER TABLE @extschema@.rollup ADD COLUMN breakdown pg_catalog.text NOT NULL DEFAULT '';
ALTER TABLE @extschema@.rollup DROP CONSTRAINT rollup_pkey;
ALTER TABLE @extschema@.rollup ADD PRIMARY KEY (objective_id, breakdown, bucket);
COMMENT ON TABLE @extschema@.rollup IS
'per objective (budgeted in timeslices) and minute: valid and good events; kept equal to a recount';

-- 0.5 noted changed minutes per objective and minute; 0.6 per table and
-- time column, in a new table of the same name (data_path.sql).  The old
-- notes are kept aside until convert.sql has made them pending minutes.
ALTER TABLE slo_internal.invalidation RENAME TO invalidation_0_5;
ALTER INDEX slo_internal.invalidation_objective_id_idx RENAME TO invalidation_0_5_objective_id_idx;

-- 0.5 built each rollup back to its horizon at once: every one is
-- backfilled.
ALTER TABLE slo_internal.progress ADD COLUMN backfilled_until pg_catalog.timestamptz;
ALTER TABLE slo_internal.progress ADD COLUMN days_from pg_catalog.timestamptz;
UPDATE slo_internal.progress
SET backfilled_until = backfilled_from,
	days_from = pg_catalog.date_bin('1 day', backfilled_from - interval '1 microsecond', '2000-01-01 00:00+00')
				+ interval '1 day';
ALTER TABLE @extschema@.evaluation ADD COLUMN backfilling pg_catalog.bool;
UPDATE @extschema@.evaluation SET backfilling = false WHERE valid IS NOT NULL;

-- The tables 0.6 adds follow (data_path.sql).
