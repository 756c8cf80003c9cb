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
