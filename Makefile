# Makefile for the slo extension (PGXS)
#
#   make && make install         build and install into the pg_config found
#   make installcheck            run the pg_regress and isolation suites against a
#                                running server
#   bash test/run.sh check       everything: packages, cluster, every suite
#
EXTENSION  = slo
EXTVERSION := $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = slo
OBJS       = src/slo.o src/tally.o src/tally_aggs.o src/run_as.o src/tick.o src/capture.o \
             src/contracts.o src/sketch.o src/sketch_aggs.o

# The install script of the current version is built from these sources, in
# this order (each reads top to bottom, in dependency order); every SQL object
# has its one live definition in one of them.
SQL_SOURCES = \
	sql/00_roles.sql \
	sql/10_tally.sql \
	sql/20_sketch.sql \
	sql/30_tables.sql \
	sql/35_data_path.sql \
	sql/40_security.sql \
	sql/50_definitions.sql \
	sql/60_windows.sql \
	sql/70_capture.sql \
	sql/72_recount.sql \
	sql/80_evaluation.sql \
	sql/85_freezes.sql \
	sql/86_policy_actions.sql \
	sql/87_contracts.sql \
	sql/88_alerts.sql \
	sql/89_runbook.sql \
	sql/90_tick.sql \
	sql/92_status.sql \
	sql/95_cron.sql \
	sql/99_internal_rights.sql

# Earlier versions: their install scripts as released (kept, never edited)
# and the update script from each version to the next.
DATA_built = $(EXTENSION)--$(EXTVERSION).sql $(EXTENSION)--$(PREVVERSION)--$(EXTVERSION).sql
DATA       = $(wildcard sql/versions/$(EXTENSION)--*.sql) $(wildcard sql/updates/$(EXTENSION)--*--*.sql)
EXTRA_CLEAN = $(DATA_built)

# The update script from the previous version, while this version is being
# made, is built too: what the previous version had is dropped or reshaped
# by sql/updates/$(PREVVERSION)--$(EXTVERSION).before.sql, the sources that
# define what changed follow as they are (with ...convert.sql, which moves
# the data into the new tables, after those), and ...after.sql finishes.  At
# release the built script is kept in sql/updates/ and these lines point at
# the next version.
PREVVERSION = 0.6
UPDATE_SOURCES = \
	sql/updates/$(PREVVERSION)--$(EXTVERSION).before.sql \
	sql/50_definitions.sql \
	sql/72_recount.sql \
	sql/80_evaluation.sql \
	sql/85_freezes.sql \
	sql/87_contracts.sql \
	sql/88_alerts.sql \
	sql/89_runbook.sql \
	sql/90_tick.sql \
	sql/92_status.sql \
	sql/99_internal_rights.sql

REGRESS      = catalog tally_type aggregates aggregate_errors parallel_plans moving_window \
               define_objective tick_status window_edges policies_freezes security attacks upgrade \
               percentile_objective sketch history distributed capture_edges contracts alerts runbook
# expected output in the top-level expected/: pg_regress looks in
# <outputdir>/expected first, and the output directory is this one
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)

# concurrency: test/specs/*.spec; outputs in results/, expected output in
# expected/ as for pg_regress
ISOLATION      = tick_concurrency tick_lock contract_tally
ISOLATION_OPTS = --inputdir=test --outputdir=. --load-extension=$(EXTENSION)

PG_CONFIG ?= pg_config

PG_CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
ifdef SLO_WERROR
PG_CFLAGS += -Werror
endif

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every object file depends on the headers (PGXS tracks no dependencies)
$(OBJS): $(wildcard src/*.h)

$(EXTENSION)--$(EXTVERSION).sql: $(SQL_SOURCES) $(EXTENSION).control Makefile
	{ printf '/* %s--%s.sql: built by make from the sources under sql/ (see the Makefile); edit those, not this */\n\n' $(EXTENSION) $(EXTVERSION); \
	  printf -- '-- complain if script is sourced in psql, rather than via CREATE EXTENSION\n'; \
	  printf '\\echo Use "CREATE EXTENSION %s" to load this file. \\quit\n' $(EXTENSION); \
	  for f in $(SQL_SOURCES); do printf '\n'; cat $$f; done; } > $@

$(EXTENSION)--$(PREVVERSION)--$(EXTVERSION).sql: $(UPDATE_SOURCES) $(EXTENSION).control Makefile
	{ printf '/* %s--%s--%s.sql: built by make from the sources under sql/ (see the Makefile); edit those, not this */\n\n' $(EXTENSION) $(PREVVERSION) $(EXTVERSION); \
	  printf -- '-- complain if script is sourced in psql, rather than via ALTER EXTENSION\n'; \
	  printf '\\echo Use "ALTER EXTENSION %s UPDATE TO '"'"'%s'"'"'" to load this file. \\quit\n' $(EXTENSION) $(EXTVERSION); \
	  for f in $(UPDATE_SOURCES); do printf '\n'; cat $$f; done; } > $@
