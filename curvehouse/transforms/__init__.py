"""Pure array transforms of the built-in model (jax.numpy in, jax.numpy out)."""
