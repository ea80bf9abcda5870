#!/usr/bin/env python3
"""PyTorch eager reference for `tfew bench train`: one (IA)^3 training step of a random T5.

The same step tfew times, written in plain torch (no transformers): T5 with RMS layer norm, bucketed
relative position bias (bidirectional in the encoder, causal in the decoder, block 0's table reused by
every layer, none in cross-attention), unscaled attention scores, gated-GELU FFN (tanh form, gelu_new),
untied LM head, dropout at Hugging Face's places. (IA)^3 vectors rescale the keys and values of every
self- and cross-attention and the FFN inner activation; only they require grad, so autograd computes the
forward matmuls plus the input gradients that lead back to a vector, as tfew's graph does.

Rank classification as tfew builds it: the encoder runs once per example; every answer choice of the
batch (batch x choices decoder rows) passes the decoder together, teacher-forced; cross-attention keys
and values are projected once per example and then gathered to the choice rows. Losses: T-Few's LM
(token mean over the gold choices), unlikelihood (-log(1.01 - p) over the wrong choices' tokens) and
length-normalised (softmax cross-entropy over the choices' mean token log-probs), summed with weight 1.

Update: torch 1.13 has no Adafactor, so the script applies Adafactor by hand in its unfactored form
(the vectors are 1-D here): Hugging Face's update with relative_step=False, scale_parameter=True,
clip_threshold 1, decay_rate -0.8, eps (1e-30, 1e-3), after global-norm gradient clipping at 1.0 -
what tfew's Adafactor does, at a cost that is negligible next to the model either way.

Modes:
  --steps N [--warmup N]   time N steps and exit
  --serve                  read commands on stdin, one per line:
                             "peak"   -> "torch_matmul_gflops=X"
                             "run N"  -> N lines "step_ms=X loss=Y", then "done"
                             "quit"
Every run first prints "flops_per_step=F" (matmul FLOPs, the formula of tfew's BenchCommand), the
BLAS library torch loaded, the thread count, and "ready".
"""
import argparse
import math
import os
import sys
import time

import torch
import torch.nn.functional as F


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--d-model", type=int, default=512)
    p.add_argument("--heads", type=int, default=8)
    p.add_argument("--d-kv", type=int, default=64)
    p.add_argument("--d-ff", type=int, default=1024)
    p.add_argument("--layers", type=int, default=8)
    p.add_argument("--decoder-layers", type=int, default=None)
    p.add_argument("--vocab", type=int, default=32128)
    p.add_argument("--buckets", type=int, default=32)
    p.add_argument("--max-distance", type=int, default=128)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--input-len", type=int, default=256)
    p.add_argument("--choices", type=int, default=2)
    p.add_argument("--choice-len", type=int, default=8)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--serve", action="store_true")
    a = p.parse_args()
    if a.decoder_layers is None:
        a.decoder_layers = a.layers
    return a


EPS = 1e-6
MASKED = -1e9


def gelu_new(x):
    # The fused kernel of gelu_new's tanh formula: the fastest eager form, so the reference is not handicapped.
    return F.gelu(x, approximate="tanh")


