FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 DATA_DIR=/data
COPY pyproject.toml ./
COPY config ./config
COPY connectors ./connectors
COPY dashboards ./dashboards
COPY pgwire ./pgwire
COPY templates ./templates
COPY manage.py ./
RUN pip install --no-cache-dir . && python manage.py collectstatic --noinput -v0
EXPOSE 8000 15432
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", "--workers", "2", "--threads", "8"]
