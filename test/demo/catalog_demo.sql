-- test/demo/catalog_demo.sql: the revenue team's SLO set in the slo catalog,
-- over the demo data (test/demo/demo_data.sql, loaded first) and a few more
-- tables made here.  Loaded by `bash test/run.sh demo`.
--
--   service       objective              SLI                              window
--   lead-intake   response-under-5m      P(Response<5m) >= 0.95           every 30 days
--   routing       route-under-2m         P(Route<2m) >= 0.99              every 30 days
--   enrichment    enrich-age-under-24h   P(EnrichAge<24h) >= 0.98         every 30 days
--   crm-sync      write-ok               P(WriteOK) >= 0.999              every 30 days
--   message-bus   throughput             Msgs/min>=200 & Error%<=0.5%     rolling 7 days
--                                        in >= 99% of minutes
--   invites       invite-under-2m        P(Invite<2m) >= 0.98             every 30 days
--   attribution   attribution-ok         P(AttributionOK) >= 0.995        every 30 days
--   forecasting   forecast-age-under-4h  P(ForecastAge<4h) >= 0.98        every 30 days
--   api-gateway   available-minutes      99.9% of 1-minute slices         rolling 28 days
--                                        (a 40.32-minute budget)
--
-- Budget windows reset every 30 days from an anchor 29 days before the data
-- ends (demo.meta.as_of).  The tick is called at as_of, so the numbers are
-- the same on every load.

\set ON_ERROR_STOP on
\set QUIET on
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.3141) AS seed \gset

-- ---------------------------------------------------------------------------
-- More of the team's tables
-- ---------------------------------------------------------------------------

-- Enrichment runs: the account enrichment job publishes every 6 hours; four
-- runs failed 9 days ago, leaving the data stale (older than 24 hours) for 6
-- hours.
CREATE TABLE demo.enrichment_runs (ts timestamptz NOT NULL, rows_enriched int NOT NULL);
INSERT INTO demo.enrichment_runs
SELECT m.as_of - interval '28 days' + g * interval '6 hours', 5000 + (random() * 500)::int
FROM demo.meta m, generate_series(0, 111) g
WHERE g NOT IN (75, 76, 77, 78);

-- The message bus: 200-260 messages a minute over the last 8 days; a
-- consumer restart 2 days ago left 14 minutes under 200, and a poison
-- message 5 days ago failed 1.5% of 20 minutes.
CREATE TABLE demo.bus_messages (ts timestamptz NOT NULL, failed boolean NOT NULL);
INSERT INTO demo.bus_messages
SELECT mm + n * (interval '1 minute' / per_min), random() < fail_rate
FROM (SELECT mm,
             CASE WHEN mm >= m.as_of - interval '2 days' AND mm < m.as_of - interval '2 days' + interval '14 minutes'
                  THEN 120 ELSE 200 + (random() * 60)::int END AS per_min,
             CASE WHEN mm >= m.as_of - interval '5 days' AND mm < m.as_of - interval '5 days' + interval '20 minutes'
                  THEN 0.015 ELSE 0.0001 END AS fail_rate
      FROM demo.meta m,
           generate_series(m.as_of - interval '8 days', m.as_of - interval '1 minute', interval '1 minute') mm) s,
     generate_series(0, per_min - 1) n;

-- Meeting invites sent after a lead books: one a minute, 1.2% slow.
CREATE TABLE demo.invites (ts timestamptz NOT NULL, requested_at timestamptz NOT NULL, sent_at timestamptz);
INSERT INTO demo.invites
SELECT t, t, t + CASE WHEN random() < 0.012 THEN interval '4 minutes' ELSE interval '20 seconds' END
FROM demo.meta m, generate_series(m.as_of - interval '28 days', m.as_of - interval '1 minute', interval '1 minute') t;

-- Closed deals attributed to a campaign: one every 2 minutes, 0.3% fail.
CREATE TABLE demo.attributions (ts timestamptz NOT NULL, deal_id bigint NOT NULL, ok boolean NOT NULL);
INSERT INTO demo.attributions
SELECT t, row_number() OVER (ORDER BY t), random() >= 0.003
FROM demo.meta m, generate_series(m.as_of - interval '28 days', m.as_of - interval '1 minute', interval '2 minutes') t;

-- The revenue forecast is republished hourly; the pipeline stalled for 6
-- hours 4 days ago.
CREATE TABLE demo.forecast_updates (ts timestamptz NOT NULL, region text NOT NULL);
INSERT INTO demo.forecast_updates
SELECT t, 'NA'
FROM demo.meta m, generate_series(m.as_of - interval '28 days', m.as_of - interval '1 hour', interval '1 hour') t
WHERE NOT (t > m.as_of - interval '4 days' AND t < m.as_of - interval '4 days' + interval '7 hours');

