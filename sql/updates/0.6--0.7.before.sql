/*
 * 0.6--0.7.before.sql: the first part of the update from 0.6 to 0.7 (the
 * Makefile builds slo--0.6--0.7.sql from this file, the sources of the
 * functions 0.7 redefines -- definitions, recount, evaluation, tick and
 * status --, sql/87_contracts.sql and sql/88_alerts.sql, which add data
 * contracts and alerts, and sql/99_internal_rights.sql).
 *
 * 0.7 adds data contracts, and objectives whose SLI is a contract's pass
 * rate (slo.objective gets a column naming the contract and a kind of
 * SLI), and alerts, incidents and notifications (the evaluation gets the
 * burn over 2 hours and what each look-back counted).  Rollups and
 * evaluations are kept as they are.
 */

-- An objective's SLI may be a contract's pass rate.
ALTER TABLE @extschema@.objective DROP CONSTRAINT objective_sli_kind_check;
ALTER TABLE @extschema@.objective ADD CONSTRAINT objective_sli_kind_check
	CHECK (sli_kind IN ('ratio', 'threshold', 'freshness', 'throughput', 'percentile', 'contract'));
ALTER TABLE @extschema@.objective ADD COLUMN contract pg_catalog.text;
ALTER TABLE @extschema@.objective ADD CONSTRAINT objective_contract_check
	CHECK ((sli_kind = 'contract') = (contract IS NOT NULL));

-- A policy's tier may have a named action of the user's.
ALTER TABLE @extschema@.policy_tier DROP CONSTRAINT policy_tier_action_check;
ALTER TABLE @extschema@.policy_tier ADD CONSTRAINT policy_tier_action_check CHECK (action ~ '^[a-z][a-z0-9_-]*$');

-- What the tick evaluates: the burn over 2 hours (for the alert rules'
-- look-backs), and the units each look-back counted.
ALTER TABLE @extschema@.evaluation ADD COLUMN burn_2h pg_catalog.float8;
ALTER TABLE @extschema@.evaluation ADD COLUMN lookback_counted pg_catalog.float8[];

-- The deploy gate and the freezes' functions and views, as 0.6 had them
-- (freezes.sql follows: it adds overrides).
DROP FUNCTION @extschema@.deploy_allowed(pg_catalog.text);
DROP FUNCTION @extschema@.unfreeze_service(pg_catalog.text, pg_catalog.text);
DROP FUNCTION @extschema@.freeze_service(pg_catalog.text, pg_catalog.text);
DROP FUNCTION slo_internal.check_service(pg_catalog.text);
DROP VIEW @extschema@.freeze_history;
DROP VIEW @extschema@.deploy_freeze;

-- The tick's functions and procedures, as 0.6 had them (tick.sql and
-- evaluation.sql follow).
DROP PROCEDURE @extschema@.tick(pg_catalog.timestamptz);
DROP PROCEDURE slo_internal.run_step(pg_catalog.text, pg_catalog.int8[], pg_catalog.timestamptz, pg_catalog.bool,
	pg_catalog.int8, pg_catalog.int8[], pg_catalog.jsonb);
DROP PROCEDURE slo_internal.commit_step();
DROP FUNCTION slo_internal.backfill_time();
DROP FUNCTION slo_internal.failure_note(pg_catalog.int8, pg_catalog.text, pg_catalog.text);
DROP FUNCTION slo_internal.take_notes();
DROP FUNCTION slo_internal.record_failure(pg_catalog.int8, pg_catalog.timestamptz, pg_catalog.text, pg_catalog.text);
DROP FUNCTION slo_internal.record_periods(@extschema@.objective, pg_catalog.timestamptz);
DROP FUNCTION slo_internal.evaluate_objectives(pg_catalog.int8[], pg_catalog.timestamptz);
DROP FUNCTION slo_internal.may_commit();
DROP FUNCTION slo_internal.tick_step_guarded(pg_catalog.text, pg_catalog.int8[], pg_catalog.timestamptz);
DROP FUNCTION slo_internal.tick_step(pg_catalog.text, pg_catalog.int8[], pg_catalog.timestamptz);
DROP FUNCTION slo_internal.evaluate(@extschema@.objective, pg_catalog.timestamptz);
DROP FUNCTION slo_internal.measure(@extschema@.objective, pg_catalog.timestamptz, pg_catalog.timestamptz,
	pg_catalog.timestamptz);
DROP FUNCTION slo_internal.corrected_minutes(pg_catalog.int8);
DROP FUNCTION slo_internal.range_sum(pg_catalog.int8, pg_catalog.timestamptz, pg_catalog.timestamptz);

-- The functions and views of recount.sql and definitions.sql, as 0.6 had
-- them (those that call another through a SQL body first).
DROP VIEW slo_internal.minutes;
DROP FUNCTION slo_internal.prune_rollups(pg_catalog.timestamptz);
DROP FUNCTION slo_internal.recount_freshness(@extschema@.objective, pg_catalog.timestamptz);
DROP FUNCTION slo_internal.recount_group(pg_catalog.int8[], pg_catalog.timestamptz);
DROP FUNCTION slo_internal.backfill_step(@extschema@.objective, pg_catalog.timestamptz);
DROP FUNCTION slo_internal.restart_rollup(@extschema@.objective, pg_catalog.timestamptz);
DROP FUNCTION slo_internal.check_source(@extschema@.objective);
DROP FUNCTION slo_internal.count_freshness(@extschema@.objective, pg_catalog.timestamptz,
	pg_catalog.timestamptz, pg_catalog.tstzmultirange);
DROP FUNCTION slo_internal.count_group(@extschema@.objective[], pg_catalog.tstzmultirange);
DROP FUNCTION slo_internal.store_counts(pg_catalog.int8[], pg_catalog.tstzmultirange[]);
DROP FUNCTION slo_internal.counted_table();
DROP FUNCTION slo_internal.freshness_query(@extschema@.objective);
DROP FUNCTION slo_internal.counting_query(@extschema@.objective[], pg_catalog.tstzmultirange);
DROP FUNCTION slo_internal.only_unless_partitioned(pg_catalog.regclass);
DROP FUNCTION slo_internal.time_columns_of(pg_catalog.regclass);
DROP FUNCTION @extschema@.record(pg_catalog.text, pg_catalog.text, pg_catalog.bool,
	pg_catalog.float8, pg_catalog.timestamptz);
DROP FUNCTION @extschema@.add_correction(pg_catalog.text, pg_catalog.text,
	pg_catalog.tstzrange, pg_catalog.text);
DROP FUNCTION @extschema@.define_objective(pg_catalog.text, pg_catalog.text, pg_catalog.text,
	pg_catalog.name, pg_catalog.text, pg_catalog.text, pg_catalog.float8, pg_catalog.text,
	pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.interval, pg_catalog.text,
	pg_catalog.interval, pg_catalog.text, pg_catalog.timestamptz, pg_catalog.text, pg_catalog.text,
	pg_catalog.interval, pg_catalog.float8, pg_catalog.int8, pg_catalog.text, pg_catalog.int8,
	pg_catalog.float8, pg_catalog.interval, pg_catalog.text, pg_catalog.text, pg_catalog.float8);
DROP FUNCTION slo_internal.check_expression(pg_catalog.regclass, pg_catalog.text,
	pg_catalog.text, pg_catalog.regtype);
DROP FUNCTION slo_internal.expression_type(pg_catalog.regclass, pg_catalog.text);
DROP FUNCTION @extschema@.define_service(pg_catalog.text, pg_catalog.name, pg_catalog.text,
	pg_catalog.text, pg_catalog.text);
