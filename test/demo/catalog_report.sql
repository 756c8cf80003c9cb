-- test/demo/catalog_report.sql: what slo.status says after the demo's tick,
-- as an on-call engineer would read it, and what a deploy pipeline is told.
\pset footer off
\pset null '-'

\echo
\echo '== slo.status: every objective, as of the last tick =============================='
SELECT service, objective,
       round(100 * sli::numeric, 3) || '%'                         AS sli,
       round(100 * target::numeric, 1) || '%'                      AS target,
       round(error_budget::numeric, 1) || ' ' || budget_unit       AS budget,
       round(100 * remaining::numeric, 1) || '%'                   AS left,
       round(burn_1h::numeric, 2)                                  AS burn_1h,
       round(burn_1d::numeric, 2)                                  AS burn_1d,
       CASE WHEN too_little_data THEN 'too little data' ELSE tier END AS tier,
       CASE WHEN frozen THEN 'FROZEN' ELSE '' END                  AS deploys
FROM slo.status
ORDER BY remaining NULLS LAST, service;

\echo
\echo '== SLA beside the SLO ============================================================'
SELECT service, objective, round(100 * sli::numeric, 3) || '%' AS slo_sli,
       round(100 * sla_target::numeric, 1) || '% over ' || sla_window AS sla,
       round(100 * sla_sli::numeric, 3) || '%' AS sla_sli,
       round(100 * sla_margin::numeric, 3) || ' pts' AS margin
FROM slo.status WHERE sla_target IS NOT NULL;

\echo
\echo '== Deploy gate: SELECT slo.deploy_allowed(service) =============================='
SELECT s.name AS service, slo.deploy_allowed(s.name) AS deploy_allowed,
       coalesce(string_agg(f.reason || ' (since ' || to_char(f.since, 'YYYY-MM-DD HH24:MI') || ', ' || f.set_by || ')', '; '), '') AS why
FROM slo.service s LEFT JOIN slo.deploy_freeze f ON f.service = s.name
GROUP BY s.name ORDER BY deploy_allowed, s.name;

\echo
\echo '== The last tick ================================================================='
SELECT to_char(started_at, 'HH24:MI:SS') AS started,
       round(extract(epoch FROM finished_at - started_at)::numeric * 1000) || ' ms' AS took,
       buckets_recounted, objectives_evaluated, errors
FROM slo.tick_log ORDER BY id DESC LIMIT 1;

\echo
\echo '== Data contracts: SELECT * FROM slo.contract_status ============================'
SELECT contract, mode, checked_1d AS checked, failed_1d AS failed,
       round(100 * pass_rate_1d::numeric, 2) || '%' AS pass_rate,
       round(violations_per_hour::numeric, 2) AS violations_per_hour,
       last_check_rows AS rows_in_table, last_check_violations AS predating_violations
FROM slo.contract_status ORDER BY contract;
SELECT rejected AS "web-form leads rejected by lead-email-shape (23514)" FROM demo.form_submissions;

\echo
\echo '== Worst offenders: recorded violations by value =============================='
SELECT contract, offending ->> 'territory' AS territory, count(*) AS leads,
       min(row_key ->> 'id') AS first_lead
FROM slo.contract_violations
GROUP BY 1, 2 ORDER BY leads DESC, territory LIMIT 5;
\echo '   ... and in the whole table now, rows that predate the contracts included (slo.check_contract):'
SELECT offending ->> 'territory' AS territory, count(*) AS leads
FROM slo.check_contract('lead-territory-known')
GROUP BY 1 ORDER BY leads DESC, territory;

\echo
\echo '== The routing outage, 3 days ago: what the alerts did (slo.alert_event) ========'
SELECT to_char(e.at AT TIME ZONE 'UTC', 'MM-DD HH24:MI') AS at_utc, o.service, e.rule, e.severity, e.state,
       CASE WHEN e.new_episode THEN 'paged' ELSE '' END AS notified,
       round(e.burn_long::numeric, 1) AS burn_long, round(e.burn_short::numeric, 1) AS burn_short,
       round(e.factor::numeric, 2) AS factor
FROM slo.alert_event e JOIN slo.objective o ON o.id = e.objective_id
WHERE o.service = 'routing' AND e.rule LIKE 'page%'
ORDER BY e.id;

\echo
\echo '== Open incidents, and the page that went out =================================='
SELECT id, service, severity, status, opened_by,
       to_char(started_at AT TIME ZONE 'UTC', 'MM-DD HH24:MI') AS started_utc,
       to_char(detected_at AT TIME ZONE 'UTC', 'MM-DD HH24:MI') AS detected_utc
FROM slo.incidents WHERE status <> 'resolved' ORDER BY id;
SELECT slo.page_message(id) AS page FROM slo.incidents WHERE service = 'routing' ORDER BY id LIMIT 1;

\echo
\echo '== SELECT * FROM slo.explain(''routing'') ========================================'
SELECT section, objective, detail FROM slo.explain('routing');

\echo
\echo '== The postmortem of the routing incident: SELECT slo.postmortem(id) ==========='
\set QUIET on
\pset format unaligned
\pset tuples_only on
SELECT slo.postmortem(id) FROM slo.incidents WHERE service = 'routing' ORDER BY id LIMIT 1;
\pset tuples_only off
\pset format aligned
\set QUIET off
