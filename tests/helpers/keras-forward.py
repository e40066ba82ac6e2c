# An independent forward pass of a Keras .h5 file in NumPy (h5py reads it; no Keras, no TF.js), for the
# tests: float32 NHWC images on stdin, softmax outputs on stdout. Handles the layers of Digit Lab's presets.
import h5py, json, sys
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view as windows
f = h5py.File(sys.argv[1], 'r')
x = np.frombuffer(sys.stdin.buffer.read(), dtype=np.float32).reshape(-1, 28, 28, 1) * float(f.attrs['digit_lab_input_scale'])
cfg = json.loads(f.attrs['model_config'])['config']['layers']
g = f['model_weights']
act = {'relu': lambda v: np.maximum(v, 0), 'linear': lambda v: v,
       'softmax': lambda v: np.exp(v - v.max(-1, keepdims=True)) / np.exp(v - v.max(-1, keepdims=True)).sum(-1, keepdims=True)}
for layer in cfg:
    c, kind = layer['config'], layer['class_name']
    w = [np.array(g[c['name']][n]) for n in g[c['name']].attrs['weight_names']] if c['name'] in g else []
    if kind == 'Conv2D':
        assert c['strides'] == [1, 1] and c['padding'] == 'valid'
        kh, kw = w[0].shape[:2]
        x = np.einsum('nhwcij,ijco->nhwo', windows(x, (kh, kw), axis=(1, 2)), w[0]) + w[1]
        x = act[c['activation']](x)
    elif kind == 'MaxPooling2D':
        p = c['pool_size'][0]
        n, h, wd, ch = x.shape
        x = x[:, : h // p * p, : wd // p * p].reshape(n, h // p, p, wd // p, p, ch).max(axis=(2, 4))
    elif kind == 'Flatten':
        x = x.reshape(len(x), -1)
    elif kind == 'Dense':
        x = act[c['activation']](x @ w[0] + w[1])
    elif kind not in ('Dropout', 'InputLayer'):
        raise SystemExit('layer not handled: ' + kind)
sys.stdout.buffer.write(x.astype(np.float32).tobytes())
