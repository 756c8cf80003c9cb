--
-- bench/contracts_setup.sql: the tables of bench/contracts.sh, in a new
-- database with slo.  psql variables: rows (leads to generate),
-- territories (how many are known), dirty_share (the share of leads whose
-- territory_dirty is unknown).
--
--   bench.territories    the reference table: code (primary key), name, region
--   bench.lead_source    the leads every variant inserts (id 1..rows): every
--                        e-mail address has the shape and every territory is
--                        known; territory_dirty is territory with a share
--                        dirty_share of unknown codes
--   bench.leads_VARIANT  one table per variant, the same columns, primary key
--                        on id (bigserial) and an index on email:
--     plain        no check: the floor
--     native       CHECK (email ~* pattern) and FOREIGN KEY (territory)
--                  REFERENCES bench.territories (code)
--     plpgsql      a PL/pgSQL BEFORE INSERT OR UPDATE row trigger doing the
--                  same: the pattern (raises 23514) and a lookup in
--                  bench.territories (a miss goes into bench.plpgsql_violation,
--                  as in slo's mode record)
--     slo          slo's two contracts: lead-email-shape (email_shape,
--                  enforce) and lead-territory-known (member_of, record)
--     slo_email    only the first of them (its own contract, same rule)
--     slo_member   only the second
--
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE EXTENSION slo;
CREATE SCHEMA bench;
SELECT setseed(0.2026);

-- ~50 territories: region-number codes, as a sales team would have them
CREATE TABLE bench.territories (
	code   text PRIMARY KEY,
	name   text NOT NULL,
	region text NOT NULL
);
INSERT INTO bench.territories
SELECT r.region || '-' || lpad(n::text, 2, '0'), r.region || ' territory ' || n, r.region
FROM (VALUES ('NA'), ('LATAM'), ('EMEA'), ('DACH'), ('NORDICS'), ('APAC'), ('ANZ'), ('JP')) r (region),
     generate_series(1, ceil(:territories / 8.0)::int) n
ORDER BY 1
LIMIT :territories;

-- The leads: a first and last name, a company, an address at the company or
-- at a mail provider, a territory (skewed: the first ones are the busiest).
CREATE TABLE bench.lead_source (
	id              int PRIMARY KEY,
	email           text NOT NULL,
	territory       text NOT NULL,
	territory_dirty text NOT NULL,
	full_name       text NOT NULL,
	company         text NOT NULL,
	source          text NOT NULL,
	score           int NOT NULL
);
WITH t AS (SELECT array_agg(code ORDER BY code) AS codes FROM bench.territories),
g AS (
	SELECT g AS id,
	       (ARRAY['ana', 'ben', 'chloe', 'dmitri', 'eva', 'farid', 'grace', 'hugo', 'ines', 'jonas',
	              'kenji', 'lea', 'marco', 'nora', 'oscar', 'priya', 'quentin', 'rosa', 'sven', 'tara'])[1 + floor(random() * 20)::int] AS first,
	       (ARRAY['silva', 'mueller', 'smith', 'tanaka', 'rossi', 'novak', 'dubois', 'kowalski', 'jensen', 'garcia',
	              'oconnor', 'nguyen', 'schmidt', 'larsen', 'ivanova', 'brown', 'martin', 'costa'])[1 + floor(random() * 18)::int] AS last,
	       'company' || (1 + (random() * random() * 20000)::int) AS company,
	       random() AS u_mail, random() AS u_terr, random() AS u_dirty, random() AS u_src
	FROM generate_series(1, :rows) g
)
INSERT INTO bench.lead_source
SELECT id,
       first || '.' || last || CASE WHEN u_mail < 0.3 THEN (id % 1000)::text ELSE '' END || '@'
         || CASE WHEN u_mail < 0.2 THEN (ARRAY['gmail.com', 'outlook.com', 'yahoo.co.uk', 'web.de', 'proton.me'])[1 + (id % 5)]
                 ELSE company || '.example.' || (ARRAY['com', 'io', 'de', 'co.jp', 'com.au'])[1 + (id % 5)] END,
       t.codes[1 + floor(u_terr * u_terr * array_length(t.codes, 1))::int],
       CASE WHEN u_dirty < :dirty_share THEN 'ZZ-' || lpad((id % 100)::text, 2, '0')
            ELSE t.codes[1 + floor(u_terr * u_terr * array_length(t.codes, 1))::int] END,
       initcap(first) || ' ' || initcap(last),
       initcap(replace(company, 'company', 'Company ')) || ' ' || (ARRAY['GmbH', 'Ltd', 'Inc.', 'KK', 'SA'])[1 + (id % 5)],
       (ARRAY['web form', 'webinar', 'trade show', 'referral', 'partner', 'cold call'])[1 + floor(u_src * u_src * 6)::int],
       (random() * 100)::int
