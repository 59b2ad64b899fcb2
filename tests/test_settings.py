import pytest
from pydantic import ValidationError

from bot.settings import Settings


def test_contract_environment_names_override_the_file(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db:5432/qm")
    monkeypatch.setenv("QM_HTTP_PORT", "9090")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:ABC")
    monkeypatch.setenv("QM_COMPANY__TIMEZONE", "Europe/Bucharest")
    s = Settings()
    assert s.database.url == "postgresql+asyncpg://u@db:5432/qm"
    assert s.http.port == 9090
    assert s.telegram.bot_token.get_secret_value() == "123:ABC"
    assert s.company.timezone == "Europe/Bucharest"
    assert "123:ABC" not in repr(s)


def test_defaults_come_from_config_yaml(monkeypatch):
    for var in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN", "QM_HTTP_PORT"):
        monkeypatch.delenv(var, raising=False)
    s = Settings()
    assert s.database.url.startswith("sqlite+aiosqlite:///")
    assert s.telegram.bot_token is None
    assert s.http.port == 8080


@pytest.mark.parametrize("var,value", [("DATABASE_URL", "mysql://x"), ("QM_COMPANY__TIMEZONE", "Mars/Base"),
                                       ("QM_HTTP_PORT", "99999"), ("TELEGRAM_WEBHOOK_SECRET", "has spaces!")])
def test_bad_settings_are_refused_at_start(monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(ValidationError):
        Settings()


def test_secrets_in_the_file_are_refused(monkeypatch, tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("telegram:\n  bot_token: '123:leak'\n")
    import bot.settings as mod

    monkeypatch.setattr(mod, "CONFIG_PATH", cfg)
    with pytest.raises(ValueError, match="secret"):
        mod.Settings()


def test_a_relative_sqlite_path_is_anchored_at_the_config_folder(monkeypatch, tmp_path):
    import bot.settings as mod

    cfg = tmp_path / "conf" / "config.yaml"
    cfg.parent.mkdir()
    cfg.write_text("database:\n  url: 'sqlite+aiosqlite:///data/qm.sqlite3'\n")
    monkeypatch.setattr(mod, "CONFIG_PATH", cfg)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # started from another folder: still the same database
    assert mod.Settings().database.url == f"sqlite+aiosqlite:///{tmp_path / 'conf' / 'data' / 'qm.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///other.sqlite3")
    assert mod.Settings().database.url == f"sqlite+aiosqlite:///{tmp_path / 'conf' / 'other.sqlite3'}"
    absolute = f"sqlite+aiosqlite:///{tmp_path / 'abs.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", absolute)
    assert mod.Settings().database.url == absolute
    assert mod.database_location(absolute) == str(tmp_path / "abs.sqlite3")
    assert mod.database_location("postgresql+asyncpg://u:secret@db/qm") == "postgresql+asyncpg://u:***@db/qm"


@pytest.mark.parametrize("yaml,named", [
    ("company:\n  nmae: 'Typo Ltd.'\n", "company.nmae"),  # a misspelt key in a section
    ("warehouse:\n  count_variance_pct: 3\n", "warehouse.count_variance_pct"),
    ("sales:\n  abc_xyz:\n    a_shar: 0.7\n", "sales.abc_xyz.a_shar"),
    ("jobs:\n  reports:\n    funnel: {cron: '0 8 * * 1', tz: 'UTC'}\n", "jobs.reports.funnel.tz"),
    ("barcode:\n  enabled: true\n", "barcode"),  # a section nobody reads
    ("planning:\n  histroy_days: 30\n", "histroy_days"),
])
def test_an_unknown_key_in_config_yaml_is_refused_and_named(monkeypatch, tmp_path, yaml, named):
    import bot.settings as mod

    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml)
    monkeypatch.setattr(mod, "CONFIG_PATH", cfg)
    with pytest.raises(ValidationError) as err:
        mod.Settings()
    assert named in str(err.value)


def test_every_section_is_typed_and_the_shipped_config_is_all_known():
    """The shipped config.yaml loads under the strict rules, and every section is a typed model."""
    from pydantic import BaseModel

    from domain.planning.config import PlanningConfig

    s = Settings()
    for name in Settings.model_fields:
        value = getattr(s, name)
        assert isinstance(value, (BaseModel, PlanningConfig)), name
    assert s.warehouse.count_variance_percent == 5  # configurable now (was read from a section that did not exist)


def test_the_count_variance_limits_reach_the_count_rules(monkeypatch):
    from types import SimpleNamespace

    from bot.dialogue.flows.warehouse import _variance_settings

    turn = SimpleNamespace(services=SimpleNamespace(settings=Settings(warehouse={"count_variance_percent": 2, "count_variance_units": 4})))
    assert {k: float(v) for k, v in _variance_settings(turn).items()} == {"percent": 2.0, "absolute": 4.0}


def test_a_misspelt_speech_key_is_refused_at_start():
    with pytest.raises(ValidationError, match="speech.whisper.beam"):
        Settings(speech={"whisper": {"beam": 3}})
