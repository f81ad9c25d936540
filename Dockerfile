# oncall-copilot: `oncall serve` in a container. Multi-stage: the build stage installs the locked
# packages (every file checked against its sha256) into a virtual environment; the runtime stage
# copies only that environment, runs as a non-root user and answers its health check on /healthz.
#   docker build -t oncall-copilot .
#   docker run -p 8080:8080 -e ONCALL_WEBHOOK_TOKEN=... -v $PWD/oncall.yaml:/etc/oncall/oncall.yaml \
#     oncall-copilot serve --config /etc/oncall/oncall.yaml --host 0.0.0.0
# Settings come from the environment (docs/configuration.md): ONCALL_WEBHOOK_TOKEN, SLACK_BOT_TOKEN,
# SLACK_SIGNING_SECRET, SLACK_CHANNEL, ONCALL_SLACK_CHANNELS, ANTHROPIC_API_KEY, ONCALL_QUEUE_URL.

ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements/image.lock requirements/build.lock requirements/
RUN python -m venv /opt/oncall \
 && /opt/oncall/bin/pip install --require-hashes -r requirements/image.lock \
 && /opt/oncall/bin/pip install -r requirements/build.lock
COPY pyproject.toml README.md ./
COPY oncall ./oncall
RUN /opt/oncall/bin/pip install --no-deps --no-build-isolation . \
 && /opt/oncall/bin/pip uninstall --yes setuptools wheel \
 && find /opt/oncall -name __pycache__ -prune -exec rm -rf {} +

FROM ${PYTHON_IMAGE}
RUN groupadd --gid 10001 oncall && useradd --uid 10001 --gid oncall --no-create-home --shell /usr/sbin/nologin oncall \
 && mkdir -p /var/lib/oncall /etc/oncall && chown oncall:oncall /var/lib/oncall
COPY --from=build /opt/oncall /opt/oncall
ENV PATH=/opt/oncall/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    ONCALL_STATE=/var/lib/oncall XDG_CACHE_HOME=/tmp/cache
USER 10001:10001
VOLUME ["/var/lib/oncall"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status != 200)"]
ENTRYPOINT ["oncall"]
CMD ["serve", "--config", "/etc/oncall/oncall.yaml", "--host", "0.0.0.0", "--port", "8080", "--log-format", "json"]
