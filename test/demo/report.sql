-- test/demo/report.sql: the on-call SLO report over the demo data
-- (test/demo/demo_data.sql), computed with slo's aggregates.
--
--   psql -X -d slo_demo -f test/demo/report.sql
--
-- "Now" is demo.meta.as_of, the hour the data was loaded, so the numbers are
-- the same whenever the report runs.  On live data, replace it with now().
--
-- Alert rules: the multi-window, multi-burn-rate alerts of the SRE Workbook
-- (docs/design.md, "Arithmetic"), with factors scaled to the 28-day window:
-- factor = budget share * 28 days / long window.
--   PAGE    1h and 5m  both above 13.44  (2% of the budget in 1 hour)
--   PAGE    6h and 30m both above  5.6   (5% in 6 hours)
--   TICKET  1d and 2h  both above  2.8   (10% in 1 day)
--   TICKET  3d and 6h  both above  0.93  (10% in 3 days)

\set ON_ERROR_STOP on
\set QUIET on
\pset footer off
\pset null '-'
SET max_parallel_workers_per_gather = 0;   -- small data; keep the report's plans simple

-- The alert tiers, used by several sections.
CREATE TEMP TABLE alert_rules (severity, long_window, short_window, budget_share) AS
VALUES ('PAGE',   interval '1 hour',  interval '5 minutes',  0.02::float8),
       ('PAGE',   interval '6 hours', interval '30 minutes', 0.05),
       ('TICKET', interval '1 day',   interval '2 hours',    0.10),
       ('TICKET', interval '3 days',  interval '6 hours',    0.10);

\echo
SELECT 'SLO report, revenue team' AS " ",
       to_char(as_of, 'YYYY-MM-DD HH24:MI "UTC"') AS "as of",
       'rolling 28 days' AS "window"
FROM demo.meta;

-- ---------------------------------------------------------------------------
\echo
\echo '1. Right now: burn rate by look-back window (1.0 = spending the 28-day budget exactly on pace)'
\echo
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE burn_now AS
SELECT o.service, o.position,
       slo.burn_rate(e.good, o.target) FILTER (WHERE e.ts > m.as_of - interval '5 minutes')  AS b5m,
       slo.burn_rate(e.good, o.target) FILTER (WHERE e.ts > m.as_of - interval '30 minutes') AS b30m,
       slo.burn_rate(e.good, o.target) FILTER (WHERE e.ts > m.as_of - interval '1 hour')     AS b1h,
       slo.burn_rate(e.good, o.target) FILTER (WHERE e.ts > m.as_of - interval '2 hours')    AS b2h,
       slo.burn_rate(e.good, o.target) FILTER (WHERE e.ts > m.as_of - interval '6 hours')    AS b6h,
       slo.burn_rate(e.good, o.target) FILTER (WHERE e.ts > m.as_of - interval '1 day')      AS b1d,
       slo.burn_rate(e.good, o.target) FILTER (WHERE e.ts > m.as_of - interval '3 days')     AS b3d
FROM demo.objectives o
CROSS JOIN demo.meta m
LEFT JOIN demo.sli_events e
       ON e.service = o.service AND e.ts > m.as_of - interval '3 days' AND e.ts <= m.as_of
GROUP BY o.service, o.position;

-- Which rules fire: both windows of a tier above its factor.
CREATE TEMP TABLE alerts_now AS
SELECT b.service, r.severity,
       format('%s %s & %s %s > %s',
              CASE r.long_window WHEN '1 hour' THEN '1h' WHEN '6 hours' THEN '6h'
                                 WHEN '1 day' THEN '1d' ELSE '3d' END,
              round(l.burn::numeric, 2),
              CASE r.short_window WHEN '5 minutes' THEN '5m' WHEN '30 minutes' THEN '30m'
                                  WHEN '2 hours' THEN '2h' ELSE '6h' END,
              round(s.burn::numeric, 2),
              round((r.budget_share * 28 * 86400 / extract(epoch FROM r.long_window))::numeric, 2)) AS why
FROM burn_now b
CROSS JOIN alert_rules r
CROSS JOIN LATERAL (SELECT CASE r.long_window WHEN '1 hour' THEN b.b1h WHEN '6 hours' THEN b.b6h
                                              WHEN '1 day' THEN b.b1d ELSE b.b3d END) l(burn)
CROSS JOIN LATERAL (SELECT CASE r.short_window WHEN '5 minutes' THEN b.b5m WHEN '30 minutes' THEN b.b30m
                                               WHEN '2 hours' THEN b.b2h ELSE b.b6h END) s(burn)
WHERE l.burn > r.budget_share * 28 * 86400 / extract(epoch FROM r.long_window)
  AND s.burn > r.budget_share * 28 * 86400 / extract(epoch FROM r.long_window);

