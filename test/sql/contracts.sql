--
-- Data contracts: every kind of rule, enforce and record, where rows are
-- written (INSERT, UPDATE, COPY, partitions); what is logged and counted,
-- and what a rollback takes away; bad definitions; rows already there; the
-- pass rate as an objective, equal to a recount; and who may do what.
--
SET TIME ZONE 'UTC';
SET DateStyle = 'ISO, YMD';

-- start from an empty catalog: the suite's files share one database
DELETE FROM slo.freezes;
DELETE FROM slo.objective;
DELETE FROM slo.service;
DELETE FROM slo.contract;
DELETE FROM slo_internal.invalidation;

-- run q; say how many rows it touched, or its error
CREATE FUNCTION pg_temp.error(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE n int8; st text; m text; d text;
BEGIN
	EXECUTE q;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN 'ok: ' || n || ' rows';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
	RETURN st || ': ' || m || coalesce(' | ' || nullif(d, ''), '');
END $$;

SET client_min_messages = warning;
DROP ROLE IF EXISTS slo_test_owner, slo_test_app, slo_test_mallory;
CREATE ROLE slo_test_owner LOGIN IN ROLE slo_writer;
CREATE ROLE slo_test_app LOGIN;
CREATE ROLE slo_test_mallory LOGIN IN ROLE slo_writer;
RESET client_min_messages;

CREATE SCHEMA crm AUTHORIZATION slo_test_owner;
CREATE SCHEMA mal AUTHORIZATION slo_test_mallory;
GRANT USAGE ON SCHEMA crm TO slo_test_app, slo_test_mallory;
SET ROLE slo_test_owner;
SET search_path = crm, public;
CREATE TABLE crm.territories (code text PRIMARY KEY, name text);
INSERT INTO crm.territories VALUES ('EMEA', 'Europe'), ('NA', 'North America'), ('APAC', 'Asia Pacific');
CREATE TABLE crm.leads (
	id int PRIMARY KEY,
	email text,
	territory text,
	amount numeric,
	stage text,
	created_at timestamptz
);
GRANT SELECT, INSERT, UPDATE ON crm.leads TO slo_test_app;

------------------------------------------------------------------------------
-- Adding contracts: the two of the revenue team, and one of each other kind
------------------------------------------------------------------------------
SELECT slo.add_contract('crm.leads', 'lead-email-shape', slo.email_shape('email'), mode => 'enforce') > 0 AS added;
SELECT slo.add_contract('crm.leads', 'lead-territory-known',
						slo.member_of('territory', 'crm.territories', 'code'), mode => 'record') > 0 AS added;
SELECT slo.add_contract('leads', 'lead-has-email', slo.not_null('email'), 'record') > 0 AS added;
SELECT slo.add_contract('leads', 'lead-amount-sane', slo.in_range('amount', 0, 1000000), 'record') > 0 AS added;
SELECT slo.add_contract('leads', 'lead-stage-known', slo.one_of('stage', 'new', 'won', 'lost'), 'enforce') > 0 AS added;
SELECT slo.add_contract('leads', 'won-has-amount', slo.expression('stage <> ''won'' OR amount > 0'), 'record') > 0 AS added;
SELECT name, tbl, kind, column_name, ref_table, ref_column, lower_bound, upper_bound, allowed, expression, mode, enabled, owner
FROM slo.contract ORDER BY id;
SELECT tgname, tgtype, tgenabled FROM pg_trigger WHERE tgrelid = 'crm.leads'::regclass AND NOT tgisinternal;

------------------------------------------------------------------------------
-- Enforce: the row is rejected with 23514, naming contract, table, column
-- and value
------------------------------------------------------------------------------
SET ROLE slo_test_app;
INSERT INTO crm.leads VALUES (1, 'ana@example.com', 'EMEA', 100, 'new', '2026-12-01 10:00');
SELECT pg_temp.error($$INSERT INTO crm.leads VALUES (2, 'not-an-address', 'EMEA', 1, 'new', now())$$);
SELECT pg_temp.error($$INSERT INTO crm.leads VALUES (2, 'bo@example', 'EMEA', 1, 'new', now())$$);
SELECT pg_temp.error($$INSERT INTO crm.leads VALUES (2, 'bo@example.com', 'EMEA', 1, 'maybe', now())$$);
SELECT pg_temp.error($$UPDATE crm.leads SET email = 'oops' WHERE id = 1$$);
-- the e-mail shape ignores case; NULL passes every kind but not_null
INSERT INTO crm.leads VALUES (2, 'BO.SMITH+crm@Example.CO.UK', 'NA', 5, 'won', '2026-12-01 10:01');
-- the error's fields name the table and the column
DO $$
DECLARE st text; sch text; tab text; col text;
BEGIN
	INSERT INTO crm.leads VALUES (3, 'x y@example.com', 'NA', 5, 'new', now());
EXCEPTION WHEN check_violation THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, sch = SCHEMA_NAME, tab = TABLE_NAME, col = COLUMN_NAME;
	RAISE NOTICE 'sqlstate %, schema %, table %, column %', st, sch, tab, col;
END $$;

------------------------------------------------------------------------------
-- Record: the row is kept and the violation logged, with row key and
-- values; an UPDATE that leaves the checked columns alone logs nothing
------------------------------------------------------------------------------
INSERT INTO crm.leads VALUES (3, 'cy@example.com', 'LATAM', 5, 'new', '2026-12-01 10:02');
INSERT INTO crm.leads VALUES (4, NULL, NULL, -3, 'won', '2026-12-01 10:03');
UPDATE crm.leads SET created_at = created_at + interval '1 second' WHERE id IN (3, 4);
UPDATE crm.leads SET amount = 7 WHERE id = 4;
RESET ROLE;
SELECT contract, tbl, row_key, offending, written_by FROM slo.contract_violations ORDER BY contract, row_key::text;

-- a rolled-back transaction leaves neither its rows nor its violations
-- nor its counts; a rolled-back savepoint takes its own away
SELECT count(*) AS tallies_before FROM slo_internal.contract_tally \gset
BEGIN;
SET LOCAL ROLE slo_test_app;
INSERT INTO crm.leads VALUES (10, 'dee@example.com', 'MARS', 1, 'new', now());
ROLLBACK;
BEGIN;
SET LOCAL ROLE slo_test_app;
INSERT INTO crm.leads VALUES (11, 'eve@example.com', 'EMEA', 1, 'new', now());
SAVEPOINT s;
INSERT INTO crm.leads VALUES (12, 'fay@example.com', 'MOON', 1, 'new', now());
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT count(*) FILTER (WHERE row_key = '{"id": "10"}' OR row_key = '{"id": "12"}') AS rolled_back_violations
FROM slo.contract_violation;
SELECT c.name, sum(t.checked) AS checked, sum(t.failed) AS failed
FROM slo.contract c LEFT JOIN slo_internal.contract_tally t ON t.contract_id = c.id
GROUP BY c.id, c.name ORDER BY c.id;

------------------------------------------------------------------------------
-- COPY, text and binary, and a partitioned table
------------------------------------------------------------------------------
SET ROLE slo_test_app;
COPY crm.leads FROM stdin;
20	gil@example.com	APAC	10	new	2026-12-01 11:00:00+00
21	hal@example.com	NOWHERE	10	lost	2026-12-01 11:00:00+00
\.
SELECT pg_temp.error($$COPY crm.leads FROM PROGRAM 'true'$$) LIKE '42501%' AS copy_from_program_refused;
RESET ROLE;
COPY (SELECT 22, 'ivy@example.com', 'NA', 3::numeric, 'new', timestamptz '2026-12-01 11:00') TO '/tmp/slo_contracts_test.bin' WITH (FORMAT binary);
COPY crm.leads FROM '/tmp/slo_contracts_test.bin' WITH (FORMAT binary);
COPY (SELECT 23, 'bad address', 'NA', 3::numeric, 'new', timestamptz '2026-12-01 11:00') TO '/tmp/slo_contracts_test.bin' WITH (FORMAT binary);
SELECT pg_temp.error($$COPY crm.leads FROM '/tmp/slo_contracts_test.bin' WITH (FORMAT binary)$$);
SELECT id, territory FROM crm.leads WHERE id >= 20 ORDER BY id;

SET ROLE slo_test_owner;
CREATE TABLE crm.events (id int, kind text, at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE crm.events_nov PARTITION OF crm.events FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
SELECT slo.add_contract('crm.events', 'event-kind', slo.one_of('kind', 'click', 'view'), 'enforce') > 0 AS added;
-- a partition made later, with its columns in another order, gets the trigger too
CREATE TABLE crm.events_dec (at timestamptz NOT NULL, kind text, id int);
ALTER TABLE crm.events ATTACH PARTITION crm.events_dec FOR VALUES FROM ('2026-12-01') TO ('2027-01-01');
INSERT INTO crm.events VALUES (1, 'click', '2026-11-05'), (2, 'view', '2026-12-05');
SELECT pg_temp.error($$INSERT INTO crm.events VALUES (3, 'hover', '2026-12-05')$$);
SELECT pg_temp.error($$INSERT INTO crm.events_nov VALUES (4, 'hover', '2026-11-05')$$);
SELECT pg_temp.error($$INSERT INTO crm.events_dec (id, kind, at) VALUES (5, 'scroll', '2026-12-06')$$);
SELECT pg_temp.error($$UPDATE crm.events SET kind = 'tap' WHERE id = 1$$);
SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgname = 'slo_contracts' AND c.relname LIKE 'events%' ORDER BY 1;
RESET ROLE;

------------------------------------------------------------------------------
-- Bad definitions are refused when they are made
------------------------------------------------------------------------------
SET ROLE slo_test_owner;
CREATE TABLE crm.ref_no_key (code text);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-column', slo.email_shape('mail'))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-type', slo.email_shape('amount'))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-ref', slo.member_of('territory', 'crm.ref_no_key', 'code'))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-ref-type', slo.member_of('amount', 'crm.territories', 'code'))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-ref-column', slo.member_of('territory', 'crm.territories', 'nope'))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-expr-type', slo.expression('amount + 1'))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-expr-column', slo.expression('price > 0'))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-expr-subquery', slo.expression('EXISTS (SELECT 1 FROM crm.territories)'))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-expr-agg', slo.expression('count(*) > 0'))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-expr-escape', slo.expression('true) FROM crm.territories WHERE (true'))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-expr-union', slo.expression('true) UNION SELECT (false'))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-range', slo.in_range('amount', 10, 1))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-range-literal', slo.in_range('created_at', 'soon'::text, NULL))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-one-of', slo.one_of('amount', 'one', 'two'))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-rule', '{"kind": "vibes"}')$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'bad-mode', slo.not_null('email'), 'warn')$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', ' padded', slo.not_null('email'))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.events', 'lead-email-shape', slo.not_null('kind'))$$);
SELECT pg_temp.error($$SELECT slo.add_contract('crm.territories_pkey', 'on-index', slo.not_null('code'))$$);
CREATE TEMP TABLE scratch (a int);
SELECT pg_temp.error($$SELECT slo.add_contract('scratch', 'on-temp', slo.not_null('a'))$$);
SELECT count(*) AS contracts, count(*) FILTER (WHERE name LIKE 'bad%') AS bad_ones FROM slo.contract;
RESET ROLE;

