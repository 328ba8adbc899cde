# Diplomatic Events API image. See docs/deploy.md.
#
#   docker build -t diplomatic-events-api .
#   docker run -p 8000:8000 -v diplomatic-data:/data diplomatic-events-api
#
# ENTRYPOINT is the CLI and CMD is `start` (upgrade the schema, seed an empty database, serve), so
# `docker run IMAGE seed --check` or `docker run IMAGE db current` run the other subcommands.

# --- build: a virtualenv with the runtime dependencies, pinned by constraints.txt -------------
FROM python:3.11.16-slim-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# LICENSE: pyproject.toml names it (license-files), so the build needs it.
COPY constraints.txt pyproject.toml README.md LICENSE ./
COPY app/ app/
# Runtime dependencies only (no dev extra). The `app` package itself is then deleted from
# site-packages: app/config.py finds pyproject.toml, migrations/ and seeds/ next to the package
# (PROJECT_ROOT = the package's parent), so the one copy that runs is /app/app, on PYTHONPATH.
# The console script `diplomatic-events` and the distribution metadata stay.
RUN pip install -c constraints.txt . \
    && rm -rf /opt/venv/lib/python3.11/site-packages/app

# --- runtime: the virtualenv and the project files, no build tools, non-root ----------------
FROM python:3.11.16-slim-bookworm AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite:////data/diplomatic_events.db \
    HOST=0.0.0.0 \
    PORT=8000 \
    WEB_CONCURRENCY=1 \
    SEED_ON_START=empty

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin app \
    && mkdir /data \
    && chown app:app /data

WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# PROJECT_ROOT layout: /app/pyproject.toml ([tool.alembic]), /app/migrations, /app/seeds, /app/app.
# Owned by root: the service can read its code and seeds but only write to /data.
# The image carries its terms: the code's licence and how to cite the dataset (/v1/meta too).
COPY pyproject.toml LICENSE CITATION.cff ./
COPY migrations/ migrations/
COPY seeds/ seeds/
COPY app/ app/
RUN python -m compileall -q app migrations

USER 10001:10001
EXPOSE 8000

# Liveness only (no database): python's urllib, since the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

ENTRYPOINT ["diplomatic-events"]
CMD ["start"]
