#!/usr/bin/python3
"""Family B of golden cases: new random inputs for a subset of the reference functions, with outputs computed by an
independent plain-PyTorch implementation of the formulas documented in ../README.md ("Reference behaviour").

Written for Rewire from those formulas; no code is taken from verl. The reference's own behaviour is reproduced where
the README documents it (the loop RLOO keeps the raw score of a singleton group, entropy is logsumexp(x) - sum(p * x)
and so NaN for a -inf logit, GRPO's singleton divisor is float32(1 + eps)). Rewire's deliberate differences from that
behaviour are rules in tests/Shared/GoldenRules.cs, documented in docs/golden.md.

Usage (needs torch; Debian: apt-get install python3-torch):
    /usr/bin/python3 make_family_b.py [--seed 2026] [--out family-b.independent.json]
The output is deterministic for a given seed and torch version. Every float input is float64.
"""
import argparse
import json
import math
import os
import platform

import torch

F64 = torch.float64


# ---------------------------------------------------------------- formulas (one function per reference function)

def group_rows(index):
    groups = {}
    for i, label in enumerate(index):
        groups.setdefault((type(label).__name__, label), []).append(i)
    return list(groups.values())


def grpo(rewards, mask, index, epsilon, norm_by_std):
    scores = rewards.sum(-1)
    out = scores.clone()
    for rows in group_rows(index):
        s = scores[rows]
        if len(rows) == 1:
            # README 1/2: mean 0, std a float32 tensor 1.0, so the divisor is float32(1 + eps).
            mean = torch.tensor(0.0, dtype=F64)
            divisor = (torch.tensor(1.0, dtype=torch.float32) + epsilon).to(F64)
        else:
            mean = s.mean()
            divisor = s.std(unbiased=True) + epsilon
        out[rows] = (s - mean) / divisor if norm_by_std else s - mean
    adv = out.unsqueeze(-1) * mask
    return {"advantages": adv, "returns": adv}


def rloo_loop(rewards, mask, index):
    scores = rewards.sum(-1)
    out = scores.clone()
    for rows in group_rows(index):
        n = len(rows)
        if n > 1:  # a group of one keeps its raw score (README 3)
            s = scores[rows]
            out[rows] = (n * s - s.sum()) / (n - 1)
    adv = out.unsqueeze(-1) * mask
    return {"advantages": adv, "returns": adv}


def rloo_vectorized(rewards, mask, index):
    scores = rewards.sum(-1)
    out = torch.zeros_like(scores)  # a group of one gets 0 (README 3)
    for rows in group_rows(index):
        n = len(rows)
        if n > 1:
            s = scores[rows]
            out[rows] = (n * s - s.sum()) / (n - 1)
    adv = out.unsqueeze(-1) * mask
    return {"advantages": adv, "returns": adv}


def kl(logprob, ref, name):
    d = logprob - ref
    if name in ("kl", "k1"):
        return d
    if name == "abs":
        return d.abs()
    if name in ("mse", "k2"):
        return 0.5 * d * d
    if name in ("low_var_kl", "k3"):
        k = torch.clamp(ref - logprob, -20.0, 20.0)
        return torch.clamp(torch.exp(k) - k - 1.0, -10.0, 10.0)
    raise ValueError(name)


def entropy(logits):
    return torch.logsumexp(logits, -1) - (torch.softmax(logits, -1) * logits).sum(-1)


def sum_pi_squared(logits):
    return torch.softmax(logits, -1).pow(2).sum(-1)


def masked_mean(values, mask):
    return (values * mask).sum() / (mask.sum() + 1e-8)


def masked_var(values, mask, unbiased):
    mean = masked_mean(values, mask)
    var = masked_mean((values - mean) ** 2, mask)
    if unbiased:
        n = mask.sum().item()
        if n in (0.0, 1.0):
            raise ValueError("the mask sums to %g: an unbiased variance needs at least two valid entries" % n)
        var = var * n / (n - 1)
    return var


def masked_whiten(values, mask, shift_mean):
    mean = masked_mean(values, mask)
    var = masked_var(values, mask, True)
    out = (values - mean) * torch.rsqrt(var + 1e-8)
    return out + mean if not shift_mean else out


