"""The model's noise family as a scipy distribution, for what is computed outside the sampler: the
PSIS holdout's pointwise likelihood, and the log likelihood and replicated outcomes of a fit's
InferenceData (the sampler's own is curvehouse.model.numpyro_model.mmm_model's likelihood)."""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.stats._distn_infrastructure import rv_continuous_frozen

from curvehouse.model.spec import ModelSpec

__all__ = ["noise_distribution"]


def noise_distribution(spec: ModelSpec, mean: np.ndarray, scale: np.ndarray) -> rv_continuous_frozen:
    """Normal, or Student-t with the priors' degrees of freedom (mmm.noise), around mean with scale."""
    if spec.noise == "student_t":
        return stats.t(spec.priors.student_t_df, loc=mean, scale=scale)
    return stats.norm(loc=mean, scale=scale)
