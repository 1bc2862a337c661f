# Two commands: `make demo` and `make test`. Both set up everything they need themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WEB := src/csc_scorecard/web
# Debian packages: WeasyPrint's Pango/HarfBuzz, Arial-metric fonts (Liberation Sans), poppler for the PDF
# checks, Chromium for the browser tests (Playwright drives Debian's Chromium; `playwright install` never runs),
# Java for Spark, and the PostgreSQL server the SSD database tests start a throwaway cluster of.
DEBIAN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation \
	poppler-utils chromium chromium-driver default-jre-headless postgresql

.PHONY: demo test lint setup clean validators system-packages assets serve

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,oidc,spark,database]'
	touch $(STAMP)

setup: $(STAMP) assets

# Installs only what is missing, so a machine that has them all asks no registry.
system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	java -version >/dev/null 2>&1 && missing=$$(echo $$missing | tr ' ' '\n' | grep -v default-jre-headless); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# DfE's validators pin pandas<2, so they live in their own environment, installed here and never at run time.
validators: $(STAMP)
	$(BIN)/python -m csc_scorecard.validators.environment install

# GOV.UK Frontend (compiled with Arial), htmx and axe-core from npm, built into the package's static folder,
# which ships in the package: `serve` never runs npm (and refuses to start without the built files).
$(WEB)/static/build.txt: $(STAMP) $(WEB)/assets/package-lock.json $(wildcard $(WEB)/assets/src/*)
	$(BIN)/python -m csc_scorecard.web.assets build

assets: $(WEB)/static/build.txt

demo: $(STAMP) system-packages assets
	$(BIN)/csc-scorecard demo --out demo-output

serve: $(STAMP) assets
	$(BIN)/csc-scorecard serve --db demo-output/scorecard.duckdb --targets demo-output/targets.toml

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

test: $(STAMP) system-packages validators assets
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .venv-validators demo-output .pytest_cache tests/artefacts \
		$(WEB)/static $(WEB)/assets/node_modules
