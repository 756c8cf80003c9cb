-- test/pgtap/contract_properties.sql
--
-- Property tests of data contracts: on random rows (malformed and odd
-- e-mail addresses, unknown and NULL territories, out-of-range, NULL and
-- edge amounts, unknown stages), the C trigger and the SQL rule that
-- slo.check_contract() runs agree row for row, for every kind of rule:
--
--   rows the trigger logged as violating contract c (mode record)
--     = rows slo.check_contract(c) returns
--
-- and in mode enforce, a row is rejected exactly when the SQL rule says it
-- breaks the contract.  An UPDATE that leaves a contract's columns alone
-- logs nothing more for it.  Counts per contract (kept in memory until
-- commit) are read through the violation log here, since this file rolls
-- back.
--
-- Run by pg_prove in a database with pgtap and slo installed.
BEGIN;
SELECT plan(19);

SELECT setseed(0.4242);
SET LOCAL client_min_messages = warning;

CREATE TABLE prop_ref (code text PRIMARY KEY);
INSERT INTO prop_ref SELECT 'T' || g FROM generate_series(1, 20) g;
CREATE TABLE prop_rows (
	id int PRIMARY KEY,
	email text,
	territory text,
	amount numeric,
	stage text,
	ts timestamptz
);

SELECT lives_ok($$SELECT slo.add_contract('prop_rows', 'p-email', slo.email_shape('email'), 'record')$$,
				'email_shape contract added');
SELECT lives_ok($$SELECT slo.add_contract('prop_rows', 'p-member', slo.member_of('territory', 'prop_ref', 'code'), 'record')$$,
				'member_of contract added');
SELECT lives_ok($$SELECT slo.add_contract('prop_rows', 'p-notnull', slo.not_null('territory'), 'record')$$,
				'not_null contract added');
SELECT lives_ok($$SELECT slo.add_contract('prop_rows', 'p-range', slo.in_range('amount', -10.5, 1000), 'record')$$,
				'range contract added');
SELECT lives_ok($$SELECT slo.add_contract('prop_rows', 'p-oneof', slo.one_of('stage', 'new', 'won', 'lost', 'Won'), 'record')$$,
				'one_of contract added');
SELECT lives_ok($$SELECT slo.add_contract('prop_rows', 'p-expr',
				  slo.expression('stage IS DISTINCT FROM ''won'' OR amount > 0 OR ts > ''2026-01-01'''), 'record')$$,
				'expression contract added');

-- random addresses from pieces that are, and are not, allowed
CREATE TEMP TABLE pieces (p text);
INSERT INTO pieces VALUES ('a'), ('Z'), ('0'), ('.'), ('_'), ('%'), ('+'), ('-'), ('@'), (' '), ('é'),
	('com'), ('CO'), ('x'), ('!'), (''), ('.org'), ('@example'), ('.c'), ('.io');
CREATE FUNCTION pg_temp.random_email() RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT CASE WHEN random() < 0.05 THEN NULL
				WHEN random() < 0.5 THEN 'user' || (random() * 1000)::int || '@example.' ||
										 (ARRAY['com', 'co.uk', 'IO', 'c', 'museum', ''])[1 + (random() * 5)::int]
				ELSE (SELECT string_agg(p, '') FROM (SELECT p FROM pieces ORDER BY random() LIMIT 1 + (random() * 6)::int) s)
		   END
$$;

INSERT INTO prop_rows
SELECT g, pg_temp.random_email(),
	   CASE WHEN random() < 0.1 THEN NULL WHEN random() < 0.8 THEN 'T' || (1 + (random() * 24)::int) ELSE 't1' END,
	   CASE WHEN random() < 0.1 THEN NULL
			ELSE (ARRAY[-10.5, -10.51, 1000, 1000.0001, 0, 5, -100, 'NaN'::numeric])[1 + (random() * 7)::int] END,
	   (ARRAY['new', 'won', 'lost', 'WON', 'Won', '', NULL, 'new '])[1 + (random() * 7)::int],
	   '2025-06-01'::timestamptz + random() * interval '400 days'
FROM generate_series(1, 3000) g;

-- the trigger's violations and the SQL rule agree, row for row
CREATE FUNCTION pg_temp.logged(c text) RETURNS SETOF text LANGUAGE sql AS $$
	SELECT row_key ->> 'id' FROM slo.contract_violations WHERE contract = c ORDER BY 1