------------------------------------------------------------------------------
-- Rows already there: those that predate a contract, or lost their
-- reference data (deleting a territory still in use is reported by this
-- check, which can be scheduled)
------------------------------------------------------------------------------
SET ROLE slo_test_owner;
DELETE FROM crm.territories WHERE code = 'APAC';
SELECT * FROM slo.check_contract('lead-territory-known') ORDER BY row_key::text;
SELECT count(*) AS limited FROM slo.check_contract('lead-territory-known', max_rows => 1);
RESET ROLE;
SELECT slo.run_contract_checks() AS violations_found;
SELECT c.name, k.rows_read, k.violations, k.error IS NULL AS ok
FROM slo.contract_check k JOIN slo.contract c ON c.id = k.contract_id ORDER BY c.id;
SELECT contract, kind, mode, enabled, last_check_rows, last_check_violations FROM slo.contract_status ORDER BY contract;

------------------------------------------------------------------------------
-- Pass rate as an objective: folded by the tick, counted like any other
-- objective, and equal to a recount of the tallies
------------------------------------------------------------------------------
SET ROLE slo_test_owner;
SELECT slo.define_service('crm') AS service;
SELECT slo.define_objective('crm', 'attribution-ok', contract => 'lead-territory-known', target => 0.995,
							window_length => '1 day') > 0 AS defined;
