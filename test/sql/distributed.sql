--
-- Citus: a source table that Citus manages is refused, with what to do
-- instead, when the objective is defined and at every tick (a table
-- distributed after its objective was defined fails that objective alone).
-- Citus is not installed here: its catalog table is stood in for by a table
-- of the same name and shape in pg_catalog, which only a superuser can make.
--
SET TIME ZONE 'UTC';
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DELETE FROM slo.freezes;
DELETE FROM slo.objective;
DELETE FROM slo.service;
DELETE FROM slo.tick_log;

SET allow_system_table_mods = on;
CREATE TABLE pg_catalog.pg_dist_partition (logicalrelid regclass NOT NULL, partmethod "char" NOT NULL);
RESET allow_system_table_mods;

CREATE TABLE dist_orders (ts timestamptz NOT NULL, ok boolean NOT NULL);
CREATE TABLE dist_parts (ts timestamptz NOT NULL, ok boolean NOT NULL) PARTITION BY RANGE (ts);
CREATE TABLE dist_parts_2026 PARTITION OF dist_parts FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE local_orders (ts timestamptz NOT NULL, ok boolean NOT NULL);
INSERT INTO local_orders VALUES ('2026-11-20 10:00', true), ('2026-11-20 10:01', false);
INSERT INTO pg_catalog.pg_dist_partition VALUES ('dist_orders', 'h'), ('dist_parts', 'h');

SELECT slo.define_service('shop');
RESET client_min_messages;
-- a distributed table, and a partition of one
SELECT slo.define_objective('shop', 'dist', source => 'dist_orders', good => 'ok', target => 0.9);
SELECT slo.define_objective('shop', 'dist-part', source => 'dist_parts_2026', good => 'ok', target => 0.9);
SELECT slo.attach_triggers('dist_orders');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid IN ('dist_orders'::regclass, 'dist_parts'::regclass,
																'dist_parts_2026'::regclass);
-- a local table is fine
SELECT slo.define_objective('shop', 'local', source => 'local_orders', good => 'ok', target => 0.9) IS NOT NULL AS defined;
CALL slo.tick(at => '2026-11-20 12:00+00');
SELECT objective, valid, good, last_error FROM slo.status ORDER BY objective;
-- distributed afterwards (Citus then writes on the shards, and nothing is
-- noted): that objective fails, with the same error, at every tick
INSERT INTO pg_catalog.pg_dist_partition VALUES ('local_orders', 'h');
SET client_min_messages = error;
CALL slo.tick(at => '2026-11-20 12:00+00');
RESET client_min_messages;
SELECT objective, valid, good, last_error_sqlstate, last_error FROM slo.status ORDER BY objective;
SELECT errors, failures->0->>'sqlstate' AS sqlstate FROM slo.tick_log ORDER BY id DESC LIMIT 1;

SET client_min_messages = warning;
DELETE FROM slo.objective;
DELETE FROM slo.service;
DROP TABLE dist_orders, dist_parts, local_orders;
SET allow_system_table_mods = on;
DROP TABLE pg_catalog.pg_dist_partition;
RESET allow_system_table_mods;
RESET client_min_messages;
