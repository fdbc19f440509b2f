"""Bar charts of the summary report as PNG bytes (matplotlib, Agg backend: no display needed).

Text is drawn with the bundled Tinos font, so Vietnamese labels look the same on every
machine. Output is deterministic for the same data (no timestamp in the PNG metadata).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

FONTS = Path(__file__).resolve().parents[1] / "fonts"
_LOCK = threading.Lock()  # matplotlib's font cache is not thread-safe
_registered = False


def _font_family() -> str:
    global _registered
    if not _registered:
        for ttf in sorted(FONTS.glob("Tinos-*.ttf")):
            font_manager.fontManager.addfont(str(ttf))
        _registered = True
    return "Tinos"


def bar_chart(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, horizontal: bool = True
) -> bytes:
    """One bar per label; several series are stacked (e.g. on time / late)."""
    with _LOCK:
        family = _font_family()
        height = max(2.2, 0.42 * len(labels) + 1.2) if horizontal else 3.2
        fig = Figure(figsize=(6.3, height), dpi=110)
        ax = fig.add_subplot()
        positions = list(range(len(labels)))
        base = [0] * len(labels)
        colours = ("#2f5d8a", "#c0504d", "#9bbb59", "#8064a2")
        for n, (name, values) in enumerate(series):
            colour = colours[n % len(colours)]
            if horizontal:
                ax.barh(positions, values, left=base, label=name, color=colour)
            else:
                ax.bar(positions, values, bottom=base, label=name, color=colour)
            base = [b + v for b, v in zip(base, values)]
        for pos, total in zip(positions, base):
            if total:
                if horizontal:
                    ax.text(total, pos, f" {total}", va="center", fontsize=8, family=family)
                else:
                    ax.text(pos, total, str(total), ha="center", va="bottom", fontsize=8, family=family)
        if horizontal:
            ax.set_yticks(positions, labels, fontsize=8, family=family)
            ax.invert_yaxis()
            ax.set_xlim(0, max(base + [1]) * 1.15)
        else:
            ax.set_xticks(positions, labels, fontsize=8, family=family)
            ax.set_ylim(0, max(base + [1]) * 1.2)
        ax.set_title(title, fontsize=10, family=family)
        ax.tick_params(axis="both", labelsize=8)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        if len(series) > 1:
            ax.legend(prop={"family": family, "size": 8}, frameon=False)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png", metadata={"Software": None})
        return out.getvalue()
