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


def driver_rules(
    files: Mapping[str, str], typed: Mapping[str, pd.DataFrame], valid: Mapping[str, pd.DataFrame]
) -> list[Violation]:
    """Cross-table rules: no spend for organic or non-media channels, activity values for every
    such channel and for no paid one, non-negative organic volumes, impressions for every
    exposure-driven channel. Only rows whose channel passed its own checks take part."""
    registry = typed["channel_registry"]
    named = valid["channel_registry"]["channel"]
    kinds = registry_kinds(registry)[named]
    kind_of = dict(zip(registry["channel"][named], kinds, strict=True))
    registry_file = files["channel_registry"]
    problems: list[Violation] = []
    for table in ("channel_spend", "platform_spend"):
        channels = _channels(typed, valid, table)
        if channels is not None:
            problems += _rows_of_kind(files[table], channels, kind_of, UNPAID_KINDS, "spend_for_unpaid_channel")
    activity = _channels(typed, valid, "channel_activity")
    activity_file = files.get("channel_activity", "channel_activity.csv")
    if activity is not None:
        problems += _rows_of_kind(activity_file, activity, kind_of, ("paid",), "activity_for_paid_channel")
        problems += _negative_volumes(activity_file, typed["channel_activity"], activity, kind_of)
    reported = set() if activity is None else set(activity)
    for row, channel in registry["channel"][named].items():
        if kind_of[channel] in UNPAID_KINDS and channel not in reported:
            what = "organic channel" if kind_of[channel] == "organic" else "non-media treatment"
            message = (
                f"{what} {show(channel)} has no rows in {activity_file}; its weekly values are the data the "
                "model fits, so add them or drop the channel from the registry"
            )
            problems.append(Violation(registry_file, int(row), "channel", "activity_values", message))
    problems += _exposure_without_impressions(registry_file, registry, named, kind_of, typed, valid)
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


def _channels(typed: Mapping[str, pd.DataFrame], valid: Mapping[str, pd.DataFrame], table: str) -> pd.Series | None:
    """The table's channel cells that passed their checks, or None when the table or column is absent."""
    if table not in typed or "channel" not in typed[table]:
        return None
    return typed[table]["channel"][valid[table]["channel"]]


def _rows_of_kind(
    file: str, channels: pd.Series, kind_of: Mapping[str, str], kinds: tuple[str, ...], rule: str
) -> list[Violation]:
    """One violation per channel of one of ``kinds`` found in ``file``, at its first row."""
    hits = channels[channels.map(kind_of).isin(kinds)]
    counts = hits.value_counts()
    firsts = hits[~hits.duplicated()]

    def message(channel: str) -> str:
        kind = kind_of[channel]
        n = counts[channel]
        if kind == "paid":
            return (
                f"channel {show(channel)} is paid in the registry but has {n} activity row{'' if n == 1 else 's'}; "
                "a paid channel's data is its spend (set channel_kind to organic or non_media, or drop the rows)"
            )
        return (
            f"channel {show(channel)} is {kind} in the registry but has {n} spend row{'' if n == 1 else 's'}; "
            "only paid channels have spend (its values belong in channel_activity)"
        )

    return listed(file, "channel", rule, ((int(row), message(c)) for row, c in firsts.items()), len(firsts))


def _negative_volumes(
    file: str, activity: pd.DataFrame, channels: pd.Series, kind_of: Mapping[str, str]
) -> list[Violation]:
    """Organic volumes (sends, visits, posts) cannot be negative; treatments may be signed."""
    if "value" not in activity:
        return []
    organic = channels.map(kind_of).eq("organic")
    values = activity["value"].reindex(channels.index)
    bad = values[organic & (values < 0).fillna(False).astype(bool)]
    found = (
        (int(row), f"value {value:g} of organic channel {show(channels[row])} is negative; a volume is 0 or more")
        for row, value in bad.items()
    )
    return listed(file, "value", "non_negative", found, len(bad))


def _exposure_without_impressions(
    registry_file: str,
    registry: pd.DataFrame,
    named: pd.Series,
    kind_of: Mapping[str, str],
    typed: Mapping[str, pd.DataFrame],
    valid: Mapping[str, pd.DataFrame],
) -> list[Violation]:
    """An exposure-driven paid channel needs positive impressions in channel_spend to fit on."""
    if "exposure_driven" not in registry or "channel_spend" not in typed:
        return []
    spend = typed["channel_spend"]
    if not {"channel", "impressions"} <= set(spend):
        return []
    ok = valid["channel_spend"]["channel"]
    with_impressions = set(spend["channel"][ok & (spend["impressions"] > 0).fillna(False).astype(bool)])
    flagged = registry["exposure_driven"].astype(object).eq(True) & named
    problems = []
    for row in registry.index[flagged]:
        channel = registry.at[row, "channel"]
        if kind_of.get(channel) == "paid" and channel not in with_impressions:
            message = (
                f"channel {show(channel)} is exposure_driven but channel_spend has no positive impressions for it; "
                "fill the impressions column or set exposure_driven to false"
            )
            problems.append(Violation(registry_file, int(row), "exposure_driven", "exposure_impressions", message))
    return problems
