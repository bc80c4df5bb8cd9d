# PMLE Cards: a slim, non-root image served by gunicorn. SQLite lives on the /data volume unless DATABASE_URL
# points at PostgreSQL. Build: docker build -t pmle-cards .   Run: see README ("Deploy").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SQLITE_PATH=/data/db.sqlite3 \
    MEDIA_ROOT=/data/media \
    PORT=8000

WORKDIR /app
RUN useradd --create-home --uid 10001 pmle && mkdir /data && chown pmle:pmle /data

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=pmle:pmle . .
# Static files are collected (hashed and compressed for whitenoise) at build time with a throwaway key made for
# this step and forgotten; the running container needs its own DJANGO_SECRET_KEY (a weak one is refused).
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    python manage.py collectstatic --noinput

USER pmle
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os,urllib.request as u; h=(os.environ.get('DJANGO_ALLOWED_HOSTS') or 'localhost').split(',')[0]; u.urlopen(u.Request('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), headers={'Host': h}), timeout=4)"

CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py createcachetable && python manage.py load_pmle && python manage.py load_questions && exec gunicorn pmle.wsgi:application --config gunicorn.conf.py"]
