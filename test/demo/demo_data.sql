-- test/demo/demo_data.sql: 28 days of a revenue team's events, for the demo
-- report (test/demo/report.sql).  Loaded by `bash test/run.sh demo`; can be
-- reloaded any time (it drops and recreates the schema "demo"):
--
--   psql -X -d slo_demo -f test/demo/demo_data.sql
--
-- Three services, three objectives (demo.objectives):
--
--   lead_response  Lead response time     P(Response<5m) >= 95%    demo.lead_responses
--   lead_routing   Lead routing latency   P(Route<2m)    >= 99%    demo.routing_events
--   crm_write      CRM write success      P(WriteOK)     >= 99.9%  demo.crm_writes
--
-- and three stories for the report to find:
--
--   * lead routing: an outage 3 days ago; for about an hour the router's
--     queue stalled and most leads waited 1-15 minutes to be assigned.  The
--     leads of that hour were answered late too (response time counts from
--     lead creation, so it includes routing).
--   * CRM writes: the CRM API has been failing 0.4% of writes for the last
--     20 hours (0.04% before): a slow burn, ticket material.
--   * lead response: reps answer a little slower every week (staffing); the
--     month is still within objective but little budget is left.
--
-- Everything is relative to demo.meta.as_of, the hour the data was loaded
-- (date_trunc('hour', now())): the data covers (as_of - 28 days, as_of], and
-- the report measures from as_of, not from now(), so its numbers are the same
-- whenever it runs.  Random draws use a fixed setseed and serial plans, so the
-- rows (relative to as_of) are the same on every load.
--
-- Size: 80,640 leads (one every 30 s: a response and a routing event each)
-- and 483,840 CRM writes (one every 5 s): about 645,000 rows, loaded in a few
-- seconds.

\set ON_ERROR_STOP on
\set QUIET on
SET client_min_messages = warning;
-- random() is parallel restricted, so these plans are serial anyway; say so
SET max_parallel_workers_per_gather = 0;

DROP SCHEMA IF EXISTS demo CASCADE;
CREATE SCHEMA demo;
COMMENT ON SCHEMA demo IS 'slo demo data set (test/demo/demo_data.sql)';

CREATE TABLE demo.meta (
    as_of timestamptz NOT NULL          -- the data ends here; the report's "now"
);
INSERT INTO demo.meta SELECT date_trunc('hour', now());

CREATE TABLE demo.objectives (
    service   text PRIMARY KEY,
    title     text NOT NULL,
    objective text NOT NULL,
    target    float8 NOT NULL CHECK (target > 0 AND target < 1),
    position  int NOT NULL
);
INSERT INTO demo.objectives VALUES
    ('lead_response', 'Lead response time',   'P(Response<5m) >= 95%',  0.95,  1),
    ('lead_routing',  'Lead routing latency', 'P(Route<2m) >= 99%',     0.99,  2),
    ('crm_write',     'CRM write success',    'P(WriteOK) >= 99.9%',    0.999, 3);

CREATE TABLE demo.lead_responses (
    ts       timestamptz NOT NULL,      -- when the lead came in
    lead_id  bigint NOT NULL,
    response interval NOT NULL          -- lead created -> first reply by a rep
);

CREATE TABLE demo.routing_events (
    ts         timestamptz NOT NULL,    -- = created_at
    lead_id    bigint NOT NULL,
    created_at timestamptz NOT NULL,
    routed_at  timestamptz NOT NULL     -- assigned to a rep
);

CREATE TABLE demo.crm_writes (
    ts timestamptz NOT NULL,
    ok boolean NOT NULL
);

-- ---------------------------------------------------------------------------
-- Leads: one every 30 s on average, with the random draws they need.
-- ---------------------------------------------------------------------------
SELECT setseed(0.2026) AS seed \gset

CREATE TEMP TABLE leads AS
SELECT g                         AS lead_id,
       m.as_of - interval '28 days' + (g - 1) * interval '30 seconds'
           + random() * interval '30 seconds' AS created_at,
       random()                  AS u_kind,    -- which routing regime
       random()                  AS u_route,   -- routing delay draw
       random()                  AS u_rep      -- rep reply draw
FROM demo.meta m, generate_series(1, 80640) g;

