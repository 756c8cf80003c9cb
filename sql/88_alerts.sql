/*
 * alerts.sql: what slo does about what it measures.  At every tick, after
 * the objectives are evaluated: multi-window multi-burn-rate alerts and
 * exhaustion alerts, with every transition kept; incidents opened on a page
 * or a policy freeze, then acknowledged, mitigated and resolved by people;
 * the paging text; and an outbox of every transition, announced on a
 * pg_notify channel, for a relay to deliver.
 */

------------------------------------------------------------------------------
-- Alert rules
------------------------------------------------------------------------------

-- The rules every objective has unless it says otherwise (the SRE
-- Workbook's, design.md): a burn rule fires when the burn rate over both its
-- long and its short look-back exceeds factor = budget_share * W / long,
-- W the objective's window (30 days give 14.4, 6, 3 and 1); an exhaustion
-- rule fires when the budget will run out within its horizon at the burn
-- of the last hour.
CREATE TABLE @extschema@.alert_rule_default (
	name		pg_catalog.text PRIMARY KEY,
	kind		pg_catalog.text NOT NULL CHECK (kind IN ('burn', 'exhaustion')),
	severity	pg_catalog.text NOT NULL CHECK (severity IN ('page', 'ticket')),
	long_window pg_catalog.interval,
	short_window pg_catalog.interval,
	budget_share pg_catalog.float8 CHECK (budget_share > 0 AND budget_share <= 1),
	horizon		pg_catalog.interval CHECK (horizon > interval '0'),
	min_events	pg_catalog.int8 NOT NULL DEFAULT 20 CHECK (min_events >= 0),
	builtin		pg_catalog.bool NOT NULL DEFAULT false,
	CHECK ((kind = 'burn') = (long_window IS NOT NULL AND short_window IS NOT NULL AND budget_share IS NOT NULL)),
	CHECK ((kind = 'exhaustion') = (horizon IS NOT NULL))
);
COMMENT ON TABLE @extschema@.alert_rule_default IS
'the alert rules every objective has unless slo.alert_rule says otherwise';
INSERT INTO @extschema@.alert_rule_default
	(name, kind, severity, long_window, short_window, budget_share, horizon, builtin) VALUES
	('page-1h', 'burn', 'page', '1 hour', '5 minutes', 0.02, NULL, true),
	('page-6h', 'burn', 'page', '6 hours', '30 minutes', 0.05, NULL, true),
	('ticket-1d', 'burn', 'ticket', '1 day', '2 hours', 0.10, NULL, true),
	('ticket-3d', 'burn', 'ticket', '3 days', '6 hours', 0.10, NULL, true),
	('exhaustion-72h', 'exhaustion', 'page', NULL, NULL, NULL, '72 hours', true),
	('exhaustion-7d', 'exhaustion', 'ticket', NULL, NULL, NULL, '7 days', true);

-- Per objective: a default rule changed or switched off (same name, the
-- columns given; NULL keeps the default's), or a rule of its own.
CREATE TABLE @extschema@.alert_rule (
	objective_id pg_catalog.int8 NOT NULL REFERENCES @extschema@.objective ON DELETE CASCADE,
	name		pg_catalog.text NOT NULL CHECK (name <> ''),
	kind		pg_catalog.text CHECK (kind IN ('burn', 'exhaustion')),
	severity	pg_catalog.text CHECK (severity IN ('page', 'ticket')),
	long_window pg_catalog.interval,
	short_window pg_catalog.interval,
	budget_share pg_catalog.float8 CHECK (budget_share > 0 AND budget_share <= 1),
	horizon		pg_catalog.interval CHECK (horizon > interval '0'),
	min_events	pg_catalog.int8 CHECK (min_events >= 0),
	enabled		pg_catalog.bool NOT NULL DEFAULT true,
	PRIMARY KEY (objective_id, name)
);
COMMENT ON TABLE @extschema@.alert_rule IS
'per objective: default alert rules changed or switched off, and rules of its own';

-- The look-backs a burn rule may use: those every evaluation measures.
CREATE FUNCTION slo_internal.lookbacks()
RETURNS pg_catalog.interval[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN ARRAY['5 minutes', '30 minutes', '1 hour', '2 hours', '6 hours', '1 day', '3 days']::pg_catalog.interval[];

-- The length of an objective's budget window (a calendar month counts 30
-- days, as design.md's factors do).
-- (No SET clause, so that queries inline it: every name in it is qualified.)
CREATE FUNCTION slo_internal.window_length_of(o @extschema@.objective)
RETURNS pg_catalog.interval
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN o.window_kind OPERATOR(pg_catalog.=) 'calendar' AND o.calendar_unit OPERATOR(pg_catalog.=) 'month'
			THEN '30 days'::pg_catalog.interval ELSE o.window_length END;

-- The rules in force for each objective, with their factors.
CREATE VIEW @extschema@.alert_rules AS
SELECT o.id AS objective_id, o.service, o.name AS objective, x.name AS rule, x.kind, x.severity,
	   x.long_window, x.short_window, x.budget_share, x.horizon, x.min_events, x.enabled,
	   CASE WHEN x.kind = 'burn'
			THEN x.budget_share * pg_catalog.date_part('epoch', slo_internal.window_length_of(o))
				 / pg_catalog.date_part('epoch', x.long_window) END AS factor
FROM @extschema@.objective o
CROSS JOIN LATERAL (
	SELECT coalesce(r.name, d.name) AS name, coalesce(r.kind, d.kind) AS kind,
		   coalesce(r.severity, d.severity) AS severity, coalesce(r.long_window, d.long_window) AS long_window,
		   coalesce(r.short_window, d.short_window) AS short_window,
		   coalesce(r.budget_share, d.budget_share) AS budget_share, coalesce(r.horizon, d.horizon) AS horizon,
		   coalesce(r.min_events, d.min_events, 20) AS min_events, coalesce(r.enabled, true) AS enabled
	FROM @extschema@.alert_rule_default d
	FULL JOIN (SELECT * FROM @extschema@.alert_rule r WHERE r.objective_id = o.id) r ON r.name = d.name
) x;
COMMENT ON VIEW @extschema@.alert_rules IS
'the alert rules in force for each objective (defaults merged with its own), with each burn rule''s factor';

------------------------------------------------------------------------------
-- Maintenance windows: one-off or weekly, for an objective or a whole
-- service.  Their minutes are taken out of the counts (the budget stays
-- whole, as with a correction) and no alert fires while one is open.
------------------------------------------------------------------------------

CREATE TABLE @extschema@.maintenance_window (
	id			pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	service		pg_catalog.text NOT NULL REFERENCES @extschema@.service ON UPDATE CASCADE ON DELETE CASCADE,
	objective_id pg_catalog.int8 REFERENCES @extschema@.objective ON DELETE CASCADE,	-- NULL: the whole service
	during		pg_catalog.tstzrange CHECK (NOT pg_catalog.isempty(during)),	-- one-off
	day_of_week pg_catalog.int4 CHECK (day_of_week BETWEEN 0 AND 6),	-- weekly: 0 Sunday .. 6 Saturday
	starts		pg_catalog.time,
	lasts		pg_catalog.interval CHECK (lasts > interval '0' AND lasts <= interval '7 days'),
	time_zone	pg_catalog.text NOT NULL DEFAULT 'UTC',
	reason		pg_catalog.text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
	created_by	pg_catalog.name NOT NULL DEFAULT CURRENT_USER,
	created_at	pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CHECK ((during IS NOT NULL) <> (day_of_week IS NOT NULL)),
	CHECK ((day_of_week IS NOT NULL) = (starts IS NOT NULL AND lasts IS NOT NULL))
);
CREATE INDEX maintenance_window_service_idx ON @extschema@.maintenance_window (service);
COMMENT ON TABLE @extschema@.maintenance_window IS
'maintenance windows, one-off or weekly, of an objective or a whole service: out of the counts, no alerts';
ALTER TABLE @extschema@.maintenance_window ENABLE ROW LEVEL SECURITY;
CREATE POLICY maintenance_read ON @extschema@.maintenance_window FOR SELECT USING (true);
CREATE POLICY maintenance_write ON @extschema@.maintenance_window FOR ALL
	USING (slo_internal.acts_for(slo_internal.service_owner(service)))
	WITH CHECK (created_by = CURRENT_USER AND slo_internal.acts_for(slo_internal.service_owner(service)));
GRANT SELECT ON @extschema@.maintenance_window TO slo_reader;
GRANT INSERT, DELETE ON @extschema@.maintenance_window TO slo_writer;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.maintenance_window', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.maintenance_window', 'id')::pg_catalog.regclass, '');

-- The objective of a service named, or NULL for the whole service.
CREATE FUNCTION slo_internal.objective_of(service pg_catalog.text, objective pg_catalog.text)
RETURNS pg_catalog.int8
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	id int8;
BEGIN
	PERFORM slo_internal.check_service(service);
	IF objective IS NULL THEN
		RETURN NULL;
	END IF;
	SELECT o.id INTO id FROM @extschema@.objective o WHERE o.service = service AND o.name = objective;
	IF id IS NULL THEN
		RAISE EXCEPTION 'objective "%" of service "%" does not exist', objective, service USING ERRCODE = 'undefined_object';
	END IF;
	RETURN id;
END
$$;

-- A one-off maintenance window of a service (or of one of its objectives).
CREATE FUNCTION @extschema@.add_maintenance(service pg_catalog.text, reason pg_catalog.text,
		during pg_catalog.tstzrange, objective pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	oid_ int8 := slo_internal.objective_of(service, objective);
	new_id int8;
BEGIN
	IF during IS NULL OR isempty(during) OR lower_inf(during) OR upper_inf(during) THEN
		RAISE EXCEPTION 'a maintenance window needs a bounded, non-empty time range' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF reason IS NULL OR btrim(reason) = '' THEN
		RAISE EXCEPTION 'a maintenance window needs a reason' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	INSERT INTO @extschema@.maintenance_window (service, objective_id, during, reason)
	VALUES (service, oid_, during, reason) RETURNING id INTO new_id;
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION @extschema@.add_maintenance(pg_catalog.text, pg_catalog.text, pg_catalog.tstzrange, pg_catalog.text) IS
'a one-off maintenance window of a service or objective: out of the counts, no alerts';

-- A weekly maintenance window: every "day" (sunday .. saturday) at
-- "starts" in "time_zone", for "lasts".
CREATE FUNCTION @extschema@.add_weekly_maintenance(service pg_catalog.text, reason pg_catalog.text,
		day pg_catalog.text, starts pg_catalog.time, lasts pg_catalog.interval,
		time_zone pg_catalog.text DEFAULT 'UTC', objective pg_catalog.text DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	oid_ int8 := slo_internal.objective_of(service, objective);
	dow int := array_position(ARRAY['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],
							  lower(btrim(day))) - 1;
	new_id int8;
BEGIN
	IF dow IS NULL THEN
		RAISE EXCEPTION 'unknown day "%"', day USING ERRCODE = 'invalid_parameter_value', HINT = 'Use sunday to saturday.';
	END IF;
	IF starts IS NULL OR lasts IS NULL OR lasts <= interval '0' OR lasts > interval '7 days' THEN
		RAISE EXCEPTION 'a weekly window starts at a time and lasts more than nothing and at most 7 days'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF reason IS NULL OR btrim(reason) = '' THEN
		RAISE EXCEPTION 'a maintenance window needs a reason' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM now() AT TIME ZONE time_zone;		-- an unknown zone raises 22023
	INSERT INTO @extschema@.maintenance_window (service, objective_id, day_of_week, starts, lasts, time_zone, reason)
	VALUES (service, oid_, dow, starts, lasts, time_zone, reason) RETURNING id INTO new_id;
	RETURN new_id;
END
$$;
COMMENT ON FUNCTION @extschema@.add_weekly_maintenance(pg_catalog.text, pg_catalog.text, pg_catalog.text,
		pg_catalog.time, pg_catalog.interval, pg_catalog.text, pg_catalog.text) IS
'a weekly maintenance window of a service or objective: out of the counts, no alerts';

-- Remove a maintenance window (its minutes count again at the next tick).
CREATE FUNCTION @extschema@.drop_maintenance(id pg_catalog.int8)
RETURNS pg_catalog.bool
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH gone AS (DELETE FROM @extschema@.maintenance_window m WHERE m.id = drop_maintenance.id RETURNING 1)
	SELECT count(*) > 0 FROM gone;
END;
COMMENT ON FUNCTION @extschema@.drop_maintenance(pg_catalog.int8) IS 'remove a maintenance window';

------------------------------------------------------------------------------
-- Policy triggers: tiers set by a burn rate or a forecast
------------------------------------------------------------------------------

-- A policy's tiers follow its budget (slo.policy_tier); a trigger sets the
-- tier instead when a burn rate over a look-back goes above a bound ("burn
-- above 2x over an hour pauses the ETL"), or when the budget will be spent
-- within a horizon.  The trigger that applies with the highest priority
-- wins.  Its action is normal, caution, freeze, incident, or a name of the
-- user's, which shows in slo.status and in the notifications.
CREATE TABLE @extschema@.policy_trigger (
	policy		pg_catalog.text NOT NULL REFERENCES @extschema@.policy ON UPDATE CASCADE ON DELETE CASCADE,
	label		pg_catalog.text NOT NULL CHECK (label <> ''),
	measure		pg_catalog.text NOT NULL CHECK (measure IN ('burn', 'time_to_exhaustion')),
	lookback	pg_catalog.interval,		-- burn: one of slo_internal.lookbacks()
	above		pg_catalog.float8 CHECK (above >= 0),	-- burn: the bound
	within		pg_catalog.interval CHECK (within > interval '0'),	-- time_to_exhaustion: the horizon
	action		pg_catalog.text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_-]*$'),
	priority	pg_catalog.int4 NOT NULL DEFAULT 0,
	PRIMARY KEY (policy, label),
	CHECK ((measure = 'burn') = (lookback IS NOT NULL AND above IS NOT NULL)),
	CHECK ((measure = 'time_to_exhaustion') = (within IS NOT NULL)),
	CHECK (lookback IS NULL OR lookback = ANY (ARRAY['5 minutes', '30 minutes', '1 hour', '2 hours', '6 hours',
													 '1 day', '3 days']::pg_catalog.interval[]))
);
COMMENT ON TABLE @extschema@.policy_trigger IS
'tiers of a policy set by a burn rate over a look-back, or by the time to exhaustion, before its budget tiers';
GRANT SELECT ON @extschema@.policy_trigger TO slo_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.policy_trigger TO slo_admin;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.policy_trigger', '');

------------------------------------------------------------------------------
-- Alerts: their state, and every transition
------------------------------------------------------------------------------

CREATE TABLE @extschema@.alert (
	objective_id pg_catalog.int8 NOT NULL,
	rule		pg_catalog.text NOT NULL,
	severity	pg_catalog.text NOT NULL,
	state		pg_catalog.text NOT NULL CHECK (state IN ('firing', 'resolved')),
	since		pg_catalog.timestamptz NOT NULL,	-- of the state
	episode_start pg_catalog.timestamptz NOT NULL,	-- first firing of the episode
	fired_count pg_catalog.int4 NOT NULL DEFAULT 1,	-- firings in the episode (flaps)
	burn_long	pg_catalog.float8,
	burn_short	pg_catalog.float8,
	factor		pg_catalog.float8,
	time_to_exhaustion pg_catalog.interval,
	PRIMARY KEY (objective_id, rule)
);
COMMENT ON TABLE @extschema@.alert IS
'per objective and rule that ever fired: firing or resolved, since when, and the numbers that decided';

CREATE TABLE @extschema@.alert_event (
	id			pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	objective_id pg_catalog.int8 NOT NULL,
	rule		pg_catalog.text NOT NULL,
	severity	pg_catalog.text NOT NULL,
	state		pg_catalog.text NOT NULL CHECK (state IN ('firing', 'resolved')),
	new_episode pg_catalog.bool NOT NULL,	-- a firing that starts an episode (notified)
	at			pg_catalog.timestamptz NOT NULL,
	burn_long	pg_catalog.float8,
	burn_short	pg_catalog.float8,
	factor		pg_catalog.float8,
	time_to_exhaustion pg_catalog.interval
);
CREATE INDEX alert_event_objective_idx ON @extschema@.alert_event (objective_id, at);
COMMENT ON TABLE @extschema@.alert_event IS 'every transition of every alert, as the tick decided it';

CREATE VIEW @extschema@.alerts AS
SELECT a.objective_id, o.service, o.name AS objective, a.rule, a.severity, a.state, a.since,
	   a.episode_start, a.fired_count, a.burn_long, a.burn_short, a.factor, a.time_to_exhaustion,
	   r.long_window, r.short_window, r.horizon
FROM @extschema@.alert a
JOIN @extschema@.objective o ON o.id = a.objective_id
LEFT JOIN @extschema@.alert_rules r ON r.objective_id = a.objective_id AND r.rule = a.rule;
COMMENT ON VIEW @extschema@.alerts IS
'every alert that has fired: state (firing or resolved), episode, and the burn rates or forecast behind it';

------------------------------------------------------------------------------
-- Incidents
------------------------------------------------------------------------------

CREATE TABLE @extschema@.incident (
	id			pg_catalog.int8 GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	service		pg_catalog.text NOT NULL,
	objective_id pg_catalog.int8,
	severity	pg_catalog.text NOT NULL CHECK (severity IN ('SEV1', 'SEV2', 'SEV3')),
	title		pg_catalog.text NOT NULL CHECK (pg_catalog.btrim(title) <> ''),
	status		pg_catalog.text NOT NULL DEFAULT 'open'
				CHECK (status IN ('open', 'acknowledged', 'mitigated', 'resolved')),
	opened_by	pg_catalog.text NOT NULL,		-- 'alert page-1h', 'policy freeze', or a role
	started_at	pg_catalog.timestamptz NOT NULL,	-- when the impact began
	detected_at pg_catalog.timestamptz NOT NULL,	-- when slo (or a person) noticed
	acknowledged_at pg_catalog.timestamptz,
	acknowledged_by pg_catalog.name,
	mitigated_at pg_catalog.timestamptz,
	mitigated_by pg_catalog.name,
	resolved_at pg_catalog.timestamptz,
	resolved_by pg_catalog.name,
	CHECK (started_at <= detected_at),
	CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL)),
	CHECK ((mitigated_at IS NULL) = (mitigated_by IS NULL)),
	CHECK ((resolved_at IS NULL) = (resolved_by IS NULL))
);
-- one open incident per objective
CREATE UNIQUE INDEX incident_open_key ON @extschema@.incident (objective_id) WHERE status <> 'resolved';
CREATE INDEX incident_service_idx ON @extschema@.incident (service, detected_at);
COMMENT ON TABLE @extschema@.incident IS
'incidents: severity, and when the impact started and the incident was detected, acknowledged, mitigated, resolved';

CREATE TABLE @extschema@.incident_event (
	id			pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	incident_id pg_catalog.int8 NOT NULL,
	at			pg_catalog.timestamptz NOT NULL,
	status		pg_catalog.text NOT NULL,
	by_role		pg_catalog.name NOT NULL,
	note		pg_catalog.text
);
CREATE INDEX incident_event_incident_idx ON @extschema@.incident_event (incident_id, at);
COMMENT ON TABLE @extschema@.incident_event IS 'every change of an incident''s status, who made it and why';

------------------------------------------------------------------------------
-- The outbox: every transition, for a relay to deliver
------------------------------------------------------------------------------

CREATE TABLE @extschema@.notification_route (
	topic		pg_catalog.text NOT NULL CHECK (topic IN ('alert', 'incident', 'freeze', 'tier')),
	severity	pg_catalog.text NOT NULL,		-- page, ticket; SEV1..SEV3; policy, manual
	route		pg_catalog.text NOT NULL CHECK (route IN ('page', 'chat', 'digest', 'none')),
	builtin		pg_catalog.bool NOT NULL DEFAULT false,
	PRIMARY KEY (topic, severity)
);
COMMENT ON TABLE @extschema@.notification_route IS 'where each kind of notification goes: page, chat, daily digest, or nowhere';
INSERT INTO @extschema@.notification_route (topic, severity, route, builtin) VALUES
	('alert', 'page', 'page', true), ('alert', 'ticket', 'chat', true),
	('incident', 'SEV1', 'page', true), ('incident', 'SEV2', 'page', true), ('incident', 'SEV3', 'chat', true),
	('freeze', 'policy', 'chat', true), ('freeze', 'manual', 'digest', true),
	('freeze', 'override', 'page', true),
	('tier', 'normal', 'digest', true), ('tier', 'caution', 'chat', true), ('tier', 'freeze', 'chat', true),
	('tier', 'incident', 'page', true), ('tier', 'none', 'digest', true);

CREATE TABLE @extschema@.outbox (
	id			pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	created_at	pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
	topic		pg_catalog.text NOT NULL,
	route		pg_catalog.text NOT NULL,
	payload		pg_catalog.jsonb NOT NULL,
	claimed_by	pg_catalog.text,
	claimed_until pg_catalog.timestamptz,
	attempts	pg_catalog.int4 NOT NULL DEFAULT 0,
	delivered_at pg_catalog.timestamptz
);
CREATE INDEX outbox_undelivered_idx ON @extschema@.outbox (id) WHERE delivered_at IS NULL;
COMMENT ON TABLE @extschema@.outbox IS
'every alert, incident and freeze transition to deliver, at least once, to a relay that claims and acknowledges rows';

-- Put a notification in the outbox and announce it on channel slo_events
-- (delivered at commit, with the row).
CREATE FUNCTION slo_internal.notify(topic pg_catalog.text, severity pg_catalog.text, payload pg_catalog.jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r text := coalesce((SELECT n.route FROM @extschema@.notification_route n
						WHERE n.topic = notify.topic AND n.severity = notify.severity), 'chat');
	id int8;
	body jsonb;
BEGIN
	IF r = 'none' THEN
		RETURN;
	END IF;
	body := payload || jsonb_build_object('topic', topic, 'severity', severity, 'route', r);
	INSERT INTO @extschema@.outbox (topic, route, payload) VALUES (topic, r, body) RETURNING outbox.id INTO id;
	-- (a notification's payload is at most 8000 bytes: the full one is in the outbox)
	PERFORM pg_notify('slo_events', left((body || jsonb_build_object('outbox_id', id))::text, 7900));
END
$$;

-- For a relay: claim up to "batch" undelivered notifications for "lease"
-- (rows another relay holds are skipped; a lease that ran out may be
-- claimed again, so delivery is at least once: deduplicate by id).
CREATE FUNCTION @extschema@.claim_notifications(relay pg_catalog.text, batch pg_catalog.int4 DEFAULT 100,
		lease pg_catalog.interval DEFAULT '1 minute')
RETURNS SETOF @extschema@.outbox
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF relay IS NULL OR btrim(relay) = '' THEN
		RAISE EXCEPTION 'a relay needs a name' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN QUERY
	UPDATE @extschema@.outbox o
	SET claimed_by = relay, claimed_until = clock_timestamp() + lease, attempts = o.attempts + 1
	WHERE o.id IN (SELECT x.id FROM @extschema@.outbox x
				   WHERE x.delivered_at IS NULL AND (x.claimed_until IS NULL OR x.claimed_until < clock_timestamp())
				   ORDER BY x.id LIMIT batch FOR UPDATE SKIP LOCKED)
	RETURNING o.*;
END
$$;
COMMENT ON FUNCTION @extschema@.claim_notifications(pg_catalog.text, pg_catalog.int4, pg_catalog.interval) IS
'for a relay: claim undelivered notifications for a while (at least once delivery)';

-- For a relay: notification "id" is delivered.
CREATE FUNCTION @extschema@.ack_notification(id pg_catalog.int8)
RETURNS pg_catalog.bool
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH done AS (
		UPDATE @extschema@.outbox o SET delivered_at = clock_timestamp()
		WHERE o.id = ack_notification.id AND o.delivered_at IS NULL
		RETURNING 1
	)
	SELECT count(*) > 0 FROM done;
END;
COMMENT ON FUNCTION @extschema@.ack_notification(pg_catalog.int8) IS 'for a relay: a claimed notification was delivered';

------------------------------------------------------------------------------
-- The tick's part: alerts, then incidents
------------------------------------------------------------------------------

-- The burn rate and counted units of look-back lb in evaluation v.
-- (No SET clause, so that the alert query inlines it: every name in it is
-- qualified.)
CREATE FUNCTION slo_internal.burn_of(v @extschema@.evaluation, lb pg_catalog.interval,
		OUT burn pg_catalog.float8, OUT counted pg_catalog.float8)
LANGUAGE sql IMMUTABLE
AS $$
	SELECT (ARRAY[v.burn_5m, v.burn_30m, v.burn_1h, v.burn_2h, v.burn_6h, v.burn_1d, v.burn_3d])[i],
		   v.lookback_counted[i]
	FROM (SELECT pg_catalog.array_position(slo_internal.lookbacks(), lb) AS i) x
$$;

-- The first minute in [lo, hi) in which objective "id" counted bad units,
-- read from the minute rollup or the hour rows of [lo, hi) only.
CREATE FUNCTION slo_internal.first_bad_minute(id pg_catalog.int8, lo pg_catalog.timestamptz,
		hi pg_catalog.timestamptz)
RETURNS pg_catalog.timestamptz
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT min(x.minute) FROM (
		SELECT r.bucket AS minute FROM @extschema@.rollup r
		WHERE r.objective_id = first_bad_minute.id AND r.breakdown = '' AND r.bucket >= lo AND r.bucket < hi
		  AND r.valid > r.good
		UNION ALL
		SELECT h.hour + (m.i - 1) * interval '1 minute'
		FROM slo_internal.rollup_hour h,
			 ROWS FROM (unnest(h.minute_valid), unnest(h.minute_good)) WITH ORDINALITY AS m(v, g, i)
		WHERE h.objective_id = first_bad_minute.id AND h.breakdown = ''
		  AND h.hour > lo - interval '1 hour' AND h.hour < hi
		  AND m.v > m.g
		  AND h.hour + (m.i - 1) * interval '1 minute' >= lo AND h.hour + (m.i - 1) * interval '1 minute' < hi
	) x;
END;

-- Evaluate the alert rules of objectives "ids" against their evaluations:
-- a burn rule fires when both look-backs burn faster than its factor (and
-- each counted at least min_events, and the objective has enough data), and
-- resolves when the short look-back drops back; an exhaustion rule fires
-- when the budget is spent or will be within its horizon at the last hour's
-- burn.  A firing within a long window (a day, for exhaustion) of the last
-- resolve continues the episode: it is kept, but not notified again.
-- Then incidents: a new page episode, or a policy freeze set in this tick,
-- opens one unless the objective has one open.
CREATE FUNCTION slo_internal.evaluate_alerts(ids pg_catalog.int8[], at pg_catalog.timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d record;
BEGIN
	FOR d IN
		WITH quiet AS (
			-- the objectives a maintenance window silences now
			SELECT o.id FROM @extschema@.objective o
			WHERE o.id = ANY (ids) AND slo_internal.has_exclusions(o)
			  AND slo_internal.excluded_ranges(o, at - interval '1 minute', at) @> at
		), judged AS (
			SELECT r.objective_id, r.rule, r.severity, r.kind, r.factor, r.long_window, r.horizon,
				   l.burn AS burn_long, s.burn AS burn_short, v.time_to_exhaustion AS ttx,
				   CASE
					 WHEN v.too_little_data OR v.backfilling THEN false
					 -- a maintenance window open now silences the objective
					 WHEN r.objective_id IN (SELECT q.id FROM quiet q) THEN false
					 WHEN r.kind = 'burn' THEN
						 l.burn > r.factor AND s.burn > r.factor
						 AND coalesce(l.counted, 0) >= r.min_events AND coalesce(s.counted, 0) >= r.min_events
					 ELSE v.remaining <= 0 OR v.time_to_exhaustion < r.horizon
				   END AS fire,
				   CASE
					 WHEN r.objective_id IN (SELECT q.id FROM quiet q) THEN true
					 WHEN r.kind = 'burn' THEN NOT coalesce(s.burn > r.factor, false)
					 ELSE coalesce(v.remaining > 0 AND (v.time_to_exhaustion IS NULL OR v.time_to_exhaustion >= r.horizon), true)
				   END AS clear
			FROM @extschema@.alert_rules r
			JOIN @extschema@.evaluation v ON v.objective_id = r.objective_id
			LEFT JOIN LATERAL slo_internal.burn_of(v, r.long_window) l ON r.kind = 'burn'
			LEFT JOIN LATERAL slo_internal.burn_of(v, r.short_window) s ON r.kind = 'burn'
			WHERE r.objective_id = ANY (ids) AND r.enabled
		)
		SELECT j.*, a.state AS old_state, a.since AS old_since, a.episode_start,
			   (a.state IS NULL
				OR (a.state = 'resolved'
					AND a.since < at - coalesce(j.long_window, interval '1 day'))) AS new_episode
		FROM judged j
		LEFT JOIN @extschema@.alert a ON a.objective_id = j.objective_id AND a.rule = j.rule
		WHERE (j.fire AND a.state IS DISTINCT FROM 'firing')
		   OR (a.state = 'firing' AND j.clear)
	LOOP
		IF d.fire AND d.old_state IS DISTINCT FROM 'firing' THEN
			INSERT INTO @extschema@.alert AS a (objective_id, rule, severity, state, since, episode_start,
												burn_long, burn_short, factor, time_to_exhaustion)
			VALUES (d.objective_id, d.rule, d.severity, 'firing', at, at, d.burn_long, d.burn_short, d.factor, d.ttx)
			ON CONFLICT (objective_id, rule) DO UPDATE
				SET severity = EXCLUDED.severity, state = 'firing', since = EXCLUDED.since,
					episode_start = CASE WHEN d.new_episode THEN EXCLUDED.since ELSE a.episode_start END,
					fired_count = CASE WHEN d.new_episode THEN 1 ELSE a.fired_count + 1 END,
					burn_long = EXCLUDED.burn_long, burn_short = EXCLUDED.burn_short,
					factor = EXCLUDED.factor, time_to_exhaustion = EXCLUDED.time_to_exhaustion;
		ELSE
			UPDATE @extschema@.alert a
			SET state = 'resolved', since = at, burn_long = d.burn_long, burn_short = d.burn_short,
				time_to_exhaustion = d.ttx
			WHERE a.objective_id = d.objective_id AND a.rule = d.rule;
		END IF;
		INSERT INTO @extschema@.alert_event (objective_id, rule, severity, state, new_episode, at, burn_long,
											 burn_short, factor, time_to_exhaustion)
		VALUES (d.objective_id, d.rule, d.severity, CASE WHEN d.fire THEN 'firing' ELSE 'resolved' END,
				d.fire AND d.new_episode, at, d.burn_long, d.burn_short, d.factor, d.ttx);
		-- notified: a new episode, and its end
		IF (d.fire AND d.new_episode) OR (NOT d.fire) THEN
			PERFORM slo_internal.notify('alert', d.severity,
				jsonb_build_object('objective_id', d.objective_id, 'rule', d.rule,
								   'state', CASE WHEN d.fire THEN 'firing' ELSE 'resolved' END,
								   'at', at, 'burn_long', d.burn_long, 'burn_short', d.burn_short,
								   'factor', d.factor, 'time_to_exhaustion', d.ttx)
				|| slo_internal.objective_label(d.objective_id));
		END IF;
		IF d.fire AND d.new_episode AND d.severity = 'page'
		   AND NOT EXISTS (SELECT 1 FROM @extschema@.incident i
						   WHERE i.objective_id = d.objective_id AND i.status <> 'resolved') THEN
			-- the impact started with the first bad minute of the long look-back
			PERFORM slo_internal.open_incident_for(d.objective_id, 'SEV2', 'alert ' || d.rule,
				coalesce(slo_internal.first_bad_minute(d.objective_id, at - coalesce(d.long_window, interval '1 hour'), at),
						 at - coalesce(d.long_window, interval '1 hour')),
				at);
		END IF;
	END LOOP;

	-- a policy freeze set by this tick (the freeze-on-burn): an incident,
	-- SEV1 when the tier's action is incident
	PERFORM slo_internal.open_incident_for(f.objective_id,
			CASE WHEN v.action = 'incident' THEN 'SEV1' ELSE 'SEV2' END, 'policy freeze', f.since, f.since)
	FROM @extschema@.freezes f
	JOIN @extschema@.evaluation v ON v.objective_id = f.objective_id
	WHERE f.kind = 'policy' AND f.lifted_at IS NULL AND f.since = now() AND f.objective_id = ANY (ids);
END
$$;

-- {"service": ..., "objective": ...} of an objective, for notifications.
CREATE FUNCTION slo_internal.objective_label(objective_id pg_catalog.int8)
RETURNS pg_catalog.jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT jsonb_build_object('service', o.service, 'objective', o.name)
		FROM @extschema@.objective o WHERE o.id = objective_label.objective_id);

-- Notify the tier changes of the objectives evaluated: "before" holds
-- their (objective_id, tier, action) as they were.
CREATE FUNCTION slo_internal.notify_tier_changes(before pg_catalog.jsonb, at pg_catalog.timestamptz)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT slo_internal.notify('tier', coalesce(v.action, 'none'),
			jsonb_build_object('objective_id', v.objective_id, 'tier', v.tier, 'action', v.action,
							   'previous_tier', b.tier, 'previous_action', b.action, 'at', at,
							   'remaining', v.remaining, 'burn_1h', v.burn_1h)
			|| slo_internal.objective_label(v.objective_id))
	FROM jsonb_to_recordset(before) AS b(objective_id int8, tier text, action text)
	JOIN @extschema@.evaluation v ON v.objective_id = b.objective_id
	WHERE v.tier IS DISTINCT FROM b.tier AND NOT v.backfilling
	  AND (b.tier IS NOT NULL OR v.action NOT IN ('normal'));
END;

-- Open an incident for objective "objective_id" unless it has one open;
-- returns the incident's id (NULL when one was already open).
CREATE FUNCTION slo_internal.open_incident_for(objective pg_catalog.int8, sev pg_catalog.text,
		opener pg_catalog.text, began pg_catalog.timestamptz, detected pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	o @extschema@.objective;
	new_id int8;
BEGIN
	SELECT * INTO o FROM @extschema@.objective k WHERE k.id = objective;
	INSERT INTO @extschema@.incident AS i (service, objective_id, severity, title, opened_by, started_at, detected_at)
	VALUES (o.service, o.id, sev,
			CASE WHEN o.description IS NOT NULL
				 THEN upper(left(o.description, 1)) || substr(o.description, 2) || ' breach'
				 ELSE format('%s %s breach', initcap(replace(o.service, '-', ' ')), o.name) END,
			opener, least(began, detected), detected)
	ON CONFLICT (objective_id) WHERE status <> 'resolved' DO NOTHING
	RETURNING i.id INTO new_id;
	RETURN new_id;
END
$$;

------------------------------------------------------------------------------
-- People act on incidents
------------------------------------------------------------------------------

-- Move incident "id" to "status" (acknowledged, mitigated or resolved),
-- as the current role, with a note.  Row-level security says who may; the
-- triggers on slo.incident stamp who and when, and log it.
CREATE FUNCTION slo_internal.move_incident(id pg_catalog.int8, status pg_catalog.text, note pg_catalog.text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	i @extschema@.incident;
BEGIN
	SELECT * INTO i FROM @extschema@.incident k WHERE k.id = id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'incident % does not exist', id USING ERRCODE = 'undefined_object';
	END IF;
	IF NOT slo_internal.acts_for(slo_internal.service_owner(i.service)) THEN
		RAISE EXCEPTION 'permission denied to change incident %', id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('Incidents of service "%s" are handled by roles that act for its owner, or by slo_admin.', i.service);
	END IF;
	PERFORM set_config('slo_incident.note', coalesce(note, ''), true);
	UPDATE @extschema@.incident k SET status = move_incident.status WHERE k.id = id;
	PERFORM set_config('slo_incident.note', '', true);
END
$$;

-- Before a change of an incident (as the role that makes it): a status only
-- moves forward; each stage it passes gets now() and the current role;
-- what it was opened with does not change.
CREATE FUNCTION slo_internal.incident_before_update()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	stages CONSTANT text[] := ARRAY['open', 'acknowledged', 'mitigated', 'resolved'];
	was int := array_position(stages, OLD.status);
	now_at int := array_position(stages, NEW.status);
BEGIN
	IF now_at < was THEN
		RAISE EXCEPTION 'incident % is already %', OLD.id, OLD.status
			USING ERRCODE = 'invalid_parameter_value', HINT = 'An incident moves open, acknowledged, mitigated, resolved.';
	END IF;
	IF now_at = was AND NOT slo_internal.is_admin() THEN
		RAISE EXCEPTION 'incident % is already %', OLD.id, OLD.status USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- what the incident was opened with stays (slo_admin may re-grade it)
	NEW.id := OLD.id; NEW.service := OLD.service; NEW.objective_id := OLD.objective_id;
	NEW.opened_by := OLD.opened_by; NEW.started_at := OLD.started_at; NEW.detected_at := OLD.detected_at;
	IF NOT slo_internal.is_admin() THEN
		NEW.severity := OLD.severity; NEW.title := OLD.title;
	END IF;
	NEW.acknowledged_at := OLD.acknowledged_at; NEW.acknowledged_by := OLD.acknowledged_by;
	NEW.mitigated_at := OLD.mitigated_at; NEW.mitigated_by := OLD.mitigated_by;
	NEW.resolved_at := OLD.resolved_at; NEW.resolved_by := OLD.resolved_by;
	IF now_at >= 2 AND NEW.acknowledged_at IS NULL THEN
		NEW.acknowledged_at := now(); NEW.acknowledged_by := CURRENT_USER;
	END IF;
	IF now_at >= 3 AND NEW.mitigated_at IS NULL THEN
		NEW.mitigated_at := now(); NEW.mitigated_by := CURRENT_USER;
	END IF;
	IF now_at >= 4 AND NEW.resolved_at IS NULL THEN
		NEW.resolved_at := now(); NEW.resolved_by := CURRENT_USER;
	END IF;
	RETURN NEW;
END
$$;

-- Before an incident is opened (as the role that opens it): its objective
-- must be one of its service's; a person's incident opens now, open, in
-- that person's name, with no later stage.
CREATE FUNCTION slo_internal.incident_before_insert()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NEW.objective_id IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM @extschema@.objective o WHERE o.id = NEW.objective_id AND o.service = NEW.service) THEN
		RAISE EXCEPTION 'objective "%" is not an objective of service "%"',
			coalesce((SELECT o.service || '/' || o.name FROM @extschema@.objective o WHERE o.id = NEW.objective_id),
					 NEW.objective_id::text), NEW.service
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF slo_internal.restoring() OR slo_internal.is_admin() THEN
		RETURN NEW;
	END IF;
	NEW.status := 'open';
	NEW.opened_by := CURRENT_USER;
	NEW.detected_at := now();
	NEW.started_at := least(NEW.started_at, now());
	NEW.acknowledged_at := NULL; NEW.acknowledged_by := NULL;
	NEW.mitigated_at := NULL; NEW.mitigated_by := NULL;
	NEW.resolved_at := NULL; NEW.resolved_by := NULL;
	RETURN NEW;
END
$$;

-- After an incident is opened or moves: its event, and the notification.
-- SECURITY DEFINER: slo.incident_event and slo.outbox are written by
-- nobody else; it refuses to run but as this trigger, and reads only the
-- row PostgreSQL hands it and slo's own tables.
CREATE FUNCTION slo_internal.incident_after_write()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	by_role name;
	note text := nullif(current_setting('slo_incident.note', true), '');
BEGIN
	IF TG_RELID <> '@extschema@.incident'::pg_catalog.regclass OR TG_WHEN <> 'AFTER' OR TG_LEVEL <> 'ROW' THEN
		RAISE EXCEPTION 'function slo_internal.incident_after_write() runs only as the trigger of slo.incident'
			USING ERRCODE = 'E_R_I_E_TRIGGER_PROTOCOL_VIOLATED';
	END IF;
	IF TG_OP = 'UPDATE' AND NEW.status = OLD.status THEN
		RETURN NULL;
	END IF;
	-- a dump being restored brings its incidents' events and notifications
	-- with it
	IF TG_OP = 'INSERT' AND slo_internal.restoring() THEN
		RETURN NULL;
	END IF;
	by_role := CASE NEW.status WHEN 'acknowledged' THEN NEW.acknowledged_by WHEN 'mitigated' THEN NEW.mitigated_by
							   WHEN 'resolved' THEN NEW.resolved_by ELSE
							   CASE WHEN current_setting('role') = 'none' THEN SESSION_USER
									ELSE current_setting('role')::name END END;
	INSERT INTO @extschema@.incident_event (incident_id, at, status, by_role, note)
	VALUES (NEW.id, CASE WHEN TG_OP = 'INSERT' THEN NEW.detected_at ELSE now() END, NEW.status, by_role,
			coalesce(note, CASE WHEN TG_OP = 'INSERT' THEN 'opened by ' || NEW.opened_by END));
	PERFORM slo_internal.notify('incident', NEW.severity,
		jsonb_build_object('incident_id', NEW.id, 'status', NEW.status, 'at', now(), 'by', by_role, 'note', note,
						   'service', NEW.service, 'title', NEW.title,
						   'message', CASE WHEN TG_OP = 'INSERT' THEN @extschema@.page_message(NEW.id) END));
	RETURN NULL;
END
$$;

CREATE FUNCTION @extschema@.acknowledge_incident(id pg_catalog.int8, note pg_catalog.text DEFAULT NULL)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT slo_internal.move_incident(id, 'acknowledged', note);
END;
CREATE FUNCTION @extschema@.mitigate_incident(id pg_catalog.int8, note pg_catalog.text DEFAULT NULL)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT slo_internal.move_incident(id, 'mitigated', note);
END;
CREATE FUNCTION @extschema@.resolve_incident(id pg_catalog.int8, note pg_catalog.text DEFAULT NULL)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT slo_internal.move_incident(id, 'resolved', note);
END;
COMMENT ON FUNCTION @extschema@.acknowledge_incident(pg_catalog.int8, pg_catalog.text) IS 'someone is on it';
COMMENT ON FUNCTION @extschema@.mitigate_incident(pg_catalog.int8, pg_catalog.text) IS 'the impact has stopped';
COMMENT ON FUNCTION @extschema@.resolve_incident(pg_catalog.int8, pg_catalog.text) IS 'the incident is over';

-- Open an incident by hand (severity SEV1..SEV3), for a service the caller
-- acts for; started_at defaults to now.
CREATE FUNCTION @extschema@.open_incident(service pg_catalog.text, title pg_catalog.text,
		severity pg_catalog.text DEFAULT 'SEV2', objective pg_catalog.text DEFAULT NULL,
		started_at pg_catalog.timestamptz DEFAULT NULL)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
	oid_ int8 := slo_internal.objective_of(service, objective);
	new_id int8;
BEGIN
	IF NOT slo_internal.acts_for(slo_internal.service_owner(service)) THEN
		RAISE EXCEPTION 'permission denied to open incidents of service "%"', service
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	IF severity IS NULL OR severity NOT IN ('SEV1', 'SEV2', 'SEV3') THEN
		RAISE EXCEPTION 'unknown severity "%"', severity
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use SEV1, SEV2 or SEV3.';
	END IF;
	INSERT INTO @extschema@.incident (service, objective_id, severity, title, opened_by, started_at, detected_at)
	VALUES (service, oid_, severity, title, CURRENT_USER, least(coalesce(started_at, now()), now()), now())
	RETURNING id INTO new_id;
	RETURN new_id;
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'objective "%" of service "%" already has an open incident', objective, service
		USING ERRCODE = 'unique_violation';
END
$$;
COMMENT ON FUNCTION @extschema@.open_incident(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text,
		pg_catalog.timestamptz) IS 'open an incident by hand';

------------------------------------------------------------------------------
-- What people read
------------------------------------------------------------------------------

-- The paging text, from the objective's live numbers:
-- [INCIDENT][SEV1] Routing latency breach. Start: 10:12 UTC. Scope: ...
CREATE FUNCTION @extschema@.page_message(incident pg_catalog.int8)
RETURNS pg_catalog.text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	i @extschema@.incident;
	o @extschema@.objective;
	s @extschema@.service;
	v @extschema@.evaluation;
BEGIN
	SELECT * INTO i FROM @extschema@.incident k WHERE k.id = incident;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'incident % does not exist', incident USING ERRCODE = 'undefined_object';
	END IF;
	SELECT * INTO o FROM @extschema@.objective k WHERE k.id = i.objective_id;
	SELECT * INTO s FROM @extschema@.service k WHERE k.name = i.service;
	SELECT * INTO v FROM @extschema@.evaluation k WHERE k.objective_id = i.objective_id;
	RETURN concat_ws(' ',
		format('[INCIDENT][%s] %s.', i.severity, i.title),
		format('Start: %s UTC.', to_char(i.started_at AT TIME ZONE 'UTC', 'HH24:MI')),
		CASE WHEN o.valid_expr IS NOT NULL AND o.valid_expr <> 'true' AND o.source <> '@extschema@.event'::regclass
			 THEN format('Scope: %s.', o.valid_expr) END,
		CASE WHEN o.id IS NOT NULL
			 THEN format('SLO: %s current %s (<%s).', coalesce(o.description, o.name),
						 coalesce(round(v.sli::numeric, 4)::text, 'n/a'), o.target) END,
		CASE WHEN i.status <> 'resolved'
			 THEN format('Next update: +%s.', CASE i.severity WHEN 'SEV1' THEN '15m' WHEN 'SEV2' THEN '30m' ELSE '60m' END)
			 ELSE format('Resolved: %s UTC.', to_char(i.resolved_at AT TIME ZONE 'UTC', 'HH24:MI')) END,
		format('Owner: @%s.', coalesce(s.team, s.owner::text, 'unknown')));
END
$$;
COMMENT ON FUNCTION @extschema@.page_message(pg_catalog.int8) IS 'the paging text of an incident, with its objective''s live numbers';

CREATE VIEW @extschema@.incidents AS
SELECT i.id, i.service, o.name AS objective, i.severity, i.title, i.status, i.opened_by,
	   i.started_at, i.detected_at, i.acknowledged_at, i.acknowledged_by, i.mitigated_at, i.mitigated_by,
	   i.resolved_at, i.resolved_by, i.objective_id
FROM @extschema@.incident i
LEFT JOIN @extschema@.objective o ON o.id = i.objective_id;
COMMENT ON VIEW @extschema@.incidents IS 'incidents, with their objective''s name';

-- MTTD (impact start to detection), MTTA (detection to acknowledgement)
-- and MTTR (impact start to resolution), per service and UTC month of
-- detection.
CREATE VIEW @extschema@.incident_metrics AS
SELECT i.service, pg_catalog.date_trunc('month', i.detected_at, 'UTC') AS month,
	   count(*) AS incidents, count(*) FILTER (WHERE i.status = 'resolved') AS resolved,
	   count(*) FILTER (WHERE i.severity = 'SEV1') AS sev1,
	   avg(i.detected_at - i.started_at) AS mttd,
	   avg(i.acknowledged_at - i.detected_at) AS mtta,
	   avg(i.resolved_at - i.started_at) AS mttr
FROM @extschema@.incident i
GROUP BY 1, 2;
COMMENT ON VIEW @extschema@.incident_metrics IS 'per service and UTC month: incidents, MTTD, MTTA and MTTR';

------------------------------------------------------------------------------
-- Freezes and overrides are notified too
------------------------------------------------------------------------------

-- After a freeze or an override is set, lifted or ended: the notification.
-- SECURITY DEFINER: only it writes slo.outbox for them; it refuses to run
-- but as the trigger of those two tables, and reads only the row.
CREATE FUNCTION slo_internal.freeze_after_write()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_WHEN <> 'AFTER' OR TG_LEVEL <> 'ROW'
	   OR TG_RELID NOT IN ('@extschema@.freezes'::pg_catalog.regclass, '@extschema@.freeze_override'::pg_catalog.regclass) THEN
		RAISE EXCEPTION 'function slo_internal.freeze_after_write() runs only as the trigger of slo.freezes and slo.freeze_override'
			USING ERRCODE = 'E_R_I_E_TRIGGER_PROTOCOL_VIOLATED';
	END IF;
	-- a dump being restored brings its notifications with it
	IF slo_internal.restoring() THEN
		RETURN NULL;
	END IF;
	IF TG_RELID = '@extschema@.freezes'::pg_catalog.regclass THEN
		IF TG_OP = 'UPDATE' AND (OLD.lifted_at IS NOT NULL OR NEW.lifted_at IS NULL) THEN
			RETURN NULL;
		END IF;
		PERFORM slo_internal.notify('freeze', NEW.kind,
			jsonb_build_object('freeze_id', NEW.id, 'service', NEW.service, 'objective_id', NEW.objective_id,
							   'state', CASE WHEN TG_OP = 'INSERT' THEN 'set' ELSE 'lifted' END,
							   'reason', CASE WHEN TG_OP = 'INSERT' THEN NEW.reason ELSE NEW.lift_reason END,
							   'by', CASE WHEN TG_OP = 'INSERT' THEN NEW.set_by ELSE NEW.lifted_by END, 'at', now()));
	ELSE
		IF TG_OP = 'UPDATE' AND (OLD.ended_at IS NOT NULL OR NEW.ended_at IS NULL) THEN
			RETURN NULL;
		END IF;
		PERFORM slo_internal.notify('freeze', 'override',
			jsonb_build_object('override_id', NEW.id, 'service', NEW.service,
							   'state', CASE WHEN TG_OP = 'INSERT' THEN 'override' ELSE 'override ended' END,
							   'reason', NEW.reason, 'until', NEW.until,
							   'by', CASE WHEN TG_OP = 'INSERT' THEN NEW.set_by ELSE NEW.ended_by END, 'at', now()));
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER freezes_notify AFTER INSERT OR UPDATE ON @extschema@.freezes
	FOR EACH ROW EXECUTE FUNCTION slo_internal.freeze_after_write();
CREATE TRIGGER freeze_override_notify AFTER INSERT OR UPDATE ON @extschema@.freeze_override
	FOR EACH ROW EXECUTE FUNCTION slo_internal.freeze_after_write();

------------------------------------------------------------------------------
-- Rights
------------------------------------------------------------------------------

-- Rules: a writer changes its own objectives' rules.
ALTER TABLE @extschema@.alert_rule ENABLE ROW LEVEL SECURITY;
CREATE POLICY alert_rule_read ON @extschema@.alert_rule FOR SELECT USING (true);
CREATE POLICY alert_rule_write ON @extschema@.alert_rule FOR ALL
	USING (slo_internal.acts_for((SELECT o.owner FROM @extschema@.objective o WHERE o.id = objective_id)))
	WITH CHECK (slo_internal.acts_for((SELECT o.owner FROM @extschema@.objective o WHERE o.id = objective_id)));
GRANT INSERT, UPDATE, DELETE ON @extschema@.alert_rule TO slo_writer;
GRANT INSERT, UPDATE, DELETE ON @extschema@.alert_rule_default, @extschema@.notification_route TO slo_admin;
-- the tick writes alerts and the outbox; incidents are opened and moved by
-- the tick and by people, each in their own name, for the services they
-- act for; their events and notifications are written by the trigger
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.alert, @extschema@.alert_event, @extschema@.outbox TO slo_admin;
-- a relay delivers the outbox: role slo_relay claims and acknowledges rows
DO $roles$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'slo_relay') THEN
		CREATE ROLE slo_relay NOLOGIN;
	END IF;
END
$roles$;
GRANT slo_relay TO slo_admin;
GRANT SELECT, UPDATE (claimed_by, claimed_until, attempts, delivered_at) ON @extschema@.outbox TO slo_relay;
GRANT USAGE ON SCHEMA @extschema@ TO slo_relay;
REVOKE ALL ON FUNCTION @extschema@.claim_notifications(pg_catalog.text, pg_catalog.int4, pg_catalog.interval),
	@extschema@.ack_notification(pg_catalog.int8) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.claim_notifications(pg_catalog.text, pg_catalog.int4, pg_catalog.interval),
	@extschema@.ack_notification(pg_catalog.int8) TO slo_relay;
ALTER TABLE @extschema@.incident ENABLE ROW LEVEL SECURITY;
CREATE POLICY incident_read ON @extschema@.incident FOR SELECT USING (true);
CREATE POLICY incident_open ON @extschema@.incident FOR INSERT
	WITH CHECK (slo_internal.is_admin()
				OR (opened_by = CURRENT_USER AND detected_at = pg_catalog.now() AND status = 'open'
					AND acknowledged_at IS NULL AND mitigated_at IS NULL AND resolved_at IS NULL
					AND slo_internal.acts_for(slo_internal.service_owner(service))));
CREATE POLICY incident_move ON @extschema@.incident FOR UPDATE
	USING (slo_internal.acts_for(slo_internal.service_owner(service)))
	WITH CHECK (slo_internal.acts_for(slo_internal.service_owner(service)));
GRANT INSERT ON @extschema@.incident TO slo_writer;
GRANT UPDATE (status) ON @extschema@.incident TO slo_writer;
GRANT UPDATE ON @extschema@.incident TO slo_admin;
CREATE TRIGGER incident_before_update BEFORE UPDATE ON @extschema@.incident
	FOR EACH ROW EXECUTE FUNCTION slo_internal.incident_before_update();
CREATE TRIGGER incident_before_insert BEFORE INSERT ON @extschema@.incident
	FOR EACH ROW EXECUTE FUNCTION slo_internal.incident_before_insert();
CREATE TRIGGER incident_after_write AFTER INSERT OR UPDATE ON @extschema@.incident
	FOR EACH ROW EXECUTE FUNCTION slo_internal.incident_after_write();
GRANT SELECT ON @extschema@.alert_rule_default, @extschema@.alert_rule, @extschema@.alert_rules,
	@extschema@.alert, @extschema@.alert_event, @extschema@.alerts, @extschema@.incident,
	@extschema@.incident_event, @extschema@.incidents, @extschema@.incident_metrics,
	@extschema@.notification_route, @extschema@.outbox TO slo_reader;

SELECT pg_catalog.pg_extension_config_dump('@extschema@.alert_rule_default', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.alert_rule', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.alert', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.alert_event', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.incident', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.incident_event', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.notification_route', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.outbox', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.alert_event', 'id')::pg_catalog.regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.incident', 'id')::pg_catalog.regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.incident_event', 'id')::pg_catalog.regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('@extschema@.outbox', 'id')::pg_catalog.regclass, '');
