# The two commands of the README: `make demo` and `make test`. Both set everything up themselves.
BUILD_DIR ?= build
ENGRAM_CUDA ?= AUTO
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_ARGS ?=
PREFIX ?= /usr/local

.PHONY: all bootstrap configure build test demo bench install format clean sanitize fuzz

all: build

bootstrap:
	@scripts/bootstrap

configure: bootstrap
	@scripts/configure "$(BUILD_DIR)" "$(ENGRAM_CUDA)"

build: configure
	@cmake --build "$(BUILD_DIR)" -j $(JOBS)

test: build
	@cd "$(BUILD_DIR)" && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

demo: build
	@scripts/demo "$(BUILD_DIR)"

bench: build
	@cmake --build "$(BUILD_DIR)" --target benchmarks -j $(JOBS)
	@scripts/bench "$(BUILD_DIR)"

# ASan + UBSan build in build-asan/ (clang++ when installed), running the data, io, train,
# reliability, ops and CLI tests.
sanitize:
	@JOBS=$(JOBS) scripts/sanitize build-asan

# libFuzzer harnesses (clang), built in build-asan/ beside the sanitizer build, each run for
# FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
fuzz:
	@JOBS=$(JOBS) FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz

install: build
	@cmake --install "$(BUILD_DIR)" --prefix "$(PREFIX)"

format:
	@git ls-files '*.h' '*.cpp' '*.cu' '*.cuh' | xargs clang-format -i

clean:
	@rm -rf "$(BUILD_DIR)"
