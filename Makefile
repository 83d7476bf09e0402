# Communis: everything a newcomer or CI needs goes through these targets.
# Setup is cached in git-ignored folders inside the repo (.venv, node_modules, .solcx)
# and redone only when its inputs change, so a warm `make test` spends no time installing.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SOLC_VERSION := $(shell sed -n '/^solidity:/,/^[^ ]/s/^ *version: *\([0-9.]*\).*/\1/p' ape-config.yaml)
ANVIL_BIN := $(CURDIR)/node_modules/@foundry-rs/anvil-linux-amd64/bin
NETWORK ?= ethereum:local:test

export SOLCX_BINARY_PATH := $(CURDIR)/.solcx
export PATH := $(CURDIR)/$(BIN):$(ANVIL_BIN):$(PATH)
export PYTHONDONTWRITEBYTECODE := 1
# eth-hash picks pycryptodome when left to itself; safe-pysha3 (a declared dependency) hashes
# several times faster, and py-evm hashes on every opcode that touches storage or memory.
export ETH_HASH_BACKEND := pysha3

# The installers themselves are pinned too (pip freeze --all records them in the lock).
BOOTSTRAP_PINS := pip==25.3 setuptools==80.9.0 wheel==0.45.1

VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
SOLC := .solcx/solc-v$(SOLC_VERSION)

.PHONY: help setup compile test test-fast test-local test-foundry demo node node-stop bench lint slither fuzz lock clean

help:
	@echo "make demo    set up, then run the community story on the in-process EVM (NETWORK=... to change)"
	@echo "make test    set up, then run the whole test suite on eth-tester and on anvil"
	@echo "make test-fast  the inner loop (under a minute): engine, deploy config/journal, reports"
	@echo "make bench   write benchmark figures to bench/results.json"
	@echo "make lint    ruff, solhint, prettier;  make slither: static analysis;  make fuzz: long invariant run"
	@echo "make setup   only install (.venv, node_modules, .solcx); make compile: ape compile"
	@echo "make node    a local anvil in the background whose state persists in .node/ (--network ethereum:localnet); make node-stop"

$(VENV_STAMP): pyproject.toml requirements.lock
	@echo "setup: installing the pinned Python packages into $(VENV)/ (the first time takes a few minutes)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	@# Make `source .venv/bin/activate` enough for running ape by hand.
	@grep -q SOLCX_BINARY_PATH $(BIN)/activate || printf '\n# communis\nexport SOLCX_BINARY_PATH="%s"\nexport ETH_HASH_BACKEND=pysha3\nexport PATH="%s:$$PATH"\n' "$(SOLCX_BINARY_PATH)" "$(ANVIL_BIN)" >> $(BIN)/activate
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@echo "setup: installing the pinned npm packages into node_modules/ (anvil, solc-js, OpenZeppelin)"
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(SOLC): $(NODE_STAMP) ape-config.yaml toolchain/install_solc.py
	$(BIN)/python toolchain/install_solc.py

setup: $(VENV_STAMP) $(NODE_STAMP) $(SOLC)

# Compiling prints one line, not ape's list of every input file (-v INFO shows it).
SOL_SOURCES := $(shell find contracts -name '*.sol' 2>/dev/null)
BUILD_STAMP := .build/.compiled

$(BUILD_STAMP): $(SOL_SOURCES) ape-config.yaml | setup
	@echo "compiling the contracts (ape compile; the first time takes a minute or two)"
	$(BIN)/ape compile -v WARNING
	@touch $@

compile: setup
	@echo "compiling the contracts (ape compile)"
	$(BIN)/ape compile -v WARNING
	@mkdir -p .build && touch $(BUILD_STAMP)

