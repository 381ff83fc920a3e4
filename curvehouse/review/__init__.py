"""Every fit reviewed before anyone reads it: checks over the fit's arrays (checks), their rows (rows)."""
