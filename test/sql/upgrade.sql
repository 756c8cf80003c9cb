--
-- The upgrade path 0.1 -> 0.2: a 0.1 install works with the current shared
-- library, ALTER EXTENSION slo UPDATE brings it to 0.2, and the upgraded
-- extension's objects are the same as those of a fresh 0.2 install.
--
SET TIME ZONE 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET client_min_messages = warning;

-- pg_regress installed 0.2; the files before this one hang triggers and
-- objectives on it, which go with it
DROP EXTENSION slo CASCADE;
CREATE EXTENSION slo VERSION '0.1';
SELECT extname, extversion FROM pg_extension WHERE extname = 'slo';
SELECT count(*) AS members FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'slo');
SELECT to_regclass('slo.objective') IS NULL AS no_catalog_yet;

-- 0.1's aggregates on the current shared library:
-- 10 values, 7 within 250 ms; 10 outcomes, 2 bad against 0.9:
-- burn = (2/10)/0.1 = 2, budget remaining = 1 - 2/(0.1*10) = -1
SELECT slo.p_within(ms, 250) AS p_fast,
	   slo.p_within(ok) AS p_ok,
	   round(slo.burn_rate(ok, 0.9)::numeric, 6) AS burn,
	   round(slo.budget_remaining(ok, 0.9)::numeric, 6) AS remaining,
	   round(slo.burn_rate(CASE WHEN ok THEN 1 ELSE 0 END::int8, 1::int8, 0.9)::numeric, 6) AS burn_of_counts
FROM (VALUES (100.0, true), (200, true), (250, true), (251, false), (300, true),
			 (10, true), (20, false), (30, true), (400, true), (249.9, true)) v(ms, ok);
SELECT slo.p_within(x, interval '2 minutes') FROM (VALUES (interval '1 minute'), ('3 minutes')) v(x);
-- the state type, its text form and a moving window
SELECT 'valid=3 good=2'::slo.tally;
SELECT ts, slo.p_within(ok) OVER (ORDER BY ts ROWS 1 PRECEDING) AS last_two
FROM (VALUES (1, true), (2, false), (3, true), (4, true)) v(ts, ok) ORDER BY ts;
SELECT round(slo.burn_rate_of(98, 100, 0.99)::numeric, 6) AS burn_of, round(slo.budget_remaining_of(98, 100, 0.99)::numeric, 6) AS remaining_of;

-- a user's objects that depend on 0.1's
CREATE TABLE user_tallies (day date, t slo.tally);
INSERT INTO user_tallies VALUES ('2026-11-20', 'valid=10 good=9');
CREATE TABLE user_events (ok boolean);
INSERT INTO user_events VALUES (true), (true), (false), (true);
CREATE VIEW user_sli AS SELECT slo.p_within(ok) AS sli FROM user_events;

-- the roles 0.2 creates already exist (cluster-wide, left by DROP EXTENSION)
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname IN ('slo_reader', 'slo_admin') ORDER BY rolname;

ALTER EXTENSION slo UPDATE;
SELECT extname, extversion FROM pg_extension WHERE extname = 'slo';
-- they still work
SELECT day, t FROM user_tallies;
SELECT sli FROM user_sli;
DROP VIEW user_sli;
DROP TABLE user_tallies;

