"""Settings of the processing service (API and worker share them)."""

from __future__ import annotations

from functools import lru_cache

from quest_common.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    service_name: str = "processing-service"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/processing"
    jwks_url: str = "http://127.0.0.1:8001/api/auth/.well-known/jwks.json"
    # Auth's signed "tokens issued before T are void" list; default: on the JWKS URL's host.
    access_snapshot_url: str | None = None
    auth_url: str = "http://127.0.0.1:8001"
    catalog_url: str = "http://127.0.0.1:8002"
    # Development default only: production refuses it (secret_fields below).
    processing_client_secret: str = "dev-client-secret"  # noqa: S105
    processing_client_id: str = "processing-service"
    sign_in_queue: str = "processing.sign-ins"
    # Declared by auth's relay too, with the same arguments (quest_common's defaults).
    user_deletions_queue: str = "processing.user-deletions"
    # `auth.UserCreated` (every account, announced once): the set of known players. Declared by
    # auth's relay too, with the same arguments.
    user_created_queue: str = "processing.players"

    # Worker tuning: big batches when the queue is deep (collected for up to linger_ms while
    # deliveries keep arriving); a lone delivery is handled at once.
    delivery_limit: int = 5
    retry_delay_ms: int = 5_000
    prefetch: int = 1000
    batch_size: int = 500
    linger_ms: int = 10
    grant_poll_s: float = 1.0
    grant_max_backoff_s: float = 60.0
    dead_letter_poll_s: float = 5.0
    # Broker heartbeat of the notification publishers (the idle loop answers well within it).
    publisher_heartbeat_s: int = 30

    # Quest definitions from catalog: dropped on QuestChanged, and revalidated (If-None-Match,
    # an empty 304 while nothing changed) this often in case an event was missed.
    quest_cache_ttl_s: float = 5.0
    http_timeout_s: float = 3.0

    # Simulations: at most this many run at once per API replica (429 with Retry-After
    # beyond), each in a process of its own at a lower CPU priority.
    simulation_max_running: int = 2
    simulation_retry_after_s: int = 10

    # Ingestion (game servers' events, DESIGN §14). Each client may send this many events a
    # second on average, and up to `ingest_burst` at once (429 with Retry-After beyond).
    ingest_rate_per_s: float = 2000.0
    ingest_burst: int = 10_000
    # Event types from catalog: revalidated (If-None-Match) this often.
    event_type_cache_ttl_s: float = 5.0
    # Broker connections the API publishes accepted events on (a request holds one while it
    # waits for its confirms), and how long it waits for them before trying another node.
    ingest_publishers: int = 4
    ingest_confirm_timeout_s: float = 5.0

    # Incidents: the longest one (7 days), and how far ahead of now one may end (90 days).
    incident_max_length_s: float = 7 * 86_400.0
    incident_max_ahead_s: float = 90 * 86_400.0

    # SSE: what a freshly connected client gets replayed, and how long rows are kept.
    notification_replay_s: float = 60.0
    notification_retention_s: float = 3600.0

    def secret_fields(self) -> dict[str, str]:
        return {"processing_client_secret": self.processing_client_secret}


@lru_cache
def get_settings() -> Settings:
    return Settings()
