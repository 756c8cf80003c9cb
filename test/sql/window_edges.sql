--
-- Windows show what they count.  Every window and look-back of a tick at
-- instant "at" ends at E, the last whole minute before "at", and counts
-- [start, E): an event exactly at the start is counted, one exactly at E is
-- not (Prometheus's increase() counts (E - w, E] instead).  slo.status shows
-- the bounds counted: window_start and counted_until.  A tick off the
-- minute grid (as pg_cron's are) counts the same as a raw count over those
-- bounds.
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
CREATE SCHEMA window_edges;
SET search_path = window_edges, public;
SET client_min_messages = warning;

-- The reported case: a bad event at 11:55:40, good ones at 11:58:00,
-- 12:00:10 and 12:00:45; a 5-minute rolling window; a tick at 12:00:30.
-- 0.3 showed valid/good 3/3 and burn_5m 0 for the window [11:55:30,
-- 12:00:30), over which a raw count gives 3/2.
SELECT slo.define_service('edges');
CREATE TABLE ev (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO ev VALUES ('2026-11-20 11:55:40', false), ('2026-11-20 11:58:00', true),
					  ('2026-11-20 12:00:10', true), ('2026-11-20 12:00:45', true);
SELECT slo.define_objective('edges', 'five-minutes', source => 'ev', good => 'ok', target => 0.9,
		window_length => '5 minutes') IS NOT NULL AS defined;
CALL slo.tick(at => '2026-11-20 12:00:30+00');
-- counted: [11:55, 12:00), 2 events, 1 bad: burn (1/2)/(1 - 0.9) = 5
SELECT evaluated_at, window_start, window_end, counted_until, valid, good,
	   round(burn_5m::numeric, 6) AS burn_5m
FROM slo.status WHERE objective = 'five-minutes';
-- a raw count over exactly the bounds shown
SELECT count(*) AS valid, count(*) FILTER (WHERE ok) AS good
FROM ev, slo.status s
WHERE s.objective = 'five-minutes' AND ev.ts >= s.window_start AND ev.ts < s.counted_until;
-- The next minute's tick counts [11:56, 12:01): the bad event has left the
-- window, the two events of 12:00 have come in.
CALL slo.tick(at => '2026-11-20 12:01:05+00');
SELECT window_start, counted_until, valid, good, burn_5m FROM slo.status WHERE objective = 'five-minutes';

-- Edges: events exactly at the start of the window and exactly at E.
-- A tick at 12:05:00 (on the grid) counts [12:00, 12:05): the event at
-- 12:00:00 is in, the one at 12:05:00 is out (counted from the next
-- minute's tick on).
CREATE TABLE edge_ev (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO edge_ev VALUES ('2026-11-20 11:59:59.999999', false), ('2026-11-20 12:00:00', false),
						   ('2026-11-20 12:02:00', true), ('2026-11-20 12:05:00', false);
SELECT slo.define_objective('edges', 'on-the-edge', source => 'edge_ev', good => 'ok', target => 0.5,
		window_length => '5 minutes') IS NOT NULL AS defined;
CALL slo.tick(at => '2026-11-20 12:05:00+00');
SELECT window_start, counted_until, valid, good FROM slo.status WHERE objective = 'on-the-edge';
CALL slo.tick(at => '2026-11-20 12:06:00+00');
SELECT window_start, counted_until, valid, good FROM slo.status WHERE objective = 'on-the-edge';

-- The same rule for every look-back and every budgeting method.  Events
-- every 20 s from 11:00 to 12:10, bad in the minutes 11:57 and 12:02; a
-- tick at 12:03:40 counts up to 12:03.
CREATE TABLE grid (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO grid SELECT t, date_trunc('minute', t) NOT IN ('2026-11-20 11:57', '2026-11-20 12:02')
FROM generate_series(timestamptz '2026-11-20 11:00', '2026-11-20 12:10', '20 seconds') t;
SELECT slo.define_objective('edges', 'grid-occurrences', source => 'grid', good => 'ok', target => 0.9,
		window_length => '1 hour') IS NOT NULL AS defined;
SELECT slo.define_objective('edges', 'grid-slices', source => 'grid', good => 'ok', target => 0.9,
		window_length => '1 hour', budgeting => 'timeslices', slice => '1 minute', slice_target => 0.9) IS NOT NULL AS defined;
SELECT slo.define_objective('edges', 'grid-ratio-slices', source => 'grid', good => 'ok', target => 0.9,
		window_length => '1 hour', budgeting => 'ratio_timeslices', slice => '1 minute') IS NOT NULL AS defined;
CALL slo.tick(at => '2026-11-20 12:03:40+00');
-- window [11:03, 12:03): 180 events, 6 bad (11:57's three, 12:02's three);
-- 60 slices, 2 bad.  Look-backs: 5m [11:58, 12:03) has 15 events, 3 bad
-- (12:02) and 5 slices, 1 bad; 30m [11:33, 12:03) has 90 events, 6 bad and
-- 30 slices, 2 bad.
SELECT objective, window_start, counted_until, valid, good, round(sli::numeric, 6) AS sli,
	   round(burn_5m::numeric, 6) AS burn_5m, round(burn_30m::numeric, 6) AS burn_30m
FROM slo.status WHERE objective LIKE 'grid-%' ORDER BY objective;
-- the raw counts, over the bounds shown
SELECT s.objective,
	   (SELECT count(*) FROM grid WHERE ts >= s.window_start AND ts < s.counted_until) AS raw_valid,
	   (SELECT count(*) FILTER (WHERE ok) FROM grid WHERE ts >= s.window_start AND ts < s.counted_until) AS raw_good,
	   (SELECT count(*) FILTER (WHERE NOT ok) FROM grid WHERE ts >= s.counted_until - interval '5 minutes' AND ts < s.counted_until) AS raw_bad_5m
FROM slo.status s WHERE s.objective LIKE 'grid-%' ORDER BY 1;

DROP SCHEMA window_edges CASCADE;
DELETE FROM slo.freezes;
DELETE FROM slo.objective;
DELETE FROM slo.service;
RESET client_min_messages;
