"""What every OCDS release and package is built with: the publisher's settings (from the app config),
moments and periods in the standard's form, amounts, and omitting empty fields."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional

from app.clock import AMSTERDAM
from app.models import Contract


@dataclass(frozen=True)
class Settings:
    prefix: str
    publisher: str
    publisher_uri: str
    base_url: str
    language: str
    extensions: tuple[str, ...]
    license: str

    @classmethod
    def from_config(cls, config) -> "Settings":
        return cls(
            prefix=config["OCDS_PREFIX"], publisher=config["OCDS_PUBLISHER"],
            publisher_uri=config.get("OCDS_PUBLISHER_URI", ""), base_url=config["BASE_URL"].rstrip("/"),
            language=config["OCDS_LANGUAGE"], extensions=(config["OCDS_LOTS_EXTENSION_URL"],),
            license=config.get("OCDS_LICENSE", ""),
        )

    def ocid(self, reference: str) -> str:
        return f"{self.prefix}-{reference}"


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with its designator: sorts as text, reads everywhere."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=AMSTERDAM)


def day_end(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=AMSTERDAM)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def contract_end(contract: Contract) -> date:
    return _add_years(contract.start_date, contract.duration_years) - timedelta(days=1)


def period(start: Optional[datetime], end: Optional[datetime]) -> Optional[dict]:
    period = {}
    if start is not None:
        period["startDate"] = iso(start)
    if end is not None:
        period["endDate"] = iso(end)
    return period or None


def value_eur(amount: Optional[int]) -> Optional[dict]:
    return None if amount is None else {"amount": amount, "currency": "EUR"}


def put(target: dict, key: str, value) -> None:
    if value not in (None, "", [], {}):
        target[key] = value
