--
-- The update path from the previous version, 0.6, to this one.  The 0.6
-- install script is the kept copy in sql/versions/ (as released).  On a
-- catalog holding objectives of every kind, a user policy, corrections,
-- freezes and probe events, ticked: ALTER EXTENSION slo UPDATE, a tick
-- after more (and late) events; then every object's definition and the
-- status must be those of a fresh install of this version given the same
-- catalog and the same events.
--
SET TIME ZONE 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET client_min_messages = warning;

-- pg_regress installed this version; the files before this one hang
-- triggers and objectives on it, which go with it
DROP EXTENSION slo CASCADE;
CREATE EXTENSION slo VERSION '0.6';
SELECT extname, extversion FROM pg_extension WHERE extname = 'slo';

-- An access list as text, in a fixed order (the order of its items means
-- nothing, and differs after grants are made again in another order).
CREATE FUNCTION pg_temp.acl(a aclitem[]) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT string_agg(i::text, ',' ORDER BY i::text) FROM unnest(a) i
$$;

-- Everything that describes the extension's objects, by name (no OIDs), in
-- both of its schemas: members; functions with their definitions, labels
-- and grants; relations with their columns, defaults, constraints,
-- indexes, triggers, row-level security policies and grants; what pg_dump
-- keeps; the shipped policies; and the triggers slo put on users' tables.
CREATE FUNCTION pg_temp.describe_slo() RETURNS TABLE (kind text, name text, detail text)
LANGUAGE sql AS $$
	WITH ext AS (SELECT oid, extconfig, extcondition FROM pg_extension WHERE extname = 'slo'),
	ns AS (SELECT oid FROM pg_namespace WHERE nspname IN ('slo', 'slo_internal'))
	SELECT 'member', pg_describe_object(d.classid, d.objid, 0), NULL
	FROM pg_depend d, ext
	WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
	UNION ALL
	SELECT 'function', p.oid::regprocedure::text,
		   concat_ws(' | ', CASE WHEN p.prokind <> 'a' THEN md5(pg_get_functiondef(p.oid)) END,
					 p.probin, p.prokind, p.provolatile, p.proparallel, p.proisstrict,
					 p.prosecdef, p.proleakproof, p.proconfig::text, pg_temp.acl(p.proacl), p.prorettype::regtype::text,
					 pg_get_function_arguments(p.oid))
	FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns)
	UNION ALL
	SELECT 'aggregate', a.aggfnoid::regprocedure::text,
		   concat_ws(' | ', a.aggtransfn::regprocedure, a.aggfinalfn, a.aggcombinefn, a.aggmtransfn,
					 a.aggminvtransfn, a.aggmfinalfn, a.aggtranstype::regtype, a.agginitval, a.aggfinalmodify)
	FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid WHERE p.pronamespace IN (SELECT oid FROM ns)
	UNION ALL
	SELECT 'relation', c.oid::regclass::text,
		   concat_ws(' | ', c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity, pg_temp.acl(c.relacl),
					 obj_description(c.oid, 'pg_class'),
					 CASE WHEN c.relkind = 'v' THEN md5(pg_get_viewdef(c.oid)) END)
	FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM ns)
	UNION ALL
	SELECT 'column', a.attrelid::regclass::text || '.' || a.attname,
		   concat_ws(' | ', a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
					 pg_get_expr(ad.adbin, ad.adrelid), pg_temp.acl(a.attacl), col_description(a.attrelid, a.attnum))
	FROM pg_attribute a
	JOIN pg_class c ON c.oid = a.attrelid
	LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	WHERE c.relnamespace IN (SELECT oid FROM ns) AND a.attnum > 0 AND NOT a.attisdropped
	UNION ALL
	SELECT 'constraint', co.conrelid::regclass::text || ' ' || co.conname, pg_get_constraintdef(co.oid)
	FROM pg_constraint co WHERE co.connamespace IN (SELECT oid FROM ns)
	UNION ALL
	SELECT 'index', i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
	FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace IN (SELECT oid FROM ns)
	UNION ALL
	SELECT 'trigger', t.tgrelid::regclass::text || ' ' || t.tgname, pg_get_triggerdef(t.oid)
	FROM pg_trigger t WHERE NOT t.tgisinternal
	  AND t.tgfoid IN (SELECT p.oid FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns))
	UNION ALL
	SELECT 'rls policy', pol.polrelid::regclass::text || ' ' || pol.polname,
		   concat_ws(' | ', pol.polcmd, pol.polpermissive,
					 (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END, ',' ORDER BY r) FROM unnest(pol.polroles) r),
					 pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid))
	FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid WHERE c.relnamespace IN (SELECT oid FROM ns)
	UNION ALL
	SELECT 'dumped', cfg.rel::regclass::text, cfg.cond
	FROM ext, unnest(ext.extconfig, ext.extcondition) AS cfg(rel, cond)
	UNION ALL
	SELECT 'type', t.oid::regtype::text,
		   concat_ws(' | ', t.typlen, t.typbyval, t.typalign, t.typstorage, pg_temp.acl(t.typacl),
					 t.typinput::regproc, t.typoutput::regproc, t.typreceive::regproc, t.typsend::regproc)
	FROM pg_type t WHERE t.typnamespace IN (SELECT oid FROM ns)
	UNION ALL
	SELECT 'schema', n.nspname, concat_ws(' | ', n.nspowner::regrole::text, pg_temp.acl(n.nspacl), obj_description(n.oid, 'pg_namespace'))
	FROM pg_namespace n WHERE n.oid IN (SELECT oid FROM ns)
	UNION ALL
	SELECT 'policy tier', t.policy || ' ' || t.threshold, concat_ws(' | ', p.measure, p.builtin, t.label, t.action, t.builtin)
	FROM slo.policy p JOIN slo.policy_tier t ON t.policy = p.name
	UNION ALL
	SELECT 'role grant', m.member::regrole::text, m.roleid::regrole::text
	FROM pg_auth_members m WHERE m.roleid::regrole::text IN ('slo_reader', 'slo_writer', 'slo_admin')
