# make report — build (release), make the default dataset if absent, rerun the study into output/
# make test   — run the test suite
# Both first check the C libraries (OpenBLAS, libpng, Cairo, cmark-gfm) and install them when they can.
# make slurm-check — a tiny study on a one-node Slurm cluster started here, compared with one process

SWIFT        ?= swift
CONFIG       ?= release
REPORT_ARGS  ?=
APT_PACKAGES := libopenblas-dev libpng-dev libcairo2-dev pkg-config fonts-dejavu-core \
                libcmark-gfm-dev libcmark-gfm-extensions-dev

# OpenBLAS kernels: no pin. OpenBLAS picks kernels for the CPU (AVX-512 ones here, the fastest);
# before main the program checks a few of their products against a naive sum and, only if they
# are wrong, restarts itself with OPENBLAS_CORETYPE=Haswell. An OPENBLAS_CORETYPE set in the
# environment is never overridden. scripts/blas-kernels.sh compares the choices on a machine
# (docs/benchmarks.md, "OpenBLAS kernels").

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