SELECT pg_temp.error($$SELECT slo.define_objective('crm', 'both', contract => 'lead-territory-known', good => 'true', target => 0.9)$$);
SELECT pg_temp.error($$SELECT slo.define_objective('crm', 'nope', contract => 'no-such-contract', target => 0.9)$$);
SELECT sli_kind, source, contract FROM slo.objective WHERE name = 'attribution-ok';
RESET ROLE;
-- (a tick counts whole minutes: one a little ahead counts this one)
CALL slo.tick(at => now() + interval '2 minutes');
SELECT count(*) AS unfolded FROM slo_internal.contract_tally;
SELECT s.valid, s.good, s.sli = s.good::float8 / s.valid AS sli_is_ratio, s.last_error
FROM slo.status s WHERE s.objective = 'attribution-ok';
-- the objective's minutes equal the contract's pass rate, minute by minute
SELECT count(*) AS mismatches FROM (
	SELECT m.bucket, m.valid, m.good FROM slo_internal.minutes m
	JOIN slo.objective o ON o.id = m.objective_id WHERE o.name = 'attribution-ok'
	EXCEPT
	SELECT r.minute, r.checked, r.checked - r.failed FROM slo.contract_rate r
	JOIN slo.contract c ON c.id = r.contract_id WHERE c.name = 'lead-territory-known'
) d;
SELECT count(*) > 0 AS minutes_compared FROM slo_internal.minutes m
JOIN slo.objective o ON o.id = m.objective_id WHERE o.name = 'attribution-ok';
-- more writes, and a second tick folds them in
SET ROLE slo_test_app;
INSERT INTO crm.leads VALUES (30, 'jo@example.com', 'EMEA', 1, 'new', now()), (31, 'kim@example.com', 'ZZ', 1, 'new', now());
RESET ROLE;
CALL slo.tick(at => now() + interval '3 minutes');
SELECT s.valid, s.good FROM slo.status s WHERE s.objective = 'attribution-ok';
SELECT sum(checked) AS checked, sum(failed) AS failed FROM slo.contract_pass_rate WHERE contract = 'lead-territory-known';

