"""Seeded demo data with a known ground truth, so the pipeline can be shown and checked end to end."""

from curvehouse.demo.generate import DEFAULT_CHANNELS, ChannelSpec, DemoData, generate_demo, write_demo

__all__ = ["DEFAULT_CHANNELS", "ChannelSpec", "DemoData", "generate_demo", "write_demo"]
