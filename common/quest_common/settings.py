"""Base settings shared by every service (pydantic-settings, environment first)."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from quest_common.events import EVENTS_EXCHANGE

# Values that must never reach production: the development defaults and the usual fillers.
PLACEHOLDER_SECRETS = frozenset(
    {
        "",
        "changeme",
        "change-me",
        "changethis",
        "secret",
        "password",
        "admin-password",
        "dev-secret",
        "development-secret",
        "dev-passphrase",
        "dev-client-secret",
    }
)


class BaseServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_file_encoding="utf-8")

    service_name: str = "quest-service"
    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    events_exchange: str = EVENTS_EXCHANGE
    log_json: bool = False
    log_level: str = "INFO"
    jwt_issuer: str = "quest-auth"
    jwt_audience: str = "quest-platform"

    def secret_fields(self) -> dict[str, str]:
        """Secrets this service needs; subclasses name theirs so production refuses placeholders."""
        return {}

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> BaseServiceSettings:
        if self.environment == "production":
            for name, value in self.secret_fields().items():
                require_secret(name, value)
        return self


def require_secret(name: str, value: str | None) -> str:
    """Fail at start (not at first use) when a secret is missing or a known placeholder."""
    if value is None or value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < 12:
        raise ValueError(
            f"{name.upper()} must be set to a real secret (at least 12 characters, not a "
            "placeholder) when ENVIRONMENT=production"
        )
    return value
