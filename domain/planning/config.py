"""Planning settings: the `planning:` section of config.yaml, checked once."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Mapping

from ..errors import InvalidInput, N_, Np_


@dataclass(frozen=True)
class PlanningConfig:
    history_days: int = 365
    backtest_days: int = 28
    backtest_windows: int = 3
    ma_windows: tuple[int, ...] = (7, 28, 56)
    ses_alphas: tuple[float, ...] = (0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)
    croston_alpha: float = 0.1
    intermittent_adi: float = 1.32
    variability_days: int = 91
    review_days: int = 7
    default_service_level: float = 0.95
    service_levels: Mapping[str, float] = field(default_factory=lambda: {"A": 0.98, "B": 0.95, "C": 0.9})
    lead_time_min_receipts: int = 5
    default_lead_time_days: int = 14
    chart_days: int = 60

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> "PlanningConfig":
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInput(Np_("Unknown planning setting: {names}.", "Unknown planning settings: {names}."),
                               names=", ".join(unknown), count=len(unknown))
        try:  # values from the environment arrive as text
            for f in fields(cls):
                if f.name in data and f.type in ("int", "float"):
                    data[f.name] = (int if f.type == "int" else float)(data[f.name])
            for key, kind in (("ma_windows", int), ("ses_alphas", float)):
                if key in data:
                    data[key] = tuple(kind(v) for v in data[key])
        except (TypeError, ValueError) as exc:
            raise InvalidInput(N_("Planning settings: {error}."), error=str(exc)) from exc
        if "service_levels" in data:
            data["service_levels"] = {str(k): float(v) for k, v in dict(data["service_levels"]).items()}
        cfg = cls(**data)
        cfg.check()
        return cfg

    def check(self) -> None:
        def bad(name: str, value: Any) -> InvalidInput:
            return InvalidInput(N_("Planning setting {name} has a bad value: {value}."), name=name, value=value)

        for name in ("history_days", "backtest_days", "backtest_windows", "variability_days", "lead_time_min_receipts",
                     "default_lead_time_days", "chart_days"):
            if int(getattr(self, name)) < 1:
                raise bad(name, getattr(self, name))
        if self.review_days < 0:
            raise bad("review_days", self.review_days)
        if not self.ma_windows or any(int(w) < 1 for w in self.ma_windows):
            raise bad("ma_windows", self.ma_windows)
        if not self.ses_alphas or any(not 0 < a <= 1 for a in self.ses_alphas):
            raise bad("ses_alphas", self.ses_alphas)
        if not 0 < self.croston_alpha <= 1:
            raise bad("croston_alpha", self.croston_alpha)
        for name, level in [("default_service_level", self.default_service_level), *self.service_levels.items()]:
            if not 0.5 <= float(level) < 1:
                raise bad(f"service level {name}", level)

    def service_level_for(self, product_class: str | None) -> float:
        """Product.service_level is a class (A/B/C...) or a number such as 0.97."""
        if product_class is None or str(product_class).strip() == "":
            return self.default_service_level
        key = str(product_class).strip()
        if key in self.service_levels:
            return float(self.service_levels[key])
        try:
            level = float(key.rstrip("%")) / (100 if key.endswith("%") else 1)
        except ValueError:
            return self.default_service_level
        return level if 0.5 <= level < 1 else self.default_service_level
