# deJPEG: the two commands are `make run` and `make test`.
PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
PORT     ?= 5000
HOST     ?= 127.0.0.1
STAMP    := $(VENV)/.installed
# The page (client/): npm packages from package-lock.json, built into client/dist for Flask.
NODE_STAMP   := client/node_modules/.installed
CLIENT_BUILD := client/dist/index.html
CLIENT_FILES := $(shell find client/src client/index.html client/vite.config.ts client/tsconfig.json \
                  client/package.json demo -type f 2>/dev/null)
# Headless browser of the end-to-end tests: Debian's chromium (playwright-core drives it).
CHROMIUM ?= /usr/bin/chromium
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT      := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get -qq -o=Dpkg::Use-Pty=0

.PHONY: setup run test test-server test-client test-e2e clean

setup: $(STAMP) $(NODE_STAMP) $(CHROMIUM)

$(STAMP): server/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e 'server[test,research]'
	touch $(STAMP)

$(NODE_STAMP): client/package-lock.json
	command -v npm >/dev/null || { $(APT) update && $(APT) install -y --no-install-recommends nodejs npm >/dev/null; }
	cd client && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(CHROMIUM):
	$(APT) update && $(APT) install -y --no-install-recommends chromium >/dev/null

$(CLIENT_BUILD): $(NODE_STAMP) $(CLIENT_FILES)
	cd client && npm run --silent build

run: $(STAMP) $(CLIENT_BUILD)
	$(BIN)/dejpeg serve --host $(HOST) --port $(PORT)

test: test-server test-client test-e2e

test-server: $(STAMP)
	$(BIN)/python -m pytest server/tests -q

test-client: $(NODE_STAMP)
	cd client && npm test --silent

# Starts the real server on a free port with the built page; screenshots in test-artifacts/e2e/.
test-e2e: setup $(CLIENT_BUILD)
	cd client && CHROMIUM=$(CHROMIUM) DEJPEG=$(abspath $(BIN))/dejpeg npm run --silent e2e

clean:
	rm -rf $(VENV) client/node_modules client/dist test-artifacts
