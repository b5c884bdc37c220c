# Faultline: two commands on a fresh machine.
#   make quickstart   install what is missing, build, audit the default models, print the report path
#   make test         install what is missing, build, run the whole test suite
SHELL := /bin/bash
export FAULTLINE_HOME ?= $(HOME)/.cache/faultline
SWIFT ?= swift
QUICKSTART_COUNT ?= 2000
QUICKSTART_SEED ?= 7
QUICKSTART_MODELS ?= --model ocr:paddle --model ocr:tesseract
QUICKSTART_ZOO ?= --model zoo:reference-a --model zoo:reference-b --model zoo:target
QUICKSTART_ABILITY_COUNT ?= 1200

.PHONY: setup llama build release quickstart test test-llama bench clean

setup:
	@bash scripts/install.sh

# llama.cpp's server and SmolLM2, for the OpenAI-compatible backend's real-server tests.
llama:
	@bash scripts/install-llama.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product faultline

# Three audits: the OCR engines on rendered text, the zoo's six abilities side by side, and the
# zoo's spurious cues (the target's planted ones found and confirmed).
quickstart: release
	.build/release/faultline run $(QUICKSTART_MODELS) --count $(QUICKSTART_COUNT) --seed $(QUICKSTART_SEED)
	.build/release/faultline abilities $(QUICKSTART_ZOO) --count $(QUICKSTART_ABILITY_COUNT) --seed $(QUICKSTART_SEED)
	.build/release/faultline spurious $(QUICKSTART_ZOO) --seed $(QUICKSTART_SEED)

test: setup llama
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2

test-llama: llama
	bash Tests/llama/smoke.sh

bench: release
	bash scripts/install-peers.sh
	.build/release/faultline bench

clean:
	rm -rf .build