------------------------------------------------------------------------------
-- Rights: only the table's owner (or slo_admin) adds, changes, disables or
-- drops its contracts; nobody writes the logs; disabling is recorded
------------------------------------------------------------------------------
SET ROLE slo_test_mallory;
SELECT pg_temp.error($$SELECT slo.add_contract('crm.leads', 'mallory-rule', slo.not_null('email'))$$);
SELECT pg_temp.error($$SELECT slo.disable_contract('lead-email-shape', 'in my way')$$);
SELECT pg_temp.error($$SELECT slo.set_contract_mode('lead-email-shape', 'record')$$);
SELECT pg_temp.error($$SELECT slo.drop_contract('lead-email-shape')$$);
SELECT pg_temp.error($$UPDATE slo.contract SET enabled = false, disabled_reason = 'x' WHERE name = 'lead-email-shape' RETURNING name$$);
SELECT pg_temp.error($$DELETE FROM slo.contract WHERE name = 'lead-email-shape' RETURNING name$$);
SELECT pg_temp.error($$INSERT INTO slo.contract_change (contract_id, contract, tbl, action, definition, changed_by, changed_at) VALUES (1, 'x', 'x', 'add', '{}', 'x', now()) RETURNING id$$);
SELECT pg_temp.error($$INSERT INTO slo.contract_violation VALUES (1, 'crm.leads', NULL, '{}', now(), 'x') RETURNING 1$$);
SELECT pg_temp.error($$INSERT INTO slo_internal.contract_tally VALUES (1, now(), 1000, 0) RETURNING 1$$);
SELECT pg_temp.error($$ALTER TABLE crm.leads DISABLE TRIGGER slo_contracts$$);
SELECT pg_temp.error($$SELECT slo.check_contract('lead-territory-known')$$);
-- the trigger function runs only as the contract trigger
CREATE TABLE mal.mallory_t (email text);
SELECT pg_temp.error($$CREATE TRIGGER t AFTER INSERT ON mal.mallory_t FOR EACH ROW EXECUTE FUNCTION slo_internal.check_contracts()$$);
SELECT pg_temp.error($$INSERT INTO mal.mallory_t VALUES ('x')$$);
SELECT pg_temp.error($$SELECT slo_internal.check_contracts()$$);
SELECT pg_temp.error($$CREATE TRIGGER t AFTER INSERT ON mal.mallory_t FOR EACH ROW EXECUTE FUNCTION slo_internal.contract_after_write()$$);
SELECT pg_temp.error($$SELECT slo_internal.compile_contracts('crm.leads', true)$$);
DROP TABLE mal.mallory_t;
RESET ROLE;

