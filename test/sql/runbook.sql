--
-- The runbook: deploys recorded by pipelines and their burn before and
-- after; slo.explain() of a service during a page; the postmortem of the
-- incident, filled in from the data.  Time is driven through generated
-- data and ticks at chosen instants.
--
SET TIME ZONE 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET client_min_messages = warning;

DELETE FROM slo.freezes;
DELETE FROM slo.objective;
DELETE FROM slo.service;
DELETE FROM slo.incident;
DELETE FROM slo.deploy;
TRUNCATE slo.alert, slo.alert_event, slo.incident_event, slo.outbox, slo_internal.invalidation, slo.tick_log;
SELECT setval(pg_get_serial_sequence('slo.incident', 'id'), 1, false) IS NOT NULL AS restarted;
SELECT setval(pg_get_serial_sequence('slo.deploy', 'id'), 1, false) IS NOT NULL AS restarted;

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

DROP ROLE IF EXISTS slo_test_pipeline, slo_test_stranger;
CREATE ROLE slo_test_pipeline LOGIN IN ROLE slo_writer;
CREATE ROLE slo_test_stranger LOGIN IN ROLE slo_writer;

CREATE SCHEMA runbook;
CREATE TABLE runbook.routing (ts timestamptz NOT NULL, routed_ms int NOT NULL, region text NOT NULL);
-- three days of leads routed in a second, one every 6 seconds; from 12:00
-- (after the 11:50 deploy) one lead in three waits 5 minutes, for 30 minutes
INSERT INTO runbook.routing
SELECT timestamptz '2026-03-07 12:00' + g * interval '6 seconds',
	   CASE WHEN g >= 43200 AND g % 3 = 0 THEN 300000 ELSE 1000 END, 'NA'
FROM generate_series(0, 43200 + 299) g;
SELECT slo.define_service('routing', owner => 'slo_test_pipeline', team => 'oncall-sre') AS service;
SELECT slo.define_objective('routing', 'route-under-2m', source => 'runbook.routing',
							good => 'routed_ms < 120000', valid => 'region = ''NA''', target => 0.99,
							window_length => '30 days', description => 'lead routing latency') > 0 AS defined;
SET ROLE slo_test_pipeline;
SELECT slo.record_deploy('routing', 'v2.14.0', deployed_at => '2026-03-10 09:00') AS deploy;
SELECT slo.record_deploy('routing', 'v2.14.1', 'router queue change', '2026-03-10 11:50') AS deploy;
RESET ROLE;
SET ROLE slo_test_stranger;
SELECT pg_temp.error($$SELECT slo.record_deploy('routing', 'evil')$$);
SELECT pg_temp.error($$INSERT INTO slo.deploy (service, version, deployed_by) VALUES ('routing', 'x', 'slo_test_pipeline')$$);
RESET ROLE;
SELECT pg_temp.error($$SELECT slo.record_deploy('routing', ' ')$$);
SELECT pg_temp.error($$SELECT slo.record_deploy('nowhere', 'v1')$$);

CALL slo.tick(at => '2026-03-10 12:30:30');
SELECT version, objective, round(burn_before::numeric, 2) AS burn_before, round(burn_after::numeric, 2) AS burn_after,
	   bad_after
FROM slo.deploy_impact ORDER BY deploy_id;
SELECT * FROM slo.explain('routing');
SELECT section, detail FROM slo.explain('routing/route-under-2m') WHERE section IN ('tier', 'incident');
SELECT pg_temp.error($$SELECT * FROM slo.explain('nothing')$$);
-- a freshness objective: how old its newest row is now, read as its owner
CREATE TABLE runbook.assignments (published_at timestamptz NOT NULL);
INSERT INTO runbook.assignments VALUES ('2026-03-10 11:00'), ('2026-03-10 12:20');
SELECT slo.define_objective('routing', 'assignments-fresh', source => 'runbook.assignments',
							time_column => 'published_at', max_age => '1 hour', target => 0.9,
							window_length => '1 day') > 0 AS defined;
SELECT section, objective, detail LIKE 'last update 2026-03-10 12:20 UTC, % ago (fresh for 01:00:00)' AS as_expected
FROM slo.explain('routing/assignments-fresh') WHERE section = 'freshness';
SET ROLE slo_test_stranger;
SELECT section, detail FROM slo.explain('routing/assignments-fresh') WHERE section = 'freshness';
RESET ROLE;
DELETE FROM slo.objective WHERE name = 'assignments-fresh';

