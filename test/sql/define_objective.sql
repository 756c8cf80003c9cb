--
-- slo.define_service() and slo.define_objective(): every definition is
-- checked when it is made, with the right SQLSTATE, and nothing is written
-- when a check fails; every SLI kind, budgeting method and window kind is
-- stored as expected; a redefinition is an upsert; the built-in event table.
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
CREATE SCHEMA define_objective;
SET search_path = define_objective, public;

-- run a statement; show its result, or its SQLSTATE, message and detail
CREATE FUNCTION pg_temp.error(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; st text; m text; d text;
BEGIN
	EXECUTE q INTO r;
	RETURN 'ok: ' || coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
	RETURN st || ': ' || m || coalesce(' | ' || nullif(d, ''), '');
END $$;

CREATE TABLE requests (
	id bigserial PRIMARY KEY,
	ts timestamptz NOT NULL,
	ok boolean,
	status int,
	latency_ms float8,
	wait interval,
	region text
);
CREATE VIEW requests_view AS SELECT * FROM requests;
CREATE TEMP TABLE scratch (ts timestamptz NOT NULL, ok boolean);
CREATE TABLE naive_times (ts timestamp NOT NULL, ok boolean);
CREATE TABLE forecasts (published_at timestamptz NOT NULL, area text);
CREATE TABLE messages (ts timestamptz NOT NULL, failed boolean NOT NULL);

-- what a failed definition could have left behind: objectives, and the
-- invalidation triggers on the source table
CREATE FUNCTION pg_temp.written() RETURNS text LANGUAGE sql AS $$
	SELECT format('objectives=%s triggers=%s', (SELECT count(*) FROM slo.objective),
				  (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'requests'::regclass))
$$;

--
-- services
--
SELECT slo.define_service('api', team => 'core', runbook_url => 'https://runbooks.example/api');
SELECT slo.define_service('forecast');
SELECT slo.define_service('queue');
SELECT slo.define_service('probe', description => 'synthetic probes');
SELECT n, pg_temp.error(q) AS result
FROM (VALUES
	(1, $$SELECT slo.define_service('')$$),
	(2, $$SELECT slo.define_service('   ')$$),
	(3, $$SELECT slo.define_service(NULL)$$),
	(4, $$SELECT slo.define_service('x', owner => 'no_such_role_slo')$$)
) v(n, q) ORDER BY n;
-- a redefinition of a service is an upsert
SELECT slo.define_service('api', team => 'platform', runbook_url => 'https://runbooks.example/api');
SELECT name, owner, team, runbook_url, description FROM slo.service ORDER BY name;

--
-- definition errors: each with its SQLSTATE, and nothing written
--
SELECT pg_temp.written() AS before;
SELECT n, pg_temp.error(q) AS result, pg_temp.written() AS after
FROM (VALUES
	-- the source
	(1, $$SELECT slo.define_objective('api', 'e', source => 'no_such_table', good => 'ok', target => 0.99)$$),
	(2, $$SELECT slo.define_objective('api', 'e', source => 'requests_view', good => 'ok', target => 0.99)$$),
	(3, $$SELECT slo.define_objective('no_such_service', 'e', source => 'requests', good => 'ok', target => 0.99)$$),
	-- the time column
	(4, $$SELECT slo.define_objective('api', 'e', source => 'requests', time_column => 'created', good => 'ok', target => 0.99)$$),
	(5, $$SELECT slo.define_objective('api', 'e', source => 'naive_times', good => 'ok', target => 0.99)$$),
	-- the target
	(6, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 99)$$),
	(7, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 1)$$),
	(8, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0)$$),
	(9, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => -0.5)$$),
	(10, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 'NaN')$$),
	(11, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok')$$),
	-- the expressions
	(12, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'status', target => 0.99)$$),
	(13, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', valid => 'region', target => 0.99)$$),
	(14, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'no_such_column', target => 0.99)$$),
	(15, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', valid => 'nope <> 4', target => 0.99)$$),
	(16, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok AND', target => 0.99)$$),
	(17, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'count(*) > 0', target => 0.99)$$),
	(18, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'row_number() OVER () = 1', target => 0.99)$$),
	(19, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'generate_series(1, 2) = 1', target => 0.99)$$),
	(20, $$SELECT slo.define_objective('api', 'e', source => 'requests', target => 0.99)$$),
	-- the kind, the comparison and the threshold
	(21, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', sli_kind => 'latency', target => 0.99)$$),
	(22, $$SELECT slo.define_objective('api', 'e', source => 'requests', value => 'latency_ms', op => 'eq', threshold => '250', target => 0.99)$$),
	(23, $$SELECT slo.define_objective('api', 'e', source => 'requests', value => 'latency_ms', threshold => '250', target => 0.99)$$),
	(24, $$SELECT slo.define_objective('api', 'e', source => 'requests', value => 'latency_ms', op => 'lt', threshold => 'fast', target => 0.99)$$),
	(25, $$SELECT slo.define_objective('api', 'e', source => 'requests', value => 'latency_ms', op => 'lt', threshold => '2 minutes', target => 0.99)$$),
	(26, $$SELECT slo.define_objective('api', 'e', source => 'requests', value => 'wait', op => 'lt', threshold => 'soon', target => 0.99)$$),
	(27, $$SELECT slo.define_objective('api', 'e', source => 'requests', value => 'latency_ms > 0', op => 'lt', threshold => 'maybe', target => 0.99)$$),
	(28, $$SELECT slo.define_objective('api', 'e', source => 'requests', max_age => '-1 hour', target => 0.99)$$),
	(29, $$SELECT slo.define_objective('api', 'e', source => 'requests', sli_kind => 'freshness', target => 0.99)$$),
	-- windows
	(30, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, window_kind => 'sliding')$$),
	(31, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, window_length => '30 seconds')$$),
	(32, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, window_length => '401 days')$$),
	(33, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, window_length => NULL)$$),
	(34, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, window_kind => 'calendar', calendar_unit => 'week')$$),
	(35, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, window_kind => 'calendar', calendar_unit => 'month', time_zone => 'Mars/Olympus_Mons')$$),
	-- budgeting and slices
	(36, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, budgeting => 'events')$$),
	(37, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, budgeting => 'timeslices', slice_target => 0.9)$$),
	(38, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, budgeting => 'timeslices', slice => '30 seconds', slice_target => 0.9)$$),
	(39, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, budgeting => 'timeslices', slice => '90 seconds', slice_target => 0.9)$$),
	(40, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, budgeting => 'timeslices', slice => '2 hours', slice_target => 0.9, window_length => '1 hour')$$),
	(41, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, budgeting => 'timeslices', slice => '1 minute')$$),
	(42, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, budgeting => 'timeslices', slice => '1 minute', slice_target => 1.5)$$),
	(43, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, budgeting => 'timeslices', slice => '1 minute', slice_target => 0)$$),
	(44, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, budgeting => 'timeslices', slice => '1 minute', slice_target => 0.9, empty_slices => 'maybe')$$),
	(45, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, empty_slices => 'maybe')$$),
	(46, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', sli_kind => 'throughput', slice_min_events => 10, target => 0.99)$$),
	(47, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, budgeting => 'timeslices', slice => '1 minute', slice_min_events => -1, slice_target => 0.9)$$),
	(48, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, min_events => -1)$$),
	-- SLA and policy
	(49, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, sla_target => 0.95)$$),
	(50, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, sla_window => '90 days')$$),
	(51, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, sla_target => 1.5, sla_window => '90 days')$$),
	(52, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, sla_target => 0.95, sla_window => '-90 days')$$),
	(53, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'ok', target => 0.99, policy => 'no-such-policy')$$),
	-- names
	(54, $$SELECT slo.define_objective('api', '', source => 'requests', good => 'ok', target => 0.99)$$),
	(55, $$SELECT slo.define_objective('api', NULL, source => 'requests', good => 'ok', target => 0.99)$$),
	(56, $$SELECT slo.define_objective('api', 'e', source => 'requests', good => 'true) OR (true', valid => 'ok; DROP TABLE requests', target => 0.99)$$),
	-- a temporary table: the tick runs in a session that cannot see it
	(57, $$SELECT slo.define_objective('api', 'e', source => 'pg_temp.scratch', good => 'ok', target => 0.99)$$)
) v(n, q) ORDER BY n;

