"""Models for every app: the generator and the encoder, chosen by settings, loaded once per process.

    from shopllm_site.ml import GenerationParams, get_encoder, get_generator

    texts = get_generator().generate(["Describe a blue bottle."], GenerationParams())
    vectors = get_encoder().embed(["blue bottle"])  # float32 rows of unit length

torch and transformers are imported inside the functions that load or run a model, so importing
this package costs nothing (the web process starts fast). This package imports no Django app:
the apps import it, never the other way round.
"""

from shopllm_site.ml.encoder import Encoder, build_encoder, get_encoder, set_encoder
from shopllm_site.ml.generator import (
    GenerationParams,
    Generator,
    GeneratorError,
    build_generator,
    get_generator,
    set_generator,
)

__all__ = [
    "Encoder",
    "GenerationParams",
    "Generator",
    "GeneratorError",
    "build_encoder",
    "build_generator",
    "get_encoder",
    "get_generator",
    "set_encoder",
    "set_generator",
]