$$;

-- The users' data, kept across the whole file: two days of requests, a
-- forecast published every 3 hours but one (2 hours stale), a message bus.
CREATE SCHEMA upgrade_data;
CREATE TABLE upgrade_data.requests (ts timestamptz NOT NULL, ok boolean NOT NULL, latency_ms float8, region text);
INSERT INTO upgrade_data.requests
SELECT timestamptz '2026-11-18 12:00' + g * interval '1 minute', g % 97 <> 0, 50 + (g % 400), CASE WHEN g % 3 = 0 THEN 'EU' ELSE 'NA' END
FROM generate_series(0, 2879) g;
CREATE TABLE upgrade_data.forecasts (published_at timestamptz NOT NULL);
INSERT INTO upgrade_data.forecasts
SELECT timestamptz '2026-11-18 12:00' + g * interval '3 hours' FROM generate_series(0, 15) g WHERE g <> 10
UNION ALL VALUES (timestamptz '2026-11-20 11:00');
CREATE TABLE upgrade_data.messages (ts timestamptz NOT NULL, failed boolean NOT NULL);
INSERT INTO upgrade_data.messages
SELECT timestamptz '2026-11-20 06:00' + g * interval '5 seconds', g % 50 = 0 FROM generate_series(0, 4319) g;

-- The catalog, defined the same way on each side: every SLI kind, every
-- budgeting method, rolling and calendar windows, the built-in event table,
-- an SLA, a user policy, a correction, a manual freeze and probe events.
CREATE FUNCTION pg_temp.define_catalog() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM slo.define_service('api', team => 'platform', runbook_url => 'https://runbooks.example/api');
	PERFORM slo.define_service('forecast');
	PERFORM slo.define_service('bus');
	PERFORM slo.define_service('probe');
	INSERT INTO slo.policy (name, measure, description) VALUES ('strict', 'remaining', 'freeze below 90%');
	INSERT INTO slo.policy_tier (policy, threshold, label, action) VALUES
		('strict', 0.9, 'fine', 'normal'), ('strict', '-Infinity', 'frozen', 'freeze');
	PERFORM slo.define_objective('api', 'availability', source => 'upgrade_data.requests', good => 'ok',
								 target => 0.99, sla_target => 0.98, sla_window => '7 days', min_events => 100);
	PERFORM slo.define_objective('api', 'latency', source => 'upgrade_data.requests', value => 'latency_ms',
								 op => 'le', threshold => '300', valid => 'region = ''NA''', target => 0.9,
								 policy => 'strict');
	PERFORM slo.define_objective('api', 'ok-minutes', source => 'upgrade_data.requests', good => 'ok',
								 target => 0.99, budgeting => 'timeslices', slice => '5 minutes', slice_target => 0.99);
	PERFORM slo.define_objective('api', 'ratio-slices', source => 'upgrade_data.requests', good => 'ok',
								 target => 0.99, budgeting => 'ratio_timeslices', slice => '10 minutes');
	PERFORM slo.define_objective('api', 'p95', source => 'upgrade_data.requests', value => 'latency_ms',
								 percentile => 0.95, op => 'le', threshold => '400', target => 0.9,
								 budgeting => 'timeslices', slice => '30 minutes');
	PERFORM slo.define_objective('api', 'monthly', source => 'upgrade_data.requests', good => 'ok', target => 0.995,
								 window_kind => 'calendar', calendar_unit => 'month', time_zone => 'America/New_York');
	PERFORM slo.define_objective('api', 'weekly', source => 'upgrade_data.requests', good => 'ok', target => 0.995,
								 window_kind => 'calendar', window_length => '7 days', anchor => '2026-11-16 00:00+00');
	PERFORM slo.define_objective('forecast', 'fresh', source => 'upgrade_data.forecasts', time_column => 'published_at',
								 max_age => '4 hours', target => 0.9, window_length => '2 days');
	PERFORM slo.define_objective('bus', 'throughput', source => 'upgrade_data.messages', good => 'NOT failed',
								 target => 0.9, budgeting => 'timeslices', slice => '1 minute', slice_min_events => 10,
								 slice_target => 0.98, window_length => '1 day');
	PERFORM slo.define_objective('probe', 'http-ok', target => 0.9, window_length => '1 day');
	PERFORM slo.add_correction('api', 'availability', '[2026-11-19 03:00+00, 2026-11-19 04:00+00)', 'load test');
	PERFORM slo.freeze_service('bus', 'broker upgrade');
	PERFORM slo.record('probe', 'http-ok', g % 4 <> 0, NULL, timestamptz '2026-11-20 11:00' + g * interval '1 minute')
	FROM generate_series(0, 59) g;
