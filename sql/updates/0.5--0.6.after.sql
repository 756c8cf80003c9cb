
/*
 * 0.5--0.6.after.sql: the last part of the update from 0.5 to 0.6.  The
 * source tables of the objectives get the new triggers in place of the old
 * (slo.event got its own above); until this transaction commits, their
 * writers wait.
 */
DO $$
DECLARE
	src pg_catalog.regclass;
BEGIN
	FOR src IN SELECT DISTINCT o.source FROM @extschema@.objective o
			   JOIN pg_catalog.pg_class c ON c.oid = o.source
			   WHERE o.source <> '@extschema@.event'::pg_catalog.regclass
	LOOP
		PERFORM @extschema@.attach_triggers(src);
	END LOOP;
END
$$;
-- the old trigger function goes, with the old triggers of tables that are
-- no longer any objective's source
DROP FUNCTION slo_internal.invalidate() CASCADE;
