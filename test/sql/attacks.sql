--
-- Attacks by a role holding only slo_writer and CREATE on a schema of its
-- own (mallory), each of which worked against 0.3, and what happens now:
--   1. reaching the extension owner's rights through the trigger on source tables;
--   2. stopping every tick with one objective's expression;
--   3. holding the tick's mutual exclusion (also test/specs/tick_lock.spec);
--   4. a C loop that ignores cancel (slo.percentiles);
--   5. rewriting the freeze record;
--   6. an expression that writes.
-- Each attack fails with a clear error and changes nothing: mallory is no
-- superuser, the other objectives are evaluated, the tick's log row is
-- written, every freeze change is recorded.
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
DROP ROLE IF EXISTS slo_test_mallory, slo_test_alice, slo_test_carol;
CREATE ROLE slo_test_mallory LOGIN IN ROLE slo_writer;
CREATE ROLE slo_test_alice LOGIN IN ROLE slo_writer;
CREATE ROLE slo_test_carol LOGIN;
CREATE SCHEMA mallory AUTHORIZATION slo_test_mallory;
CREATE SCHEMA alice AUTHORIZATION slo_test_alice;
GRANT USAGE ON SCHEMA mallory TO slo_test_carol;

-- Alice's objective, which every tick below must evaluate whatever
-- mallory does: 10 events, 1 bad.
SET ROLE slo_test_alice;
CREATE TABLE alice.orders (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO alice.orders SELECT timestamptz '2026-11-20 10:00' + g * interval '1 min', g <> 0 FROM generate_series(0, 9) g;
SELECT slo.define_service('alice-shop');
SELECT slo.define_objective('alice-shop', 'order-ok', source => 'alice.orders', good => 'ok', target => 0.8) IS NOT NULL AS defined;
RESET ROLE;
-- (its rollup built before the attacks begin)
CALL slo.tick(at => '2026-11-20 12:00+00');

------------------------------------------------------------------------------
-- 1. The trigger on source tables used to be SECURITY DEFINER and to read
--    the transition tables new_rows and old_rows by name: attached by
--    mallory to a table of her own without them, a temp view or table of
--    hers named new_rows stood in, and her function ran as the extension's
--    owner.  Now slo_internal.capture() is a C function that runs with the
--    writer's rights, reads the transition tables the trigger manager hands
--    it (no name is looked up), reads only timestamptz columns (no cast, no
--    function of anyone's), and writes notes that name only the table it
--    fired on.  Fired any other way it refuses.
------------------------------------------------------------------------------
SELECT p.prosecdef AS capture_is_security_definer, l.lanname
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.oid = 'slo_internal.capture'::regproc;
SET ROLE slo_test_mallory;
CREATE TABLE mallory.t (ts timestamptz);
CREATE FUNCTION mallory.escalate() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE 'ALTER ROLE slo_test_mallory SUPERUSER';
	RETURN now();
END $$;
SELECT slo.define_service('mallory-svc');
SELECT slo.define_objective('mallory-svc', 'mine', source => 'mallory.t', good => 'true', target => 0.9) IS NOT NULL AS defined;
-- (defining an objective on a table without triggers notes it as changed in
-- full: cleared here, to see only what follows)
RESET ROLE;
DELETE FROM slo_internal.invalidation;
SET ROLE slo_test_mallory;
-- a. a statement trigger without transition tables, and a temp view
CREATE TRIGGER grab AFTER INSERT ON mallory.t FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture('ts');
CREATE TEMP VIEW new_rows AS SELECT mallory.escalate() AS ts;
CREATE TEMP VIEW slo_new AS SELECT mallory.escalate() AS ts;
SELECT pg_temp.error($$INSERT INTO mallory.t VALUES (now()) RETURNING 1$$);
DROP TRIGGER grab ON mallory.t;
DROP VIEW new_rows, slo_new;
-- b. as a row trigger, and as a BEFORE statement trigger
CREATE TRIGGER grab AFTER INSERT ON mallory.t FOR EACH ROW EXECUTE FUNCTION slo_internal.capture('ts');
SELECT pg_temp.error($$INSERT INTO mallory.t VALUES (now()) RETURNING 1$$);
DROP TRIGGER grab ON mallory.t;
CREATE TRIGGER grab BEFORE INSERT ON mallory.t FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture('ts');
SELECT pg_temp.error($$INSERT INTO mallory.t VALUES (now()) RETURNING 1$$);
DROP TRIGGER grab ON mallory.t;
-- c. called directly
SELECT pg_temp.error($$SELECT slo_internal.capture()$$);
-- d. a time column of a type of hers with an implicit cast to timestamptz:
--    the column is not read (so her cast never runs); every minute of her
--    table is noted instead, and her insert goes through
CREATE TYPE mallory.stamp AS (t timestamptz);
CREATE FUNCTION mallory.stamp_to_ts(mallory.stamp) RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE 'ALTER ROLE slo_test_mallory SUPERUSER';
	RETURN ($1).t;
END $$;
CREATE CAST (mallory.stamp AS timestamptz) WITH FUNCTION mallory.stamp_to_ts(mallory.stamp) AS IMPLICIT;
CREATE TABLE mallory.s (ts mallory.stamp);
CREATE TRIGGER grab AFTER INSERT ON mallory.s REFERENCING NEW TABLE AS slo_new
	FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture('ts', 'no_such_column');
INSERT INTO mallory.s VALUES (row(now()));
-- e. her own copy of slo's trigger, exactly as slo makes it, on her table
--    and on Alice's (which she cannot: not the owner)
CREATE TRIGGER grab AFTER INSERT ON mallory.t REFERENCING NEW TABLE AS slo_new
	FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture('ts');
INSERT INTO mallory.t VALUES ('2026-11-20 10:00:30+00');
SELECT pg_temp.error($$CREATE TRIGGER grab AFTER INSERT ON alice.orders REFERENCING NEW TABLE AS slo_new
	FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture('ts')$$);
-- f. she cannot write a note of her own, nor read or remove anyone's
SELECT pg_temp.error($$INSERT INTO slo_internal.invalidation VALUES ('mallory.t'::regclass, 'ts', '{(,)}', now())$$);
SELECT pg_temp.error($$DELETE FROM slo_internal.invalidation$$);
-- nor make the tick recount Alice's table from scratch
SELECT pg_temp.error($$SELECT slo_internal.note_all_changed(
	(SELECT c.oid FROM pg_class c WHERE c.relname = 'orders' AND c.relnamespace = 'alice'::regnamespace), '{ts}')$$);
SELECT pg_temp.error($$SELECT slo.attach_triggers((SELECT c.oid FROM pg_class c WHERE c.relname = 'orders'
	AND c.relnamespace = 'alice'::regnamespace)::regclass, recount => true)$$);
RESET ROLE;
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'slo_test_mallory';
-- her tables only: the slo trigger and her copy each noted mallory.t
-- (slo.attach_triggers() made the first), and mallory.s in full
SELECT relid::regclass AS source, time_column, changed FROM slo_internal.invalidation ORDER BY 1, 2, 3;
DELETE FROM slo_internal.invalidation;

------------------------------------------------------------------------------
-- 2. One owner's expression used to stop every tick: PL/pgSQL's EXCEPTION
--    WHEN OTHERS does not catch query_canceled or assert_failure, and a
--    slow expression ran without limit.  Now each objective's failure, of
--    any kind, is recorded on it and in the tick's log, its work is rolled
--    back (its invalidation notes stay for the next tick), and the tick goes
--    on.  The counting query has a time limit, slo.query_timeout.
------------------------------------------------------------------------------
SET ROLE slo_test_mallory;
CREATE TABLE mallory.ev (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO mallory.ev SELECT timestamptz '2026-11-20 10:00' + g * interval '1 min', true FROM generate_series(0, 9) g;
-- each raises only on a real row, so that the check at definition passes
CREATE FUNCTION mallory.fake_cancel(t timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	IF t IS NOT NULL THEN
		RAISE EXCEPTION 'canceling statement due to user request' USING ERRCODE = 'query_canceled';
	END IF;
	RETURN true;
END $$;
CREATE FUNCTION mallory.assert_fails(t timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	ASSERT t IS NULL, 'mallory asserts';
	RETURN true;
END $$;
CREATE FUNCTION mallory.slow(t timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	IF t IS NOT NULL THEN
		PERFORM pg_sleep(30);
	END IF;
	RETURN true;
END $$;
CREATE FUNCTION mallory.plain_error(t timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	IF t IS NOT NULL THEN
		RAISE EXCEPTION 'mallory says no';
	END IF;
	RETURN true;
END $$;
-- one that fails only once a bad event comes
CREATE FUNCTION mallory.fails_on_bad(ok boolean) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	IF NOT ok THEN
		RAISE EXCEPTION 'mallory fails late';
	END IF;
	RETURN ok;
END $$;
SELECT slo.define_objective('mallory-svc', 'late-error', source => 'mallory.ev', good => 'mallory.fails_on_bad(ok)', target => 0.9) IS NOT NULL AS defined;
SELECT slo.define_objective('mallory-svc', 'fake-cancel', source => 'mallory.ev', good => 'mallory.fake_cancel(ts)', target => 0.9) IS NOT NULL AS defined;
SELECT slo.define_objective('mallory-svc', 'assert', source => 'mallory.ev', good => 'mallory.assert_fails(ts)', target => 0.9) IS NOT NULL AS defined;
SELECT slo.define_objective('mallory-svc', 'slow', source => 'mallory.ev', good => 'mallory.slow(ts)', target => 0.9) IS NOT NULL AS defined;
SELECT slo.define_objective('mallory-svc', 'plain-error', source => 'mallory.ev', good => 'mallory.plain_error(ts)', target => 0.9) IS NOT NULL AS defined;
RESET ROLE;
UPDATE slo.objective SET enabled = false WHERE name = 'mine';
SET slo.query_timeout = '300ms';
CALL slo.tick(at => '2026-11-20 12:00+00');
-- the tick's log row, with every failure
SELECT objectives_evaluated, errors, skipped FROM slo.tick_log ORDER BY id DESC LIMIT 1;
SELECT f->>'objective' AS objective, f->>'sqlstate' AS sqlstate, f->>'message' AS message
FROM slo.tick_log l, jsonb_array_elements(l.failures) f
WHERE l.id = (SELECT max(id) FROM slo.tick_log) ORDER BY 1;
-- and on each objective; Alice's was evaluated.  Mallory's counting took
-- all of slo.query_timeout in this tick (her slow objective): plain-error,
-- next in line, waits for the next tick, still backfilling.  No owner holds
-- the tick up for longer than that.
SELECT objective, valid, good, backfilling, last_error_sqlstate, last_error FROM slo.status ORDER BY service, objective;
-- Late rows for every objective: Alice's are recounted; late-error, which
-- now fails, keeps the minute to recount for the next tick (its work was
-- rolled back); the others, never counted, are tried again, those that did
-- not fail last time first (so plain-error gets its turn before slow).
INSERT INTO mallory.ev VALUES ('2026-11-20 10:00:30+00', false);
INSERT INTO alice.orders VALUES ('2026-11-20 10:00:30+00', false);
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT o.name, p.changed AS still_to_recount
FROM slo.objective o LEFT JOIN slo_internal.pending p ON p.objective_id = o.id
WHERE o.enabled ORDER BY o.name;
SELECT objective, valid, good FROM slo.status WHERE service = 'alice-shop';
-- A cancel of the tick itself still stops the tick: here the session's own
-- statement_timeout, while mallory's slow objective runs with no limit of
-- its own.  It writes no log row (what its steps committed before is kept:
-- each step leaves the rollups right).
SET slo.query_timeout = 0;
SET statement_timeout = '300ms';
\set VERBOSITY terse
CALL slo.tick(at => '2026-11-20 12:00+00');
\set VERBOSITY default
RESET statement_timeout;
RESET slo.query_timeout;
SELECT count(*) AS ticks_logged FROM slo.tick_log;
UPDATE slo.objective SET enabled = false WHERE service = 'mallory-svc';

------------------------------------------------------------------------------
-- 3. Any role could block the tick forever by holding the advisory lock it
--    used.  Now ticks exclude each other with a lock on slo_internal.tick_lock that
--    only roles allowed to run the tick may take (test/specs/tick_lock.spec
--    shows it with two sessions); the advisory lock means nothing to it.
------------------------------------------------------------------------------
SET ROLE slo_test_carol;
SELECT pg_advisory_lock(hashtext('slo.tick')::int8) IS NOT NULL AS holds_old_lock;
SELECT pg_temp.error($$LOCK TABLE slo_internal.tick_lock IN EXCLUSIVE MODE NOWAIT$$);
SELECT pg_temp.error($$LOCK TABLE slo_internal.tick_lock IN ACCESS SHARE MODE$$);
RESET ROLE;
SET ROLE slo_test_mallory;
SELECT pg_temp.error($$LOCK TABLE slo_internal.tick_lock IN EXCLUSIVE MODE NOWAIT$$);
SELECT pg_temp.error($$SELECT 1 FROM slo_internal.tick_lock FOR UPDATE$$);
SELECT pg_temp.error($$CALL slo.tick()$$);
RESET ROLE;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT skipped, objectives_evaluated FROM slo.tick_log ORDER BY id DESC LIMIT 1;
SELECT pg_advisory_unlock_all();

------------------------------------------------------------------------------
-- 4. slo.percentiles() cost quantiles x bins and ignored cancel: 10^5
--    quantiles of a sketch of 2^20 bins ran 18.5 s under statement_timeout
--    = 2s.  It now makes one pass over the bins for all of them.
------------------------------------------------------------------------------
SET ROLE slo_test_mallory;
CREATE TEMP TABLE wide AS
SELECT slo.sketch(exp(g * 0.0002::float8), 0.0001) AS s FROM generate_series(-524287, 524288) g;
SELECT slo.sketch_count(s) AS values_held, octet_length(s::text) > 2000000 AS wide FROM wide;
SET statement_timeout = '2s';
SELECT cardinality(slo.percentiles(s, array(SELECT g / 100000.0 FROM generate_series(1, 100000) g))) AS answers,
	   (slo.percentiles(s, ARRAY[0.5, 0, 1, 0.25]))[1:4] = ARRAY[slo.percentile(s, 0.5), slo.sketch_min(s),
	   slo.sketch_max(s), slo.percentile(s, 0.25)] AS same_as_one_by_one
FROM wide;
RESET statement_timeout;
RESET ROLE;

------------------------------------------------------------------------------
-- 5. The freeze record could be rewritten: a writer deleted a policy freeze
--    of its own service without a trace and wrote history rows in any name.
--    Now a freeze is set and lifted in the name of the role that does it,
--    a lift needs a reason, nothing is deleted or rewritten, and the
--    history is read from the freezes themselves.
------------------------------------------------------------------------------
-- mallory's service gets a policy freeze from the tick: 10 events, 10 bad
SET ROLE slo_test_mallory;
CREATE TABLE mallory.bad (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO mallory.bad SELECT timestamptz '2026-11-20 10:00' + g * interval '1 min', false FROM generate_series(0, 9) g;
SELECT slo.define_objective('mallory-svc', 'burning', source => 'mallory.bad', good => 'ok', target => 0.9,
		policy => 'freeze-on-burn') IS NOT NULL AS defined;
RESET ROLE;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT service, kind, set_by FROM slo.deploy_freeze;
SET ROLE slo_test_mallory;
SELECT slo.deploy_allowed('mallory-svc');
-- a. delete it, through the view or the table
SELECT pg_temp.error($$WITH d AS (DELETE FROM slo.deploy_freeze RETURNING 1) SELECT count(*) FROM d$$);
SELECT pg_temp.error($$WITH d AS (DELETE FROM slo.freezes RETURNING 1) SELECT count(*) FROM d$$);
-- b. write history
SELECT pg_temp.error($$INSERT INTO slo.freeze_history (service, change, kind, reason, changed_by)
	VALUES ('mallory-svc', 'lift', 'policy', 'fixed', 'postgres') RETURNING 1$$);
-- c. lift it in somebody else's name, or without a reason, or rewrite it
SELECT pg_temp.error($$WITH u AS (UPDATE slo.freezes SET lifted_at = now(), lifted_by = 'postgres', lift_reason = 'fixed' RETURNING 1) SELECT count(*) FROM u$$);
SELECT pg_temp.error($$WITH u AS (UPDATE slo.freezes SET lifted_at = now(), lifted_by = current_user, lift_reason = ' ' RETURNING 1) SELECT count(*) FROM u$$);
SELECT pg_temp.error($$WITH u AS (UPDATE slo.freezes SET lifted_at = '2026-01-01', lifted_by = current_user, lift_reason = 'long ago' RETURNING 1) SELECT count(*) FROM u$$);
SELECT pg_temp.error($$WITH u AS (UPDATE slo.freezes SET reason = 'nothing to see' RETURNING 1) SELECT count(*) FROM u$$);
SELECT pg_temp.error($$WITH u AS (UPDATE slo.freezes SET set_by = 'postgres' RETURNING 1) SELECT count(*) FROM u$$);
SELECT pg_temp.error($$SELECT slo.unfreeze_service('mallory-svc', NULL)$$);
-- d. set freezes in another name, backdated, of the policy kind, or on a
--    service that is not hers
SELECT pg_temp.error($$INSERT INTO slo.freezes (service, kind, reason, set_by) VALUES ('mallory-svc', 'manual', 'x', 'postgres') RETURNING 1$$);
SELECT pg_temp.error($$INSERT INTO slo.freezes (service, kind, reason, since) VALUES ('mallory-svc', 'manual', 'x', '2026-01-01') RETURNING 1$$);
SELECT pg_temp.error($$INSERT INTO slo.freezes (service, objective_id, kind, reason) SELECT 'mallory-svc', id, 'policy', 'x' FROM slo.objective WHERE name = 'mine' RETURNING 1$$);
SELECT pg_temp.error($$INSERT INTO slo.freezes (service, kind, reason) VALUES ('alice-shop', 'manual', 'x') RETURNING 1$$);
SELECT pg_temp.error($$SELECT slo.freeze_service('alice-shop', 'x')$$);
-- e. what she may do: lift it in her own name, with a reason
SELECT slo.unfreeze_service('mallory-svc', 'hotfix for the outage must ship');
SELECT slo.deploy_allowed('mallory-svc');
-- and a lifted freeze stays lifted
SELECT pg_temp.error($$WITH u AS (UPDATE slo.freezes SET lifted_at = NULL RETURNING 1) SELECT count(*) FROM u$$);
RESET ROLE;
SELECT service, change, kind, changed_by, reason FROM slo.freeze_history
WHERE service = 'mallory-svc' ORDER BY changed_at, freeze_id, change DESC;
UPDATE slo.objective SET enabled = false WHERE service = 'mallory-svc';

------------------------------------------------------------------------------
-- 6. An expression with side effects ran once per row during the tick.  The
--    counting query now runs read-only: an expression that writes fails on
--    its objective, with the error, and writes nothing.
------------------------------------------------------------------------------
SET ROLE slo_test_mallory;
CREATE TABLE mallory.loot (ts timestamptz);
CREATE SEQUENCE mallory.counter;
CREATE FUNCTION mallory.take(t timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	IF t IS NOT NULL THEN
		INSERT INTO mallory.loot VALUES (t);
	END IF;
	RETURN true;
END $$;
SELECT slo.define_objective('mallory-svc', 'writes', source => 'mallory.ev', good => 'mallory.take(ts)', target => 0.9) IS NOT NULL AS defined;
SELECT slo.define_objective('mallory-svc', 'counts', source => 'mallory.ev',
		good => 'nextval(''mallory.counter'') > 0', target => 0.9) IS NOT NULL AS defined;
RESET ROLE;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT objective, valid, last_error_sqlstate, last_error FROM slo.status
WHERE objective IN ('writes', 'counts', 'order-ok') ORDER BY objective;
SELECT count(*) AS rows_written FROM mallory.loot;
SELECT last_value, is_called FROM mallory.counter;

------------------------------------------------------------------------------
-- clean up the cluster-wide roles
------------------------------------------------------------------------------
RESET ROLE;
DELETE FROM slo.freezes;
DELETE FROM slo.objective;
DELETE FROM slo.service;
DELETE FROM slo_internal.invalidation;
DROP SCHEMA mallory, alice CASCADE;
DROP OWNED BY slo_test_mallory, slo_test_alice, slo_test_carol;
DROP ROLE slo_test_mallory, slo_test_alice, slo_test_carol;
SELECT count(*) AS test_roles_left FROM pg_roles WHERE rolname LIKE 'slo\_test\_%';
RESET client_min_messages;
