/*
 * status.sql: slo.status, the dashboard view.
 */

CREATE OR REPLACE VIEW @extschema@.status AS
SELECT o.service, o.name AS objective, o.sli_kind, o.budgeting, o.window_kind,
	   e.window_start, e.window_end, e.counted_until, e.valid, e.good, e.sli, o.target,
	   e.error_budget, e.budget_unit, e.consumed, e.remaining,
	   e.burn_5m, e.burn_30m, e.burn_1h, e.burn_6h, e.burn_1d, e.burn_3d,
	   e.time_to_exhaustion, e.too_little_data, o.min_events,
	   o.sla_target, o.sla_window, e.sla_sli, e.sla_sli - o.sla_target AS sla_margin,
	   o.policy, e.tier, e.action,
	   EXISTS (SELECT 1 FROM @extschema@.freezes f WHERE f.service = o.service AND f.lifted_at IS NULL) AS frozen,
	   e.evaluated_at, e.last_error, e.last_error_sqlstate, o.id AS objective_id,
	   e.backfilling, e.burn_2h,
	   (SELECT count(*) FROM @extschema@.alert a WHERE a.objective_id = o.id AND a.state = 'firing') AS alerts_firing,
	   (SELECT i.id FROM @extschema@.incident i WHERE i.objective_id = o.id AND i.status <> 'resolved') AS open_incident
FROM @extschema@.objective o
LEFT JOIN @extschema@.evaluation e ON e.objective_id = o.id;
COMMENT ON VIEW @extschema@.status IS
'one row per objective: window, counts, SLI, budget, burn rates, SLA, policy tier, freeze, alerts, incident; as of the last tick';
GRANT SELECT ON @extschema@.status TO slo_reader;