-- The API gateway: 12 requests a minute for 28 days; a bad deploy 6 days
-- ago failed most requests for 25 minutes.
CREATE TABLE demo.api_requests (ts timestamptz NOT NULL, status int NOT NULL);
INSERT INTO demo.api_requests
SELECT mm + n * interval '5 seconds',
       CASE WHEN mm >= m.as_of - interval '6 days' AND mm < m.as_of - interval '6 days' + interval '25 minutes'
                 AND random() < 0.7 THEN 503
            WHEN random() < 0.0005 THEN 500
            ELSE 200 END
FROM demo.meta m,
     generate_series(m.as_of - interval '28 days', m.as_of - interval '1 minute', interval '1 minute') mm,
     generate_series(0, 11) n;

CREATE INDEX ON demo.enrichment_runs (ts);
CREATE INDEX ON demo.bus_messages (ts);
CREATE INDEX ON demo.invites (ts);
CREATE INDEX ON demo.attributions (ts);
CREATE INDEX ON demo.forecast_updates (ts);
CREATE INDEX ON demo.api_requests (ts);
ANALYZE demo.enrichment_runs, demo.bus_messages, demo.invites, demo.attributions,
        demo.forecast_updates, demo.api_requests;

-- ---------------------------------------------------------------------------
-- The catalog
-- ---------------------------------------------------------------------------
SELECT as_of - interval '29 days' AS anchor, as_of FROM demo.meta \gset

SELECT slo.define_service(s, team => 'revops', runbook_url => 'https://runbooks.example/revops/' || s)
FROM unnest(ARRAY['lead-intake', 'routing', 'enrichment', 'crm-sync', 'message-bus',
                  'invites', 'attribution', 'forecasting', 'api-gateway']) s;

SELECT slo.define_objective('lead-intake', 'response-under-5m', source => 'demo.lead_responses',
         value => 'response', op => 'lt', threshold => '5 minutes', target => 0.95,
         window_kind => 'calendar', window_length => '30 days', anchor => :'anchor',
         min_events => 1000);
SELECT slo.define_objective('routing', 'route-under-2m', source => 'demo.routing_events',
         good => 'routed_at - created_at <= interval ''2 minutes''', target => 0.99,
         description => 'routing latency P(Route<2m)',
         window_kind => 'calendar', window_length => '30 days', anchor => :'anchor',
         min_events => 1000, sla_target => 0.98, sla_window => '30 days');
SELECT slo.define_objective('enrichment', 'enrich-age-under-24h', source => 'demo.enrichment_runs',
         max_age => '24 hours', target => 0.98,
         window_kind => 'calendar', window_length => '30 days', anchor => :'anchor');
SELECT slo.define_objective('crm-sync', 'write-ok', source => 'demo.crm_writes', good => 'ok',
         target => 0.999, window_kind => 'calendar', window_length => '30 days', anchor => :'anchor',
         min_events => 1000, policy => 'traffic-light');
SELECT slo.define_objective('message-bus', 'throughput', source => 'demo.bus_messages',
         good => 'NOT failed', budgeting => 'timeslices', slice => '1 minute',
         slice_min_events => 200, slice_target => 0.995, target => 0.99,
         window_kind => 'rolling', window_length => '7 days');
SELECT slo.define_objective('invites', 'invite-under-2m', source => 'demo.invites',
         value => 'sent_at - requested_at', op => 'lt', threshold => '2 minutes', target => 0.98,
         window_kind => 'calendar', window_length => '30 days', anchor => :'anchor');
SELECT slo.define_objective('attribution', 'attribution-ok', source => 'demo.attributions',
         good => 'ok', target => 0.995,
         window_kind => 'calendar', window_length => '30 days', anchor => :'anchor');
SELECT slo.define_objective('forecasting', 'forecast-age-under-4h', source => 'demo.forecast_updates',
         valid => 'region = ''NA''', max_age => '4 hours', target => 0.98,
         window_kind => 'calendar', window_length => '30 days', anchor => :'anchor');
SELECT slo.define_objective('api-gateway', 'available-minutes', source => 'demo.api_requests',
         good => 'status < 500', budgeting => 'timeslices', slice => '1 minute', slice_target => 0.9,
         target => 0.999, window_kind => 'rolling', window_length => '28 days',
         policy => 'freeze-on-burn');

