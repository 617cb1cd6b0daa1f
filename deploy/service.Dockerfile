# syntax=docker/dockerfile:1
# The image of each Python service. Build context: the repository root (the image needs
# common/); the service is chosen by two build arguments, its folder and its package:
#   docker build -f deploy/service.Dockerfile \
#       --build-arg SERVICE=auth-service --build-arg PACKAGE=auth_service .
# docker-compose.yml passes them for auth-service, catalog-service and processing-service.
# The processing image runs the API (default command) and the worker:
#   command: ["python", "-m", "processing_service.worker"]

# ---- build: resolve the locked dependencies into /app/.venv with uv ---------------------------
FROM python:3.11-slim AS build
ARG SERVICE
ARG PACKAGE
# Without them the steps below would sync no package and copy the whole context: stop here.
RUN test -n "$SERVICE" && test -n "$PACKAGE" \
    || { echo "build with --build-arg SERVICE=<x>-service --build-arg PACKAGE=<x>_service" >&2; exit 1; }
COPY --from=ghcr.io/astral-sh/uv:0.13 /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app

# Third-party dependencies first, from the manifests and the lockfile only, so that a code
# change does not reinstall them. uv needs every workspace member's manifest to read the lock;
# --locked fails the build when uv.lock is out of date with a manifest.
COPY pyproject.toml uv.lock ./
COPY common/pyproject.toml common/
COPY devtools/pyproject.toml devtools/
COPY auth-service/pyproject.toml auth-service/
COPY catalog-service/pyproject.toml catalog-service/
COPY processing-service/pyproject.toml processing-service/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --package ${SERVICE} --no-install-workspace

# Then the code. Workspace members stay editable installs pointing at /app/<member>: the
# service finds its alembic/ and alembic.ini next to its package.
COPY common/ common/
COPY ${SERVICE}/ ${SERVICE}/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --package ${SERVICE}

# ---- runtime: the interpreter, the venv and the code; no uv, no compilers -------------------
FROM python:3.11-slim AS runtime
ARG SERVICE
ARG PACKAGE
RUN groupadd --system --gid 10001 quest \
    && useradd --system --uid 10001 --gid quest --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin quest
WORKDIR /app
# Owned by root and not writable by the service user: the code cannot be changed at run time.
COPY --from=build /app/.venv /app/.venv
COPY --from=build /app/common /app/common
COPY --from=build /app/${SERVICE} /app/${SERVICE}
# UVICORN_APP is the app uvicorn serves when its command line names none (the CMD below);
# a command that names one (deploy/k8s) takes that one.
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LOG_JSON=true \
    FORWARDED_ALLOW_IPS=127.0.0.1 \
    UVICORN_APP=${PACKAGE}.main:create_app
WORKDIR /app/${SERVICE}
USER 10001:10001
EXPOSE 8000
# Behind Traefik on the private network: trust X-Forwarded-* from the gateway's address only
# (FORWARDED_ALLOW_IPS, read by uvicorn; compose and k8s set it), so the service sees the
# client address (throttling per address) and nobody else reaching this port can choose one.
# Never "*". No host port is ever published.
CMD ["uvicorn", "--factory", "--host", "0.0.0.0", "--port", "8000", \
     "--proxy-headers", "--timeout-graceful-shutdown", "10"]