--
-- successful definitions: every SLI kind, method and window
--
-- ratio, occurrences, rolling 28 days (the defaults)
SELECT slo.define_objective('api', 'availability', source => 'requests',
		good => 'status < 500', valid => 'status IS NOT NULL', target => 0.999) AS availability_id \gset
SELECT pg_temp.written() AS after_first;
SELECT tgname, tgenabled, tgoldtable, tgnewtable, pg_get_triggerdef(oid) LIKE '%AFTER%FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture(''ts'')' AS after_statement
FROM pg_trigger WHERE tgrelid = 'requests'::regclass ORDER BY tgname;
-- threshold over float8, each comparison; over an interval
SELECT slo.define_objective('api', 'latency-lt', source => 'requests', value => 'latency_ms', op => 'lt', threshold => '250', target => 0.99) IS NOT NULL AS defined;
SELECT slo.define_objective('api', 'latency-le', source => 'requests', value => 'latency_ms', op => 'le', threshold => '250.5', target => 0.99) IS NOT NULL AS defined;
SELECT slo.define_objective('api', 'latency-gt', source => 'requests', value => 'latency_ms', op => 'gt', threshold => '1', target => 0.99) IS NOT NULL AS defined;
SELECT slo.define_objective('api', 'latency-ge', source => 'requests', value => 'latency_ms', op => 'ge', threshold => '1e-3', target => 0.99,
		valid => 'region = ''eu''') IS NOT NULL AS defined;
