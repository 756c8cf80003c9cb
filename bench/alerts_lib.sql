--
-- bench/alerts_lib.sql: the helpers of bench/alerts.sh, on the data set of
-- bench/tick_scale_setup.sql (tables bench.ev_NN, 20 objectives each).
-- Idempotent.
--
--   bench.al_rules(enabled)         every default alert rule on (no row in
--                                   slo.alert_rule) or off (a row with
--                                   enabled = false per objective and rule)
--   bench.al_burst(n_tables, n)     n bad events into each of the first
--                                   n_tables tables, stamped 1 to 4 minutes ago
--   bench.al_unburst()              delete them again
--   bench.al_snapshot()             keep the alert state (slo.alert) and the
--                                   last ids of the alert and incident logs
--   bench.al_restore()              back to that state: slo.alert as kept, the
--                                   incidents, incident events, alert events and
--                                   outbox rows written since deleted
--   bench.al_fn_ms(name)            total_time of slo_internal.<name> in
--                                   pg_stat_user_functions (0 if never called)
--
\set ON_ERROR_STOP on

CREATE SCHEMA IF NOT EXISTS bench;

CREATE OR REPLACE FUNCTION bench.al_rules(enabled bool)
RETURNS int8
LANGUAGE plpgsql AS $$
DECLARE
	k int8;
BEGIN
	DELETE FROM slo.alert_rule;
	IF NOT enabled THEN
		INSERT INTO slo.alert_rule (objective_id, name, enabled)
		SELECT o.id, d.name, false FROM slo.objective o, slo.alert_rule_default d;
	END IF;
	SELECT count(*) INTO k FROM slo.alert_rules r WHERE r.enabled;
	RETURN k;	-- rules in force
END
$$;

-- The burst: every event bad for every objective of the table (ok false,
-- status 500, latency 4999.5 ms, which no generated row has), services as
-- skewed as in bench.ev_fill, stamped over [now - 4 min, now - 1 min): whole
-- minutes before the next tick's, inside its 5-minute look-back.
CREATE OR REPLACE FUNCTION bench.al_burst(n_tables int, per_table int)
RETURNS int8
LANGUAGE plpgsql AS $$
DECLARE
	k int8;
	total int8 := 0;
BEGIN
	FOR i IN 1 .. n_tables LOOP
		EXECUTE format($q$
			INSERT INTO bench.ev_%s (ts, service, latency_ms, ok, status)
			SELECT now() - interval '1 minute' - interval '3 minutes' * (g::float8 / $1),
			       (ARRAY['checkout', 'search', 'auth', 'catalog', 'payments', 'profile'])[1 + floor(u * u * 6)::int],
			       4999.5, false, 500
			FROM (SELECT g, random() AS u FROM generate_series(1, $1) g OFFSET 0) r$q$, to_char(i, 'FM00'))
		USING per_table;
		GET DIAGNOSTICS k = ROW_COUNT;
		total := total + k;
	END LOOP;
	RETURN total;
END
$$;

CREATE OR REPLACE FUNCTION bench.al_unburst()
RETURNS int8
LANGUAGE plpgsql AS $$
DECLARE
	t regclass;
	k int8;
	total int8 := 0;
BEGIN
	FOR t IN SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
	         WHERE s.nspname = 'bench' AND c.relname ~ '^ev_[0-9]+$' AND c.relkind = 'r' ORDER BY c.relname LOOP
		EXECUTE format('DELETE FROM %s WHERE latency_ms = 4999.5', t);
		GET DIAGNOSTICS k = ROW_COUNT;
		total := total + k;
	END LOOP;
	RETURN total;
END
$$;

CREATE OR REPLACE FUNCTION bench.al_snapshot()
RETURNS int8
LANGUAGE plpgsql AS $$
BEGIN
	DROP TABLE IF EXISTS bench.al_alert_kept, bench.al_marks;
	CREATE TABLE bench.al_alert_kept AS SELECT * FROM slo.alert;
	CREATE TABLE bench.al_marks AS
	SELECT (SELECT coalesce(max(id), 0) FROM slo.incident) AS incident,
	       (SELECT coalesce(max(id), 0) FROM slo.incident_event) AS incident_event,
	       (SELECT coalesce(max(id), 0) FROM slo.alert_event) AS alert_event,
	       (SELECT coalesce(max(id), 0) FROM slo.outbox) AS outbox;
	RETURN (SELECT count(*) FROM bench.al_alert_kept WHERE state = 'firing');
END
$$;

CREATE OR REPLACE FUNCTION bench.al_restore()
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	m record;
BEGIN
	SELECT * INTO m FROM bench.al_marks;
	DELETE FROM slo.alert;
	INSERT INTO slo.alert SELECT * FROM bench.al_alert_kept;
	DELETE FROM slo.incident_event WHERE id > m.incident_event;
	DELETE FROM slo.incident WHERE id > m.incident;
	DELETE FROM slo.alert_event WHERE id > m.alert_event;
	DELETE FROM slo.outbox WHERE id > m.outbox;
END
$$;

CREATE OR REPLACE FUNCTION bench.al_fn_ms(name text)
RETURNS float8
LANGUAGE sql STABLE
RETURN (SELECT coalesce(sum(f.total_time), 0) FROM pg_stat_user_functions f
        WHERE f.schemaname = 'slo_internal' AND f.funcname = al_fn_ms.name);
