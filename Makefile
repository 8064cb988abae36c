# Two commands for people: `make run` and `make test`. Everything else is what they stand on.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := data/workspaces/demo.duckdb
PORT   ?= 8501

.PHONY: run test bench system-deps deps dev-deps bench-deps demo clean

run: deps $(DEMO)
	$(BIN)/python -m streamlit run app.py --server.address localhost --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false -- --db $(DEMO)

test: dev-deps system-deps
	$(BIN)/python -m pytest

bench: bench-deps
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

demo: $(DEMO)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files re-run pip only when a requirements file changes.
$(VENV)/.deps: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.deps $@

$(VENV)/.bench-deps: requirements.txt requirements-dev.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	touch $(VENV)/.deps $(VENV)/.dev-deps $@

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps
bench-deps: $(VENV)/.bench-deps

# Debian's Chromium, a CJK and an emoji font for the browser tests, and Java for the Spark
# tests: each installed only where missing.
SYSTEM_PACKAGES := chromium fonts-wqy-microhei fonts-noto-color-emoji openjdk-17-jre-headless
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v java >/dev/null \
		|| ! fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || ! fc-list 2>/dev/null | grep -qi "emoji"; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(SYSTEM_PACKAGES); \
	fi

$(DEMO): | $(VENV)/.deps
	$(BIN)/python -m analysis demo --db $(DEMO)

clean:
	rm -rf $(VENV) .pytest_cache
