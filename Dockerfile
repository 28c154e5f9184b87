# One image for every service (web, worker, beat, pgwire); docker-compose.yml picks the command.
FROM node:20-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./
RUN node build.mjs

FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PYTHONPATH=/app DATA_DIR=/data CHROMIUM_PATH=/usr/bin/chromium
# chromium renders dashboard PNG/PDF exports on the server
RUN apt-get update && apt-get install -y --no-install-recommends chromium \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
COPY config ./config
COPY connectors ./connectors
COPY dashboards ./dashboards
COPY pgwire ./pgwire
COPY templates ./templates
COPY manage.py ./
COPY --from=frontend /src/static ./static
RUN pip install --no-cache-dir . && python manage.py collectstatic --noinput -v0
EXPOSE 8000 15432
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--worker-class", "config.gunicorn_worker.HeadFirstWorker", "--workers", "2", "--threads", "8"]
