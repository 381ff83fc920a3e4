"""Data gates: Great Expectations suites (``expectations/``, GX ExpectationSuite files) run per
segment before any fit.

A failed error-severity gate blocks that segment's fit; warnings are surfaced, never imputed.
"""
