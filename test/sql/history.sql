--
-- History for analysts and BI: slo.history (one row per objective and
-- hour), slo.period_result (closed calendar windows, UTC months and
-- quarters) and the views slo.budget_burndown and slo.period_report.  Every
-- figure of a closed period is compared with a count of the raw rows.
--
SET TIME ZONE 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';

DELETE FROM slo.freezes;
DELETE FROM slo.objective;
DELETE FROM slo.service;
DELETE FROM slo.tick_log;

-- One request every 10 minutes from 2026-06-01 to 2026-10-10; every 7th bad,
-- and all of 2026-08-15 bad.
CREATE TABLE hist_req (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO hist_req
SELECT t, g % 7 <> 0 AND t::date <> '2026-08-15'
FROM generate_series(timestamptz '2026-06-01 00:00+00', '2026-10-09 23:50+00', interval '10 minutes')
	 WITH ORDINALITY AS x(t, g);
SELECT count(*) AS requests, count(*) FILTER (WHERE NOT ok) AS bad FROM hist_req;

SELECT slo.define_service('hist');
-- a short rolling window: its rollup never reaches back over a month, so
-- its months come from the day sums
SELECT slo.define_objective('hist', 'week', source => 'hist_req', good => 'ok', target => 0.85,
							window_length => '7 days') IS NOT NULL AS defined;
-- a calendar month: a 'window' row per month
SELECT slo.define_objective('hist', 'month', source => 'hist_req', good => 'ok', target => 0.85,
							window_kind => 'calendar', calendar_unit => 'month') IS NOT NULL AS defined;
-- timeslices over 28 days: months only where the rollup covers them (never)
SELECT slo.define_objective('hist', 'slices', source => 'hist_req', good => 'ok', target => 0.9,
							budgeting => 'timeslices', slice => '1 hour', slice_target => 0.8,
							window_length => '28 days') IS NOT NULL AS defined;

-- A tick at the start of each month, and one in the middle of July.
SET slo.backfill_time = '10min';
CALL slo.tick(at => '2026-07-01 00:05+00');
CALL slo.tick(at => '2026-07-15 12:00+00');
CALL slo.tick(at => '2026-07-15 12:40+00');
CALL slo.tick(at => '2026-08-01 00:05+00');
CALL slo.tick(at => '2026-09-01 00:05+00');
CALL slo.tick(at => '2026-10-01 00:05+00');
SELECT count(*) AS ticks, sum(errors) AS errors FROM slo.tick_log;

-- history: one row per objective and hour of a tick (the two ticks of
-- 12:00 and 12:40 share an hour: the first is kept)
SELECT o.name, h.hour, h.counted_until, h.valid, h.good, round(h.sli::numeric, 6) AS sli,
	   round(h.remaining::numeric, 6) AS remaining, h.tier
FROM slo.history h JOIN slo.objective o ON o.id = h.objective_id
ORDER BY o.name, h.hour;

-- the closed periods
SELECT objective, period, label, period_start, period_end, valid, good, round(sli::numeric, 6) AS sli,
	   met, round(consumed::numeric, 6) AS consumed
FROM slo.period_report ORDER BY objective, period, period_start;

-- every month and window equals a count of the raw rows; the quarter is
-- its three months
SELECT r.objective, r.period, r.label, (r.valid, r.good) = (raw.valid, raw.good) AS equals_raw_rows
FROM slo.period_report r,
	 LATERAL (SELECT count(*) AS valid, count(*) FILTER (WHERE ok) AS good FROM hist_req
			  WHERE ts >= r.period_start AND ts < r.period_end) raw
WHERE r.objective <> 'slices'
ORDER BY 1, 2, r.period_start;

-- the burn-down of the calendar month: steady_remaining falls from 1 to 0
-- over the window
SELECT hour, round(remaining::numeric, 6) AS remaining, round(steady_remaining::numeric, 6) AS steady_remaining
FROM slo.budget_burndown WHERE objective = 'month' ORDER BY hour;
SELECT count(*) FILTER (WHERE steady_remaining IS NOT NULL) AS rolling_with_steady_line
FROM slo.budget_burndown WHERE objective <> 'month';

-- A tick later in the month records nothing twice.
CALL slo.tick(at => '2026-10-01 07:00+00');
SELECT period, count(*) FROM slo.period_result GROUP BY 1 ORDER BY 1;

-- Redefining an objective starts its rollup, and its day sums, again: no
-- month is recorded from a partial count.
SELECT slo.define_objective('hist', 'week', source => 'hist_req', good => 'ok AND true', target => 0.85,
							window_length => '7 days') IS NOT NULL AS redefined;
CALL slo.tick(at => '2026-10-01 08:00+00');
SELECT p.days_from FROM slo_internal.progress p JOIN slo.objective o ON o.id = p.objective_id WHERE o.name = 'week';

-- Readers read it (test/sql/security.sql tries to write every table).
SET ROLE slo_reader;
SELECT count(*) > 0 AS reader_reads FROM slo.period_report;
SELECT count(*) > 0 AS reader_reads FROM slo.budget_burndown;
RESET ROLE;

DELETE FROM slo.objective;
DELETE FROM slo.service;
DROP TABLE hist_req;
RESET slo.backfill_time;
