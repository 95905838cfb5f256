"""Backprop by hand through a batch-norm MLP, as in makemore part 4, checked in one call.

makemore's "becoming a backprop ninja" lecture writes a character-level MLP (an embedding,
a hidden layer with batch norm and tanh, a softmax over the next character) as a chain of
small steps, then asks the learner for the gradient of the loss with respect to every one of
them, by hand. Here the forward pass runs on tracegrad Tensors, the backward pass is written
out by hand below, and ONE call, ``autograd.check(loss, yours, names=locals())``, compares
all 26 of the learner's gradients with backward's: every one right or wrong, and for the
first wrong one its chain-rule sum, the learner's number beside the right one and why. No
``retain_grad()`` and no comparison per tensor.

The program reads as makemore's does, with ``import autograd as torch`` and
``import nn.functional as F``: ``torch.Generator().manual_seed``, ``torch.randint``,
``.view``, ``.clone()``, ``F.one_hot``. The training words are a short list this demo makes
(or your own list, one word a line,
with ``--names FILE``; nothing is downloaded). ``--mistake`` puts one of the lecture's
classic slips into the hand-written backward, to see ``check`` find it.

    python -m demos.backprop_ninja [--names FILE] [--mistake {path,bessel,broadcast}] [--seed 42]
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import autograd as torch
import nn.functional as F
from demos._common import heading, parser

#: The words the demo learns from when no --names file is given: 48 short given names.
WORDS = (  # noqa: SIM905 - a list of words reads best as words
    "emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily "
    "ella elizabeth camila luna sofia avery mila aria scarlett penelope layla chloe "
    "liam noah oliver elijah james william benjamin lucas henry alexander mason michael "
    "ethan daniel jacob logan jackson levi sebastian mateo jack owen theodore aiden"
).split()

BLOCK_SIZE = 3  # characters of context
N_EMBD = 10  # dimensions of a character's embedding
N_HIDDEN = 64  # hidden units
BATCH_SIZE = 32

#: The 26 gradients the learner works out, from the loss back to the embedding table, in
#: the order backward reaches them.
CHECKED = (  # noqa: SIM905
    "logprobs probs counts_sum_inv counts_sum counts norm_logits logit_maxes logits h W2 b2 "
    "hpreact bngain bnbias bnraw bnvar_inv bnvar bndiff2 bndiff bnmeani hprebn embcat W1 b1 "
    "emb C"
).split()

MISTAKES = {
    "path": "counts reaches the loss twice (through probs and through counts_sum): one left out",
    "bessel": "batch norm's variance divides by n − 1: the backward divides by n",
    "broadcast": "bnmeani was broadcast over the batch: its gradient is not summed back",
}


def read_words(path: str | None) -> list[str]:
    """The training words: the demo's own list, or one word a line from ``path``."""
    if path is None:
        return list(WORDS)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SystemExit(f"--names: cannot read {path}: {error}") from None
    words = [line.strip().lower() for line in text.splitlines() if line.strip()]
    if not words:
        raise SystemExit(f"--names: {path} holds no words (one word a line)")
    return words


def dataset(words: list[str]) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    """Every (three characters, next character) pair of the words, '.' marking both ends."""
    alphabet = ["."] + sorted(set("".join(words)) - {"."})
    index = {c: i for i, c in enumerate(alphabet)}
    contexts, targets = [], []
    for word in words:
        window = [0] * BLOCK_SIZE
        for c in word + ".":
            contexts.append(window)
            targets.append(index[c])
            window = window[1:] + [index[c]]
    return torch.tensor(contexts), torch.tensor(targets), alphabet


def forward(X: Any, Y: Any, vocab_size: int, seed: int) -> dict[str, Any]:
    """The network's forward pass as makemore part 4 splits it, every step a named tensor."""
    g = torch.Generator().manual_seed(seed)
    fan_in = N_EMBD * BLOCK_SIZE
    # Parameters, scaled as in the lecture (small but not zero, so no gradient is trivially 0).
    C = torch.randn(vocab_size, N_EMBD, generator=g)
    W1 = torch.randn(fan_in, N_HIDDEN, generator=g) * (5 / 3) / fan_in**0.5
    b1 = torch.randn(N_HIDDEN, generator=g) * 0.1
    W2 = torch.randn(N_HIDDEN, vocab_size, generator=g) * 0.1
    b2 = torch.randn(vocab_size, generator=g) * 0.1
    bngain = torch.randn(1, N_HIDDEN, generator=g) * 0.1 + 1.0
    bnbias = torch.randn(1, N_HIDDEN, generator=g) * 0.1
    for p in (C, W1, b1, W2, b2, bngain, bnbias):
        p.requires_grad = True
    picked = torch.randint(0, X.shape[0], (BATCH_SIZE,), generator=g)
    Xb, Yb = X[picked], Y[picked]
    n = BATCH_SIZE

    emb = C[Xb]  # each character of each context, embedded: [n, 3, 10]
    embcat = emb.view(emb.shape[0], -1)  # the three side by side: [n, 30]
    hprebn = embcat @ W1 + b1  # the hidden layer before batch norm
    bnmeani = 1 / n * hprebn.sum(0, keepdim=True)  # batch norm: the mean over the batch,
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff**2
    bnvar = 1 / (n - 1) * bndiff2.sum(0, keepdim=True)  # the variance (n − 1: Bessel),
    bnvar_inv = (bnvar + 1e-5) ** -0.5
    bnraw = bndiff * bnvar_inv  # each unit normalised over the batch,
    hpreact = bngain * bnraw + bnbias  # then scaled and shifted
    h = torch.tanh(hpreact)
    logits = h @ W2 + b2
    # cross entropy, step by step: the largest logit subtracted (it changes nothing but
    # keeps exp finite), exp, normalised to probabilities, log, the mean of the targets' −log
    logit_maxes = logits.max(1, keepdim=True).values
    norm_logits = logits - logit_maxes
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdim=True)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    loss = -logprobs[torch.arange(n), Yb].mean()
    return dict(locals())


