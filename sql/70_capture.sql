/*
 * capture.sql: the statement triggers that note which minutes of a source
 * table changed (src/capture.c), how slo puts them on a table and its
 * partitions, and the C function that runs a counting query as an
 * objective's owner (src/run_as.c).  What the tick does with the notes is
 * in recount.sql.
 */

------------------------------------------------------------------------------
-- Counting as the owner (src/run_as.c).  The C function refuses a caller
-- without the owner's privileges, so it can never grant more than the
-- caller already has; only slo_admin may call it (internal_rights.sql).
-- The query's $1, $2, $3 are the lo, hi and ranges arguments.  Declared
-- twice, for the two shapes of counting queries.
------------------------------------------------------------------------------
-- one objective: (bucket, valid, good)
CREATE FUNCTION slo_internal.query_counts_as(owner pg_catalog.regrole, search_path pg_catalog.text,
		query pg_catalog.text, lo pg_catalog.timestamptz, hi pg_catalog.timestamptz,
		ranges pg_catalog.tstzmultirange)
RETURNS TABLE (bucket pg_catalog.timestamptz, valid pg_catalog.int8, good pg_catalog.int8)
AS 'MODULE_PATHNAME', 'query_counts_as'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- a group of objectives of one table: (objective_id, bucket, valid, good, sketch)
CREATE FUNCTION slo_internal.query_group_as(owner pg_catalog.regrole, search_path pg_catalog.text,
		query pg_catalog.text, lo pg_catalog.timestamptz, hi pg_catalog.timestamptz,
		ranges pg_catalog.tstzmultirange)
RETURNS TABLE (objective_id pg_catalog.int8, bucket pg_catalog.timestamptz, valid pg_catalog.int8,
			   good pg_catalog.int8, sketch @extschema@.sketch)
AS 'MODULE_PATHNAME', 'query_counts_as'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

------------------------------------------------------------------------------
-- Invalidation triggers on source tables
------------------------------------------------------------------------------

/*
 * capture(time columns...) -- the statement triggers on every source table
 * (src/capture.c): for each transaction, the minutes of each time column
 * its statements changed, written once at commit to
 * slo_internal.invalidation.  Written in C: it reads the transition tables
 * directly, runs no SQL and resolves no name, does O(1) work per row
 * whatever the number of objectives, and refuses any call but the one it
 * was built for.
 */
CREATE FUNCTION slo_internal.capture()
RETURNS trigger
AS 'MODULE_PATHNAME', 'capture'
LANGUAGE C;

-- Note every minute of a table's time columns as changed, as a TRUNCATE
-- would (src/capture.c): for rows that came or went without DML, by ATTACH
-- or DETACH PARTITION.  Only the table's owner may.
CREATE FUNCTION slo_internal.note_all_changed(tbl pg_catalog.regclass, columns pg_catalog.name[])
RETURNS void
AS 'MODULE_PATHNAME', 'note_all_changed'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

-- Refuse a source table that Citus distributes (or a partition of one):
-- the capture triggers would fire on the shards, where no objective is
-- defined, and changes would go uncounted.  Citus keeps its tables in
-- pg_catalog.pg_dist_partition; without Citus there is no such table (and
-- only a superuser could make one there).
CREATE FUNCTION slo_internal.refuse_distributed(tbl pg_catalog.regclass)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	distributed bool;
BEGIN
	IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
		RETURN;
	END IF;
	EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition d
							WHERE d.logicalrelid = $1
							   OR d.logicalrelid IN (SELECT pg_catalog.pg_partition_ancestors($1)))'
		INTO distributed USING tbl;
	IF distributed THEN
		RAISE EXCEPTION 'source table "%" is managed by Citus', tbl
			USING ERRCODE = 'feature_not_supported',
				  DETAIL = 'slo notes changed rows with triggers on the source table; on a Citus table they would '
						   'fire on the shards, where no objective is defined, and changes would go uncounted.',
				  HINT = 'Define the objective on a local table (one the application also writes, or one a job '
						 'fills from the distributed table), or query the distributed table with slo''s '
						 'aggregates, which Citus pushes down to the workers.';
	END IF;
