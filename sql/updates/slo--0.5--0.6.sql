/* slo--0.5--0.6.sql: built by make from the sources under sql/ (see the Makefile); edit those, not this */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION slo UPDATE TO '0.6'" to load this file. \quit

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

/*
 * data_path.sql: the tables of the path from a row written to a status
 * shown that 0.6 added (the update from 0.5 creates them from this file
 * too): the hour and day rollups, the capture notes and the pending
 * minutes, the history for BI and the closed periods, and the tick that is
 * running.  slo.rollup, slo_internal.progress and slo.evaluation, which
 * 0.5 already had, are in tables.sql.
 */

CREATE TABLE slo_internal.rollup_hour (
	objective_id pg_catalog.int8 NOT NULL,
	breakdown	pg_catalog.text NOT NULL DEFAULT '',
	hour		pg_catalog.timestamptz NOT NULL,	-- UTC hour
	valid		pg_catalog.int8 NOT NULL CHECK (valid >= 0),
	good		pg_catalog.int8 NOT NULL CHECK (good >= 0 AND good <= valid),
	minute_valid pg_catalog.int4[] NOT NULL CHECK (pg_catalog.cardinality(minute_valid) = 60),
	minute_good pg_catalog.int4[] NOT NULL CHECK (pg_catalog.cardinality(minute_good) = 60),
	PRIMARY KEY (objective_id, breakdown, hour)
);
COMMENT ON TABLE slo_internal.rollup_hour IS
'per objective (budgeted in occurrences) and UTC hour: valid and good events, in all and per minute';

CREATE TABLE slo_internal.rollup_day (
	objective_id pg_catalog.int8 NOT NULL,
	breakdown	pg_catalog.text NOT NULL DEFAULT '',
	day			pg_catalog.timestamptz NOT NULL,	-- UTC day
	valid		pg_catalog.int8 NOT NULL CHECK (valid >= 0),
	good		pg_catalog.int8 NOT NULL CHECK (good >= 0 AND good <= valid),
	PRIMARY KEY (objective_id, breakdown, day)
);
COMMENT ON TABLE slo_internal.rollup_day IS
'per objective (budgeted in occurrences) and UTC day: the sums of its hours';

-- The minutes whose source rows changed: one row per table, time column
-- and writing transaction, written at commit by the capture triggers on the
-- source tables (src/capture.c writes it straight into the heap, so its
-- columns and their order are fixed there).  No key and no index: writers
-- never wait on each other here.  Each tick moves what it sees into
-- slo_internal.pending.
CREATE TABLE slo_internal.invalidation (
	relid		pg_catalog.oid NOT NULL,			-- the table the triggers fired on
	time_column	pg_catalog.name NOT NULL,
	changed		pg_catalog.tstzmultirange NOT NULL,	-- whole minutes; (,) after TRUNCATE
	noted_at	pg_catalog.timestamptz NOT NULL		-- start of the writing transaction
);
COMMENT ON TABLE slo_internal.invalidation IS
'minutes of a source table''s time column changed by a committed transaction, not yet seen by a tick';

-- The minutes each objective still has to recount: the tick moves the notes
-- of slo_internal.invalidation here, per objective, and each objective's
-- share of the tick takes its own row (so a failed objective keeps it).
CREATE TABLE slo_internal.pending (
	objective_id pg_catalog.int8 PRIMARY KEY,
	changed		pg_catalog.tstzmultirange NOT NULL
);
COMMENT ON TABLE slo_internal.pending IS
'per objective, the changed minutes its next successful tick recounts';

-- History for analysts and BI: the tick writes one row per objective per
-- hour (its first evaluation in that hour), kept 13 months.
CREATE TABLE @extschema@.history (
	objective_id pg_catalog.int8 NOT NULL,
	hour		pg_catalog.timestamptz NOT NULL,	-- the UTC hour of the evaluation
	counted_until pg_catalog.timestamptz NOT NULL,	-- what it counted: [window_start, counted_until)
	window_start pg_catalog.timestamptz,
	window_end	pg_catalog.timestamptz,
	valid		pg_catalog.int8,
	good		pg_catalog.int8,
	sli			pg_catalog.float8,
	consumed	pg_catalog.float8,
	remaining	pg_catalog.float8,
	burn_5m		pg_catalog.float8,
	burn_30m	pg_catalog.float8,
	burn_1h		pg_catalog.float8,
	burn_6h		pg_catalog.float8,
	burn_1d		pg_catalog.float8,
	burn_3d		pg_catalog.float8,
	tier		pg_catalog.text,
	action		pg_catalog.text,
	PRIMARY KEY (objective_id, hour)
);
CREATE INDEX history_hour_idx ON @extschema@.history (hour);
COMMENT ON TABLE @extschema@.history IS
'per objective and hour: SLI, budget, burn rates and tier as the tick evaluated them; kept 13 months';

-- One row per closed period of each objective: its budget window, for
-- calendar objectives, and every calendar month and quarter (in the
-- objective's time zone, UTC if it has none): a month once the rollup
-- covered all of it, a quarter from its three months.
CREATE TABLE @extschema@.period_result (
	objective_id pg_catalog.int8 NOT NULL,
	period		pg_catalog.text NOT NULL CHECK (period IN ('window', 'month', 'quarter')),
	period_start pg_catalog.timestamptz NOT NULL,
	period_end	pg_catalog.timestamptz NOT NULL,
	valid		pg_catalog.int8,
	good		pg_catalog.int8,
	counted		pg_catalog.float8,		-- what the SLI is over: events, slices or milliseconds
	bad			pg_catalog.float8,		-- of those, bad (corrections left out)
	sli			pg_catalog.float8,
	target		pg_catalog.float8 NOT NULL,
	consumed	pg_catalog.float8,		-- of the period's error budget
	met			pg_catalog.bool,
	recorded_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (objective_id, period, period_start)
);
COMMENT ON TABLE @extschema@.period_result IS
'per objective and closed period (its calendar window, a month, a quarter): met or missed, SLI, budget consumed';

-- The tick that is running, if any: one tick at a time across the
-- transactions of one tick (see tick.sql).
CREATE TABLE slo_internal.tick_state (
	only_row	pg_catalog.bool PRIMARY KEY DEFAULT true CHECK (only_row),
	pid			pg_catalog.int4 NOT NULL,
	backend_start pg_catalog.timestamptz,	-- of that backend (a pid is reused)
	started_at	pg_catalog.timestamptz NOT NULL
);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.history', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.period_result', '');
GRANT SELECT ON slo_internal.rollup_hour, slo_internal.rollup_day, slo_internal.invalidation,
	slo_internal.pending, slo_internal.tick_state, @extschema@.history, @extschema@.period_result
TO slo_reader;

-- For a budget burn-down chart: each objective's budget remaining, hour by
-- hour, beside the line a steady burn would draw over a calendar window
-- (NULL for rolling windows, which have no start to burn down from).
CREATE VIEW @extschema@.budget_burndown AS
SELECT o.service, o.name AS objective, h.objective_id, h.hour, h.counted_until,
	   h.window_start, h.window_end, h.remaining, h.consumed, h.sli, o.target,
	   CASE WHEN o.window_kind = 'calendar' AND h.window_end > h.window_start
			THEN 1 - extract(epoch FROM h.counted_until - h.window_start)
					 / extract(epoch FROM h.window_end - h.window_start) END AS steady_remaining,
	   h.tier
FROM @extschema@.history h
JOIN @extschema@.objective o ON o.id = h.objective_id;
COMMENT ON VIEW @extschema@.budget_burndown IS
'per objective and hour: budget remaining, and for calendar windows what a steady burn would have left';

-- For "SLO met per month / per quarter": every closed period with the
-- names of its objective and a label to group or pivot by.
CREATE VIEW @extschema@.period_report AS
SELECT o.service, o.name AS objective, r.objective_id, r.period,
	   CASE r.period
		   WHEN 'month' THEN pg_catalog.to_char(r.period_start AT TIME ZONE 'UTC', 'YYYY-MM')
		   WHEN 'quarter' THEN pg_catalog.to_char(r.period_start AT TIME ZONE 'UTC', 'YYYY-"Q"Q')
		   ELSE pg_catalog.to_char(r.period_start AT TIME ZONE o.time_zone, 'YYYY-MM-DD')
	   END AS label,
	   r.period_start, r.period_end, r.valid, r.good, r.sli, r.target, r.met, r.consumed
FROM @extschema@.period_result r
JOIN @extschema@.objective o ON o.id = r.objective_id;
COMMENT ON VIEW @extschema@.period_report IS
'per objective and closed period (window, UTC month, UTC quarter): met or missed, SLI, budget consumed';
GRANT SELECT ON @extschema@.budget_burndown, @extschema@.period_report TO slo_reader;


/*
 * 0.5--0.6.convert.sql: the rows of 0.5 into the tables of 0.6.  The
 * minutes of objectives budgeted in occurrences move from slo.rollup to
 * hour rows (with their minutes in arrays) and day sums; the notes no tick
 * has taken yet become each objective's pending minutes.
 */
INSERT INTO slo_internal.rollup_hour (objective_id, hour, valid, good, minute_valid, minute_good)
SELECT h.objective_id, h.hour, h.valid, h.good, m.minute_valid, m.minute_good
FROM (SELECT r.objective_id,
			 pg_catalog.date_bin('1 hour', r.bucket, '2000-01-01 00:00+00') AS hour,
			 pg_catalog.sum(r.valid)::pg_catalog.int8 AS valid,
			 pg_catalog.sum(r.good)::pg_catalog.int8 AS good
	  FROM @extschema@.rollup r
	  JOIN @extschema@.objective o ON o.id = r.objective_id AND o.budgeting = 'occurrences'
	  GROUP BY 1, 2) h
CROSS JOIN LATERAL (
	SELECT pg_catalog.array_agg(COALESCE(r.valid, 0)::pg_catalog.int4 ORDER BY i) AS minute_valid,
		   pg_catalog.array_agg(COALESCE(r.good, 0)::pg_catalog.int4 ORDER BY i) AS minute_good
	FROM pg_catalog.generate_series(0, 59) i
	LEFT JOIN @extschema@.rollup r
		   ON r.objective_id = h.objective_id AND r.bucket = h.hour + i * interval '1 minute') m;
INSERT INTO slo_internal.rollup_day (objective_id, day, valid, good)
SELECT objective_id, pg_catalog.date_bin('1 day', hour, '2000-01-01 00:00+00'),
	   pg_catalog.sum(valid)::pg_catalog.int8, pg_catalog.sum(good)::pg_catalog.int8
FROM slo_internal.rollup_hour
GROUP BY 1, 2;
DELETE FROM @extschema@.rollup r
USING @extschema@.objective o
WHERE o.id = r.objective_id AND o.budgeting = 'occurrences';

INSERT INTO slo_internal.pending (objective_id, changed)
SELECT i.objective_id, pg_catalog.range_agg(pg_catalog.tstzrange(i.bucket, i.bucket + interval '1 minute'))
FROM slo_internal.invalidation_0_5 i
JOIN @extschema@.objective o ON o.id = i.objective_id
GROUP BY 1;
DROP TABLE slo_internal.invalidation_0_5;

/*
 * rollup.sql: the loss-free incremental rollup -- the statement triggers
 * that note changed minutes, the counting queries run as each objective's
 * owner, and the recount of exactly the noted minutes.
 */

------------------------------------------------------------------------------
-- Counting as the owner (src/run_as.c).  The C function refuses a caller
-- without the owner's privileges, so it can never grant more than the
-- caller already has; only slo_admin may call it (internal_rights.sql).
-- The query's $1, $2, $3 are the lo, hi and ranges arguments.  Declared
-- twice, for the two shapes of counting queries.
------------------------------------------------------------------------------
-- one objective: (bucket, valid, good)
CREATE FUNCTION slo_internal.query_counts_as(owner pg_catalog.regrole, search_path pg_catalog.text,
		query pg_catalog.text, lo pg_catalog.timestamptz, hi pg_catalog.timestamptz,
		ranges pg_catalog.tstzmultirange)
