"""PyTorch peer for `npm run bench`: trains the same network as a preset of src-main/engine/models.ts (`fast` at
batch 128, or `seed`, classifier.py's, at its own batch 32) with Adam on MNIST and evaluates the 10k test set, on every
core; prints one RESULT line.
Usage: /usr/bin/python3 bench/torch_peer.py <mnist data dir> [train images] [fast|seed] [batch]
"""
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

BATCHES = {"fast": 128, "seed": 32}


def network(preset):
    if preset == "seed":  # its convolution has no activation (Keras' default, linear)
        return nn.Sequential(
            nn.Conv2d(1, 28, 3), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(28 * 13 * 13, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10),
        )
    return nn.Sequential(
        nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(512, 128), nn.ReLU(), nn.Dropout(0.4), nn.Linear(128, 10),
    )


def read_idx(path, header):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def main():
    data_dir = sys.argv[1]
    train_images = int(sys.argv[2]) if len(sys.argv) > 2 else 6400
    preset = sys.argv[3] if len(sys.argv) > 3 else "fast"
    BATCH = int(sys.argv[4]) if len(sys.argv) > 4 else BATCHES[preset]
    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte"), 16).reshape(-1, 1, 28, 28)
    y = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte"), 8)
    tx = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte"), 16).reshape(-1, 1, 28, 28)
    x = torch.from_numpy(x[: train_images + 5 * BATCH].astype(np.float32) / 255)
    y = torch.from_numpy(y[: train_images + 5 * BATCH].astype(np.int64))
    tx = torch.from_numpy(tx.astype(np.float32) / 255)

    model = network(preset)
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss()

    def step(i):
        xb, yb = x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH]
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()

    model.train()
    for i in range(5):  # warm-up
        step(i)
    batches = train_images // BATCH
    t0 = time.perf_counter()
    for i in range(batches):
        step(5 + i)
    train_s = time.perf_counter() - t0

    model.eval()
    t0 = time.perf_counter()
    with torch.no_grad():
        for i in range(0, tx.shape[0], 1000):
            model(tx[i:i + 1000]).softmax(1)
    eval_s = time.perf_counter() - t0
    # Native peak of these cores: a large float32 matrix product (BLAS, AVX/FMA, every core).
    a, b = torch.rand(1024, 1024), torch.rand(1024, 1024)
    torch.mm(a, b)
    t0 = time.perf_counter()
    for _ in range(10):
        torch.mm(a, b)
    gemm_macs = 10 * 1024 ** 3 / (time.perf_counter() - t0)
    print("RESULT " + json.dumps({
        "torch": torch.__version__, "threads": threads, "preset": preset, "batch": BATCH,
        "trainImagesPerSec": batches * BATCH / train_s, "evalSeconds": eval_s, "gemmMacsPerSec": gemm_macs,
    }))


if __name__ == "__main__":
    main()