SELECT slo.define_objective('api', 'wait-under-2m', source => 'requests', value => 'wait', op => 'lt', threshold => '2 minutes', target => 0.95) IS NOT NULL AS defined;
-- timeslices and ratio_timeslices, calendar month in a time zone
SELECT slo.define_objective('api', 'ok-minutes', source => 'requests', good => 'ok', target => 0.999,
		budgeting => 'timeslices', slice => '1 minute', slice_target => 0.95,
		window_kind => 'calendar', calendar_unit => 'month', time_zone => 'America/New_York') IS NOT NULL AS defined;
SELECT slo.define_objective('api', 'ok-ratio-slices', source => 'requests', good => 'ok', target => 0.99,
		budgeting => 'ratio_timeslices', slice => '5 minutes', empty_slices => 'good',
		window_kind => 'calendar', window_length => '1 month') IS NOT NULL AS defined;
-- every 30 days from an anchor, with an SLA, a minimum and a policy
SELECT slo.define_objective('api', 'ok-30d', source => 'requests', good => 'ok', target => 0.99,
		window_kind => 'calendar', window_length => '30 days', anchor => '2026-11-01 00:00+00',
		min_events => 1000, sla_target => 0.95, sla_window => '90 days', policy => 'freeze-on-burn',
		description => 'writes succeed') IS NOT NULL AS defined;
-- freshness, on another time column
SELECT slo.define_objective('forecast', 'age-under-4h', source => 'forecasts', time_column => 'published_at',
		max_age => '4 hours', valid => 'area = ''north''', target => 0.99, window_length => '7 days') IS NOT NULL AS defined;
-- throughput: at least 200 messages a minute, at most 0.5% failed
SELECT slo.define_objective('queue', 'throughput', source => 'messages', good => 'NOT failed',
		slice_min_events => 200, slice_target => 0.995, budgeting => 'timeslices', slice => '1 minute',
		target => 0.99) IS NOT NULL AS defined;