SELECT o.title AS service,
       round(b.b5m::numeric, 2)  AS "5m",
       round(b.b30m::numeric, 2) AS "30m",
       round(b.b1h::numeric, 2)  AS "1h",
       round(b.b2h::numeric, 2)  AS "2h",
       round(b.b6h::numeric, 2)  AS "6h",
       round(b.b1d::numeric, 2)  AS "1d",
       round(b.b3d::numeric, 2)  AS "3d",
       coalesce((SELECT string_agg(a.severity || ': ' || a.why, '; ' ORDER BY a.severity DESC, a.why)
                 FROM alerts_now a WHERE a.service = b.service), 'ok') AS alert
FROM burn_now b JOIN demo.objectives o USING (service)
ORDER BY (SELECT min(CASE a.severity WHEN 'PAGE' THEN 0 ELSE 1 END) FROM alerts_now a
          WHERE a.service = b.service) NULLS LAST,
         b.position;

\echo '   PAGE: 1h & 5m > 13.44, or 6h & 30m > 5.6.   TICKET: 1d & 2h > 2.8, or 3d & 6h > 0.93.'
\echo '   Short windows hold few events (CRM: ~60 writes in 5m), so one failure moves them a lot;'
\echo '   that is why a rule needs its long window too.'

-- ---------------------------------------------------------------------------
\echo
\echo '2. Error budget over the last 28 days'
\echo
-- ---------------------------------------------------------------------------
WITH w AS (
    SELECT o.service, o.title, o.objective, o.target, o.position,
           count(e.good)                               AS events,
           count(*) FILTER (WHERE NOT e.good)          AS bad,
           slo.p_within(e.good)                        AS sli,
           slo.burn_rate(e.good, o.target)             AS burn,
           slo.budget_remaining(e.good, o.target)      AS remaining
    FROM demo.objectives o
    CROSS JOIN demo.meta m
    LEFT JOIN demo.sli_events e
           ON e.service = o.service AND e.ts > m.as_of - interval '28 days' AND e.ts <= m.as_of
    GROUP BY o.service, o.title, o.objective, o.target, o.position
)
SELECT w.title AS service,
       w.objective,
       to_char(100 * w.sli, 'FM990.0000') || '%'                   AS sli,
       w.events,
       w.bad,
       floor((1 - w.target) * w.events)::bigint                     AS "bad allowed",
       round(w.burn::numeric, 2)                                    AS "burn 28d",
       to_char(100 * w.remaining, 'FM9990.0') || '%'                AS "budget left",
       CASE WHEN w.remaining <= 0 THEN 'EXHAUSTED'
            WHEN b.b1d IS NULL THEN '-'
            WHEN b.b1d = 0 THEN 'not burning'
            -- remaining * window / burn rate (docs/design.md, "Arithmetic"), at the last day's pace
            ELSE to_char(w.remaining * 28 / b.b1d, 'FM99990.0') || ' days'
       END                                                          AS "empty in (1d pace)"
FROM w JOIN burn_now b USING (service)
ORDER BY w.remaining, w.position;

-- ---------------------------------------------------------------------------
\echo
\echo '3. Worst hours of the last 28 days (hourly burn rate, all services)'
\echo
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE hourly AS
SELECT e.service, date_trunc('hour', e.ts) AS hour,
       count(e.good) AS events,
       count(*) FILTER (WHERE NOT e.good) AS bad,
       slo.p_within(e.good) AS sli,
       slo.burn_rate(e.good, o.target) AS burn
FROM demo.sli_events e
JOIN demo.objectives o USING (service)
CROSS JOIN demo.meta m
WHERE e.ts > m.as_of - interval '28 days' AND e.ts <= m.as_of
GROUP BY e.service, date_trunc('hour', e.ts);

SELECT o.title AS service,
       to_char(h.hour, 'Dy MM-DD HH24:00') || '-' || to_char(h.hour + interval '1 hour', 'HH24:00') AS "hour (UTC)",
       h.events, h.bad,
       to_char(100 * h.sli, 'FM990.00') || '%' AS sli,
       round(h.burn::numeric, 2) AS burn,
       to_char(100 * h.burn * (1 - o.target) * h.events / nullif((1 - o.target) * t.events, 0), 'FM990.0') || '%'
           AS "of 28d budget"
FROM hourly h
JOIN demo.objectives o USING (service)
JOIN (SELECT service, sum(events) AS events FROM hourly GROUP BY service) t USING (service)
ORDER BY h.burn DESC NULLS LAST, h.hour DESC
LIMIT 8;

-- ---------------------------------------------------------------------------
-- 4 and 5: a closer look at the single worst hour found above.
-- ---------------------------------------------------------------------------
SELECT h.service AS worst_service, o.title AS worst_title, o.target AS worst_target,
       h.hour AS worst_hour,
       to_char(h.hour, 'Dy MM-DD HH24:00') AS worst_label
