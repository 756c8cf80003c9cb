--
-- Budget policies, deploy freezes and scheduling: the shipped policies pick
-- the right tier at their boundaries; freeze-on-burn freezes a service when
-- its budget is spent and lifts the freeze when it recovers; manual freezes;
-- slo.deploy_allowed(); slo.freeze_history; slo.schedule() with and
-- without pg_cron; slo_internal.cron_expression().
--
SET TIME ZONE 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';

-- start from an empty catalog: the suite's files share one database
DELETE FROM slo.freezes;
DELETE FROM slo.objective;
DELETE FROM slo.service;
DELETE FROM slo.event;
DELETE FROM slo_internal.invalidation;
DELETE FROM slo.tick_log;
-- and tables of this file's own
CREATE SCHEMA policies_freezes;
SET search_path = policies_freezes, public;

CREATE FUNCTION pg_temp.error(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; st text; m text; d text;
BEGIN
	EXECUTE q INTO r;
	RETURN 'ok: ' || coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
	RETURN st || ': ' || m || coalesce(' | ' || nullif(d, ''), '');
END $$;
-- the same, with the hint
CREATE FUNCTION pg_temp.error_hint(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; st text; m text; h text;
BEGIN
	EXECUTE q INTO r;
	RETURN 'ok: ' || coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, h = PG_EXCEPTION_HINT;
	RETURN st || ': ' || m || coalesce(' | HINT: ' || nullif(h, ''), '');
END $$;

-- the tick says "relation slo_counted already exists, skipping" per objective
SET client_min_messages = warning;

-- the shipped policies
SELECT p.name, p.measure, t.threshold, t.label, t.action, p.builtin AND t.builtin AS builtin
FROM slo.policy p JOIN slo.policy_tier t ON t.policy = p.name
ORDER BY p.name, t.threshold;

------------------------------------------------------------------------------
-- Tiers at their boundaries.  Target 0.5, so that the budget, 0.5 * N, and
-- consumed = B / (0.5 * N) are exact in binary floating point; each case
-- has N = 16 events, B of them bad, in a service of its own.
--   default (remaining > threshold; the highest such tier wins):
--     B=2  remaining 0.75  -> normal
--     B=4  remaining 0.5   -> caution   (0.5 is not > 0.5)
--     B=6  remaining 0.25  -> freeze    (0.25 is not > 0.25)
--     B=7  remaining 0.125 -> freeze
--     B=8  remaining 0     -> incident
--     B=12 remaining -0.5  -> incident
--   traffic-light (consumed >= threshold):
--     B=1  consumed 0.125 -> green;  B=2 0.25 -> yellow; B=4 0.5 -> yellow;
--     B=6  consumed 0.75  -> red;    B=16 2.0 -> red
--   freeze-on-burn:
--     B=7  consumed 0.875 -> normal; B=8 1.0 -> burned; B=12 1.5 -> burned
--   freeze and incident freeze the service; normal and caution do not.
------------------------------------------------------------------------------
CREATE TABLE tier_events (service text NOT NULL, ts timestamptz NOT NULL, ok boolean NOT NULL);
CREATE TEMP TABLE cases (service text, policy text, bad int);
INSERT INTO cases VALUES
	('default-2', 'default', 2), ('default-4', 'default', 4), ('default-6', 'default', 6),
	('default-7', 'default', 7), ('default-8', 'default', 8), ('default-12', 'default', 12),
	('light-1', 'traffic-light', 1), ('light-2', 'traffic-light', 2), ('light-4', 'traffic-light', 4),
	('light-6', 'traffic-light', 6), ('light-16', 'traffic-light', 16),
	('burn-7', 'freeze-on-burn', 7), ('burn-8', 'freeze-on-burn', 8), ('burn-12', 'freeze-on-burn', 12);
INSERT INTO tier_events
SELECT c.service, timestamptz '2026-11-20 10:00' + g * interval '1 min', g >= c.bad
FROM cases c, generate_series(0, 15) g;
SELECT count(slo.define_service(service)) AS services FROM cases;
SELECT count(slo.define_objective(service, 'ok', source => 'tier_events', good => 'ok',
								  valid => format('service = %L', service), target => 0.5, policy => policy)) AS objectives
FROM cases;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT s.service, s.policy, s.valid, s.valid - s.good AS bad, s.consumed, s.remaining, s.tier, s.action,
	   s.frozen, slo.deploy_allowed(s.service) AS deploy_allowed
FROM slo.status s JOIN cases c USING (service)
ORDER BY s.policy, c.bad;
-- the freezes, and their history: one "set" per frozen service
SELECT f.service, o.name AS objective, f.kind, f.set_by, f.reason
FROM slo.deploy_freeze f LEFT JOIN slo.objective o ON o.id = f.objective_id
ORDER BY f.service;
SELECT count(*) AS history, count(*) FILTER (WHERE change = 'set' AND kind = 'policy') AS policy_sets
FROM slo.freeze_history;
-- a second tick changes nothing: no duplicate freeze, no new history
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT (SELECT count(*) FROM slo.deploy_freeze) AS freezes, (SELECT count(*) FROM slo.freeze_history) AS history;
DELETE FROM slo.objective WHERE service IN (SELECT service FROM cases);
-- the next tick lifts the policy freezes of deleted objectives, and says so
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT count(*) AS freezes_left FROM slo.deploy_freeze;
SELECT change, reason, count(*) FROM slo.freeze_history WHERE service IN (SELECT service FROM cases)
GROUP BY 1, 2 ORDER BY 1 DESC, 2;

------------------------------------------------------------------------------
-- Freeze on burn, lifted when the next calendar window starts.
-- "checkout": calendar month (UTC), target 0.9, freeze-on-burn.  November:
-- 10 events, 2 bad: budget 1 event, consumed 2 -> frozen.
------------------------------------------------------------------------------
SELECT slo.define_service('checkout', team => 'payments');
CREATE TABLE payments (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO payments SELECT timestamptz '2026-11-20 10:00' + g * interval '1 min', g >= 2 FROM generate_series(0, 9) g;
SELECT slo.define_objective('checkout', 'pay-ok', source => 'payments', good => 'ok', target => 0.9,
		window_kind => 'calendar', calendar_unit => 'month', policy => 'freeze-on-burn') IS NOT NULL AS defined;
SELECT slo.deploy_allowed('checkout');
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT objective, window_start, valid, good, round(consumed::numeric, 6) AS consumed, tier, action, frozen
FROM slo.status WHERE service = 'checkout';
SELECT slo.deploy_allowed('checkout');
SELECT service, kind, set_by, reason FROM slo.deploy_freeze WHERE service = 'checkout';
-- December: one good event; consumed 0 -> normal, the policy lifts its freeze
INSERT INTO payments VALUES ('2026-12-01 00:00:10', true);
CALL slo.tick(at => '2026-12-01 00:01+00');
SELECT objective, window_start, valid, good, round(consumed::numeric, 6) AS consumed, tier, action, frozen
FROM slo.status WHERE service = 'checkout';
SELECT slo.deploy_allowed('checkout');
SELECT service, change, kind, changed_by, reason FROM slo.freeze_history WHERE service = 'checkout' ORDER BY changed_at, freeze_id, change DESC;
-- (evaluated again at 11-20 it would freeze again: leave it out of the
-- ticks below)
UPDATE slo.objective SET enabled = false WHERE service = 'checkout';

------------------------------------------------------------------------------
-- Freeze on burn, lifted when a correction excludes the bad range.
-- "search": rolling 28 days, target 0.99, 100 events on 11-19 of which 5
-- bad during a deploy at 10:00..10:04: budget 1 event, consumed 5.
------------------------------------------------------------------------------
SELECT slo.define_service('search');
CREATE TABLE queries (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO queries SELECT timestamptz '2026-11-19 10:00' + g * interval '1 min', g >= 5 FROM generate_series(0, 99) g;
SELECT slo.define_objective('search', 'query-ok', source => 'queries', good => 'ok', target => 0.99,
		policy => 'freeze-on-burn') IS NOT NULL AS defined;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT valid, good, round(consumed::numeric, 6) AS consumed, tier, frozen FROM slo.status WHERE service = 'search';
SELECT slo.deploy_allowed('search');
-- A manual unfreeze lifts the policy's freeze too, but the budget is still
-- spent, so the next tick freezes again.
SELECT slo.unfreeze_service('search', 'hotfix must ship');
SELECT slo.deploy_allowed('search');
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT slo.deploy_allowed('search');
-- and a person freezes it too
SELECT slo.freeze_service('search', 'no deploys until the fix is reviewed');
SELECT kind, set_by FROM slo.deploy_freeze WHERE service = 'search' ORDER BY kind;
-- The correction: 95 events left, all good; consumed 0: the policy lifts
-- its own freeze, and the person's stays.
SELECT slo.add_correction('search', 'query-ok', '[2026-11-19 10:00+00, 2026-11-19 10:05+00)', 'bad deploy, rolled back') IS NOT NULL AS corrected;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT valid, good, round(consumed::numeric, 6) AS consumed, tier, frozen FROM slo.status WHERE service = 'search';
SELECT kind, set_by FROM slo.deploy_freeze WHERE service = 'search' ORDER BY kind;
SELECT slo.deploy_allowed('search');
SELECT slo.unfreeze_service('search', 'fix reviewed');
SELECT slo.deploy_allowed('search');
SELECT service, change, kind, changed_by, reason FROM slo.freeze_history WHERE service = 'search' ORDER BY changed_at, freeze_id, change DESC;

------------------------------------------------------------------------------
-- Too little data never freezes: "beta" spends twice its budget but has 10
-- events of the 100 it needs.
------------------------------------------------------------------------------
SELECT slo.define_service('beta');
CREATE TABLE beta_events (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO beta_events SELECT timestamptz '2026-11-20 10:00' + g * interval '1 min', g >= 2 FROM generate_series(0, 9) g;
SELECT slo.define_objective('beta', 'beta-ok', source => 'beta_events', good => 'ok', target => 0.9,
		min_events => 100, policy => 'freeze-on-burn') IS NOT NULL AS defined;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT valid, min_events, too_little_data, round(consumed::numeric, 6) AS consumed, tier, action, frozen
FROM slo.status WHERE service = 'beta';
SELECT slo.deploy_allowed('beta');
SELECT count(*) AS beta_history FROM slo.freeze_history WHERE service = 'beta';

------------------------------------------------------------------------------
-- Manual freezes
------------------------------------------------------------------------------
SELECT slo.freeze_service('checkout', 'launch week: no deploys');
-- one manual freeze per service: a second is refused, quietly
SELECT slo.freeze_service('checkout', 'again');
SELECT slo.deploy_allowed('checkout');
SELECT service, kind, set_by, reason FROM slo.deploy_freeze WHERE service = 'checkout';
SELECT n, pg_temp.error_hint(q) AS result
FROM (VALUES
	(1, $$SELECT slo.freeze_service('checkout', '')$$),
	(2, $$SELECT slo.freeze_service('checkout', NULL)$$),
	(3, $$SELECT slo.freeze_service('no-such-service', 'why')$$),
	(4, $$SELECT slo.unfreeze_service('checkout', '  ')$$),
	(5, $$SELECT slo.unfreeze_service('no-such-service', 'why')$$),
	(6, $$SELECT slo.deploy_allowed('no-such-service')$$),
	(7, $$SELECT slo.deploy_allowed(NULL)$$)
) v(n, q) ORDER BY n;
SELECT slo.unfreeze_service('checkout', 'launch done');
SELECT slo.deploy_allowed('checkout');
-- nothing left to lift
SELECT slo.unfreeze_service('checkout', 'launch done');
SELECT service, change, kind, changed_by, reason FROM slo.freeze_history WHERE kind = 'manual' ORDER BY changed_at, freeze_id, change DESC;

------------------------------------------------------------------------------
-- A policy of one's own
------------------------------------------------------------------------------
INSERT INTO slo.policy (name, measure, description) VALUES ('strict', 'remaining', 'freeze below 90%');
INSERT INTO slo.policy_tier (policy, threshold, label, action) VALUES
	('strict', 0.9, 'ok', 'normal'), ('strict', '-Infinity', 'frozen', 'freeze');
SELECT slo.define_service('ledger');
CREATE TABLE ledger_writes (ts timestamptz NOT NULL, ok boolean NOT NULL);
-- 16 events, 1 bad, target 0.5: remaining 1 - 1/8 = 0.875, not > 0.9
INSERT INTO ledger_writes SELECT timestamptz '2026-11-20 10:00' + g * interval '1 min', g >= 1 FROM generate_series(0, 15) g;
SELECT slo.define_objective('ledger', 'write-ok', source => 'ledger_writes', good => 'ok', target => 0.5,
		policy => 'strict') IS NOT NULL AS defined;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT remaining, tier, action, frozen FROM slo.status WHERE service = 'ledger';
SELECT slo.deploy_allowed('ledger');
-- a manual freeze on top; lifting by hand lifts both, and the policy's
-- comes back at the next tick
SELECT slo.freeze_service('ledger', 'audit');
SELECT slo.unfreeze_service('ledger', 'audit done');
SELECT slo.deploy_allowed('ledger');
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT slo.deploy_allowed('ledger');
SELECT service, change, kind, changed_by, reason FROM slo.freeze_history WHERE service = 'ledger' ORDER BY changed_at, kind, freeze_id, change DESC;
-- a policy in use cannot be dropped
SELECT pg_temp.error($$DELETE FROM slo.policy WHERE name = 'strict'$$);

------------------------------------------------------------------------------
-- Scheduling with pg_cron
------------------------------------------------------------------------------
SELECT every, slo_internal.cron_expression(every)
FROM (VALUES (interval '1 minute'), ('2 minutes'), ('5 minutes'), ('30 minutes'), ('1 hour'),
			 ('2 hours'), ('12 hours'), ('1 day')) v(every);
SELECT every, pg_temp.error(format('SELECT slo_internal.cron_expression(%L)', every)) AS result
FROM (VALUES (interval '7 minutes'), ('90 seconds'), ('30 seconds'), ('0'), ('-5 minutes'),
			 ('25 hours'), ('5 hours'), ('2 days'), (NULL)) v(every);
-- pg_cron is not installed in this database: 55000 with a hint
SELECT to_regnamespace('cron') IS NULL AS no_pg_cron_here;
SELECT pg_temp.error_hint($$SELECT slo.schedule()$$);
SELECT pg_temp.error_hint($$SELECT slo.unschedule()$$);
-- a bad interval is refused before pg_cron is looked for
SELECT pg_temp.error($$SELECT slo.schedule('7 minutes')$$);
-- Where pg_cron can be installed in this database (cron.database_name names
-- it), install it and check that slo.schedule() creates the job, that
-- scheduling again is an upsert, and that slo.unschedule() removes it;
-- elsewhere (the project's runner points cron.database_name at another
-- database) skip.  Either way this prints nothing unless a check fails.
DO $$
DECLARE
	v_job int8;
	v_job2 int8;
	j record;
BEGIN
	IF current_setting('cron.database_name', true) IS DISTINCT FROM current_database() THEN
		RETURN;
	END IF;
	CREATE EXTENSION pg_cron;
	v_job := slo.schedule();
	SELECT * INTO j FROM cron.job WHERE jobid = v_job;
	IF (j.jobname, j.schedule, j.command, j.database, j.username)
	   IS DISTINCT FROM ('slo-tick', '* * * * *', 'CALL slo.tick()', current_database(), current_user::text) THEN
		RAISE EXCEPTION 'unexpected job: %', row_to_json(j);
	END IF;
	v_job2 := slo.schedule('5 minutes');
	SELECT * INTO j FROM cron.job WHERE jobname = 'slo-tick';
	IF v_job2 <> v_job OR j.schedule <> '*/5 * * * *' OR (SELECT count(*) FROM cron.job) <> 1 THEN
		RAISE EXCEPTION 'scheduling again is not an upsert: %', row_to_json(j);
	END IF;
	IF slo.schedule('1 hour', 'slo-tick-hourly') = v_job THEN
		RAISE EXCEPTION 'a second job name reused the first job';
	END IF;
	IF NOT slo.unschedule() THEN
		RAISE EXCEPTION 'unschedule found no job';
	END IF;
	IF slo.unschedule() THEN
		RAISE EXCEPTION 'unschedule found a job it had removed';
	END IF;
	IF NOT slo.unschedule('slo-tick-hourly') THEN
		RAISE EXCEPTION 'unschedule found no job of that name';
	END IF;
	IF (SELECT count(*) FROM cron.job) <> 0 THEN
		RAISE EXCEPTION 'jobs left: %', (SELECT string_agg(jobname, ', ') FROM cron.job);
	END IF;
	DROP EXTENSION pg_cron;
END
$$;
SELECT to_regnamespace('cron') IS NULL AS no_pg_cron_here;

RESET client_min_messages;
