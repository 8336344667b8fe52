#!/usr/bin/python3
"""An independent plain-PyTorch reference for Rewire's Hugging Face causal LMs (llama, qwen2, qwen3), written from the
equations of the architectures (not from transformers, which is not installed), and the tiny random checkpoints its
tests compare against.

Architecture (all three): h = E[x]; per layer
    a = RMSNorm_in(h);  q, k, v = a·Wqᵀ (+bq), a·Wkᵀ (+bk), a·Wvᵀ (+bv)   split into heads of head_dim
    qwen3: q, k = RMSNorm_q(q), RMSNorm_k(k) per head (before rotation)
    q, k = RoPE(q), RoPE(k)  with cos/sin of position·inv_freq, rotate-half convention
    k, v repeated num_heads/num_kv_heads times (grouped-query attention)
    h = h + (softmax(q·kᵀ/√head_dim + causal mask)·v)·Woᵀ
    m = RMSNorm_post(h);  h = h + (silu(m·Wgᵀ) ⊙ (m·Wuᵀ))·Wdᵀ
logits = RMSNorm_final(h)·Wᵀ  (W = E when tied). RMSNorm(x) = g ⊙ x / sqrt(mean(x²) + eps), statistics in float32.
Everything is computed in float32 from the weights as stored (BF16 weights are widened exactly).

  reference_model.py make OUT_DIR     writes OUT_DIR/{llama,qwen2,qwen3}/ (checkpoint + reference.json)
  reference_model.py --check-folder DIR --tokens 1,2,3 [--adapter ADAPTER_DIR]
      reads a Hugging Face folder (config.json, model.safetensors or shards + model.safetensors.index.json) with its own
      safetensors reader and prints {"logits": [[...], ...]} (float32, every vocab row) for the tokens as JSON; with
      --adapter, a PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors) is applied as W + (alpha/r)*B@A
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import torch  # noqa: E402
except ImportError:
    print("torch cannot be imported (apt-get install -y python3-torch)")
    sys.exit(3)
from make_rope_fixtures import default_inv_freq, linear_inv_freq, llama3_inv_freq  # noqa: E402
from make_safetensors_fixtures import write_safetensors  # noqa: E402

DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}
SIZES = {torch.float32: 4, torch.bfloat16: 2, torch.float16: 2}


# ---------------------------------------------------------------- tokenizer (byte-level, no merges)

def bytes_to_unicode():
    """GPT-2's byte-to-character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def tokenizer_json(added, bos):
    """A byte-level BPE tokenizer.json with the 256 byte tokens (id = byte value) and no merges, so encoding a text is
    its UTF-8 bytes; added special tokens follow. bos: the BOS token's text the post-processor prepends, or None."""
    table = bytes_to_unicode()
    vocab = {table[b]: b for b in range(256)}
    added_tokens = [{"id": 256 + i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                     "normalized": False, "special": True} for i, t in enumerate(added)]
    if bos is None:
        post = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
    else:
        bos_id = 256 + added.index(bos)
        post = {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": bos, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {bos: {"id": bos, "ids": [bos_id], "tokens": [bos]}}}
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added_tokens, "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
             "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
        "post_processor": post,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": []},
    }


def encode(text, bos_id):
    """What the tokenizer above produces for ASCII text: the bytes, after BOS when the post-processor adds one."""
    return ([bos_id] if bos_id is not None else []) + list(text.encode("utf-8"))


# ---------------------------------------------------------------- model

def inv_freq_of(cfg):
    d = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
    theta = cfg.get("rope_theta", 10000.0)
    s = cfg.get("rope_scaling")
    kind = None if s is None else s.get("rope_type", s.get("type"))
    if kind is None or kind == "default":
        return default_inv_freq(theta, d)
    if kind == "linear":
        return linear_inv_freq(theta, d, s["factor"])
    if kind == "llama3":
        return llama3_inv_freq(theta, d, s["factor"], s["low_freq_factor"], s["high_freq_factor"],
                               s["original_max_position_embeddings"])
    raise ValueError(f"rope type {kind}")


