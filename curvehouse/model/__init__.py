"""The built-in Bayesian MMM: spec, data arrays, NumPyro model, sampling."""
