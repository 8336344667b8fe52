#!/usr/bin/python3
"""The work of `rewire bench model --preset NAME [--dtype D]` in plain PyTorch, for a side-by-side comparison on the same
CPU (docs/benchmarks.md, "Hugging Face models vs plain PyTorch").

Same model (a random Llama/Qwen2 of the preset's exact shape, N(0, 0.02) weights, unit norm gains), same work, same
JSON keys:
- prefill tokens/s: one no-grad pass over `batch` random prompts of `--prompt-tokens` tokens, head on the last
  position only; batch 1 and 16; median of 3 timed runs after one warm-up;
- cached decode tokens/s: greedy generation of `--new-tokens` tokens with a KV cache (the prefill makes the first
  token, each further token is one cached step); tokens/s = batch * (new - 1) / (generation time - prefill time);
- training tokens/s (float32 only): batch 1 x `--prompt-tokens` random tokens, forward over every position, next-token
  cross-entropy, backward, AdamW step (lr 1e-6), every weight trained; then the same with LoRA adapters (rank 16,
  alpha 32, on q/k/v/o/gate/up/down, base weights frozen);
- inference_peak_rss_mb: the peak resident memory (ru_maxrss) after building the model and the inference runs;
  peak_rss_mb: at the end.
Attention is written out (PyTorch 1.13 has no scaled_dot_product_attention). Run it as docs/benchmarks.md says:

  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/python/hf_model_bench.py \
      --preset smollm2-135m --threads 2

With --write-folder DIR it instead writes the random model as a Hugging Face folder in BF16 (config.json,
model.safetensors, a byte-level tokenizer.json), for measuring what loading a real checkpoint costs:
`rewire bench model --model DIR --dtype bfloat16`.
"""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print("torch cannot be imported (apt-get install -y python3-torch)", file=sys.stderr)
    sys.exit(3)

PRESETS = {
    "smollm2-135m": dict(qkv_bias=False, vocab=49152, hidden=576, inter=1536, layers=30, heads=9, kv_heads=3, head_dim=64,
                         eps=1e-5, theta=100000.0),
    "qwen2.5-0.5b": dict(qkv_bias=True, vocab=151936, hidden=896, inter=4864, layers=24, heads=14, kv_heads=2, head_dim=64,
                         eps=1e-6, theta=1000000.0),
}


class Lora(torch.nn.Module):
    def __init__(self, base, rank, alpha):
        super().__init__()
        self.base = base
        self.a = torch.nn.Parameter(torch.empty(rank, base.in_features).uniform_(-1 / math.sqrt(base.in_features), 1 / math.sqrt(base.in_features)))
        self.b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + F.linear(F.linear(x, self.a), self.b) * self.scale


