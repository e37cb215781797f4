# The Scorecard web app and Celery worker (one image, two commands; see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (the committee pack PDF) needs Pango and fonts; psycopg[binary] brings its own libpq.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-dejavu-core fonts-liberation2 fontconfig \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them: exactly the hashed lock's versions (the same
# lock `make` installs; it also holds the test and check tools, which the image carries but never runs).
COPY requirements/lock.txt requirements/lock.txt
RUN pip install --require-hashes -r requirements/lock.txt
COPY pyproject.toml README.md ./
RUN pip install --no-deps --no-build-isolation .

COPY . .

# Static files are collected into the image and served by whitenoise (hashed, compressed).
# The settings need a secret key when DEBUG is off; this one only lives for collectstatic.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-secret DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    python manage.py collectstatic --no-input \
    && rm -f /tmp/collectstatic.sqlite3

RUN useradd --create-home --uid 1000 scorecard \
    && mkdir -p /app/media \
    && chown scorecard:scorecard /app/media
USER scorecard

ENV DEBUG=false \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    LOG_FORMAT=json

EXPOSE 8000
# gunicorn's timeout is set, not left at its 30 s default: a scorecard export or the preview of a large upload
# may take longer (the committee pack and big commits run in the worker). docker-compose.yml says the same.
CMD ["gunicorn", "scorecard.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", \
     "--access-logfile", "-"]