def backward_by_hand(f: dict[str, Any], mistake: str | None = None) -> dict[str, Any]:
    """Exercise 1 of the lecture, the learner's part: d(loss)/d(every step), by hand, from
    the loss back to the embedding table. Plain numbers (no_grad): no graph is recorded."""
    n = BATCH_SIZE
    with torch.no_grad():
        # loss = −mean of n picked entries of logprobs: each picked entry gets −1/n.
        dlogprobs = torch.zeros_like(f["logprobs"])
        dlogprobs[torch.arange(n), f["Yb"]] = -1.0 / n
        dprobs = dlogprobs / f["probs"]  # d log p / dp = 1/p
        # probs = counts · counts_sum_inv, the second broadcast along each row: summed back.
        dcounts_sum_inv = (f["counts"] * dprobs).sum(1, keepdim=True)
        dcounts = f["counts_sum_inv"] * dprobs
        dcounts_sum = -(f["counts_sum"] ** -2) * dcounts_sum_inv
        if mistake != "path":
            # counts also made counts_sum: the second path adds its share to every entry.
            dcounts = dcounts + torch.ones_like(f["counts"]) * dcounts_sum
        dnorm_logits = f["counts"] * dcounts  # d exp(x)/dx = exp(x)
        # norm_logits = logits − logit_maxes: logits gets dnorm_logits as it is, and the
        # row maximum (broadcast along the row) the negative row sum...
        dlogits = dnorm_logits.clone()
        dlogit_maxes = -dnorm_logits.sum(1, keepdim=True)
        # ...which goes back to the one logit of each row that was the maximum.
        winners = f["logits"].max(1).indices
        dlogits += F.one_hot(winners, num_classes=f["logits"].shape[1]) * dlogit_maxes
        dh = dlogits @ f["W2"].T
        dW2 = f["h"].T @ dlogits
        db2 = dlogits.sum(0)
        dhpreact = (1.0 - f["h"] ** 2) * dh  # d tanh(x)/dx = 1 − tanh(x)²
        dbngain = (f["bnraw"] * dhpreact).sum(0, keepdim=True)
        dbnraw = f["bngain"] * dhpreact
        dbnbias = dhpreact.sum(0, keepdim=True)
        dbndiff = f["bnvar_inv"] * dbnraw
        dbnvar_inv = (f["bndiff"] * dbnraw).sum(0, keepdim=True)
        dbnvar = -0.5 * (f["bnvar"] + 1e-5) ** -1.5 * dbnvar_inv
        spread = 1.0 / (n if mistake == "bessel" else n - 1)
        dbndiff2 = spread * torch.ones_like(f["bndiff2"]) * dbnvar
        dbndiff = dbndiff + 2 * f["bndiff"] * dbndiff2  # bndiff's second path, through bndiff2
        # bnmeani was broadcast over the batch: its gradient sums the batch back (the slip
        # leaves it [n, 64], one row per example)
        summed = mistake != "broadcast"
        dbnmeani = -dbndiff.sum(0, keepdim=True) if summed else -dbndiff
        dhprebn = dbndiff + 1.0 / n * torch.ones_like(f["hprebn"]) * dbnmeani
        dembcat = dhprebn @ f["W1"].T
        dW1 = f["embcat"].T @ dhprebn
        db1 = dhprebn.sum(0)
        demb = dembcat.view(*f["emb"].shape)
        # emb = C[Xb] picked rows of C: each pick sends its gradient back to its row.
        dC = torch.zeros_like(f["C"])
        Xb = f["Xb"]
        for k in range(Xb.shape[0]):
            for j in range(Xb.shape[1]):
                ix = Xb[k, j]
                dC[ix] += demb[k, j]
    return dict(locals())


def main(argv: Sequence[str] | None = None) -> torch.CheckReport:
    p = parser("backprop_ninja", __doc__)
    p.add_argument("--names", metavar="FILE", help="your own words, one a line (default: 48)")
    p.add_argument("--mistake", choices=sorted(MISTAKES), help="put a classic slip in")
    p.add_argument("--seed", type=int, default=42, help="parameters and minibatch (default 42)")
    args = p.parse_args(argv)
    words = read_words(args.names)
    X, Y, alphabet = dataset(words)
    print(heading("Backprop by hand through a batch-norm MLP (makemore part 4)"))
    print(
        f"{len(words)} words, {len(X)} examples, {len(alphabet)} characters; a minibatch of "
        f"{BATCH_SIZE}, embedding {N_EMBD}, hidden layer {N_HIDDEN} with batch norm and tanh"
    )
    f = forward(X, Y, len(alphabet), args.seed)
    print(f"loss = {f['loss'].item():.4f}")
    if args.mistake:
        print(f"with a mistake put in: {MISTAKES[args.mistake]}")
    mine = backward_by_hand(f, args.mistake)
    yours = {name: mine["d" + name] for name in CHECKED if "d" + name in mine}
    print()
    # One call checks them all: the names are the forward pass's own variables.
    report = torch.check(f["loss"], yours, names=f)
    print(report)
    return report


if __name__ == "__main__":
    main()