class RmsNorm(torch.nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(x.dtype)


class Layer(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        h, d = c["hidden"], c["head_dim"]
        self.heads, self.kv_heads, self.d = c["heads"], c["kv_heads"], d
        self.q = torch.nn.Linear(h, c["heads"] * d, bias=c["qkv_bias"])
        self.k = torch.nn.Linear(h, c["kv_heads"] * d, bias=c["qkv_bias"])
        self.v = torch.nn.Linear(h, c["kv_heads"] * d, bias=c["qkv_bias"])
        self.o = torch.nn.Linear(c["heads"] * d, h, bias=False)
        self.gate = torch.nn.Linear(h, c["inter"], bias=False)
        self.up = torch.nn.Linear(h, c["inter"], bias=False)
        self.down = torch.nn.Linear(c["inter"], h, bias=False)
        self.n1 = RmsNorm(h, c["eps"])
        self.n2 = RmsNorm(h, c["eps"])

    def forward(self, x, cos, sin, mask, cache):
        b, t, _ = x.shape
        a = self.n1(x)
        q = self.q(a).view(b, t, self.heads, self.d).transpose(1, 2)
        k = self.k(a).view(b, t, self.kv_heads, self.d).transpose(1, 2)
        v = self.v(a).view(b, t, self.kv_heads, self.d).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        if cache is not None:
            if cache[0] is not None:
                k = torch.cat([cache[0], k], 2)
                v = torch.cat([cache[1], v], 2)
            cache[0], cache[1] = k, v
        g = self.heads // self.kv_heads
        k, v = k.repeat_interleave(g, 1), v.repeat_interleave(g, 1)
        s = q @ k.transpose(-1, -2) / math.sqrt(self.d)
        if mask is not None:
            s = s + mask
        y = torch.softmax(s.float(), -1).to(q.dtype) @ v
        x = x + self.o(y.transpose(1, 2).reshape(b, t, -1))
        m = self.n2(x)
        return x + self.down(F.silu(self.gate(m)) * self.up(m))


def rope(x, cos, sin):
    x1, x2 = x.chunk(2, -1)
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1)


class Model(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = torch.nn.Embedding(c["vocab"], c["hidden"])
        self.layers = torch.nn.ModuleList([Layer(c) for _ in range(c["layers"])])
        self.norm = RmsNorm(c["hidden"], c["eps"])
        inv = 1.0 / (c["theta"] ** (torch.arange(0, c["head_dim"], 2, dtype=torch.float32) / c["head_dim"]))
        self.register_buffer("inv", inv, persistent=False)

    def hidden(self, tokens, start, caches):
        b, t = tokens.shape
        angles = torch.outer(torch.arange(start, start + t, dtype=torch.float32), self.inv)
        cos, sin = angles.cos().to(self.embed.weight.dtype), angles.sin().to(self.embed.weight.dtype)
        mask = None
        if t > 1:
            mask = torch.full((t, start + t), float("-inf"), dtype=self.embed.weight.dtype).triu(start + 1)
        x = self.embed(tokens)
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, mask, None if caches is None else caches[i])
        return self.norm(x)

    def head(self, h):
        return F.linear(h, self.embed.weight).float()


def write_folder(model, c, preset, out):
    """The model as a Hugging Face folder: parameter names of the llama/qwen2 layout, BF16, tied head."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "hf-fixtures"))
    from make_safetensors_fixtures import write_safetensors
    from reference_model import tokenizer_json
    os.makedirs(out, exist_ok=True)
    names = {"q": "self_attn.q_proj", "k": "self_attn.k_proj", "v": "self_attn.v_proj", "o": "self_attn.o_proj",
             "gate": "mlp.gate_proj", "up": "mlp.up_proj", "down": "mlp.down_proj", "n1": "input_layernorm", "n2": "post_attention_layernorm"}
    tensors = [("model.embed_tokens.weight", model.embed.weight), ("model.norm.weight", model.norm.weight)]
    for i, layer in enumerate(model.layers):
        for short, hf in names.items():
            module = getattr(layer, short)
            tensors.append((f"model.layers.{i}.{hf}.weight", module.weight))
            if getattr(module, "bias", None) is not None:
                tensors.append((f"model.layers.{i}.{hf}.bias", module.bias))
    write_safetensors(os.path.join(out, "model.safetensors"), [(n, t.detach().to(torch.bfloat16).contiguous()) for n, t in tensors], {"format": "pt"})
    config = {"model_type": "qwen2" if c["qkv_bias"] else "llama", "vocab_size": c["vocab"], "hidden_size": c["hidden"],
              "intermediate_size": c["inter"], "num_hidden_layers": c["layers"], "num_attention_heads": c["heads"],
              "num_key_value_heads": c["kv_heads"], "head_dim": c["head_dim"], "max_position_embeddings": 4096,
              "rms_norm_eps": c["eps"], "rope_theta": c["theta"], "tie_word_embeddings": True, "torch_dtype": "bfloat16",
              "hidden_act": "silu", "bos_token_id": 256, "eos_token_id": 257, "_name_or_path": "random " + preset}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tokenizer_json(["<s>", "</s>"], "<s>"), f)


def median_seconds(repeats, fn):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--preset", choices=sorted(PRESETS), required=True)
    p.add_argument("--dtype", choices=["float32", "bfloat16"], default="float32")
    p.add_argument("--prompt-tokens", type=int, default=128)
    p.add_argument("--new-tokens", type=int, default=32)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--write-folder", metavar="DIR", help="write the random model as a BF16 Hugging Face folder and stop")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    c = PRESETS[a.preset]
    dtype = torch.bfloat16 if a.dtype == "bfloat16" else torch.float32
    with torch.no_grad():
        model = Model(c).to(dtype)
        for name, w in model.named_parameters():
            if "n1" in name or "n2" in name or name.startswith("norm"):
                w.fill_(1.0)
            elif name.endswith("bias"):
                w.zero_()
            else:
                w.normal_(0, 0.02)
    model.eval()
    if a.write_folder:
        write_folder(model, c, a.preset, a.write_folder)
        return
    gen = torch.Generator().manual_seed(a.seed)
    batches = []
    for b in (1, 16):
        prompts = torch.randint(0, c["vocab"], (b, a.prompt_tokens), generator=gen)

        def prefill():
            with torch.no_grad():
                model.head(model.hidden(prompts, 0, None)[:, -1:])

        def generate():
            with torch.no_grad():
                caches = [[None, None] for _ in model.layers]
                nxt = model.head(model.hidden(prompts, 0, caches)[:, -1:]).argmax(-1)
                for i in range(1, a.new_tokens):
                    nxt = model.head(model.hidden(nxt, a.prompt_tokens + i - 1, caches)[:, -1:]).argmax(-1)

        tp = median_seconds(a.repeats, prefill)
        tg = median_seconds(a.repeats, generate)
        batches.append({"batch": b, "prefill_tokens_per_s": b * a.prompt_tokens / tp,
                        "decode_tokens_per_s": b * (a.new_tokens - 1) / max(1e-9, tg - tp)})
    inference_peak = rss_mb()
    full = lora = None
    if dtype == torch.float32:
        tokens = torch.randint(0, c["vocab"], (1, a.prompt_tokens + 1), generator=gen)

        def train_rate(params):
            opt = torch.optim.AdamW(params, lr=1e-6)

            def step():
                opt.zero_grad()
                logits = model.head(model.hidden(tokens[:, :-1], 0, None))[0]
                F.cross_entropy(logits, tokens[0, 1:]).backward()
                opt.step()

            model.train()
            return a.prompt_tokens / median_seconds(a.repeats, step)

        full = train_rate(list(model.parameters()))
        for p_ in model.parameters():
            p_.requires_grad_(False)
        for layer in model.layers:
            for n in ("q", "k", "v", "o", "gate", "up", "down"):
                setattr(layer, n, Lora(getattr(layer, n), 16, 32))
        lora = train_rate([q for n, q in model.named_parameters() if n.endswith(".a") or n.endswith(".b")])
    json.dump({"model": a.preset, "parameters": sum(q.numel() for n, q in model.named_parameters() if not (n.endswith(".a") or n.endswith(".b"))),
               "threads": torch.get_num_threads(), "compute_dtype": "BFloat16" if dtype == torch.bfloat16 else "Float32",
               "prompt_tokens": a.prompt_tokens, "new_tokens": a.new_tokens, "batches": batches,
               "train_tokens_per_s": full, "lora_train_tokens_per_s": lora,
               "inference_peak_rss_mb": inference_peak, "peak_rss_mb": rss_mb(),
               "torch": torch.__version__}, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
