"""Raw input contract and validation (the layer before any SQL runs)."""
