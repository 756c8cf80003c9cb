--
-- Rights: objectives are evaluated with the rights of the role that defined
-- them, never with those of whoever runs the tick; only a source table's
-- owner (or slo_admin) may define objectives on it; slo_reader reads and
-- changes nothing; slo.deploy_allowed() answers anyone.
--
-- Roles are cluster-wide: these have names of their own and are dropped at
-- the end.
--
SET TIME ZONE 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';

-- start from an empty catalog: the suite's files share one database
DELETE FROM slo.freezes;
DELETE FROM slo.objective;
DELETE FROM slo.service;
DELETE FROM slo.event;
DELETE FROM slo_internal.invalidation;
DELETE FROM slo.tick_log;

CREATE FUNCTION pg_temp.error(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; st text; m text; d text;
BEGIN
	EXECUTE q INTO r;
	RETURN 'ok: ' || coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
	RETURN st || ': ' || m || coalesce(' | ' || nullif(d, ''), '');
END $$;

SET client_min_messages = warning;
DROP ROLE IF EXISTS slo_test_alice, slo_test_bob, slo_test_reader, slo_test_admin, slo_test_carol;
CREATE ROLE slo_test_alice LOGIN IN ROLE slo_writer;
CREATE ROLE slo_test_bob LOGIN IN ROLE slo_writer;
CREATE ROLE slo_test_reader LOGIN IN ROLE slo_reader;
CREATE ROLE slo_test_admin LOGIN IN ROLE slo_admin;
CREATE ROLE slo_test_carol LOGIN;

CREATE SCHEMA security;
GRANT USAGE, CREATE ON SCHEMA security TO slo_test_alice, slo_test_bob;
GRANT USAGE ON SCHEMA security TO slo_test_reader, slo_test_admin, slo_test_carol;
SET search_path = security, public;

-- a table only the superuser may read
CREATE TABLE security.secret (code text);
INSERT INTO security.secret VALUES ('the launch codes');

------------------------------------------------------------------------------
-- Alice owns a table and a service, and defines an objective on it.
------------------------------------------------------------------------------
SET ROLE slo_test_alice;
CREATE TABLE security.orders (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO security.orders SELECT timestamptz '2026-11-20 10:00' + g * interval '1 min', g % 10 <> 0 FROM generate_series(0, 59) g;
-- how her functions tell who ran them: a warning (the counting query runs
-- read-only, so they cannot write it down)
CREATE FUNCTION security.note(step text, note text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	RAISE WARNING 'alice''s note: % | as % | %', step, current_user, coalesce(note, '-');
END $$;
SELECT slo.define_service('orders', team => 'alice''s team');
SELECT slo.define_objective('orders', 'order-ok', source => 'orders', good => 'ok', target => 0.8) IS NOT NULL AS defined;
-- her expressions are checked as her: she may not read the secret table
SELECT pg_temp.error($$SELECT slo.define_objective('orders', 'peek', source => 'orders',
		good => '(SELECT count(*) FROM security.secret) > 0', target => 0.8)$$);
RESET ROLE;
SELECT name, owner, team FROM slo.service;
SELECT service, name, owner FROM slo.objective;

------------------------------------------------------------------------------
-- Bob may not define objectives on Alice's table, nor write hers.
------------------------------------------------------------------------------
SET ROLE slo_test_bob;
-- he cannot read it, so the check of his expression fails first
SELECT pg_temp.error($$SELECT slo.define_objective('orders', 'bobs', source => 'orders', good => 'ok', target => 0.8)$$);
RESET ROLE;
GRANT SELECT ON security.orders TO slo_test_bob;
SET ROLE slo_test_bob;
-- reading is not owning
SELECT pg_temp.error($$SELECT slo.define_objective('orders', 'bobs', source => 'orders', good => 'ok', target => 0.8)$$);
-- nor can he write the catalog directly, around slo.define_objective()
SELECT pg_temp.error($$INSERT INTO slo.objective (service, name, sli_kind, source, time_column, good_expr,
		target, window_kind, window_length, search_path)
	VALUES ('orders', 'bobs', 'ratio', 'security.orders', 'ts', 'ok', 0.8, 'rolling', '28 days', 'public')
	RETURNING id$$);
SELECT pg_temp.error($$WITH u AS (UPDATE slo.objective SET good_expr = 'true' RETURNING 1) SELECT count(*) FROM u$$);
SELECT pg_temp.error($$WITH d AS (DELETE FROM slo.objective RETURNING 1) SELECT count(*) FROM d$$);
SELECT pg_temp.error($$WITH u AS (UPDATE slo.service SET team = 'bob''s team' RETURNING 1) SELECT count(*) FROM u$$);
SELECT pg_temp.error($$SELECT slo.define_service('orders', owner => 'slo_test_bob')$$);
SELECT pg_temp.error($$SELECT slo.add_correction('orders', 'order-ok', '[2026-11-20 10:00+00, 2026-11-20 11:00+00)', 'hide it')$$);
SELECT pg_temp.error($$SELECT slo.freeze_service('orders', 'bob says so')$$);
SELECT pg_temp.error($$SELECT slo.unfreeze_service('orders', 'bob says so')$$);
-- nor hang an objective over his own table on her service (its policy could
-- freeze her deploys)
CREATE TABLE security.bobs_events (ts timestamptz NOT NULL, ok boolean NOT NULL);
SELECT pg_temp.error($$SELECT slo.define_objective('orders', 'bobs-own', source => 'security.bobs_events', good => 'ok', target => 0.8, policy => 'freeze-on-burn')$$);
DROP TABLE security.bobs_events;
SELECT pg_temp.error($$SELECT slo.record('orders', 'order-ok', true)$$);
SELECT pg_temp.error($$CALL slo.tick()$$);
SELECT pg_temp.error($$SELECT count(*) FROM slo_internal.query_counts_as('slo_test_alice', 'public', 'SELECT now(), 1::int8, 1::int8', NULL, NULL, NULL)$$);
RESET ROLE;
SELECT service, name, owner, good_expr FROM slo.objective;

------------------------------------------------------------------------------
-- Expressions run as their owner, never as whoever runs the tick.
------------------------------------------------------------------------------
-- 1. An objective whose good expression reads the secret table.  Alice may
--    read it while she defines the objective, and not afterwards.
GRANT SELECT ON security.secret TO slo_test_alice;
SET ROLE slo_test_alice;
SELECT slo.define_objective('orders', 'peek', source => 'orders',
		good => '(SELECT count(*) FROM security.secret) > 0', target => 0.8) IS NOT NULL AS defined;
RESET ROLE;
REVOKE SELECT ON security.secret FROM slo_test_alice;

-- 2. A function that reads the secret table only when it sees a real row,
--    so that the check at definition time passes.
SET ROLE slo_test_alice;
CREATE FUNCTION security.sneaky(t timestamptz) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	IF t IS NULL THEN
		RETURN true;
	END IF;
	RETURN (SELECT count(*) FROM security.secret) > 0;
END $$;
SELECT slo.define_objective('orders', 'sneaky', source => 'orders', good => 'security.sneaky(ts)', target => 0.8) IS NOT NULL AS defined;

-- 3. A function that tries every way back to the rights of the session's
--    user, and says what happened and as whom.
CREATE FUNCTION security.as_postgres() RETURNS text LANGUAGE sql SET role = 'postgres' AS $$ SELECT current_user::text $$;
CREATE TABLE security.alice_deferred (who text);
CREATE FUNCTION security.note_who() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM security.note('deferred trigger', NULL);
	RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER note_who AFTER INSERT ON security.alice_deferred
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION security.note_who();
CREATE FUNCTION security.escape(t timestamptz) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	IF t IS NULL OR t <> '2026-11-20 10:00+00' THEN
		RETURN true;
	END IF;
	PERFORM security.note('start', NULL);
	BEGIN
		SET ROLE postgres;
		PERFORM security.note('SET ROLE', 'succeeded');
	EXCEPTION WHEN OTHERS THEN
		PERFORM security.note('SET ROLE', SQLSTATE || ': ' || SQLERRM);
	END;
	BEGIN
		PERFORM set_config('role', 'postgres', false);
		PERFORM security.note('set_config role', 'succeeded');
	EXCEPTION WHEN OTHERS THEN
		PERFORM security.note('set_config role', SQLSTATE || ': ' || SQLERRM);
	END;
	BEGIN
		RESET ROLE;
		PERFORM security.note('RESET ROLE', 'succeeded');
	EXCEPTION WHEN OTHERS THEN
		PERFORM security.note('RESET ROLE', SQLSTATE || ': ' || SQLERRM);
	END;
	BEGIN
		SET SESSION AUTHORIZATION postgres;
		PERFORM security.note('SET SESSION AUTHORIZATION', 'succeeded');
	EXCEPTION WHEN OTHERS THEN
		PERFORM security.note('SET SESSION AUTHORIZATION', SQLSTATE || ': ' || SQLERRM);
	END;
	BEGIN
		PERFORM security.note('function with SET role', 'succeeded as ' || security.as_postgres());
	EXCEPTION WHEN OTHERS THEN
		PERFORM security.note('function with SET role', SQLSTATE || ': ' || SQLERRM);
	END;
	BEGIN
		INSERT INTO security.alice_deferred VALUES (current_user);
		PERFORM security.note('deferred trigger queued', 'succeeded');
	EXCEPTION WHEN OTHERS THEN
		PERFORM security.note('deferred trigger queued', SQLSTATE || ': ' || SQLERRM);
	END;
	BEGIN
		CREATE TEMP TABLE alice_temp (x int);
		PERFORM security.note('CREATE TEMP TABLE', 'succeeded');
	EXCEPTION WHEN OTHERS THEN
		PERFORM security.note('CREATE TEMP TABLE', SQLSTATE || ': ' || SQLERRM);
	END;
	PERFORM security.note('end', NULL);
	RETURN true;
END $$;
SELECT slo.define_objective('orders', 'escape', source => 'orders', good => 'security.escape(ts)', target => 0.8) IS NOT NULL AS defined;
-- (the check at definition time called it with a NULL row: no note)

-- 4. Her time column changed to a type of her own with an implicit cast:
--    the statement trigger that notes changed minutes runs with the
--    extension owner's rights and must never run her cast function.
CREATE TABLE security.gadgets (ts timestamptz NOT NULL, ok boolean NOT NULL);
SELECT slo.define_objective('orders', 'gadget-ok', source => 'gadgets', good => 'ok', target => 0.8) IS NOT NULL AS defined;
CREATE TYPE security.stamp AS (t timestamptz);
CREATE FUNCTION security.stamp_to_ts(security.stamp) RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	PERFORM security.note('cast', NULL);
	RETURN ($1).t;
END $$;
CREATE CAST (security.stamp AS timestamptz) WITH FUNCTION security.stamp_to_ts(security.stamp) AS IMPLICIT;
ALTER TABLE security.gadgets ALTER COLUMN ts TYPE security.stamp USING row(ts)::security.stamp;
-- (no note: the trigger did not run her cast)
INSERT INTO security.gadgets VALUES (row('2026-11-20 10:00+00')::security.stamp, true);
RESET ROLE;

-- The tick, run by the superuser: "peek" and "sneaky" fail with the
-- permission error of their owner, and the others go on.  Alice's notes
-- (warnings) say what her functions saw: every escape failed, and her
-- cast ran as her, in the counting query.
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT buckets_recounted > 0 AS counted, objectives_evaluated, errors, skipped FROM slo.tick_log ORDER BY id DESC LIMIT 1;
SELECT objective, valid, good, last_error FROM slo.status ORDER BY objective;
SELECT rolsuper AS alice_is_superuser FROM pg_roles WHERE rolname = 'slo_test_alice';
SELECT count(*) AS deferred_rows FROM security.alice_deferred;

------------------------------------------------------------------------------
-- slo_internal.query_counts_as() lends no one's rights: the caller must be a member
-- of the owner role (or a superuser).
------------------------------------------------------------------------------
SET ROLE slo_test_admin;
SELECT pg_temp.error($$SELECT count(*) FROM slo_internal.query_counts_as('slo_test_alice', 'public',
		'SELECT now(), 1::int8, 1::int8', NULL, NULL, NULL)$$);
SELECT pg_temp.error($$SELECT count(*) FROM slo_internal.query_counts_as('postgres', 'public',
		'SELECT now(), 1::int8, 1::int8', NULL, NULL, NULL)$$);
-- as itself it may
SELECT pg_temp.error($$SELECT valid FROM slo_internal.query_counts_as('slo_test_admin', 'public',
		'SELECT $1, 2::int8, 1::int8', '2026-11-20 10:00+00', NULL, NULL)$$);
-- and it runs nothing but a query of the right shape
SELECT pg_temp.error($$SELECT count(*) FROM slo_internal.query_counts_as('slo_test_admin', 'public',
		'SELECT now(), 1, 1', NULL, NULL, NULL)$$);
SELECT pg_temp.error($$SELECT count(*) FROM slo_internal.query_counts_as('slo_test_admin', 'public',
		'DELETE FROM slo.tick_log', NULL, NULL, NULL)$$);
SELECT pg_temp.error($$SELECT count(*) FROM slo_internal.query_counts_as(NULL, 'public', 'SELECT now(), 1::int8, 1::int8', NULL, NULL, NULL)$$);
-- A tick run by slo_admin cannot recount the objectives of roles it is not
-- a member of: Alice's that need counting (the two never counted) fail with
-- that error, recorded in their status; the others are evaluated from their
-- rollup.
CALL slo.tick(at => '2026-11-20 12:00+00');
RESET ROLE;
SELECT errors, objectives_evaluated FROM slo.tick_log ORDER BY id DESC LIMIT 1;
SELECT objective, last_error FROM slo.status ORDER BY objective;
-- a member of Alice's role may
GRANT slo_test_alice TO slo_test_admin;
SET ROLE slo_test_admin;
SELECT pg_temp.error($$SELECT sum(valid) FROM slo_internal.query_counts_as('slo_test_alice', 'security, public',
		'SELECT min(ts), count(*), count(*) FILTER (WHERE ok) FROM security.orders', NULL, NULL, NULL)$$);
-- (names do not resolve in schema security for Alice's SQL: Bob may
-- create objects there too, so it is left out of her search_path)
SELECT pg_temp.error($$SELECT sum(valid) FROM slo_internal.query_counts_as('slo_test_alice', 'security, public',
		'SELECT min(ts), count(*), count(*) FILTER (WHERE ok) FROM orders', NULL, NULL, NULL)$$);
RESET ROLE;
REVOKE slo_test_alice FROM slo_test_admin;

------------------------------------------------------------------------------
-- slo_reader reads everything and changes nothing.
------------------------------------------------------------------------------
SET ROLE slo_test_reader;
SELECT count(*) AS status_rows FROM slo.status;
-- every table and view of schema slo
CREATE FUNCTION pg_temp.read_all(OUT relation text, OUT result text) RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE r regclass;
BEGIN
	FOR r IN SELECT c.oid FROM pg_class c WHERE c.relnamespace IN ('slo'::regnamespace, 'slo_internal'::regnamespace) AND c.relkind IN ('r', 'v')
			 ORDER BY c.relname LOOP
		relation := r::text;
		result := pg_temp.error(format('SELECT count(*) >= 0 FROM %s', r));
		RETURN NEXT;
	END LOOP;
END $$;
SELECT * FROM pg_temp.read_all();
-- writes: refused outright, or (row-level security) nothing of others' to touch
CREATE FUNCTION pg_temp.write_all(OUT relation text, OUT op text, OUT result text) RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE r regclass;
BEGIN
	FOR r IN SELECT c.oid FROM pg_class c WHERE c.relnamespace IN ('slo'::regnamespace, 'slo_internal'::regnamespace) AND c.relkind = 'r'
			 ORDER BY c.relname LOOP
		relation := r::text;
		IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = r AND attnum = 2) THEN
			-- (slo_internal.tick_lock: no columns, only a lock to take)
			op := 'LOCK';
			result := pg_temp.error(format('LOCK TABLE %s IN EXCLUSIVE MODE NOWAIT', r));
			RETURN NEXT;
			CONTINUE;
		END IF;
		op := 'UPDATE';
		result := pg_temp.error(format('WITH u AS (UPDATE %s SET %I = %I RETURNING 1) SELECT count(*) FROM u', r,
									   (SELECT attname FROM pg_attribute WHERE attrelid = r AND attnum = 2),
									   (SELECT attname FROM pg_attribute WHERE attrelid = r AND attnum = 2)));
		RETURN NEXT;
		op := 'DELETE';
		result := pg_temp.error(format('WITH d AS (DELETE FROM %s RETURNING 1) SELECT count(*) FROM d', r));
		RETURN NEXT;
	END LOOP;
END $$;
SELECT * FROM pg_temp.write_all();
SELECT pg_temp.error($$INSERT INTO slo.rollup VALUES (1, now(), 1, 1) RETURNING 1$$);
SELECT pg_temp.error($$INSERT INTO slo.evaluation (objective_id, evaluated_at) VALUES (1, now()) RETURNING 1$$);
SELECT pg_temp.error($$INSERT INTO slo.policy (name, measure) VALUES ('mine', 'remaining') RETURNING 1$$);
SELECT pg_temp.error($$INSERT INTO slo.service (name, owner) VALUES ('not-mine', 'slo_test_alice') RETURNING 1$$);
SELECT pg_temp.error($$INSERT INTO slo.deploy_freeze (service, reason, set_by, kind) VALUES ('orders', 'x', 'me', 'manual') RETURNING 1$$);
SELECT pg_temp.error($$INSERT INTO slo.freeze_history (service, change, kind, reason, changed_by) VALUES ('orders', 'lift', 'manual', 'x', 'me') RETURNING 1$$);
SELECT pg_temp.error($$SELECT slo.freeze_service('orders', 'reader says so')$$);
SELECT pg_temp.error($$SELECT slo.define_objective('orders', 'mine', source => 'security.orders', good => 'ok', target => 0.8)$$);
SELECT pg_temp.error($$CALL slo.tick(at => '2026-11-20 12:00+00')$$);
SELECT pg_temp.error($$SELECT slo.record('orders', 'order-ok', true)$$);
-- nor create a service of its own: writing is for slo_writer
SELECT pg_temp.error($$SELECT slo.define_service('readers-own')$$);
SELECT pg_temp.error($$INSERT INTO slo.service (name) VALUES ('readers-own') RETURNING 1$$);
RESET ROLE;

------------------------------------------------------------------------------
-- slo.deploy_allowed() answers a role with no other privilege at all.
------------------------------------------------------------------------------
SELECT slo.freeze_service('orders', 'release train paused');
SET ROLE slo_test_carol;
SELECT slo.deploy_allowed('orders');
SELECT pg_temp.error($$SELECT slo.deploy_allowed('no-such-service')$$);
-- Without slo_reader it may not read the status, nor the evaluated and
-- derived tables, nor the configuration: reading is for slo_reader.
SELECT * FROM pg_temp.read_all();
RESET ROLE;

------------------------------------------------------------------------------
-- slo_admin may define objectives on others' tables and freeze their
-- services.  (It needs SELECT on the table, and its own objective is
-- evaluated with its own rights.)
------------------------------------------------------------------------------
GRANT SELECT ON security.orders TO slo_test_admin;
SET ROLE slo_test_admin;
SELECT slo.define_objective('orders', 'admin-view', source => 'security.orders', good => 'ok', target => 0.8) IS NOT NULL AS defined;
SELECT slo.unfreeze_service('orders', 'admin lifts it');
SELECT slo.deploy_allowed('orders');
RESET ROLE;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT objective, valid, good, last_error FROM slo.status WHERE objective = 'admin-view';
SELECT service, name, owner FROM slo.objective ORDER BY name;
SELECT service, change, kind, reason, changed_by FROM slo.freeze_history ORDER BY changed_at, freeze_id, change DESC;

------------------------------------------------------------------------------
-- clean up the cluster-wide roles
------------------------------------------------------------------------------
DELETE FROM slo.freezes;
DELETE FROM slo.objective;
DELETE FROM slo.service;
DROP SCHEMA security CASCADE;
DROP OWNED BY slo_test_alice, slo_test_bob, slo_test_reader, slo_test_admin, slo_test_carol;
DROP ROLE slo_test_alice, slo_test_bob, slo_test_reader, slo_test_admin, slo_test_carol;
SELECT count(*) AS test_roles_left FROM pg_roles WHERE rolname LIKE 'slo\_test\_%';
RESET client_min_messages;
