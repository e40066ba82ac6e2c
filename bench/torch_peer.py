"""PyTorch peer of Digit Lab's benchmarks: the networks of src-main/engine/models.ts in PyTorch, trained as the
engine trains them (Adam with the preset's betas, TF.js's epsilon 1e-7, Keras' initialisation: Glorot-uniform kernels,
zero biases; dropout as the preset's training defaults say). Run with Debian's /usr/bin/python3 (python3-torch).

  torch_peer.py serve <mnist dir> <preset> <batch> <dropout 0|1> <beta1> <beta2> <threads>
      For `npm run bench` (bench/peer.ts): builds the model, then answers one line per command on stdin:
        train <start> <batches>  trains <batches> batches of the training images from <start> (as bench/mnist-batch.ts
                                 takes them); prints RESULT {"seconds": …}
        eval                     predicts the 10 000 test images in batches of 250; prints RESULT {"seconds": …}
        gemm                     a 1024³ float32 torch.mm (PyTorch's BLAS on <threads> threads); RESULT {"macsPerSec": …}
        quit
  torch_peer.py time99 <mnist dir> <seed> <out dir> [epochs batch lr beta1 beta2 validation]
      For bench/time-to-99.ts: `digit-lab train --seed N`'s recipe (defaults: `fast` without dropout, 2 epochs of
      batch 256, Adam β 0.7 / 0.9, one-cycle to 0.01, 5 000 images held out) on the same split and batch order
      (Digit Lab's mulberry32 shuffles, ported below); validation after each epoch, the test set once, the model
      saved to <out dir>/model.pt, then the line "saved model: …". Prints RESULT {…} last.
"""
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
from torch import nn

M32 = 0xFFFFFFFF
ONE_CYCLE = {"warmup": 0.2, "start": 0.1, "floor": 0.02}  # src-shared/types.ts ONE_CYCLE
EVAL_BATCH = 250  # src-main/engine/evaluate.ts EVAL_BATCH


def network(preset, dropout):
    drop = (lambda rate: [nn.Dropout(rate)]) if dropout else (lambda rate: [])
    if preset == "seed":  # classifier.py: its convolution has no activation (Keras' default, linear)
        layers = [nn.Conv2d(1, 28, 3), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(28 * 13 * 13, 128), nn.ReLU(),
                  *drop(0.2), nn.Linear(128, 10)]
    elif preset == "mlp":
        layers = [nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), *drop(0.2), nn.Linear(256, 10)]
    elif preset == "fast":
        layers = [nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Flatten(), *drop(0.25), nn.Linear(512, 128), nn.ReLU(), *drop(0.4), nn.Linear(128, 10)]
    else:
        raise SystemExit(f"torch_peer.py: no PyTorch network for preset {preset}")
    model = nn.Sequential(*layers)
    for m in model.modules():  # Keras' defaults
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def read_idx(path, header):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def load(data_dir):
    x = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte"), 16).reshape(-1, 1, 28, 28)
    y = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte"), 8).astype(np.int64)
    tx = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte"), 16).reshape(-1, 1, 28, 28)
    ty = read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte"), 8).astype(np.int64)
    return x, y, tx, ty


def floats(images):
    return torch.from_numpy(images.astype(np.float32) / 255)


