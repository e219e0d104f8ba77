"""Learned models. Each module holds one network's architecture, loader and inference,
so training (ai-research/) and serving can never disagree on an architecture.
TensorFlow is imported lazily, when a network is built."""