-- Routing delay, in seconds:
--   normally  3 s + exponential(mean 12 s); 0.4% of leads hit the slow path,
--             60 s + exponential(mean 180 s)  =>  ~0.3% over 2 minutes;
--   outage    62 minutes from as_of - 3 days 7 hours 48 minutes (3 days ago,
--             starting at hh:12): 85% of leads wait 1-15 minutes, uniformly.
-- Rep reply, in seconds: 20 s + exponential with a mean growing from 62 s
-- (28 days ago) to 96 s (now).
CREATE TEMP TABLE lead_timing AS
SELECT l.lead_id, l.created_at,
       CASE
           WHEN l.created_at >= m.as_of - interval '3 days 8 hours' + interval '12 minutes'
            AND l.created_at <  m.as_of - interval '3 days 8 hours' + interval '74 minutes'
            AND l.u_kind < 0.85
               THEN 60 + 840 * l.u_route
           WHEN l.u_kind >= 0.996
               THEN 60 - 180 * ln(1 - l.u_route)
           ELSE 3 - 12 * ln(1 - l.u_route)
       END AS route_s,
       20 - (62 + 34 * extract(epoch FROM l.created_at - (m.as_of - interval '28 days'))
                      / extract(epoch FROM interval '28 days'))
            * ln(1 - l.u_rep) AS rep_s
FROM leads l, demo.meta m;

-- Only what has happened by as_of: a lead not yet routed (or answered) has no row.
INSERT INTO demo.routing_events (ts, lead_id, created_at, routed_at)
SELECT t.created_at, t.lead_id, t.created_at, t.created_at + make_interval(secs => t.route_s)
FROM lead_timing t, demo.meta m
WHERE t.created_at + make_interval(secs => t.route_s) <= m.as_of
ORDER BY t.created_at;

INSERT INTO demo.lead_responses (ts, lead_id, response)
SELECT t.created_at, t.lead_id, make_interval(secs => t.route_s + t.rep_s)
FROM lead_timing t, demo.meta m
WHERE t.created_at + make_interval(secs => t.route_s + t.rep_s) <= m.as_of
ORDER BY t.created_at;

-- ---------------------------------------------------------------------------
-- CRM writes: one every 5 s on average; 0.04% fail, 0.4% in the last 20 hours.
-- ---------------------------------------------------------------------------
SELECT setseed(0.1123) AS seed \gset

CREATE TEMP TABLE writes AS
SELECT m.as_of - interval '28 days' + (g - 1) * interval '5 seconds'
           + random() * interval '5 seconds' AS ts,
       random() AS u
FROM demo.meta m, generate_series(1, 483840) g;

INSERT INTO demo.crm_writes (ts, ok)
SELECT w.ts,
       w.u >= CASE WHEN w.ts > m.as_of - interval '20 hours' THEN 0.004 ELSE 0.0004 END
FROM writes w, demo.meta m
ORDER BY w.ts;

DROP TABLE leads, lead_timing, writes;

-- ---------------------------------------------------------------------------
-- One row per event of every objective: the good/bad verdict in one place.
-- The bound is inclusive, as in slo.p_within (on this continuous data "<" and
-- "<=" give the same answer).
-- ---------------------------------------------------------------------------
CREATE VIEW demo.sli_events AS
SELECT 'lead_response'::text AS service, ts, response <= interval '5 minutes' AS good
FROM demo.lead_responses
UNION ALL
SELECT 'lead_routing', ts, routed_at - created_at <= interval '2 minutes'
FROM demo.routing_events
UNION ALL
SELECT 'crm_write', ts, ok
FROM demo.crm_writes;
COMMENT ON VIEW demo.sli_events IS 'one row per event: service, ts, good';

CREATE INDEX ON demo.lead_responses (ts);
CREATE INDEX ON demo.routing_events (ts);
CREATE INDEX ON demo.crm_writes (ts);
ANALYZE demo.meta, demo.objectives, demo.lead_responses, demo.routing_events, demo.crm_writes;

SELECT 'demo data loaded' AS status,
       (SELECT as_of FROM demo.meta) AS as_of,
       (SELECT count(*) FROM demo.lead_responses) AS lead_responses,
       (SELECT count(*) FROM demo.routing_events) AS routing_events,
       (SELECT count(*) FROM demo.crm_writes) AS crm_writes;