def rms_norm(x, g, eps):
    x = x.float()
    return g.float() * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def forward(cfg, w, tokens):
    """Logits [T, V] of one token list, in float32."""
    w = {k: v.float() for k, v in w.items()}
    mt = cfg["model_type"]
    heads, kv = cfg["num_attention_heads"], cfg.get("num_key_value_heads", cfg["num_attention_heads"])
    d = cfg.get("head_dim") or cfg["hidden_size"] // heads
    eps = cfg["rms_norm_eps"]
    t = len(tokens)
    x = w["model.embed_tokens.weight"][torch.tensor(tokens)]
    pos = torch.arange(t, dtype=torch.float32)
    freqs = torch.outer(pos, inv_freq_of(cfg).float())
    emb = torch.cat([freqs, freqs], dim=-1)
    cos, sin = emb.cos(), emb.sin()
    causal = torch.full((t, t), float("-inf")).triu(1)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        a = rms_norm(x, w[p + "input_layernorm.weight"], eps)

        def proj(name):
            y = a @ w[p + f"self_attn.{name}.weight"].T
            if p + f"self_attn.{name}.bias" in w:
                y = y + w[p + f"self_attn.{name}.bias"]
            return y
        q = proj("q_proj").view(t, heads, d)
        k = proj("k_proj").view(t, kv, d)
        v = proj("v_proj").view(t, kv, d)
        if mt == "qwen3":
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        q = q.transpose(0, 1)
        k = k.transpose(0, 1)
        v = v.transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(heads // kv, dim=0)
        v = v.repeat_interleave(heads // kv, dim=0)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + causal, dim=-1) @ v
        o = att.transpose(0, 1).reshape(t, heads * d) @ w[p + "self_attn.o_proj.weight"].T
        x = x + o
        m = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        g = m @ w[p + "mlp.gate_proj.weight"].T
        u = m @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(g) * u) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
    return x @ head.T


def greedy(cfg, w, prompt, max_new, eos, tokenizer_size):
    """Greedy continuation over the tokenizer's ids (padding rows of the head are never chosen); stops after an EOS id.
    Returns the tokens, the top-two gap of each step and the finish reason."""
    seq = list(prompt)
    out, gaps = [], []
    for _ in range(max_new):
        logits = forward(cfg, w, seq)[-1][:tokenizer_size]
        top = torch.topk(logits, 2)
        gaps.append(float(top.values[0] - top.values[1]))
        tok = int(top.indices[0])
        out.append(tok)
        seq.append(tok)
        if tok in eos:
            return out, gaps, "stop"
    return out, gaps, "length"


def completion_logprobs(cfg, w, prompt, completion, tokenizer_size):
    """log p(completion token | everything before) normalised over the tokenizer's ids."""
    logits = forward(cfg, w, prompt + completion)[:, :tokenizer_size]
    lp = torch.log_softmax(logits, dim=-1)
    return [float(lp[len(prompt) - 1 + i, tok]) for i, tok in enumerate(completion)]


# ---------------------------------------------------------------- checkpoints

def random_weights(cfg, gen, dtype):
    h, inter = cfg["hidden_size"], cfg["intermediate_size"]
    heads, kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = cfg.get("head_dim") or h // heads
    mt = cfg["model_type"]

    def r(*shape, std=0.3):
        return (torch.randn(*shape, generator=gen) * std).to(dtype)

    def norm(n):
        return (1.0 + 0.2 * torch.randn(n, generator=gen)).to(dtype)

    w = [("model.embed_tokens.weight", r(cfg["vocab_size"], h, std=1.0))]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w.append((p + "input_layernorm.weight", norm(h)))
        w.append((p + "self_attn.q_proj.weight", r(heads * d, h)))
        w.append((p + "self_attn.k_proj.weight", r(kv * d, h)))
        w.append((p + "self_attn.v_proj.weight", r(kv * d, h)))
        if mt == "qwen2":
            w.append((p + "self_attn.q_proj.bias", r(heads * d, std=0.5)))
            w.append((p + "self_attn.k_proj.bias", r(kv * d, std=0.5)))
            w.append((p + "self_attn.v_proj.bias", r(kv * d, std=0.5)))
        if mt == "qwen3":
            w.append((p + "self_attn.q_norm.weight", norm(d)))
            w.append((p + "self_attn.k_norm.weight", norm(d)))
        w.append((p + "self_attn.o_proj.weight", r(h, heads * d)))
        w.append((p + "post_attention_layernorm.weight", norm(h)))
        w.append((p + "mlp.gate_proj.weight", r(inter, h)))
        w.append((p + "mlp.up_proj.weight", r(inter, h)))
        w.append((p + "mlp.down_proj.weight", r(h, inter)))
    w.append(("model.norm.weight", norm(h)))
    if not cfg.get("tie_word_embeddings"):
        w.append(("lm_head.weight", r(cfg["vocab_size"], h, std=1.0)))
    return w


def write_checkpoint(out, tensors, shards):
    meta = {"format": "pt"}
    if shards == 1:
        write_safetensors(os.path.join(out, "model.safetensors"), sorted(tensors), meta)
        return
    per = (len(tensors) + shards - 1) // shards
    weight_map, total = {}, 0
    for s in range(shards):
        part = tensors[s * per:(s + 1) * per]
        name = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        write_safetensors(os.path.join(out, name), sorted(part), meta)
        for n, t in part:
            weight_map[n] = name
            total += t.numel() * SIZES[t.dtype]
    with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)


