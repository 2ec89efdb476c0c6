import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from shopllm_site.ml import GenerationParams, GeneratorError, get_generator, set_generator
from shopllm_site.ml import generator as generator_module
from shopllm_site.ml.openai_generator import OpenAICompatibleGenerator


class FakeChatServer:
    """A tiny OpenAI-compatible server on 127.0.0.1 that echoes what it was sent."""

    def __init__(self, status: int = 200):
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(
                    {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
                )
                if status != 200:
                    self.send_response(status)
                    self.end_headers()
                    self.wfile.write(b"overloaded")
                    return
                answer = "echo: " + body["messages"][-1]["content"]
                payload = {"choices": [{"message": {"role": "assistant", "content": answer}}]}
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_openai_backend_posts_chat_completions_in_order():
    with FakeChatServer() as server:
        generator = OpenAICompatibleGenerator(server.url, api_key="sk-test", model="big-model")
        params = GenerationParams(max_new_tokens=50, temperature=0.7, top_p=0.9, seed=3)
        texts = generator.generate(["one", "two", "three"], params, system="Be brief.")
    assert texts == ["echo: one", "echo: two", "echo: three"]
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "big-model" and body["max_tokens"] == 50 and body["seed"] == 3
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}


def test_openai_backend_sends_examples_as_earlier_turns():
    with FakeChatServer() as server:
        generator = OpenAICompatibleGenerator(server.url)
        params = GenerationParams(examples=(("facts A", "copy A"),), repetition_penalty=1.2)
        assert generator.generate(["facts B"], params) == ["echo: facts B"]
    body = server.requests[0]["body"]
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][1]["content"] == "copy A"
    assert body["frequency_penalty"] == 0.2


def test_openai_backend_reports_server_errors_clearly():
    with FakeChatServer(status=503) as server:
        generator = OpenAICompatibleGenerator(server.url)
        with pytest.raises(GeneratorError, match="503"):
            generator.generate(["x"], GenerationParams())


def test_get_generator_follows_the_backend_setting(settings):
    with FakeChatServer() as server:
        settings.SHOPLLM_GENERATOR_BACKEND = "openai"
        settings.SHOPLLM_OPENAI_BASE_URL = server.url
        set_generator(None)
        generator = get_generator()
        assert isinstance(generator, OpenAICompatibleGenerator)
        assert get_generator() is generator  # one per process
        assert generator.generate(["hi"], GenerationParams()) == ["echo: hi"]
    set_generator(None)


def test_generation_params_reject_bad_values():
    with pytest.raises(ValueError):
        GenerationParams(max_new_tokens=0)
    with pytest.raises(ValueError):
        GenerationParams(top_p=0)


@pytest.mark.model
def test_local_model_generates_batched_with_left_padding(real_generator):
    prompts = [
        "Name one colour.",
        "Write one sentence about a stainless steel water bottle for hikers.",
    ]
    params = GenerationParams(max_new_tokens=12)
    batched = real_generator.generate(prompts, params)
    single = [real_generator.generate([prompt], params)[0] for prompt in prompts]
    assert len(batched) == 2 and all(text.strip() for text in batched)
    assert real_generator.last_token_count > 0
    # Left padding keeps greedy output of the long prompt the same alone and in a batch.
    assert batched[1].split()[:4] == single[1].split()[:4]
    assert real_generator.tokenizer.padding_side == "left"


@pytest.mark.model
def test_repeated_prompts_share_one_prefill_and_keep_their_output(float32_generator, monkeypatch):
    """The candidates of one product repeat its prompt: read once, copied to each row. Greedy
    rows must come out exactly as when every row reads its own prompt (in float32: bfloat16
    kernels may round differently for another batch shape)."""
    real_generator = float32_generator
    prompts = [
        "Write one sentence about a steel water bottle.",
        "Name one colour.",
        "Write one sentence about a steel water bottle.",
        "Write one sentence about a steel water bottle.",
        "Name one colour.",
    ]
    params = GenerationParams(max_new_tokens=10)
    prefills = []
    shared = real_generator._shared_prefill
    monkeypatch.setattr(
        real_generator,
        "_shared_prefill",
        lambda encoded, source: prefills.append(len(source)) or shared(encoded, source),
    )
    together = real_generator.generate(prompts, params)
    alone = {prompt: real_generator.generate([prompt], params)[0] for prompt in set(prompts)}
    assert prefills == [5]
    assert together == [alone[prompt] for prompt in prompts]


def test_batches_keep_a_prompts_rows_together_and_pack_by_rows():
    from shopllm_site.ml.local_generator import LocalGenerator

    generator = LocalGenerator.__new__(LocalGenerator)
    generator.batch_size = 4
    chats = ["bb", "a", "bb", "ccc", "a", "bb", "ccc", "a"]
    batches = generator._batches(chats)
    # Shortest first; a group of three rows is never split; a batch closes at >= 4 rows.
    assert batches == [[[1, 4, 7], [0, 2, 5]], [[3, 6]]]
    assert sorted(row for batch in batches for group in batch for row in group) == list(range(8))


@pytest.mark.model
def test_default_model_is_cached_as_safetensors(real_generator, settings):
    from pathlib import Path

    cache = Path(settings.SHOPLLM_MODEL_CACHE_DIR) / "smollm2-135m-instruct"
    assert (cache / "config.json").exists()
    assert list(cache.glob("*.safetensors"))


def test_get_generator_builds_once_across_threads(monkeypatch):
    import threading
    import time

    built = []

    def slow_build():
        time.sleep(0.05)
        built.append(1)
        return object()

    set_generator(None)
    monkeypatch.setattr(generator_module, "build_generator", slow_build)
    results = []
    threads = [threading.Thread(target=lambda: results.append(get_generator())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1 and len({id(result) for result in results}) == 1
    set_generator(None)