$$;
CREATE FUNCTION pg_temp.checked(c text) RETURNS SETOF text LANGUAGE sql AS $$
	SELECT row_key ->> 'id' FROM slo.check_contract(c) ORDER BY 1
$$;
SELECT set_eq($$SELECT pg_temp.logged('p-email')$$, $$SELECT pg_temp.checked('p-email')$$,
			  'email_shape: trigger and SQL rule agree');
SELECT set_eq($$SELECT pg_temp.logged('p-member')$$, $$SELECT pg_temp.checked('p-member')$$,
			  'member_of: trigger and SQL rule agree');
SELECT set_eq($$SELECT pg_temp.logged('p-notnull')$$, $$SELECT pg_temp.checked('p-notnull')$$,
			  'not_null: trigger and SQL rule agree');
SELECT set_eq($$SELECT pg_temp.logged('p-range')$$, $$SELECT pg_temp.checked('p-range')$$,
			  'range (inclusive bounds, NaN above all): trigger and SQL rule agree');
SELECT set_eq($$SELECT pg_temp.logged('p-oneof')$$, $$SELECT pg_temp.checked('p-oneof')$$,
			  'one_of (case matters): trigger and SQL rule agree');
SELECT set_eq($$SELECT pg_temp.logged('p-expr')$$, $$SELECT pg_temp.checked('p-expr')$$,
			  'expression (NULL passes): trigger and SQL rule agree');
SELECT ok((SELECT count(DISTINCT contract) = 6 AND count(*) > 500 FROM slo.contract_violations),
		  'the random rows break every contract, many times');

-- an UPDATE of other columns logs nothing more for a contract; one of its
-- columns rechecks exactly the rows updated
CREATE TEMP TABLE before_update AS SELECT contract, count(*) AS n FROM slo.contract_violations GROUP BY 1;
UPDATE prop_rows SET ts = ts + interval '1 day' WHERE id % 3 = 0;
SELECT set_eq($$SELECT contract, count(*) FROM slo.contract_violations WHERE contract <> 'p-expr' GROUP BY 1$$,
			  $$SELECT contract, n FROM before_update WHERE contract <> 'p-expr'$$,
			  'updating ts alone logs nothing for the contracts that do not read it');
UPDATE prop_rows SET email = email || '' WHERE id % 5 = 0;
SELECT is((SELECT count(*) FROM slo.contract_violations WHERE contract = 'p-email'),
		  (SELECT n FROM before_update WHERE contract = 'p-email'),
		  'an UPDATE that writes the same e-mail back logs nothing more');
CREATE TEMP TABLE changing AS SELECT count(*) AS n FROM prop_rows WHERE id % 7 = 0 AND email IS DISTINCT FROM 'x';
UPDATE prop_rows SET email = 'x' WHERE id % 7 = 0;
SELECT is((SELECT count(*) FROM slo.contract_violations WHERE contract = 'p-email'),
		  (SELECT n FROM before_update WHERE contract = 'p-email') + (SELECT n FROM changing),
		  'setting a bad e-mail logs once more each row whose e-mail it changes');

-- enforce: a row is rejected exactly when the SQL rule says it breaks it
SELECT lives_ok($$SELECT slo.set_contract_mode('p-email', 'enforce')$$, 'switched to enforce');
CREATE TEMP TABLE tried (email text, rejected bool);
DO $$
DECLARE
	e text;
BEGIN
	FOR i IN 1..400 LOOP
		e := pg_temp.random_email();
		BEGIN
			INSERT INTO prop_rows (id, email, territory) VALUES (100000 + i, e, 'T1');
			INSERT INTO tried VALUES (e, false);
		EXCEPTION WHEN check_violation THEN
			INSERT INTO tried VALUES (e, true);
		END;
	END LOOP;
END
$$;
SELECT is((SELECT count(*) FROM tried
		   WHERE rejected IS DISTINCT FROM
				 (email IS NOT NULL AND NOT ((email COLLATE "C") ~* slo_internal.email_pattern()))),
		  0::int8, 'enforce rejects exactly the rows the rule fails');
SELECT ok((SELECT count(*) FILTER (WHERE rejected) > 20 AND count(*) FILTER (WHERE NOT rejected) > 20 FROM tried),
		  'both outcomes were tried');

SELECT * FROM finish();
ROLLBACK;