# On top of ape's build, the deployed contracts' standard-json compiles and inputs
# (toolchain/warm_build.py), made once before test sessions run side by side; redone when what
# they are made from changes.
WARM_STAMP := .build/.warm
$(WARM_STAMP): $(BUILD_STAMP) config/deploy.toml $(wildcard communis/deploy/*.py) toolchain/warm_build.py
	$(BIN)/python toolchain/warm_build.py
	@touch $@

# The suite runs once per EVM. Tests marked `offchain` (pure Python, the compiler
# wrapper, tests that start their own anvil) do not depend on the connected network
# and run only with eth-tester. The invariant state machine (minutes per EVM) runs on eth-tester;
# `make fuzz NETWORK=ethereum:local:foundry` runs it on anvil.
# `make test` runs five sessions at the same time (toolchain/run_passes.py prints each one's
# output when it ends, and the wall time of each), of similar length: the network tests on
# eth-tester in two (tests/rewards and tests/property, and the rest), on anvil in one, and the
# offchain tests in two (those of tests/deploy, which start their own nodes and `ape run
# deploy`, and the rest). `make test-local` / `make test-foundry` run one EVM's pass alone.
PYTEST_FLAGS := -q -rs -p no:cacheprovider
ANVIL_ONLY := -m 'not offchain' --ignore=tests/property/test_system_invariants.py
SECOND_HALF := tests/rewards tests/property
test: $(WARM_STAMP)
	$(BIN)/python toolchain/run_passes.py \
	  "eth-tester=$(BIN)/ape test --network ethereum:local:test $(PYTEST_FLAGS) -m 'not offchain' $(SECOND_HALF:%=--ignore=%) $(PYTEST_ARGS)" \
	  "eth-tester-rewards=$(BIN)/ape test --network ethereum:local:test $(PYTEST_FLAGS) -m 'not offchain' $(SECOND_HALF) $(PYTEST_ARGS)" \
	  "anvil=$(BIN)/ape test --network ethereum:local:foundry $(PYTEST_FLAGS) $(ANVIL_ONLY) $(PYTEST_ARGS)" \
	  "offchain-deploy=$(BIN)/ape test --network ethereum:local:test $(PYTEST_FLAGS) -m offchain tests/deploy $(PYTEST_ARGS)" \
	  "offchain=$(BIN)/ape test --network ethereum:local:test $(PYTEST_FLAGS) -m offchain --ignore=tests/deploy $(PYTEST_ARGS)"

# The inner loop: the pure-Python layers (engine, deployment config and journal, reports), no EVM
# transactions. DEVELOPING.md lists how to run every other layer alone.
FAST_TESTS := tests/test_fixture_names.py tests/engine tests/property/test_engine_properties.py tests/deploy/test_deploy_config.py tests/deploy/test_journal.py tests/report tests/economics

test-fast: setup
	$(BIN)/ape test --network ethereum:local:test $(PYTEST_FLAGS) -m offchain $(FAST_TESTS) $(PYTEST_ARGS)

test-local: $(WARM_STAMP)
	$(BIN)/ape test --network ethereum:local:test $(PYTEST_FLAGS) $(PYTEST_ARGS)

test-foundry: $(WARM_STAMP)
	$(BIN)/ape test --network ethereum:local:foundry $(PYTEST_FLAGS) $(ANVIL_ONLY) $(PYTEST_ARGS)

demo: setup $(BUILD_STAMP)
	$(BIN)/ape run demo --network $(NETWORK)

# A local chain that persists between commands (communis/node.py): anvil in the background, its
# state in .node/state.json (kept across node-stop/node), pid and log beside it.
NODE_PORT ?= 8545
node: setup
	$(BIN)/python -m communis.node start --port $(NODE_PORT)

node-stop:
	@test -x $(BIN)/python || { echo "no node (nothing is set up)"; exit 0; }
	$(BIN)/python -m communis.node stop

bench: setup
	$(BIN)/python -m bench

# Solidity: solhint (.solhint.json, no warning allowed) and prettier-plugin-solidity (.prettierrc);
# contracts/utils/GrowthTable.sol is generated already in that style.
SOL_FILES := 'contracts/**/*.sol'

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	node_modules/.bin/solhint --max-warnings 0 $(SOL_FILES)
	node_modules/.bin/prettier --check $(SOL_FILES)

# Static analysis of contracts/ (offline, through the solc wrapper): fails on any high or medium
# finding; prints the counts by severity and the ERC-20 conformance check of CommunityToken.
slither: setup
	$(BIN)/python toolchain/slither_check.py

# A longer randomized run of the system invariants (COMMUNIS_FUZZ_EXAMPLES, COMMUNIS_FUZZ_STEPS).
fuzz: setup
	COMMUNIS_FUZZ_EXAMPLES=$${COMMUNIS_FUZZ_EXAMPLES:-200} $(BIN)/ape test --network $(NETWORK) -q -p no:cacheprovider tests/property/test_system_invariants.py

# Re-resolve the Python dependency tree after changing pins in pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check $(BOOTSTRAP_PINS)
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	.lock-venv/bin/python -m pip check
	{ echo '# Generated by `make lock` from pyproject.toml: the whole Python dependency tree, pinned.'; \
	  .lock-venv/bin/python -m pip freeze --all --exclude-editable; } > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf .build .pytest_cache bench/results.json
