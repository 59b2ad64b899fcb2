"""Typed settings: config.yaml, overridden by the environment, validated at start-up.

Secrets (bot token, Twilio auth token, webhook secret) are never read from the
file: only from the environment, so config.yaml can be committed as it is.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, YamlConfigSettingsSource

from domain.errors import DomainError

ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = Path(os.environ.get("QM_CONFIG", ROOT / "config.yaml"))

# The runtime contract's flat variable names -> (section, key).
CONTRACT_ENV = {
    "DATABASE_URL": ("database", "url"),
    "TELEGRAM_BOT_TOKEN": ("telegram", "bot_token"),
    "TELEGRAM_API_BASE_URL": ("telegram", "api_base_url"),
    "TELEGRAM_API_FILE_URL": ("telegram", "api_file_url"),
    "TELEGRAM_WEBHOOK_URL": ("telegram", "webhook_url"),
    "TELEGRAM_WEBHOOK_SECRET": ("telegram", "webhook_secret"),
    "TWILIO_ACCOUNT_SID": ("twilio", "account_sid"),
    "TWILIO_AUTH_TOKEN": ("twilio", "auth_token"),
    "TWILIO_FROM_NUMBER": ("twilio", "from_number"),
    "TWILIO_MESSAGING_SERVICE_SID": ("twilio", "messaging_service_sid"),
    "TWILIO_API_BASE_URL": ("twilio", "api_base_url"),
    "QM_PUBLIC_URL": ("http", "public_url"),
    "QM_HTTP_HOST": ("http", "host"),
    "QM_HTTP_PORT": ("http", "port"),
    "SMTP_PASSWORD": ("email", "password"),
    "QM_SMTP_PASSWORD": ("email", "password"),  # the name purchase-order mail used before the two SMTP sections became one
}
SECRETS = {("telegram", "bot_token"), ("telegram", "webhook_secret"), ("twilio", "auth_token"), ("email", "password")}


def _parsed_by(parse, errors, message: str, *, empty_ok: bool = False):
    """A validator that keeps a value its parser accepts and otherwise says why (message: {value}, {error})."""
    def check(v: str) -> str:
        if not (empty_ok and v == ""):
            try:
                parse()(v)
            except errors as exc:
                raise ValueError(message.format(value=repr(v), error=exc)) from exc
        return v
    return AfterValidator(check)


def _crontab():
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger.from_crontab


def _rate_spec():
    from .ratelimits import parse_spec

    return parse_spec


def _quiet_window():
    from domain.quiet_hours import parse_window

    return lambda v: parse_window(v)


# Settings values that must parse, each checked at start with a message naming it; "" means "none".
_ZONE_ERRORS = (ZoneInfoNotFoundError, ValueError)
Zone = Annotated[str, _parsed_by(lambda: ZoneInfo, _ZONE_ERRORS, "unknown time zone {value}")]
ZoneOrEmpty = Annotated[str, _parsed_by(lambda: ZoneInfo, _ZONE_ERRORS, "unknown time zone {value}", empty_ok=True)]
Cron = Annotated[str, _parsed_by(_crontab, ValueError, "bad cron expression {value}: {error}")]
RateLimit = Annotated[str, _parsed_by(_rate_spec, ValueError, "bad rate limit {value}: write e.g. 10/minute or 5/minute;30/hour")]
QuietHours = Annotated[str, _parsed_by(_quiet_window, DomainError, "{error}", empty_ok=True)]


class Section(BaseModel):
    """A config.yaml section: a key it does not know is refused at start, named (a typo is not a silent default)."""
    model_config = ConfigDict(extra="forbid")


class Company(Section):
    name: str = "Demo Trading Ltd."
    timezone: Zone = "Europe/Sofia"
    country: str = "BG"
    currency: str = "EUR"
    language: str = "en"


class Database(Section):
    url: str = Field("sqlite+aiosqlite:///data/qm.sqlite3", validate_default=True)
    busy_timeout_ms: int = Field(5000, ge=0)
    pool_size: int = Field(10, ge=1)
    echo: bool = False
    demo_seed_on_first_start: bool = True

    @field_validator("url")
    @classmethod
    def _async_driver(cls, v: str) -> str:
        if v.startswith("postgresql://") or v.startswith("postgres://"):
            v = "postgresql+asyncpg://" + v.split("://", 1)[1]
        if not (v.startswith("sqlite+aiosqlite://") or v.startswith("postgresql+asyncpg://")):
            raise ValueError("database url must be sqlite+aiosqlite://... or postgresql+asyncpg://...")
        return _anchor_sqlite_path(v)


def _anchor_sqlite_path(url: str) -> str:
    """A relative SQLite path means relative to config.yaml's folder, so every `qm`
    command finds the same database wherever it is started."""
    prefix = "sqlite+aiosqlite:///"
    if not url.startswith(prefix):
        return url
    path, sep, query = url[len(prefix):].partition("?")
    if not path or path == ":memory:" or path.startswith("/") or path.startswith("file:"):
        return url
    return prefix + str((CONFIG_PATH.resolve().parent / path)) + sep + query


def database_location(url: str) -> str:
    """Where the data lives, for the start-up line: the file for SQLite, the URL without its password otherwise."""
    if url.startswith("sqlite+aiosqlite:///"):
        return url[len("sqlite+aiosqlite:///"):].partition("?")[0]
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


class Telegram(Section):
    enabled: bool = True  # false (or `qm run --no-telegram`): the HTTP side and the jobs run alone
    bot_token: SecretStr | None = None
    api_base_url: str = "https://api.telegram.org/bot"
    api_file_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str = ""
    webhook_secret: SecretStr | None = None
    poll_timeout_s: int = Field(10, ge=0, le=50)
    concurrent_updates: int = Field(64, ge=1, le=512)
    max_messages_per_s: int = Field(30, ge=0)
    retry_max_s: float = Field(60, gt=0)
    probe_every_s: float = Field(15, gt=0)

    @field_validator("webhook_secret")
    @classmethod
    def _secret_chars(cls, v: SecretStr | None) -> SecretStr | None:
        import re

        if v is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", v.get_secret_value()):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -")
        return v


class Twilio(Section):
    account_sid: str = ""
    auth_token: SecretStr | None = None
    api_base_url: str = "https://api.twilio.com"
    from_number: str = ""
    messaging_service_sid: str = ""
    timeout_s: float = Field(15, gt=0)


class Email(Section):
    """The one SMTP server: reports to people who are not on Telegram, purchase orders to
    suppliers. Off while `host` is empty (POs are then phoned through and marked sent)."""
    host: str = ""
    port: int = Field(587, ge=1, le=65535)
    security: str = Field("starttls", pattern="^(starttls|ssl|none)$")  # starttls on 587, ssl (TLS from the start) on 465
    username: str = ""
    password: SecretStr | None = None  # SMTP_PASSWORD, from the environment only
    from_address: str = ""
    timeout_s: float = Field(15, gt=0)

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    @field_validator("from_address")
    @classmethod
    def _address(cls, v: str) -> str:
        if v and "@" not in v:
            raise ValueError(f"email.from_address {v!r} is not an e-mail address")
        return v


class Purchasing(Section):
    draft_alert_days: int = Field(3, ge=0)  # the stock digest flags drafts nobody sent for this many days
    over_tolerance_percent: float = Field(0, ge=0)  # receipts beyond these need a confirmation naming the difference
    under_tolerance_percent: float = Field(0, ge=0)


class Http(Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    public_url: str = ""
    reuse_port: bool = False  # SO_REUSEPORT: several `qm run` processes share one port (webhook mode, PostgreSQL)


class WebApp(Section):
    """The camera scanner (a Telegram Mini App served by `qm run`; needs http.public_url, HTTPS for Telegram)."""
    enabled: bool = True
    init_data_max_age_s: int = Field(3600, ge=60)  # a page's signed initData is refused after this long


class Access(Section):
    invite_ttl_hours: int = Field(72, ge=1)
    invite_contact: str = "your administrator"


class Limits(Section):
    text_chars: int = Field(4000, ge=1)
    photo_bytes: int = Field(10 * 1024 * 1024, ge=1)
    photo_pixels: int = Field(40_000_000, ge=1)
    voice_seconds: int = Field(120, ge=1)
    import_cells: int = Field(10_000_000, ge=1)  # cells one spreadsheet import may read (or an XLSX sheet declare)
    import_unpacked_bytes: int = Field(256 * 1024 * 1024, ge=1)  # an XLSX's parts together, unpacked
    import_seconds: int = Field(300, ge=1)  # reading, checking and loading one file
    upload_ttl_minutes: int = Field(60, ge=1)  # an uploaded spreadsheet not confirmed within this is deleted

    def import_budget(self):
        from domain.dataio.budget import ImportBudget

        return ImportBudget(max_cells=self.import_cells, max_unpacked_bytes=self.import_unpacked_bytes,
                            max_part_bytes=min(self.import_unpacked_bytes, 64 * 1024 * 1024),
                            max_seconds=float(self.import_seconds))


class RateLimits(Section):
    """Per person (per phone number for SMS and calls), in the `limits` notation: "10/minute",
    "5 per 10 seconds", "5/minute;30/hour"; "" = no limit. See bot/ratelimits.py."""
    message: RateLimit = "30 per 10 seconds;120/minute"  # every message and button press, before anything else is done
    photo: RateLimit = "30/minute"  # barcode photos decoded
    voice: RateLimit = "10/minute"  # voice notes transcribed
    report: RateLimit = "6/minute"  # reports, charts, exports and plan runs
    file: RateLimit = "5/minute"  # spreadsheets imported
    sms: RateLimit = "5/minute;30/hour"  # inbound SMS per phone number
    call: RateLimit = "3/minute;20/hour"  # inbound calls per phone number


class Logging(Section):
    level: str = "INFO"


class ReportJob(Section):
    cron: Cron  # crontab: minute hour day month weekday
    timezone: ZoneOrEmpty = ""  # empty: company.timezone
    enabled: bool = True


def _default_reports() -> dict[str, ReportJob]:
    return {"replenishment": ReportJob(cron="0 7 * * 1-5"), "stock_digest": ReportJob(cron="30 7 * * 1-5"),
            "funnel": ReportJob(cron="0 8 * * 1")}


class Jobs(Section):
    reminders_every_s: float = Field(20, gt=0)
    outbox_every_s: float = Field(2, gt=0)
    outbox_stale_after_s: float = Field(300, gt=0)
    outbox_batch: int = Field(50, ge=1)
    outbox_concurrency: int = Field(4, ge=1)
    outbox_max_attempts: int = Field(6, ge=1)
    retry_base_s: float = Field(30, gt=0)
    leader_retry_s: float = Field(5, gt=0)
    heartbeat_s: float = Field(2, gt=0)
    process_dead_after_s: float = Field(10, gt=0)
    claim_takeover: bool = True  # false: only outbox_stale_after_s releases a dead process's sends (no heartbeats)
    depth_every_s: float = Field(15, gt=0)
    mailings_every_s: float = Field(30, gt=0)
    reservation_days: int = Field(3, ge=1)
    catch_up_hours: float = Field(6, ge=0)
    reports: dict[str, ReportJob] = Field(default_factory=_default_reports)

    @field_validator("reports")
    @classmethod
    def _known_reports(cls, v: dict[str, ReportJob]) -> dict[str, ReportJob]:
        unknown = set(v) - {"replenishment", "stock_digest", "funnel"}
        if unknown:
            raise ValueError(f"unknown report job(s): {', '.join(sorted(unknown))}")
        return {**_default_reports(), **v}


class Mailings(Section):
    rate_per_s: float = Field(1.0, ge=0)
    quiet_hours: QuietHours = "21:00-09:00"
    settle_after_s: float = Field(600, ge=0)


class Whisper(Section):
    """speech.whisper: how the bundled (or configured) Whisper model decodes; see config.yaml."""
    beam_size: int = Field(3, ge=1, le=10)
    compute_type: str = "int8"
    cpu_threads: int = Field(2, ge=0)
    prompt_tokens: int = Field(120, ge=0, le=223)
    prompt_all_names: bool = False
    unsure_below: float = Field(0.2, ge=0.0, le=1.0)
    names_first: bool = False
    vad_filter: bool = False
    without_timestamps: bool = False
    fix_names: bool = True
    temperatures: list[float] = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    best_of: int = Field(5, ge=1, le=10)
    log_prob_threshold: float | None = -1.0
    no_speech_threshold: float | None = 0.6
    compression_ratio_threshold: float | None = 2.4
    repetition_penalty: float = Field(1.0, gt=0.0)
    no_repeat_ngram_size: int = Field(0, ge=0)
    patience: float = Field(1.0, gt=0.0)
    hotwords: str = ""
    echo_guard: bool = True
    sample_prompt: str | None = None
    preprocess: str = "auto"
    preprocess_auto: dict[str, str] = {"noisy": "highpass+denoise", "phone": "level", "reverb": "highpass",
                                       "clean": "highpass"}
    rescue_below: float | None = Field(0.6, ge=0.0, le=1.0)
    rescue_with: list[Literal["slow", "talk", "plain"]] = ["slow", "talk"]

    @field_validator("preprocess")
    @classmethod
    def _known_steps(cls, value: str) -> str:
        from .speech.enhance import STEPS

        if value.strip() == "auto":
            return "auto"
        unknown = [s for s in (p.strip() for p in value.split("+")) if s and s not in STEPS]
        if unknown:
            raise ValueError(f"unknown preprocess step(s) {', '.join(unknown)}; known: auto, {', '.join(STEPS)}")
        return value

    @field_validator("preprocess_auto")
    @classmethod
    def _known_kinds(cls, value: dict[str, str]) -> dict[str, str]:
        from .speech.enhance import steps_by_kind

        steps_by_kind(_joined(value))
        return value

    def options(self):
        from .speech.whisper_stt import WhisperOptions

        return WhisperOptions(**(self.model_dump() | {"temperatures": tuple(self.temperatures), "rescue_with": tuple(self.rescue_with),
                                                       "preprocess_auto": _joined(self.preprocess_auto)}))


def _joined(by_kind: dict[str, str]) -> str:
    """{kind: steps} as WhisperOptions keeps it ("noisy=highpass+denoise;phone=...")."""
    return ";".join(f"{k}={v or ''}" for k, v in by_kind.items())


class Speech(Section):
    models: dict[str, str] = {}  # language -> model directory (relative to config.yaml's folder or absolute)
    max_bytes: int = Field(20 * 1024 * 1024, ge=1)
    whisper: Whisper = Whisper()


class AbcXyz(Section):
    """Customer classes from order history (/abc, client groups)."""
    months: int = Field(12, ge=2)  # months of orders looked at (the current one included)
    a_share: float = Field(0.80, gt=0, lt=1)  # A: customers making the first 80% of revenue
    b_share: float = Field(0.15, gt=0, lt=1)  # B: the next 15%; C: the rest
    x_max_cv: float = Field(0.5, gt=0)  # X: coefficient of variation of monthly revenue up to this (steady)
    y_max_cv: float = Field(1.0, gt=0)  # Y: up to this; Z: above (irregular)

    @model_validator(mode="after")
    def _consistent(self) -> "AbcXyz":
        self.thresholds()  # the domain's rule: a < a+b <= 1, x < y
        return self

    def thresholds(self):
        from domain.crm.reports import Thresholds

        return Thresholds.from_shares(self.a_share, self.b_share, self.x_max_cv, self.y_max_cv, self.months)


class Sales(Section):
    abc_xyz: AbcXyz = AbcXyz()


class Orders(Section):
    payment_terms_days: int = Field(14, ge=0)  # invoices fall due this many days after they are issued
    invoice_policy: str = Field("delivered", pattern="^(delivered|ordered)$")


class Warehouse(Section):
    count_variance_percent: float | None = Field(5, ge=0)  # a count differing by more than this share waits for a manager
    count_variance_units: float | None = Field(None, ge=0)  # ... or by more than this many units


class Nlu(Section):
    ask_below: float | None = Field(None, ge=0)  # None: the calibrated nlu/confidence.py value; above 1: always ask


def _planning(value: Any):
    """The planning section, checked by the domain's own rules (PlanningConfig.from_mapping)."""
    from domain.errors import DomainError
    from domain.planning.config import PlanningConfig

    if isinstance(value, PlanningConfig):
        return value
    try:
        return PlanningConfig.from_mapping(value)
    except DomainError as exc:
        raise ValueError(str(exc)) from exc


