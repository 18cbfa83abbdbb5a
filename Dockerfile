# The board API image (README: Deploy to AWS). Two stages: the build stage installs the project
# and exactly the versions in constraints.txt into a virtualenv; the runtime stage copies that
# virtualenv and nothing else, so no compiler, pip cache, tests or dev tools ship.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# A C compiler for the tracing hot path (setup.py); like everything here, it stays in this stage.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml setup.py constraints.txt README.md ./
COPY board ./board
COPY db ./db
COPY graph ./graph
COPY tracing ./tracing
COPY xray_local ./xray_local
# No extras: the runtime dependencies only, each at the version CI tested. Then the project once
# more with its tracing hot path compiled by mypy's compiler, which it type-checks against those
# dependencies; the compiler and its own dependencies leave the virtualenv afterwards.
RUN /opt/venv/bin/pip install -c constraints.txt . \
    && /opt/venv/bin/pip install -c constraints.txt mypy setuptools \
    && BOARD_NATIVE=1 /opt/venv/bin/pip install --no-deps --no-build-isolation --force-reinstall . \
    && /opt/venv/bin/pip uninstall -y mypy mypy_extensions pathspec librt ast_serialize

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 board \
    && useradd --system --uid 10001 --gid board --create-home --home-dir /home/board board
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# `alembic upgrade head` (the migration task) runs from here: the ini file and the migrations.
COPY alembic.ini ./alembic.ini
COPY alembic ./alembic
COPY deploy/sampling-rules.json ./sampling-rules.json
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BOARD_DATA_DIR=/home/board/data \
    XRAY_SAMPLING_RULES=/app/sampling-rules.json
USER 10001:10001
EXPOSE 8000
# slim images have no curl; the standard library asks /healthz (200 only with the database up).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["board", "serve", "--host", "0.0.0.0", "--port", "8000"]
