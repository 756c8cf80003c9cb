/*
 * tick.sql: CALL slo.tick() -- what changed, recounted table by table; new
 * objectives backfilled a day at a time; then every objective evaluated,
 * its policy applied, its history kept.  Each step runs in a subtransaction
 * of its own (src/tick.c), and the tick commits between steps when it can.
 */

-- One step of a tick (run by tick_step_guarded): the recount of a group of
-- objectives of one table, owner, search_path and time column; the recount
-- of a freshness objective; a backfill step; the evaluation of objectives.
-- Returns what it counted (minutes, or objectives evaluated).
CREATE FUNCTION slo_internal.tick_step(step pg_catalog.text, ids pg_catalog.int8[], at pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e timestamptz := slo_internal.minute_of(at);
	o @extschema@.objective;
BEGIN
	CASE step
		WHEN 'recount' THEN
			RETURN slo_internal.recount_group(ids, e);
		WHEN 'freshness' THEN
			SELECT * INTO o FROM @extschema@.objective WHERE id = ids[1];
			RETURN slo_internal.recount_freshness(o, e);
		WHEN 'backfill' THEN
			SELECT * INTO o FROM @extschema@.objective WHERE id = ids[1];
			RETURN slo_internal.backfill_step(o, e);
		WHEN 'evaluate' THEN
			RETURN slo_internal.evaluate_objectives(ids, at);
		WHEN 'check' THEN
			SELECT * INTO o FROM @extschema@.objective WHERE id = ids[1];
			PERFORM slo_internal.check_source(o);
			RETURN 0;
	END CASE;
END
$$;

-- The guard (src/tick.c): tick_step() in a subtransaction, under
-- slo.lock_timeout; a failure of any kind comes back as (NULL, sqlstate,
-- message) and is rolled back; a cancel of the tick itself is re-raised.
CREATE FUNCTION slo_internal.tick_step_guarded(step pg_catalog.text, ids pg_catalog.int8[], at pg_catalog.timestamptz,
		OUT result pg_catalog.int8, OUT sqlstate pg_catalog.text, OUT message pg_catalog.text)
AS 'MODULE_PATHNAME', 'tick_step_guarded'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

-- May the calling procedure commit (CALL at top level, outside a
-- transaction block)?
CREATE FUNCTION slo_internal.may_commit()
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'may_commit'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- Evaluate objectives at instant "at" in one statement, write their status,
-- apply their policies, keep their history and their closed periods.
-- Returns the number evaluated.
CREATE FUNCTION slo_internal.evaluate_objectives(ids pg_catalog.int8[], at pg_catalog.timestamptz)
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n int8;
	before jsonb := (SELECT jsonb_agg(jsonb_build_object('objective_id', o.id, 'tier', v.tier, 'action', v.action))
					 FROM @extschema@.objective o LEFT JOIN @extschema@.evaluation v ON v.objective_id = o.id
					 WHERE o.id = ANY (ids));
BEGIN
	INSERT INTO @extschema@.evaluation AS v
	SELECT e.* FROM @extschema@.objective o CROSS JOIN LATERAL slo_internal.evaluate(o, at) e
	WHERE o.id = ANY (ids)
	ON CONFLICT (objective_id) DO UPDATE SET
		evaluated_at = EXCLUDED.evaluated_at, window_start = EXCLUDED.window_start,
		window_end = EXCLUDED.window_end, counted_until = EXCLUDED.counted_until,
		valid = EXCLUDED.valid, good = EXCLUDED.good,
		sli = EXCLUDED.sli, error_budget = EXCLUDED.error_budget,
		budget_unit = EXCLUDED.budget_unit, consumed = EXCLUDED.consumed,
		remaining = EXCLUDED.remaining, burn_5m = EXCLUDED.burn_5m,
		burn_30m = EXCLUDED.burn_30m, burn_1h = EXCLUDED.burn_1h,
		burn_6h = EXCLUDED.burn_6h, burn_1d = EXCLUDED.burn_1d, burn_3d = EXCLUDED.burn_3d,
		burn_2h = EXCLUDED.burn_2h, lookback_counted = EXCLUDED.lookback_counted,
		time_to_exhaustion = EXCLUDED.time_to_exhaustion,
		too_little_data = EXCLUDED.too_little_data, backfilling = EXCLUDED.backfilling,
		sla_sli = EXCLUDED.sla_sli, tier = EXCLUDED.tier, action = EXCLUDED.action,
		last_error = NULL, last_error_sqlstate = NULL, last_error_at = NULL;
	GET DIAGNOSTICS n = ROW_COUNT;

	PERFORM slo_internal.apply_policy(o, v)
	FROM @extschema@.objective o JOIN @extschema@.evaluation v ON v.objective_id = o.id
	WHERE o.id = ANY (ids) AND NOT v.backfilling;

	-- tier changes are notified; alerts, and the incidents they and the
	-- policies' freezes open
	PERFORM slo_internal.notify_tier_changes(before, at);
	PERFORM slo_internal.evaluate_alerts(ids, at);

	-- one history row per objective and hour: the first evaluation in it
	INSERT INTO @extschema@.history (objective_id, hour, counted_until, window_start, window_end, valid, good,
									 sli, consumed, remaining, burn_5m, burn_30m, burn_1h, burn_6h, burn_1d,
									 burn_3d, tier, action)
	SELECT v.objective_id, date_bin('1 hour', v.counted_until, '2000-01-01 00:00+00'), v.counted_until,
		   v.window_start, v.window_end, v.valid, v.good, v.sli, v.consumed, v.remaining, v.burn_5m, v.burn_30m,
		   v.burn_1h, v.burn_6h, v.burn_1d, v.burn_3d, v.tier, v.action
	FROM @extschema@.evaluation v
	WHERE v.objective_id = ANY (ids) AND NOT v.backfilling
	ON CONFLICT (objective_id, hour) DO NOTHING;

	PERFORM slo_internal.record_periods(o, slo_internal.minute_of(at))
	FROM @extschema@.objective o WHERE o.id = ANY (ids);
	RETURN n;
END
$$;

-- Record the closed periods of objective o that are not recorded yet: its
-- previous budget window (calendar objectives, once its rollup covers it)
-- and the previous UTC calendar month; a quarter once its three months are
-- recorded, from their sums.  A month of an objective budgeted in
-- occurrences is read from the day sums (kept 13 months) where its rollup
-- no longer reaches, and from the rollup (corrections applied) where it
-- does; in other budgeting methods only when the rollup covers it all.
CREATE FUNCTION slo_internal.record_periods(o @extschema@.objective, e pg_catalog.timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p slo_internal.progress;
	origin CONSTANT timestamptz := '2000-01-01 00:00+00';
	-- (month arithmetic in UTC, whatever the session's time zone)
	month_end timestamptz := date_trunc('month', e, 'UTC');
	month_start timestamptz := (date_trunc('month', e AT TIME ZONE 'UTC') - interval '1 month') AT TIME ZONE 'UTC';
	quarter_start timestamptz := (date_trunc('quarter', e AT TIME ZONE 'UTC') - interval '3 months') AT TIME ZONE 'UTC';
	covered_day timestamptz;
	w record;
	m record;
	early_valid int8 := 0;
	early_good int8 := 0;
BEGIN
	SELECT * INTO p FROM slo_internal.progress WHERE objective_id = o.id;
	IF p.objective_id IS NULL THEN
		RETURN;
	END IF;

	-- the budget window that ended last (calendar objectives)
	IF o.window_kind = 'calendar' THEN
		SELECT * INTO w FROM slo_internal.window_of(o, (slo_internal.window_of(o, e)).window_start);
		IF w.window_end <= e AND p.backfilled_from <= w.window_start
		   AND NOT EXISTS (SELECT 1 FROM @extschema@.period_result r
						   WHERE r.objective_id = o.id AND r.period = 'window' AND r.period_start = w.window_start) THEN
			m := slo_internal.measure(o, w.window_start, w.window_start, w.window_end);
			INSERT INTO @extschema@.period_result (objective_id, period, period_start, period_end, valid, good,
												   counted, bad, target)
			VALUES (o.id, 'window', w.window_start, w.window_end, m.valid, m.good, m.counted, m.bad, o.target);
		END IF;
	END IF;

	-- the month that ended last (UTC)
	IF NOT EXISTS (SELECT 1 FROM @extschema@.period_result r
					   WHERE r.objective_id = o.id AND r.period = 'month' AND r.period_start = month_start) THEN
		covered_day := greatest(month_start,
								date_bin('1 day', p.backfilled_from - interval '1 microsecond', origin) + interval '1 day');
		IF p.backfilled_from <= month_start
		   OR (o.budgeting = 'occurrences' AND p.days_from <= month_start AND covered_day < month_end) THEN
			IF covered_day > month_start THEN
				SELECT coalesce(sum(d.valid), 0), coalesce(sum(d.good), 0) INTO early_valid, early_good
				FROM slo_internal.rollup_day d
				WHERE d.objective_id = o.id AND d.breakdown = '' AND d.day >= month_start AND d.day < covered_day;
			END IF;
			m := slo_internal.measure(o, month_start, covered_day, month_end);
			INSERT INTO @extschema@.period_result (objective_id, period, period_start, period_end, valid, good,
												   counted, bad, target)
			VALUES (o.id, 'month', month_start, month_end, m.valid + early_valid, m.good + early_good,
					m.counted + early_valid, m.bad + (early_valid - early_good), o.target);
		END IF;
	END IF;

	-- the quarter that ended with that month, from its three months
	IF month_end = date_trunc('quarter', e, 'UTC')
	   AND NOT EXISTS (SELECT 1 FROM @extschema@.period_result r
					   WHERE r.objective_id = o.id AND r.period = 'quarter' AND r.period_start = quarter_start) THEN
		INSERT INTO @extschema@.period_result (objective_id, period, period_start, period_end, valid, good,
											   counted, bad, target)
		SELECT o.id, 'quarter', quarter_start, month_end, sum(r.valid), sum(r.good), sum(r.counted), sum(r.bad), o.target
		FROM @extschema@.period_result r
		WHERE r.objective_id = o.id AND r.period = 'month'
		  AND r.period_start >= quarter_start AND r.period_end <= month_end
		HAVING count(*) = 3;
	END IF;

	-- what follows from the counts: SLI, budget consumed, met or missed
	UPDATE @extschema@.period_result r
	SET sli = CASE WHEN r.counted > 0 THEN 1 - r.bad / r.counted END,
		consumed = CASE WHEN b.budget > 0 THEN r.bad / b.budget END,
		met = CASE WHEN r.counted > 0 THEN 1 - r.bad / r.counted >= r.target END
	FROM (SELECT r2.period, r2.period_start,
				 CASE WHEN o.budgeting = 'occurrences' THEN (1 - o.target) * r2.counted
					  ELSE (1 - o.target) * (extract(epoch FROM r2.period_end - r2.period_start)
											 / extract(epoch FROM o.slice)) END AS budget
		  FROM @extschema@.period_result r2
		  WHERE r2.objective_id = o.id AND r2.met IS NULL AND r2.counted > 0) b
	WHERE r.objective_id = o.id AND r.period = b.period AND r.period_start = b.period_start;
END
$$;

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

-- Move the notes the capture triggers committed into slo_internal.pending,
-- per objective reading, through the same time column, the table they
-- fired on, a partitioned table it belongs to, or one of its partitions
-- (a statement on a parent fires only the parent's triggers).  Notes of
-- tables no objective reads go.
CREATE FUNCTION slo_internal.take_notes()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH notes AS (
		DELETE FROM slo_internal.invalidation RETURNING relid, time_column, changed
	), mapped AS (
		SELECT o.id, n.changed
		FROM notes n
		JOIN @extschema@.objective o
		  ON o.time_column = n.time_column
		 AND (o.source = n.relid
			  OR o.source IN (SELECT pg_catalog.pg_partition_ancestors(n.relid::pg_catalog.regclass))
			  OR o.source IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(n.relid::pg_catalog.regclass) t))
	)
	INSERT INTO slo_internal.pending AS p (objective_id, changed)
	SELECT m.id, pg_catalog.range_agg(m.changed) FROM mapped m GROUP BY m.id
	ON CONFLICT (objective_id) DO UPDATE SET changed = p.changed + EXCLUDED.changed;
END;

-- Commit what the tick did so far and go on in a new transaction, still
-- the one tick running (slo.tick calls it between steps, at top level).
CREATE PROCEDURE slo_internal.commit_step()
LANGUAGE plpgsql
AS $$
BEGIN
	COMMIT;
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	LOCK TABLE slo_internal.tick_lock IN EXCLUSIVE MODE;
END
$$;

-- One step of the tick for objectives "ids" (see tick_step), guarded:
-- what it counted is added to "counted"; if it fails and holds several
-- objectives, each is tried alone, so that an error lands on the objective
-- that raised it (but not after a time limit: that would only wait again);
-- the objectives that fail join "failed", with their log
-- elements in "failures".  Then, if the tick may, it commits and goes on
-- in a new transaction, still the one tick running.  No SET clause (a
-- procedure with one cannot commit): slo.tick has set the path.
CREATE PROCEDURE slo_internal.run_step(step pg_catalog.text, ids pg_catalog.int8[], at pg_catalog.timestamptz,
		can_commit pg_catalog.bool, INOUT counted pg_catalog.int8, INOUT failed pg_catalog.int8[],
		INOUT failures pg_catalog.jsonb)
LANGUAGE plpgsql
AS $$
DECLARE
	r record;
	one pg_catalog.int8;
BEGIN
	r := slo_internal.tick_step_guarded(step, ids, at);
	IF r.sqlstate IS NULL THEN
		counted := counted + r.result;
	ELSIF pg_catalog.cardinality(ids) = 1 OR r.sqlstate IN ('57014', '55P03') THEN
		-- one objective, or a time limit hit (the same for each alone: a
		-- group holds the objectives of one owner)
		FOREACH one IN ARRAY ids LOOP
			failed := failed || one;
			failures := failures || slo_internal.failure_note(one, r.sqlstate, r.message);
		END LOOP;
	ELSE
		FOREACH one IN ARRAY ids LOOP
			r := slo_internal.tick_step_guarded(step, ARRAY[one], at);
			IF r.sqlstate IS NULL THEN
				counted := counted + r.result;
			ELSE
				failed := failed || one;
				failures := failures || slo_internal.failure_note(one, r.sqlstate, r.message);
			END IF;
		END LOOP;
	END IF;
	IF can_commit THEN
		CALL slo_internal.commit_step();
	END IF;
END
$$;

/*
 * CALL slo.tick(): for every enabled objective, the minutes that changed
 * are recounted (one query per source table, owner, search_path and time
 * column), new objectives are backfilled a day at a time for at most
 * slo.backfill_time per tick, and then every objective is evaluated, its
 * policy applied and its history kept.  Idempotent.
 *
 * Each step runs in a subtransaction (src/tick.c): a step that fails, in
 * any way (an objective's expression raised an error, query_canceled or an
 * assertion; its counting query ran past slo.query_timeout; a lock wait ran
 * past slo.lock_timeout), is rolled back, its objectives keep what they had
 * to recount, the error is recorded on them and in the tick's log, and the
 * tick goes on; a failed group is retried one objective at a time, so one
 * objective's error stays its own.  A cancel of the tick itself stops it.
 *
 * Called at top level, outside a transaction block (as pg_cron does), the
 * tick commits after each step, so no transaction of it holds locks on a
 * source table for longer than one step.  A second tick that starts while
 * one runs skips instead of waiting.
 */
CREATE PROCEDURE @extschema@.tick(at pg_catalog.timestamptz DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
	-- (types qualified: they are resolved before the path below is set)
	started pg_catalog.timestamptz := pg_catalog.clock_timestamp();
	e pg_catalog.timestamptz;
	can_commit pg_catalog.bool;
	o @extschema@.objective;
	g record;
	id pg_catalog.int8;
	failed pg_catalog.int8[] := '{}';
	evaluate_ids pg_catalog.int8[];
	n_buckets pg_catalog.int8 := 0;
	n_objectives pg_catalog.int8 := 0;
	failures pg_catalog.jsonb := '[]';
	backfill_until pg_catalog.timestamptz;
	budget pg_catalog.float8;		-- ms of counting one owner may take per tick
	spent pg_catalog.jsonb := '{}';	-- per owner, ms of counting in this tick
	several_owners pg_catalog.bool;	-- (with one owner, nobody is waiting for it)
	t0 pg_catalog.timestamptz;
BEGIN
	-- no SET clause (a procedure with one cannot commit): pin the path here,
	-- again after each commit
	PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
	-- "at" evaluates as of another instant (tests, replays); normally now()
	at := coalesce(at, now());
	e := slo_internal.minute_of(at);
	can_commit := slo_internal.may_commit();	-- (C: the module and its settings are loaded)
	budget := extract(epoch FROM pg_catalog.current_setting('slo.query_timeout')::pg_catalog.interval) * 1000;

	-- one tick at a time
	BEGIN
		LOCK TABLE slo_internal.tick_lock IN EXCLUSIVE MODE NOWAIT;
	EXCEPTION WHEN lock_not_available THEN
		INSERT INTO @extschema@.tick_log (started_at, finished_at, buckets_recounted,
										  objectives_evaluated, errors, skipped)
		VALUES (started, clock_timestamp(), 0, 0, 0, true);
		RAISE NOTICE 'tick skipped: another tick is running';
		RETURN;
	END;
	-- (between its transactions a tick holds no lock: tick_state names it.
	-- A row left by a tick that was cancelled, or whose backend is gone or
	-- now serves another session, does not count: that backend must be the
	-- same one, and still running a statement)
	IF EXISTS (SELECT 1 FROM slo_internal.tick_state s
			   WHERE s.pid <> pg_backend_pid()
				 AND EXISTS (SELECT 1 FROM pg_stat_activity a
							 WHERE a.pid = s.pid AND a.backend_start IS NOT DISTINCT FROM s.backend_start
							   AND coalesce(a.state, 'active') = 'active')) THEN
		INSERT INTO @extschema@.tick_log (started_at, finished_at, buckets_recounted,
										  objectives_evaluated, errors, skipped)
		VALUES (started, clock_timestamp(), 0, 0, 0, true);
		RAISE NOTICE 'tick skipped: another tick is running';
		RETURN;
	END IF;
	INSERT INTO slo_internal.tick_state (pid, backend_start, started_at)
	SELECT pg_backend_pid(), a.backend_start, started FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()
	ON CONFLICT (only_row) DO UPDATE
		SET pid = EXCLUDED.pid, backend_start = EXCLUDED.backend_start, started_at = EXCLUDED.started_at;

	-- with Citus installed, a source it manages fails its objective (its
	-- changes cannot be noted: see refuse_distributed)
	IF to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
		FOR id IN SELECT ob.id FROM @extschema@.objective ob WHERE ob.enabled ORDER BY ob.id LOOP
			CALL slo_internal.run_step('check', ARRAY[id], at, false, n_buckets, failed, failures);
		END LOOP;
	END IF;

	-- what changed, per objective; what deleted objectives and the passing
	-- of time leave behind; objectives new, redefined or truncated start over
	PERFORM slo_internal.take_notes();
	PERFORM slo_internal.prune_rollups(e);
	FOR o IN
		SELECT ob.* FROM @extschema@.objective ob
		LEFT JOIN slo_internal.progress p ON p.objective_id = ob.id
		LEFT JOIN slo_internal.pending pd ON pd.objective_id = ob.id
		WHERE ob.enabled AND ob.id <> ALL (failed)
		  AND (p.objective_id IS NULL OR p.revision <> ob.revision OR lower_inf(pd.changed))
	LOOP
		PERFORM slo_internal.restart_rollup(o, e);
	END LOOP;
	IF can_commit THEN
		CALL slo_internal.commit_step();
	END IF;

	SELECT count(DISTINCT ob.owner) > 1 INTO several_owners
	FROM @extschema@.objective ob WHERE ob.enabled AND ob.id <> ALL (failed);

	-- recount what changed: one query per source table, owner, search_path
	-- and time column; freshness objectives one by one
	FOR g IN
		SELECT ids, freshness, owner FROM (
			SELECT array_agg(ob.id ORDER BY ob.id) AS ids, bool_or(ob.sli_kind = 'freshness') AS freshness,
				   ob.owner::text AS owner, bool_or(v.last_error_at IS NOT NULL) AS failed_before
			FROM @extschema@.objective ob
			JOIN slo_internal.pending pd ON pd.objective_id = ob.id
			JOIN slo_internal.progress p ON p.objective_id = ob.id AND p.revision = ob.revision
			LEFT JOIN @extschema@.evaluation v ON v.objective_id = ob.id
			WHERE ob.enabled AND ob.id <> ALL (failed)
			GROUP BY ob.source, ob.owner, ob.search_path, ob.time_column, ob.sli_kind = 'freshness',
					 CASE WHEN ob.sli_kind = 'freshness' THEN ob.id END
			UNION ALL
			-- freshness objectives with nothing pending still age
			SELECT ARRAY[ob.id], true, ob.owner::text, v.last_error_at IS NOT NULL
			FROM @extschema@.objective ob
			JOIN slo_internal.progress p ON p.objective_id = ob.id AND p.revision = ob.revision
			LEFT JOIN @extschema@.evaluation v ON v.objective_id = ob.id
			WHERE ob.enabled AND ob.sli_kind = 'freshness' AND ob.id <> ALL (failed)
			  AND NOT EXISTS (SELECT 1 FROM slo_internal.pending pd WHERE pd.objective_id = ob.id)
		) groups
		-- (groups that failed last time go last)
		ORDER BY failed_before, ids
	LOOP
		-- an owner whose counting took slo.query_timeout in all this tick
		-- waits for the next one: no owner holds the others up longer
		-- (when there are others)
		IF budget > 0 AND several_owners AND coalesce((spent ->> g.owner)::float8, 0) >= budget THEN
			FOREACH id IN ARRAY g.ids LOOP
				failed := failed || id;
				failures := failures || slo_internal.failure_note(id, '57014',
					format('deferred to the next tick: counting for its owner took longer than slo.query_timeout (%s) in this tick',
						   current_setting('slo.query_timeout')));
			END LOOP;
			CONTINUE;
		END IF;
		t0 := clock_timestamp();
		CALL slo_internal.run_step(CASE WHEN g.freshness THEN 'freshness' ELSE 'recount' END, g.ids, at,
								   can_commit, n_buckets, failed, failures);
		spent := jsonb_set(spent, ARRAY[g.owner],
						   to_jsonb(coalesce((spent ->> g.owner)::float8, 0) + extract(epoch FROM clock_timestamp() - t0) * 1000));
	END LOOP;

	-- backfill, newest day first, for at most slo.backfill_time
	backfill_until := clock_timestamp() + slo_internal.backfill_time();
	LOOP
		-- (those that failed last time go last: one that keeps failing,
		-- slowly, does not keep its owner's others waiting)
		SELECT ob.id, ob.owner::text AS owner INTO g
		FROM @extschema@.objective ob
		JOIN slo_internal.progress p ON p.objective_id = ob.id AND p.revision = ob.revision
		LEFT JOIN @extschema@.evaluation v ON v.objective_id = ob.id
		WHERE ob.enabled AND p.backfilled_until IS NULL AND ob.id <> ALL (failed)
		  AND (budget = 0 OR NOT several_owners OR coalesce((spent ->> ob.owner::text)::float8, 0) < budget)
		ORDER BY v.last_error_at IS NOT NULL, p.backfilled_from DESC, ob.id
		LIMIT 1;
		EXIT WHEN NOT FOUND OR (clock_timestamp() > backfill_until);
		t0 := clock_timestamp();
		CALL slo_internal.run_step('backfill', ARRAY[g.id], at, can_commit, n_buckets, failed, failures);
		spent := jsonb_set(spent, ARRAY[g.owner],
						   to_jsonb(coalesce((spent ->> g.owner)::float8, 0) + extract(epoch FROM clock_timestamp() - t0) * 1000));
	END LOOP;

	-- evaluate everything that did not fail, in one statement; if that
	-- fails, one by one
	SELECT array_agg(ob.id ORDER BY ob.id) INTO evaluate_ids
	FROM @extschema@.objective ob WHERE ob.enabled AND ob.id <> ALL (failed);
	IF evaluate_ids IS NOT NULL THEN
		CALL slo_internal.run_step('evaluate', evaluate_ids, at, false, n_objectives, failed, failures);
	END IF;
	PERFORM slo_internal.lift_orphaned_freezes();

	INSERT INTO @extschema@.tick_log (started_at, finished_at, buckets_recounted,
									  objectives_evaluated, errors, failures)
	VALUES (started, clock_timestamp(), n_buckets, n_objectives, cardinality(failed),
			CASE WHEN cardinality(failed) > 0 THEN failures END);
	-- the log is kept seven days of wall-clock time ("at" may be any
	-- instant), the history 13 months (pruned at each new hour)
	DELETE FROM @extschema@.tick_log WHERE started_at < started - interval '7 days';
	IF NOT EXISTS (SELECT 1 FROM @extschema@.history h WHERE h.hour = date_bin('1 hour', e, '2000-01-01 00:00+00')) THEN
		DELETE FROM @extschema@.history WHERE hour < e - interval '13 months';
	END IF;
	DELETE FROM slo_internal.tick_state;
END
$$;
REVOKE ALL ON PROCEDURE @extschema@.tick(pg_catalog.timestamptz) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE @extschema@.tick(pg_catalog.timestamptz) TO slo_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON @extschema@.rollup, slo_internal.rollup_hour, slo_internal.rollup_day,
	slo_internal.invalidation, slo_internal.pending, slo_internal.progress, slo_internal.tick_state,
	@extschema@.evaluation, @extschema@.tick_log, @extschema@.history, @extschema@.period_result TO slo_admin;
-- (slo_admin sets and lifts policy freezes through slo_writer's rights on
-- slo.freezes, in its own name like everybody; it may call every function
-- of slo_internal: internal_rights.sql)

-- A failed objective, for the tick's log and its status: records the
-- failure and returns the log's element.
CREATE FUNCTION slo_internal.failure_note(objective_id pg_catalog.int8, sqlstate pg_catalog.text,
		message pg_catalog.text)
RETURNS pg_catalog.jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	o record;
BEGIN
	SELECT ob.service, ob.name INTO o FROM @extschema@.objective ob WHERE ob.id = failure_note.objective_id;
	RAISE WARNING 'objective "%" of service "%" failed: %', o.name, o.service, message
		USING DETAIL = format('SQLSTATE %s. The other objectives were evaluated.', sqlstate);
	PERFORM slo_internal.record_failure(failure_note.objective_id, now(), sqlstate, message);
	RETURN jsonb_build_object('objective_id', failure_note.objective_id, 'service', o.service,
							  'objective', o.name, 'sqlstate', sqlstate, 'message', message);
END
$$;

-- How long one tick may spend backfilling new objectives (slo.backfill_time).
CREATE FUNCTION slo_internal.backfill_time()
RETURNS pg_catalog.interval
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN pg_catalog.current_setting('slo.backfill_time')::pg_catalog.interval;
