"""Bar charts of the summary report as SVG (vector, for the HTML and PDF) or PNG (for the DOCX)
bytes (matplotlib, Agg backend: no display needed).

Text is drawn with the bundled Tinos font (as outlines in the SVG), so Vietnamese labels look
the same on every machine. Labels are never cut: a long one wraps onto more lines at spaces.
Output is deterministic for the same data (no timestamp, fixed SVG ids).
"""

from __future__ import annotations

import io
import textwrap
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
LABEL_WIDTH = 32  # characters per line of a bar's label
PNG_DPI = 200


def _font_family() -> str:
    global _registered
    if not _registered:
        for ttf in sorted(FONTS.glob("Tinos-*.ttf")):
            font_manager.fontManager.addfont(str(ttf))
        _registered = True
    return "Tinos"


def wrap(label: str, width: int = LABEL_WIDTH) -> str:
    """A label on as many lines as it needs, broken between words only."""
    return "\n".join(textwrap.wrap(label, width, break_long_words=False, break_on_hyphens=False)) or label


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    horizontal: bool = True,
    fmt: str = "png",
) -> bytes:
    """One bar per label; several series are stacked (e.g. on time / late). `fmt`: png or svg."""
    labels = [wrap(label, LABEL_WIDTH if horizontal else 18) for label in labels]
    lines = sum(label.count("\n") + 1 for label in labels)
    with _LOCK, matplotlib.rc_context({"svg.hashsalt": "doithoai", "svg.fonttype": "path"}):
        family = _font_family()
        height = max(2.2, 0.17 * lines + 0.25 * len(labels) + 1.2) if horizontal else 3.4
        fig = Figure(figsize=(6.3, height), dpi=PNG_DPI)
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
        if fmt == "svg":
            fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
        else:
            fig.savefig(out, format="png", metadata={"Software": None})
        return out.getvalue()
