"""Benchmarks: glassnet timed side by side with reference implementations.

Run ``python -m benchmarks`` (``--help`` for the options). Nothing here is a test: the
runner measures and prints; it asserts nothing about speed. See ``benchmarks/README.md``.
"""
