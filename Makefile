# make report — build (release), make the default dataset if absent, rerun the study into output/
# make test   — run the test suite
# Both first check the C libraries (OpenBLAS, libpng, Cairo, cmark-gfm) and install them when they can.
# make slurm-check — a tiny study on a one-node Slurm cluster started here, compared with one process

SWIFT        ?= swift
CONFIG       ?= release
REPORT_ARGS  ?=
APT_PACKAGES := libopenblas-dev libpng-dev libcairo2-dev pkg-config fonts-dejavu-core \
                libcmark-gfm-dev libcmark-gfm-extensions-dev

# Debian's OpenBLAS 0.3.21 can pick wrong kernels on newer x86 cores; pin a safe one unless
# the machine already chose (leave an existing OPENBLAS_CORETYPE alone).
ifeq ($(shell uname -m),x86_64)
export OPENBLAS_CORETYPE ?= Haswell
endif

.PHONY: report test build deps bench clean slurm-check

report: deps
	$(SWIFT) build -c $(CONFIG) --product report
	./.build/$(CONFIG)/report run $(REPORT_ARGS)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

build: deps
	$(SWIFT) build -c $(CONFIG) --product report

bench: deps
	$(SWIFT) build -c release --product report
	./.build/release/report bench

# Not part of `make test`: installs slurm-wlm and munge (root), starts daemons, takes minutes.
# (REPORT=path/to/report in the environment checks another binary.)
slurm-check: deps
	$(SWIFT) build -c release --product report
	./scripts/slurm-check.sh

deps:
	@./scripts/ensure-deps.sh $(APT_PACKAGES)

clean:
	rm -rf .build output/*