FROM g CROSS JOIN t;

-- the variants' tables
CREATE TABLE bench.leads_plain (
	id         bigserial PRIMARY KEY,
	email      text NOT NULL,
	territory  text,
	full_name  text NOT NULL,
	company    text,
	source     text NOT NULL,
	score      int NOT NULL DEFAULT 0,
	owner_id   int,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON bench.leads_plain (email);
CREATE TABLE bench.leads_native (LIKE bench.leads_plain INCLUDING ALL,
	CONSTRAINT leads_native_email_shape CHECK (email ~* '^[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}$'),
	CONSTRAINT leads_native_territory_fkey FOREIGN KEY (territory) REFERENCES bench.territories (code));
CREATE TABLE bench.leads_plpgsql (LIKE bench.leads_plain INCLUDING ALL);
CREATE TABLE bench.leads_slo (LIKE bench.leads_plain INCLUDING ALL);
CREATE TABLE bench.leads_slo_email (LIKE bench.leads_plain INCLUDING ALL);
CREATE TABLE bench.leads_slo_member (LIKE bench.leads_plain INCLUDING ALL);
-- (LIKE ... INCLUDING ALL shares the plain table's id sequence: give each its own)
DO $$
DECLARE
	v text;
BEGIN
	FOREACH v IN ARRAY ARRAY['native', 'plpgsql', 'slo', 'slo_email', 'slo_member'] LOOP
		EXECUTE format('CREATE SEQUENCE bench.leads_%1$s_id_seq OWNED BY bench.leads_%1$s.id', v);
		EXECUTE format('ALTER TABLE bench.leads_%1$s ALTER id SET DEFAULT nextval(''bench.leads_%1$s_id_seq'')', v);
	END LOOP;
END
$$;

-- PL/pgSQL: the same checks by hand
CREATE TABLE bench.plpgsql_violation (
	lead_id   bigint,
	territory text,
	at        timestamptz NOT NULL,
	written_by name NOT NULL
);
CREATE FUNCTION bench.leads_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.email !~* '^[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}$' THEN
		RAISE EXCEPTION 'new row for relation "%" violates check "lead-email-shape"', TG_TABLE_NAME
			USING ERRCODE = 'check_violation', DETAIL = format('Column "email" has %L.', NEW.email);
	END IF;
	IF NEW.territory IS NOT NULL
	   AND NOT EXISTS (SELECT 1 FROM bench.territories t WHERE t.code = NEW.territory) THEN
		INSERT INTO bench.plpgsql_violation VALUES (NEW.id, NEW.territory, statement_timestamp(), current_user);
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER leads_check BEFORE INSERT OR UPDATE ON bench.leads_plpgsql
	FOR EACH ROW EXECUTE FUNCTION bench.leads_check();

-- slo: the issue's two contracts, and each alone
SELECT slo.add_contract('bench.leads_slo', 'lead-email-shape', slo.email_shape('email'), 'enforce');
SELECT slo.add_contract('bench.leads_slo', 'lead-territory-known', slo.member_of('territory', 'bench.territories', 'code'), 'record');
SELECT slo.add_contract('bench.leads_slo_email', 'lead-email-shape-alone', slo.email_shape('email'), 'enforce');
SELECT slo.add_contract('bench.leads_slo_member', 'lead-territory-known-alone', slo.member_of('territory', 'bench.territories', 'code'), 'record');

VACUUM (FREEZE, ANALYZE);
