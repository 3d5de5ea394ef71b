# syntax=docker/dockerfile:1
# ASYE 360: front-end assets built with Node, then a slim Python runtime that runs as a non-root
# user, applies migrations and serves with uvicorn.

FROM node:20-bookworm-slim AS assets
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ENVIRONMENT=production
# Pango and fonts for WeasyPrint's PDF reports; curl for the health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 asye360
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY app/ app/
# Editable, so the package finds statements/, migrations/ and frontend/ beside it in /app.
RUN pip install -e .
COPY migrations/ migrations/
COPY statements/ statements/
COPY frontend/templates/ frontend/templates/
COPY --from=assets /build/frontend/dist/ frontend/dist/
USER asye360
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
# DATABASE_URL and SECRET_KEY come from the environment (see README.md).
CMD ["sh", "-c", "asye360 db upgrade && exec asye360 serve --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY:-2}"]