def rms_norm(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * w


def relative_bucket(rel, bidirectional, num_buckets, max_distance):
    """Hugging Face's _relative_position_bucket."""
    ret = torch.zeros_like(rel)
    if bidirectional:
        num_buckets //= 2
        ret = ret + (rel > 0).long() * num_buckets
        n = rel.abs()
    else:
        n = -torch.min(rel, torch.zeros_like(rel))
    max_exact = num_buckets // 2
    small = n < max_exact
    large = max_exact + (torch.log(n.float() / max_exact) / math.log(max_distance / max_exact)
                         * (num_buckets - max_exact)).long()
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return ret + torch.where(small, n, large)


class Model:
    def __init__(self, a):
        self.a = a
        g = torch.Generator().manual_seed(3)
        d, inner, ff = a.d_model, a.heads * a.d_kv, a.d_ff

        def w(*shape):
            return (torch.rand(*shape, generator=g) - 0.5) * 0.1

        self.shared = w(a.vocab, d)
        self.lm_head = w(a.vocab, d)
        self.enc_rel = w(a.buckets, a.heads)
        self.dec_rel = w(a.buckets, a.heads)
        self.enc_final = torch.ones(d)
        self.dec_final = torch.ones(d)
        self.ia3 = []

        def vec(n):
            v = torch.ones(n, requires_grad=True)
            self.ia3.append(v)
            return v

        def attn():
            return {"q": w(inner, d), "k": w(inner, d), "v": w(inner, d), "o": w(d, inner),
                    "lk": vec(inner), "lv": vec(inner)}

        def ffn():
            return {"wi0": w(ff, d), "wi1": w(ff, d), "wo": w(d, ff), "lff": vec(ff)}

        self.enc = [{"ln0": torch.ones(d), "att": attn(), "ln1": torch.ones(d), "ffn": ffn()} for _ in range(a.layers)]
        self.dec = [{"ln0": torch.ones(d), "self": attn(), "ln1": torch.ones(d), "cross": attn(),
                     "ln2": torch.ones(d), "ffn": ffn()} for _ in range(a.decoder_layers)]
        self.state = [torch.zeros_like(v) for v in self.ia3]
        self.t = 0

    def drop(self, x):
        return F.dropout(x, self.a.dropout, training=True) if self.a.dropout > 0 else x

    def position_bias(self, table, lq, lk, bidirectional):
        ctx = torch.arange(lq)[:, None]
        mem = torch.arange(lk)[None, :]
        b = relative_bucket(mem - ctx, bidirectional, self.a.buckets, self.a.max_distance)
        return table[b].permute(2, 0, 1).unsqueeze(0)  # [1, H, Lq, Lk]

    def attention(self, p, hq, hkv, bias, kv_gather=None):
        a = self.a
        rq, lq, _ = hq.shape
        rk, lk, _ = hkv.shape
        q = F.linear(hq, p["q"]).view(rq, lq, a.heads, a.d_kv).transpose(1, 2)
        k = (F.linear(hkv, p["k"]) * p["lk"]).view(rk, lk, a.heads, a.d_kv).transpose(1, 2)
        v = (F.linear(hkv, p["v"]) * p["lv"]).view(rk, lk, a.heads, a.d_kv).transpose(1, 2)
        if kv_gather is not None:
            k = k.index_select(0, kv_gather)
            v = v.index_select(0, kv_gather)
        scores = torch.matmul(q, k.transpose(-1, -2)) + bias
        weights = self.drop(torch.softmax(scores, dim=-1))
        ctx = torch.matmul(weights, v).transpose(1, 2).reshape(rq, lq, a.heads * a.d_kv)
        return F.linear(ctx, p["o"])

    def ffn(self, p, h):
        x = gelu_new(F.linear(h, p["wi0"])) * F.linear(h, p["wi1"])
        x = self.drop(x) * p["lff"]
        return F.linear(x, p["wo"])

    def token_log_probs(self, input_ids, input_mask, choice_ids):
        a = self.a
        b, c, t = choice_ids.shape
        # Encoder, once per example.
        x = self.drop(self.shared[input_ids])
        s = input_ids.shape[1]
        mask_bias = ((1.0 - input_mask) * MASKED)[:, None, None, :]
        enc_bias = self.position_bias(self.enc_rel, s, s, True) + mask_bias
        for layer in self.enc:
            x = x + self.drop(self.attention(layer["att"], rms_norm(x, layer["ln0"]), rms_norm(x, layer["ln0"]),
                                             enc_bias))
            x = x + self.drop(self.ffn(layer["ffn"], rms_norm(x, layer["ln1"])))
        enc = self.drop(rms_norm(x, self.enc_final))
        # Decoder over every choice row, teacher-forced behind the start token 0.
        targets = choice_ids.reshape(b * c, t)
        dec_in = torch.cat([torch.zeros(b * c, 1, dtype=torch.long), targets[:, :-1]], dim=1)
        row_example = torch.arange(b * c) // c
        causal = torch.triu(torch.full((t, t), MASKED), diagonal=1)
        self_bias = self.position_bias(self.dec_rel, t, t, False) + causal
        cross_bias = mask_bias.index_select(0, row_example)
        y = self.drop(self.shared[dec_in])
        for layer in self.dec:
            h = rms_norm(y, layer["ln0"])
            y = y + self.drop(self.attention(layer["self"], h, h, self_bias))
            y = y + self.drop(self.attention(layer["cross"], rms_norm(y, layer["ln1"]), enc, cross_bias, row_example))
            y = y + self.drop(self.ffn(layer["ffn"], rms_norm(y, layer["ln2"])))
        y = self.drop(rms_norm(y, self.dec_final))
        logits = F.linear(y, self.lm_head)  # untied head: no d_model^-0.5 rescale
        logp = torch.log_softmax(logits, dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        return logp.view(b, c, t)

    def losses(self, logp, choice_mask, labels):
        b, c, t = logp.shape
        logp = logp * choice_mask
        gold = F.one_hot(labels, c).float()
        gold_tokens = choice_mask * gold[:, :, None]
        wrong_tokens = choice_mask * (1 - gold)[:, :, None]
        lm = -(logp * gold_tokens).sum() / gold_tokens.sum().clamp(min=1)
        # Entries that are not wrong-choice tokens get log p = -100 first, as tfew's loss does.
        ul_logp = logp * wrong_tokens + (wrong_tokens - 1) * 100
        ul = (-torch.log(1.01 - torch.exp(ul_logp)) * wrong_tokens).sum() / wrong_tokens.sum().clamp(min=1)
        beta = logp.sum(-1) / choice_mask.sum(-1).clamp(min=1)
        ln = F.cross_entropy(beta, labels)
        return lm + ul + ln

    def step(self, batch):
        for v in self.ia3:
            v.grad = None
        loss = self.losses(self.token_log_probs(batch["input_ids"], batch["input_mask"], batch["choice_ids"]),
                           batch["choice_mask"], batch["labels"])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.ia3, 1.0)
        self.t += 1
        with torch.no_grad():
            beta2t = 1.0 - self.t ** -0.8
            for p, sq in zip(self.ia3, self.state):
                g = p.grad
                sq.mul_(beta2t).add_(g * g + 1e-30, alpha=1.0 - beta2t)
                u = g * torch.rsqrt(sq)
                u.div_((u.pow(2).mean().sqrt() / 1.0).clamp(min=1.0))
                lr = self.a.lr * max(1e-3, p.pow(2).mean().sqrt().item())
                p.sub_(u * lr)
        return loss.item()


def random_batch(a):
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(2, a.vocab, (a.batch, a.input_len), generator=g)
    ids[:, -1] = 1
    choices = torch.randint(2, a.vocab, (a.batch, a.choices, a.choice_len), generator=g)
    choices[:, :, -1] = 1
    return {"input_ids": ids, "input_mask": torch.ones(a.batch, a.input_len),
            "choice_ids": choices, "choice_mask": torch.ones(a.batch, a.choices, a.choice_len),
            "labels": torch.zeros(a.batch, dtype=torch.long)}


def flops_per_step(a):
    """Matmul FLOPs of one step; the same formula as BenchCommand.Train.flopsPerStep (see its Javadoc)."""
    d, inner, ff, v = a.d_model, a.heads * a.d_kv, a.d_ff, a.vocab
    ne = a.batch * a.input_len
    rows = a.batch * a.choices
    nd = rows * a.choice_len
    s, t = a.input_len, a.choice_len

    def mm(m, k, n):
        return 2 * m * k * n

    total = 0
    for i in range(a.layers):
        first = i == 0
        qkv = 1 if first else 2  # layer 0's q, k, v read the frozen embeddings: no input gradient
        total += mm(ne, d, inner) * qkv * 3 + mm(ne, inner, d) * 2
        att = mm(a.batch * a.heads * s, a.d_kv, s)
        total += att * (2 if first else 3) + att * 3  # scores (no dq in layer 0), context
        total += (2 * mm(ne, d, ff) + mm(ne, ff, d)) * 2
    for i in range(a.decoder_layers):
        first = i == 0
        total += mm(nd, d, inner) * (1 if first else 2) * 3 + mm(nd, inner, d) * 2
        att = mm(rows * a.heads * t, a.d_kv, t)
        total += att * (2 if first else 3) + att * 3
        total += mm(nd, d, inner) * 2 * 2 + mm(ne, d, inner) * 2 * 2  # cross q, o per row; k, v per example
        att = mm(rows * a.heads * t, a.d_kv, s)
        total += att * 3 * 2
        total += (2 * mm(nd, d, ff) + mm(nd, ff, d)) * 2
    total += mm(nd, d, v) * 2
    return total


def matmul_gflops(n=1024, reps=10, blocks=5):
    """Best of `blocks` averages of `reps` float32 n^3 matmuls."""
    x = torch.rand(n, n)
    y = torch.rand(n, n)
    for _ in range(3):
        torch.mm(x, y)
    best = 0.0
    for _ in range(blocks):
        t0 = time.perf_counter()
        for _ in range(reps):
            torch.mm(x, y)
        best = max(best, 2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9)
    return best


def loaded_blas():
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
        return ",".join(libs) or "none-found"
    except OSError:
        return "unknown"


def run(model, batch, n):
    for _ in range(n):
        t0 = time.perf_counter()
        loss = model.step(batch)
        print(f"step_ms={(time.perf_counter() - t0) * 1e3:.1f} loss={loss:.6f}", flush=True)


def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Model(a)
    batch = random_batch(a)
    torch.mm(torch.rand(8, 8), torch.rand(8, 8))  # loads the BLAS library so that it shows in the maps
    print(f"flops_per_step={flops_per_step(a)}", flush=True)
    print(f"torch_version={torch.__version__} threads={torch.get_num_threads()} blas={loaded_blas()}", flush=True)
    print("ready", flush=True)
    if not a.serve:
        for _ in range(a.warmup):
            model.step(batch)
        run(model, batch, a.steps)
        return
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "quit":
            break
        if cmd[0] == "peak":
            print(f"torch_matmul_gflops={matmul_gflops():.1f}", flush=True)
        elif cmd[0] == "run":
            run(model, batch, int(cmd[1]))
            print("done", flush=True)
        else:
            print(f"error unknown command {cmd[0]}", flush=True)


if __name__ == "__main__":
    main()