RETURNS TABLE (bucket pg_catalog.timestamptz, valid pg_catalog.int8, good pg_catalog.int8)
AS 'MODULE_PATHNAME', 'query_counts_as'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- a group of objectives of one table: (objective_id, bucket, valid, good, sketch)
CREATE FUNCTION slo_internal.query_group_as(owner pg_catalog.regrole, search_path pg_catalog.text,
		query pg_catalog.text, lo pg_catalog.timestamptz, hi pg_catalog.timestamptz,
		ranges pg_catalog.tstzmultirange)
RETURNS TABLE (objective_id pg_catalog.int8, bucket pg_catalog.timestamptz, valid pg_catalog.int8,
			   good pg_catalog.int8, sketch @extschema@.sketch)
AS 'MODULE_PATHNAME', 'query_counts_as'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

------------------------------------------------------------------------------
-- Invalidation triggers on source tables
------------------------------------------------------------------------------

/*
 * capture(time columns...) -- the statement triggers on every source table
 * (src/capture.c): for each transaction, the minutes of each time column
 * its statements changed, written once at commit to
 * slo_internal.invalidation.  Written in C: it reads the transition tables
 * directly, runs no SQL and resolves no name, does O(1) work per row
 * whatever the number of objectives, and refuses any call but the one it
 * was built for.
 */
CREATE FUNCTION slo_internal.capture()
RETURNS trigger
AS 'MODULE_PATHNAME', 'capture'
LANGUAGE C;

-- Note every minute of a table's time columns as changed, as a TRUNCATE
-- would (src/capture.c): for rows that came or went without DML, by ATTACH
-- or DETACH PARTITION.  Only the table's owner may.
CREATE FUNCTION slo_internal.note_all_changed(tbl pg_catalog.regclass, columns pg_catalog.name[])
RETURNS void
AS 'MODULE_PATHNAME', 'note_all_changed'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- The time columns of the objectives that read table tbl: those of its own
-- objectives and of the objectives of the tables it is a partition of.
CREATE FUNCTION slo_internal.time_columns_of(tbl pg_catalog.regclass)
RETURNS pg_catalog.name[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT pg_catalog.array_agg(DISTINCT o.time_column ORDER BY o.time_column)
		FROM @extschema@.objective o
		WHERE o.source = tbl
		   OR o.source IN (SELECT pg_catalog.pg_partition_ancestors(tbl))
		   OR o.source IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(tbl) t));

-- Refuse a source table that Citus distributes (or a partition of one):
-- the capture triggers would fire on the shards, where no objective is
-- defined, and changes would go uncounted.  Citus keeps its tables in
-- pg_catalog.pg_dist_partition; without Citus there is no such table (and
-- only a superuser could make one there).
CREATE FUNCTION slo_internal.refuse_distributed(tbl pg_catalog.regclass)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	distributed bool;
BEGIN
	IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
		RETURN;
	END IF;
	EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition d
							WHERE d.logicalrelid = $1
							   OR d.logicalrelid IN (SELECT pg_catalog.pg_partition_ancestors($1)))'
		INTO distributed USING tbl;
	IF distributed THEN
		RAISE EXCEPTION 'source table "%" is managed by Citus', tbl
			USING ERRCODE = 'feature_not_supported',
				  DETAIL = 'slo notes changed rows with triggers on the source table; on a Citus table they would '
						   'fire on the shards, where no objective is defined, and changes would go uncounted.',
				  HINT = 'Define the objective on a local table (one the application also writes, or one a job '
						 'fills from the distributed table), or query the distributed table with slo''s '
						 'aggregates, which Citus pushes down to the workers.';
	END IF;
END
$$;

-- Put the capture triggers on a table, on every partition of it (DML aimed
-- straight at a partition fires only that partition's statement triggers)
-- and on the partitioned tables it belongs to (DML aimed at a parent fires
-- only the parent's), each with the time columns of the objectives that
-- read it or a table of its tree; replace triggers whose columns are no
-- longer those.  A table that had no triggers yet (a partition attached
-- since) is noted as changed in full, so that its rows are counted; with
-- "recount", every table of the tree is (after DETACH PARTITION).  Run it
-- again after attaching or detaching partitions.  Runs with the caller's
-- rights (creating a trigger needs the TRIGGER privilege on the table).
CREATE FUNCTION @extschema@.attach_triggers(tbl pg_catalog.regclass, recount pg_catalog.bool DEFAULT false)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	part regclass;
	columns name[];
	args text;
	op text;
	spec text;
	have text;
	had_none bool;
BEGIN
	PERFORM slo_internal.refuse_distributed(tbl);
	FOR part IN
		-- (pg_partition_tree() returns no rows for a table that is not
		-- partitioned)
		SELECT t.relid FROM (SELECT tbl AS relid
							 UNION SELECT relid FROM pg_partition_tree(tbl)
							 UNION SELECT relid FROM pg_partition_ancestors(tbl) AS a(relid)) t
		JOIN pg_class c ON c.oid = t.relid
		WHERE c.relkind IN ('r', 'p')
	LOOP
		columns := coalesce(slo_internal.time_columns_of(part), '{}');
		args := (SELECT string_agg(quote_literal(c), ', ' ORDER BY c) FROM unnest(columns) c);
		had_none := NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = part AND t.tgname LIKE 'slo\_capture\_%');
		FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete', 'truncate'] LOOP
			spec := CASE op
						WHEN 'insert' THEN 'AFTER INSERT ON %1$s REFERENCING NEW TABLE AS slo_new'
						WHEN 'update' THEN 'AFTER UPDATE ON %1$s REFERENCING OLD TABLE AS slo_old NEW TABLE AS slo_new'
						WHEN 'delete' THEN 'AFTER DELETE ON %1$s REFERENCING OLD TABLE AS slo_old'
						ELSE 'AFTER TRUNCATE ON %1$s' END;
			-- the trigger there, as created, if any
			SELECT pg_get_triggerdef(t.oid) INTO have
			FROM pg_trigger t WHERE t.tgrelid = part AND t.tgname = 'slo_capture_' || op;
			-- %1$s the table, %2$s the columns, %3$I the trigger
			spec := format('CREATE TRIGGER %3$I ' || spec || ' FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture(%2$s)',
						   part, coalesce(args, ''), 'slo_capture_' || op);
			CONTINUE WHEN have IS NOT DISTINCT FROM spec;
			IF have IS NOT NULL THEN
				EXECUTE format('DROP TRIGGER %I ON %s', 'slo_capture_' || op, part);
			END IF;
			EXECUTE spec;
		END LOOP;
		IF (had_none OR recount) AND cardinality(columns) > 0 THEN
			PERFORM slo_internal.note_all_changed(part, columns);
		END IF;
	END LOOP;
END
$$;

-- The built-in event table has one time column, ts: its triggers are made
-- here, once (writers do not own it, so they could not make them).
CREATE TRIGGER slo_capture_insert AFTER INSERT ON @extschema@.event REFERENCING NEW TABLE AS slo_new
	FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture('ts');
CREATE TRIGGER slo_capture_update AFTER UPDATE ON @extschema@.event REFERENCING OLD TABLE AS slo_old NEW TABLE AS slo_new
	FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture('ts');
CREATE TRIGGER slo_capture_delete AFTER DELETE ON @extschema@.event REFERENCING OLD TABLE AS slo_old
	FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture('ts');
CREATE TRIGGER slo_capture_truncate AFTER TRUNCATE ON @extschema@.event
	FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture('ts');

------------------------------------------------------------------------------
-- Incremental rollup
------------------------------------------------------------------------------


-- How a counting query names its source: a partitioned table with its
-- partitions (the capture triggers are on each), any other table ONLY, for
-- the triggers are not on inheritance children.
CREATE FUNCTION slo_internal.only_unless_partitioned(tbl pg_catalog.regclass)
RETURNS pg_catalog.text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = tbl) = 'p' THEN '' ELSE 'ONLY ' END;

-- The SQL that counts a group of objectives of one source table, owner,
-- search_path and time column (none of them freshness objectives) in one
-- pass over the minutes of the ranges $3, run as their owner by
-- query_group_as: (objective_id, bucket, valid, good, sketch), a row per
-- objective and minute with valid events.  It calls nothing of slo_internal
-- (the owner may not), so minutes are written out as date_bin('1 minute',
-- ts, '2000-01-01 00:00:00+00'), which is minute_of().
CREATE FUNCTION slo_internal.counting_query(members @extschema@.objective[], ranges pg_catalog.tstzmultirange)
RETURNS pg_catalog.text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	o @extschema@.objective;
	counts text := '';
	per_objective text := '';
	in_ranges text;
	i int := 0;
BEGIN
	FOREACH o IN ARRAY members LOOP
		i := i + 1;
		counts := counts || format(E',\n\t\tcount(*) FILTER (WHERE (%1$s)) AS slo_v%2$s, '
										'count(*) FILTER (WHERE (%1$s) AND (%3$s)) AS slo_g%2$s',
								   o.valid_expr, i, o.good_expr);
		-- percentile objectives also keep a sketch of the value per minute
		IF o.sli_kind = 'percentile' THEN
			counts := counts || format(E',\n\t\t@extschema@.sketch((%s)::pg_catalog.float8) FILTER (WHERE (%s)) AS slo_s%s',
									   o.value_expr, o.valid_expr, i);
		END IF;
		per_objective := per_objective || format('%s(%s::pg_catalog.int8, slo_v%s, slo_g%s, %s)',
												 CASE WHEN i > 1 THEN ', ' ELSE '' END, o.id, i, i,
												 CASE WHEN o.sli_kind = 'percentile' THEN 'slo_s' || i
													  ELSE 'NULL::@extschema@.sketch' END);
	END LOOP;
	-- the ranges as constants, so that each is an index range scan of the
	-- time column (a join with $3 would read the whole table); many ranges
	-- (rare: they are merged as they are noted) are joined with $3
	IF pg_catalog.cardinality(ARRAY(SELECT pg_catalog.unnest(ranges))) <= 64 THEN
		SELECT coalesce(string_agg(format('(%1$I >= %2$L::pg_catalog.timestamptz AND %1$I < %3$L::pg_catalog.timestamptz)',
										  members[1].time_column, coalesce(lower(r), '-infinity'),
										  coalesce(upper(r), 'infinity')), E'\n\t   OR '), 'false')
		INTO in_ranges FROM unnest(ranges) r;
		in_ranges := 'WHERE ' || in_ranges;
	ELSE
		in_ranges := format($j$JOIN pg_catalog.unnest($3) AS slo_r(slo_range)
	  ON %1$I >= coalesce(pg_catalog.lower(slo_r.slo_range), '-infinity')
	 AND %1$I < coalesce(pg_catalog.upper(slo_r.slo_range), 'infinity')$j$, members[1].time_column);
	END IF;
	RETURN format($q$
SELECT slo_k.objective_id, slo_w.slo_bucket, slo_k.valid, slo_k.good, slo_k.sketch
FROM (
	SELECT pg_catalog.date_bin('1 minute', %1$I, '2000-01-01 00:00:00+00') AS slo_bucket%3$s
	FROM %5$s%2$s
	%6$s
	GROUP BY 1
) AS slo_w
CROSS JOIN LATERAL (VALUES %4$s) AS slo_k(objective_id, valid, good, sketch)
WHERE slo_k.valid > 0$q$,
		members[1].time_column, members[1].source, counts, per_objective,
		slo_internal.only_unless_partitioned(members[1].source), in_ranges);
END
$$;