-- the writer cannot get round an enforcing contract
SET ROLE slo_test_app;
SELECT pg_temp.error($$ALTER TABLE crm.leads DISABLE TRIGGER ALL$$);
SELECT pg_temp.error($$SET session_replication_role = replica$$);
RESET ROLE;

-- nor can the table's owner, but by disabling its contracts: no DDL may
-- disable, drop or outrun the trigger, or break a contract's definition
SET ROLE slo_test_owner;
SELECT pg_temp.error($$ALTER TABLE crm.leads DISABLE TRIGGER slo_contracts$$);
SELECT pg_temp.error($$ALTER TABLE crm.leads DISABLE TRIGGER ALL$$);
SELECT pg_temp.error($$ALTER TABLE crm.events_dec DISABLE TRIGGER slo_contracts$$);
SELECT pg_temp.error($$DROP TRIGGER slo_contracts ON crm.leads$$);
CREATE FUNCTION crm.scrub() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.email := 'scrubbed'; RETURN NEW; END $$;
SELECT pg_temp.error($$CREATE TRIGGER zz_scrub BEFORE INSERT ON crm.leads FOR EACH ROW EXECUTE FUNCTION crm.scrub()$$);
SELECT pg_temp.error($$CREATE TRIGGER aa_scrub BEFORE INSERT ON crm.leads FOR EACH ROW EXECUTE FUNCTION crm.scrub()$$);
SELECT pg_temp.error($$ALTER TRIGGER aa_scrub ON crm.leads RENAME TO zz_scrub$$);
SELECT pg_temp.error($$INSERT INTO crm.leads VALUES (60, 'no@example.com', 'EMEA', 1, 'new', now())$$);
DROP TRIGGER aa_scrub ON crm.leads;
SELECT pg_temp.error($$ALTER TABLE crm.leads DROP COLUMN email$$);
SELECT pg_temp.error($$ALTER TABLE crm.leads RENAME COLUMN stage TO phase$$);
SELECT pg_temp.error($$ALTER TABLE crm.territories DROP CONSTRAINT territories_pkey$$);
SELECT pg_temp.error($$DROP TABLE crm.territories$$);
RESET ROLE;

