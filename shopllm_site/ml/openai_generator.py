"""An OpenAI-compatible chat-completions server (vLLM, TGI, Ollama, llama.cpp server, ...).

POST {base_url}/chat/completions once per prompt, a few in parallel threads (these servers batch
concurrent requests themselves). Standard library only.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from shopllm_site.ml.generator import GenerationParams, GeneratorError


class OpenAICompatibleGenerator:
    def __init__(
        self,
        base_url: str,
        *,
        api_key: str = "",
        model: str = "",
        timeout_s: float = 120.0,
        concurrency: int = 8,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.timeout_s = timeout_s
        self.concurrency = max(1, concurrency)
        self.name = f"openai:{model or 'server-default'}"

    def generate(
        self, prompts: list[str], params: GenerationParams, *, system: str | None = None
    ) -> list[str]:
        if not prompts:
            return []
        params.check_prompt_count(len(prompts))
        if len(prompts) == 1:
            return [self._complete(prompts[0], 0, params, system)]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(prompts))) as pool:
            return list(
                pool.map(
                    lambda index: self._complete(prompts[index], index, params, system),
                    range(len(prompts)),
                )
            )

    def _complete(
        self, prompt: str, index: int, params: GenerationParams, system: str | None
    ) -> str:
        messages = []
        if system:
            messages.append({"role": "system", "content": system})
        for user, assistant in params.examples_for(index):
            messages.append({"role": "user", "content": user})
            messages.append({"role": "assistant", "content": assistant})
        messages.append({"role": "user", "content": prompt})
        body: dict = {
            "messages": messages,
            "max_tokens": params.max_new_tokens,
            "temperature": params.temperature_for(index),
            "top_p": params.top_p,
        }
        if self.model:
            body["model"] = self.model
        if params.seed is not None:
            body["seed"] = params.seed
        if params.repetition_penalty != 1.0:
            # The closest OpenAI-style knob; servers without it ignore the field.
            body["frequency_penalty"] = round(params.repetition_penalty - 1.0, 2)
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
            f"{self.base_url}/chat/completions",
            data=json.dumps(body).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                payload = json.loads(response.read().decode())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            raise GeneratorError(f"Model server answered {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as exc:
            raise GeneratorError(f"Model server at {self.base_url} failed: {exc}") from exc
        try:
            return (payload["choices"][0]["message"]["content"] or "").strip()
        except (KeyError, IndexError, TypeError) as exc:
            message = f"Unexpected answer from the model server: {payload!r}"[:300]
            raise GeneratorError(message) from exc
