/*
 * 0.5--0.6.before.sql: the first part of the update from 0.5 to 0.6 (the
 * Makefile builds slo--0.5--0.6.sql from this file, the sources of the
 * functions and views 0.6 redefines, and 0.5--0.6.after.sql).
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
-- that no writer notes anything until the new triggers are in place.
DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT tgrelid::pg_catalog.regclass AS rel, tgname FROM pg_catalog.pg_trigger
			 WHERE tgfoid = 'slo_internal.invalidate()'::pg_catalog.regprocedure
	LOOP
		EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', t.tgname, t.rel);
	END LOOP;
END
$$;
DROP FUNCTION slo_internal.invalidate();

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

-- The hour and day layout, for objectives budgeted in occurrences: their
-- minutes move there.
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
DELETE FROM @extschema@.rollup r
WHERE NOT EXISTS (SELECT 1 FROM @extschema@.objective o WHERE o.id = r.objective_id);

-- The changed minutes: 0.5 noted them per objective and minute, 0.6 per
-- table and time column.  What 0.5 noted and no tick has seen yet becomes
-- each objective's pending minutes.
CREATE TABLE slo_internal.pending (
	objective_id pg_catalog.int8 PRIMARY KEY,
	changed		pg_catalog.tstzmultirange NOT NULL
);
COMMENT ON TABLE slo_internal.pending IS
'per objective, the changed minutes its next successful tick recounts';
INSERT INTO slo_internal.pending (objective_id, changed)
SELECT i.objective_id, pg_catalog.range_agg(pg_catalog.tstzrange(i.bucket, i.bucket + interval '1 minute'))
FROM slo_internal.invalidation i
JOIN @extschema@.objective o ON o.id = i.objective_id
GROUP BY 1;
DROP TABLE slo_internal.invalidation;
CREATE TABLE slo_internal.invalidation (
	relid		pg_catalog.oid NOT NULL,			-- the table the triggers fired on
	time_column	pg_catalog.name NOT NULL,
	changed		pg_catalog.tstzmultirange NOT NULL,	-- whole minutes; (,) after TRUNCATE
	noted_at	pg_catalog.timestamptz NOT NULL		-- start of the writing transaction
);
COMMENT ON TABLE slo_internal.invalidation IS
'minutes of a source table''s time column changed by a committed transaction, not yet seen by a tick';

-- 0.5 built each rollup back to its horizon at once: every one is
-- backfilled.
ALTER TABLE slo_internal.progress ADD COLUMN backfilled_until pg_catalog.timestamptz;
UPDATE slo_internal.progress SET backfilled_until = backfilled_from;
ALTER TABLE @extschema@.evaluation ADD COLUMN backfilling pg_catalog.bool;
UPDATE @extschema@.evaluation SET backfilling = false WHERE valid IS NOT NULL;

-- History, closed periods, and the tick that is running.
CREATE TABLE @extschema@.history (
	objective_id pg_catalog.int8 NOT NULL,
	hour		pg_catalog.timestamptz NOT NULL,	-- the UTC hour of the evaluation
	counted_until pg_catalog.timestamptz NOT NULL,	-- what it counted: [window_start, counted_until)
	window_start pg_catalog.timestamptz,
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

CREATE TABLE @extschema@.period_result (
	objective_id pg_catalog.int8 NOT NULL,
	period		pg_catalog.text NOT NULL CHECK (period IN ('window', 'month', 'quarter')),
	period_start pg_catalog.timestamptz NOT NULL,
	period_end	pg_catalog.timestamptz NOT NULL,
	valid		pg_catalog.int8,
	good		pg_catalog.int8,
	sli			pg_catalog.float8,
	target		pg_catalog.float8 NOT NULL,
	consumed	pg_catalog.float8,
	met			pg_catalog.bool,
	recorded_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (objective_id, period, period_start)
);
COMMENT ON TABLE @extschema@.period_result IS
'per objective and closed period (its calendar window, a month, a quarter): met or missed, SLI, budget consumed';

CREATE TABLE slo_internal.tick_state (
	only_row	pg_catalog.bool PRIMARY KEY DEFAULT true CHECK (only_row),
	pid			pg_catalog.int4 NOT NULL,
	started_at	pg_catalog.timestamptz NOT NULL
);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.history', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.period_result', '');
GRANT SELECT ON @extschema@.history, @extschema@.period_result TO slo_reader;
GRANT SELECT ON slo_internal.rollup_hour, slo_internal.rollup_day, slo_internal.invalidation,
	slo_internal.pending, slo_internal.tick_state TO slo_reader;

-- The sources of 0.6 follow: rollup, evaluation, tick, status, rights.
