"""Helpers the figure notebooks share: load results/<figure>/*.csv with
pandas, the paper's numbers (results/paper.csv), the run's provenance,
system names as the Go charts use them, and error bars.

Everything is read by column name, so extra columns (a newer dflab adds
some) change nothing; a missing optional file or column is said, not
guessed. Set DFLAB_RESULTS to read another results directory.
"""

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import Image, Markdown, display

HERE = Path(__file__).resolve().parent
RESULTS = Path(os.environ.get("DFLAB_RESULTS", HERE.parent / "results")).resolve()

# The paper's order of cores per node and the series colours of the Go
# charts: the original engine in oranges, Netherite in blues, darker with
# more cores (or more pipelining).
CORES = [1, 2, 4]
ORIGINAL_COLORS = ["#fdae6b", "#f16913", "#a63603"]
NETHERITE_COLORS = ["#9ecae1", "#4292c6", "#084594"]
SYSTEM_COLORS = {
    "original": ORIGINAL_COLORS[1],
    "Netherite, no pipelining": NETHERITE_COLORS[0],
    "Netherite (local speculation)": NETHERITE_COLORS[2],
    "workflow service (Step Functions)": "#9467bd",
    "queue chain (2020 host)": "#2ca02c",
    "queue chain (current host)": "#bcbd22",
    "blob chain": "#8c564b",
    "Lambda chain (simulated)": "#e377c2",
}


def figure_dir(figure):
    d = RESULTS / figure
    if not d.is_dir():
        raise FileNotFoundError(f"no results for figure {figure!r} in {d}: run `make figures` (or `dflab figures --only {figure}`)")
    return d


def read_csv(figure, name, required=True):
    """results/<figure>/<name>.csv as a DataFrame (None if optional and absent)."""
    p = figure_dir(figure) / f"{name}.csv"
    if not p.exists():
        if required:
            raise FileNotFoundError(f"{p} is missing: `make plots` writes the CSV tables from the JSONL")
        return None
    return pd.read_csv(p, keep_default_na=True)


def read_jsonl(figure):
    """The figure's JSONL rows (the full records), [] if the figure has none."""
    d = figure_dir(figure)
    files = sorted(d.glob("*.jsonl"))
    rows = []
    for f in files:
        with open(f) as fh:
            rows.extend(json.loads(line) for line in fh if line.strip())
    return rows


def paper(figure=None):
    """results/paper.csv: the numbers paper-notes.md gives, one per line
    (column `set` says which set: all are the calibration set)."""
    p = RESULTS / "paper.csv"
    if not p.exists():
        raise FileNotFoundError(f"{p} is missing: `make plots` writes it")
    df = pd.read_csv(p, dtype={"speculation": "string", "engine": "string"})
    df["speculation"] = df["speculation"].fillna("")
    df["engine"] = df["engine"].fillna("")
    if figure is not None:
        df = df[df["figure"] == figure]
    return df.reset_index(drop=True)


def engine_color(engine, cores):
    """The Go charts' colour of an engine on nodes with `cores` cores."""
    shades = ORIGINAL_COLORS if engine == "original" else NETHERITE_COLORS
    return shades[CORES.index(cores)] if cores in CORES else shades[-1]


ALTERNATIVES = {"workflow": "workflow service (Step Functions)", "blobchain": "blob chain", "lambdachain": "Lambda chain (simulated)"}


def system(engine, speculation, host=""):
    """The Go charts' name of a system configuration."""
    if engine == "original":
        return "original"
    if engine in ALTERNATIVES:
        return ALTERNATIVES[engine]
    if engine == "queuechain":
        return f"queue chain ({host if isinstance(host, str) and host else 'current'} host)"
    if engine == "netherite":
        if speculation in ("", "local") or pd.isna(speculation):
            return "Netherite (local speculation)"
        if speculation == "none":
            return "Netherite, no pipelining"
        return f"Netherite ({speculation} speculation)"
    return str(engine)


def add_system(df):
    """df with a `system` column from engine and speculation."""
    spec = df["speculation"] if "speculation" in df else pd.Series("", index=df.index)
    host = df["chain_host"] if "chain_host" in df else pd.Series("", index=df.index)
    df = df.copy()
    df["system"] = [system(e, "" if pd.isna(s) else s, "" if pd.isna(h) else h) for e, s, h in zip(df["engine"], spec, host)]
    return df


def ci_halfwidth(summary, metric):
    """The 95% CI half width of <metric>_mean (0 where there is one run)."""
    hi = summary.get(f"{metric}_ci95_high")
    if hi is None:
        return pd.Series(0.0, index=summary.index)
    return (hi - summary[f"{metric}_mean"]).fillna(0.0)