END
$$;

-- Put the capture triggers on a table, on every partition of it (DML aimed
-- straight at a partition fires only that partition's statement triggers)
-- and on the partitioned tables it belongs to (DML aimed at a parent fires
-- only the parent's), each with the time columns of the objectives that
-- read it or a table of its tree; replace triggers whose columns are no
-- longer those.  A table that had no triggers yet (a partition attached
-- since) is noted as changed in full, so that its rows are counted; with
-- "recount", every table of the tree is (after DETACH PARTITION).  Run it
-- again after attaching or detaching partitions.  Runs with the caller's
-- rights (creating a trigger needs the TRIGGER privilege on the table).
CREATE FUNCTION @extschema@.attach_triggers(tbl pg_catalog.regclass, recount pg_catalog.bool DEFAULT false)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	part regclass;
	columns name[];
	args text;
	op text;
	spec text;
	have text;
	had_none bool;
BEGIN
	PERFORM slo_internal.refuse_distributed(tbl);
	FOR part IN
		-- (pg_partition_tree() returns no rows for a table that is not
		-- partitioned)
		SELECT t.relid FROM (SELECT tbl AS relid
							 UNION SELECT relid FROM pg_partition_tree(tbl)
							 UNION SELECT relid FROM pg_partition_ancestors(tbl) AS a(relid)) t
		JOIN pg_class c ON c.oid = t.relid
		WHERE c.relkind IN ('r', 'p')
	LOOP
		columns := coalesce(slo_internal.time_columns_of(part), '{}');
		args := (SELECT string_agg(quote_literal(c), ', ' ORDER BY c) FROM unnest(columns) c);
		had_none := NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = part AND t.tgname LIKE 'slo\_capture\_%');
		FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete', 'truncate'] LOOP
			spec := CASE op
						WHEN 'insert' THEN 'AFTER INSERT ON %1$s REFERENCING NEW TABLE AS slo_new'
						WHEN 'update' THEN 'AFTER UPDATE ON %1$s REFERENCING OLD TABLE AS slo_old NEW TABLE AS slo_new'
						WHEN 'delete' THEN 'AFTER DELETE ON %1$s REFERENCING OLD TABLE AS slo_old'
						ELSE 'AFTER TRUNCATE ON %1$s' END;
			-- the trigger there, as created, if any
			SELECT pg_get_triggerdef(t.oid) INTO have
			FROM pg_trigger t WHERE t.tgrelid = part AND t.tgname = 'slo_capture_' || op;
			-- %1$s the table, %2$s the columns, %3$I the trigger
			spec := format('CREATE TRIGGER %3$I ' || spec || ' FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture(%2$s)',
						   part, coalesce(args, ''), 'slo_capture_' || op);
			CONTINUE WHEN have IS NOT DISTINCT FROM spec;
			IF have IS NOT NULL THEN
				EXECUTE format('DROP TRIGGER %I ON %s', 'slo_capture_' || op, part);
			END IF;
			EXECUTE spec;
		END LOOP;
		IF (had_none OR recount) AND cardinality(columns) > 0 THEN
			PERFORM slo_internal.note_all_changed(part, columns);
		END IF;
	END LOOP;
END
$$;

-- The built-in event table has one time column, ts: its triggers are made
-- here, once (writers do not own it, so they could not make them).
CREATE TRIGGER slo_capture_insert AFTER INSERT ON @extschema@.event REFERENCING NEW TABLE AS slo_new
	FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture('ts');
CREATE TRIGGER slo_capture_update AFTER UPDATE ON @extschema@.event REFERENCING OLD TABLE AS slo_old NEW TABLE AS slo_new
	FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture('ts');
CREATE TRIGGER slo_capture_delete AFTER DELETE ON @extschema@.event REFERENCING OLD TABLE AS slo_old
	FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture('ts');
CREATE TRIGGER slo_capture_truncate AFTER TRUNCATE ON @extschema@.event
	FOR EACH STATEMENT EXECUTE FUNCTION slo_internal.capture('ts');
