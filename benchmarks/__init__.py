"""Scripts that time tracegrad beside a peer in the same run: ``python -m benchmarks.NAME``."""