def ci_label(runs):
    """What the error bars are, as the Go charts' legends say it."""
    ns = sorted({int(n) for n in runs if n >= 2})
    if not ns:
        return "95% CI of mean"
    if ns[0] == ns[-1]:
        return f"95% CI of mean ({ns[0]} seeds)"
    return f"95% CI of mean ({ns[0]}–{ns[-1]} seeds)"


def provenance(figure, source=None):
    """Show what produced the figure's results: git revision(s), dflab
    version, model set(s), seeds, runs and failures (from runs.csv), and
    the last `dflab figures` run (results/figures-run.json) if present."""
    runs = read_csv(source or figure, "runs")
    failed = runs["error"].notna() & (runs["error"].astype(str) != "") if "error" in runs else pd.Series(False, index=runs.index)

    def vals(col):
        if col not in runs:
            return "(not recorded)"
        v = sorted(runs[col].dropna().astype(str).unique())
        return ", ".join(f"`{x}`" for x in v) if v else "(empty)"

    seeds = runs["seed"] if "seed" in runs else pd.Series(dtype=int)
    lines = [
        f"| | |\n|---|---|",
        f"| results | `{shown_path(source or figure)}` (runs.csv, summary.csv) |",
        f"| git revision | {vals('git_revision')} |",
        f"| dflab version | {vals('dflab_version')} |",
        f"| model set | {vals('models')} |",
        f"| clock | {vals('clock')} |",
        f"| runs | {len(runs)} ({int(failed.sum())} failed), {runs['config_id'].nunique()} configurations |",
        f"| seeds | {seeds.min()}..{seeds.max()} ({seeds.nunique()} distinct; repetition i runs spec seed + i) |" if len(seeds) else "| seeds | (none) |",
        f"| started | {runs['started_at'].min()} .. {runs['started_at'].max()} (wall clock) |" if "started_at" in runs else "",
    ]
    info = RESULTS / "figures-run.json"
    if info.exists():
        ri = json.loads(info.read_text())
        lines.append(
            f"| last `dflab figures` | models `{ri.get('models')}`, {ri.get('repetitions')} repetitions, scale {ri.get('scale')}, "
            f"{ri.get('runs')} runs ({ri.get('failed')} failed) at `{ri.get('revision')}` |"
        )
    display(Markdown("\n".join(l for l in lines if l)))
    return runs


def shown_path(figure):
    """results/<figure>, or the absolute path when DFLAB_RESULTS moved it."""
    return f"results/{figure}" if "DFLAB_RESULTS" not in os.environ else str(RESULTS / figure)


def committed_chart(figure, name):
    """The gonum/plot chart `dflab figures` committed (PNG), to compare."""
    p = figure_dir(figure) / f"{name}.png"
    if not p.exists():
        display(Markdown(f"*(no committed chart {p.name})*"))
        return
    display(Markdown(f"Committed gonum/plot chart `results/{figure}/{p.name}`:"))
    display(Image(filename=str(p)))


def fault_marks(plan_text):
    """[(seconds, 'crash node1'), ...] of a fault plan's crash and restart lines."""
    out = []
    for line in str(plan_text or "").splitlines():
        m = re.match(r"\s*at\s+([0-9.]+)(ms|s|m)\s+(crash|restart)\s+(\S+)", line)
        if m:
            v, unit = float(m.group(1)), m.group(2)
            sec = v / 1000 if unit == "ms" else v * 60 if unit == "m" else v
            out.append((sec, f"{m.group(3)} {m.group(4)}"))
    return out


def quantile_from_cdf(ms, fraction, q):
    """The smallest latency whose CDF fraction reaches q."""
    ms, fraction = np.asarray(ms), np.asarray(fraction)
    i = np.searchsorted(fraction, q - 1e-12)
    return float(ms[min(i, len(ms) - 1)])


def table(df, floatfmt="{:.4g}"):
    """Display a DataFrame as a Markdown table (numbers to 4 digits)."""
    def fmt(v):
        if isinstance(v, (float, np.floating)):
            return "" if np.isnan(v) else floatfmt.format(v)
        return str(v)

    head = "| " + " | ".join(map(str, df.columns)) + " |\n|" + "---|" * len(df.columns) + "\n"
    body = "".join("| " + " | ".join(fmt(v) for v in row) + " |\n" for row in df.itertuples(index=False))
    display(Markdown(head + body))
