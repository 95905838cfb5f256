"""Neural networks on tracegrad: Neuron, Layer and MLP on Values; Module and friends on Tensors."""
