"""Catalog settings: one pydantic-settings object, read from the environment (and `.env`)."""

from __future__ import annotations

from functools import lru_cache

from quest_common.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    service_name: str = "catalog-service"
    # Auth's public keys; the catalog holds no signing secret and never calls auth per request.
    jwks_url: str = "http://127.0.0.1:8001/api/auth/.well-known/jwks.json"
    # Auth's signed "tokens issued before T are void" list; default: on the JWKS URL's host.
    access_snapshot_url: str | None = None
    # Serialized read responses kept per (route, filters); bounded so odd offsets cannot grow it.
    read_cache_entries: int = 512
    # How often the version listener re-reads the version even without a notification, so a
    # silently dropped LISTEN connection cannot keep a stale cache for long.
    version_resync_seconds: float = 5.0
    # Run the outbox relay inside the API process (the default); tests may turn it off.
    run_outbox_relay: bool = True

    # Auth's base URL on the private network, for `/internal/wallet/debits` (redemptions).
    auth_url: str = "http://127.0.0.1:8001"
    auth_timeout_seconds: float = 3.0
    # The catalog's client-credentials secret for auth's `/internal` routes; production refuses
    # this development default (auth holds the same value as CATALOG_CLIENT_SECRET).
    catalog_client_secret: str = "dev-client-secret"  # noqa: S105
    # The settlement job: how often it looks for pending redemptions, and the longest wait
    # between two debit attempts of one (so a redemption settles within about that long after
    # auth answers again).
    redemption_poll_seconds: float = 1.0
    redemption_max_backoff_seconds: float = 30.0
    run_redemption_job: bool = True

    def secret_fields(self) -> dict[str, str]:
        return {"catalog_client_secret": self.catalog_client_secret}


@lru_cache
def get_settings() -> Settings:
    return Settings()
