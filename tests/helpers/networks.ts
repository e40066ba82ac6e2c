// Networks the network tests share: impossible texts with the one line each must be refused with, and valid designs
// beyond the presets (every layer kind, strides, same padding, batch norm, average pooling, each activation).

/** Twelve kinds of impossible text, each with the layer and reason its one line must name. */
export const INVALID: [string, RegExp][] = [
  ['conv16k0-relu,flatten', /^layer 1 'conv16k0-relu': kernel size below 1 \(0\)$/],
  ['conv16k5,maxpool2,conv32k5,maxpool2,conv64k5,flatten', /^layer 5 'conv64k5': output size below 1: a 5×5 window on 4×4×32$/],
  ['conv16k5-relu,dense128-relu', /^layer 2 'dense128-relu': Dense on a 3-D output \(24×24×16\) without Flatten/],
  ['flatten,dropout1', /^layer 2 'dropout1': dropout rate outside \[0, 1\) \(1\)$/],
  ['conv16k5-relu,pool2,flatten', /^layer 2 'pool2': unknown layer \(one of: conv<filters>k<kernel>/],
  ['conv16k5-swish,flatten', /^layer 1 'conv16k5-swish': unknown option '-swish' for conv \(padding valid\|same, activation relu\|elu\|tanh\|sigmoid\|linear\)$/],
  ['flatten,,dense10', /^layer 2 '': empty layer/],
  ['flatten,conv8k3', /^layer 2 'conv8k3': Conv2D needs a 3-D input \(height×width×channels\), but the output before it is 784/],
  ['conv8k3', /^output 'dense10-softmax': Dense on a 3-D output \(26×26×8\) without Flatten: put flatten before it$/],
  ['maxpool2s0,flatten', /^layer 1 'maxpool2s0': stride below 1 \(0\)$/],
  ['flatten,flatten', /^layer 2 'flatten': the output before it is already flat \(784\)$/],
  ['flatten,dense64-softmax', /^layer 2 'dense64-softmax': softmax is the fixed output/],
];

/** Valid designed networks, beyond the presets. */
export const DESIGNED: string[] = [
  'conv8k3s2-same-elu,avgpool2,flatten,dense32-tanh',
  'conv16k3-same-relu,batchnorm,maxpool2s1,conv24k5s2-sigmoid,flatten,dropout0.1,dense64',
  'flatten,dense64-elu,batchnorm,dense32-sigmoid',
  'avgpool4,conv4k7-same-tanh,batchnorm,flatten',
  'conv6k28,flatten',
];
