# LSTM Explorer, one replica. Build: docker build -t lstm-explorer .
# Run: docker run -p 8501:8501 -e STREAMLIT_SERVER_COOKIE_SECRET=<one secret for every replica> lstm-explorer
# tensorflow-cpu 2.21 has wheels for Python 3.11–3.13 on x86_64 only: keep the base on one of those.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    LSTM_EXPLORER_MEMORY_MB=2048 \
    LSTM_EXPLORER_READY_FILE=/tmp/lstm-explorer-ready

RUN useradd --create-home --uid 10001 app
WORKDIR /app

# The runtime requirements first: the ~600 MB TensorFlow layer is rebuilt only when they change.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY .streamlit ./.streamlit
COPY assets ./assets
COPY explorer ./explorer
COPY app.py ./

USER 10001
EXPOSE 8501
# Ready once Streamlit answers and TensorFlow is imported (explorer/ui/serve.py imports it at start).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["python", "-m", "explorer.ui.health", "8501"]
CMD ["python", "-m", "explorer.ui.serve", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501", "--server.headless", "true"]
