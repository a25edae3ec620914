#!/usr/bin/env python3
"""xling's PyTorch reference: the GPT of src/nn/gpt.ts, written in eager PyTorch.

It is the yardstick for xling's speed (bench:train) and numerics (the parity test).
Needs only Debian's python3-torch; no other package.

  speed   gpt_reference.py speed --vocab V --d-model D --layers L --heads H --seq T --batch B
                  [--steps S] [--warmup W] [--threads N] [--precision fp32|bf16]
          trains on one random batch and prints {"tokens_per_s": ...} as its last line.
  parity  gpt_reference.py parity --weights init.safetensors --batches batches.safetensors
                  --heads H [--lr 6e-4] [--precision fp32|bf16] [--threads N]
          trains from xling's initial weights on xling's batches, prints {"losses": [...]}.

--precision bf16 runs forward and loss under torch.autocast("cpu", dtype=torch.bfloat16),
the one line a PyTorch user writes; weights, gradients and AdamW state stay float32 and
backward runs outside the autocast region, as PyTorch recommends.

Parameter names and shapes (the safetensors contract with xling's GPT):
  tok_emb.weight [V, D], pos_emb.weight [T, D]
  blocks.<i>.ln1.weight/bias [D], blocks.<i>.ln2.weight/bias [D]
  blocks.<i>.attn.qkv.weight [3D, D] / bias [3D]  (rows: q, then k, then v; heads split D)
  blocks.<i>.attn.proj.weight [D, D] / bias [D]
  blocks.<i>.mlp.fc.weight [4D, D] / bias [4D], blocks.<i>.mlp.proj.weight [D, 4D] / bias [D]
  ln_f.weight/bias [D], lm_head.weight [V, D] (no bias, not tied)
  mask [T, T] (bool, true above the diagonal; a buffer, ignored here: it is recomputed)
The batches file holds "tokens", int64 [steps, B, T+1]; step s trains on tokens[s], with
inputs [:, :-1] and targets [:, 1:]. Model: pre-LayerNorm blocks (eps 1e-5), causal
softmax attention scaled by 1/sqrt(D/H), exact GELU, mean next-token cross-entropy;
AdamW with betas (0.9, 0.95), eps 1e-8, no weight decay.
"""
import argparse
import contextlib
import json
import math
import struct
import time

import torch
import torch.nn.functional as F
from torch import nn

SAFETENSORS_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}


def load_safetensors(path):
    """name -> tensor; the format is an 8-byte little-endian header length, a JSON header, raw data."""
    with open(path, "rb") as f:
        raw = f.read()
    header_len = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + header_len].decode("utf8"))
    body = memoryview(raw)[8 + header_len:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = SAFETENSORS_DTYPES[entry["dtype"]]
        if end == begin:
            tensors[name] = torch.zeros(entry["shape"], dtype=dtype)
        else:
            tensors[name] = torch.frombuffer(bytearray(body[begin:end]), dtype=dtype).reshape(entry["shape"])
    return tensors


class CausalSelfAttention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x, mask):
        b, t, d = x.shape
        dh = d // self.heads
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, dh).permute(2, 0, 3, 1, 4).unbind(0)
        scores = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(dh))
        weights = scores.masked_fill(mask, float("-inf")).softmax(-1)
        return self.proj(torch.matmul(weights, v).transpose(1, 2).reshape(b, t, d))


class FeedForward(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, 4 * d)
        self.proj = nn.Linear(4 * d, d)

    def forward(self, x):
        return self.proj(F.gelu(self.fc(x)))


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(d, eps=1e-5)
        self.attn = CausalSelfAttention(d, heads)
        self.ln2 = nn.LayerNorm(d, eps=1e-5)
        self.mlp = FeedForward(d)

    def forward(self, x, mask):
        x = x + self.attn(self.ln1(x), mask)
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab, d, layers, heads, seq):
        super().__init__()
        self.vocab = vocab
        self.tok_emb = nn.Embedding(vocab, d)
        self.pos_emb = nn.Embedding(seq, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d, eps=1e-5)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.register_buffer("mask", torch.ones(seq, seq, dtype=torch.bool).triu(1), persistent=False)

    def loss(self, tokens):
        inputs, targets = tokens[:, :-1], tokens[:, 1:]
        t = inputs.shape[1]
        x = self.tok_emb(inputs) + self.pos_emb.weight[:t]
        mask = self.mask[:t, :t]
        for block in self.blocks:
            x = block(x, mask)
        logits = self.lm_head(self.ln_f(x))
        # The loss in float32 whatever the logits' dtype (autocast would do it too).
        return F.cross_entropy(logits.float().reshape(-1, self.vocab), targets.reshape(-1))


def precision_scope(precision):
    if precision == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    if precision == "fp32":
        return contextlib.nullcontext()
    raise SystemExit(f"unknown precision {precision!r} (fp32 or bf16)")


def train_step(model, opt, tokens, precision):
    opt.zero_grad(set_to_none=True)
    with precision_scope(precision):
        loss = model.loss(tokens)
    loss.backward()
    opt.step()
    return loss.item()


def adamw(model, lr):
    return torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0)


def speed(a):
    torch.manual_seed(0)
    model = GPT(a.vocab, a.d_model, a.layers, a.heads, a.seq)
    opt = adamw(model, 6e-4)
    tokens = torch.randint(0, a.vocab, (a.batch, a.seq + 1))
    for _ in range(a.warmup):
        train_step(model, opt, tokens, a.precision)
    start = time.perf_counter()
    for _ in range(a.steps):
        train_step(model, opt, tokens, a.precision)
    seconds = (time.perf_counter() - start) / a.steps
    print(json.dumps({"precision": a.precision, "threads": torch.get_num_threads(), "seconds_per_step": seconds,
                      "tokens_per_s": a.batch * a.seq / seconds}))


def parity(a):
    weights = load_safetensors(a.weights)
    tokens = load_safetensors(a.batches)["tokens"]
    vocab, d = weights["tok_emb.weight"].shape
    seq = weights["pos_emb.weight"].shape[0]
    layers = len({k.split(".")[1] for k in weights if k.startswith("blocks.")})
    model = GPT(vocab, d, layers, a.heads, seq)
    state = {k: v for k, v in weights.items() if k != "mask"}
    model.load_state_dict(state, strict=True)
    opt = adamw(model, a.lr)
    losses = [train_step(model, opt, tokens[s], a.precision) for s in range(tokens.shape[0])]
    print(json.dumps({"precision": a.precision, "losses": losses}))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("speed")
    for name in ("vocab", "d-model", "layers", "heads", "seq", "batch"):
        s.add_argument(f"--{name}", type=int, required=True)
    s.add_argument("--steps", type=int, default=20)
    s.add_argument("--warmup", type=int, default=3)
    q = sub.add_parser("parity")
    q.add_argument("--weights", required=True)
    q.add_argument("--batches", required=True)
    q.add_argument("--heads", type=int, required=True)
    q.add_argument("--lr", type=float, default=6e-4)
    for sp in (s, q):
        sp.add_argument("--threads", type=int, default=1)
        sp.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    speed(a) if a.mode == "speed" else parity(a)


if __name__ == "__main__":
    main()
