/*
 * cron.sql: scheduling the tick with pg_cron, which is optional: nothing
 * needs it, and these functions say how to do without it.
 */

CREATE FUNCTION slo_internal.cron_expression(every pg_catalog.interval)
RETURNS pg_catalog.text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	mins int8;
BEGIN
	IF every IS NULL OR every < interval '1 minute'
	   OR extract(epoch FROM every)::numeric % 60 <> 0 THEN
		RAISE EXCEPTION 'interval % cannot be scheduled', coalesce(every::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'pg_cron runs jobs in whole minutes, one minute at the shortest.';
	END IF;
	mins := extract(epoch FROM every)::int8 / 60;
	IF mins = 1 THEN
		RETURN '* * * * *';
	ELSIF mins < 60 AND 60 % mins = 0 THEN
		RETURN format('*/%s * * * *', mins);
	ELSIF mins % 60 = 0 AND mins / 60 < 24 AND 24 % (mins / 60) = 0 THEN
		RETURN format('0 */%s * * *', mins / 60);
	ELSIF mins = 1440 THEN
		RETURN '0 0 * * *';
	END IF;
	RAISE EXCEPTION 'interval % cannot be scheduled', every
		USING ERRCODE = 'invalid_parameter_value',
			  DETAIL = 'A five-field cron schedule repeats evenly only for minutes dividing an hour, or hours dividing a day.';
END
$$;

CREATE FUNCTION slo_internal.require_pg_cron()
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF to_regnamespace('cron') IS NULL THEN
		RAISE EXCEPTION 'pg_cron is not installed in this database'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Database %I has no schema "cron".', current_database()),
				  HINT = format('Install pg_cron (shared_preload_libraries, then CREATE EXTENSION pg_cron in the database named by cron.database_name, where cron.schedule_in_database(''slo-tick'', ''* * * * *'', ''CALL slo.tick()'', %L) schedules it), or run CALL slo.tick() every minute from any other scheduler.',
								current_database());
	END IF;
END
$$;

-- Schedule CALL slo.tick() with pg_cron; an upsert by job name.
CREATE FUNCTION @extschema@.schedule(every pg_catalog.interval DEFAULT '1 minute',
		job_name pg_catalog.text DEFAULT 'slo-tick')
RETURNS pg_catalog.int8
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	expr text := slo_internal.cron_expression(every);
	job int8;
BEGIN
	PERFORM slo_internal.require_pg_cron();
	IF current_database() = current_setting('cron.database_name', true) THEN
		EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job
			USING job_name, expr, 'CALL @extschema@.tick()';
	ELSE
		EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, $4)' INTO job
			USING job_name, expr, 'CALL @extschema@.tick()', current_database();
	END IF;
	RETURN job;
END
$$;

-- Remove the pg_cron job; false when there was none.
CREATE FUNCTION @extschema@.unschedule(job_name pg_catalog.text DEFAULT 'slo-tick')
RETURNS pg_catalog.bool
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	found_job bool;
BEGIN
	PERFORM slo_internal.require_pg_cron();
	EXECUTE 'SELECT EXISTS (SELECT 1 FROM cron.job WHERE jobname = $1 AND username = current_user)'
		INTO found_job USING job_name;
	IF NOT found_job THEN
		RETURN false;
	END IF;
	EXECUTE 'SELECT cron.unschedule($1)' USING job_name;
	RETURN true;
END
$$;
