# fitdoc API and worker image. The worker needs a CUDA build of torch: build with
#   docker build --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128 .
# (the default CPU index keeps the API image small).
FROM python:3.11-slim

ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 FITDOC_DATA_DIR=/data

WORKDIR /app
RUN pip install --index-url ${TORCH_INDEX} "torch>=2.3"
COPY pyproject.toml README.md alembic.ini ./
COPY fitdoc ./fitdoc
COPY service ./service
COPY workers ./workers
COPY migrations ./migrations
RUN pip install -e . && useradd --create-home fitdoc && mkdir -p /data && chown fitdoc /data
USER fitdoc

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["fitdoc", "serve", "--host", "0.0.0.0", "--no-worker"]
