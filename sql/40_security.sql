/*
 * security.sql: who may write what.  The rights helpers, row-level
 * security on every table a role other than the tick writes, and the grants
 * (docs/security.md).  Reading is open to slo_reader.
 */

------------------------------------------------------------------------------
-- Row-level security: who may write what.  Reading is open to slo_reader.
------------------------------------------------------------------------------

-- The owner of a service (NULL for an unknown one).
CREATE FUNCTION slo_internal.service_owner(service pg_catalog.text)
RETURNS pg_catalog.name
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT s.owner FROM @extschema@.service s WHERE s.name = service);

-- Is the current role allowed to administer anything in slo?
CREATE FUNCTION slo_internal.is_admin()
RETURNS pg_catalog.bool
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.pg_has_role(CURRENT_USER, 'slo_admin', 'USAGE')
		OR (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = CURRENT_USER)
$$;

-- May the current role act for objects owned by role "owner"?
CREATE FUNCTION slo_internal.acts_for(owner pg_catalog.name)
RETURNS pg_catalog.bool
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT slo_internal.is_admin()
		OR (EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = owner)
			AND pg_catalog.pg_has_role(CURRENT_USER, owner, 'USAGE'))
$$;

ALTER TABLE @extschema@.service ENABLE ROW LEVEL SECURITY;
CREATE POLICY service_read ON @extschema@.service FOR SELECT USING (true);
CREATE POLICY service_insert ON @extschema@.service FOR INSERT
	WITH CHECK (slo_internal.acts_for(owner));
CREATE POLICY service_update ON @extschema@.service FOR UPDATE
	USING (slo_internal.acts_for(owner)) WITH CHECK (slo_internal.acts_for(owner));
CREATE POLICY service_delete ON @extschema@.service FOR DELETE
	USING (slo_internal.acts_for(owner));

-- An objective is written by a role that owns (or administers) its source;
-- its owner is the role whose rights evaluate it.
ALTER TABLE @extschema@.objective ENABLE ROW LEVEL SECURITY;
CREATE POLICY objective_read ON @extschema@.objective FOR SELECT USING (true);
CREATE FUNCTION slo_internal.may_define_on(source pg_catalog.regclass, service pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	-- the service must be the caller's, and so must the source table (the
	-- built-in event table belongs to every service's owners)
	SELECT slo_internal.is_admin()
		OR (slo_internal.acts_for((SELECT s.owner FROM @extschema@.service s WHERE s.name = service))
			AND (source = '@extschema@.event'::pg_catalog.regclass
				 OR pg_catalog.pg_has_role(CURRENT_USER,
						(SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = source), 'USAGE')))
$$;
CREATE POLICY objective_insert ON @extschema@.objective FOR INSERT
	WITH CHECK (owner = CURRENT_USER AND slo_internal.may_define_on(source, service));
CREATE POLICY objective_update ON @extschema@.objective FOR UPDATE
	USING (slo_internal.acts_for(owner))
	WITH CHECK (owner = CURRENT_USER AND slo_internal.may_define_on(source, service));
CREATE POLICY objective_delete ON @extschema@.objective FOR DELETE
	USING (slo_internal.acts_for(owner));

ALTER TABLE @extschema@.correction ENABLE ROW LEVEL SECURITY;
CREATE POLICY correction_read ON @extschema@.correction FOR SELECT USING (true);
CREATE POLICY correction_write ON @extschema@.correction FOR ALL
	USING (slo_internal.acts_for((SELECT o.owner FROM @extschema@.objective o WHERE o.id = objective_id)))
	WITH CHECK (slo_internal.acts_for((SELECT o.owner FROM @extschema@.objective o WHERE o.id = objective_id)));

GRANT SELECT ON ALL TABLES IN SCHEMA @extschema@ TO slo_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA slo_internal TO slo_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.service, @extschema@.objective,
	@extschema@.correction TO slo_writer;
-- objectives on the built-in event table are evaluated as their owners
GRANT SELECT ON @extschema@.event TO slo_writer;
GRANT INSERT, UPDATE, DELETE ON @extschema@.policy, @extschema@.policy_tier TO slo_admin;

ALTER TABLE @extschema@.event ENABLE ROW LEVEL SECURITY;
CREATE POLICY event_read ON @extschema@.event FOR SELECT USING (true);
CREATE POLICY event_write ON @extschema@.event FOR ALL
	USING (slo_internal.acts_for(slo_internal.service_owner(service)))
	WITH CHECK (slo_internal.acts_for(slo_internal.service_owner(service)));
GRANT INSERT, UPDATE, DELETE ON @extschema@.event TO slo_writer;

-- Freezes are written with the writer's own rights, and only truthfully:
-- a role sets a freeze in its own name (set_by, since now) on a service it
-- acts for, manual unless it administers slo (the tick sets policy
-- freezes), and lifts a freeze in force of such a service, once, in its own
-- name, with a reason.  Column privileges keep everything but the three
-- lift columns as they were set; nobody may delete a freeze.
ALTER TABLE @extschema@.freezes ENABLE ROW LEVEL SECURITY;
CREATE POLICY freeze_read ON @extschema@.freezes FOR SELECT USING (true);
CREATE POLICY freeze_set ON @extschema@.freezes FOR INSERT
	WITH CHECK (set_by = CURRENT_USER AND since = pg_catalog.now() AND lifted_at IS NULL
				AND (slo_internal.is_admin()
					 OR (kind = 'manual' AND slo_internal.acts_for(slo_internal.service_owner(service)))));
CREATE POLICY freeze_lift ON @extschema@.freezes FOR UPDATE
	USING (lifted_at IS NULL AND slo_internal.acts_for(slo_internal.service_owner(service)))
	WITH CHECK (lifted_by = CURRENT_USER AND lifted_at = pg_catalog.now());
GRANT INSERT ON @extschema@.freezes TO slo_writer;
GRANT UPDATE (lifted_at, lifted_by, lift_reason) ON @extschema@.freezes TO slo_writer;
