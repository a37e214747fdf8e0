# shelfwatch — common tasks. Everything also works with plain `go` commands.
GO ?= go
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable

.PHONY: build run test test-pg race lint fmt bench fuzz eval clean

build:
	$(GO) build -o bin/shelfwatch ./cmd/shelfwatch

run:
	$(GO) run ./cmd/shelfwatch serve

test:
	$(GO) test ./...

# The store contract suite on PostgreSQL as well as SQLite.
test-pg:
	SHELFWATCH_TEST_DATABASE_URL='$(PG_TEST_URL)' $(GO) test ./...

race:
	SHELFWATCH_TEST_DATABASE_URL='$(PG_TEST_URL)' $(GO) test -race -timeout 60m ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1)
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 60s ./internal/price
	$(GO) test -run '^$$' -fuzz FuzzExtract -fuzztime 60s ./internal/extract
	$(GO) test -run '^$$' -fuzz FuzzCanonicalize -fuzztime 60s ./internal/canonurl

# Extraction accuracy on the shared real-store corpus, scored like the hidden set.
eval: build
	python3 ../shared/tools/eval_extract.py bin/shelfwatch ../shared/corpus/expected.json ../shared/corpus/pages --split dev --verbose

clean:
	rm -rf bin
