"""`uvicorn --factory processing_service.main:create_app` (images, k8s, the stack runner)."""

from processing_service.entrypoints.api import create_app

__all__ = ["create_app"]
