# The feedsync Python image: the CLI, the stream workers and the dashboard.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY feedsync feedsync
COPY connectors connectors
COPY streams streams
COPY feeds feeds
RUN pip install --no-cache-dir .
# A worker's local state (FEEDSYNC_STREAMS__DATA_DIR in deploy/): a volume mounted here
# starts out owned by the user below, so the worker can write it with a read-only root.
RUN mkdir -p /var/lib/feedsync && chown nobody:nogroup /var/lib/feedsync
USER nobody
ENTRYPOINT []
