#!/usr/bin/python3
"""Independent safetensors writer and checker for Rewire.HuggingFace's tests.

Writes the safetensors format by hand (8-byte little-endian header length, JSON header, raw little-endian tensor
bytes) from torch tensors, following the format's specification, without the `safetensors` package. Run it with
Debian's /usr/bin/python3 and python3-torch.

  make_safetensors_fixtures.py make OUT_DIR      writes the committed fixtures (tests/Rewire.HuggingFace.Tests/Fixtures/safetensors)
  make_safetensors_fixtures.py check FILE SPEC [FILE SPEC ...]
                                                reads each FILE (written by Rewire) and checks it against its SPEC (JSON, see below)

SPEC: {"tensors": {name: {"dtype": "F32"|"F16"|"BF16", "shape": [...], "f32_bits": [uint32 ...]}}}; the checker converts
the float32 values to the dtype with torch (round to nearest even) and demands the file's bytes equal them exactly (a
NaN may be any NaN encoding: torch's own differs between versions), the
header length be a multiple of 8 and __metadata__ be {"format": "pt"}. Prints "OK" and exits 0, or prints the
differences and exits 1. Exits 3 when torch cannot be imported.
"""
import json
import os
import struct
import sys

try:
    import torch
except ImportError as e:
    print(f"torch cannot be imported: {e}")
    sys.exit(3)

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
NAMES = {v: k for k, v in DTYPES.items()}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        raw = t.view(torch.int16).numpy().astype("<i2").tobytes()
    elif t.dtype == torch.float16:
        raw = t.view(torch.int16).numpy().astype("<i2").tobytes()
    else:
        raw = t.view(torch.int32).numpy().astype("<i4").tobytes()
    return raw


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, torch tensor). Header padded with spaces to a multiple of 8, as Hugging Face writes it."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name, t in tensors:
        raw = tensor_bytes(t)
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def f32_bits(t):
    return [int(x) & 0xFFFFFFFF for x in t.float().contiguous().view(torch.int32).flatten().tolist()]


def special_values():
    return torch.tensor([0.0, -0.0, 1.0, -1.0, float("inf"), float("-inf"), 65504.0, 6.1e-5, 5.96e-8, 3.0e38,
                         1.0e-40, 0.1, 1.0 / 3.0, 2.5, -7.75, 1234.5678], dtype=torch.float32)


def make(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    g = torch.Generator().manual_seed(1234)
    base = {
        "model.embed_tokens.weight": torch.randn(7, 4, generator=g),
        "model.layers.0.self_attn.q_proj.bias": torch.randn(4, generator=g),
        "model.norm.weight": torch.randn(2, 3, 2, generator=g) * 100,
        "special": special_values(),
        "scalar": torch.tensor(3.25),
        "empty": torch.zeros(0, 3),
    }
    expected = {}
    for dname, dtype in DTYPES.items():
        tensors = [(k, v.to(dtype)) for k, v in base.items()]
        file = f"tiny_{dname.lower()}.safetensors"
        write_safetensors(os.path.join(out_dir, file), tensors, {"format": "pt"})
        expected[file] = {k: {"dtype": dname, "shape": list(t.shape), "f32_bits": f32_bits(t)} for k, t in tensors}

    # A sharded checkpoint: two shards and an index, mixed dtypes, no metadata in the second shard.
    shard_dir = os.path.join(out_dir, "sharded")
    os.makedirs(shard_dir, exist_ok=True)
    s1 = [("model.embed_tokens.weight", torch.randn(5, 3, generator=g).to(torch.bfloat16)),
          ("model.layers.0.mlp.up_proj.weight", torch.randn(3, 3, generator=g).to(torch.bfloat16))]
    s2 = [("lm_head.weight", torch.randn(5, 3, generator=g)),
          ("model.norm.weight", torch.randn(3, generator=g).to(torch.float16))]
    write_safetensors(os.path.join(shard_dir, "model-00001-of-00002.safetensors"), s1, {"format": "pt"})
    write_safetensors(os.path.join(shard_dir, "model-00002-of-00002.safetensors"), s2)
    total = sum(len(tensor_bytes(t)) for _, t in s1 + s2)
    weight_map = {k: "model-00001-of-00002.safetensors" for k, _ in s1}
    weight_map.update({k: "model-00002-of-00002.safetensors" for k, _ in s2})
    with open(os.path.join(shard_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    expected["sharded"] = {k: {"dtype": NAMES[t.dtype], "shape": list(t.shape), "f32_bits": f32_bits(t)} for k, t in s1 + s2}

    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


def from_bytes(raw, dtype):
    if dtype == "F32":
        return torch.frombuffer(bytearray(raw), dtype=torch.float32) if raw else torch.zeros(0)
    t = torch.frombuffer(bytearray(raw), dtype=torch.int16) if raw else torch.zeros(0, dtype=torch.int16)
    return t.view(DTYPES[dtype])


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    return n, header, data[8 + n:]


def check(path, spec_path):
    """Returns the list of problems (empty when the file is right)."""
    with open(spec_path) as f:
        spec = json.load(f)["tensors"]
    n, header, body = read_safetensors(path)
    errors = []
    if n % 8 != 0:
        errors.append(f"header length {n} is not a multiple of 8")
    if header.get("__metadata__") != {"format": "pt"}:
        errors.append(f"__metadata__ is {header.get('__metadata__')!r}")
    names = set(k for k in header if k != "__metadata__")
    if names != set(spec):
        errors.append(f"tensor names differ: file {sorted(names)} spec {sorted(spec)}")
    end = 0
    for name in sorted(names & set(spec), key=lambda k: tuple(header[k]["data_offsets"])):
        h, s = header[name], spec[name]
        if h["dtype"] != s["dtype"] or h["shape"] != s["shape"]:
            errors.append(f"{name}: header {h['dtype']} {h['shape']}, expected {s['dtype']} {s['shape']}")
            continue
        begin, stop = h["data_offsets"]
        if begin != end:
            errors.append(f"{name}: data begins at {begin}, previous tensor ended at {end}")
        end = stop
        src = torch.tensor(s["f32_bits"], dtype=torch.int64).to(torch.int32).view(torch.float32).reshape(s["shape"])
        want = src.to(DTYPES[s["dtype"]]).flatten()
        got = from_bytes(body[begin:stop], s["dtype"])
        # Bit equality, except that any NaN encoding stands for a NaN (torch versions and code paths disagree on it).
        same_bits = tensor_bytes(want) == tensor_bytes(got)
        if not same_bits:
            nan = torch.isnan(want)
            if not (torch.equal(nan, torch.isnan(got)) and tensor_bytes(want[~nan]) == tensor_bytes(got[~nan])):
                errors.append(f"{name}: bytes differ from torch's {s['dtype']} conversion")
    if end != len(body):
        errors.append(f"data section is {len(body)} bytes, tensors cover {end}")
    return [f"{path}: {e}" for e in errors]


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) >= 4 and len(sys.argv) % 2 == 0 and sys.argv[1] == "check":
        problems = []
        for i in range(2, len(sys.argv), 2):
            problems += check(sys.argv[i], sys.argv[i + 1])
        if problems:
            print("\n".join(problems))
            sys.exit(1)
        print("OK")
    else:
        print(__doc__)
        sys.exit(2)
