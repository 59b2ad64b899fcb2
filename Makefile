# The two commands of the README:
#   make run   bootstrap, then start the assistant (console on demo data when no Telegram token is set)
#   make test  bootstrap, then the whole suite on SQLite and again on PostgreSQL
.PHONY: run test test-sqlite test-postgres bootstrap bench migration messages

PY := .venv/bin/python

bootstrap:
	@bash .ci/bootstrap.sh

run: bootstrap
	@.venv/bin/qm run

test:
	@QM_APT_LISTS="apt-packages.txt apt-packages-test.txt" bash .ci/bootstrap.sh
	@bash .ci/ensure-postgres.sh
	@bash .ci/test-both.sh

# The benchmarks' extra baselines (statsforecast, pyzbar) besides everything else; then python -m bench.NAME
bench:
	@QM_EXTRAS=test,bench QM_APT_LISTS="apt-packages.txt apt-packages-test.txt apt-packages-bench.txt" bash .ci/bootstrap.sh
	@echo "benchmarks ready: python is .venv/bin/python; run e.g. .venv/bin/python -m bench.planning (docs/benchmarks.md lists them)"

test-sqlite:
	@QM_APT_LISTS="apt-packages.txt apt-packages-test.txt" bash .ci/bootstrap.sh
	QM_TEST_DB=sqlite $(PY) -m pytest

test-postgres:
	@QM_APT_LISTS="apt-packages.txt apt-packages-test.txt" bash .ci/bootstrap.sh
	@bash .ci/ensure-postgres.sh
	QM_TEST_DB=postgres $(PY) -m pytest

# Regenerate the initial migration from the models (before the first release only).
migration: bootstrap
	$(PY) -m storage.make_migration "initial schema" --initial

# Translations: extract every user-facing template, merge into the catalogs, compile.
messages: bootstrap
	.venv/bin/pybabel extract -F babel.cfg -k t -k tr:2 -k N_ -k tn:1,2 -k trn:2,3 -k Np_:1,2 -k pt:1c,2 -k trp:2c,3 -k Npt_:1c,2 --no-location --omit-header --sort-output -o bot/locale/messages.pot .
	for l in ru bg ro zh; do \
	  if [ -f bot/locale/$$l/LC_MESSAGES/messages.po ]; then \
	    .venv/bin/pybabel update -i bot/locale/messages.pot -d bot/locale -l $$l --no-fuzzy-matching --ignore-obsolete --width 0; \
	  else .venv/bin/pybabel init -i bot/locale/messages.pot -d bot/locale -l $$l; fi; done
	.venv/bin/pybabel compile -d bot/locale --statistics
	@.venv/bin/python -c "from babel.messages.pofile import read_po; [print(l, sum(1 for m in read_po(open(f'bot/locale/{l}/LC_MESSAGES/messages.po','rb')) if m.id and not m.string), 'to translate') for l in ('ru','bg','ro','zh')]"
