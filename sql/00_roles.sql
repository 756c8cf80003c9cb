/*
 * roles.sql: the extension's roles, and its two schemas: @extschema@ (slo)
 * for what users call and read, slo_internal for the machinery behind it
 * (support functions of the types and aggregates, the tick's steps, the
 * triggers, the tables only the tick uses).  Who may call what in
 * slo_internal is set in internal_rights.sql, after everything exists.
 */

-- The aggregates are pure functions of their input, safe for everyone.
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

CREATE SCHEMA slo_internal;
COMMENT ON SCHEMA slo_internal IS 'the machinery of extension slo; not an interface to build on';

------------------------------------------------------------------------------
-- Roles.  Cluster-wide, so created only when missing and never dropped with
-- the extension.  slo_reader reads every table and view of schema slo and
-- changes nothing; slo_writer may also define services, and objectives on
-- tables its members own, and freeze its own services; slo_admin may do all
-- that for any table and service, and run the tick.
------------------------------------------------------------------------------
DO $roles$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'slo_reader') THEN
		CREATE ROLE slo_reader NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'slo_writer') THEN
		CREATE ROLE slo_writer NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'slo_admin') THEN
		CREATE ROLE slo_admin NOLOGIN;
	END IF;
END
$roles$;
GRANT slo_reader TO slo_writer;
GRANT slo_writer TO slo_admin;

-- Everybody may look up names in slo_internal (the API calls its rights
-- checks with the caller's rights); what each role may call there is in
-- internal_rights.sql, and only slo_reader reads its tables.
GRANT USAGE ON SCHEMA slo_internal TO PUBLIC;