-- The SQL that counts a freshness objective, run as its owner by
-- query_counts_as: time-weighted, between consecutive updates the thing is
-- fresh for max_age and stale after; valid and good are milliseconds per
-- minute.  $3 holds the changed minutes within [$1, $2) (NULL: all of
-- them).  A change at minute m can only change the minutes from m to the
-- next update after it, so only those are counted; the last update before
-- $1 says how fresh it was at $1.  Every minute counted comes back, with 0
-- valid where nothing was valid, so that the caller knows what it replaces.
CREATE FUNCTION slo_internal.freshness_query(o @extschema@.objective)
RETURNS pg_catalog.text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN format($q$
WITH slo_u AS (
	SELECT slo_t, lead(slo_t) OVER (ORDER BY slo_t) AS slo_next
	FROM ((SELECT %1$I AS slo_t FROM %5$s%2$s WHERE %1$I < $1 AND (%3$s) ORDER BY %1$I DESC LIMIT 1)
		  UNION ALL
		  (SELECT %1$I FROM %5$s%2$s WHERE %1$I >= $1 AND %1$I < $2 AND (%3$s))) slo_x
), slo_seg AS (
	SELECT greatest(slo_t, $1) AS slo_a, coalesce(slo_next, $2) AS slo_z,
		   slo_t + %4$L::interval AS slo_fresh_until
	FROM slo_u
), slo_todo AS (
	SELECT coalesce(pg_catalog.range_agg(pg_catalog.tstzrange(
			   pg_catalog.date_bin('1 minute', lower(slo_r), timestamptz '2000-01-01 00:00:00+00'),
			   pg_catalog.date_bin('1 minute', coalesce((SELECT min(u.slo_t) FROM slo_u u WHERE u.slo_t >= upper(slo_r)), $2)
											   - interval '1 microsecond', timestamptz '2000-01-01 00:00:00+00')
				   + interval '1 minute')), '{}')
		   * pg_catalog.tstzmultirange(pg_catalog.tstzrange($1, $2)) AS slo_m
	FROM pg_catalog.unnest(coalesce($3, pg_catalog.tstzmultirange(pg_catalog.tstzrange($1, $2)))) AS slo_r
), slo_part AS (
	SELECT s.slo_a, s.slo_z, s.slo_fresh_until, slo_p
	FROM slo_seg s, slo_todo t,
		 pg_catalog.unnest(t.slo_m * pg_catalog.tstzmultirange(pg_catalog.tstzrange(
			 pg_catalog.date_bin('1 minute', s.slo_a, timestamptz '2000-01-01 00:00:00+00'), s.slo_z))) AS slo_p
	WHERE s.slo_z > s.slo_a
)
SELECT slo_b, sum(slo_v)::int8, sum(slo_g)::int8
FROM (SELECT slo_b,
			 greatest(0, extract(epoch FROM least(slo_b + interval '1 minute', slo_z) - greatest(slo_b, slo_a)) * 1000) AS slo_v,
			 greatest(0, extract(epoch FROM least(slo_b + interval '1 minute', slo_z, slo_fresh_until) - greatest(slo_b, slo_a)) * 1000) AS slo_g
	  FROM slo_part
	  CROSS JOIN LATERAL pg_catalog.generate_series(lower(slo_p), upper(slo_p) - interval '1 microsecond', interval '1 minute') AS slo_b
	  UNION ALL
	  SELECT slo_b, 0, 0
	  FROM slo_todo, pg_catalog.unnest(slo_m) AS slo_r,
		   pg_catalog.generate_series(lower(slo_r), upper(slo_r) - interval '1 minute', interval '1 minute') AS slo_b) slo_x
GROUP BY slo_b$q$, o.time_column, o.source, o.valid_expr, o.max_age, slo_internal.only_unless_partitioned(o.source));