def mulberry32(seed):
    """src-shared/random.ts mulberry32, bit for bit."""
    state = [seed & M32]

    def rng():
        state[0] = (state[0] + 0x6D2B79F5) & M32
        t = state[0]
        t = ((t ^ (t >> 15)) * (t | 1)) & M32
        t = (t ^ ((t + (((t ^ (t >> 7)) * (t | 61)) & M32)) & M32)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    return rng


def shuffled(n, rng):
    """src-shared/random.ts shuffleInPlace over 0..n-1 (Fisher-Yates from the end)."""
    a = list(range(n))
    for i in range(n - 1, 0, -1):
        j = math.floor(rng() * (i + 1))
        a[i], a[j] = a[j], a[i]
    return np.array(a, dtype=np.int64)


def adam(model, lr, beta1, beta2):
    return torch.optim.Adam(model.parameters(), lr=lr, betas=(beta1, beta2), eps=1e-7)


def serve(argv):
    data_dir, preset, batch, dropout, beta1, beta2, threads = argv
    batch, threads = int(batch), int(threads)
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x, y, tx, _ = load(data_dir)
    model = network(preset, dropout == "1")
    opt = adam(model, 0.001, float(beta1), float(beta2))
    loss_fn = nn.CrossEntropyLoss()
    test = floats(tx)

    def train(start, batches):
        model.train()
        chunks = []
        for i in range(batches):  # bench/mnist-batch.ts: n images from `start`, wrapping round the split
            s = (start + i * batch) % (x.shape[0] - batch + 1)
            chunks.append((floats(x[s:s + batch]), torch.from_numpy(y[s:s + batch])))
        t0 = time.perf_counter()
        for xb, yb in chunks:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
        return time.perf_counter() - t0

    def evaluate():
        model.eval()
        t0 = time.perf_counter()
        with torch.no_grad():
            for i in range(0, test.shape[0], EVAL_BATCH):
                model(test[i:i + EVAL_BATCH]).softmax(1)
        return time.perf_counter() - t0

    def gemm():
        a, b = torch.rand(1024, 1024), torch.rand(1024, 1024)
        torch.mm(a, b)
        best = 0.0
        for _ in range(3):
            t0 = time.perf_counter()
            for _ in range(5):
                torch.mm(a, b)
            best = max(best, 5 * 1024 ** 3 / (time.perf_counter() - t0))
        return best

    blas = next((w.split("=")[1].rstrip(",") for w in torch.__config__.show().split() if w.startswith("BLAS_INFO=")), "unknown")
    print("READY " + json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        if cmd[0] == "train":
            out = {"seconds": train(int(cmd[1]), int(cmd[2]))}
        elif cmd[0] == "eval":
            out = {"seconds": evaluate()}
        elif cmd[0] == "gemm":
            out = {"macsPerSec": gemm()}
        else:
            raise SystemExit(f"torch_peer.py: unknown command {cmd[0]}")
        print("RESULT " + json.dumps(out), flush=True)


def one_cycle(base, progress):
    """src-shared/types.ts scheduledLearningRate, schedule 'onecycle'."""
    w, start, floor = ONE_CYCLE["warmup"], ONE_CYCLE["start"], ONE_CYCLE["floor"]
    if progress < w:
        return base * (start + (1 - start) * progress / w)
    p = min(1.0, (progress - w) / (1 - w))
    return base * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p)))


def accuracy(model, images, labels):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(labels), EVAL_BATCH):
            pred = model(floats(images[i:i + EVAL_BATCH])).argmax(1).numpy()
            correct += int((pred == labels[i:i + EVAL_BATCH]).sum())
    return correct / len(labels)


def time99(argv):
    data_dir, seed, out_dir = argv[0], int(argv[1]), argv[2]
    epochs, batch, lr, beta1, beta2, validation = (
        (int(argv[3]), int(argv[4]), float(argv[5]), float(argv[6]), float(argv[7]), int(argv[8]))
        if len(argv) > 3 else (2, 256, 0.01, 0.7, 0.9, 5000))
    threads = int(os.environ.get("DIGIT_LAB_THREADS", os.cpu_count() or 1))
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    x, y, tx, ty = load(data_dir)
    order = shuffled(x.shape[0], mulberry32(seed))  # src-main/engine/data/mnist.ts splitTrainVal
    val_idx, train_idx = order[:validation], order[validation:]
    vx, vy, trx, tr_y = x[val_idx], y[val_idx], x[train_idx], y[train_idx]
    model = network("fast", False)
    opt = adam(model, lr, beta1, beta2)
    loss_fn = nn.CrossEntropyLoss()
    total = epochs * math.ceil(len(tr_y) / batch)
    step = 0
    history = []
    for epoch in range(1, epochs + 1):
        model.train()
        t0 = time.perf_counter()
        perm = shuffled(len(tr_y), mulberry32((seed * 1009 + epoch) & M32))  # train.ts: batchIndices' order
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            for g in opt.param_groups:
                g["lr"] = one_cycle(lr, step / total)
            opt.zero_grad()
            loss_fn(model(floats(trx[idx])), torch.from_numpy(tr_y[idx])).backward()
            opt.step()
            step += 1
        seconds = time.perf_counter() - t0
        val = accuracy(model, vx, vy) if validation else float("nan")
        history.append({"epoch": epoch, "valAccuracy": val, "imagesPerSec": len(tr_y) / seconds})
        print(f"epoch {epoch}/{epochs} - val_acc: {val:.4f} - {len(tr_y) / seconds:.0f} img/s", file=sys.stderr, flush=True)
    test = accuracy(model, tx, ty)
    os.makedirs(out_dir, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(out_dir, "model.pt"))
    print(f"saved model: {os.path.join(out_dir, 'model.pt')}", flush=True)
    print("RESULT " + json.dumps({"torch": torch.__version__, "threads": threads, "seed": seed, "history": history,
                                  "valAccuracy": history[-1]["valAccuracy"], "accuracy": test,
                                  "peakMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("serve", "time99"):
        raise SystemExit(__doc__)
    (serve if sys.argv[1] == "serve" else time99)(sys.argv[2:])
