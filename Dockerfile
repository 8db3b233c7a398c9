# One image for web, worker and beat; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time; a throwaway key is enough for that step.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --no-input \
    && useradd --create-home --uid 1000 portal \
    && mkdir -p /app/var && chown portal /app/var
USER portal

EXPOSE 8000
CMD ["gunicorn", "rma_portal.wsgi:application", "--bind", "0.0.0.0:8000"]
