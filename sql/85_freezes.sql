/*
 * freezes.sql: deploy freezes -- the views over slo.freezes, the
 * rights on it, freezing and unfreezing by hand, and the deploy gate (the
 * policies' own freezes are in policy_actions.sql).
 */

CREATE VIEW @extschema@.deploy_freeze AS
SELECT f.service, f.objective_id, f.reason, f.since, f.set_by, f.kind, f.id
FROM @extschema@.freezes f
WHERE f.lifted_at IS NULL;
COMMENT ON VIEW @extschema@.deploy_freeze IS
'deploy freezes in force: one row per reason; a service is frozen while it has any';

CREATE VIEW @extschema@.freeze_history AS
SELECT f.id AS freeze_id, f.service, f.objective_id, 'set'::pg_catalog.text AS change, f.kind,
	   f.reason, f.set_by AS changed_by, f.since AS changed_at
FROM @extschema@.freezes f
UNION ALL
SELECT f.id, f.service, f.objective_id, 'lift', f.kind, f.lift_reason, f.lifted_by, f.lifted_at
FROM @extschema@.freezes f
WHERE f.lifted_at IS NOT NULL;
COMMENT ON VIEW @extschema@.freeze_history IS 'every freeze set or lifted, by whom and why';

GRANT SELECT ON @extschema@.deploy_freeze, @extschema@.freeze_history TO slo_reader;

CREATE FUNCTION slo_internal.check_service(service pg_catalog.text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	IF NOT EXISTS (SELECT 1 FROM @extschema@.service s WHERE s.name = check_service.service) THEN
		RAISE EXCEPTION 'service "%" does not exist', service
			USING ERRCODE = 'undefined_object', HINT = 'See SELECT name FROM slo.service.';
	END IF;
END
$$;

-- Freeze a service by hand.
CREATE FUNCTION @extschema@.freeze_service(service pg_catalog.text, reason pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	PERFORM slo_internal.check_service(service);
	IF reason IS NULL OR btrim(reason) = '' THEN
		RAISE EXCEPTION 'a freeze needs a reason' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT slo_internal.acts_for(slo_internal.service_owner(service)) THEN
		RAISE EXCEPTION 'permission denied to freeze service "%"', service
			USING ERRCODE = 'insufficient_privilege', DETAIL = 'Only the service''s owner or a member of slo_admin may.';
	END IF;
	INSERT INTO @extschema@.freezes (service, reason, kind)
	VALUES (freeze_service.service, freeze_service.reason, 'manual')
	ON CONFLICT (service) WHERE kind = 'manual' AND lifted_at IS NULL DO NOTHING;
	RETURN FOUND;
END
$$;

-- Lift every freeze of a service by hand (a policy sets its own again at the
-- next tick if the budget is still exhausted).
CREATE FUNCTION @extschema@.unfreeze_service(service pg_catalog.text, reason pg_catalog.text)
RETURNS pg_catalog.int4
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	n int4;
BEGIN
	PERFORM slo_internal.check_service(service);
	IF reason IS NULL OR btrim(reason) = '' THEN
		RAISE EXCEPTION 'lifting a freeze needs a reason' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT slo_internal.acts_for(slo_internal.service_owner(service)) THEN
		RAISE EXCEPTION 'permission denied to unfreeze service "%"', service
			USING ERRCODE = 'insufficient_privilege', DETAIL = 'Only the service''s owner or a member of slo_admin may.';
	END IF;
	UPDATE @extschema@.freezes f
	SET lifted_at = now(), lifted_by = CURRENT_USER, lift_reason = unfreeze_service.reason
	WHERE f.service = unfreeze_service.service AND f.lifted_at IS NULL;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

-- The one question a deploy pipeline asks.  Any role may ask it.
CREATE FUNCTION @extschema@.deploy_allowed(service pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
BEGIN
	IF NOT EXISTS (SELECT 1 FROM @extschema@.service s WHERE s.name = deploy_allowed.service) THEN
		RAISE EXCEPTION 'service "%" does not exist', deploy_allowed.service
			USING ERRCODE = 'undefined_object', HINT = 'See SELECT name FROM slo.service.';
	END IF;
	RETURN NOT EXISTS (SELECT 1 FROM @extschema@.freezes f
					   WHERE f.service = deploy_allowed.service AND f.lifted_at IS NULL);
END
$$;
