/*
 * policy_actions.sql: what the tick does to the freezes: each objective's
 * policy action, and the freezes left by deleted objectives and services.
 * The tick waits for no lock a writer can hold here (its own service's
 * freezes): a freeze held locked is lifted by a later tick.
 */

-- Apply each objective's policy action to the freezes.
CREATE FUNCTION slo_internal.apply_policy(o @extschema@.objective, e @extschema@.evaluation)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF e.action IN ('freeze', 'incident') AND NOT e.too_little_data THEN
		INSERT INTO @extschema@.freezes (service, objective_id, reason, kind)
		VALUES (o.service, o.id,
				format('%s/%s: %s tier of policy %s (budget remaining %s)', o.service, o.name,
					   e.tier, o.policy, round(e.remaining::numeric, 4)),
				'policy')
		ON CONFLICT (objective_id) WHERE kind = 'policy' AND lifted_at IS NULL DO NOTHING;
	ELSIF e.action IN ('normal', 'caution') OR e.remaining IS NULL THEN
		-- a recovered budget, or a new window without events yet
		UPDATE @extschema@.freezes f
		SET lifted_at = now(), lifted_by = CURRENT_USER,
			lift_reason = format('%s/%s: %s', o.service, o.name,
								 coalesce('budget recovered to the ' || e.tier || ' tier',
										  'no events yet in the new window'))
		WHERE f.objective_id = o.id AND f.kind = 'policy' AND f.lifted_at IS NULL
		  -- a freeze a writer holds locked (its service's own) is lifted
		  -- by a later tick: the tick waits for nobody
		  AND f.id IN (SELECT l.id FROM @extschema@.freezes l
					   WHERE l.objective_id = o.id AND l.kind = 'policy' AND l.lifted_at IS NULL
					   FOR UPDATE SKIP LOCKED);
	END IF;
END
$$;

-- Lift the freezes in force whose objective (policy freezes) or service
-- was deleted since: nothing else would.
CREATE FUNCTION slo_internal.lift_orphaned_freezes()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	UPDATE @extschema@.freezes f
	SET lifted_at = now(), lifted_by = CURRENT_USER,
		lift_reason = CASE WHEN NOT EXISTS (SELECT 1 FROM @extschema@.service s WHERE s.name = f.service)
						   THEN 'service deleted' ELSE 'objective deleted' END
	WHERE f.lifted_at IS NULL
	  AND (NOT EXISTS (SELECT 1 FROM @extschema@.service s WHERE s.name = f.service)
		   OR (f.kind = 'policy'
			   AND NOT EXISTS (SELECT 1 FROM @extschema@.objective o WHERE o.id = f.objective_id)))
	  -- one a writer holds locked is lifted by a later tick: the tick waits
	  -- for nobody
	  AND f.id IN (SELECT l.id FROM @extschema@.freezes l WHERE l.lifted_at IS NULL FOR UPDATE SKIP LOCKED);
END;