END $$;

SELECT pg_temp.define_catalog();
CALL slo.tick(at => '2026-11-20 12:00:30+00');
SELECT objectives_evaluated, errors FROM slo.tick_log;

-- what a tick evaluates, for the comparisons below
CREATE FUNCTION pg_temp.status() RETURNS TABLE (service text, objective text, detail text) LANGUAGE sql AS $$
	SELECT s.service, s.objective,
		   concat_ws(' | ', s.objective_id, s.window_start, s.window_end, s.counted_until, s.valid, s.good, s.sli,
					 s.error_budget, s.budget_unit, s.consumed, s.remaining, s.burn_5m, s.burn_30m, s.burn_1h,
					 s.burn_6h, s.burn_1d, s.burn_3d, s.time_to_exhaustion, s.too_little_data, s.sla_sli,
					 s.tier, s.action, s.frozen, s.last_error)
	FROM slo.status s
$$;
SELECT service, objective, valid, good, tier, frozen, last_error FROM slo.status ORDER BY objective_id;

-- changes no tick has seen yet: noted per table, time column and transaction
INSERT INTO upgrade_data.requests VALUES ('2026-11-18 15:00:10', false, 700, 'NA'),
										 ('2026-11-20 11:59:10', false, 800, 'EU');
DELETE FROM upgrade_data.messages WHERE ts >= '2026-11-20 08:00' AND ts < '2026-11-20 08:01';
SELECT count(*) > 0 AS noted_before_update FROM slo_internal.invalidation;

ALTER EXTENSION slo UPDATE;
SELECT extname, extversion FROM pg_extension WHERE extname = 'slo';

-- What 0.7 adds works on the updated catalog: a contract on a user's table
-- (it rejects a row that breaks it) and an objective over its pass rate.
CREATE TABLE upgrade_data.leads (id int PRIMARY KEY, email text);
CREATE FUNCTION pg_temp.define_contracts() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM slo.define_service('crm');
	PERFORM slo.add_contract('upgrade_data.leads', 'lead-email', slo.email_shape('email'));
	PERFORM slo.define_objective('crm', 'lead-email-ok', contract => 'lead-email', target => 0.99);
END $$;
SELECT pg_temp.define_contracts();
INSERT INTO upgrade_data.leads VALUES (1, 'not an address');

-- The rollups and triggers carry on: more events, some late, and a tick.
INSERT INTO upgrade_data.requests VALUES ('2026-11-19 10:00:30', false, 900, 'NA'),
										 ('2026-11-20 12:00:10', false, 950, 'NA'),
										 ('2026-11-20 12:00:50', true, 60, 'EU');
INSERT INTO upgrade_data.forecasts VALUES ('2026-11-20 12:00:20');
-- (the built-in event table goes with the extension: recorded by a
-- function, to be recorded again on the fresh side)
CREATE FUNCTION pg_temp.more_probe_events() RETURNS void LANGUAGE sql AS $$
	SELECT slo.record('probe', 'http-ok', false, NULL, '2026-11-20 12:00:40+00')
$$;
SELECT pg_temp.more_probe_events();
CALL slo.tick(at => '2026-11-20 12:01:30+00');
SELECT objectives_evaluated, errors, buckets_recounted > 0 AS recounted FROM slo.tick_log ORDER BY id DESC LIMIT 1;
CREATE TEMP TABLE upgraded AS SELECT * FROM pg_temp.describe_slo();
CREATE TEMP TABLE upgraded_status AS SELECT * FROM pg_temp.status();
CREATE TEMP TABLE upgraded_freezes AS SELECT service, objective_id, kind FROM slo.deploy_freeze;
CREATE FUNCTION pg_temp.minutes() RETURNS TABLE (service text, objective text, bucket timestamptz, valid int8, good int8)
LANGUAGE sql AS $$
	SELECT o.service, o.name, m.bucket, m.valid, m.good
	FROM slo_internal.minutes m JOIN slo.objective o ON o.id = m.objective_id