-- Two leads a minute make ten in five minutes: the routing team pages on
-- that many (the default minimum per look-back is 20).
INSERT INTO slo.alert_rule (objective_id, name, min_events)
SELECT o.id, r, 5 FROM slo.objective o, unnest(ARRAY['page-1h', 'page-6h']) r WHERE o.name = 'route-under-2m';
-- A deploy of the router went out just before the outage.
SELECT slo.record_deploy('routing', 'router v2.14.1', 'queue consumer rewrite',
                         :'as_of'::timestamptz - interval '3 days 8 hours' + interval '5 minutes');

-- First tick: backfills every rollup, evaluates, applies the policies.
CALL slo.tick(at => :'as_of');

-- The routing outage as the tick saw it then, minute by minute: replayed
-- every 10 minutes from its start (3 days ago, hh:12) to an hour after its
-- end, so that its page, incident and alert history are there; then the
-- tick at as_of again.
SELECT :'as_of'::timestamptz - interval '3 days 8 hours' + interval '12 minutes' AS outage \gset
SELECT format('CALL slo.tick(at => %L)', :'outage'::timestamptz + g * interval '10 minutes')
FROM generate_series(1, 13) g \gexec
CALL slo.tick(at => :'as_of');

-- ---------------------------------------------------------------------------
-- Data contracts on the CRM's leads: every lead has a well-formed e-mail
-- address (enforced) and a known territory (recorded: imports must not
-- stop while the territory table catches up).
-- ---------------------------------------------------------------------------
CREATE TABLE demo.territories (code text PRIMARY KEY, region text NOT NULL);
INSERT INTO demo.territories VALUES
    ('NA-EAST', 'NA'), ('NA-WEST', 'NA'), ('NA-CENTRAL', 'NA'), ('CA', 'NA'),
    ('UK', 'EMEA'), ('DACH', 'EMEA'), ('FR', 'EMEA'), ('NORDICS', 'EMEA'),
    ('ANZ', 'APAC'), ('JP', 'APAC'), ('SEA', 'APAC');
CREATE TABLE demo.leads (
    id         bigint PRIMARY KEY,
    email      text,
    territory  text,
    created_at timestamptz NOT NULL
);
-- The leads of the last 28 days, loaded before the contracts existed: a few
-- addresses are malformed, and LATAM leads name a territory that was never
-- added (and a typo or two).
INSERT INTO demo.leads
SELECT g,
       CASE WHEN g % 997 = 0 THEN 'lead' || g || '@example'            -- no top-level domain
            WHEN g % 1499 = 0 THEN 'lead ' || g || '@example.com'      -- a space
            ELSE 'lead' || g || '@example.com' END,
       CASE WHEN g % 211 = 0 THEN 'LATAM'
            WHEN g % 1777 = 0 THEN 'NA-EST'
            ELSE (ARRAY['NA-EAST', 'NA-WEST', 'NA-CENTRAL', 'CA', 'UK', 'DACH', 'FR', 'NORDICS',
                        'ANZ', 'JP', 'SEA'])[1 + g % 11] END,
       m.as_of - interval '28 days' + g * interval '30 seconds'
FROM demo.meta m, generate_series(1, 80640) g;

SELECT slo.add_contract('demo.leads', 'lead-email-shape', rule => slo.email_shape('email'),
                        mode => 'enforce', description => 'every lead can be e-mailed');
SELECT slo.add_contract('demo.leads', 'lead-territory-known',
                        rule => slo.member_of('territory', 'demo.territories', 'code'),
                        mode => 'record', description => 'every lead can be routed to a team');

-- The rows that predate the contracts, as a scheduled check finds them.
SELECT slo.run_contract_checks();

-- Today's leads, written through the contracts: the importer's LATAM leads
-- are kept and recorded; malformed addresses are rejected (one statement
-- per lead here, as a web form would write them).
INSERT INTO demo.leads
SELECT 100000 + g, 'new' || g || '@example.com',
       CASE WHEN g % 40 = 0 THEN 'LATAM' WHEN g % 333 = 0 THEN 'MX' ELSE 'UK' END, now()
FROM generate_series(1, 2000) g;
CREATE TABLE demo.form_submissions (rejected int NOT NULL);
DO $$
DECLARE
    rejected int := 0;
    addr text;
BEGIN
    FOR i IN 1..200 LOOP
        addr := CASE WHEN i % 25 = 0 THEN 'form' || i || ' at example.com' ELSE 'form' || i || '@example.com' END;
        BEGIN
            INSERT INTO demo.leads VALUES (200000 + i, addr, 'DACH', now());
        EXCEPTION WHEN check_violation THEN
            rejected := rejected + 1;
        END;
    END LOOP;
    INSERT INTO demo.form_submissions VALUES (rejected);
END
$$;
