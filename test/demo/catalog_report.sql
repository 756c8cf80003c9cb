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
