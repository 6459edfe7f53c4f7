# pageflow: the two set-up commands are `make demo` and `make test`; both install what they need.
BUILD ?= build
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
JOBS ?= $(shell nproc)

.PHONY: all setup build python test demo bench eval doclaynet test-asan test-tsan sanitize fuzz clean

all: build

setup:
	scripts/setup.sh

build: setup
	cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

# The Python package, built by scikit-build-core from this CMake project into set-up's venv.
python: setup
	.deps/venv/bin/pip install -q --no-build-isolation --no-deps .

test: build python
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

demo: build
	$(BUILD)/pageflow convert samples/multi_page.pdf -o out/demo --to md,json,html,text --trace out/demo/trace.json
	@echo "--- out/demo/multi_page.md (first lines) ---"
	@head -n 20 out/demo/multi_page.md

bench:
	scripts/setup.sh --with-bench
	$(MAKE) build
	bench/run.sh $(BUILD)/pageflow

eval: build
	python3 eval/evaluate.py --pageflow $(BUILD)/pageflow --out eval/out

# The optional DocLayNet layout model (AGPL-3.0, never the default) and the quality figures with it.
doclaynet: build
	scripts/setup.sh --with-doclaynet
	python3 eval/evaluate.py --pageflow $(BUILD)/pageflow --out eval/out-doclaynet \
	  --extra --layout-model .deps/models/optional/yolov8n-doclaynet.json

# Sanitizer builds of the whole test suite (AddressSanitizer + UBSan, ThreadSanitizer).
test-asan: setup
	cmake -S . -B build-asan $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DPAGEFLOW_SANITIZE=address
	cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS)

test-tsan: setup
	cmake -S . -B build-tsan $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPAGEFLOW_SANITIZE=thread
	cmake --build build-tsan -j $(JOBS)
	TSAN_OPTIONS=halt_on_error=1:suppressions=$(CURDIR)/tests/tsan.supp \
	  ctest --test-dir build-tsan --output-on-failure -j $(JOBS)

sanitize: test-asan test-tsan

# libFuzzer targets (clang, ASan+UBSan) over PDF parsing/extraction/assembly, image inputs and
# opening with page enumeration,
# seeded from the shared corpus; a bounded run. Longer: make fuzz FUZZ_SECONDS=3600.
FUZZ_SECONDS ?= 60
fuzz: setup
	CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPAGEFLOW_FUZZ=ON
	cmake --build build-fuzz -j $(JOBS) --target pdf_fuzzer image_fuzzer open_fuzzer
	fuzz/seeds.sh build-fuzz
	build-fuzz/pdf_fuzzer -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 \
	  build-fuzz/corpus-pdf fuzz/regressions/pdf
	build-fuzz/image_fuzzer -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 \
	  build-fuzz/corpus-image fuzz/regressions/image
	# Opening and page enumeration alone, with a tight budget: lies must not cost in proportion.
	build-fuzz/open_fuzzer -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 \
	  build-fuzz/corpus-open fuzz/regressions/open

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz out
