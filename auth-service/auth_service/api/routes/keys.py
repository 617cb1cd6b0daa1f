"""The JWKS: public, so every service can verify tokens without holding a secret."""

from fastapi import APIRouter, Request, Response

from auth_service.api.deps import TokensDep
from auth_service.models import Jwks

router = APIRouter(tags=["keys"])


@router.get("/.well-known/jwks.json")
def jwks(request: Request, response: Response, token_service: TokensDep) -> Jwks:
    # Short cache: a key published for rotation must reach verifiers before it signs.
    response.headers["Cache-Control"] = "public, max-age=60"
    return token_service.keyring.snapshot().jwks
