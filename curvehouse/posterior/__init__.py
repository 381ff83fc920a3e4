"""Posterior (and prior) draws turned into business quantities and published summaries."""
