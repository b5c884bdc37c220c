# Faultline: two commands on a fresh machine.
#   make quickstart   install what is missing, build, audit the default models, print the report path
#   make test         install what is missing, build, run the whole test suite
SHELL := /bin/bash
export FAULTLINE_HOME ?= $(HOME)/.cache/faultline
SWIFT ?= swift
QUICKSTART_COUNT ?= 2000
QUICKSTART_SEED ?= 7
QUICKSTART_MODELS ?= --model ocr:paddle --model ocr:tesseract

.PHONY: setup build release quickstart test bench clean

setup:
	@bash scripts/install.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product faultline

quickstart: release
	.build/release/faultline run $(QUICKSTART_MODELS) --count $(QUICKSTART_COUNT) --seed $(QUICKSTART_SEED)

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2

bench: release
	bash scripts/install-peers.sh
	.build/release/faultline bench

clean:
	rm -rf .build
