"""Performance scripts (not tests): each prints medians and ratios against baselines measured in
the same run (DESIGN §8). Run one with ``PYTHONPATH=src python benchmarks/<name>.py [--quick]``
or ``python -m benchmarks.<name>``."""
