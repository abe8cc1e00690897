# Tenantdesk. `make run` and `make test` need only Go; `make css` needs Node.
GO        ?= go
DB        ?= ./data/tenantdesk.db
ADDR      ?= 127.0.0.1:8080
SHOTS     ?= ./screenshots

.PHONY: run build test test-short generate css lint fmt bench check-generated screenshots openapi-check fuzz

run: ## start the portal with demo data on first start
	$(GO) run ./cmd/tenantdesk serve --demo --db $(DB) --addr $(ADDR)

build: ## build ./bin/tenantdesk
	$(GO) build -trimpath -ldflags='-s -w' -o bin/tenantdesk ./cmd/tenantdesk

# With TENANTDESK_TEST_POSTGRES naming a PostgreSQL server (a URL to a
# database on it, e.g. postgres://tenantdesk:tenantdesk@127.0.0.1:5432/postgres,
# for a role that may create databases), every test but the browser ones
# runs again on PostgreSQL, each test in a database of its own.
test: ## every test: unit, HTTP and browser (Chromium), with the race detector; again on PostgreSQL when TENANTDESK_TEST_POSTGRES is set
	$(GO) test -race -count=1 -timeout 20m ./...
	@if [ -n "$$TENANTDESK_TEST_POSTGRES" ]; then \
		echo "==> the same tests on PostgreSQL (browser tests excepted)"; \
		TENANTDESK_TEST_STORE=postgres $(GO) test -race -short -count=1 -timeout 30m ./...; \
	fi

test-short: ## every test but the browser ones
	$(GO) test -short -count=1 ./...

# Fuzzing (issue 15): every Fuzz target of FUZZ_PKGS, found with go test
# -list (a new target is run without being listed here), one after another
# for FUZZTIME each: go test -fuzz takes one target per run. A run that
# ends in "context deadline exceeded" without a failing input is go's
# fuzzer tripping over its own time limit (a worker busy at the deadline),
# not a finding: it is run again, up to three times. A failure
# stops the run and leaves the input in <pkg>/testdata/fuzz/<Target>/:
# fix the code and commit that file as the regression case. FUZZFLAGS adds
# flags (e.g. -parallel 2 on a shared machine). FUZZMINIMIZE bounds the
# minimizing of each new input (go's default, 60s, can take a short run's
# whole time on one long string).
FUZZTIME     ?= 10s
FUZZMINIMIZE ?= 5s
FUZZ_PKGS    ?= ./internal/auth ./internal/tenantdesk ./web
FUZZFLAGS    ?=

fuzz: ## run every fuzz target for FUZZTIME (default 10s) each
	@set -e; for pkg in $(FUZZ_PKGS); do \
		targets=$$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz') || { echo "no fuzz targets in $$pkg (or it does not build)"; exit 1; }; \
		for t in $$targets; do \
			for try in 1 2 3; do \
				echo "== $$pkg $$t ($(FUZZTIME))"; \
				if out=$$($(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) $(FUZZFLAGS) $$pkg 2>&1); then \
					echo "$$out" | grep -v '^fuzz: elapsed'; break; \
				fi; \
				echo "$$out" | grep -v '^fuzz: elapsed'; \
				if echo "$$out" | grep -q 'Failing input written' || ! echo "$$out" | grep -q 'context deadline exceeded' || [ $$try = 3 ]; then exit 1; fi; \
				echo "(the fuzzer's own time limit hit a worker, not a finding: again)"; \
			done; \
		done; \
	done

generate: ## regenerate templ components (*_templ.go)
	$(GO) tool templ generate

css: ## rebuild static/css/app.css with Tailwind v3 (needs Node and npm)
	npm ci --no-audit --no-fund
	npx tailwindcss -i static/css/input.css -o static/css/app.css --minify

fmt: ## format Go and templ sources
	gofmt -w $$(git ls-files '*.go')
	$(GO) tool templ fmt templates

lint: ## gofmt, go mod tidy, go vet, staticcheck (pinned in go.mod), templ fmt check
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) tool templ fmt -fail templates

# The OpenAPI document as a client generator reads it: written to a file by
# `tenantdesk openapi`, linted by Redocly CLI (redocly.yaml), turned into
# TypeScript types by openapi-typescript, and the README's onboarding
# (test/openapi-client/onboarding.ts) compiled against them with tsc --strict.
# Versions pinned in package-lock.json; run `npm ci` first.
OPENAPI_OUT := test/openapi-client/generated

openapi-check: ## lint the OpenAPI document (Redocly) and compile a typed client of the README's onboarding (needs npm ci)
	@mkdir -p $(OPENAPI_OUT)
	$(GO) run ./cmd/tenantdesk openapi > $(OPENAPI_OUT)/openapi.json
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx --no-install @redocly/cli lint --config redocly.yaml $(OPENAPI_OUT)/openapi.json
	npx --no-install openapi-typescript $(OPENAPI_OUT)/openapi.json --output $(OPENAPI_OUT)/api.d.ts
	npx --no-install tsc -p test/openapi-client --strict --noEmit

check-generated: generate css ## fail when generated files differ from what is committed
	@git diff --exit-code -- '*_templ.go' static/css/app.css || (echo "generated files are stale: run make generate css and commit" && exit 1)
	@test -z "$$(git status --porcelain -- '*_templ.go')" || (echo "untracked generated files" && git status --porcelain -- '*_templ.go' && exit 1)

screenshots: ## PNGs of every page at 375 and 1366 px, light and dark, per kind of user, into $(SHOTS) (needs Chromium)
	$(GO) run ./cmd/screenshots -out $(SHOTS)

# With TENANTDESK_BENCH_POSTGRES naming a PostgreSQL server (as
# TENANTDESK_TEST_POSTGRES: a URL for a role that may create databases), the
# Users-tab, API and mixed-load figures are taken on PostgreSQL too, each
# phase on a database benchrun creates and drops, side by side with SQLite.
bench: ## benchmarks and load figures beside ../shared/bench/reference (and on PostgreSQL when TENANTDESK_BENCH_POSTGRES is set)
	$(GO) test -run '^$$' -bench . -benchmem ./internal/... ./web/
	$(GO) run ./cmd/benchrun
