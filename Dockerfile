# The feedsync Python image (CLI and, later, stream workers).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY feedsync feedsync
COPY connectors connectors
COPY streams streams
COPY feeds feeds
RUN pip install --no-cache-dir .
USER nobody
ENTRYPOINT []
