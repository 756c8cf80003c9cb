--
-- Alerts, incidents and notifications, driven through generated data and
-- ticks at chosen instants (no sleeping): a fast burn pages within the
-- short window; the short window recovering resolves it; a flap in the same
-- episode is kept but not paged again; a slow burn opens a ticket, not a
-- page; a correction keeps the budget whole and silences the alert; an
-- exhaustion forecast fires at its horizon; a page opens an incident, which
-- people acknowledge, mitigate and resolve; the outbox holds each
-- notification once, claimed at least once by relays.
--
SET TIME ZONE 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET client_min_messages = warning;

-- start from an empty catalog: the suite's files share one database
DELETE FROM slo.freezes;
DELETE FROM slo.objective;
DELETE FROM slo.service;
DELETE FROM slo.incident;
TRUNCATE slo.alert, slo.alert_event, slo.incident_event, slo.outbox, slo_internal.invalidation, slo.tick_log;
-- (the incidents' numbers appear in messages below)
SELECT setval(pg_get_serial_sequence('slo.incident', 'id'), 1, false) IS NOT NULL AS restarted;

CREATE FUNCTION pg_temp.error(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE n int8; st text; m text;
BEGIN
	EXECUTE q;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN 'ok: ' || n || ' rows';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT;
	RETURN st || ': ' || m;
END $$;

DROP ROLE IF EXISTS slo_test_oncall, slo_test_other;
CREATE ROLE slo_test_oncall LOGIN IN ROLE slo_writer;
CREATE ROLE slo_test_other LOGIN IN ROLE slo_writer;

CREATE SCHEMA alerting;
CREATE TABLE alerting.req (ts timestamptz NOT NULL, ok boolean NOT NULL);
CREATE INDEX ON alerting.req (ts);
-- events every 6 seconds in [a, b), every k-th one bad (k = 0: none)
CREATE FUNCTION pg_temp.events(a timestamptz, b timestamptz, k int) RETURNS void LANGUAGE sql AS $$
	INSERT INTO alerting.req
	SELECT a + g * interval '6 seconds', NOT (k > 0 AND g % k = 0)
	FROM generate_series(0, (extract(epoch FROM b - a) / 6)::int - 1) g
$$;
-- three days of good traffic before 2026-03-10 12:00
SELECT pg_temp.events('2026-03-07 12:00', '2026-03-10 12:00', 0);

SELECT slo.define_service('checkout', owner => 'slo_test_oncall', team => 'oncall-sre') AS service;
SELECT slo.define_service('search', owner => 'slo_test_other') AS service;
SELECT slo.define_objective('checkout', 'availability', source => 'alerting.req', good => 'ok',
							target => 0.999, window_length => '30 days',
							description => 'availability') > 0 AS defined;
CALL slo.tick(at => '2026-03-10 12:00:30');
SELECT rule, severity, long_window, short_window, round(factor::numeric, 2) AS factor, horizon, min_events, enabled
FROM slo.alert_rules WHERE objective = 'availability' ORDER BY rule;
SELECT count(*) AS alerts FROM slo.alert;

------------------------------------------------------------------------------
-- A fast burn pages within its short window
------------------------------------------------------------------------------
-- from 12:00, one event in four fails
SELECT pg_temp.events('2026-03-10 12:00', '2026-03-10 12:04', 4);
CALL slo.tick(at => '2026-03-10 12:04:30');
SELECT rule, severity, state, since, episode_start, fired_count, round(burn_long::numeric, 1) AS burn_long,
	   round(burn_short::numeric, 1) AS burn_short
FROM slo.alerts ORDER BY rule;
SELECT objective, severity, status, opened_by, started_at, detected_at FROM slo.incidents;
SELECT slo.page_message(id) FROM slo.incidents;

------------------------------------------------------------------------------
-- The short window recovers: the page resolves; a flap within the episode
-- fires again, kept but not paged a second time
------------------------------------------------------------------------------
SELECT pg_temp.events('2026-03-10 12:04', '2026-03-10 12:20', 0);
CALL slo.tick(at => '2026-03-10 12:20:30');
SELECT rule, state, since, fired_count FROM slo.alerts WHERE rule LIKE 'page%' ORDER BY rule;
SELECT pg_temp.events('2026-03-10 12:20', '2026-03-10 12:24', 4);
CALL slo.tick(at => '2026-03-10 12:24:30');
SELECT rule, state, since, episode_start, fired_count FROM slo.alerts WHERE rule = 'page-1h';
SELECT rule, state, at, new_episode FROM slo.alert_event WHERE rule = 'page-1h' ORDER BY id;
SELECT payload ->> 'rule' AS rule, payload ->> 'state' AS state, route, count(*)
FROM slo.outbox WHERE topic = 'alert' GROUP BY 1, 2, 3 ORDER BY 1, 2;
SELECT count(*) AS open_incidents FROM slo.incident WHERE status <> 'resolved';

------------------------------------------------------------------------------
-- People handle the incident: only for services they act for, forward only,
-- stamped with who and when
------------------------------------------------------------------------------
SELECT id AS incident FROM slo.incident \gset
SET ROLE slo_test_other;
SELECT pg_temp.error(format('SELECT slo.acknowledge_incident(%s)', :incident));
SELECT pg_temp.error(format('UPDATE slo.incident SET status = %L WHERE id = %s', 'resolved', :incident));
SELECT pg_temp.error($$INSERT INTO slo.incident_event (incident_id, at, status, by_role) VALUES (1, now(), 'resolved', 'x')$$);
SELECT pg_temp.error($$INSERT INTO slo.outbox (topic, route, payload) VALUES ('alert', 'page', '{}')$$);
SELECT pg_temp.error($$SELECT slo_internal.notify('alert', 'page', '{}')$$);
RESET ROLE;
SET ROLE slo_test_oncall;
SELECT slo.acknowledge_incident(:incident, 'looking');
SELECT pg_temp.error(format('SELECT slo.acknowledge_incident(%s)', :incident));
SELECT pg_temp.error(format('UPDATE slo.incident SET title = %L WHERE id = %s', 'nothing happened', :incident));
SELECT slo.mitigate_incident(:incident, 'rolled back v2.1');
-- a direct UPDATE is held to the same rules and stamped the same way
SELECT pg_temp.error(format('UPDATE slo.incident SET status = %L, resolved_by = %L WHERE id = %s', 'resolved', 'someone_else', :incident));
UPDATE slo.incident SET status = 'resolved' WHERE id = :incident;
RESET ROLE;
SELECT status, acknowledged_by, mitigated_by, resolved_by, acknowledged_at IS NOT NULL AS acked,
	   resolved_at >= mitigated_at AND mitigated_at >= acknowledged_at AS in_order
FROM slo.incident WHERE id = :incident;
SELECT status, by_role, note FROM slo.incident_event WHERE incident_id = :incident ORDER BY id;
SELECT service, incidents, resolved, mttd, mttr IS NOT NULL AS has_mttr FROM slo.incident_metrics;
SELECT payload ->> 'status' AS status, route FROM slo.outbox WHERE topic = 'incident' ORDER BY id;

------------------------------------------------------------------------------
-- A slow burn opens a ticket, not a page
------------------------------------------------------------------------------
CREATE TABLE alerting.jobs (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO alerting.jobs
SELECT timestamptz '2026-03-07 12:00' + g * interval '6 seconds', g % 200 <> 0   -- 0.5% bad: burn 5
FROM generate_series(0, 3 * 14400 - 1) g;
SELECT slo.define_objective('checkout', 'jobs', source => 'alerting.jobs', good => 'ok',
							target => 0.999, window_length => '30 days') > 0 AS defined;
CALL slo.tick(at => '2026-03-10 12:00:30');
SELECT rule, severity, state, round(burn_long::numeric, 1) AS burn_long, round(burn_short::numeric, 1) AS burn_short
FROM slo.alerts WHERE objective = 'jobs' ORDER BY rule;

------------------------------------------------------------------------------
-- A correction keeps the budget whole, and no alert fires from it
------------------------------------------------------------------------------
CREATE TABLE alerting.maint (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO alerting.maint
SELECT timestamptz '2026-03-09 12:00' + g * interval '6 seconds', NOT (g >= 14350 AND g % 2 = 0)  -- the last 5 minutes half bad
FROM generate_series(0, 14399) g;
SELECT slo.define_objective('checkout', 'maint', source => 'alerting.maint', good => 'ok',
							target => 0.999, window_length => '30 days') > 0 AS defined;
SELECT slo.add_correction('checkout', 'maint', '[2026-03-10 11:55, 2026-03-10 12:00)', 'planned failover') > 0 AS corrected;
CALL slo.tick(at => '2026-03-10 12:00:30');
SELECT objective, valid, good, remaining FROM slo.status WHERE objective = 'maint';
SELECT count(*) AS maint_alerts FROM slo.alerts WHERE objective = 'maint';

------------------------------------------------------------------------------
-- Maintenance windows, weekly or one-off, for an objective or the whole
-- service: the budget stays whole, and no alert fires during one
------------------------------------------------------------------------------
CREATE TABLE alerting.weekly (ts timestamptz NOT NULL, ok boolean NOT NULL);
-- a day of good events, then the last 10 minutes before 12:00 half bad:
-- inside the team's window on Tuesdays at 12:45 in Berlin for 30 minutes
-- (2026-03-10 is a Tuesday: 11:45 to 12:15 UTC)
INSERT INTO alerting.weekly
SELECT timestamptz '2026-03-09 12:00' + g * interval '6 seconds', NOT (g >= 14300 AND g % 2 = 0)
FROM generate_series(0, 14399) g;
SELECT slo.define_objective('checkout', 'weekly', source => 'alerting.weekly', good => 'ok',
							target => 0.999, window_length => '30 days') > 0 AS defined;
SELECT slo.add_weekly_maintenance('checkout', 'database patching', 'Tuesday', '12:45', '30 minutes',
								  'Europe/Berlin', objective => 'weekly') > 0 AS window_added;
CALL slo.tick(at => '2026-03-10 12:00:30');
SELECT objective, valid, good, remaining FROM slo.status WHERE objective = 'weekly';
SELECT count(*) AS weekly_alerts FROM slo.alerts WHERE objective = 'weekly';
-- without the window the same minutes page
SELECT slo.drop_maintenance(id) FROM slo.maintenance_window;
CALL slo.tick(at => '2026-03-10 12:00:30');
SELECT objective, valid, good, round(remaining::numeric, 3) AS remaining FROM slo.status WHERE objective = 'weekly';
SELECT rule, state FROM slo.alerts WHERE objective = 'weekly' AND rule LIKE 'page%' ORDER BY rule;
-- a one-off window of the whole service, open now, silences its alerts
SELECT slo.add_maintenance('checkout', 'failover drill', '[2026-03-10 11:59, 2026-03-10 12:30)') > 0 AS window_added;
SELECT pg_temp.events('2026-03-10 12:30', '2026-03-10 12:31', 0);
CALL slo.tick(at => '2026-03-10 12:05:30');
SELECT rule, state FROM slo.alerts WHERE objective = 'weekly' AND rule LIKE 'page%' ORDER BY rule;
SELECT section, objective, detail FROM slo.explain('checkout') WHERE section = 'maintenance';
SELECT pg_temp.error($$SELECT slo.add_maintenance('checkout', ' ', '[2026-03-10 11:59, 2026-03-10 12:30)')$$);
SELECT pg_temp.error($$SELECT slo.add_maintenance('checkout', 'x', '[2026-03-10 11:59,)')$$);
SELECT pg_temp.error($$SELECT slo.add_weekly_maintenance('checkout', 'x', 'Caturday', '12:00', '1 hour')$$);
SELECT pg_temp.error($$SELECT slo.add_weekly_maintenance('checkout', 'x', 'monday', '12:00', '1 hour', 'Mars/Olympus')$$);
SET ROLE slo_test_other;
SELECT pg_temp.error($$SELECT slo.add_maintenance('checkout', 'hide my outage', '[2026-03-10 11:00, 2026-03-10 13:00)')$$);
SELECT pg_temp.error($$DELETE FROM slo.maintenance_window$$);
RESET ROLE;
SELECT slo.drop_maintenance(id) FROM slo.maintenance_window;

------------------------------------------------------------------------------
-- Exhaustion: the budget will be spent within the horizon at the last
-- hour's burn (burn rules switched off to see it alone)
------------------------------------------------------------------------------
CREATE TABLE alerting.slow (ts timestamptz NOT NULL, ok boolean NOT NULL);
-- 20 days at one event a minute, one in 1500 bad, then an hour at one
-- every 3 seconds, one in 600 bad: 22 bad of 29940 events, 73% of the
-- budget spent, the last hour burning at 1.67: 4.8 days left
INSERT INTO alerting.slow
SELECT timestamptz '2026-02-18 12:00' + g * interval '1 minute', g % 1500 <> 0
FROM generate_series(0, 28739) g;
INSERT INTO alerting.slow
SELECT timestamptz '2026-03-10 11:00' + g * interval '3 seconds', g % 600 <> 0
FROM generate_series(0, 1199) g;
SELECT slo.define_objective('checkout', 'slow', source => 'alerting.slow', good => 'ok',
							target => 0.999, window_length => '30 days') > 0 AS defined;
INSERT INTO slo.alert_rule (objective_id, name, enabled)
SELECT o.id, r, false FROM slo.objective o, unnest(ARRAY['page-1h', 'page-6h', 'ticket-1d', 'ticket-3d']) r
WHERE o.name = 'slow';
CALL slo.tick(at => '2026-03-10 12:00:30');
SELECT round(remaining::numeric, 3) AS remaining, round(burn_1h::numeric, 2) AS burn_1h,
	   time_to_exhaustion < interval '7 days' AS under_7d, time_to_exhaustion < interval '72 hours' AS under_72h
FROM slo.status WHERE objective = 'slow';
SELECT rule, severity, state FROM slo.alerts WHERE objective = 'slow' ORDER BY rule;
-- a horizon of the objective's own: 30 days
INSERT INTO slo.alert_rule (objective_id, name, horizon)
SELECT o.id, 'exhaustion-72h', '30 days' FROM slo.objective o WHERE o.name = 'slow';
CALL slo.tick(at => '2026-03-10 12:00:30');
SELECT rule, severity, state FROM slo.alerts WHERE objective = 'slow' ORDER BY rule;

-- a writer changes the rules of its own objectives only
SET ROLE slo_test_other;
SELECT pg_temp.error($$UPDATE slo.alert_rule SET enabled = true WHERE objective_id = (SELECT id FROM slo.objective WHERE name = 'slow')$$);
SELECT pg_temp.error($$INSERT INTO slo.alert_rule (objective_id, name, enabled) SELECT id, 'page-1h', false FROM slo.objective WHERE name = 'availability'$$);
RESET ROLE;

------------------------------------------------------------------------------
-- An objective budgeted in timeslices pages too: the minimum per look-back
-- counts events, not slices
------------------------------------------------------------------------------
CREATE TABLE alerting.sliced (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO alerting.sliced
SELECT timestamptz '2026-03-09 12:00' + g * interval '6 seconds', NOT (g >= 14400 AND g % 4 = 0)
FROM generate_series(0, 14400 + 39) g;
SELECT slo.define_objective('checkout', 'sliced', source => 'alerting.sliced', good => 'ok', target => 0.999,
							budgeting => 'timeslices', slice => '1 minute', slice_target => 0.99,
							window_length => '30 days') > 0 AS defined;
CALL slo.tick(at => '2026-03-10 12:04:30');
SELECT rule, state, round(burn_long::numeric, 1) AS burn_long, round(burn_short::numeric, 1) AS burn_short
FROM slo.alerts WHERE objective = 'sliced' AND rule LIKE 'page%' ORDER BY rule;

------------------------------------------------------------------------------
-- Policies act on more than the budget: a burn rate over a look-back, or
-- the time to exhaustion, sets the tier, with an action of the user's
------------------------------------------------------------------------------
INSERT INTO slo.policy (name, measure, description) VALUES ('etl', 'remaining', 'pause the ETL on a burn');
INSERT INTO slo.policy_tier (policy, threshold, label, action) VALUES ('etl', '-Infinity', 'ok', 'normal');
INSERT INTO slo.policy_trigger (policy, label, measure, lookback, above, action, priority)
VALUES ('etl', 'burning', 'burn', '1 hour', 1.5, 'pause-etl', 1);
INSERT INTO slo.policy_trigger (policy, label, measure, within, action, priority)
VALUES ('etl', 'running-out', 'time_to_exhaustion', '3 days', 'freeze', 2);
SELECT pg_temp.error($$INSERT INTO slo.policy_trigger (policy, label, measure, lookback, above, action) VALUES ('etl', 'x', 'burn', '7 minutes', 1, 'normal')$$);
SELECT pg_temp.error($$INSERT INTO slo.policy_tier (policy, threshold, label, action) VALUES ('etl', 0.5, 'x', 'Bad Name!')$$);
UPDATE slo.objective SET policy = 'etl' WHERE name IN ('jobs', 'slow');
CALL slo.tick(at => '2026-03-10 12:00:30');
SELECT objective, tier, action, round(burn_1h::numeric, 2) AS burn_1h, time_to_exhaustion < interval '3 days' AS under_3d
FROM slo.status WHERE objective IN ('jobs', 'slow') ORDER BY objective;
SELECT service, objective_id IS NOT NULL AS by_policy
FROM slo.deploy_freeze WHERE kind = 'policy';
SELECT payload ->> 'objective' AS objective, payload ->> 'tier' AS tier, payload ->> 'action' AS action, route
FROM slo.outbox WHERE topic = 'tier' AND payload ->> 'objective' IN ('jobs', 'slow') ORDER BY 1, id;

------------------------------------------------------------------------------
-- The outbox: each notification claimed by a relay, claimed again when its
-- lease runs out before it is acknowledged, never after
------------------------------------------------------------------------------
SELECT count(*) AS undelivered FROM slo.outbox WHERE delivered_at IS NULL \gset
SELECT count(*) = :undelivered AS claimed_all FROM slo.claim_notifications('relay-a', 1000, '0 seconds');
SELECT count(*) = :undelivered AS lease_ran_out_claimed_again FROM slo.claim_notifications('relay-b', 1000, '10 minutes');
SELECT count(*) AS held_by_b FROM slo.claim_notifications('relay-a', 1000, '10 minutes');
SELECT bool_and(slo.ack_notification(id)) AS acked FROM slo.outbox;
SELECT bool_or(slo.ack_notification(id)) AS acked_twice FROM slo.outbox;
SELECT count(*) AS after_ack FROM slo.claim_notifications('relay-b', 1000, '0 seconds');
SELECT pg_temp.error($$SELECT slo.claim_notifications('', 10)$$);
-- only a relay (a member of slo_relay) or slo_admin claims and acknowledges
SET ROLE slo_test_other;
SELECT pg_temp.error($$SELECT slo.claim_notifications('sneaky', 10)$$);
SELECT pg_temp.error($$SELECT slo.ack_notification(1)$$);
RESET ROLE;

-- opening incidents by hand: what is refused
SELECT pg_temp.error($$SELECT slo.open_incident('nowhere', 'x')$$);
SELECT pg_temp.error($$SELECT slo.open_incident('checkout', 'x', 'SEV9')$$);
SELECT pg_temp.error($$SELECT slo.open_incident('checkout', 'x', 'SEV2', 'no-such-objective')$$);
SELECT slo.open_incident('checkout', 'maintenance overran', 'SEV3', 'maint') > 0 AS opened;
SELECT pg_temp.error($$SELECT slo.open_incident('checkout', 'again', 'SEV3', 'maint')$$);
SELECT pg_temp.error($$SELECT slo.end_override('nowhere')$$);
SELECT slo.drop_maintenance(-1) AS dropped_nothing;

------------------------------------------------------------------------------
-- Attacks from a fresh-eyes review (2026-12-06), each now failing
------------------------------------------------------------------------------
SELECT slo.define_service('other', owner => 'slo_test_other') AS service;
SET ROLE slo_test_other;
-- squatting another service's objective with an incident of one's own
SELECT pg_temp.error($$INSERT INTO slo.incident (service, objective_id, severity, title, opened_by, started_at, detected_at)
	SELECT 'other', o.id, 'SEV3', 'squat', 'slo_test_other', now(), now() FROM slo.objective o WHERE o.name = 'availability'$$);
-- an incident of one's own service opened already acknowledged by someone else
INSERT INTO slo.incident (service, severity, title, opened_by, started_at, detected_at, status,
						  acknowledged_at, acknowledged_by)
VALUES ('other', 'SEV3', 'forged', 'slo_test_other', now(), now(), 'open', '2000-01-01', 'postgres');
-- turning row_security off mid-statement to open one unlogged
WITH ins AS (INSERT INTO slo.incident (service, severity, title, opened_by, started_at, detected_at)
			 VALUES ('other', 'SEV1', 'ghost', 'slo_test_other', now(), now()) RETURNING id)
SELECT set_config('row_security', 'off', true) IS NOT NULL AS flipped FROM ins;
SET row_security = on;
RESET ROLE;
SELECT title, status, acknowledged_by, opened_by,
	   (SELECT count(*) FROM slo.incident_event e WHERE e.incident_id = i.id) AS events,
	   (SELECT count(*) FROM slo.outbox x WHERE (x.payload ->> 'incident_id')::int8 = i.id) AS notified
FROM slo.incident i WHERE i.service = 'other' ORDER BY i.id;

-- clean up
DELETE FROM slo.incident;
DELETE FROM slo.freezes;
DELETE FROM slo.objective;
DELETE FROM slo.policy WHERE name = 'etl';
DELETE FROM slo.service;
TRUNCATE slo.alert, slo.alert_event, slo.incident_event, slo.outbox;
DROP SCHEMA alerting CASCADE;
DROP ROLE slo_test_oncall, slo_test_other;
RESET client_min_messages;
