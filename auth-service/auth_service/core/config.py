"""Settings of the auth service (environment first, `.env` in development)."""

from functools import lru_cache

from auth_service.throttle import ThrottlePolicy
from quest_common.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    service_name: str = "auth-service"

    api_prefix: str = "/api/auth"
    access_token_expire_minutes: int = 15
    refresh_token_expire_days: int = 14
    service_token_expire_minutes: int = 15
    internal_audience: str = "quest-internal"

    # Development defaults; production refuses them (see secret_fields).
    signing_key_passphrase: str = "dev-passphrase"  # noqa: S105
    processing_client_secret: str = "dev-client-secret"  # noqa: S105
    admin_user_name: str = "admin"
    admin_password: str = "admin-password"  # noqa: S105
    seed_demo_player: bool = True  # the `user` / `password` player of the original project

    # How often each replica reloads the published keys (so a rotation reaches all of them).
    key_reload_seconds: float = 60.0

    # Refresh-token cookie: Secure everywhere but local runs (plain http://localhost).
    cookie_secure: bool | None = None

    # Login throttling (see auth_service.throttle).
    throttle_account_free_failures: int = 5
    throttle_account_max_delay_seconds: float = 900.0
    throttle_account_max_failures_per_hour: int = 100
    # Generous: many players can share one address (NAT, an office); accounts are guarded
    # tightly above, this only slows a credential-stuffing run from one address.
    throttle_address_free_failures: int = 200
    throttle_address_max_delay_seconds: float = 60.0
    throttle_address_max_failures_per_hour: int = 1000

    # argon2 runs in this many worker processes (None: one per usable core, at most 4; 0: in the
    # request's own thread, as tests do to skip spawning processes). See core.security.
    password_hash_processes: int | None = None

    outbox_poll_seconds: float = 1.0
    # An optional wait after a login wakes the relay. 0: publish at once; under load the
    # logins committing during a pass are batched into the next one anyway.
    outbox_wake_delay_seconds: float = 0.0
    run_outbox_relay: bool = True

    def secret_fields(self) -> dict[str, str]:
        return {
            "signing_key_passphrase": self.signing_key_passphrase,
            "processing_client_secret": self.processing_client_secret,
            "admin_password": self.admin_password,
        }

    @property
    def refresh_cookie_secure(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.environment == "production"

    @property
    def account_policy(self) -> ThrottlePolicy:
        return ThrottlePolicy(
            free_failures=self.throttle_account_free_failures,
            base_delay_s=1.0,
            max_delay_s=self.throttle_account_max_delay_seconds,
            max_failures_per_window=self.throttle_account_max_failures_per_hour,
        )

    @property
    def address_policy(self) -> ThrottlePolicy:
        return ThrottlePolicy(
            free_failures=self.throttle_address_free_failures,
            base_delay_s=1.0,
            max_delay_s=self.throttle_address_max_delay_seconds,
            max_failures_per_window=self.throttle_address_max_failures_per_hour,
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
