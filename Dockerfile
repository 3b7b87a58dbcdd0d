# syntax=docker/dockerfile:1
# Telroi: build the wheels in one stage, run as a non-root user in a slim second stage.
# SQLite by default (data volume /data); set DATABASE_URL for PostgreSQL.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/srv/telroi \
    TELROI_DATA_DIR=/data \
    TELROI_ENV=production \
    PORT=8000
RUN groupadd --system --gid 10001 telroi \
 && useradd --system --uid 10001 --gid telroi --home-dir /srv/telroi --shell /usr/sbin/nologin telroi \
 && mkdir -p /data && chown telroi:telroi /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /srv/telroi
# The code, templates, static files and seed tariffs (PYTHONPATH makes this copy the one run).
COPY --chown=telroi:telroi app ./app
COPY --chown=telroi:telroi templates ./templates
COPY --chown=telroi:telroi static ./static
COPY --chown=telroi:telroi tariffs ./tariffs
COPY --chown=telroi:telroi demo ./demo
USER telroi
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)" || exit 1
CMD ["telroi", "serve", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
