"""Raw input rules for the drivers beyond paid media: channel kinds, activity values, exposure and priors.

The registry's optional columns (``channel_kind``, ``exposure_driven``, the marginal-ROI and
contribution-share priors) and the optional ``channel_activity`` table must agree with each other
and with ``channel_spend``: organic and non-media channels have activity values and no spend, paid
channels have spend and no activity values, an exposure-driven channel is paid and has impressions,
and each channel carries at most one kind of prior that suits its kind. Every finding is a
``Violation`` naming file, row, column and rule, like the other raw input rules.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from curvehouse.inputs.errors import Violation, listed, show
from curvehouse.inputs.schema import CHANNEL_KINDS
from curvehouse.inputs.summaries import CheckedTable, TableSummary

__all__ = ["PRIOR_KINDS", "UNPAID_KINDS", "driver_rules", "registry_driver_rules", "registry_kinds"]

# Prior kind -> its registry column prefix; a channel may carry at most one.
PRIOR_KINDS = {"roi": "roi_prior", "mroi": "mroi_prior", "contribution_share": "contribution_share_prior"}
# The prior kinds each channel kind may carry.
_ALLOWED_PRIORS = {"paid": set(PRIOR_KINDS), "organic": {"contribution_share"}, "non_media": set()}
UNPAID_KINDS = ("organic", "non_media")


def registry_kinds(registry: pd.DataFrame) -> pd.Series:
    """Each registry row's channel kind, trimmed and lower-cased; empty (or no column) reads as paid."""
    if "channel_kind" not in registry:
        return pd.Series("paid", index=registry.index, dtype=object)
    text = registry["channel_kind"].astype(object).where(registry["channel_kind"].notna(), "")
    kinds = text.astype(str).str.strip().str.casefold()
    return kinds.mask(kinds == "", "paid")


def registry_driver_rules(file: str, typed: pd.DataFrame, valid: pd.DataFrame) -> list[Violation]:
    """Registry-only rules on the driver columns: a known channel_kind, complete and positive
    marginal-ROI / contribution-share priors, one prior kind per channel, a prior kind that suits
    the channel's kind, and exposure_driven on paid channels only."""
    kinds = registry_kinds(typed)
    problems: list[Violation] = []
    unknown = kinds[~kinds.isin(CHANNEL_KINDS)]
    problems += listed(
        file,
        "channel_kind",
        "channel_kind",
        (
            (
                int(row),
                f"value {show(str(typed.at[row, 'channel_kind']))} is not a channel kind; use one of: "
                f"{', '.join(CHANNEL_KINDS)} (empty means paid)",
            )
            for row in unknown.index
        ),
        len(unknown),
    )
    given = _priors_given(typed, valid)
    problems += _prior_values(file, typed, valid)
    for row in typed.index:
        carried = [kind for kind in PRIOR_KINDS if given[kind][row]]
        if len(carried) > 1:
            columns = " and ".join(f"{PRIOR_KINDS[k]}_*" for k in carried)
            message = (
                f"the channel carries {columns}; give one prior kind per channel (roi, mroi or contribution_share)"
            )
            problems.append(Violation(file, int(row), PRIOR_KINDS[carried[1]] + "_mean", "one_prior_kind", message))
        kind = kinds[row]
        for prior in carried:
            if kind in _ALLOWED_PRIORS and prior not in _ALLOWED_PRIORS[kind]:
                allowed = ", ".join(sorted(_ALLOWED_PRIORS[kind])) or "none"
                message = (
                    f"a {kind} channel cannot carry a {prior} prior ({PRIOR_KINDS[prior]}_*); allowed: {allowed}"
                    + ("; it has no spend, so no ROI" if kind == "organic" else "")
                )
                problems.append(Violation(file, int(row), PRIOR_KINDS[prior] + "_mean", "prior_for_kind", message))
    if "exposure_driven" in typed:
        flagged = typed["exposure_driven"].astype(object).eq(True) & kinds.isin(UNPAID_KINDS)
        problems += listed(
            file,
            "exposure_driven",
            "exposure_impressions",
            (
                (int(row), f"a {kinds[row]} channel cannot be exposure_driven; only paid channels have impressions")
                for row in typed.index[flagged]
            ),
            int(flagged.sum()),
        )
    return problems


def driver_rules(registry: CheckedTable, summaries: Mapping[str, TableSummary]) -> list[Violation]:
    """Cross-table rules: no spend for organic or non-media channels, activity values for every
    such channel and for no paid one, non-negative organic volumes, impressions for every
    exposure-driven channel. Only rows whose channel passed its own checks take part; the tables
    other than the registry take part through their summaries."""
    named = registry.valid["channel"]
    channels = registry.typed["channel"][named]
    kind_of = dict(zip(channels, registry_kinds(registry.typed)[named], strict=True))
    problems: list[Violation] = []
    for table in ("channel_spend", "platform_spend"):
        if table in summaries and "channel" in summaries[table].columns:
            problems += _rows_of_kind(summaries[table], kind_of, UNPAID_KINDS, "spend_for_unpaid_channel")
    activity = summaries.get("channel_activity")
    activity_file = activity.file if activity is not None else "channel_activity.csv"
    reported: set[str] = set()
    if activity is not None and "channel" in activity.columns:
        problems += _rows_of_kind(activity, kind_of, ("paid",), "activity_for_paid_channel")
        problems += _negative_volumes(activity, kind_of)
        reported = set(activity.valid_names("channel"))
    for row, channel in channels.items():
        if kind_of[channel] in UNPAID_KINDS and channel not in reported:
            what = "organic channel" if kind_of[channel] == "organic" else "non-media treatment"
            message = (
                f"{what} {show(channel)} has no rows in {activity_file}; its weekly values are the data the "
                "model fits, so add them or drop the channel from the registry"
            )
            problems.append(Violation(registry.file, int(row), "channel", "activity_values", message))
    problems += _exposure_without_impressions(registry, kind_of, summaries.get("channel_spend"))
    return problems


