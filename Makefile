# Samenspel — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PORT ?= 5000
WORKERS ?= 2

.PHONY: run test install translations messages bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Compile the catalogues (Dutch default, English second); an uncompiled catalogue shows English.
translations: $(STAMP)
	@$(BIN)/pybabel compile --use-fuzzy -d app/translations -D messages --statistics 2>&1 | tail -n 2

# Developers: extract new strings and merge them into the catalogues, then translate app/translations/nl.
messages: $(STAMP)
	$(BIN)/pybabel extract -F app/translations/babel.cfg -k _l -o app/translations/messages.pot --no-location --sort-output --no-wrap .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -D messages --no-fuzzy-matching --no-wrap --ignore-obsolete --ignore-pot-creation-date

instance/secret_key:
	@mkdir -p instance && umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $@

# Creates the venv, installs, migrates, loads the demo once, compiles translations and serves on
# http://127.0.0.1:$(PORT). Plain http on loopback, so the Secure cookie flag is off here only.
# gunicorn.run.py runs `tenders tick` and `outbox send` every JOBS_INTERVAL seconds while it serves.
run: install translations instance/secret_key
	@export SECRET_KEY=$$(cat instance/secret_key) SESSION_COOKIE_SECURE=0; \
	$(BIN)/flask --app app db upgrade && \
	$(BIN)/flask --app app demo load --if-empty && \
	$(BIN)/flask --app app demo accounts && \
	echo "Samenspel runs on http://127.0.0.1:$(PORT)  (stop with Ctrl-C)" && \
	exec $(BIN)/gunicorn -c gunicorn.run.py --workers $(WORKERS) --bind 127.0.0.1:$(PORT) --access-logfile - 'app:create_app()'

# The whole suite: SQLite always, PostgreSQL too when TEST_DATABASE_URL is set.
test: install translations
	$(BIN)/python -m pytest -n $(WORKERS) --dist loadgroup -p no:cacheprovider $(PYTEST_ARGS)

bench: install translations
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) instance/samenspel.sqlite* .pytest_cache