$$;
CREATE TEMP TABLE upgraded_minutes AS SELECT * FROM pg_temp.minutes();
SELECT kind, count(*) > 0 AS described FROM upgraded GROUP BY kind ORDER BY kind;

-- A fresh install of this version, the same catalog, the same events.
DROP EXTENSION slo CASCADE;
CREATE EXTENSION slo;
SELECT extname, extversion FROM pg_extension WHERE extname = 'slo';
SELECT pg_temp.define_catalog();
SELECT pg_temp.define_contracts();
SELECT pg_temp.more_probe_events();
CALL slo.tick(at => '2026-11-20 12:01:30+00');
CREATE TEMP TABLE fresh AS SELECT * FROM pg_temp.describe_slo();
CREATE TEMP TABLE fresh_status AS SELECT * FROM pg_temp.status();
CREATE TEMP TABLE fresh_minutes AS SELECT * FROM pg_temp.minutes();

-- the same objects, both ways
SELECT 'only after update' AS "where", * FROM (SELECT * FROM upgraded EXCEPT SELECT * FROM fresh) u
UNION ALL
SELECT 'only in fresh', * FROM (SELECT * FROM fresh EXCEPT SELECT * FROM upgraded) f
ORDER BY 1, 2, 3;
SELECT (SELECT count(*) FROM upgraded) = (SELECT count(*) FROM fresh) AS same_count;
-- the same status, both ways
SELECT 'only after update' AS "where", * FROM (SELECT * FROM upgraded_status EXCEPT SELECT * FROM fresh_status) u
UNION ALL
SELECT 'only in fresh', * FROM (SELECT * FROM fresh_status EXCEPT SELECT * FROM upgraded_status) f
ORDER BY 1, 2, 3;
SELECT count(*) AS objectives FROM fresh_status;
-- the same rollups, minute by minute (the fresh side counted the source
-- rows from scratch)
SELECT 'only after update' AS "where", * FROM (SELECT * FROM upgraded_minutes EXCEPT SELECT * FROM fresh_minutes) u
UNION ALL
SELECT 'only in fresh', * FROM (SELECT * FROM fresh_minutes EXCEPT SELECT * FROM upgraded_minutes) f
ORDER BY 1, 2, 3, 4;
SELECT count(*) > 1000 AS minutes_compared FROM fresh_minutes;
-- the same freezes in force (their reasons say the budget when they were set)
SELECT 'only after update' AS "where", * FROM (SELECT * FROM upgraded_freezes EXCEPT SELECT service, objective_id, kind FROM slo.deploy_freeze) u
UNION ALL
SELECT 'only in fresh', * FROM (SELECT service, objective_id, kind FROM slo.deploy_freeze EXCEPT SELECT * FROM upgraded_freezes) f;
SELECT service, objective_id, kind FROM slo.deploy_freeze ORDER BY 1, 2 NULLS FIRST;

-- The whole path from 0.4, through 0.5 and 0.6: the same objects and the
-- same status as the fresh install.
DROP EXTENSION slo CASCADE;
CREATE EXTENSION slo VERSION '0.4';
SELECT pg_temp.define_catalog();
SELECT pg_temp.more_probe_events();
CALL slo.tick(at => '2026-11-20 12:01:30+00');
ALTER EXTENSION slo UPDATE;
SELECT extname, extversion FROM pg_extension WHERE extname = 'slo';
SELECT pg_temp.define_contracts();
CALL slo.tick(at => '2026-11-20 12:01:30+00');
SELECT 'only after 0.4 and three updates' AS "where", * FROM (SELECT * FROM pg_temp.describe_slo() EXCEPT SELECT * FROM fresh) u
UNION ALL
SELECT 'only in fresh', * FROM (SELECT * FROM fresh EXCEPT SELECT * FROM pg_temp.describe_slo()) f
ORDER BY 1, 2, 3;
SELECT 'only after 0.4 and three updates' AS "where", * FROM (SELECT * FROM pg_temp.status() EXCEPT SELECT * FROM fresh_status) u
UNION ALL
SELECT 'only in fresh', * FROM (SELECT * FROM fresh_status EXCEPT SELECT * FROM pg_temp.status()) f
ORDER BY 1, 2, 3;

-- clean up
DROP EXTENSION slo CASCADE;
CREATE EXTENSION slo;
DROP SCHEMA upgrade_data CASCADE;
RESET client_min_messages;
