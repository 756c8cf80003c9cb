--
-- CALL slo.tick(at => ...) and slo.status on small data sets whose answers
-- are worked out by hand in the comments (docs/design.md, "Arithmetic"),
-- and the loss-free rollup (docs/design.md, "Rollups never lose or double
-- count"): after every tick, every bucket of slo.rollup equals a fresh
-- recount of the raw rows.
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
CREATE SCHEMA tick_status;
SET search_path = tick_status, public;

CREATE FUNCTION pg_temp.error(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; st text; m text; d text;
BEGIN
	EXECUTE q INTO r;
	RETURN 'ok: ' || coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
	RETURN st || ': ' || m || coalesce(' | ' || nullif(d, ''), '');
END $$;

-- evaluate only the objectives of one service (a tick "at" some instant
-- also trims every enabled rollup to that instant's horizon)
CREATE FUNCTION pg_temp.only(svc text) RETURNS void LANGUAGE sql AS $$
	UPDATE slo.objective SET enabled = (service = svc)
$$;

-- Buckets of slo.rollup that differ from a fresh recount of the raw rows,
-- over every enabled counting objective (freshness rollups hold
-- milliseconds, checked through their status instead).  The recount is
-- written here from the objective's definition, not taken from slo.
CREATE FUNCTION pg_temp.mismatches() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE o record; n bigint; total bigint := 0;
BEGIN
	FOR o IN SELECT ob.*, p.backfilled_from
			 FROM slo.objective ob JOIN slo_internal.progress p ON p.objective_id = ob.id
			 WHERE ob.enabled AND ob.sli_kind <> 'freshness' LOOP
		EXECUTE format($q$
			WITH fresh AS (
				SELECT date_bin('1 minute', %1$I, '2000-01-01 00:00+00') AS bucket,
					   count(*) FILTER (WHERE %3$s) AS valid,
					   count(*) FILTER (WHERE (%3$s) AND (%4$s)) AS good
				FROM %2$s WHERE %1$I >= $1 GROUP BY 1)
			SELECT count(*)
			FROM (SELECT * FROM fresh WHERE valid > 0) f
			FULL JOIN (SELECT * FROM slo_internal.minutes WHERE objective_id = $2) r USING (bucket)
			WHERE f.valid IS DISTINCT FROM r.valid OR f.good IS DISTINCT FROM r.good$q$,
			o.time_column, o.source, o.valid_expr, o.good_expr)
		INTO n USING o.backfilled_from, o.id;
		total := total + n;
	END LOOP;
	RETURN total;
END $$;

-- what the last tick did, and the recount check
CREATE FUNCTION pg_temp.after_tick(OUT buckets_recounted int8, OUT objectives_evaluated int4,
		OUT errors int4, OUT skipped bool, OUT mismatched_buckets int8)
LANGUAGE sql AS $$
	SELECT l.buckets_recounted, l.objectives_evaluated, l.errors, l.skipped, pg_temp.mismatches()
	FROM slo.tick_log l ORDER BY l.id DESC LIMIT 1
$$;

-- the status columns, rounded to keep the output readable; time to
-- exhaustion in hours
CREATE TEMP VIEW st AS
SELECT service, objective, window_start, window_end, valid, good,
	   round(sli::numeric, 6) AS sli, round(error_budget::numeric, 6) AS error_budget, budget_unit,
	   round(consumed::numeric, 6) AS consumed, round(remaining::numeric, 6) AS remaining,
	   round(burn_5m::numeric, 6) AS burn_5m, round(burn_30m::numeric, 6) AS burn_30m,
	   round(burn_1h::numeric, 6) AS burn_1h, round(burn_6h::numeric, 6) AS burn_6h,
	   round(burn_1d::numeric, 6) AS burn_1d, round(burn_3d::numeric, 6) AS burn_3d,
	   round(extract(epoch FROM time_to_exhaustion)::numeric / 3600, 6) AS tte_hours,
	   too_little_data, round(sla_sli::numeric, 6) AS sla_sli, round(sla_margin::numeric, 6) AS sla_margin,
	   tier, action, frozen, last_error
FROM slo.status;

-- the tick says "relation slo_counted already exists, skipping" per objective
SET client_min_messages = warning;

------------------------------------------------------------------------------
-- 1. Occurrences, rolling 28 days, target 0.99, SLA 0.98 over 7 days.
--    at = 2026-11-20 12:00.  Bands of events (count, bad), each inside
--    exactly one step of the lookbacks:
--      b1 [11:57, 11:59:15]              10 events, 5 bad  (last 5m)
--      b2 [11:40, 11:54:50]              90, 5             (last 30m)
--      b3 [11:10, 11:29:48]             100, 0             (last 1h)
--      b4 [07:00, 10:59:42]             800, 10            (last 6h)
--      b5 [11-19 16:00, 11-20 05:52:30] 1000, 0            (last 1d)
--      b6 [11-17 13:00, 11-18 22:19]    2000, 10           (last 3d)
--      b7 [10-23 12:00, 11-13 07:55]    6000, 0            (last 28d; the
--                                        first exactly at the window start)
--    and three bad events outside the window: 1 s before its start, at
--    "at" itself, and an hour after.
------------------------------------------------------------------------------
SELECT slo.define_service('occ');
CREATE TABLE occ_events (ts timestamptz NOT NULL, ok boolean NOT NULL);
CREATE INDEX ON occ_events (ts);
INSERT INTO occ_events
SELECT timestamptz '2026-11-20 11:57' + g * interval '15 s', g % 2 <> 0 FROM generate_series(0, 9) g
UNION ALL
SELECT timestamptz '2026-11-20 11:40' + g * interval '10 s', g >= 5 FROM generate_series(0, 89) g
UNION ALL
SELECT timestamptz '2026-11-20 11:10' + g * interval '12 s', true FROM generate_series(0, 99) g
UNION ALL
SELECT timestamptz '2026-11-20 07:00' + g * interval '18 s', g % 80 <> 0 FROM generate_series(0, 799) g
UNION ALL
SELECT timestamptz '2026-11-19 16:00' + g * interval '50 s', true FROM generate_series(0, 999) g
UNION ALL
SELECT timestamptz '2026-11-17 13:00' + g * interval '1 min', g % 200 <> 0 FROM generate_series(0, 1999) g
UNION ALL
SELECT timestamptz '2026-10-23 12:00' + g * interval '5 min', true FROM generate_series(0, 5999) g
UNION ALL
VALUES (timestamptz '2026-10-23 11:59:59', false), ('2026-11-20 12:00:00', false), ('2026-11-20 13:00:00', false);
-- the events in each step of the lookbacks
SELECT b.step, count(e.ts) AS events, count(e.ts) FILTER (WHERE NOT e.ok) AS bad, min(e.ts), max(e.ts)
FROM (VALUES (1, '[2026-11-20 11:55, 2026-11-20 12:00)'::tstzrange), (2, '[2026-11-20 11:30, 2026-11-20 11:55)'),
			 (3, '[2026-11-20 11:00, 2026-11-20 11:30)'), (4, '[2026-11-20 06:00, 2026-11-20 11:00)'),
			 (5, '[2026-11-19 12:00, 2026-11-20 06:00)'), (6, '[2026-11-17 12:00, 2026-11-19 12:00)'),
			 (7, '[2026-10-23 12:00, 2026-11-17 12:00)'), (8, '(, 2026-10-23 12:00)'), (9, '[2026-11-20 12:00,)')) b(step, r)
LEFT JOIN occ_events e ON e.ts <@ b.r
GROUP BY b.step ORDER BY b.step;
SELECT slo.define_objective('occ', 'write-ok', source => 'occ_events', good => 'ok', target => 0.99,
		sla_target => 0.98, sla_window => '7 days') IS NOT NULL AS defined;
-- too little data at 10,001 events; enough at exactly 10,000
SELECT slo.define_objective('occ', 'min-10001', source => 'occ_events', good => 'ok', target => 0.99,
		min_events => 10001) IS NOT NULL AS defined;
SELECT slo.define_objective('occ', 'min-10000', source => 'occ_events', good => 'ok', target => 0.99,
		min_events => 10000) IS NOT NULL AS defined;
SELECT pg_temp.only('occ');
CALL slo.tick(at => '2026-11-20 12:00+00');
-- the first tick backfills the horizon (29 days): 9114 minutes with events,
-- for each of the three objectives
SELECT * FROM pg_temp.after_tick();
-- In the window: N = 10000, B = 30.  SLI = 9970/10000 = 0.997.
-- Budget = 0.01 * 10000 = 100 events; consumed = 30/100 = 0.3; remaining 0.7.
-- Burn rates = (B_L/N_L)/0.01:
--   5m:  5/10   -> 50       30m: 10/100  -> 10      1h: 10/200 -> 5
--   6h: 20/1000 -> 2        1d:  20/2000 -> 1       3d: 30/4000 -> 0.75
-- Time to exhaustion = 0.7 * 28 days / 5 = 3.92 days = 94.08 hours.
-- SLA over 7 days [11-13 12:00, 11-20 12:00): b1..b6, 4000 events, 30 bad:
--   0.9925; margin 0.9925 - 0.98 = 0.0125.
-- Tier of the default policy: remaining 0.7 > 0.5 -> normal.
\x on
SELECT * FROM st WHERE objective = 'write-ok';
\x off
SELECT objective, valid, min_events, too_little_data FROM slo.status WHERE service = 'occ' ORDER BY objective;

DELETE FROM slo.objective WHERE name IN ('min-10000', 'min-10001');

-- Overspent: 80 more bad events on 2026-11-14 00:00..01:19 (inside 28 and
-- 7 days, outside 3 days, between b7 and b6).
INSERT INTO occ_events SELECT timestamptz '2026-11-14 00:00' + g * interval '1 min', false FROM generate_series(0, 79) g;
-- one note for the statement: the table, its time column, the minutes
SELECT relid::regclass AS source, time_column, changed FROM slo_internal.invalidation;
CALL slo.tick(at => '2026-11-20 12:00+00');
-- 80 events in 80 distinct minutes
SELECT * FROM pg_temp.after_tick();
-- N = 10080, B = 110: SLI = 9970/10080 = 0.989087; budget = 100.8 events;
-- consumed = 110/100.8 = 1.091270; remaining = -0.091270 (negative, not
-- clamped); no time to exhaustion; burn rates up to 3 days unchanged;
-- SLA: 4080 events, 110 bad: 0.973039, margin -0.006961;
-- default policy: below 10% remaining -> incident, which freezes.
\x on
SELECT * FROM st WHERE objective = 'write-ok';
\x off

-- A correction excludes the bad range again: back to the first numbers.
SELECT slo.add_correction('occ', 'write-ok', '[2026-11-14 00:00+00, 2026-11-14 02:00+00)', 'replayed load test') IS NOT NULL AS corrected;
SELECT pg_temp.error($$SELECT slo.add_correction('occ', 'no-such-objective', '[2026-11-01, 2026-11-02)', 'x')$$);
SELECT pg_temp.error($$SELECT slo.add_correction('occ', 'write-ok', '[2026-11-01, 2026-11-02)', ' ')$$);
SELECT pg_temp.error($$SELECT slo.add_correction('occ', 'write-ok', 'empty', 'nothing')$$);
SELECT pg_temp.error($$SELECT slo.add_correction('occ', 'write-ok', NULL, 'nothing')$$);
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
-- remaining 0.7 again: the policy lifts its freeze
SELECT objective, valid, good, round(sli::numeric, 6) AS sli, round(consumed::numeric, 6) AS consumed,
	   round(remaining::numeric, 6) AS remaining, round(sla_sli::numeric, 6) AS sla_sli, tier, frozen
FROM slo.status WHERE service = 'occ' ORDER BY objective;
-- A correction over the last 6 hours takes b1..b4 (1000 events, 20 bad)
-- out of every count, so burn rates up to 6 hours have nothing to count:
-- N = 9000, B = 10, SLI = 0.998889, consumed = 10/90 = 0.111111;
-- 1d: 0/1000 -> 0, 3d: 10/3000 -> 0.333333; no burn rate over the last
-- hour, so no time to exhaustion; SLA 3000 events, 10 bad: 0.996667
SELECT slo.add_correction('occ', 'write-ok', '[2026-11-20 06:00+00, 2026-11-20 12:00+00)', 'incident under review') IS NOT NULL AS corrected;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
\x on
SELECT * FROM st WHERE objective = 'write-ok';
\x off
DELETE FROM slo.correction WHERE reason = 'incident under review';

------------------------------------------------------------------------------
-- 2. Timeslices: 99.9% of 1-minute slices over 28 days, a slice is good
--    when at least 95% of its events are.  Data: 20 events in every minute
--    of [10:00, 12:00) except 10:10 (none); bad events: 2 at 11:58 (18/20 =
--    0.90: bad slice), 1 at 11:59 (19/20 = 0.95: good slice, the bound is
--    inclusive), 20 at 11:40 (bad), 3 at 10:30 (bad); 20 more events in the
--    unfinished slice at 12:00 (not judged).
------------------------------------------------------------------------------
SELECT slo.define_service('slices');
CREATE TABLE slice_events (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO slice_events
SELECT m + g * interval '3 s',
	   NOT ((m = '2026-11-20 11:58' AND g < 2) OR (m = '2026-11-20 11:59' AND g < 1)
			OR m = '2026-11-20 11:40' OR (m = '2026-11-20 10:30' AND g < 3))
FROM generate_series(timestamptz '2026-11-20 10:00', '2026-11-20 12:00', '1 min') m,
	 generate_series(0, 19) g
WHERE m <> '2026-11-20 10:10';
SELECT count(*) AS events, count(*) FILTER (WHERE NOT ok) AS bad FROM slice_events WHERE ts < '2026-11-20 12:00';
SELECT slo.define_objective('slices', 'minutes-ok', source => 'slice_events', good => 'ok', target => 0.999,
		budgeting => 'timeslices', slice => '1 minute', slice_target => 0.95) IS NOT NULL AS defined;
-- the same, with empty slices counted as good
SELECT slo.define_objective('slices', 'minutes-ok-empty-good', source => 'slice_events', good => 'ok', target => 0.999,
		budgeting => 'timeslices', slice => '1 minute', slice_target => 0.95, empty_slices => 'good') IS NOT NULL AS defined;
-- 3. ratio_timeslices over 5-minute slices, target 0.99
SELECT slo.define_objective('slices', 'mean-5m-ratio', source => 'slice_events', good => 'ok', target => 0.99,
		budgeting => 'ratio_timeslices', slice => '5 minutes') IS NOT NULL AS defined;
SELECT pg_temp.only('slices');
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
-- minutes-ok: 119 slices with events, 3 bad (11:58, 11:40, 10:30).
--   SLI = 116/119 = 0.974790.  valid/good: events in judged slices,
--   119 * 20 = 2380 and 2380 - 26 = 2354.
--   Budget = 0.001 * 40320 slices = 40.32 minutes; consumed = 3/40.32 =
--   0.074405; remaining 0.925595.
--   Burn = (bad slices / slices) / 0.001: 5m 1/5 -> 200; 30m 2/30 ->
--   66.666667; 1h 2/60 -> 33.333333; 6h, 1d, 3d: 3/119 -> 25.210084.
--   Time to exhaustion = 0.925595 * 28 days / 33.333333 = 67176 s = 18.66 h.
\x on
SELECT * FROM st WHERE objective = 'minutes-ok';
\x off
-- minutes-ok-empty-good: every slice from the first one with events counts
--   (a new objective is not charged for the time before its data began):
--   the 120 slices of [10:00, 12:00), the empty 10:10 one as good.
--   SLI = 1 - 3/120 = 0.975; 5m: 1/5 -> 200; 30m: 2/30 -> 66.666667;
--   1h: 2/60 -> 33.333333; 6h, 1d, 3d: 3/120 -> 25.
-- mean-5m-ratio: 24 slices of 5 minutes with events, aligned to the window
--   start (12:00 - 28 days); 1 - ratio of each: 11:55 slice 3/100 = 0.03,
--   11:40 slice 20/100 = 0.2, 10:30 slice 3/100 = 0.03, the others 0 (the
--   10:10 slice has 80 events, all good).  SLI = 1 - 0.26/24 = 0.989167.
--   Budget = 0.01 * 8064 slices = 80.64 slices = 403.2 minutes;
--   consumed = 0.26/80.64 = 0.003224.
--   Burn: 5m 0.03/1 -> 3; 30m 0.23/6 -> 3.833333; 1h 0.23/12 -> 1.916667;
--   6h, 1d, 3d 0.26/24 -> 1.083333.
SELECT objective, valid, good, sli, error_budget, budget_unit, consumed, remaining,
	   burn_5m, burn_30m, burn_1h, burn_6h, burn_1d, burn_3d
FROM st WHERE service = 'slices' ORDER BY objective;
-- An instant that is not on a minute boundary, as now() never is under
-- pg_cron: slices are judged as of the last whole minute, so at 12:00:30
-- minutes-ok judges the same 119 finished slices, 3 bad (0.974790), and the
-- unfinished 12:00 slice is not judged.
CALL slo.tick(at => '2026-11-20 12:00:30+00');
SELECT objective, sli FROM st WHERE objective = 'minutes-ok';

------------------------------------------------------------------------------
-- 4. Throughput: a minute is good with at least 200 messages of which at
--    least 99.5% did not fail; empty minutes are bad.  99% over a rolling
--    hour.  Minutes of [11:00, 12:00): 200 messages, none failed, except
--      11:10 199 messages            -> bad (too few)
--      11:20 200 messages, 1 failed  -> good (0.995, inclusive)
--      11:21 200 messages, 2 failed  -> bad (0.99)
--      11:30..11:34 no messages      -> 5 bad slices
--      11:59 1000 messages, 5 failed -> good (0.995)
------------------------------------------------------------------------------
SELECT slo.define_service('queue');
CREATE TABLE queue_messages (ts timestamptz NOT NULL, failed boolean NOT NULL);
INSERT INTO queue_messages
SELECT m + g * interval '50 ms',
	   (m = '2026-11-20 11:20' AND g < 1) OR (m = '2026-11-20 11:21' AND g < 2) OR (m = '2026-11-20 11:59' AND g < 5)
FROM generate_series(timestamptz '2026-11-20 11:00', '2026-11-20 11:59', '1 min') m,
	 generate_series(0, 999) g
WHERE g < CASE WHEN m = '2026-11-20 11:10' THEN 199 WHEN m = '2026-11-20 11:59' THEN 1000 ELSE 200 END
  AND NOT (m >= '2026-11-20 11:30' AND m < '2026-11-20 11:35');
SELECT count(*) AS messages, count(*) FILTER (WHERE failed) AS failed,
	   count(DISTINCT date_trunc('minute', ts)) AS minutes
FROM queue_messages;
SELECT slo.define_objective('queue', 'msgs-per-minute', source => 'queue_messages', good => 'NOT failed',
		slice_min_events => 200, slice_target => 0.995, budgeting => 'timeslices', slice => '1 minute',
		target => 0.99, window_length => '1 hour') IS NOT NULL AS defined;
SELECT pg_temp.only('queue');
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
-- Window [11:00, 12:00): 60 slices, 7 bad (11:10, 11:21, five empty).
--   SLI = 53/60 = 0.883333; valid = events in the 55 judged slices,
--   51*200 + 199 + 200 + 200 + 1000 = 11799, good = 11799 - 8 = 11791.
--   Budget = 0.01 * 60 = 0.6 slices = 0.6 minutes; consumed = 7/0.6 =
--   11.666667; remaining -10.666667.
--   Burn: 5m 0/5 -> 0; 30m 5/30 -> 16.666667; 1h 7/60 -> 11.666667;
--   6h, 1d, 3d: the slices before the first message (11:00) are not
--   charged, so the same 7/60 -> 11.666667.
\x on
SELECT * FROM st WHERE service = 'queue';
\x off

------------------------------------------------------------------------------
-- 5. Freshness: the forecast for "north" should be younger than 4 hours,
--    99% of a rolling day.  Updates (north): 11-19 10:00, 11-19 20:00,
--    11-20 06:00; "south" updates hourly but is not valid.
--    Window [11-19 12:00, 11-20 12:00):
--      [12:00, 20:00) fresh until 14:00: 8 h valid, 2 h good
--      [20:00, 06:00) fresh until 00:00: 10 h valid, 4 h good
--      [06:00, 12:00) fresh until 10:00: 6 h valid, 4 h good
------------------------------------------------------------------------------
SELECT slo.define_service('weather');
CREATE TABLE forecasts (published_at timestamptz NOT NULL, area text NOT NULL);
INSERT INTO forecasts VALUES ('2026-11-19 10:00', 'north'), ('2026-11-19 20:00', 'north'), ('2026-11-20 06:00', 'north');
INSERT INTO forecasts SELECT timestamptz '2026-11-18 00:00' + g * interval '1 hour', 'south' FROM generate_series(0, 60) g;
SELECT slo.define_objective('weather', 'north-under-4h', source => 'forecasts', time_column => 'published_at',
		valid => 'area = ''north''', max_age => '4 hours', target => 0.99, window_length => '1 day') IS NOT NULL AS defined;
SELECT pg_temp.only('weather');
CALL slo.tick(at => '2026-11-20 12:00+00');
-- the backfill: every minute from the first update, 11-19 10:00, to 12:00
-- (26 hours = 1560 minutes)
SELECT buckets_recounted FROM slo.tick_log ORDER BY id DESC LIMIT 1;
-- valid = 24 h = 86400000 ms, good = 10 h = 36000000 ms; SLI = 10/24 = 0.416667.
-- Budget = 0.01 * 24 h = 14.4 minutes; consumed = 14 h / 14.4 min = 58.333333.
-- Burn: 5m, 30m, 1h all stale -> 100; 6h: 2/6 bad -> 33.333333;
-- 1d: 14/24 -> 58.333333; 3d: since 11-19 10:00, 26 h valid, 12 h good,
-- 14/26 -> 53.846154.
\x on
SELECT * FROM st WHERE service = 'weather';
\x off
-- At 12:30 with a new update at 12:10: window [11-19 12:30, 11-20 12:30),
-- good = 1.5 h + 4 h + 4 h + 20 min = 590 min of 1440: SLI = 0.409722.
-- The tick recounts only since the last one: 12:00..12:29, 30 buckets.
INSERT INTO forecasts VALUES ('2026-11-20 12:10', 'north');
CALL slo.tick(at => '2026-11-20 12:30+00');
SELECT buckets_recounted FROM slo.tick_log ORDER BY id DESC LIMIT 1;
SELECT valid, good, round(sli::numeric, 6) AS sli, round(burn_5m::numeric, 6) AS burn_5m,
	   round(burn_30m::numeric, 6) AS burn_30m
FROM slo.status WHERE service = 'weather';
-- A late update, published 11-19 22:00 and written now: only the minutes
-- from 22:00 to the next update (06:00) can change, and only those 480 are
-- recounted.  Good time in the window: 1.5 h + 2 h + 4 h + 4 h + 20 min =
-- 710 min of 1440: SLI = 0.493056.  The rollup equals a recount from
-- scratch (the freshness query over the whole horizon, as the owner).
INSERT INTO forecasts VALUES ('2026-11-19 22:00', 'north');
CALL slo.tick(at => '2026-11-20 12:30+00');
SELECT buckets_recounted FROM slo.tick_log ORDER BY id DESC LIMIT 1;
SELECT valid, good, round(sli::numeric, 6) AS sli FROM slo.status WHERE service = 'weather';
SELECT count(*) AS mismatched_minutes
FROM (SELECT c.bucket, c.valid, c.good
	  FROM slo.objective o, slo_internal.progress p,
		   slo_internal.query_counts_as(o.owner::regrole, o.search_path, slo_internal.freshness_query(o),
										p.backfilled_from, p.computed_until, NULL) c
	  WHERE o.service = 'weather' AND p.objective_id = o.id AND c.valid > 0) fresh
FULL JOIN (SELECT m.bucket, m.valid, m.good FROM slo_internal.minutes m JOIN slo.objective o ON o.id = m.objective_id
		   WHERE o.service = 'weather') kept USING (bucket)
WHERE (fresh.valid, fresh.good) IS DISTINCT FROM (kept.valid, kept.good);
-- The first update is deleted: from 11-19 10:00 to 20:00 nothing was
-- published yet, so those minutes leave the rollup (none is recounted with
-- valid time) and the window holds 990 valid minutes, 620 of them good:
-- SLI = 0.626263.
DELETE FROM forecasts WHERE published_at = '2026-11-19 10:00' AND area = 'north';
CALL slo.tick(at => '2026-11-20 12:30+00');
SELECT buckets_recounted FROM slo.tick_log ORDER BY id DESC LIMIT 1;
SELECT valid, good, round(sli::numeric, 6) AS sli FROM slo.status WHERE service = 'weather';
SELECT min(m.bucket) AS first_minute FROM slo_internal.minutes m JOIN slo.objective o ON o.id = m.objective_id
WHERE o.service = 'weather';
SELECT count(*) AS mismatched_minutes
FROM (SELECT c.bucket, c.valid, c.good
	  FROM slo.objective o, slo_internal.progress p,
		   slo_internal.query_counts_as(o.owner::regrole, o.search_path, slo_internal.freshness_query(o),
										p.backfilled_from, p.computed_until, NULL) c
	  WHERE o.service = 'weather' AND p.objective_id = o.id AND c.valid > 0) fresh
FULL JOIN (SELECT m.bucket, m.valid, m.good FROM slo_internal.minutes m JOIN slo.objective o ON o.id = m.objective_id
		   WHERE o.service = 'weather') kept USING (bucket)
WHERE (fresh.valid, fresh.good) IS DISTINCT FROM (kept.valid, kept.good);

------------------------------------------------------------------------------
-- 6. Calendar month in America/New_York, target 0.99.  November 2026
--    there runs from 11-01 00:00 EDT (04:00 UTC) to 12-01 00:00 EST (05:00
--    UTC).  Events: bad at 03:59:59 UTC (still October there), good at
--    04:00:00, bad at 04:30, 398 good on 11-10.
------------------------------------------------------------------------------
SELECT slo.define_service('monthly');
CREATE TABLE monthly_events (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO monthly_events VALUES ('2026-11-01 03:59:59', false), ('2026-11-01 04:00:00', true), ('2026-11-01 04:30:00', false);
INSERT INTO monthly_events SELECT timestamptz '2026-11-10 12:00' + g * interval '1 min', true FROM generate_series(0, 397) g;
SELECT slo.define_objective('monthly', 'ny-month', source => 'monthly_events', good => 'ok', target => 0.99,
		window_kind => 'calendar', calendar_unit => 'month', time_zone => 'America/New_York') IS NOT NULL AS defined;
SELECT pg_temp.only('monthly');
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
-- N = 400, B = 1: SLI = 0.9975; budget = 4 events; consumed 0.25
SELECT window_start, window_end, valid, good, sli, error_budget, consumed, remaining FROM st WHERE service = 'monthly';
-- Around the next boundary: bad at 12-01 04:59:30 UTC (11-30 23:59:30 EST),
-- good at 12-01 05:00:00 UTC (the first instant of December there).
INSERT INTO monthly_events VALUES ('2026-12-01 04:59:30', false), ('2026-12-01 05:00:00', true);
-- One second before December a tick counts November up to its last whole
-- minute, 04:59: the bad event at 04:59:30 is not counted yet.
CALL slo.tick(at => '2026-12-01 04:59:59+00');
SELECT * FROM pg_temp.after_tick();
SELECT window_start, window_end, counted_until, valid, good, sli FROM slo.status WHERE service = 'monthly';
-- In the first minute of December, a tick counts November to its end:
-- N = 401, B = 2, SLI = 399/401 = 0.995012, budget 4.01, consumed
-- 2/4.01 = 0.498753
CALL slo.tick(at => '2026-12-01 05:00:30+00');
SELECT * FROM pg_temp.after_tick();
SELECT window_start, window_end, valid, good, sli, error_budget, consumed, remaining FROM st WHERE service = 'monthly';
-- a minute into December: a new window with the one good event
CALL slo.tick(at => '2026-12-01 05:01+00');
SELECT * FROM pg_temp.after_tick();
SELECT window_start, window_end, valid, good, sli, error_budget, consumed, remaining FROM st WHERE service = 'monthly';

------------------------------------------------------------------------------
-- 7. Calendar, every 7 days from the anchor 2026-11-02 00:00 UTC, target
--    0.75.  at = 11-20 12:00 is 18.5 days after the anchor: the window is
--    [11-16 00:00, 11-23 00:00).  Events: bad at 11-15 23:59:59 (previous
--    window), good at 11-16 00:00, 8 good and 1 bad on 11-18.
------------------------------------------------------------------------------
SELECT slo.define_service('weekly');
CREATE TABLE weekly_events (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO weekly_events VALUES ('2026-11-15 23:59:59', false), ('2026-11-16 00:00:00', true);
INSERT INTO weekly_events SELECT timestamptz '2026-11-18 09:00' + g * interval '1 min', g <> 4 FROM generate_series(0, 8) g;
SELECT slo.define_objective('weekly', 'every-7-days', source => 'weekly_events', good => 'ok', target => 0.75,
		window_kind => 'calendar', window_length => '7 days', anchor => '2026-11-02 00:00+00') IS NOT NULL AS defined;
SELECT pg_temp.only('weekly');
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
-- N = 10, B = 1: SLI 0.9; budget = 0.25 * 10 = 2.5 events; consumed 0.4
SELECT window_start, window_end, valid, good, sli, error_budget, consumed, remaining FROM st WHERE service = 'weekly';
-- the previous window, [11-09 00:00, 11-16 00:00), holds only the bad
-- event (at 23:59:59, counted by a tick in the next minute)
CALL slo.tick(at => '2026-11-16 00:00:30+00');
SELECT * FROM pg_temp.after_tick();
SELECT window_start, window_end, valid, good, sli, error_budget, consumed, remaining FROM st WHERE service = 'weekly';

------------------------------------------------------------------------------
-- 8. No data at all: SLI, consumed, remaining and burn rates are NULL
--    (never 0 or 1), the budget is 0 events, no tier applies, and the
--    status says too_little_data.
------------------------------------------------------------------------------
SELECT slo.define_service('idle');
CREATE TABLE idle_events (ts timestamptz NOT NULL, ok boolean NOT NULL);
SELECT slo.define_objective('idle', 'nothing-yet', source => 'idle_events', good => 'ok', target => 0.99) IS NOT NULL AS defined;
SELECT pg_temp.only('idle');
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
\x on
SELECT * FROM st WHERE service = 'idle';
\x off

------------------------------------------------------------------------------
-- 9. The rollup never loses or double counts (docs/design.md).
--    After every tick, pg_temp.mismatches() recounts every bucket from the
--    raw rows; ev_mismatches() below is the same check written out for
--    this table.
------------------------------------------------------------------------------
SELECT slo.define_service('rollup');
CREATE TABLE ev (id int PRIMARY KEY, ts timestamptz NOT NULL, ok boolean NOT NULL);
CREATE INDEX ON ev (ts);
-- 10 minutes of 10:00..10:09, 5 rows each, the first of each minute bad
INSERT INTO ev SELECT g, timestamptz '2026-11-20 10:00' + (g / 5) * interval '1 min' + (g % 5) * interval '10 s', g % 5 <> 0
FROM generate_series(0, 49) g;
SELECT slo.define_objective('rollup', 'ev-ok', source => 'ev', good => 'ok', target => 0.9) AS ev_id \gset
CREATE FUNCTION pg_temp.ev_mismatches() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*)
	FROM (SELECT date_bin('1 minute', ts, '2000-01-01 00:00+00') AS bucket,
				 count(*) AS valid, count(*) FILTER (WHERE ok) AS good
		  FROM ev
		  WHERE ts >= (SELECT backfilled_from FROM slo_internal.progress p JOIN slo.objective o ON o.id = p.objective_id
					   WHERE o.name = 'ev-ok')
		  GROUP BY 1) fresh
	FULL JOIN (SELECT r.bucket, r.valid, r.good FROM slo_internal.minutes r JOIN slo.objective o ON o.id = r.objective_id
			   WHERE o.name = 'ev-ok') r USING (bucket)
	WHERE fresh.valid IS DISTINCT FROM r.valid OR fresh.good IS DISTINCT FROM r.good
$$;
SELECT pg_temp.only('rollup');
-- the first tick backfills: 10 buckets
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT *, pg_temp.ev_mismatches() AS ev_mismatches FROM pg_temp.after_tick();
SELECT count(*) AS buckets, sum(valid) AS valid, sum(good) AS good FROM slo_internal.minutes WHERE objective_id = :ev_id;
-- nothing changed: nothing recounted
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT *, pg_temp.ev_mismatches() AS ev_mismatches FROM pg_temp.after_tick();
-- late rows with old timestamps, in 3 distinct minutes (one new, two known)
INSERT INTO ev VALUES (100, '2026-11-20 09:00:30', true), (101, '2026-11-20 10:05:10', false),
					  (102, '2026-11-20 10:05:50', true), (103, '2026-11-20 11:59:59', false);
SELECT relid::regclass AS source, time_column, changed FROM slo_internal.invalidation WHERE relid = 'ev'::regclass;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT *, pg_temp.ev_mismatches() AS ev_mismatches FROM pg_temp.after_tick();
SELECT bucket, valid, good FROM slo_internal.minutes WHERE objective_id = :ev_id
  AND bucket IN ('2026-11-20 09:00', '2026-11-20 10:05', '2026-11-20 11:59') ORDER BY bucket;
-- an UPDATE that moves a row from 10:01 to 10:20: both minutes recounted
UPDATE ev SET ts = '2026-11-20 10:20:00' WHERE id = 5;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT *, pg_temp.ev_mismatches() AS ev_mismatches FROM pg_temp.after_tick();
SELECT bucket, valid, good FROM slo_internal.minutes WHERE objective_id = :ev_id
  AND bucket IN ('2026-11-20 10:01', '2026-11-20 10:20') ORDER BY bucket;
-- an UPDATE of the good column only (all of 10:02 turns good)
UPDATE ev SET ok = true WHERE ts >= '2026-11-20 10:02' AND ts < '2026-11-20 10:03';
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT *, pg_temp.ev_mismatches() AS ev_mismatches FROM pg_temp.after_tick();
-- an UPDATE that changes nothing still recounts its minute, harmlessly
UPDATE ev SET ok = ok WHERE id = 15;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT *, pg_temp.ev_mismatches() AS ev_mismatches FROM pg_temp.after_tick();
-- DELETE every row of 10:03: the bucket leaves the rollup (buckets_recounted
-- counts the minutes with events a recount found: none here)
DELETE FROM ev WHERE ts >= '2026-11-20 10:03' AND ts < '2026-11-20 10:04';
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT *, pg_temp.ev_mismatches() AS ev_mismatches FROM pg_temp.after_tick();
SELECT count(*) AS bucket_10_03 FROM slo_internal.minutes WHERE objective_id = :ev_id AND bucket = '2026-11-20 10:03';
-- moving rows out of the horizon, and into the future
UPDATE ev SET ts = ts - interval '60 days' WHERE ts >= '2026-11-20 10:04' AND ts < '2026-11-20 10:05';
UPDATE ev SET ts = ts + interval '1 day' WHERE ts >= '2026-11-20 10:06' AND ts < '2026-11-20 10:07';
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT *, pg_temp.ev_mismatches() AS ev_mismatches FROM pg_temp.after_tick();
-- a rolled-back transaction leaves nothing to recount
BEGIN;
INSERT INTO ev VALUES (200, '2026-11-20 10:30', false);
ROLLBACK;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT *, pg_temp.ev_mismatches() AS ev_mismatches FROM pg_temp.after_tick();
-- INSERT ... ON CONFLICT DO UPDATE moving an existing row (10:07 -> 10:40)
-- and inserting a new one (10:41)
INSERT INTO ev VALUES (35, '2026-11-20 10:40', false), (300, '2026-11-20 10:41', true)
ON CONFLICT (id) DO UPDATE SET ts = EXCLUDED.ts, ok = EXCLUDED.ok;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT *, pg_temp.ev_mismatches() AS ev_mismatches FROM pg_temp.after_tick();
-- MERGE and COPY are caught too
MERGE INTO ev USING (VALUES (36, timestamptz '2026-11-20 10:50', true), (400, timestamptz '2026-11-20 10:51', false)) v(id, ts, ok)
ON ev.id = v.id
WHEN MATCHED THEN UPDATE SET ts = v.ts, ok = v.ok
WHEN NOT MATCHED THEN INSERT VALUES (v.id, v.ts, v.ok);
COPY ev FROM stdin;
500	2026-11-20 10:52:00+00	t
501	2026-11-20 10:52:30+00	f
\.
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT *, pg_temp.ev_mismatches() AS ev_mismatches FROM pg_temp.after_tick();
-- A redefinition rebuilds the rollup from scratch at the next tick: a
-- backfill of the 16 minutes that have rows, counted with the new good
-- expression (pg_temp.mismatches() recounts by the new definition).
SELECT count(*) AS rows_in_horizon, count(*) FILTER (WHERE NOT ok) AS not_ok,
	   count(DISTINCT date_bin('1 minute', ts, '2000-01-01')) AS minutes
FROM ev WHERE ts >= (SELECT backfilled_from FROM slo_internal.progress WHERE objective_id = :ev_id);
SELECT slo.define_objective('rollup', 'ev-ok', source => 'ev', good => 'NOT ok', target => 0.9) = :ev_id AS same_id;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
SELECT revision FROM slo_internal.progress WHERE objective_id = :ev_id;
SELECT count(*) AS buckets, sum(valid) AS valid, sum(good) AS good FROM slo_internal.minutes WHERE objective_id = :ev_id;
-- and back
SELECT slo.define_objective('rollup', 'ev-ok', source => 'ev', good => 'ok', target => 0.9) = :ev_id AS same_id;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT *, pg_temp.ev_mismatches() AS ev_mismatches FROM pg_temp.after_tick();
SELECT revision FROM slo_internal.progress WHERE objective_id = :ev_id;
-- TRUNCATE fires no trigger with transition tables; a TRUNCATE trigger
-- makes the next tick rebuild the rollup
CREATE TABLE ev2 (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO ev2 SELECT timestamptz '2026-11-20 10:00' + g * interval '1 min', true FROM generate_series(0, 9) g;
SELECT slo.define_objective('rollup', 'ev2-ok', source => 'ev2', good => 'ok', target => 0.9) AS ev2_id \gset
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
TRUNCATE ev2;
INSERT INTO ev2 VALUES ('2026-11-20 10:00:30', false);
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
SELECT bucket, valid, good FROM slo_internal.minutes WHERE objective_id = :ev2_id;
TRUNCATE ev2;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
SELECT count(*) AS ev2_buckets FROM slo_internal.minutes WHERE objective_id = :ev2_id;

-- A partitioned source: writes through the parent, straight into a
-- partition, moving rows across partitions, and truncating one partition.
CREATE TABLE ev3 (ts timestamptz NOT NULL, ok boolean NOT NULL) PARTITION BY RANGE (ts);
CREATE TABLE ev3_a PARTITION OF ev3 FOR VALUES FROM ('2026-11-20 00:00+00') TO ('2026-11-20 11:00+00');
CREATE TABLE ev3_b PARTITION OF ev3 FOR VALUES FROM ('2026-11-20 11:00+00') TO ('2026-11-21 00:00+00');
INSERT INTO ev3 VALUES ('2026-11-20 10:00', true), ('2026-11-20 11:30', false);
SELECT slo.define_objective('rollup', 'ev3-ok', source => 'ev3', good => 'ok', target => 0.9) IS NOT NULL AS defined;
SELECT tgrelid::regclass AS partition, count(*) AS triggers
FROM pg_trigger WHERE tgname LIKE 'slo_capture_%' AND tgrelid::regclass::text LIKE 'ev3%'
GROUP BY 1 ORDER BY 1;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
INSERT INTO ev3_a VALUES ('2026-11-20 10:01', false);
INSERT INTO ev3_b VALUES ('2026-11-20 11:31', true);
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
UPDATE ev3 SET ts = '2026-11-20 11:45' WHERE ts = '2026-11-20 10:00';
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
DELETE FROM ev3_b WHERE NOT ok;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
TRUNCATE ev3_a;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT * FROM pg_temp.after_tick();
SELECT r.bucket, r.valid, r.good FROM slo_internal.minutes r JOIN slo.objective o ON o.id = r.objective_id
WHERE o.name = 'ev3-ok' ORDER BY r.bucket;
-- Still lost (reported): rows written straight into a partition created
-- after the objective was defined (statement triggers are not cloned to new
-- partitions), rows of a partition attached with ATTACH PARTITION, and rows
-- written straight into an inheritance child of a plain source table fire
-- no trigger slo sees, e.g.:
--   CREATE TABLE ev3_c (LIKE ev3); INSERT INTO ev3_c VALUES ('2026-11-21 10:00', true);
--   ALTER TABLE ev3 ATTACH PARTITION ev3_c FOR VALUES FROM ('2026-11-21') TO ('2026-11-22');
--   CALL slo.tick(at => '2026-11-21 12:00+00');
--   SELECT * FROM pg_temp.after_tick();   -- mismatched_buckets expected 0

-- Buckets beyond the horizon are dropped as time passes: at 11-20 12:00 +
-- 30 days the horizon (28 + 1 days) starts at 11-21 12:00, after every row
-- (the latest, moved a day ahead, are at 11-21 10:06).
CALL slo.tick(at => '2026-12-20 12:00+00');
SELECT *, pg_temp.ev_mismatches() AS ev_mismatches FROM pg_temp.after_tick();
SELECT count(*) AS buckets FROM slo_internal.minutes WHERE objective_id = :ev_id;

-- the tick log: every tick of this file (kept seven days of wall-clock
-- time, whatever instants the ticks evaluated), none skipped
SELECT count(*) AS ticks, count(*) FILTER (WHERE skipped) AS skipped, sum(errors) AS errors FROM slo.tick_log;
RESET client_min_messages;
