"""`python -m processing_service.worker` (compose, k8s, the stack runner): the worker."""

from processing_service.entrypoints.worker import Worker, main
from quest_common.events import SIGN_IN_KEYS

__all__ = ["SIGN_IN_KEYS", "Worker", "main"]

if __name__ == "__main__":
    main()
