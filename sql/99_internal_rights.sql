/*
 * internal_rights.sql: who may call the functions of slo_internal.  Nobody
 * by default.  Everybody the rights checks that the API functions and row-
 * level security run with the caller's rights (they only answer questions
 * about the caller, or type-check the caller's own SQL as the caller, so
 * the API's own messages reach every role); writers the trigger their
 * tables get; slo_admin, which runs the tick, all of them.  The aggregates
 * and types need no grant: they call their support functions with their
 * owner's rights.
 */

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA slo_internal FROM PUBLIC;
REVOKE ALL ON ALL PROCEDURES IN SCHEMA slo_internal FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
	slo_internal.is_admin(),
	slo_internal.acts_for(pg_catalog.name),
	slo_internal.may_define_on(pg_catalog.regclass, pg_catalog.text),
	slo_internal.service_owner(pg_catalog.text),
	slo_internal.check_service(pg_catalog.text),
	slo_internal.objective_of(pg_catalog.text, pg_catalog.text),
	slo_internal.expression_type(pg_catalog.regclass, pg_catalog.text),
	slo_internal.check_expression(pg_catalog.regclass, pg_catalog.text, pg_catalog.text, pg_catalog.regtype),
	slo_internal.may_contract_on(pg_catalog.regclass),
	slo_internal.restoring(),
	slo_internal.email_pattern(),
	slo_internal.lookbacks(),
	slo_internal.window_length_of(@extschema@.objective)
TO PUBLIC;

GRANT EXECUTE ON FUNCTION slo_internal.capture(), slo_internal.time_columns_of(pg_catalog.regclass),
	slo_internal.refuse_distributed(pg_catalog.regclass),
	slo_internal.note_all_changed(pg_catalog.regclass, pg_catalog.name[]) TO slo_writer;

-- contracts: the trigger, and what the API calls with a table owner's rights
GRANT EXECUTE ON FUNCTION slo_internal.check_contracts(),
	slo_internal.put_contract(pg_catalog.regclass, pg_catalog.text, pg_catalog.jsonb, pg_catalog.text,
							  pg_catalog.text, pg_catalog.text),
	slo_internal.put_contract_trigger(pg_catalog.regclass),
	slo_internal.check_contract_tables(pg_catalog.oid[], pg_catalog.bool),
	slo_internal.contract_for_change(pg_catalog.text),
	slo_internal.contract_named(pg_catalog.text),
	slo_internal.contract_predicate(@extschema@.contract),
	slo_internal.contract_row_sql(@extschema@.contract),
	slo_internal.query_check_as(pg_catalog.regrole, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz,
								pg_catalog.timestamptz, pg_catalog.tstzmultirange)
TO slo_writer;

-- what the runbook's views and functions compute for their readers
GRANT EXECUTE ON FUNCTION
	slo_internal.burn_between(@extschema@.objective, pg_catalog.timestamptz, pg_catalog.timestamptz),
	slo_internal.measure(@extschema@.objective, pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.timestamptz,
						 pg_catalog.tstzmultirange),
	slo_internal.range_sum(pg_catalog.int8, pg_catalog.timestamptz, pg_catalog.timestamptz),
	slo_internal.excluded_ranges(@extschema@.objective, pg_catalog.timestamptz, pg_catalog.timestamptz),
	slo_internal.has_exclusions(@extschema@.objective),
	slo_internal.whole_minutes(pg_catalog.tstzmultirange),
	slo_internal.minute_of(pg_catalog.timestamptz)
TO slo_reader;

GRANT EXECUTE ON FUNCTION
	slo_internal.query_check_as(pg_catalog.regrole, pg_catalog.text, pg_catalog.text, pg_catalog.timestamptz,
								pg_catalog.timestamptz, pg_catalog.tstzmultirange),
	slo_internal.only_unless_partitioned(pg_catalog.regclass)
TO slo_reader;

-- incidents: moved by the roles that act for their service
GRANT EXECUTE ON FUNCTION slo_internal.move_incident(pg_catalog.int8, pg_catalog.text, pg_catalog.text)
TO slo_writer;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA slo_internal TO slo_admin;
GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA slo_internal TO slo_admin;
