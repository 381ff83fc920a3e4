"""Names shared by the model, the posterior summaries and the published tables."""

# NumPyro sample sites (per segment x channel unless noted).
ROI = "roi"  # return on spend over the window, outcome currency per currency unit
HALF_POINT = "half_point"  # half-saturation weekly spend, in units of the channel's mean active spend
SLOPE = "slope"  # Hill slope S
THETA = "theta"  # geometric adstock decay per week
LEVEL = "level"  # per segment, mean outcome at average media and trend (sampled; decorrelates
# the baseline from the media effects), in units of mean weekly outcome
INTERCEPT = "intercept"  # per segment, baseline without media, derived from level, in the same units
TREND = "trend"  # per segment, change over the window in units of mean weekly outcome
GAMMA = "gamma"  # per segment x control, effect of a standardised control
SIGMA = "sigma"  # per segment, noise sd in units of mean weekly outcome
BETA = "beta"  # derived, per segment x channel: media effect at saturation, mean weekly outcome units
MU = "mu"  # derived, per segment x week: the model's mean, mean weekly outcome units
OBS = "y"
TREATMENT = "treatment_coef"  # per segment x non-media treatment: effect per treatment sd, mean weekly outcome units

EFFECT = "effect"  # sampled instead of ROI where some channel is organic or has an mROI or share prior
EFFECT_KIND = "effect_kind"  # derived, per segment x channel: the effect's kind code (curvehouse.model.effects)
CONTRIBUTION = "contribution_weeks"  # derived (with EFFECT), per segment x channel: contribution over the
# fit weeks in units of mean weekly outcome

HALF_POINT_SHIFT = (
    "half_point_shift"  # sampled, per segment x channel: slope * (log half_point - its prior's log median)
)

CHANNEL_SITES = (ROI, HALF_POINT, SLOPE, THETA, EFFECT)
SEGMENT_SITES = (LEVEL, INTERCEPT, TREND, SIGMA)

SOURCE_BUILTIN = "builtin"
STATUS_PUBLISHED = "published"
STATUS_REJECTED = "rejected"
