"""Every example from the tutorials tracegrad teaches from, as a program.

Run one with ``python -m demos.NAME``; ``python -m demos`` is the tour.
"""
