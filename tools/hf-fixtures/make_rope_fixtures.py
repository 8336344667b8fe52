#!/usr/bin/python3
"""Reference rotary inverse frequencies for Rewire.HuggingFace's tests, computed with torch in float32 following the
formulas of Hugging Face transformers' modeling_rope_utils (_compute_default_rope_parameters,
_compute_linear_scaling_rope_parameters, _compute_llama3_parameters), reimplemented here.

  make_rope_fixtures.py OUT_FILE      writes tests/Rewire.HuggingFace.Tests/Fixtures/config/rope_inv_freq.json
"""
import json
import math
import sys

import torch


def default_inv_freq(base, dim):
    return 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).to(dtype=torch.float) / dim))


def linear_inv_freq(base, dim, factor):
    return default_inv_freq(base, dim) / factor


def llama3_inv_freq(base, dim, factor, low_freq_factor, high_freq_factor, old_context_len):
    inv_freq = default_inv_freq(base, dim)
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)


CASES = [
    {"name": "llama-3.2-1b", "head_dim": 64, "rope": {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 32.0,
     "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}},
    {"name": "llama-3.1-8b", "head_dim": 128, "rope": {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
     "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}},
    {"name": "qwen3-0.6b", "head_dim": 128, "rope": {"rope_type": "default", "rope_theta": 1000000.0}},
    {"name": "qwen2.5-0.5b", "head_dim": 64, "rope": {"rope_type": "default", "rope_theta": 1000000.0}},
    {"name": "smollm2-135m", "head_dim": 64, "rope": {"rope_type": "default", "rope_theta": 100000.0}},
    {"name": "linear-4", "head_dim": 32, "rope": {"rope_type": "linear", "rope_theta": 10000.0, "factor": 4.0}},
]


def compute(case):
    r = case["rope"]
    d = case["head_dim"]
    if r["rope_type"] == "llama3":
        return llama3_inv_freq(r["rope_theta"], d, r["factor"], r["low_freq_factor"], r["high_freq_factor"],
                               r["original_max_position_embeddings"])
    if r["rope_type"] == "linear":
        return linear_inv_freq(r["rope_theta"], d, r["factor"])
    return default_inv_freq(r["rope_theta"], d)


def main(out):
    result = []
    for case in CASES:
        inv = compute(case)
        assert inv.dtype == torch.float32
        result.append(dict(case, inv_freq=[float(x) for x in inv.tolist()]))
    with open(out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    main(sys.argv[1])