MODELS = {
    "llama": {
        "config": {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 264, "hidden_size": 32,
                   "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                   "num_key_value_heads": 2, "max_position_embeddings": 48, "rms_norm_eps": 1e-5,
                   "rope_theta": 10000.0, "tie_word_embeddings": True, "torch_dtype": "float32",
                   "hidden_act": "silu", "attention_bias": False, "mlp_bias": False,
                   "bos_token_id": 256, "eos_token_id": 257,
                   "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                    "high_freq_factor": 4.0, "original_max_position_embeddings": 16}},
        "generation": {"bos_token_id": 256, "eos_token_id": [257, 258], "do_sample": True, "temperature": 0.6, "top_p": 0.9},
        "added": ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"], "bos": "<|begin_of_text|>",
        "dtype": torch.float32, "shards": 1, "seed": 11,
    },
    "qwen2": {
        "config": {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 272, "hidden_size": 32,
                   "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4,
                   "num_key_value_heads": 1, "max_position_embeddings": 64, "rms_norm_eps": 1e-6,
                   "rope_theta": 1000000.0, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
                   "hidden_act": "silu", "sliding_window": 32, "use_sliding_window": False,
                   "bos_token_id": 256, "eos_token_id": 256},
        "generation": {"bos_token_id": 256, "eos_token_id": [258, 256], "pad_token_id": 256, "do_sample": True,
                       "temperature": 0.7, "top_p": 0.8, "top_k": 20},
        "added": ["<|endoftext|>", "<|im_start|>", "<|im_end|>"], "bos": None,
        "dtype": torch.bfloat16, "shards": 2, "seed": 12,
    },
    "qwen3": {
        "config": {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 260, "hidden_size": 32,
                   "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "head_dim": 16,
                   "num_key_value_heads": 2, "max_position_embeddings": 64, "rms_norm_eps": 1e-6,
                   "rope_theta": 1000000.0, "tie_word_embeddings": True, "torch_dtype": "float32",
                   "hidden_act": "silu", "attention_bias": False, "sliding_window": None, "use_sliding_window": False,
                   "bos_token_id": 256, "eos_token_id": 258},
        "generation": {"bos_token_id": 256, "eos_token_id": [258, 256], "pad_token_id": 256, "do_sample": True,
                       "temperature": 0.6, "top_p": 0.95, "top_k": 20},
        "added": ["<|endoftext|>", "<|im_start|>", "<|im_end|>"], "bos": None,
        "dtype": torch.float32, "shards": 1, "seed": 13,
    },
}

SEQUENCES = [[72, 101, 108, 108, 111], [1, 2, 3], list(range(40, 80, 2)) + [256, 33, 257, 10]]
GREEDY_PROMPTS = ["Hello", "abc", "The sum of 2 and 3 is"]
LOGPROB_CASES = [("Hello", " world"), ("x=", "12+5")]
MAX_NEW = 12


def make(out_root):
    for name, spec in MODELS.items():
        out = os.path.join(out_root, name)
        os.makedirs(out, exist_ok=True)
        for f in os.listdir(out):
            os.remove(os.path.join(out, f))
        cfg = spec["config"]
        gen = torch.Generator().manual_seed(spec["seed"])
        tensors = random_weights(cfg, gen, spec["dtype"])
        write_checkpoint(out, tensors, spec["shards"])
        with open(os.path.join(out, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        with open(os.path.join(out, "generation_config.json"), "w") as f:
            json.dump(spec["generation"], f, indent=2)
        with open(os.path.join(out, "tokenizer.json"), "w") as f:
            json.dump(tokenizer_json(spec["added"], spec["bos"]), f, ensure_ascii=False, indent=1)
        w = dict(tensors)
        tokenizer_size = 256 + len(spec["added"])
        bos_id = None if spec["bos"] is None else 256 + spec["added"].index(spec["bos"])
        eos = spec["generation"]["eos_token_id"]
        ref = {"model_type": cfg["model_type"], "tokenizer_size": tokenizer_size, "eos_token_ids": eos,
               "logits": [], "greedy": [], "logprobs": []}
        for seq in SEQUENCES:
            ref["logits"].append({"tokens": seq, "logits": forward(cfg, w, seq).tolist()})
        for text in GREEDY_PROMPTS:
            prompt = encode(text, bos_id)
            toks, gaps, finish = greedy(cfg, w, prompt, MAX_NEW, eos, tokenizer_size)
            ref["greedy"].append({"prompt": text, "prompt_tokens": prompt, "max_new_tokens": MAX_NEW,
                                  "tokens": toks, "gaps": gaps, "finish": finish})
        for prompt_text, completion_text in LOGPROB_CASES:
            prompt = encode(prompt_text, bos_id)
            completion = encode(completion_text, None)
            ref["logprobs"].append({"prompt": prompt_text, "completion": completion_text, "prompt_tokens": prompt,
                                    "completion_tokens": completion,
                                    "logprobs": completion_logprobs(cfg, w, prompt, completion, tokenizer_size)})
        with open(os.path.join(out, "reference.json"), "w") as f:
            json.dump(ref, f)
        print(name, sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out)), "bytes")


# ---------------------------------------------------------------- reading a folder back (exports)

def read_safetensors(path):
    """{name: tensor} of one safetensors file, parsed by hand (no safetensors package)."""
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    body = bytearray(data[8 + n:])
    raw = torch.frombuffer(body, dtype=torch.uint8) if body else torch.empty(0, dtype=torch.uint8)
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        out[name] = raw[b:e].clone().view(DTYPES[info["dtype"]]).reshape(info["shape"])
    return out


def read_folder(folder):
    """(config, weights) of a Hugging Face folder, one file or shards listed by the index."""
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    index = os.path.join(folder, "model.safetensors.index.json")
    w = {}
    if os.path.exists(index):
        with open(index) as f:
            shards = sorted(set(json.load(f)["weight_map"].values()))
        for shard in shards:
            w.update(read_safetensors(os.path.join(folder, shard)))
    else:
        w.update(read_safetensors(os.path.join(folder, "model.safetensors")))
    cfg.setdefault("num_key_value_heads", cfg["num_attention_heads"])
    return cfg, w


def apply_adapter(w, adapter_dir):
    """W + (lora_alpha / r) * B @ A for every lora_A/lora_B pair of a PEFT adapter folder."""
    with open(os.path.join(adapter_dir, "adapter_config.json")) as f:
        ac = json.load(f)
    scale = ac["lora_alpha"] / ac["r"]
    lora = read_safetensors(os.path.join(adapter_dir, "adapter_model.safetensors"))
    prefix = "base_model.model."
    w = {k: v.float() for k, v in w.items()}
    for name, a in lora.items():
        if not name.endswith(".lora_A.weight"):
            continue
        module = name[len(prefix):-len(".lora_A.weight")]
        b = lora[prefix + module + ".lora_B.weight"]
        w[module + ".weight"] = w[module + ".weight"] + scale * (b.float() @ a.float())
    return w


def check_folder(args):
    folder = args[args.index("--check-folder") + 1]
    tokens = [int(t) for t in args[args.index("--tokens") + 1].split(",")]
    cfg, w = read_folder(folder)
    if "--adapter" in args:
        w = apply_adapter(w, args[args.index("--adapter") + 1])
    json.dump({"logits": forward(cfg, w, tokens).tolist()}, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif "--check-folder" in sys.argv and "--tokens" in sys.argv:
        check_folder(sys.argv)
    else:
        print(__doc__)
        sys.exit(2)
