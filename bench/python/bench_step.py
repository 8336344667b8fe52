#!/usr/bin/python3
"""Plain-PyTorch side of `rewire bench step`: the same two workloads, the same figures, the same JSON keys.

Written from the workload description (issue 20), not from Rewire's code: a GPT-2-style model for peer-tiny and a
Llama model for smollm2-135m, batched generation with and without a KV cache, and one GRPO step.

  peer-tiny     vocabulary 32 (pad 0, BOS 1, EOS 2, '+' 3, '=' 4, digits 5-14), width 128, 4 layers, 4 heads, context
                64, learned positions, pre-LayerNorm, GELU MLP of 4x width, biases, untied head: 809,728 parameters,
                every weight N(0, 0.02), biases zero. Training on 64 x 64 random tokens; generation of 64 x 48 new tokens
                from 16-token prompts; GRPO: 64 prompts "BOS a a + b b =" x group 8, up to 8 new tokens, reward 1 when
                the text before EOS equals a+b.
  smollm2-135m  a random model of SmolLM2-135M's shape (Llama: width 576, 30 layers, 9 heads, 3 key-value heads, head
                64, MLP 1536, vocabulary 49152, tied, RoPE theta 1e5, RMSNorm eps 1e-5). Training on 4 x 128 random
                tokens; generation of 8 x 32 new tokens from 32-token prompts; GRPO: 4 random 32-token prompts x group 4,
                up to 32 new tokens, reward 0.

Figures (each the median of --repeats timed runs after one warm-up; the upper median for an even count):
  matmul_gflops          2048 x 2048 float32 matmul, median of 10
  uncached/cached_tokens_per_s  sampling at temperature 1 without / with the KV cache (no stop token)
  grpo_step_seconds      generate_s (cached sampling, recording log pi_old) + score_s (decode, reward) + update_s
                         (group advantages (r - mean) / (std + 1e-6) with the unbiased std, log-probs recomputed over
                         prompt + response with the head on response positions only, PPO-clip loss (eps 0.2) averaged
                         over every valid response token (EOS included), backward, AdamW lr 1e-4, one mini-batch);
                         the phases are those of the repetition whose step is the median
  train_tokens_per_s     zero_grad, forward, next-token cross-entropy, backward, AdamW step
The optimiser is torch.optim.AdamW(lr=1e-4) with its defaults (betas 0.9/0.999, eps 1e-8, weight decay 0.01), one
for the GRPO steps and then the training figure.

Run with OpenBLAS's OpenMP build (Debian's reference BLAS is ~30x slower):
  apt-get install -y python3-torch libopenblas0-openmp
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 bench/python/bench_step.py --workload peer-tiny --json
"""
import argparse
import json
import math
import random
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD, BOS, EOS, PLUS, EQUALS, ZERO = 0, 1, 2, 3, 4, 5


# ---------------------------------------------------------------- attention with a preallocated KV cache

class Cache:
    """Keys and values of every layer, [B, kv_heads, capacity, head_dim], written in place; length = positions stored."""

    def __init__(self, layers, batch, kv_heads, capacity, head_dim):
        self.k = [torch.zeros(batch, kv_heads, capacity, head_dim) for _ in range(layers)]
        self.v = [torch.zeros(batch, kv_heads, capacity, head_dim) for _ in range(layers)]
        self.length = 0

    def append(self, layer, k, v):
        t = k.shape[2]
        self.k[layer][:, :, self.length:self.length + t] = k
        self.v[layer][:, :, self.length:self.length + t] = v
        return self.k[layer][:, :, :self.length + t], self.v[layer][:, :, :self.length + t]


