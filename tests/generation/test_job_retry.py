"""A model server that times out or refuses the connection is retried; one that says no is not."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from generation.job_kinds import GENERATE_COPY
from shopllm_site.ml.generator import GenerationParams, GeneratorError
from shopllm_site.ml.openai_generator import OpenAICompatibleGenerator


class _Server:
    def __init__(self, handler):
        self.httpd = HTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _Slow(BaseHTTPRequestHandler):
    def do_POST(self):
        threading.Event().wait(1.0)

    def log_message(self, *args):
        pass


class _Refuses(BaseHTTPRequestHandler):
    def do_POST(self):
        self.send_response(400)
        self.end_headers()
        self.wfile.write(b'{"error": "bad request"}')

    def log_message(self, *args):
        pass


def _failure(base_url: str) -> GeneratorError:
    generator = OpenAICompatibleGenerator(base_url, timeout_s=0.2)
    with pytest.raises(GeneratorError) as failure:
        generator.generate(["Describe the mug."], GenerationParams())
    return failure.value


def test_model_server_timing_out_is_retried():
    server = _Server(_Slow)
    try:
        assert GENERATE_COPY.retry.covers(_failure(server.url))
    finally:
        server.close()


def test_model_server_down_is_retried():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert GENERATE_COPY.retry.covers(_failure(f"http://127.0.0.1:{port}/v1"))


def test_model_server_refusing_the_request_is_not_retried():
    server = _Server(_Refuses)
    try:
        assert not GENERATE_COPY.retry.covers(_failure(server.url))
    finally:
        server.close()
