# provisioning: `make demo` and `make test` install everything they need on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON_BIN ?= python3.11
THIRD_PARTY ?= $(CURDIR)/../shared/third_party
export THIRD_PARTY
ENV := source $(CURDIR)/scripts/env.sh &&
VENV_STAMP := .venv/.installed
# the 40 slowest tests are listed at the end of every run (where CI time goes)
PYTEST_ARGS ?= --durations=40

.PHONY: help setup venv bytecode toolchain system-packages demo test test-unit test-engine policy lint bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

setup: venv bytecode toolchain system-packages ## install everything: the venv, the package, the Pulumi toolchain, Debian packages
	@$(ENV) echo "==> setup: done ($$(pulumi version), $$(python --version))"

venv: $(VENV_STAMP) ## the .venv with the package installed editable and its extras

$(VENV_STAMP): pyproject.toml setup.py
	@echo "==> venv: installing provisioning[cloud,dev,extensions] into .venv"
	@command -v $(PYTHON_BIN) >/dev/null || { echo "setup: $(PYTHON_BIN) is missing: install Python >= 3.11" >&2; exit 1; }
	@[ -x .venv/bin/python ] || $(PYTHON_BIN) -m venv .venv
	@.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@.venv/bin/python -m pip install -qq --disable-pip-version-check -e '.[cloud,dev,extensions]'
	@touch $@

# pip writes a wheel's compiled modules at install; an editable install leaves that to the first import,
# which never happens where PYTHONDONTWRITEBYTECODE is set: every program and provider host would compile
# the package again (≈ 0.1 s each). Up-to-date files are skipped, so this is quick when nothing changed.
# Not templates/: those are project scaffolds, copied whole into new projects and packaged as data.
bytecode: $(VENV_STAMP) ## the package's compiled modules, as a wheel install has them
	@.venv/bin/python -m compileall -q -j 0 src sdk providers components policies emulator

toolchain: $(VENV_STAMP) ## the pinned Pulumi CLI, language host and command plugin in .tools/
	@$(ENV) scripts/toolchain.sh

system-packages: ## Debian packages for machine hosts (and their images) and the tests
	@scripts/system-packages.sh

demo: setup ## run the main job on the embedded defaults (local Custom Cloud + file:// state)
	@$(ENV) scripts/demo.sh

test: setup ## run every test: the machine-host ones, and beside them unit, emulator contract, real-engine integration
	@$(ENV) scripts/test.sh $(PYTEST_ARGS)

test-unit: setup ## only the fast tests (no engine)
	@$(ENV) python -m pytest -m 'not engine and not e2e' $(PYTEST_ARGS)

test-engine: setup ## only the tests that drive the real Pulumi engine
	@$(ENV) python -m pytest -m engine $(PYTEST_ARGS)

policy: setup ## the policy pack over every example (pulumi preview --policy-pack, real engine)
	@$(ENV) scripts/policy.sh

lint: venv ## ruff and mypy
	@$(ENV) ruff check . && ruff format --check . && scripts/typecheck.sh

bench: setup ## the benchmarks in bench/ (they print ratios; never run as tests)
	@$(ENV) for script in bench/*.py; do echo "==> $$script"; python "$$script"; done

clean: ## remove the venv, the tools folder and local state
	rm -rf .venv .tools .state
