# deJPEG: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed

.PHONY: setup run test clean

setup: $(STAMP)

$(STAMP): server/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e 'server[test,research]'
	touch $(STAMP)

run: setup
	$(BIN)/dejpeg serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest server/tests -q

clean:
	rm -rf $(VENV)