-- the owner disables one, with a reason, and it is recorded
SET ROLE slo_test_owner;
SELECT pg_temp.error($$SELECT slo.disable_contract('lead-email-shape', '')$$);
SELECT pg_temp.error($$SELECT slo.set_contract_mode('lead-email-shape', 'warn')$$);
SELECT pg_temp.error($$SELECT slo.enable_contract('no-such-contract')$$);
SELECT pg_temp.error($$UPDATE slo.contract SET enabled = false WHERE name = 'lead-email-shape' RETURNING name$$);
SELECT slo.disable_contract('lead-email-shape', 'vendor import of legacy leads, CHG-1234');
SET ROLE slo_test_app;
INSERT INTO crm.leads VALUES (40, 'legacy', 'EMEA', 1, 'new', now());
RESET ROLE;
SET ROLE slo_test_owner;
SELECT slo.enable_contract('lead-email-shape');
SELECT slo.set_contract_mode('lead-territory-known', 'enforce');
SET ROLE slo_test_app;
SELECT pg_temp.error($$INSERT INTO crm.leads VALUES (41, 'legacy', 'EMEA', 1, 'new', now())$$);
SELECT pg_temp.error($$INSERT INTO crm.leads VALUES (41, 'lu@example.com', 'ZZ', 1, 'new', now())$$);
RESET ROLE;
SELECT contract, tbl, action, reason, changed_by, definition ->> 'mode' AS mode
FROM slo.contract_change WHERE contract IN ('lead-email-shape', 'lead-territory-known') ORDER BY id;
SELECT pg_temp.error($$UPDATE slo.contract SET tbl = 'crm.territories' WHERE name = 'lead-email-shape' RETURNING name$$);

------------------------------------------------------------------------------
-- Nothing the trigger runs resolves a name through the writer's pg_temp: a
-- function of the owner's, called by an expression, finds the owner's
-- table, not a temporary one of the writer's of the same name
------------------------------------------------------------------------------
SET ROLE slo_test_owner;
SELECT slo.set_contract_mode('lead-territory-known', 'record');
CREATE FUNCTION crm.territory_exists(t text) RETURNS boolean LANGUAGE plpgsql STABLE
AS $$ BEGIN RETURN EXISTS (SELECT 1 FROM territories WHERE code = t); END $$;
SELECT slo.add_contract('crm.leads', 'territory-exists', slo.expression('crm.territory_exists(territory)'), 'enforce') > 0 AS added;
SET ROLE slo_test_app;
CREATE TEMP TABLE territories (code text);
INSERT INTO territories VALUES ('FAKE');
SELECT pg_temp.error($$INSERT INTO crm.leads VALUES (50, 'mo@example.com', 'FAKE', 1, 'new', now())$$);
SELECT pg_temp.error($$INSERT INTO crm.leads VALUES (50, 'mo@example.com', 'EMEA', 1, 'new', now())$$);
DROP TABLE pg_temp.territories;
RESET ROLE;
SET ROLE slo_test_owner;
SELECT slo.drop_contract('territory-exists');

-- dropping a table's last contract takes its trigger away
SELECT slo.drop_contract('event-kind');
SELECT count(*) AS triggers_left FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgname = 'slo_contracts' AND c.relname LIKE 'events%';
SELECT pg_temp.error($$SELECT slo.drop_contract('event-kind')$$);
RESET ROLE;

------------------------------------------------------------------------------
-- Attacks from a fresh-eyes review (2026-12-06), each now failing
------------------------------------------------------------------------------
-- 1. A better-matching function in a schema of the owner's path that
-- someone else can create in is not what the owner's expression calls: such
-- schemas are left out of the path contracts are compiled with
CREATE SCHEMA shared_tools;
GRANT USAGE, CREATE ON SCHEMA shared_tools TO slo_test_owner, slo_test_mallory;
SET ROLE slo_test_owner;
CREATE TABLE crm.nicks (id int PRIMARY KEY, nick varchar(50));
GRANT INSERT ON crm.nicks TO slo_test_mallory;
SET search_path = crm, shared_tools, public;
SELECT pg_temp.error($$SELECT slo.add_contract('crm.nicks', 'nick-short', slo.expression('length(nick) < 40'))$$);
RESET ROLE;
SET ROLE slo_test_mallory;
CREATE TABLE shared_tools.loot (who name);
GRANT INSERT ON shared_tools.loot TO PUBLIC;
CREATE FUNCTION shared_tools.length(varchar) RETURNS int LANGUAGE plpgsql
AS $$ BEGIN INSERT INTO shared_tools.loot VALUES (current_user); RETURN 1; END $$;
SELECT pg_temp.error($$INSERT INTO crm.nicks VALUES (1, 'hi')$$);
SELECT count(*) AS stolen FROM shared_tools.loot;
RESET ROLE;
SET search_path = crm, public;

