"""Settings of the auth service (environment first, `.env` in development)."""

from functools import lru_cache

from pydantic import Field

from auth_service.signin.abuse import Limits
from auth_service.signin.throttle import ACCOUNT, ADDRESS, ThrottlePolicy
from quest_common.settings import BaseServiceSettings


def _policy(free: int, ceiling: int, *, max_delay_s: float, window_s: int = 3600) -> ThrottlePolicy:
    """`free` failures, then a lock doubling from one second up to `max_delay_s`, and at most
    `ceiling` failures per window."""
    return ThrottlePolicy(
        free_failures=free,
        base_delay_s=1.0,
        max_delay_s=max_delay_s,
        max_failures_per_window=ceiling,
        window_s=window_s,
    )


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
    # The catalog's client-credentials secret (the shop's debits).
    catalog_client_secret: str = "dev-client-secret"  # noqa: S105
    admin_user_name: str = "admin"
    admin_password: str = "admin-password"  # noqa: S105
    seed_demo_player: bool = True  # the `user` / `password` player of the original project

    # How often each replica reloads the published keys (so a rotation reaches all of them).
    key_reload_seconds: float = 60.0

    # Refresh-token cookie: Secure everywhere but local runs (plain http://localhost).
    cookie_secure: bool | None = None

    # Login throttling (see auth_service.signin.throttle).
    throttle_account_free_failures: int = 5
    throttle_account_max_delay_seconds: float = 900.0
    throttle_account_max_failures_per_hour: int = 100
    # Generous: many players can share one address (NAT, an office); accounts are guarded
    # tightly above, this only slows a credential-stuffing run from one address.
    throttle_address_free_failures: int = 200
    throttle_address_max_delay_seconds: float = 60.0
    throttle_address_max_failures_per_hour: int = 1000

    # Abuse limits (auth_service.signin.abuse): free attempts per window, then a doubling lock.
    # Sign-ups and refreshes count every attempt; password change and deletion count wrong
    # current passwords. The addresses listed are never limited per address: the host itself
    # (health checks, operators' scripts); per-account limits still apply to them.
    abuse_exempt_addresses: list[str] = ["127.0.0.1", "::1"]
    signup_address_free_per_hour: int = 20
    signup_address_max_per_hour: int = 200
    password_account_free_failures: int = 5
    password_account_max_failures_per_hour: int = 50
    password_address_free_failures: int = 50
    password_address_max_failures_per_hour: int = 500
    refresh_account_free_per_minute: int = 30
    refresh_address_free_per_minute: int = 300
    # A spent refresh token presented again within this many seconds gets the same successor
    # (two refreshes racing: apps, scripts, browsers without Web Locks); later, it is a copy in
    # someone else's hands and revokes its family.
    refresh_reuse_grace_seconds: float = Field(default=5.0, ge=0, le=60)
    # A resumed session (POST /login/refresh with resume) is a sign-in when the player's last
    # sign-in of any kind is at least this old (DESIGN §10).
    resume_sign_in_after_s: float = 1800.0
    # A player changes their time zone at most once in this many days.
    time_zone_change_interval_days: float = 7.0
    # argon2 runs in this many worker processes (None: one per usable core, at most 4; 0: in the
    # request's own thread, as tests do to skip spawning processes). See core.security.
    password_hash_processes: int | None = None

    # Catalog (private network): auth reads the level curve there (`GET /api/catalog/levels`)
    # and keeps a copy, revalidated with its ETag once older than this; see progression.curve.
    catalog_url: str = "http://127.0.0.1:8002"
    level_curve_ttl_seconds: float = 30.0

    outbox_poll_seconds: float = 1.0
    # An optional wait after a login wakes the relay. 0: publish at once; under load the
    # logins committing during a pass are batched into the next one anyway.
    outbox_wake_delay_seconds: float = 0.0
    # While logins keep coming, a relay pass starts at most this often: a steady stream is
    # published a few sign-ins per pass (a pass costs more CPU than the login's own SQL), each
    # waiting at most this long. The first sign-in after a quiet spell leaves at once.
    outbox_busy_interval_seconds: float = 0.1
    run_outbox_relay: bool = True
    # The durable queue that keeps `auth.UserDeleted` for processing, declared by the relay too
    # (auth_service.personal_data.deletions_queue): a deletion is never unroutable, so it never
    # holds back the sign-in events behind it. Empty: not declared.
    user_deletions_queue: str = "processing.user-deletions"
    # Likewise the queue that keeps `auth.UserCreated` (every account, announced once) for
    # processing's set of players. Empty: not declared.
    user_created_queue: str = "processing.players"
    # Lifetime of an OAuth2 client's access token (client credentials; no refresh token).
    client_token_expire_minutes: int = 15

    def secret_fields(self) -> dict[str, str]:
        return {
            "signing_key_passphrase": self.signing_key_passphrase,
            "processing_client_secret": self.processing_client_secret,
            "catalog_client_secret": self.catalog_client_secret,
            "admin_password": self.admin_password,
        }

    @property
    def refresh_cookie_secure(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.environment == "production"

    @property
    def login_policies(self) -> dict[str, ThrottlePolicy]:
        """The login throttle's policy per scope (`auth_service.signin.throttle`)."""
        return {
            ACCOUNT: _policy(
                self.throttle_account_free_failures,
                self.throttle_account_max_failures_per_hour,
                max_delay_s=self.throttle_account_max_delay_seconds,
            ),
            ADDRESS: _policy(
                self.throttle_address_free_failures,
                self.throttle_address_max_failures_per_hour,
                max_delay_s=self.throttle_address_max_delay_seconds,
            ),
        }

    @property
    def abuse_limits(self) -> Limits:
        password_account = _policy(
            self.password_account_free_failures,
            self.password_account_max_failures_per_hour,
            max_delay_s=900,
        )
        password_address = _policy(
            self.password_address_free_failures,
            self.password_address_max_failures_per_hour,
            max_delay_s=60,
        )
        return Limits(
            policies={
                ("signup", "address"): _policy(
                    self.signup_address_free_per_hour,
                    self.signup_address_max_per_hour,
                    max_delay_s=300,
                ),
                ("password", "account"): password_account,
                ("password", "address"): password_address,
                # Deleting an account re-enters the password: the same guesses to guard.
                ("delete", "account"): password_account,
                ("delete", "address"): password_address,
                ("refresh", "account"): _policy(
                    self.refresh_account_free_per_minute,
                    10 * self.refresh_account_free_per_minute,
                    max_delay_s=60,
                    window_s=60,
                ),
                ("refresh", "address"): _policy(
                    self.refresh_address_free_per_minute,
                    10 * self.refresh_address_free_per_minute,
                    max_delay_s=60,
                    window_s=60,
                ),
            },
            exempt_addresses=frozenset(self.abuse_exempt_addresses),
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