def _priors_given(typed: pd.DataFrame, valid: pd.DataFrame) -> dict[str, pd.Series]:
    """Per prior kind, whether each registry row gives any of its mean / sd cells."""
    given = {}
    for kind, prefix in PRIOR_KINDS.items():
        cells = [f"{prefix}_mean", f"{prefix}_sd"]
        present = [c for c in cells if c in typed]
        any_cell = pd.Series(False, index=typed.index)
        for column in present:
            any_cell |= typed[column].notna() & valid[column]
        given[kind] = any_cell
    return given


def _prior_values(file: str, typed: pd.DataFrame, valid: pd.DataFrame) -> list[Violation]:
    """Marginal-ROI and contribution-share priors: both cells or neither, positive, a share below 1."""
    problems: list[Violation] = []
    for prefix in ("mroi_prior", "contribution_share_prior"):
        mean_col, sd_col = f"{prefix}_mean", f"{prefix}_sd"
        if not {mean_col, sd_col} & set(typed):
            continue
        mean = typed[mean_col] if mean_col in typed else pd.Series(pd.NA, index=typed.index, dtype=float)
        sd = typed[sd_col] if sd_col in typed else pd.Series(pd.NA, index=typed.index, dtype=float)
        checked = valid.get(mean_col, True) & valid.get(sd_col, True)
        for row in typed.index[checked & (mean.isna() != sd.isna())]:
            given, empty = (mean_col, sd_col) if pd.notna(mean[row]) else (sd_col, mean_col)
            message = f"{given} is {typed.at[row, given]:g} but {empty} is empty; give both or neither"
            problems.append(Violation(file, int(row), empty, "registry_prior", message))
        for column, values in ((mean_col, mean), (sd_col, sd)):
            for row in typed.index[checked & (values <= 0).fillna(False).astype(bool)]:
                message = f"{column} is {values[row]:g}; a prior's mean and spread must be positive"
                problems.append(Violation(file, int(row), column, "prior_positive", message))
        if prefix == "contribution_share_prior":
            for row in typed.index[checked & (mean >= 1).fillna(False).astype(bool)]:
                message = f"{mean_col} is {mean[row]:g}; a contribution share lies strictly between 0 and 1"
                problems.append(Violation(file, int(row), mean_col, "contribution_share_range", message))
    return problems


def _rows_of_kind(
    summary: TableSummary, kind_of: Mapping[str, str], kinds: tuple[str, ...], rule: str
) -> list[Violation]:
    """One violation per channel of one of ``kinds`` found in the table, at its first row."""
    hits = [(c, first, n) for c, (first, n) in summary.valid_names("channel").items() if kind_of.get(c) in kinds]

    def message(channel: str, n: int) -> str:
        kind = kind_of[channel]
        if kind == "paid":
            return (
                f"channel {show(channel)} is paid in the registry but has {n} activity row{'' if n == 1 else 's'}; "
                "a paid channel's data is its spend (set channel_kind to organic or non_media, or drop the rows)"
            )
        return (
            f"channel {show(channel)} is {kind} in the registry but has {n} spend row{'' if n == 1 else 's'}; "
            "only paid channels have spend (its values belong in channel_activity)"
        )

    return listed(summary.file, "channel", rule, ((first, message(c, n)) for c, first, n in hits), len(hits))


def _negative_volumes(activity: TableSummary, kind_of: Mapping[str, str]) -> list[Violation]:
    """Organic volumes (sends, visits, posts) cannot be negative; treatments may be signed."""
    if "value" not in activity.columns:
        return []
    organic = {channel for channel, kind in kind_of.items() if kind == "organic"}
    total = sum(g.negatives for g in activity.groups if g.channel in organic)
    found = (
        (row, f"value {value:g} of organic channel {show(channel)} is negative; a volume is 0 or more")
        for row, channel, value in activity.negatives
        if channel in organic
    )
    return listed(activity.file, "value", "non_negative", found, total)


def _exposure_without_impressions(
    registry: CheckedTable, kind_of: Mapping[str, str], spend: TableSummary | None
) -> list[Violation]:
    """An exposure-driven paid channel needs positive impressions in channel_spend to fit on."""
    if "exposure_driven" not in registry.typed or spend is None:
        return []
    if not {"channel", "impressions"} <= spend.columns:
        return []
    with_impressions = {g.channel for g in spend.groups if g.impressions and g.channel is not None}
    typed = registry.typed
    flagged = typed["exposure_driven"].astype(object).eq(True) & registry.valid["channel"]
    problems = []
    for row in typed.index[flagged]:
        channel = typed.at[row, "channel"]
        if kind_of.get(channel) == "paid" and channel not in with_impressions:
            message = (
                f"channel {show(channel)} is exposure_driven but channel_spend has no positive impressions for it; "
                "fill the impressions column or set exposure_driven to false"
            )
            problems.append(Violation(registry.file, int(row), "exposure_driven", "exposure_impressions", message))
    return problems