FROM hourly h JOIN demo.objectives o USING (service)
ORDER BY h.burn DESC NULLS LAST, h.hour DESC
LIMIT 1
\gset

\echo
\echo '4.' :worst_title 'hour by hour around its worst hour,' :worst_label 'UTC (# = 2x burn)'
\echo
SELECT to_char(h.hour, 'MM-DD HH24:00') AS "hour (UTC)",
       h.events, h.bad,
       to_char(100 * h.sli, 'FM990.00') || '%' AS sli,
       round(h.burn::numeric, 2) AS burn,
       rpad(repeat('#', least(40, ceil(h.burn / 2)::int)), 40)
         || CASE WHEN h.burn > 80 THEN '>' ELSE ' ' END AS "burn rate"
FROM hourly h
WHERE h.service = :'worst_service'
  AND h.hour BETWEEN :'worst_hour'::timestamptz - interval '6 hours'
                 AND :'worst_hour'::timestamptz + interval '6 hours'
ORDER BY h.hour;

-- ---------------------------------------------------------------------------
\echo
\echo '5. The same, as a moving 1-hour window over every event'
\echo '   slo.burn_rate(good, target) OVER (ORDER BY ts RANGE BETWEEN ''1 hour'' PRECEDING AND CURRENT ROW)'
\echo
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE moving AS
SELECT ts,
       slo.burn_rate(good, :worst_target) OVER (ORDER BY ts RANGE BETWEEN '1 hour' PRECEDING AND CURRENT ROW) AS burn_1h,
       slo.burn_rate(good, :worst_target) OVER (ORDER BY ts RANGE BETWEEN '5 minutes' PRECEDING AND CURRENT ROW) AS burn_5m
FROM demo.sli_events
WHERE service = :'worst_service'
  AND ts >  :'worst_hour'::timestamptz - interval '8 hours'
  AND ts <= :'worst_hour'::timestamptz + interval '8 hours';

-- The first 2 hours only warm the 1h window up; judge from 6 hours before the hour.
WITH m AS (
    SELECT * FROM moving WHERE ts >= :'worst_hour'::timestamptz - interval '6 hours'
), peak AS (
    SELECT ts, burn_1h FROM m ORDER BY burn_1h DESC, ts LIMIT 1
), page AS (
    -- the 1h/5m page rule, event by event
    SELECT min(ts) FILTER (WHERE burn_1h > 13.44 AND burn_5m > 13.44) AS fires,
           min(ts) FILTER (WHERE burn_1h > 13.44)                      AS first_above
    FROM m
), cleared AS (
    SELECT min(m.ts) AS ts FROM m, peak WHERE m.ts > peak.ts AND m.burn_1h <= 13.44
)
SELECT to_char(page.first_above, 'MM-DD HH24:MI:SS')  AS "1h burn first > 13.44",
       to_char(page.fires, 'MM-DD HH24:MI:SS')        AS "page (1h & 5m > 13.44)",
       round(peak.burn_1h::numeric, 2)                AS "peak 1h burn",
       to_char(peak.ts, 'MM-DD HH24:MI:SS')           AS "peak at",
       to_char(cleared.ts, 'MM-DD HH24:MI:SS')        AS "1h burn back <= 13.44",
       CASE WHEN page.first_above IS NOT NULL
            THEN date_trunc('minute', coalesce(cleared.ts, (SELECT max(ts) FROM m)) - page.first_above)
       END                                            AS "above for"
FROM peak, page, cleared;

\echo
\echo '   Every 10 minutes (last event of each 10-minute slot):'
\echo
SELECT to_char(slot, 'MM-DD HH24:MI') AS "time (UTC)",
       round(burn_1h::numeric, 2) AS "1h burn",
       round(burn_5m::numeric, 2) AS "5m burn",
       rpad(repeat('#', least(40, ceil(burn_1h / 2)::int)), 40)
         || CASE WHEN burn_1h > 80 THEN '>' ELSE ' ' END AS "1h burn rate (# = 2x)"
FROM (
    SELECT DISTINCT ON (slot) slot, burn_1h, burn_5m
    FROM (SELECT date_bin('10 minutes', ts, timestamptz '2000-01-01') AS slot, ts, burn_1h, burn_5m
          FROM moving) s
    WHERE slot >= :'worst_hour'::timestamptz - interval '1 hour'
      AND slot <  :'worst_hour'::timestamptz + interval '3 hours'
    ORDER BY slot, ts DESC
) last_per_slot
ORDER BY slot;

\echo
\echo 'Runbook: psql into the cluster and look at demo.sli_events (service, ts, good), or the raw tables'
\echo 'demo.lead_responses, demo.routing_events, demo.crm_writes; the queries above are test/demo/report.sql.'

DROP TABLE alert_rules, burn_now, alerts_now, hourly, moving;
