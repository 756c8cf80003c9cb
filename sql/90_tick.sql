/*
 * tick.sql: CALL slo.tick() -- rollup, then status, then policies, for every
 * enabled objective, each in a subtransaction of its own.
 */

-- One objective's share of a tick: rollup, evaluation, policy.  Returns the
-- number of buckets recounted.
CREATE FUNCTION slo_internal.tick_objective(o @extschema@.objective, at pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n int8;
	e @extschema@.evaluation;
BEGIN
	n := slo_internal.refresh_rollup(o, at);
	e := slo_internal.evaluate(o, at);
	INSERT INTO @extschema@.evaluation VALUES (e.*)
	ON CONFLICT (objective_id) DO UPDATE SET
		evaluated_at = EXCLUDED.evaluated_at, window_start = EXCLUDED.window_start,
		window_end = EXCLUDED.window_end, counted_until = EXCLUDED.counted_until,
		valid = EXCLUDED.valid, good = EXCLUDED.good,
		sli = EXCLUDED.sli, error_budget = EXCLUDED.error_budget,
		budget_unit = EXCLUDED.budget_unit, consumed = EXCLUDED.consumed,
		remaining = EXCLUDED.remaining, burn_5m = EXCLUDED.burn_5m,
		burn_30m = EXCLUDED.burn_30m, burn_1h = EXCLUDED.burn_1h,
		burn_6h = EXCLUDED.burn_6h, burn_1d = EXCLUDED.burn_1d, burn_3d = EXCLUDED.burn_3d,
		time_to_exhaustion = EXCLUDED.time_to_exhaustion,
		too_little_data = EXCLUDED.too_little_data, sla_sli = EXCLUDED.sla_sli,
		tier = EXCLUDED.tier, action = EXCLUDED.action,
		last_error = NULL, last_error_sqlstate = NULL, last_error_at = NULL;
	PERFORM slo_internal.apply_policy(o, e);
	RETURN n;
END
$$;

-- tick_objective() in a subtransaction, under slo.lock_timeout: a failure of
-- any kind comes back as (NULL, sqlstate, message) and is rolled back; a
-- cancel of the tick itself is re-raised (src/tick.c).
CREATE FUNCTION slo_internal.tick_objective_guarded(objective_id pg_catalog.int8, at pg_catalog.timestamptz,
		OUT recounted pg_catalog.int8, OUT sqlstate pg_catalog.text, OUT message pg_catalog.text)
AS 'MODULE_PATHNAME', 'tick_objective_guarded'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

-- Record an objective's failure in its status.  If even that cannot be done
-- within a second (its objective row is locked by its owner, or it was just
-- deleted), the tick's log still has it.
CREATE FUNCTION slo_internal.record_failure(objective_id pg_catalog.int8, at pg_catalog.timestamptz,
		sqlstate pg_catalog.text, message pg_catalog.text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '1s'
AS $$
BEGIN
	INSERT INTO @extschema@.evaluation AS e (objective_id, evaluated_at, last_error, last_error_sqlstate, last_error_at)
	VALUES (record_failure.objective_id, at, message, sqlstate, clock_timestamp())
	ON CONFLICT ON CONSTRAINT evaluation_pkey DO UPDATE
		SET last_error = EXCLUDED.last_error, last_error_sqlstate = EXCLUDED.last_error_sqlstate,
			last_error_at = EXCLUDED.last_error_at;
EXCEPTION WHEN OTHERS THEN
	NULL;
END
$$;
/*
 * CALL slo.tick(): rollup, then status, then policy tiers and freezes, for
 * every enabled objective, in one transaction.  Idempotent.  A second tick
 * that starts while one runs skips (it cannot take slo.tick_lock) instead of
 * waiting.  An objective that fails, in any way (its owner lost SELECT on
 * the source, its expression raised an error or an assertion, its counting
 * query ran past slo.query_timeout, it waited for a lock past
 * slo.lock_timeout), has the error recorded in its status and in the tick's
 * log, its work rolled back, and does not stop the others; a cancel of the
 * tick itself stops the tick.
 */
CREATE PROCEDURE @extschema@.tick(at pg_catalog.timestamptz DEFAULT NULL)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	started timestamptz := clock_timestamp();
	o record;
	r record;
	n_buckets int8 := 0;
	n_objectives int4 := 0;
	n_errors int4 := 0;
	failures jsonb := '[]';
BEGIN
	-- "at" evaluates as of another instant (tests, replays); normally now()
	at := coalesce(at, now());
	BEGIN
		LOCK TABLE slo_internal.tick_lock IN EXCLUSIVE MODE NOWAIT;
	EXCEPTION WHEN lock_not_available THEN
		INSERT INTO @extschema@.tick_log (started_at, finished_at, buckets_recounted,
										  objectives_evaluated, errors, skipped)
		VALUES (started, clock_timestamp(), 0, 0, 0, true);
		RAISE NOTICE 'tick skipped: another tick is running';
		RETURN;
	END;

	FOR o IN SELECT ob.id, ob.service, ob.name FROM @extschema@.objective ob WHERE ob.enabled ORDER BY ob.id LOOP
		r := slo_internal.tick_objective_guarded(o.id, at);
		IF r.sqlstate IS NULL THEN
			n_buckets := n_buckets + coalesce(r.recounted, 0);
			n_objectives := n_objectives + 1;
			CONTINUE;
		END IF;
		n_errors := n_errors + 1;
		failures := failures || jsonb_build_object('objective_id', o.id, 'service', o.service,
												   'objective', o.name, 'sqlstate', r.sqlstate,
												   'message', r.message);
		RAISE WARNING 'objective "%" of service "%" failed: %', o.name, o.service, r.message
			USING DETAIL = format('SQLSTATE %s. The other objectives were evaluated.', r.sqlstate);
		PERFORM slo_internal.record_failure(o.id, at, r.sqlstate, r.message);
	END LOOP;
	PERFORM slo_internal.lift_orphaned_freezes();

	INSERT INTO @extschema@.tick_log (started_at, finished_at, buckets_recounted,
									  objectives_evaluated, errors, failures)
	VALUES (started, clock_timestamp(), n_buckets, n_objectives, n_errors,
			CASE WHEN n_errors > 0 THEN failures END);
	-- kept seven days of wall-clock time ("at" may be any instant)
	DELETE FROM @extschema@.tick_log WHERE started_at < started - interval '7 days';
END
$$;
REVOKE ALL ON PROCEDURE @extschema@.tick(pg_catalog.timestamptz) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE @extschema@.tick(pg_catalog.timestamptz) TO slo_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.rollup, slo_internal.invalidation,
	slo_internal.progress, @extschema@.evaluation, @extschema@.tick_log TO slo_admin;
-- (slo_admin sets and lifts policy freezes through slo_writer's rights on
-- slo.freezes, in its own name like everybody; it may call every function
-- of slo_internal: internal_rights.sql)