-- Everything that describes the extension's objects, by name (no OIDs):
-- members; functions with their body, settings, labels and grants;
-- relations with their columns, defaults, constraints, indexes, triggers,
-- row-level security policies and grants; what pg_dump keeps; the
-- shipped policies.
CREATE FUNCTION pg_temp.describe_slo() RETURNS TABLE (kind text, name text, detail text)
LANGUAGE sql AS $$
	WITH ext AS (SELECT oid, extconfig, extcondition FROM pg_extension WHERE extname = 'slo')
	SELECT 'member', pg_describe_object(d.classid, d.objid, 0), NULL
	FROM pg_depend d, ext
	WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
	UNION ALL
	SELECT 'function', p.oid::regprocedure::text,
		   concat_ws(' | ', md5(p.prosrc), p.probin, p.prokind, p.provolatile, p.proparallel, p.proisstrict,
					 p.prosecdef, p.proleakproof, p.proconfig::text, p.proacl::text, p.prorettype::regtype::text,
					 pg_get_function_arguments(p.oid))
	FROM pg_proc p WHERE p.pronamespace = 'slo'::regnamespace
	UNION ALL
	SELECT 'relation', c.oid::regclass::text,
		   concat_ws(' | ', c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity, c.relacl::text,
					 obj_description(c.oid, 'pg_class'),
					 CASE WHEN c.relkind = 'v' THEN md5(pg_get_viewdef(c.oid)) END)
	FROM pg_class c WHERE c.relnamespace = 'slo'::regnamespace
	UNION ALL
	SELECT 'column', a.attrelid::regclass::text || '.' || a.attname,
		   concat_ws(' | ', a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
					 pg_get_expr(ad.adbin, ad.adrelid), a.attacl::text)
	FROM pg_attribute a
	JOIN pg_class c ON c.oid = a.attrelid
	LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	WHERE c.relnamespace = 'slo'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
	UNION ALL
	SELECT 'constraint', co.conrelid::regclass::text || ' ' || co.conname, pg_get_constraintdef(co.oid)
	FROM pg_constraint co WHERE co.connamespace = 'slo'::regnamespace
	UNION ALL
	SELECT 'index', i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
	FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'slo'::regnamespace
	UNION ALL
	SELECT 'trigger', t.tgrelid::regclass::text || ' ' || t.tgname, pg_get_triggerdef(t.oid)
	FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
	WHERE c.relnamespace = 'slo'::regnamespace AND NOT t.tgisinternal
	UNION ALL
	SELECT 'rls policy', pol.polrelid::regclass::text || ' ' || pol.polname,
		   concat_ws(' | ', pol.polcmd, pol.polpermissive,
					 (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END, ',' ORDER BY r) FROM unnest(pol.polroles) r),
					 pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid))
	FROM pg_policy pol JOIN pg_class c ON c.oid = pol.polrelid WHERE c.relnamespace = 'slo'::regnamespace
	UNION ALL
	SELECT 'dumped', cfg.rel::regclass::text, cfg.cond
	FROM ext, unnest(ext.extconfig, ext.extcondition) AS cfg(rel, cond)
	UNION ALL
	SELECT 'type', t.oid::regtype::text, concat_ws(' | ', t.typlen, t.typbyval, t.typalign, t.typstorage, t.typacl::text)
	FROM pg_type t WHERE t.typnamespace = 'slo'::regnamespace
	UNION ALL
	SELECT 'schema', n.nspname, concat_ws(' | ', n.nspowner::regrole::text, n.nspacl::text)
	FROM pg_namespace n WHERE n.nspname = 'slo'
	UNION ALL
	SELECT 'policy tier', t.policy || ' ' || t.threshold, concat_ws(' | ', p.measure, p.builtin, t.label, t.action, t.builtin)
	FROM slo.policy p JOIN slo.policy_tier t ON t.policy = p.name
	UNION ALL
	SELECT 'role grant', m.member::regrole::text, m.roleid::regrole::text
	FROM pg_auth_members m WHERE m.roleid::regrole::text IN ('slo_reader', 'slo_admin')
$$;
CREATE TEMP TABLE upgraded AS SELECT * FROM pg_temp.describe_slo();
SELECT kind, count(*) > 0 AS described FROM upgraded GROUP BY kind ORDER BY kind;

-- the upgraded catalog works: one objective, one tick
CREATE TABLE upgrade_events (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO upgrade_events SELECT timestamptz '2026-11-20 10:00' + g * interval '1 min', g % 4 <> 0 FROM generate_series(0, 7) g;
SELECT slo.define_service('upgraded');
SELECT slo.define_objective('upgraded', 'ok', source => 'upgrade_events', good => 'ok', target => 0.5) IS NOT NULL AS defined;
CALL slo.tick(at => '2026-11-20 12:00+00');
-- 8 events, 2 bad: SLI 0.75; budget 4; consumed 0.5
SELECT service, objective, valid, good, sli, error_budget, consumed, remaining, tier FROM slo.status;

-- Now a fresh 0.2.  (There is no slo--0.2.sql yet, so CREATE EXTENSION
-- runs the same two scripts; this comparison starts to bite when a full
-- install script is added.)
DROP EXTENSION slo CASCADE;
CREATE EXTENSION slo;
SELECT extname, extversion FROM pg_extension WHERE extname = 'slo';
CREATE TEMP TABLE fresh AS SELECT * FROM pg_temp.describe_slo();

-- the same, both ways
SELECT 'only after upgrade' AS "where", * FROM (SELECT * FROM upgraded EXCEPT SELECT * FROM fresh) u
UNION ALL
SELECT 'only in fresh 0.2', * FROM (SELECT * FROM fresh EXCEPT SELECT * FROM upgraded) f
ORDER BY 1, 2, 3;
SELECT (SELECT count(*) FROM upgraded) = (SELECT count(*) FROM fresh) AS same_count;

RESET client_min_messages;
