"""Data gates: Great Expectations suites (``expectations/``) run per segment before any fit.

A failed error-severity gate blocks that segment's fit; warnings are surfaced, never imputed.
"""