-- 2. A broken contract of someone else's table never fails another role's
-- DROP: the guards check only what the command touched
SET ROLE slo_test_mallory;
CREATE TABLE mal.own (v text);
CREATE FUNCTION mal.ok(text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
SELECT slo.add_contract('mal.own', 'mal-ok', slo.expression('mal.ok(v)'), 'record') > 0 AS added;
ALTER FUNCTION mal.ok(text) RENAME TO ok2;
RESET ROLE;
SET ROLE slo_test_owner;
CREATE TABLE crm.scratch (x int);
SELECT pg_temp.error($$DROP TABLE crm.scratch$$);
RESET ROLE;

-- 3. row_security turned off mid-statement does not skip the log
SET ROLE slo_test_mallory;
CREATE TABLE mal.ghostly (v text);
SELECT slo.add_contract('mal.ghostly', 'ghostly-v', slo.not_null('v'), 'record') > 0 AS added;
SELECT pg_temp.error($$INSERT INTO slo.contract (name, tbl, kind, expression, mode, search_path, created_at)
	VALUES ('ghost', 'mal.ghostly', 'expression', 'true', 'enforce',
			'mal' || left(set_config('row_security', 'off', true), 0), '2001-01-01')$$);
RESET ROLE;
SELECT count(*) AS ghosts, (SELECT count(*) FROM slo.contract_change WHERE contract = 'ghost') AS logged,
	   bool_and(created_at > '2001-01-01') AS stamped
FROM slo.contract WHERE name = 'ghost';

-- 4. a membership contract cannot see past the reference table's
-- row-level security
SET ROLE slo_test_owner;
CREATE TABLE crm.vault (code text PRIMARY KEY);
INSERT INTO crm.vault VALUES ('launch-codes'), ('public');
ALTER TABLE crm.vault ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_public ON crm.vault FOR SELECT USING (code = 'public');
GRANT SELECT ON crm.vault TO slo_test_mallory;
RESET ROLE;
SET ROLE slo_test_mallory;
CREATE TABLE mal.probe (v text);
SELECT pg_temp.error($$SELECT slo.add_contract('mal.probe', 'probe', slo.member_of('v', 'crm.vault', 'code'))$$);
RESET ROLE;

-- 5. a contract of a partitioned table runs as that table's owner, even
-- on a partition owned by someone else
SET ROLE slo_test_owner;
CREATE TABLE crm.parts (id int, v text) PARTITION BY RANGE (id);
CREATE FUNCTION crm.who_checks(int) RETURNS boolean LANGUAGE plpgsql
AS $$ BEGIN RAISE NOTICE 'checked as %', current_user; RETURN true; END $$;
SELECT slo.add_contract('crm.parts', 'parts-who', slo.expression('crm.who_checks(id)'), 'record') > 0 AS added;
RESET ROLE;
CREATE TABLE crm.parts_1 PARTITION OF crm.parts FOR VALUES FROM (0) TO (100);
ALTER TABLE crm.parts_1 OWNER TO slo_test_mallory;
SET client_min_messages = notice;
INSERT INTO crm.parts VALUES (1, 'x');
SET client_min_messages = warning;
DROP SCHEMA shared_tools CASCADE;

-- clean up
DELETE FROM slo.objective;
DELETE FROM slo.service;
DELETE FROM slo.contract;
DROP SCHEMA crm CASCADE;
DROP SCHEMA mal CASCADE;
SET client_min_messages = warning;
DROP OWNED BY slo_test_owner, slo_test_app, slo_test_mallory;
DROP ROLE slo_test_owner, slo_test_app, slo_test_mallory;
RESET client_min_messages;
RESET search_path;