class _ContractEnv(PydanticBaseSettingsSource):
    """Maps the runtime contract's flat environment variables onto sections."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover - unused
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        out: dict[str, dict[str, Any]] = {}
        for var, (section, key) in CONTRACT_ENV.items():
            value = os.environ.get(var)
            if value not in (None, ""):
                out.setdefault(section, {})[key] = value
        return out


class _YamlWithoutSecrets(YamlConfigSettingsSource):
    def __call__(self) -> dict[str, Any]:
        data = super().__call__()
        for section, key in SECRETS:
            if isinstance(data.get(section), dict) and data[section].get(key):
                raise ValueError(f"{section}.{key} is a secret: set it in the environment, not in config.yaml")
        return data


class Settings(BaseSettings):
    # extra="forbid": an unknown section in config.yaml (or QM_<SECTION>__ variable) stops the start, named
    model_config = SettingsConfigDict(env_prefix="QM_", env_nested_delimiter="__", extra="forbid")

    company: Company = Company()
    database: Database = Database()
    telegram: Telegram = Telegram()
    twilio: Twilio = Twilio()
    email: Email = Email()
    http: Http = Http()
    webapp: WebApp = WebApp()
    access: Access = Access()
    limits: Limits = Limits()
    rate_limits: RateLimits = RateLimits()
    logging: Logging = Logging()
    jobs: Jobs = Jobs()
    planning: Any = Field(default=None, validate_default=True)  # domain.planning.config.PlanningConfig
    speech: Speech = Speech()
    mailings: Mailings = Mailings()
    sales: Sales = Sales()
    orders: Orders = Orders()
    warehouse: Warehouse = Warehouse()
    purchasing: Purchasing = Purchasing()
    nlu: Nlu = Nlu()

    @field_validator("planning", mode="before")
    @classmethod
    def _planning_section(cls, v: Any):
        return _planning(v or {})

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings):
        # Precedence: explicit arguments > contract env names > QM_* env > config.yaml.
        return (init_settings, _ContractEnv(settings_cls), env_settings, _YamlWithoutSecrets(settings_cls, yaml_file=CONFIG_PATH))


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)
