"""The report's plots: matplotlib figures (Agg, no display) handed back as base64 PNG for an ``<img>``.

matplotlib is imported on the first plot, not with this module: every ``gra`` command imports the report.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np

#: Colours of the two sides the report compares (seeds against the run's samples).
SEEDS, KEPT = "#9aa5b1", "#d9480f"


def pyplot():
    """matplotlib's pyplot on the Agg backend (files only, no display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def png(fig) -> str:
    """The figure as base64 PNG (small: 90 dpi), closed afterwards."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    pyplot().close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def bars(labels: Sequence[str], series: dict[str, Sequence[float]], title: str, ylabel: str, horizontal=False) -> str:
    """Grouped bars: one group per label, one bar per series."""
    fig, ax = pyplot().subplots(figsize=(7, max(2.5, 0.35 * len(labels)) if horizontal else 3.2))
    width = 0.8 / max(1, len(series))
    at = np.arange(len(labels))
    for i, (name, values) in enumerate(series.items()):
        place = at + (i - (len(series) - 1) / 2) * width
        (ax.barh if horizontal else ax.bar)(place, values, width, label=name)
    if horizontal:
        ax.set_yticks(at, labels)
        ax.invert_yaxis()
        ax.set_xlabel(ylabel)
    else:
        ax.set_xticks(at, labels, rotation=20, ha="right")
        ax.set_ylabel(ylabel)
    if len(series) > 1:
        ax.legend(fontsize=8)
    ax.set_title(title)
    return png(fig)


def score_histograms(by_group: dict[str, list[int]], title: str) -> str:
    """One small histogram of 1-10 scores per group (a member, or a dimension)."""
    n = max(1, len(by_group))
    cols = min(3, n)
    rows = -(-n // cols)
    fig, axes = pyplot().subplots(rows, cols, figsize=(3.2 * cols, 2.2 * rows), squeeze=False, sharex=True)
    for ax, (name, scores) in zip(axes.flat, by_group.items(), strict=False):
        ax.hist(scores, bins=np.arange(0.5, 11.5, 1.0), color=KEPT, rwidth=0.85)
        ax.set_title(f"{name} (n={len(scores)})", fontsize=9)
        ax.set_xticks(range(1, 11))
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    return png(fig)


def histogram(values: Sequence[float], title: str, xlabel: str, mark: float | None = None, label: str = "") -> str:
    """One histogram, with a vertical line at ``mark`` (δ, for instance)."""
    fig, ax = pyplot().subplots(figsize=(6, 2.8))
    ax.hist(values, bins=20, color=KEPT)
    if mark is not None:
        ax.axvline(mark, color="black", linestyle="--", label=label)
        ax.legend(fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("samples")
    ax.set_title(title)
    return png(fig)


def two_distributions(seeds: Sequence[float], kept: Sequence[float], title: str, xlabel: str) -> str:
    """Seeds against kept samples, as overlaid density histograms (values above the 98th percentile in the last bin)."""
    fig, ax = pyplot().subplots(figsize=(6, 2.8))
    both = np.concatenate([np.asarray(seeds, float), np.asarray(kept, float)])
    top = float(np.quantile(both, 0.98)) if len(both) else 1.0  # a few outliers would squash the rest
    seeds, kept = np.minimum(seeds, top), np.minimum(kept, top)  # drawn in the last bin
    bins = np.linspace(min(both.min(), top), top, 21) if len(both) else 10
    ax.hist(seeds, bins=bins, alpha=0.6, density=True, color=SEEDS, label=f"seeds (n={len(seeds)})")
    ax.hist(kept, bins=bins, alpha=0.6, density=True, color=KEPT, label=f"kept (n={len(kept)})")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    ax.set_title(title)
    return png(fig)


def coverage_map(seeds: np.ndarray, kept: np.ndarray, title: str) -> str:
    """The t-SNE map: seeds in grey, kept samples in colour."""
    fig, ax = pyplot().subplots(figsize=(6, 5))
    ax.scatter(seeds[:, 0], seeds[:, 1], s=12, color=SEEDS, label=f"seeds (n={len(seeds)})")
    ax.scatter(kept[:, 0], kept[:, 1], s=22, color=KEPT, marker="^", label=f"kept (n={len(kept)})")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=8)
    ax.set_title(title)
    return png(fig)


def reliability(curves: dict[str, Sequence[tuple[float, float]]], title: str) -> str:
    """A reliability diagram: per member, the share found right against the P(right) said; the diagonal is perfect."""
    fig, ax = pyplot().subplots(figsize=(4.6, 4.2))
    ax.plot([0, 1], [0, 1], color="#bbb", linestyle="--", linewidth=1, label="perfect")
    for name, points in curves.items():
        ax.plot([p for p, _ in points], [r for _, r in points], marker="o", label=name)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("P(right) the calibrated sheet says")
    ax.set_ylabel("share of those rows right")
    ax.legend(fontsize=8)
    ax.set_title(title)
    return png(fig)
