# The project's commands. `make test` is what CI runs (.ci/run).
GO      ?= go
PKGS    ?= ./...

# actionlint checks the GitHub workflows; pinned, run through the Go module proxy.
ACTIONLINT ?= github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

.PHONY: test lint actionlint bench cover fuzz build play

# TIMED is the package whose tests time a real binary to a fraction of a
# second (the crash, outage and kill-after-send tests): it runs alone, after
# the rest, so other packages' builds, browsers and databases on the same
# cores do not blur its clocks (seen: a 0.3 s restart taking 2-8 s).
TIMED ?= github.com/vkchgk/chgkbot/apps/chgkbot

## test: vet, the workflow lint, then every test (Postgres-backed ones need DATABASE_URL or a local server; see README)
test: lint actionlint
	$(GO) test -count=1 $$($(GO) list $(PKGS) | grep -vxF '$(TIMED)')
	@if $(GO) list $(PKGS) | grep -qxF '$(TIMED)'; then echo "$(GO) test -count=1 $(TIMED)"; $(GO) test -count=1 $(TIMED); fi

## lint: gofmt must have nothing to say, go vet must pass
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

## actionlint: lint .github/workflows
actionlint:
	$(GO) run $(ACTIONLINT) -color=false

## bench: every Go benchmark, then the end-to-end load run (needs PostgreSQL; a few minutes)
bench: build
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
	$(GO) run ./apps/chgkload -bin bin/chgkbot -plots docs
	$(GO) run ./apps/chgkload -bin bin/chgkbot -capacity
	$(GO) run ./apps/chgkload -bin bin/chgkbot -soak 2000

## cover: coverage of the domain package (the bar is 90%)
cover:
	$(GO) test -count=1 -coverprofile=coverage.out ./chgk/
	@$(GO) tool cover -func=coverage.out | tail -1

## fuzz: a short fuzzing run of the judge, without and with the Russian dictionary
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzAccepts -fuzztime 30s ./chgk/
	$(GO) test -run '^$$' -fuzz FuzzAcceptsWithTheLexicon -fuzztime 30s ./adapters/hunspell/

## build: the static binary
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/chgkbot ./apps/chgkbot

# The playground's database on the machine's PostgreSQL, and its address.
PLAY_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/chgk_play?sslmode=disable
PLAY_ADDR         ?= 127.0.0.1:8080

## play: the playground against the machine's PostgreSQL, without Docker (creates the database chgk_play)
play: build
	@psql "$(subst /chgk_play?,/postgres?,$(PLAY_DATABASE_URL))" -tAc "SELECT 1 FROM pg_database WHERE datname = 'chgk_play'" | grep -q 1 || \
		psql "$(subst /chgk_play?,/postgres?,$(PLAY_DATABASE_URL))" -qc 'CREATE DATABASE chgk_play'
	DATABASE_URL='$(PLAY_DATABASE_URL)' ./bin/chgkbot migrate up
	DATABASE_URL='$(PLAY_DATABASE_URL)' HTTP_ADDR=$(PLAY_ADDR) ./bin/chgkbot playground