-- The counts of a recount, per objective and minute, until the
-- transaction ends (a tick's steps are transactions of their own).
CREATE FUNCTION slo_internal.counted_table()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF to_regclass('pg_temp.slo_counted') IS NULL THEN
		CREATE TEMP TABLE slo_counted (objective_id int8, bucket timestamptz, valid int8, good int8,
									   sketch @extschema@.sketch, PRIMARY KEY (objective_id, bucket))
			ON COMMIT DROP;
	ELSE
		DELETE FROM pg_temp.slo_counted;
	END IF;
END
$$;

-- Replace the rollups of objectives "ids" over the minutes of their
-- "ranges" (one multirange each) with what pg_temp.slo_counted holds for
-- them, writing only rows that change, for all of them at once.  Minute
-- layout (timeslices): rollup rows.  Hour layout (occurrences): the hours
-- that had counts in the ranges or get new ones (no other hour changes, so
-- a wide range costs only its hours with events) get their counted
-- minutes, their days the change of their sums.  Every read of a rollup is
-- a probe of one objective's rows through the primary key (LATERAL), so
-- that no plan reads a whole rollup, whatever the planner guesses of the
-- work table.
CREATE FUNCTION slo_internal.store_counts(ids pg_catalog.int8[], ranges pg_catalog.tstzmultirange[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- minute layout: drop the minutes of the ranges that have no count any
	-- more, write those that do
	WITH g AS (
		SELECT x.id AS objective_id, x.r AS ranges,
			   coalesce(lower(x.r), '-infinity') AS lo, coalesce(upper(x.r), 'infinity') AS hi
		FROM unnest(ids, ranges) AS x(id, r)
		JOIN @extschema@.objective o ON o.id = x.id AND o.budgeting <> 'occurrences'
		WHERE NOT isempty(x.r)
	), gone AS (
		DELETE FROM @extschema@.rollup r
		WHERE r.ctid = ANY (ARRAY(
			SELECT k.ctid
			FROM g CROSS JOIN LATERAL (
				SELECT r2.ctid, r2.bucket FROM @extschema@.rollup r2
				WHERE r2.objective_id = g.objective_id AND r2.breakdown = ''
				  AND r2.bucket >= g.lo AND r2.bucket < g.hi) k
			WHERE k.bucket <@ g.ranges
			  AND NOT EXISTS (SELECT 1 FROM pg_temp.slo_counted c
							  WHERE c.objective_id = g.objective_id AND c.bucket = k.bucket)))
	)
	INSERT INTO @extschema@.rollup AS r (objective_id, bucket, valid, good, sketch)
	SELECT c.objective_id, c.bucket, c.valid, c.good, c.sketch
	FROM g CROSS JOIN LATERAL (SELECT * FROM pg_temp.slo_counted c WHERE c.objective_id = g.objective_id) c
	ON CONFLICT (objective_id, breakdown, bucket) DO UPDATE
		SET valid = EXCLUDED.valid, good = EXCLUDED.good, sketch = EXCLUDED.sketch
		WHERE (r.valid, r.good) IS DISTINCT FROM (EXCLUDED.valid, EXCLUDED.good)
		   OR slo_internal.sketch_send(r.sketch) IS DISTINCT FROM slo_internal.sketch_send(EXCLUDED.sketch);

	-- hour layout, in one statement: the hours, rebuilt minute by minute
	-- (the new count where the ranges cover a minute, else what it had),
	-- written back; the days changed by what their hours changed (so a day
	-- whose first hours are no longer kept keeps its sum: see prune_rollups)
	WITH g AS (
		SELECT x.id AS objective_id, x.r AS ranges,
			   coalesce(lower(x.r), '-infinity') AS lo, coalesce(upper(x.r), 'infinity') AS hi
		FROM unnest(ids, ranges) AS x(id, r)
		JOIN @extschema@.objective o ON o.id = x.id AND o.budgeting = 'occurrences'
		WHERE NOT isempty(x.r)
	), hours AS (
		SELECT g.objective_id, k.hour
		FROM g CROSS JOIN LATERAL (
			SELECT h.hour FROM slo_internal.rollup_hour h
			WHERE h.objective_id = g.objective_id AND h.breakdown = ''
			  AND h.hour > g.lo - interval '1 hour' AND h.hour < g.hi) k
		WHERE g.ranges && tstzrange(k.hour, k.hour + interval '1 hour')
		UNION
		SELECT g.objective_id, date_bin('1 hour', c.bucket, '2000-01-01 00:00+00')
		FROM g CROSS JOIN LATERAL (SELECT c.bucket FROM pg_temp.slo_counted c WHERE c.objective_id = g.objective_id) c
	), rebuilt AS (
		SELECT t.objective_id, t.hour, m.mv, m.mg, m.v, m.g,
			   coalesce(old.valid, 0) AS old_v, coalesce(old.good, 0) AS old_g
		FROM hours t
		JOIN g ON g.objective_id = t.objective_id
		LEFT JOIN LATERAL (
			SELECT h.valid, h.good, h.minute_valid, h.minute_good FROM slo_internal.rollup_hour h
			WHERE h.objective_id = t.objective_id AND h.breakdown = '' AND h.hour = t.hour) old ON true
		CROSS JOIN LATERAL (
			SELECT array_agg(CASE WHEN s.minute <@ g.ranges THEN coalesce(c.valid, 0)::int4
								  ELSE coalesce(old.minute_valid[s.i], 0) END ORDER BY s.i) AS mv,
				   array_agg(CASE WHEN s.minute <@ g.ranges THEN coalesce(c.good, 0)::int4
								  ELSE coalesce(old.minute_good[s.i], 0) END ORDER BY s.i) AS mg,
				   sum(CASE WHEN s.minute <@ g.ranges THEN coalesce(c.valid, 0)
							ELSE coalesce(old.minute_valid[s.i], 0) END)::int8 AS v,
				   sum(CASE WHEN s.minute <@ g.ranges THEN coalesce(c.good, 0)
							ELSE coalesce(old.minute_good[s.i], 0) END)::int8 AS g
			FROM (SELECT i, t.hour + (i - 1) * interval '1 minute' AS minute FROM generate_series(1, 60) i) s
			LEFT JOIN LATERAL (SELECT c.valid, c.good FROM pg_temp.slo_counted c
							   WHERE c.objective_id = t.objective_id AND c.bucket = s.minute) c ON true) m
	), emptied AS (
		DELETE FROM slo_internal.rollup_hour h
		USING rebuilt b
		WHERE b.v = 0 AND b.old_v > 0
		  AND h.objective_id = b.objective_id AND h.breakdown = '' AND h.hour = b.hour
	), written AS (
		INSERT INTO slo_internal.rollup_hour AS h (objective_id, hour, valid, good, minute_valid, minute_good)
		SELECT b.objective_id, b.hour, b.v, b.g, b.mv, b.mg FROM rebuilt b WHERE b.v > 0
		ON CONFLICT (objective_id, breakdown, hour) DO UPDATE
			SET valid = EXCLUDED.valid, good = EXCLUDED.good,
				minute_valid = EXCLUDED.minute_valid, minute_good = EXCLUDED.minute_good
			WHERE h.minute_valid IS DISTINCT FROM EXCLUDED.minute_valid
			   OR h.minute_good IS DISTINCT FROM EXCLUDED.minute_good
	), delta AS (
		SELECT b.objective_id, date_bin('1 day', b.hour, '2000-01-01 00:00+00') AS day,
			   sum(b.v - b.old_v)::int8 AS dv, sum(b.g - b.old_g)::int8 AS dg
		FROM rebuilt b
		GROUP BY 1, 2
		HAVING sum(b.v - b.old_v) <> 0 OR sum(b.g - b.old_g) <> 0
	), days AS (
		SELECT d.objective_id, d.day, d.dv, d.dg, r.valid AS old_valid, r.good AS old_good
		FROM delta d
		LEFT JOIN LATERAL (
			SELECT r.valid, r.good FROM slo_internal.rollup_day r
			WHERE r.objective_id = d.objective_id AND r.breakdown = '' AND r.day = d.day) r ON true
	), days_gone AS (
		DELETE FROM slo_internal.rollup_day r
		USING days d
		WHERE d.old_valid + d.dv = 0
		  AND r.objective_id = d.objective_id AND r.breakdown = '' AND r.day = d.day
	)
	INSERT INTO slo_internal.rollup_day AS r (objective_id, day, valid, good)
	SELECT d.objective_id, d.day, coalesce(d.old_valid, 0) + d.dv, coalesce(d.old_good, 0) + d.dg
	FROM days d
	WHERE coalesce(d.old_valid, 0) + d.dv > 0
	ON CONFLICT (objective_id, breakdown, day) DO UPDATE
		SET valid = EXCLUDED.valid, good = EXCLUDED.good;
END
$$;

-- Count the minutes of "ranges" for a group of objectives of one table,
-- owner, search_path and time column, in one query run as the owner, into
-- pg_temp.slo_counted.  Returns the number of (objective, minute) rows.
CREATE FUNCTION slo_internal.count_group(members @extschema@.objective[], ranges pg_catalog.tstzmultirange)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n int8;
BEGIN
	PERFORM slo_internal.counted_table();
	INSERT INTO pg_temp.slo_counted
	SELECT c.objective_id, c.bucket, c.valid, c.good, c.sketch
	FROM slo_internal.query_group_as(members[1].owner::regrole, members[1].search_path,
									 slo_internal.counting_query(members, ranges), NULL, NULL, ranges) c;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

-- Count a freshness objective over the minutes of "ranges" within [lo, hi)
-- (NULL: all of them), as far as a change there reaches, into
-- pg_temp.slo_counted.  "replaced" is every minute counted; "counted" the
-- number of them with valid time.
CREATE FUNCTION slo_internal.count_freshness(o @extschema@.objective, lo pg_catalog.timestamptz,
		hi pg_catalog.timestamptz, ranges pg_catalog.tstzmultirange,
		OUT counted pg_catalog.int8, OUT replaced pg_catalog.tstzmultirange)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM slo_internal.counted_table();
	WITH q AS (
		SELECT c.bucket, c.valid, c.good
		FROM slo_internal.query_counts_as(o.owner::regrole, o.search_path, slo_internal.freshness_query(o),
										  lo, hi, ranges) c
	), kept AS (
		INSERT INTO pg_temp.slo_counted (objective_id, bucket, valid, good)
		SELECT o.id, q.bucket, q.valid, q.good FROM q WHERE q.valid > 0
		RETURNING 1
	)
	SELECT (SELECT count(*) FROM kept),
		   coalesce(range_agg(tstzrange(q.bucket, q.bucket + interval '1 minute')), '{}')
	INTO counted, replaced
	FROM q;
END
$$;

-- An objective's source must still be there.
CREATE FUNCTION slo_internal.check_source(o @extschema@.objective)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = o.source) THEN
		RAISE EXCEPTION 'source table of objective "%" of service "%" no longer exists', o.name, o.service
			USING ERRCODE = 'undefined_table',
				  HINT = 'Redefine the objective on another table, or delete it from slo.objective.';
	END IF;
	PERFORM slo_internal.refuse_distributed(o.source);
END
$$;

-- Drop objective o's rollup and start it again: a new objective, one
-- redefined, or one whose source was truncated.  The backfill steps then
-- count it back to its horizon, a day at a time, newest first.
CREATE FUNCTION slo_internal.restart_rollup(o @extschema@.objective, e pg_catalog.timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM @extschema@.rollup WHERE objective_id = o.id;
	DELETE FROM slo_internal.rollup_hour WHERE objective_id = o.id;
	DELETE FROM slo_internal.rollup_day WHERE objective_id = o.id;
	DELETE FROM slo_internal.pending WHERE objective_id = o.id;
	INSERT INTO slo_internal.progress AS p (objective_id, revision, backfilled_from, computed_until,
											backfilled_until, days_from)
	VALUES (o.id, o.revision, e, e, NULL, NULL)
	ON CONFLICT (objective_id) DO UPDATE
		SET revision = EXCLUDED.revision, backfilled_from = EXCLUDED.backfilled_from,
			computed_until = EXCLUDED.computed_until, backfilled_until = NULL, days_from = NULL;
END
$$;

-- One backfill step of objective o at minute e: count the day before what
-- its rollup reaches back to (the first step also counts everything from e
-- on), and stop at its horizon.  Returns the number of minutes counted.
CREATE FUNCTION slo_internal.backfill_step(o @extschema@.objective, e pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p slo_internal.progress;
	lo timestamptz := slo_internal.minute_of(e - slo_internal.horizon_of(o));
	chunk_lo timestamptz;
	chunk_hi timestamptz;
	ranges tstzmultirange;
	n int8;
BEGIN
	PERFORM slo_internal.check_source(o);
	SELECT * INTO p FROM slo_internal.progress WHERE objective_id = o.id;
	chunk_hi := p.backfilled_from;
	chunk_lo := greatest(lo, chunk_hi - interval '1 day');
	IF o.sli_kind = 'freshness' THEN
		-- the first step also counts up to e (freshness has nothing after
		-- it); each later one its own day, the update before it included
		IF chunk_hi >= p.computed_until THEN
			chunk_hi := e;
		END IF;
		SELECT c.counted INTO n FROM slo_internal.count_freshness(o, chunk_lo, chunk_hi, NULL) c;
		ranges := tstzmultirange(tstzrange(chunk_lo, chunk_hi));
		PERFORM slo_internal.store_counts(ARRAY[o.id], ARRAY[ranges]);
		UPDATE slo_internal.progress SET computed_until = greatest(computed_until, e) WHERE objective_id = o.id;
	ELSE
		-- the first step counts [chunk_lo, infinity): events stamped after e too
		ranges := tstzmultirange(tstzrange(chunk_lo, CASE WHEN chunk_hi >= p.computed_until THEN NULL ELSE chunk_hi END));
		n := slo_internal.count_group(ARRAY[o], ranges);
		PERFORM slo_internal.store_counts(ARRAY[o.id], ARRAY[ranges]);
	END IF;
	UPDATE slo_internal.progress
	SET backfilled_from = chunk_lo,
		backfilled_until = CASE WHEN chunk_lo <= lo THEN lo END,
		days_from = date_bin('1 day', chunk_lo - interval '1 microsecond', '2000-01-01 00:00+00') + interval '1 day'
	WHERE objective_id = o.id;
	RETURN n;
END
$$;

-- Count the changed minutes of a group of backfilled objectives of one
-- table, owner, search_path and time column (no freshness objectives): each
-- takes its own pending minutes (from what its rollup covers on), one
-- query counts the union, and each stores its own.  Returns the number of
-- (objective, minute) rows counted.
CREATE FUNCTION slo_internal.recount_group(ids pg_catalog.int8[], e pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	members @extschema@.objective[];
	own tstzmultirange[];
	o @extschema@.objective;
	all_ranges tstzmultirange := '{}';
	r tstzmultirange;
	n int8 := 0;
BEGIN
	FOR o IN SELECT ob.* FROM @extschema@.objective ob WHERE ob.id = ANY (ids) ORDER BY ob.id LOOP
		PERFORM slo_internal.check_source(o);
		WITH gone AS (DELETE FROM slo_internal.pending pd WHERE pd.objective_id = o.id RETURNING pd.changed)
		SELECT g.changed * tstzmultirange(tstzrange(p.backfilled_from, NULL)) INTO r
		FROM gone g, slo_internal.progress p WHERE p.objective_id = o.id;
		CONTINUE WHEN r IS NULL OR isempty(r);
		members := members || o;
		own := own || r;
		all_ranges := all_ranges + r;
	END LOOP;
	IF members IS NULL THEN
		RETURN 0;
	END IF;
	n := slo_internal.count_group(members, all_ranges);
	PERFORM slo_internal.store_counts(ARRAY(SELECT m.id FROM unnest(members) m), own);
	RETURN n;
END
$$;

-- Count what changed for a backfilled freshness objective: from the first
-- changed minute (or the last tick's end, since age grows with time) to e.
CREATE FUNCTION slo_internal.recount_freshness(o @extschema@.objective, e pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p slo_internal.progress;
	changed tstzmultirange;
	n int8;
BEGIN
	PERFORM slo_internal.check_source(o);
	SELECT * INTO p FROM slo_internal.progress WHERE objective_id = o.id;
	WITH gone AS (DELETE FROM slo_internal.pending pd WHERE pd.objective_id = o.id RETURNING pd.changed)
	-- (a change before the rollup's start still reaches the minutes from its
	-- start to the next update: they are recounted as if its first minute
	-- had changed)
	SELECT g.changed * tstzmultirange(tstzrange(p.backfilled_from, NULL))
		   + CASE WHEN g.changed && tstzmultirange(tstzrange(NULL, p.backfilled_from))
				  THEN tstzmultirange(tstzrange(p.backfilled_from, p.backfilled_from + interval '1 minute'))
				  ELSE '{}' END
	INTO changed FROM gone g;
	-- what changed, and the minutes since the last tick (age grows)
	changed := (coalesce(changed, '{}') + tstzmultirange(tstzrange(slo_internal.minute_of(p.computed_until), e)))
			   * tstzmultirange(tstzrange(NULL, e));
	IF isempty(changed) THEN
		UPDATE slo_internal.progress SET computed_until = e WHERE objective_id = o.id;
		RETURN 0;
	END IF;
	SELECT c.counted, c.replaced INTO n, changed
	FROM slo_internal.count_freshness(o, lower(changed), e, changed) c;
	PERFORM slo_internal.store_counts(ARRAY[o.id], ARRAY[changed]);
	UPDATE slo_internal.progress SET computed_until = e WHERE objective_id = o.id;
	RETURN n;
END
$$;

-- Drop what no window of any objective can reach any more, and what
-- deleted objectives left.
CREATE FUNCTION slo_internal.prune_rollups(e pg_catalog.timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- what deleted objectives left (their progress row says they had a
	-- rollup); each a probe of the primary key, never a scan of a rollup
	WITH gone AS (
		SELECT p.objective_id AS id FROM slo_internal.progress p
		WHERE NOT EXISTS (SELECT 1 FROM @extschema@.objective o WHERE o.id = p.objective_id)
	), m AS (
		DELETE FROM @extschema@.rollup r WHERE r.ctid = ANY (ARRAY(
			SELECT k.ctid FROM gone CROSS JOIN LATERAL (
				SELECT r2.ctid FROM @extschema@.rollup r2 WHERE r2.objective_id = gone.id) k))
	), hr AS (
		DELETE FROM slo_internal.rollup_hour r WHERE r.ctid = ANY (ARRAY(
			SELECT k.ctid FROM gone CROSS JOIN LATERAL (
				SELECT r2.ctid FROM slo_internal.rollup_hour r2 WHERE r2.objective_id = gone.id) k))
	), d AS (
		DELETE FROM slo_internal.rollup_day r WHERE r.ctid = ANY (ARRAY(
			SELECT k.ctid FROM gone CROSS JOIN LATERAL (
				SELECT r2.ctid FROM slo_internal.rollup_day r2 WHERE r2.objective_id = gone.id) k))
	)
	DELETE FROM slo_internal.progress p USING gone WHERE p.objective_id = gone.id;
	DELETE FROM @extschema@.evaluation v WHERE NOT EXISTS (SELECT 1 FROM @extschema@.objective o WHERE o.id = v.objective_id);
	DELETE FROM slo_internal.pending d WHERE NOT EXISTS (SELECT 1 FROM @extschema@.objective o WHERE o.id = d.objective_id);

	-- beyond each objective's horizon: at the left edge of its rows
	-- (breakdown '' is the only one there is yet); day sums are kept 13
	-- months (for the monthly results), or back to the horizon if that is
	-- longer
	WITH h AS (
		SELECT o.id, slo_internal.minute_of(e - slo_internal.horizon_of(o)) AS lo,
			   least(date_bin('1 day', e - interval '13 months', '2000-01-01 00:00+00'),
					 date_bin('1 day', e - slo_internal.horizon_of(o), '2000-01-01 00:00+00')) AS days_lo
		FROM @extschema@.objective o
	), m AS (
		DELETE FROM @extschema@.rollup r WHERE r.ctid = ANY (ARRAY(
			SELECT k.ctid FROM h CROSS JOIN LATERAL (
				SELECT r2.ctid FROM @extschema@.rollup r2
				WHERE r2.objective_id = h.id AND r2.breakdown = '' AND r2.bucket < h.lo) k))
	), hr AS (
		DELETE FROM slo_internal.rollup_hour r WHERE r.ctid = ANY (ARRAY(
			SELECT k.ctid FROM h CROSS JOIN LATERAL (
				SELECT r2.ctid FROM slo_internal.rollup_hour r2
				WHERE r2.objective_id = h.id AND r2.breakdown = ''
				  AND r2.hour < date_bin('1 hour', h.lo, '2000-01-01 00:00+00')) k))
	), d AS (
		DELETE FROM slo_internal.rollup_day r WHERE r.ctid = ANY (ARRAY(
			SELECT k.ctid FROM h CROSS JOIN LATERAL (
				SELECT r2.ctid FROM slo_internal.rollup_day r2
				WHERE r2.objective_id = h.id AND r2.breakdown = '' AND r2.day < h.days_lo) k))
	)
	UPDATE slo_internal.progress p
	SET backfilled_from = greatest(p.backfilled_from, h.lo),
		backfilled_until = CASE WHEN p.backfilled_from < h.lo THEN h.lo ELSE p.backfilled_until END,
		days_from = CASE WHEN p.days_from IS NOT NULL THEN greatest(p.days_from, h.days_lo) END
	FROM h
	WHERE p.objective_id = h.id AND (p.backfilled_from < h.lo OR p.days_from < h.days_lo);
END
$$;

-- Every objective's rollup as one row per minute with valid events,
-- whichever layout holds it: what a recount of the source rows must equal.
CREATE VIEW slo_internal.minutes AS
SELECT r.objective_id, r.bucket, r.valid, r.good
FROM @extschema@.rollup r
WHERE r.breakdown = ''
UNION ALL
SELECT h.objective_id, h.hour + (m.i - 1) * interval '1 minute', m.v::pg_catalog.int8, m.g::pg_catalog.int8
FROM slo_internal.rollup_hour h,
	 ROWS FROM (pg_catalog.unnest(h.minute_valid), pg_catalog.unnest(h.minute_good)) WITH ORDINALITY AS m(v, g, i)
WHERE h.breakdown = '' AND m.v > 0;
COMMENT ON VIEW slo_internal.minutes IS
'every objective''s rollup, one row per minute with valid events: what a recount of the source rows must equal';
GRANT SELECT ON slo_internal.minutes TO slo_reader;

/*
 * evaluation.sql: the window arithmetic -- units counted and bad in a range
 * of the rollup, by budgeting method, and one objective's evaluation.
 */

-- Valid and good units in the minutes [a, b) of an objective budgeted in
-- occurrences, from its hour and day rows: the whole UTC days inside, the
-- whole hours inside but outside those days, and the minutes of the hours
-- that [a, b) starts or ends inside.  A 30-day window reads about 30 day
-- rows, up to 46 hour rows and two of them again for their minutes.
CREATE FUNCTION slo_internal.range_sum(objective_id pg_catalog.int8, a pg_catalog.timestamptz,
		b pg_catalog.timestamptz, OUT valid pg_catalog.int8, OUT good pg_catalog.int8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	origin CONSTANT timestamptz := '2000-01-01 00:00:00+00';
	id CONSTANT int8 := range_sum.objective_id;
	ha timestamptz;		-- the first whole hour at or after a
	hb timestamptz;		-- the last hour boundary at or before b
	da timestamptz;		-- the first whole day at or after ha
	db timestamptz;		-- the last day boundary at or before hb
	v int8;
	g int8;
BEGIN
	valid := 0;
	good := 0;
	IF a >= b THEN
		RETURN;
	END IF;
	ha := date_bin('1 hour', a, origin);
	IF ha < a THEN
		ha := ha + interval '1 hour';
	END IF;
	hb := date_bin('1 hour', b, origin);

	IF ha > hb THEN
		-- a and b inside one hour: its minutes [a, b)
		SELECT coalesce(sum(x.v), 0), coalesce(sum(x.g), 0) INTO valid, good
		FROM slo_internal.rollup_hour h,
			 unnest(h.minute_valid[1 + extract(epoch FROM a - h.hour)::int / 60 : extract(epoch FROM b - h.hour)::int / 60],
					h.minute_good[1 + extract(epoch FROM a - h.hour)::int / 60 : extract(epoch FROM b - h.hour)::int / 60]) AS x(v, g)
		WHERE h.objective_id = id AND h.breakdown = '' AND h.hour = hb;
		RETURN;
	END IF;

	da := date_bin('1 day', ha, origin);
	IF da < ha THEN
		da := da + interval '1 day';
	END IF;
	db := date_bin('1 day', hb, origin);
	IF da < db THEN
		SELECT coalesce(sum(d.valid), 0), coalesce(sum(d.good), 0) INTO v, g
		FROM slo_internal.rollup_day d
		WHERE d.objective_id = id AND d.breakdown = '' AND d.day >= da AND d.day < db;
		valid := valid + v;
		good := good + g;
		SELECT coalesce(sum(h.valid), 0), coalesce(sum(h.good), 0) INTO v, g
		FROM slo_internal.rollup_hour h
		WHERE h.objective_id = id AND h.breakdown = ''
		  AND ((h.hour >= ha AND h.hour < da) OR (h.hour >= db AND h.hour < hb));
	ELSE
		SELECT coalesce(sum(h.valid), 0), coalesce(sum(h.good), 0) INTO v, g
		FROM slo_internal.rollup_hour h
		WHERE h.objective_id = id AND h.breakdown = '' AND h.hour >= ha AND h.hour < hb;
	END IF;
	valid := valid + v;
	good := good + g;

	-- the minutes [a, ha) of the hour before ha, and [hb, b) of hour hb
	IF a < ha THEN
		SELECT coalesce(sum(x.v), 0), coalesce(sum(x.g), 0) INTO v, g
		FROM slo_internal.rollup_hour h,
			 unnest(h.minute_valid[1 + extract(epoch FROM a - h.hour)::int / 60 : 60],
					h.minute_good[1 + extract(epoch FROM a - h.hour)::int / 60 : 60]) AS x(v, g)
		WHERE h.objective_id = id AND h.breakdown = '' AND h.hour = ha - interval '1 hour';
		valid := valid + v;
		good := good + g;
	END IF;
	IF hb < b THEN
		SELECT coalesce(sum(x.v), 0), coalesce(sum(x.g), 0) INTO v, g
		FROM slo_internal.rollup_hour h,
			 unnest(h.minute_valid[1 : extract(epoch FROM b - h.hour)::int / 60],
					h.minute_good[1 : extract(epoch FROM b - h.hour)::int / 60]) AS x(v, g)
		WHERE h.objective_id = id AND h.breakdown = '' AND h.hour = hb;
		valid := valid + v;
		good := good + g;
	END IF;
END
$$;

-- The minutes a correction of objective o excludes, as whole minutes: a
-- minute is excluded when its start lies in the correction's range.
CREATE FUNCTION slo_internal.corrected_minutes(objective_id pg_catalog.int8)
RETURNS pg_catalog.tstzmultirange
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN (
	SELECT coalesce(range_agg(tstzrange(
			   CASE WHEN lower_inf(c.during) THEN '-infinity'
					WHEN lower_inc(c.during) AND slo_internal.minute_of(lower(c.during)) = lower(c.during) THEN lower(c.during)
					ELSE slo_internal.minute_of(lower(c.during)) + interval '1 minute' END,
			   CASE WHEN upper_inf(c.during) THEN 'infinity'
					WHEN NOT upper_inc(c.during) AND slo_internal.minute_of(upper(c.during)) = upper(c.during) THEN upper(c.during)
					ELSE slo_internal.minute_of(upper(c.during)) + interval '1 minute' END)), '{}')
	FROM @extschema@.correction c
	WHERE c.objective_id = corrected_minutes.objective_id
);

-- Counted units and bad units of an objective in [lo, hi), from its rollup,
-- by its budgeting method: events (occurrences), whole slices (timeslices)
-- or the sum of (1 - slice ratio) (ratio_timeslices).  Corrections and, for
-- timeslices, the unfinished last slice are left out.  An objective without
-- corrections pays nothing for them.
CREATE FUNCTION slo_internal.measure(o @extschema@.objective, origin pg_catalog.timestamptz,
		lo pg_catalog.timestamptz, hi pg_catalog.timestamptz,
		OUT valid pg_catalog.int8, OUT good pg_catalog.int8,
		OUT counted pg_catalog.float8, OUT bad pg_catalog.float8)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	slices_total int8;
	slices_seen int8;
	corrected bool := EXISTS (SELECT 1 FROM @extschema@.correction c WHERE c.objective_id = o.id);
	part tstzrange;
	part_sum record;
BEGIN
	IF o.budgeting = 'occurrences' THEN
		IF NOT corrected THEN
			SELECT * INTO valid, good FROM slo_internal.range_sum(o.id, lo, hi);
		ELSE
			valid := 0;
			good := 0;
			FOR part IN SELECT unnest(tstzmultirange(tstzrange(lo, hi)) - slo_internal.corrected_minutes(o.id)) LOOP
				part_sum := slo_internal.range_sum(o.id, lower(part), upper(part));
				valid := valid + part_sum.valid;
				good := good + part_sum.good;
			END LOOP;
		END IF;
		counted := valid;
		bad := valid - good;
		RETURN;
	END IF;

	WITH slices AS (
		SELECT date_bin(o.slice, r.bucket, origin) AS s, sum(r.valid) AS v, sum(r.good) AS g,
			   CASE WHEN o.sli_kind = 'percentile'
					THEN @extschema@.percentile(@extschema@.merge(r.sketch), o.percentile) END AS p
		FROM @extschema@.rollup r
		WHERE r.objective_id = o.id AND r.breakdown = '' AND r.bucket >= lo AND r.bucket < hi
		  AND (NOT corrected OR NOT EXISTS (SELECT 1 FROM @extschema@.correction c
											WHERE c.objective_id = o.id AND c.during @> r.bucket))
		GROUP BY 1
	), judged AS (
		SELECT v, g,
			   (v >= coalesce(o.slice_min_events, 1)
				AND CASE WHEN o.sli_kind = 'percentile'
						 -- the slice's percentile meets the bound
						 THEN CASE o.op WHEN 'lt' THEN p < o.threshold::float8
										WHEN 'le' THEN p <= o.threshold::float8
										WHEN 'gt' THEN p > o.threshold::float8
										ELSE p >= o.threshold::float8 END
						 ELSE g::float8 / v >= coalesce(o.slice_target, o.target) END) AS ok
		FROM slices
		WHERE s >= lo AND s + o.slice <= hi AND v > 0
	)
	SELECT coalesce(sum(v), 0), coalesce(sum(g), 0), count(*),
		   CASE WHEN o.budgeting = 'timeslices' THEN count(*) FILTER (WHERE NOT ok)
				ELSE coalesce(sum(1 - g::float8 / v), 0) END
	INTO valid, good, slices_seen, bad
	FROM judged;
	counted := slices_seen;

	IF o.empty_slices <> 'exclude' THEN
		-- whole slices in [lo, hi) aligned to origin, less corrected ones,
		-- from the first event the rollup has seen (a new objective is not
		-- charged for the time before its data began)
		SELECT count(*) INTO slices_total
		FROM generate_series(date_bin(o.slice, lo, origin), hi - o.slice, o.slice) AS s
		WHERE s >= lo
		  AND s + o.slice > (SELECT min(r.bucket) FROM @extschema@.rollup r WHERE r.objective_id = o.id)
		  AND (NOT corrected OR NOT EXISTS (SELECT 1 FROM @extschema@.correction c
											WHERE c.objective_id = o.id AND c.during && tstzrange(s, s + o.slice)));
		IF slices_total > slices_seen THEN
			counted := slices_total;
			IF o.empty_slices = 'bad' THEN
				bad := bad + (slices_total - slices_seen);
			END IF;
		END IF;
	END IF;
END
$$;

-- Evaluate one objective at instant "at" into slo.evaluation.  Windows,
-- look-backs and the SLA window all end at E = the minute "at" falls in
-- (the last whole minute before it), and count [start, E).
CREATE FUNCTION slo_internal.evaluate(o @extschema@.objective, at pg_catalog.timestamptz)
RETURNS @extschema@.evaluation
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	w record;
	m record;
	mw record;
	e @extschema@.evaluation;
	budget float8;
	w_secs float8;
	lookbacks interval[] := ARRAY['5 minutes', '30 minutes', '1 hour', '6 hours', '1 day', '3 days']::interval[];
	burns float8[] := '{}';
	lb interval;
	t record;
BEGIN
	-- Every window and look-back ends at the last whole minute before "at"
	-- (E) and counts [start, E): the rollup's minutes are whole, so this is
	-- exactly what a raw count over the same bounds gives.
	e.evaluated_at := at;
	at := slo_internal.minute_of(at);
	w := slo_internal.window_of(o, at);
	mw := slo_internal.measure(o, w.window_start, w.window_start, LEAST(at, w.window_end));
	m := mw;
	w_secs := extract(epoch FROM w.window_end - w.window_start);

	e.objective_id := o.id;
	e.window_start := w.window_start;
	e.window_end := w.window_end;
	e.counted_until := LEAST(at, w.window_end);
	e.valid := m.valid;
	e.good := m.good;
	IF m.counted > 0 THEN
		IF o.budgeting = 'occurrences' THEN
			e.sli := m.good::float8 / m.valid::float8;
		ELSE
			e.sli := 1 - m.bad / m.counted;
		END IF;
	END IF;

	IF o.budgeting = 'occurrences' THEN
		IF o.sli_kind = 'freshness' THEN
			e.budget_unit := 'minutes';
			budget := (1 - o.target) * m.counted;			-- milliseconds
			e.error_budget := budget / 60000;
		ELSE
			e.budget_unit := 'events';
			budget := (1 - o.target) * m.counted;
			e.error_budget := budget;
		END IF;
	ELSE
		e.budget_unit := 'minutes';
		budget := (1 - o.target) * (w_secs / extract(epoch FROM o.slice));	-- slices
		e.error_budget := budget * extract(epoch FROM o.slice) / 60;
	END IF;
	IF budget > 0 AND m.counted > 0 THEN
		e.consumed := m.bad / budget;
		e.remaining := 1 - e.consumed;
	END IF;

	FOREACH lb IN ARRAY lookbacks LOOP
		m := slo_internal.measure(o, w.window_start, at - lb, at);
		burns := burns || CASE WHEN m.counted > 0 THEN (m.bad / m.counted) / (1 - o.target) END;
	END LOOP;
	e.burn_5m := burns[1]; e.burn_30m := burns[2]; e.burn_1h := burns[3];
	e.burn_6h := burns[4]; e.burn_1d := burns[5]; e.burn_3d := burns[6];

	IF e.remaining > 0 AND e.burn_1h > 0 THEN
		e.time_to_exhaustion := make_interval(secs => e.remaining * w_secs / e.burn_1h);
	END IF;
	e.too_little_data := mw.valid < o.min_events OR mw.counted = 0;
	-- until its rollup reaches back over the whole window (and SLA window),
	-- a new objective's numbers are partial: no policy acts on them
	e.backfilling := NOT EXISTS (SELECT 1 FROM slo_internal.progress p
								 WHERE p.objective_id = o.id AND p.revision = o.revision
								   AND (p.backfilled_until IS NOT NULL
										OR p.backfilled_from <= LEAST(w.window_start, at - interval '3 days',
																	  at - coalesce(o.sla_window, interval '0'))));

	IF o.sla_target IS NOT NULL THEN
		m := slo_internal.measure(o, at - o.sla_window, at - o.sla_window, at);
		IF m.counted > 0 THEN
			e.sla_sli := 1 - m.bad / m.counted;
		END IF;
	END IF;

	-- the policy tier: thresholds are lower bounds, the highest that applies wins
	SELECT pt.label, pt.action INTO t
	FROM @extschema@.policy p JOIN @extschema@.policy_tier pt ON pt.policy = p.name
	WHERE p.name = o.policy
	  AND CASE p.measure WHEN 'remaining' THEN e.remaining > pt.threshold
						 ELSE e.consumed >= pt.threshold END
	ORDER BY pt.threshold DESC
	LIMIT 1;
	e.tier := t.label;
	e.action := t.action;
	RETURN e;
END
$$;

/*
 * policy_actions.sql: what the tick does to the freezes: each objective's
 * policy action, and the freezes left by deleted objectives and services.
 * The tick waits for no lock a writer can hold here (its own service's
 * freezes): a freeze held locked is lifted by a later tick.
 */

-- Apply each objective's policy action to the freezes.
CREATE FUNCTION slo_internal.apply_policy(o @extschema@.objective, e @extschema@.evaluation)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF e.action IN ('freeze', 'incident') AND NOT e.too_little_data THEN
		INSERT INTO @extschema@.freezes (service, objective_id, reason, kind)
		VALUES (o.service, o.id,
				format('%s/%s: %s tier of policy %s (budget remaining %s)', o.service, o.name,
					   e.tier, o.policy, round(e.remaining::numeric, 4)),
				'policy')
		ON CONFLICT (objective_id) WHERE kind = 'policy' AND lifted_at IS NULL DO NOTHING;
	ELSIF e.action IN ('normal', 'caution') OR e.remaining IS NULL THEN
		-- a recovered budget, or a new window without events yet
		UPDATE @extschema@.freezes f
		SET lifted_at = now(), lifted_by = CURRENT_USER,
			lift_reason = format('%s/%s: %s', o.service, o.name,
								 coalesce('budget recovered to the ' || e.tier || ' tier',
										  'no events yet in the new window'))
		WHERE f.objective_id = o.id AND f.kind = 'policy' AND f.lifted_at IS NULL
		  -- a freeze a writer holds locked (its service's own) is lifted
		  -- by a later tick: the tick waits for nobody
		  AND f.id IN (SELECT l.id FROM @extschema@.freezes l
					   WHERE l.objective_id = o.id AND l.kind = 'policy' AND l.lifted_at IS NULL
					   FOR UPDATE SKIP LOCKED);
	END IF;
END
$$;

-- Lift the freezes in force whose objective (policy freezes) or service
-- was deleted since: nothing else would.
CREATE FUNCTION slo_internal.lift_orphaned_freezes()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	UPDATE @extschema@.freezes f
	SET lifted_at = now(), lifted_by = CURRENT_USER,
		lift_reason = CASE WHEN NOT EXISTS (SELECT 1 FROM @extschema@.service s WHERE s.name = f.service)
						   THEN 'service deleted' ELSE 'objective deleted' END
	WHERE f.lifted_at IS NULL
	  AND (NOT EXISTS (SELECT 1 FROM @extschema@.service s WHERE s.name = f.service)
		   OR (f.kind = 'policy'
			   AND NOT EXISTS (SELECT 1 FROM @extschema@.objective o WHERE o.id = f.objective_id)))
	  -- one a writer holds locked is lifted by a later tick: the tick waits
	  -- for nobody
	  AND f.id IN (SELECT l.id FROM @extschema@.freezes l WHERE l.lifted_at IS NULL FOR UPDATE SKIP LOCKED);
END;

/*
 * tick.sql: CALL slo.tick() -- what changed, recounted table by table; new
 * objectives backfilled a day at a time; then every objective evaluated,
 * its policy applied, its history kept.  Each step runs in a subtransaction
 * of its own (src/tick.c), and the tick commits between steps when it can.
 */

-- One step of a tick (run by tick_step_guarded): the recount of a group of
-- objectives of one table, owner, search_path and time column; the recount
-- of a freshness objective; a backfill step; the evaluation of objectives.
-- Returns what it counted (minutes, or objectives evaluated).
CREATE FUNCTION slo_internal.tick_step(step pg_catalog.text, ids pg_catalog.int8[], at pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e timestamptz := slo_internal.minute_of(at);
	o @extschema@.objective;
BEGIN
	CASE step
		WHEN 'recount' THEN
			RETURN slo_internal.recount_group(ids, e);
		WHEN 'freshness' THEN
			SELECT * INTO o FROM @extschema@.objective WHERE id = ids[1];
			RETURN slo_internal.recount_freshness(o, e);
		WHEN 'backfill' THEN
			SELECT * INTO o FROM @extschema@.objective WHERE id = ids[1];
			RETURN slo_internal.backfill_step(o, e);
		WHEN 'evaluate' THEN
			RETURN slo_internal.evaluate_objectives(ids, at);
		WHEN 'check' THEN
			SELECT * INTO o FROM @extschema@.objective WHERE id = ids[1];
			PERFORM slo_internal.check_source(o);
			RETURN 0;
	END CASE;
END
$$;

-- The guard (src/tick.c): tick_step() in a subtransaction, under
-- slo.lock_timeout; a failure of any kind comes back as (NULL, sqlstate,
-- message) and is rolled back; a cancel of the tick itself is re-raised.
CREATE FUNCTION slo_internal.tick_step_guarded(step pg_catalog.text, ids pg_catalog.int8[], at pg_catalog.timestamptz,
		OUT result pg_catalog.int8, OUT sqlstate pg_catalog.text, OUT message pg_catalog.text)
AS 'MODULE_PATHNAME', 'tick_step_guarded'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

-- May the calling procedure commit (CALL at top level, outside a
-- transaction block)?
CREATE FUNCTION slo_internal.may_commit()
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'may_commit'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- Evaluate objectives at instant "at" in one statement, write their status,
-- apply their policies, keep their history and their closed periods.
-- Returns the number evaluated.
CREATE FUNCTION slo_internal.evaluate_objectives(ids pg_catalog.int8[], at pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n int8;
BEGIN
	INSERT INTO @extschema@.evaluation AS v
	SELECT e.* FROM @extschema@.objective o CROSS JOIN LATERAL slo_internal.evaluate(o, at) e
	WHERE o.id = ANY (ids)
	ON CONFLICT (objective_id) DO UPDATE SET
		evaluated_at = EXCLUDED.evaluated_at, window_start = EXCLUDED.window_start,
		window_end = EXCLUDED.window_end, counted_until = EXCLUDED.counted_until,
		valid = EXCLUDED.valid, good = EXCLUDED.good,
		sli = EXCLUDED.sli, error_budget = EXCLUDED.error_budget,
		budget_unit = EXCLUDED.budget_unit, consumed = EXCLUDED.consumed,
		remaining = EXCLUDED.remaining, burn_5m = EXCLUDED.burn_5m,
		burn_30m = EXCLUDED.burn_30m, burn_1h = EXCLUDED.burn_1h,
		burn_6h = EXCLUDED.burn_6h, burn_1d = EXCLUDED.burn_1d, burn_3d = EXCLUDED.burn_3d,
		time_to_exhaustion = EXCLUDED.time_to_exhaustion,
		too_little_data = EXCLUDED.too_little_data, backfilling = EXCLUDED.backfilling,
		sla_sli = EXCLUDED.sla_sli, tier = EXCLUDED.tier, action = EXCLUDED.action,
		last_error = NULL, last_error_sqlstate = NULL, last_error_at = NULL;
	GET DIAGNOSTICS n = ROW_COUNT;

	PERFORM slo_internal.apply_policy(o, v)
	FROM @extschema@.objective o JOIN @extschema@.evaluation v ON v.objective_id = o.id
	WHERE o.id = ANY (ids) AND NOT v.backfilling;

	-- one history row per objective and hour: the first evaluation in it
	INSERT INTO @extschema@.history (objective_id, hour, counted_until, window_start, window_end, valid, good,
									 sli, consumed, remaining, burn_5m, burn_30m, burn_1h, burn_6h, burn_1d,
									 burn_3d, tier, action)
	SELECT v.objective_id, date_bin('1 hour', v.counted_until, '2000-01-01 00:00+00'), v.counted_until,
		   v.window_start, v.window_end, v.valid, v.good, v.sli, v.consumed, v.remaining, v.burn_5m, v.burn_30m,
		   v.burn_1h, v.burn_6h, v.burn_1d, v.burn_3d, v.tier, v.action
	FROM @extschema@.evaluation v
	WHERE v.objective_id = ANY (ids) AND NOT v.backfilling
	ON CONFLICT (objective_id, hour) DO NOTHING;

	PERFORM slo_internal.record_periods(o, slo_internal.minute_of(at))
	FROM @extschema@.objective o WHERE o.id = ANY (ids);
	RETURN n;
END
$$;

-- Record the closed periods of objective o that are not recorded yet: its
-- previous budget window (calendar objectives, once its rollup covers it)
-- and the previous UTC calendar month; a quarter once its three months are
-- recorded, from their sums.  A month of an objective budgeted in
-- occurrences is read from the day sums (kept 13 months) where its rollup
-- no longer reaches, and from the rollup (corrections applied) where it
-- does; in other budgeting methods only when the rollup covers it all.
CREATE FUNCTION slo_internal.record_periods(o @extschema@.objective, e pg_catalog.timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p slo_internal.progress;
	origin CONSTANT timestamptz := '2000-01-01 00:00+00';
	-- (month arithmetic in UTC, whatever the session's time zone)
	month_end timestamptz := date_trunc('month', e, 'UTC');
	month_start timestamptz := (date_trunc('month', e AT TIME ZONE 'UTC') - interval '1 month') AT TIME ZONE 'UTC';
	quarter_start timestamptz := (date_trunc('quarter', e AT TIME ZONE 'UTC') - interval '3 months') AT TIME ZONE 'UTC';
	covered_day timestamptz;
	w record;
	m record;
	early_valid int8 := 0;
	early_good int8 := 0;
BEGIN
	SELECT * INTO p FROM slo_internal.progress WHERE objective_id = o.id;
	IF p.objective_id IS NULL THEN
		RETURN;
	END IF;

	-- the budget window that ended last (calendar objectives)
	IF o.window_kind = 'calendar' THEN
		SELECT * INTO w FROM slo_internal.window_of(o, (slo_internal.window_of(o, e)).window_start);
		IF w.window_end <= e AND p.backfilled_from <= w.window_start
		   AND NOT EXISTS (SELECT 1 FROM @extschema@.period_result r
						   WHERE r.objective_id = o.id AND r.period = 'window' AND r.period_start = w.window_start) THEN
			m := slo_internal.measure(o, w.window_start, w.window_start, w.window_end);
			INSERT INTO @extschema@.period_result (objective_id, period, period_start, period_end, valid, good,
												   counted, bad, target)
			VALUES (o.id, 'window', w.window_start, w.window_end, m.valid, m.good, m.counted, m.bad, o.target);
		END IF;
	END IF;

	-- the month that ended last (UTC)
	IF NOT EXISTS (SELECT 1 FROM @extschema@.period_result r
					   WHERE r.objective_id = o.id AND r.period = 'month' AND r.period_start = month_start) THEN
		covered_day := greatest(month_start,
								date_bin('1 day', p.backfilled_from - interval '1 microsecond', origin) + interval '1 day');
		IF p.backfilled_from <= month_start
		   OR (o.budgeting = 'occurrences' AND p.days_from <= month_start AND covered_day < month_end) THEN
			IF covered_day > month_start THEN
				SELECT coalesce(sum(d.valid), 0), coalesce(sum(d.good), 0) INTO early_valid, early_good
				FROM slo_internal.rollup_day d
				WHERE d.objective_id = o.id AND d.breakdown = '' AND d.day >= month_start AND d.day < covered_day;
			END IF;
			m := slo_internal.measure(o, month_start, covered_day, month_end);
			INSERT INTO @extschema@.period_result (objective_id, period, period_start, period_end, valid, good,
												   counted, bad, target)
			VALUES (o.id, 'month', month_start, month_end, m.valid + early_valid, m.good + early_good,
					m.counted + early_valid, m.bad + (early_valid - early_good), o.target);
		END IF;
	END IF;

	-- the quarter that ended with that month, from its three months
	IF month_end = date_trunc('quarter', e, 'UTC')
	   AND NOT EXISTS (SELECT 1 FROM @extschema@.period_result r
					   WHERE r.objective_id = o.id AND r.period = 'quarter' AND r.period_start = quarter_start) THEN
		INSERT INTO @extschema@.period_result (objective_id, period, period_start, period_end, valid, good,
											   counted, bad, target)
		SELECT o.id, 'quarter', quarter_start, month_end, sum(r.valid), sum(r.good), sum(r.counted), sum(r.bad), o.target
		FROM @extschema@.period_result r
		WHERE r.objective_id = o.id AND r.period = 'month'
		  AND r.period_start >= quarter_start AND r.period_end <= month_end
		HAVING count(*) = 3;
	END IF;

	-- what follows from the counts: SLI, budget consumed, met or missed
	UPDATE @extschema@.period_result r
	SET sli = CASE WHEN r.counted > 0 THEN 1 - r.bad / r.counted END,
		consumed = CASE WHEN b.budget > 0 THEN r.bad / b.budget END,
		met = CASE WHEN r.counted > 0 THEN 1 - r.bad / r.counted >= r.target END
	FROM (SELECT r2.period, r2.period_start,
				 CASE WHEN o.budgeting = 'occurrences' THEN (1 - o.target) * r2.counted
					  ELSE (1 - o.target) * (extract(epoch FROM r2.period_end - r2.period_start)
											 / extract(epoch FROM o.slice)) END AS budget
		  FROM @extschema@.period_result r2
		  WHERE r2.objective_id = o.id AND r2.met IS NULL AND r2.counted > 0) b
	WHERE r.objective_id = o.id AND r.period = b.period AND r.period_start = b.period_start;
END
$$;

-- Record an objective's failure in its status.  If even that cannot be done
-- within a second (its objective row is locked by its owner, or it was just
-- deleted), the tick's log still has it.
CREATE FUNCTION slo_internal.record_failure(objective_id pg_catalog.int8, at pg_catalog.timestamptz,
		sqlstate pg_catalog.text, message pg_catalog.text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '1s'
AS $$
BEGIN
	INSERT INTO @extschema@.evaluation AS e (objective_id, evaluated_at, last_error, last_error_sqlstate, last_error_at)
	VALUES (record_failure.objective_id, at, message, sqlstate, clock_timestamp())
	ON CONFLICT ON CONSTRAINT evaluation_pkey DO UPDATE
		SET last_error = EXCLUDED.last_error, last_error_sqlstate = EXCLUDED.last_error_sqlstate,
			last_error_at = EXCLUDED.last_error_at;
EXCEPTION WHEN OTHERS THEN
	NULL;
END
$$;

-- Move the notes the capture triggers committed into slo_internal.pending,
-- per objective reading, through the same time column, the table they
-- fired on, a partitioned table it belongs to, or one of its partitions
-- (a statement on a parent fires only the parent's triggers).  Notes of
-- tables no objective reads go.
CREATE FUNCTION slo_internal.take_notes()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH notes AS (
		DELETE FROM slo_internal.invalidation RETURNING relid, time_column, changed
	), mapped AS (
		SELECT o.id, n.changed
		FROM notes n
		JOIN @extschema@.objective o
		  ON o.time_column = n.time_column
		 AND (o.source = n.relid
			  OR o.source IN (SELECT pg_catalog.pg_partition_ancestors(n.relid::pg_catalog.regclass))
			  OR o.source IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(n.relid::pg_catalog.regclass) t))
	)
	INSERT INTO slo_internal.pending AS p (objective_id, changed)
	SELECT m.id, pg_catalog.range_agg(m.changed) FROM mapped m GROUP BY m.id
	ON CONFLICT (objective_id) DO UPDATE SET changed = p.changed + EXCLUDED.changed;
END;

-- Commit what the tick did so far and go on in a new transaction, still
-- the one tick running (slo.tick calls it between steps, at top level).
CREATE PROCEDURE slo_internal.commit_step()
LANGUAGE plpgsql
AS $$
BEGIN
	COMMIT;
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	LOCK TABLE slo_internal.tick_lock IN EXCLUSIVE MODE;
END
$$;

-- One step of the tick for objectives "ids" (see tick_step), guarded:
-- what it counted is added to "counted"; if it fails and holds several
-- objectives, each is tried alone, so that an error lands on the objective
-- that raised it (but not after a time limit: that would only wait again);
-- the objectives that fail join "failed", with their log
-- elements in "failures".  Then, if the tick may, it commits and goes on
-- in a new transaction, still the one tick running.  No SET clause (a
-- procedure with one cannot commit): slo.tick has set the path.
CREATE PROCEDURE slo_internal.run_step(step pg_catalog.text, ids pg_catalog.int8[], at pg_catalog.timestamptz,
		can_commit pg_catalog.bool, INOUT counted pg_catalog.int8, INOUT failed pg_catalog.int8[],
		INOUT failures pg_catalog.jsonb)
LANGUAGE plpgsql
AS $$
DECLARE
	r record;
	one pg_catalog.int8;
BEGIN
	r := slo_internal.tick_step_guarded(step, ids, at);
	IF r.sqlstate IS NULL THEN
		counted := counted + r.result;
	ELSIF pg_catalog.cardinality(ids) = 1 OR r.sqlstate IN ('57014', '55P03') THEN
		-- one objective, or a time limit hit (the same for each alone: a
		-- group holds the objectives of one owner)
		FOREACH one IN ARRAY ids LOOP
			failed := failed || one;
			failures := failures || slo_internal.failure_note(one, r.sqlstate, r.message);
		END LOOP;
	ELSE
		FOREACH one IN ARRAY ids LOOP
			r := slo_internal.tick_step_guarded(step, ARRAY[one], at);
			IF r.sqlstate IS NULL THEN
				counted := counted + r.result;
			ELSE
				failed := failed || one;
				failures := failures || slo_internal.failure_note(one, r.sqlstate, r.message);
			END IF;
		END LOOP;
	END IF;
	IF can_commit THEN
		CALL slo_internal.commit_step();
	END IF;
END
$$;

/*
 * CALL slo.tick(): for every enabled objective, the minutes that changed
 * are recounted (one query per source table, owner, search_path and time
 * column), new objectives are backfilled a day at a time for at most
 * slo.backfill_time per tick, and then every objective is evaluated, its
 * policy applied and its history kept.  Idempotent.
 *
 * Each step runs in a subtransaction (src/tick.c): a step that fails, in
 * any way (an objective's expression raised an error, query_canceled or an
 * assertion; its counting query ran past slo.query_timeout; a lock wait ran
 * past slo.lock_timeout), is rolled back, its objectives keep what they had
 * to recount, the error is recorded on them and in the tick's log, and the
 * tick goes on; a failed group is retried one objective at a time, so one
 * objective's error stays its own.  A cancel of the tick itself stops it.
 *
 * Called at top level, outside a transaction block (as pg_cron does), the
 * tick commits after each step, so no transaction of it holds locks on a
 * source table for longer than one step.  A second tick that starts while
 * one runs skips instead of waiting.
 */
CREATE PROCEDURE @extschema@.tick(at pg_catalog.timestamptz DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
	-- (types qualified: they are resolved before the path below is set)
	started pg_catalog.timestamptz := pg_catalog.clock_timestamp();
	e pg_catalog.timestamptz;
	can_commit pg_catalog.bool;
	o @extschema@.objective;
	g record;
	id pg_catalog.int8;
	failed pg_catalog.int8[] := '{}';
	evaluate_ids pg_catalog.int8[];
	n_buckets pg_catalog.int8 := 0;
	n_objectives pg_catalog.int8 := 0;
	failures pg_catalog.jsonb := '[]';
	backfill_until pg_catalog.timestamptz;
	budget pg_catalog.float8;		-- ms of counting one owner may take per tick
	spent pg_catalog.jsonb := '{}';	-- per owner, ms of counting in this tick
	several_owners pg_catalog.bool;	-- (with one owner, nobody is waiting for it)
	t0 pg_catalog.timestamptz;
BEGIN
	-- no SET clause (a procedure with one cannot commit): pin the path here,
	-- again after each commit
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	-- "at" evaluates as of another instant (tests, replays); normally now()
	at := coalesce(at, now());
	e := slo_internal.minute_of(at);
	can_commit := slo_internal.may_commit();	-- (C: the module and its settings are loaded)
	budget := extract(epoch FROM pg_catalog.current_setting('slo.query_timeout')::pg_catalog.interval) * 1000;

	-- one tick at a time
	BEGIN
		LOCK TABLE slo_internal.tick_lock IN EXCLUSIVE MODE NOWAIT;
	EXCEPTION WHEN lock_not_available THEN
		INSERT INTO @extschema@.tick_log (started_at, finished_at, buckets_recounted,
										  objectives_evaluated, errors, skipped)
		VALUES (started, clock_timestamp(), 0, 0, 0, true);
		RAISE NOTICE 'tick skipped: another tick is running';
		RETURN;
	END;
	-- (between its transactions a tick holds no lock: tick_state names it.
	-- A row left by a tick that was cancelled, or whose backend is gone or
	-- now serves another session, does not count: that backend must be the
	-- same one, and still running a statement)
	IF EXISTS (SELECT 1 FROM slo_internal.tick_state s
			   WHERE s.pid <> pg_backend_pid()
				 AND EXISTS (SELECT 1 FROM pg_stat_activity a
							 WHERE a.pid = s.pid AND a.backend_start IS NOT DISTINCT FROM s.backend_start
							   AND coalesce(a.state, 'active') = 'active')) THEN
		INSERT INTO @extschema@.tick_log (started_at, finished_at, buckets_recounted,
										  objectives_evaluated, errors, skipped)
		VALUES (started, clock_timestamp(), 0, 0, 0, true);
		RAISE NOTICE 'tick skipped: another tick is running';
		RETURN;
	END IF;
	INSERT INTO slo_internal.tick_state (pid, backend_start, started_at)
	SELECT pg_backend_pid(), a.backend_start, started FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()
	ON CONFLICT (only_row) DO UPDATE
		SET pid = EXCLUDED.pid, backend_start = EXCLUDED.backend_start, started_at = EXCLUDED.started_at;

	-- with Citus installed, a source it manages fails its objective (its
	-- changes cannot be noted: see refuse_distributed)
	IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
		FOR id IN SELECT ob.id FROM @extschema@.objective ob WHERE ob.enabled ORDER BY ob.id LOOP
			CALL slo_internal.run_step('check', ARRAY[id], at, false, n_buckets, failed, failures);
		END LOOP;
	END IF;

	-- what changed, per objective; what deleted objectives and the passing
	-- of time leave behind; objectives new, redefined or truncated start over
	PERFORM slo_internal.take_notes();
	PERFORM slo_internal.prune_rollups(e);
	FOR o IN
		SELECT ob.* FROM @extschema@.objective ob
		LEFT JOIN slo_internal.progress p ON p.objective_id = ob.id
		LEFT JOIN slo_internal.pending pd ON pd.objective_id = ob.id
		WHERE ob.enabled AND ob.id <> ALL (failed)
		  AND (p.objective_id IS NULL OR p.revision <> ob.revision OR lower_inf(pd.changed))
	LOOP
		PERFORM slo_internal.restart_rollup(o, e);
	END LOOP;
	IF can_commit THEN
		CALL slo_internal.commit_step();
	END IF;

	SELECT count(DISTINCT ob.owner) > 1 INTO several_owners
	FROM @extschema@.objective ob WHERE ob.enabled AND ob.id <> ALL (failed);

	-- recount what changed: one query per source table, owner, search_path
	-- and time column; freshness objectives one by one
	FOR g IN
		SELECT ids, freshness, owner FROM (
			SELECT array_agg(ob.id ORDER BY ob.id) AS ids, bool_or(ob.sli_kind = 'freshness') AS freshness,
				   ob.owner::text AS owner, bool_or(v.last_error_at IS NOT NULL) AS failed_before
			FROM @extschema@.objective ob
			JOIN slo_internal.pending pd ON pd.objective_id = ob.id
			JOIN slo_internal.progress p ON p.objective_id = ob.id AND p.revision = ob.revision
			LEFT JOIN @extschema@.evaluation v ON v.objective_id = ob.id
			WHERE ob.enabled AND ob.id <> ALL (failed)
			GROUP BY ob.source, ob.owner, ob.search_path, ob.time_column, ob.sli_kind = 'freshness',
					 CASE WHEN ob.sli_kind = 'freshness' THEN ob.id END
			UNION ALL
			-- freshness objectives with nothing pending still age
			SELECT ARRAY[ob.id], true, ob.owner::text, v.last_error_at IS NOT NULL
			FROM @extschema@.objective ob
			JOIN slo_internal.progress p ON p.objective_id = ob.id AND p.revision = ob.revision
			LEFT JOIN @extschema@.evaluation v ON v.objective_id = ob.id
			WHERE ob.enabled AND ob.sli_kind = 'freshness' AND ob.id <> ALL (failed)
			  AND NOT EXISTS (SELECT 1 FROM slo_internal.pending pd WHERE pd.objective_id = ob.id)
		) groups
		-- (groups that failed last time go last)
		ORDER BY failed_before, ids
	LOOP
		-- an owner whose counting took slo.query_timeout in all this tick
		-- waits for the next one: no owner holds the others up longer
		-- (when there are others)
		IF budget > 0 AND several_owners AND coalesce((spent ->> g.owner)::float8, 0) >= budget THEN
			FOREACH id IN ARRAY g.ids LOOP
				failed := failed || id;
				failures := failures || slo_internal.failure_note(id, '57014',
					format('deferred to the next tick: counting for its owner took longer than slo.query_timeout (%s) in this tick',
						   current_setting('slo.query_timeout')));
			END LOOP;
			CONTINUE;
		END IF;
		t0 := clock_timestamp();
		CALL slo_internal.run_step(CASE WHEN g.freshness THEN 'freshness' ELSE 'recount' END, g.ids, at,
								   can_commit, n_buckets, failed, failures);
		spent := jsonb_set(spent, ARRAY[g.owner],
						   to_jsonb(coalesce((spent ->> g.owner)::float8, 0) + extract(epoch FROM clock_timestamp() - t0) * 1000));
	END LOOP;

	-- backfill, newest day first, for at most slo.backfill_time
	backfill_until := clock_timestamp() + slo_internal.backfill_time();
	LOOP
		-- (those that failed last time go last: one that keeps failing,
		-- slowly, does not keep its owner's others waiting)
		SELECT ob.id, ob.owner::text AS owner INTO g
		FROM @extschema@.objective ob
		JOIN slo_internal.progress p ON p.objective_id = ob.id AND p.revision = ob.revision
		LEFT JOIN @extschema@.evaluation v ON v.objective_id = ob.id
		WHERE ob.enabled AND p.backfilled_until IS NULL AND ob.id <> ALL (failed)
		  AND (budget = 0 OR NOT several_owners OR coalesce((spent ->> ob.owner::text)::float8, 0) < budget)
		ORDER BY v.last_error_at IS NOT NULL, p.backfilled_from DESC, ob.id
		LIMIT 1;
		EXIT WHEN NOT FOUND OR (clock_timestamp() > backfill_until);
		t0 := clock_timestamp();
		CALL slo_internal.run_step('backfill', ARRAY[g.id], at, can_commit, n_buckets, failed, failures);
		spent := jsonb_set(spent, ARRAY[g.owner],
						   to_jsonb(coalesce((spent ->> g.owner)::float8, 0) + extract(epoch FROM clock_timestamp() - t0) * 1000));
	END LOOP;

	-- evaluate everything that did not fail, in one statement; if that
	-- fails, one by one
	SELECT array_agg(ob.id ORDER BY ob.id) INTO evaluate_ids
	FROM @extschema@.objective ob WHERE ob.enabled AND ob.id <> ALL (failed);
	IF evaluate_ids IS NOT NULL THEN
		CALL slo_internal.run_step('evaluate', evaluate_ids, at, false, n_objectives, failed, failures);
	END IF;
	PERFORM slo_internal.lift_orphaned_freezes();

	INSERT INTO @extschema@.tick_log (started_at, finished_at, buckets_recounted,
									  objectives_evaluated, errors, failures)
	VALUES (started, clock_timestamp(), n_buckets, n_objectives, cardinality(failed),
			CASE WHEN cardinality(failed) > 0 THEN failures END);
	-- the log is kept seven days of wall-clock time ("at" may be any
	-- instant), the history 13 months (pruned at each new hour)
	DELETE FROM @extschema@.tick_log WHERE started_at < started - interval '7 days';
	IF NOT EXISTS (SELECT 1 FROM @extschema@.history h WHERE h.hour = date_bin('1 hour', e, '2000-01-01 00:00+00')) THEN
		DELETE FROM @extschema@.history WHERE hour < e - interval '13 months';
	END IF;
	DELETE FROM slo_internal.tick_state;
END
$$;
REVOKE ALL ON PROCEDURE @extschema@.tick(pg_catalog.timestamptz) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE @extschema@.tick(pg_catalog.timestamptz) TO slo_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.rollup, slo_internal.rollup_hour, slo_internal.rollup_day,
	slo_internal.invalidation, slo_internal.pending, slo_internal.progress, slo_internal.tick_state,
	@extschema@.evaluation, @extschema@.tick_log, @extschema@.history, @extschema@.period_result TO slo_admin;
-- (slo_admin sets and lifts policy freezes through slo_writer's rights on
-- slo.freezes, in its own name like everybody; it may call every function
-- of slo_internal: internal_rights.sql)

-- A failed objective, for the tick's log and its status: records the
-- failure and returns the log's element.
CREATE FUNCTION slo_internal.failure_note(objective_id pg_catalog.int8, sqlstate pg_catalog.text,
		message pg_catalog.text)
RETURNS pg_catalog.jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	o record;
BEGIN
	SELECT ob.service, ob.name INTO o FROM @extschema@.objective ob WHERE ob.id = failure_note.objective_id;
	RAISE WARNING 'objective "%" of service "%" failed: %', o.name, o.service, message
		USING DETAIL = format('SQLSTATE %s. The other objectives were evaluated.', sqlstate);
	PERFORM slo_internal.record_failure(failure_note.objective_id, now(), sqlstate, message);
	RETURN jsonb_build_object('objective_id', failure_note.objective_id, 'service', o.service,
							  'objective', o.name, 'sqlstate', sqlstate, 'message', message);
END
$$;

-- How long one tick may spend backfilling new objectives (slo.backfill_time).
CREATE FUNCTION slo_internal.backfill_time()
RETURNS pg_catalog.interval
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN pg_catalog.current_setting('slo.backfill_time')::pg_catalog.interval;

/*
 * status.sql: slo.status, the dashboard view.
 */

CREATE OR REPLACE VIEW @extschema@.status AS
SELECT o.service, o.name AS objective, o.sli_kind, o.budgeting, o.window_kind,
	   e.window_start, e.window_end, e.counted_until, e.valid, e.good, e.sli, o.target,
	   e.error_budget, e.budget_unit, e.consumed, e.remaining,
	   e.burn_5m, e.burn_30m, e.burn_1h, e.burn_6h, e.burn_1d, e.burn_3d,
	   e.time_to_exhaustion, e.too_little_data, o.min_events,
	   o.sla_target, o.sla_window, e.sla_sli, e.sla_sli - o.sla_target AS sla_margin,
	   o.policy, e.tier, e.action,
	   EXISTS (SELECT 1 FROM @extschema@.freezes f WHERE f.service = o.service AND f.lifted_at IS NULL) AS frozen,
	   e.evaluated_at, e.last_error, e.last_error_sqlstate, o.id AS objective_id,
	   e.backfilling
FROM @extschema@.objective o
LEFT JOIN @extschema@.evaluation e ON e.objective_id = o.id;
COMMENT ON VIEW @extschema@.status IS
'one row per objective: window, counts, SLI, budget, burn rates, SLA, policy tier, freeze; as of the last tick';
GRANT SELECT ON @extschema@.status TO slo_reader;

/*
 * internal_rights.sql: who may call the functions of slo_internal.  Nobody
 * by default.  Everybody the rights checks that the API functions and row-
 * level security run with the caller's rights (they only answer questions
 * about the caller, or type-check the caller's own SQL as the caller, so
 * the API's own messages reach every role); writers the trigger their
 * tables get; slo_admin, which runs the tick, all of them.  The aggregates
 * and types need no grant: they call their support functions with their
 * owner's rights.
 */

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA slo_internal FROM PUBLIC;
REVOKE ALL ON ALL PROCEDURES IN SCHEMA slo_internal FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
	slo_internal.is_admin(),
	slo_internal.acts_for(pg_catalog.name),
	slo_internal.may_define_on(pg_catalog.regclass, pg_catalog.text),
	slo_internal.service_owner(pg_catalog.text),
	slo_internal.check_service(pg_catalog.text),
	slo_internal.expression_type(pg_catalog.regclass, pg_catalog.text),
	slo_internal.check_expression(pg_catalog.regclass, pg_catalog.text, pg_catalog.text, pg_catalog.regtype)
TO PUBLIC;

GRANT EXECUTE ON FUNCTION slo_internal.capture(), slo_internal.time_columns_of(pg_catalog.regclass),
	slo_internal.refuse_distributed(pg_catalog.regclass),
	slo_internal.note_all_changed(pg_catalog.regclass, pg_catalog.name[]) TO slo_writer;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA slo_internal TO slo_admin;
GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA slo_internal TO slo_admin;


/*
 * 0.5--0.6.after.sql: the last part of the update from 0.5 to 0.6.  The
 * source tables of the objectives get the new triggers in place of the old
 * (slo.event got its own above); until this transaction commits, their
 * writers wait.
 */
DO $$
DECLARE
	src pg_catalog.regclass;
BEGIN
	FOR src IN SELECT DISTINCT o.source FROM @extschema@.objective o
			   JOIN pg_catalog.pg_class c ON c.oid = o.source
			   WHERE o.source <> '@extschema@.event'::pg_catalog.regclass
	LOOP
		PERFORM @extschema@.attach_triggers(src);
	END LOOP;
END
$$;
-- the old trigger function goes, with the old triggers of tables that are
-- no longer any objective's source
DROP FUNCTION slo_internal.invalidate() CASCADE;