def agg_loss(loss, mask, mode):
    if mode == "token-mean":
        return torch.where(mask.bool(), loss, torch.zeros_like(loss)).sum() / mask.sum()
    row_has_tokens = mask.sum(-1) > 0
    if mode == "seq-mean-token-sum":
        rows = (loss * mask).sum(-1)
        return rows[row_has_tokens].sum() / row_has_tokens.sum()
    if mode == "seq-mean-token-mean":
        rows = (loss * mask).sum(-1) / (mask.sum(-1) + 1e-8)
        return rows[row_has_tokens].sum() / row_has_tokens.sum()
    if mode == "seq-mean-token-sum-norm":
        return (loss * mask).sum() / loss.shape[-1]
    raise ValueError(mode)


# ---------------------------------------------------------------- random inputs

class Draw:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def normal(self, *shape, scale=1.0):
        return torch.randn(*shape, generator=self.g, dtype=F64) * scale

    def integers(self, low, high, n):
        return torch.randint(low, high, (n,), generator=self.g).tolist()

    def mask(self, rows, cols, kind):
        m = torch.ones(rows, cols, dtype=F64)
        if kind == "prefix":
            for i, n in enumerate(self.integers(1, cols + 1, rows)):
                m[i, n:] = 0
        elif kind == "holes":
            m = (torch.rand(rows, cols, generator=self.g) > 0.3).to(F64)
            m[:, 0] = 1
        elif kind == "empty-row":
            for i, n in enumerate(self.integers(1, cols + 1, rows)):
                m[i, n:] = 0
            m[rows // 2] = 0
        return m

    def labels(self, sizes, as_strings):
        """Group labels for groups of the given sizes, shuffled so groups interleave."""
        labels = []
        for g, size in enumerate(sizes):
            label = "uid-%04x" % (0x1000 + 37 * g) if as_strings else 3 + 5 * g
            labels += [label] * size
        order = torch.randperm(len(labels), generator=self.g).tolist()
        return [labels[i] for i in order]

    def outcome_rewards(self, mask, binary):
        rows, cols = mask.shape
        r = torch.zeros(rows, cols, dtype=F64)
        for i in range(rows):
            valid = int(mask[i].nonzero().max().item()) if mask[i].sum() > 0 else cols - 1
            r[i, valid] = float(self.integers(0, 2, 1)[0]) if binary else self.normal(1).item()
        return r


# ---------------------------------------------------------------- cases

def tolist(t):
    return t.tolist() if isinstance(t, torch.Tensor) else t


def encode(x):
    if isinstance(x, float):
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return x
    if isinstance(x, list):
        return [encode(v) for v in x]
    if isinstance(x, dict):
        return {k: encode(v) for k, v in x.items()}
    return x


def build(seed):
    d = Draw(seed)
    cases = []

    def add(function, kwargs, inputs, note, compute):
        ordinal = sum(1 for c in cases if c["function"] == function) + 1
        case = {"id": "B/%s/%03d" % (function, ordinal), "function": function, "module": "independent", "registry": None,
                "kwargs": kwargs, "config": None,
                "inputs": {k: tolist(v) for k, v in inputs.items()},
                "input_shapes": {k: (list(v.shape) if isinstance(v, torch.Tensor) else [len(v)]) for k, v in inputs.items()},
                "outputs": None, "error": None, "note": note}
        try:
            case["outputs"] = {k: tolist(v) if isinstance(v, torch.Tensor) and v.dim() > 0 else float(v) for k, v in compute().items()}
        except ValueError as e:
            case["error"] = {"type": "ValueError", "message": str(e)}
        cases.append(case)

    group_shapes = [([4, 4], "two groups of 4"), ([3, 1, 2], "contains a group of one"), ([1, 1, 1], "every group has one member"),
                    ([2, 5], "unequal groups"), ([1, 3, 1, 2], "two groups of one among others")]
    for k, (sizes, what) in enumerate(group_shapes):
        for strings in (False, True):
            n, cols = sum(sizes), 3 + k
            mask = d.mask(n, cols, ["ones", "prefix", "holes", "empty-row", "prefix"][k])
            index = d.labels(sizes, strings)
            rewards = d.outcome_rewards(mask, binary=k % 2 == 0)
            note = "%s, %s labels, interleaved" % (what, "string" if strings else "int")
            add("compute_rloo_outcome_advantage", {"epsilon": 1e-6}, {"token_level_rewards": rewards, "response_mask": mask, "index": index}, note,
                lambda: rloo_loop(rewards, mask, index))
            add("compute_rloo_vectorized_outcome_advantage", {"epsilon": 1e-6}, {"token_level_rewards": rewards, "response_mask": mask, "index": index}, note,
                lambda: rloo_vectorized(rewards, mask, index))
            norm = k != 3
            add("compute_grpo_outcome_advantage", {"epsilon": 1e-6, "norm_adv_by_std_in_grpo": norm},
                {"token_level_rewards": rewards, "response_mask": mask, "index": index}, note + ("" if norm else ", no std normalisation"),
                lambda: grpo(rewards, mask, index, 1e-6, norm))

    for name in ["kl", "k1", "abs", "mse", "k2", "low_var_kl", "k3"]:
        for scale, what in ((0.5, "small differences"), (15.0, "large differences (clamps)")):
            lp, ref = d.normal(3, 5, scale=scale) - 1.0, d.normal(3, 5, scale=scale) - 1.0
            add("kl_penalty", {"kl_penalty": name}, {"logprob": lp, "ref_logprob": ref}, what, lambda: {"kl": kl(lp, ref, name)})

    for k in range(6):
        shape = [(2, 3, 5), (4, 6), (3, 2, 7), (2, 4, 3), (5, 4), (1, 3, 6)][k]
        logits = d.normal(*shape, scale=[1.0, 3.0, 1.0, 2.0, 1.0, 4.0][k])
        note = "%d-D logits" % len(shape)
        if k in (2, 3, 4):
            flat = logits.view(-1, shape[-1])
            flat[0, 1] = -math.inf
            flat[-1, :shape[-1] - 1] = -math.inf  # one position with a single finite logit
            note += " with -inf entries (a masked vocabulary): the reference formula gives NaN there"
        add("entropy_from_logits", {}, {"logits": logits}, note, lambda: {"entropy": entropy(logits)})
        if k < 4:
            add("calculate_sum_pi_squared_from_logits", {}, {"logits": logits}, note, lambda: {"sum_pi_squared": sum_pi_squared(logits)})

    for k, kind in enumerate(["ones", "prefix", "holes", "empty-row"]):
        values, mask = d.normal(4, 5, scale=2.0) + 0.5, d.mask(4, 5, kind)
        add("masked_mean", {"axis": None}, {"values": values, "mask": mask}, kind + " mask", lambda: {"result": masked_mean(values, mask)})
        add("masked_var", {"unbiased": True}, {"values": values, "mask": mask}, kind + " mask", lambda: {"result": masked_var(values, mask, True)})
        add("masked_whiten", {"shift_mean": k != 1}, {"values": values, "mask": mask}, kind + " mask", lambda: {"result": masked_whiten(values, mask, k != 1)})
    one = torch.zeros(3, 4, dtype=F64)
    one[1, 2] = 1.0
    values = d.normal(3, 4)
    add("masked_var", {"unbiased": True}, {"values": values, "mask": one}, "a single valid entry: refused", lambda: {"result": masked_var(values, one, True)})

    for k, kind in enumerate(["prefix", "holes", "empty-row"]):
        loss, mask = d.normal(4, 6), d.mask(4, 6, kind)
        for mode in ["token-mean", "seq-mean-token-sum", "seq-mean-token-mean", "seq-mean-token-sum-norm"]:
            add("agg_loss", {"loss_agg_mode": mode}, {"loss_mat": loss, "loss_mask": mask}, kind + " mask", lambda: {"loss": agg_loss(loss, mask, mode)})

    return cases


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", default=os.path.join(here, "family-b.independent.json"))
    args = parser.parse_args()
    torch.set_default_dtype(torch.float32)
    cases = build(args.seed)
    counts = {}
    for c in cases:
        counts[c["function"]] = counts.get(c["function"], 0) + 1
    meta = {"generator": "tests/golden/independent/make_family_b.py (independent of verl, from the formulas in tests/golden/README.md)",
            "seed_family": "B", "seed": args.seed, "torch_version": torch.__version__, "python": platform.python_version(),
            "input_dtype": "float64", "nonfinite_encoding": "NaN / Infinity / -Infinity as JSON strings",
            "case_counts": counts, "n_cases": len(cases)}
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(encode({"meta": meta, "cases": cases}), f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    os.replace(tmp, args.out)
    print("wrote %d cases to %s" % (len(cases), args.out))


if __name__ == "__main__":
    main()