-- still four triggers on requests, however many objectives read it
SELECT pg_temp.written() AS after_all;
SELECT c.relname, count(*) AS triggers
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgname LIKE 'slo_capture_%'
GROUP BY c.relname ORDER BY c.relname;

-- what was stored
SELECT service, name, sli_kind, source, time_column, valid_expr, good_expr
FROM slo.objective ORDER BY id;
SELECT name, value_expr, op, threshold, max_age, target, min_events, sla_target, sla_window, policy, description
FROM slo.objective ORDER BY id;
SELECT name, window_kind, window_length, calendar_unit, anchor, time_zone,
       budgeting, slice, slice_target, slice_min_events, empty_slices
FROM slo.objective ORDER BY id;
SELECT DISTINCT owner, search_path, revision, enabled FROM slo.objective;

--
-- a redefinition is an upsert: same id, new revision, nothing else added
--
SELECT slo.define_objective('api', 'availability', source => 'requests',
		good => 'status < 500', valid => 'status IS NOT NULL AND region <> ''test''', target => 0.995,
		window_length => '7 days') = :availability_id AS same_id;
SELECT id = :availability_id AS same_id, name, valid_expr, target, window_length, revision FROM slo.objective WHERE name = 'availability';
-- a failed redefinition changes nothing
SELECT pg_temp.error($$SELECT slo.define_objective('api', 'availability', source => 'requests', good => 'status', target => 0.9)$$);
SELECT id = :availability_id AS same_id, name, valid_expr, target, window_length, revision FROM slo.objective WHERE name = 'availability';
SELECT pg_temp.written() AS after_redefinition;

--
-- the built-in event table: source => NULL, good defaults to ok
--
SELECT slo.define_objective('probe', 'http-ok', target => 0.9) IS NOT NULL AS defined;
SELECT slo.define_objective('probe', 'http-fast', value => 'value', op => 'le', threshold => '100', target => 0.9) IS NOT NULL AS defined;
SELECT name, source, time_column, valid_expr, good_expr
FROM slo.objective WHERE service = 'probe' ORDER BY id;
SELECT count(*) AS recorded
FROM (SELECT slo.record(service, objective, ok, value, ts) FROM (VALUES ('probe', 'http-ok', true, 12.5, timestamptz '2026-11-20 10:00:10+00'),
             ('probe', 'http-ok', false, 250, '2026-11-20 10:00:20+00'),
             ('probe', 'http-ok', true, NULL, '2026-11-20 10:01:00+00'),
             ('probe', 'http-fast', true, 99, '2026-11-20 10:00:30+00'),
             ('probe', 'http-fast', true, 101, '2026-11-20 10:00:40+00'),
             ('probe', 'http-fast', false, NULL, '2026-11-20 10:00:50+00'),
             ('other', 'http-ok', false, 1, '2026-11-20 10:00:30+00')) v(service, objective, ok, value, ts)) calls;
SELECT service, objective, ts, ok, value FROM slo.event ORDER BY id;
-- the event table's triggers, put there by CREATE EXTENSION, are there once
SELECT count(*) AS event_triggers FROM pg_trigger WHERE tgrelid = 'slo.event'::regclass;
SET client_min_messages = warning;
CALL slo.tick(at => '2026-11-20 10:05+00');
RESET client_min_messages;
-- http-ok: 10:00 has one good and one bad event, 10:01 one good; the
-- "other" service's event is not counted.  http-fast: value <= 100, so
-- 99 is good, 101 bad and the NULL value not valid.
SELECT o.name, r.bucket, r.valid, r.good
FROM slo_internal.minutes r JOIN slo.objective o ON o.id = r.objective_id
WHERE o.service = 'probe' ORDER BY o.name, r.bucket;
SELECT objective, valid, good, round(sli::numeric, 6) AS sli FROM slo.status WHERE service = 'probe' ORDER BY objective;