def attend(q, k, v):
    """softmax(q kT / sqrt(d) + causal mask) v for queries that are the last T of the S keys."""
    t, s = q.shape[2], k.shape[2]
    scores = q @ k.transpose(-1, -2) * (1.0 / math.sqrt(q.shape[-1]))
    if t > 1:
        scores = scores.masked_fill(torch.ones(t, s, dtype=torch.bool).triu(s - t + 1), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


# ---------------------------------------------------------------- peer-tiny: GPT-2 style

class GptBlock(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads, self.head_dim = heads, width // heads
        self.ln1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.ln2 = nn.LayerNorm(width)
        self.fc = nn.Linear(width, 4 * width)
        self.out = nn.Linear(4 * width, width)

    def forward(self, x, layer, cache):
        b, t, w = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        if cache is not None:
            k, v = cache.append(layer, k, v)
        y = attend(q, k, v)
        x = x + self.proj(y.transpose(1, 2).reshape(b, t, w))
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class Gpt(nn.Module):
    def __init__(self, vocab=32, width=128, layers=4, heads=4, context=64):
        super().__init__()
        self.vocab, self.width, self.layers_n, self.heads, self.context = vocab, width, layers, heads, context
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(context, width)
        self.blocks = nn.ModuleList([GptBlock(width, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(width)
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def init_weights(self, gen):
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.endswith(".bias"):
                    p.zero_()
                elif ".ln" in name or name.startswith("ln_"):
                    p.fill_(1.0)
                else:
                    p.copy_(torch.randn(p.shape, generator=gen) * 0.02)

    def new_cache(self, batch, capacity):
        return Cache(self.layers_n, batch, self.heads, capacity, self.width // self.heads)

    def hidden(self, tokens, start, cache):
        t = tokens.shape[1]
        x = self.wte(tokens) + self.wpe.weight[start:start + t]
        for i, block in enumerate(self.blocks):
            x = block(x, i, cache)
        if cache is not None:
            cache.length += t
        return self.ln_f(x)

    def head(self, h):
        return self.lm_head(h)


# ---------------------------------------------------------------- smollm2-135m: Llama

class RmsNorm(nn.Module):
    def __init__(self, width, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


class LlamaLayer(nn.Module):
    def __init__(self, width, heads, kv_heads, head_dim, mlp, eps):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, head_dim
        self.input_layernorm = RmsNorm(width, eps)
        self.q_proj = nn.Linear(width, heads * head_dim, bias=False)
        self.k_proj = nn.Linear(width, kv_heads * head_dim, bias=False)
        self.v_proj = nn.Linear(width, kv_heads * head_dim, bias=False)
        self.o_proj = nn.Linear(heads * head_dim, width, bias=False)
        self.post_attention_layernorm = RmsNorm(width, eps)
        self.gate_proj = nn.Linear(width, mlp, bias=False)
        self.up_proj = nn.Linear(width, mlp, bias=False)
        self.down_proj = nn.Linear(mlp, width, bias=False)

    def forward(self, x, cos, sin, layer, cache):
        b, t, _ = x.shape
        a = self.input_layernorm(x)
        q = self.q_proj(a).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(a).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(a).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            k, v = cache.append(layer, k, v)
        rep = self.heads // self.kv_heads
        y = attend(q, k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1))
        x = x + self.o_proj(y.transpose(1, 2).reshape(b, t, self.heads * self.head_dim))
        m = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(m)) * self.up_proj(m))


class Llama(nn.Module):
    def __init__(self, vocab=49152, width=576, layers=30, heads=9, kv_heads=3, head_dim=64, mlp=1536, theta=1e5,
                 eps=1e-5, context=8192):
        super().__init__()
        self.vocab, self.layers_n, self.kv_heads, self.head_dim = vocab, layers, kv_heads, head_dim
        self.embed_tokens = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList([LlamaLayer(width, heads, kv_heads, head_dim, mlp, eps) for _ in range(layers)])
        self.norm = RmsNorm(width, eps)
        inv = 1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
        freqs = torch.outer(torch.arange(context, dtype=torch.float64), inv)
        emb = torch.cat([freqs, freqs], dim=-1)
        self.cos, self.sin = emb.cos().float(), emb.sin().float()

    def init_weights(self, gen):
        with torch.no_grad():
            for name, p in self.named_parameters():
                if "norm" in name:
                    p.fill_(1.0)
                else:
                    p.copy_(torch.randn(p.shape, generator=gen) * 0.02)

    def new_cache(self, batch, capacity):
        return Cache(self.layers_n, batch, self.kv_heads, capacity, self.head_dim)

    def hidden(self, tokens, start, cache):
        t = tokens.shape[1]
        cos, sin = self.cos[start:start + t], self.sin[start:start + t]
        x = self.embed_tokens(tokens)
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, i, cache)
        if cache is not None:
            cache.length += t
        return self.norm(x)

    def head(self, h):
        return F.linear(h, self.embed_tokens.weight)


# ---------------------------------------------------------------- workloads

WORKLOADS = {
    "peer-tiny": dict(make=lambda: Gpt(), vocab=32, train=(64, 64), gen=(64, 16, 48), grpo=(64, 8, 8, 0), addition=True),
    "smollm2-135m": dict(make=lambda: Llama(), vocab=49152, train=(4, 128), gen=(8, 32, 32), grpo=(4, 4, 32, 32),
                         addition=False),
}


def median(repeats, fn):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


@torch.no_grad()
def generate(model, prompts, max_new, use_cache, gen, stop=None):
    """Samples at temperature 1 from prompts [B, P] (all of one length); returns tokens [B, n] (PAD after a row's stop
    token) and the log-probs of the chosen tokens under the model [B, n]."""
    b, p = prompts.shape
    seq = torch.empty(b, p + max_new, dtype=torch.long)
    seq[:, :p] = prompts
    cache = model.new_cache(b, p + max_new) if use_cache else None
    done = torch.zeros(b, dtype=torch.bool)
    tokens, logps = [], []
    for s in range(max_new):
        end = p + s
        if cache is None:
            h = model.hidden(seq[:, :end], 0, None)
        else:
            start = 0 if s == 0 else end - 1
            h = model.hidden(seq[:, start:end], start, cache)
        logp = torch.log_softmax(model.head(h[:, -1]), dim=-1)
        nxt = torch.multinomial(logp.exp(), 1, generator=gen).squeeze(1)
        lp = logp.gather(1, nxt[:, None]).squeeze(1)
        if stop is not None:
            nxt = torch.where(done, torch.full_like(nxt, PAD), nxt)
        tokens.append(nxt)
        logps.append(lp)
        seq[:, end] = nxt
        if stop is not None:
            done |= nxt == stop
            if bool(done.all()):
                break
    return torch.stack(tokens, 1), torch.stack(logps, 1)


def decode(row):
    out = []
    for t in row:
        if t == EOS:
            break
        if t in (PAD, BOS):
            continue
        out.append("+" if t == PLUS else "=" if t == EQUALS else chr(ord("0") + t - ZERO) if ZERO <= t < ZERO + 10 else "?")
    return "".join(out)


class GrpoStep:
    def __init__(self, model, opt, w, seed):
        self.model, self.opt = model, opt
        n, self.group, self.max_new, random_len = w["grpo"]
        rng = random.Random(seed ^ 0x5eed)
        if w["addition"]:
            pairs = [(rng.randint(10, 99), rng.randint(10, 99)) for _ in range(n)]
            self.answers = [str(a + b) for a, b in pairs]
            rows = [[BOS] + [ZERO + int(c) for c in f"{a}"] + [PLUS] + [ZERO + int(c) for c in f"{b}"] + [EQUALS]
                    for a, b in pairs]
        else:
            self.answers = None
            rows = [[BOS] + [rng.randrange(ZERO + 10, w["vocab"]) for _ in range(random_len - 1)] for _ in range(n)]
        self.prompts = torch.tensor(rows, dtype=torch.long).repeat_interleave(self.group, dim=0)
        self.lr = 1e-4

    def run(self, gen):
        t0 = time.perf_counter()
        tokens, old = generate(self.model, self.prompts, self.max_new, True, gen, stop=EOS)
        t1 = time.perf_counter()
        rows = tokens.tolist()
        if self.answers is None:
            rewards = [0.0] * len(rows)
        else:
            rewards = [1.0 if decode(r) == self.answers[i // self.group] else 0.0 for i, r in enumerate(rows)]
        t2 = time.perf_counter()
        r = torch.tensor(rewards).view(-1, self.group)
        adv = ((r - r.mean(1, keepdim=True)) / (r.std(1, keepdim=True) + 1e-6)).view(-1, 1)
        is_eos = (tokens == EOS).long()
        mask = ((is_eos.cumsum(1) - is_eos) == 0).float()
        p = self.prompts.shape[1]
        full = torch.cat([self.prompts, tokens], 1)
        self.opt.zero_grad()
        h = self.model.hidden(full[:, :-1], 0, None)[:, p - 1:]
        logp = torch.log_softmax(self.model.head(h), dim=-1).gather(-1, tokens[..., None]).squeeze(-1)
        ratio = torch.exp(logp - old)
        loss = torch.max(-adv * ratio, -adv * ratio.clamp(0.8, 1.2))
        loss = (loss * mask).sum() / mask.sum().clamp_min(1.0)
        loss.backward()
        self.opt.step()
        t3 = time.perf_counter()
        return dict(generate_s=t1 - t0, score_s=t2 - t1, update_s=t3 - t2, rollouts=len(rows),
                    new_tokens=int(mask.sum().item()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workload", required=True, choices=sorted(WORKLOADS))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true", help="accepted for symmetry with rewire; the output is always JSON")
    a = ap.parse_args()
    if a.repeats < 1:
        ap.error("--repeats must be at least 1")
    torch.set_num_threads(a.threads)
    w = WORKLOADS[a.workload]

    g = torch.Generator().manual_seed(a.seed + 1)
    ma, mb = torch.randn(2048, 2048, generator=g), torch.randn(2048, 2048, generator=g)
    matmul = 2.0 * 2048 ** 3 / median(10, lambda: ma @ mb) / 1e9
    del ma, mb

    model = w["make"]()
    model.init_weights(torch.Generator().manual_seed(a.seed))
    parameters = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)

    b, p, n = w["gen"]
    rng = random.Random(a.seed ^ 0x9e37)
    prompts = torch.tensor([[BOS] + [rng.randrange(PLUS, w["vocab"]) for _ in range(p - 1)] for _ in range(b)])
    gg = torch.Generator().manual_seed(a.seed + 3)
    uncached = b * n / median(a.repeats, lambda: generate(model, prompts, n, False, gg))
    cached = b * n / median(a.repeats, lambda: generate(model, prompts, n, True, gg))

    step = GrpoStep(model, opt, w, a.seed)
    gs = torch.Generator().manual_seed(a.seed + 7)
    steps = [step.run(gs) for _ in range(a.repeats + 1)][1:]
    for s in steps:
        s["total"] = s["generate_s"] + s["score_s"] + s["update_s"]
    mid = sorted(steps, key=lambda s: s["total"])[len(steps) // 2]

    tb, tt = w["train"]
    tokens = torch.randint(0, w["vocab"], (tb, tt + 1), generator=torch.Generator().manual_seed(a.seed + 5))
    inputs, targets = tokens[:, :-1], tokens[:, 1:].reshape(-1)

    def train_step():
        opt.zero_grad()
        logits = model.head(model.hidden(inputs, 0, None))
        F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets).backward()
        opt.step()
    train = tb * tt / median(a.repeats, train_step)

    json.dump(dict(workload=a.workload, parameters=parameters, threads=torch.get_num_threads(), repeats=a.repeats,
                   train_tokens_per_s=train, uncached_tokens_per_s=uncached, cached_tokens_per_s=cached,
                   grpo_step_seconds=mid["total"], generate_s=mid["generate_s"], score_s=mid["score_s"],
                   update_s=mid["update_s"], grpo_rollouts=mid["rollouts"], grpo_new_tokens=mid["new_tokens"],
                   matmul_gflops=matmul), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
