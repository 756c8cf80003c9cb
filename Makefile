# Makefile for the slo extension (PGXS)
#
#   make && make install         build and install into the pg_config found
#   make installcheck            run the pg_regress suite against a running server
#   bash test/run.sh check       everything: packages, cluster, every suite
#
EXTENSION  = slo
MODULE_big = slo
OBJS       = src/slo.o src/tally.o src/tally_aggs.o src/run_as.o src/tick.o \
             src/sketch.o src/sketch_aggs.o

DATA       = $(wildcard sql/slo--*.sql)
DOCS       =

REGRESS      = catalog tally_type aggregates aggregate_errors parallel_plans moving_window \
               define_objective tick_status window_edges policies_freezes security attacks upgrade \
               percentile_objective sketch
REGRESS_OPTS = --inputdir=test --load-extension=slo

# concurrency: test/specs/*.spec, expected output in expected/ too
ISOLATION      = tick_concurrency tick_lock
ISOLATION_OPTS = --inputdir=test --load-extension=slo

PG_CONFIG ?= pg_config

PG_CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
ifdef SLO_WERROR
PG_CFLAGS += -Werror
endif

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