SELECT slo.page_message(1);
-- the postmortem while it is open (once resolved it carries the times of
-- the people's moves, which are now)
SELECT slo.postmortem(1) AS postmortem;
SELECT slo.acknowledge_incident(1, 'paged, looking');
SELECT slo.mitigate_incident(1, 'rolled back to v2.14.0');
SELECT slo.resolve_incident(1, 'queue drained');
SELECT position('| incident resolved by postgres: queue drained |' IN slo.postmortem(1)) > 0 AS resolution_in_timeline,
	   position('resolved 20' IN slo.postmortem(1)) > 0 AS resolved_in_summary;
SELECT pg_temp.error($$SELECT slo.postmortem(99)$$);

------------------------------------------------------------------------------
-- The deploy gate: allowed, sign-off, frozen; an emergency override only
-- by the service's owner, with a reason, for a limited time, recorded
------------------------------------------------------------------------------
SELECT * FROM slo.deploy_gate('routing');
SELECT slo.freeze_service('routing', 'incident #1 review');
SELECT decision, reasons[1] LIKE 'manual freeze: incident #1 review%' AS why FROM slo.deploy_gate('routing');
SELECT slo.deploy_allowed('routing');
SET ROLE slo_test_stranger;
SELECT pg_temp.error($$SELECT slo.override_freeze('routing', 'I want to ship')$$);
SELECT slo.deploy_allowed('routing') AS stranger_may_ask;
RESET ROLE;
SET ROLE slo_test_pipeline;
SELECT pg_temp.error($$SELECT slo.override_freeze('routing', ' ')$$);
SELECT pg_temp.error($$SELECT slo.override_freeze('routing', 'hotfix', '2 days')$$);
SELECT slo.open_incident('routing', 'Router queue stuck', 'SEV1') AS incident \gset
SELECT slo.override_freeze('routing', 'hotfix for the router queue', '30 minutes') > 0 AS overridden;
SELECT decision, reasons[1] LIKE 'override until % by slo_test_pipeline: hotfix for the router queue' AS why
FROM slo.deploy_gate('routing');
SELECT slo.deploy_allowed('routing');
SELECT section, detail LIKE 'deploys allowed through the freezes until % by slo_test_pipeline: hotfix for the router queue' AS listed
FROM slo.explain('routing') WHERE section = 'override';
SELECT slo.end_override('routing') AS ended;
SELECT slo.deploy_allowed('routing');
SELECT slo.override_freeze('routing', 'one more hotfix', '1 millisecond') > 0 AS overridden;
SELECT pg_sleep(0.01);
SELECT slo.deploy_allowed('routing') AS after_it_ran_out;
RESET ROLE;
SELECT payload ->> 'state' AS state, payload ->> 'reason' AS reason, route
FROM slo.outbox WHERE topic = 'freeze' ORDER BY id;
SELECT service, reason, set_by, ended_by FROM slo.freeze_override ORDER BY id;
SELECT position('override by slo_test_pipeline' IN slo.postmortem(:incident)) > 0 AS override_in_postmortem;
SELECT slo.unfreeze_service('routing', 'review done');
-- a caution tier asks for a sign-off too
INSERT INTO slo.policy (name, measure) VALUES ('careful', 'remaining');
INSERT INTO slo.policy_tier (policy, threshold, label, action) VALUES
	('careful', 0.9, 'fine', 'normal'), ('careful', '-Infinity', 'careful', 'caution');
UPDATE slo.objective SET policy = 'careful' WHERE name = 'route-under-2m';
CALL slo.tick(at => '2026-03-10 12:30:30');
SELECT decision, reasons FROM slo.deploy_gate('routing');
DELETE FROM slo.objective;
DELETE FROM slo.policy WHERE name = 'careful';

DELETE FROM slo.freeze_override;
DELETE FROM slo.incident;
DELETE FROM slo.deploy;
DELETE FROM slo.freezes;
DELETE FROM slo.objective;
DELETE FROM slo.service;
TRUNCATE slo.alert, slo.alert_event, slo.incident_event, slo.outbox;
DROP SCHEMA runbook CASCADE;
DROP ROLE slo_test_pipeline, slo_test_stranger;
RESET client_min_messages;
