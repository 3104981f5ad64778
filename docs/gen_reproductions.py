"""The reproduction pages, written at build time (mkdocs-gen-files) from the committed results.

``benchmarks/results/<benchmark>/<device>/<preset>/`` holds what each run wrote: its JSON (with the
provenance: date, commit, command, device), its Markdown tables and its figures. This script turns
every ``<benchmark>`` folder into one page, ``reproductions/<benchmark>.md``: what the benchmark
measures, the paper's published numbers where the paper has them (read from the code that keeps
them, :mod:`pinnrwf.benchmarks.tables`), then one section per result folder with its provenance
(read by :mod:`pinnrwf.benchmarks.index`, the same reader as ``benchmarks/results/INDEX.md``), its
Markdown included and its figures copied into the site. ``reproductions/index.md`` groups the pages.

Every walk is sorted, so the same results give the same pages. The page-building functions take the
results root as an argument and never touch the site, so the tests run them on a small fake tree.
"""

from __future__ import annotations

import ast
import dataclasses
import posixpath
import re
from collections.abc import Callable
from pathlib import Path

from pinnrwf.benchmarks import BENCHMARKS
from pinnrwf.benchmarks.index import RESULTS, leaves, provenance, stamp

ROOT = Path(__file__).resolve().parent.parent
SECTION = "reproductions"  # the site folder of the generated pages

PAPER, BEYOND, SPEED = "paper", "beyond", "speed"
GROUPS = {
    PAPER: (
        "The paper's tables and figures",
        "The experiments of the random weight factorization paper (rwf_paper), with the published numbers "
        "beside ours where the paper prints them.",
    ),
    BEYOND: (
        "Beyond the paper",
        "Problems, solvers and training methods the paper does not cover: accuracy on non-box domains, "
        "inverse problems, optimizers and the reference solvers' own convergence.",
    ),
    SPEED: (
        "Speed",
        "How fast the engine, the derivative plans, the solvers and the data layer run, alone and against "
        "other libraries (DeepXDE, exponax) on the same workload.",
    ),
}


@dataclasses.dataclass(frozen=True)
class Page:
    """One benchmark folder's page: its group, title, the code that measures it and what it measures."""

    group: str
    title: str
    source: str | None  # the module (relative to the repository) whose docstring describes the benchmark
    about: str = ""  # what it measures, where the docstring's first paragraph does not say it for this page
    paper_note: str = ""  # a paper page without published numbers: why


_VISION = "benchmarks/tables/vision_tables.py"
_MAPPINGS = "for each input mapping (none, positional encoding, Gaussian Fourier features) and parameterization"

#: The known benchmark folders. A folder not listed here still gets a page (group "beyond the paper",
#: described by its module's docstring when ``pinnrwf bench`` knows it).
PAGES: dict[str, Page] = {
    "table8": Page(
        PAPER,
        "Table 8: image regression (Natural)",
        _VISION,
        f"Test PSNR of a coordinate network fitting the Natural images, {_MAPPINGS}.",
    ),
    "table9": Page(
        PAPER,
        "Table 9: image regression (Text)",
        _VISION,
        f"Test PSNR of a coordinate network fitting the Text images, {_MAPPINGS}.",
    ),
    "table10": Page(
        PAPER,
        "Table 10: computed tomography",
        _VISION,
        f"PSNR of the image reconstructed from its projections (Shepp–Logan and the ATLAS stand-in), {_MAPPINGS}.",
    ),
    "table11": Page(
        PAPER,
        "Table 11: 3D shape representation",
        _VISION,
        f"IoU near the surface of an occupancy network (Dragon, Armadillo), {_MAPPINGS}.",
    ),
    "nerf": Page(
        PAPER,
        "Table 1, Lego row: simplified NeRF",
        _VISION,
        "Test PSNR over held-out views of a simplified NeRF on the Lego scene, per parameterization (WC-row is E-NeRF).",
    ),
    "siren": Page(
        PAPER,
        "Fig. 11 and 16: SIREN against ω0",
        _VISION,
        "PSNR of SIREN for a range of ω0 beside the plain ReLU network, on the image and CT data sets (no input mapping).",
    ),
    "table12": Page(
        PAPER,
        "Table 12: advection",
        "benchmarks/tables/pinn_tables.py",
        "Relative L² error of the advection PINN (c = 50) for every parameterization under three training strategies: regular, curriculum and causal.",
    ),
    "table13": Page(
        PAPER,
        "Table 13: lid-driven cavity",
        "benchmarks/tables/pinn_tables.py",
        "Relative L² error of the lid-driven cavity PINN (Re = 1000) for every parameterization with two architectures: the MLP and the modified MLP.",
    ),
    "table14": Page(
        PAPER,
        "Table 14: operator learning",
        "benchmarks/tables/table14.py",
        "Relative L² test error of DeepONets for diffusion–reaction and Darcy flow (supervised) and Burgers (physics-informed), per parameterization.",
    ),
    "regression1d": Page(
        PAPER,
        "Fig. 2: 1D regression",
        "problems/regression1d.py",
        "Fitting one sample of a 1D Gaussian random field with a ReLU MLP: the MSE, the relative L² error and the "
        "relative weight change per parameterization (rwf_paper §3, Fig. 2); `--study mu-sigma` sweeps RWF's μ and σ "
        "(Fig. 6) and `--study distributions` the distribution of its scale factors (Table 2).",
        paper_note="The paper shows Fig. 2 and Fig. 6 as plots, and the code keeps no numbers of its Table 2.",
    ),
    "wn-sparsity": Page(
        PAPER,
        "Weight normalization's sparse implicit bias",
        "problems/wn_sparsity.py",
        "Whether RWF shares weight normalization's bias towards sparse solutions in overparameterized diagonal linear networks (rwf_paper §2.2 relates the two).",
        paper_note="The paper does not run this experiment: there are no published numbers to compare with.",
    ),
    "allen-cahn": Page(
        BEYOND,
        "Allen–Cahn",
        "problems/allen_cahn.py",
        "The Allen–Cahn benchmark of “An Expert's Guide to Training PINNs” (u_t − ε u_xx + 5u³ − 5u = 0, ε = 10⁻⁴, "
        "periodic): the relative L² error against the package's ETDRK4 reference, per parameterization.",
    ),
    "dfg-cylinder": Page(
        BEYOND,
        "Flow past a cylinder (DFG 2D-1)",
        "problems/cylinder.py",
        "A PINN for the steady DFG 2D-1 cylinder benchmark (Re = 20): drag and lift coefficients and the pressure difference against the benchmark's reference values.",
    ),
    "poisson-holes": Page(
        BEYOND,
        "Poisson on a plate with holes",
        "problems/poisson_holes.py",
        "Poisson's equation on a rectangle minus three disks: the relative L² error per parameterization, against "
        "a manufactured solution or (`--case constant-source`) a finite-element reference.",
    ),
    "poisson-lshape": Page(
        BEYOND,
        "Laplace on the L-shape",
        "problems/poisson_lshape.py",
        "Laplace's equation on the L-shaped domain with its corner singularity (exact solution r^{2/3} sin(2θ/3)): the error under uniform, quasi-random and residual-based adaptive collocation.",
    ),
    "inverse-noise": Page(
        BEYOND,
        "Inverse problems under noise",
        "benchmarks/studies/inverse_noise/inverse_summary.py",
        "Equation parameters identified from noisy data (heat and Burgers inverse problems) at several noise levels, Plain against RWF: the identified value per seed, its error and the field error.",
    ),
    "lbfgs-equal-time": Page(
        BEYOND,
        "Adam alone against Adam + L-BFGS at equal time",
        "benchmarks/studies/lbfgs_equal_time/lbfgs_equal_time.py",
        "Adam for the whole budget against Adam followed by L-BFGS, given the same CPU time, per problem and parameterization.",
    ),
    "fem-convergence": Page(
        BEYOND, "Finite elements: orders of convergence", "benchmarks/studies/fem/fem_convergence.py"
    ),
    "fem-dfg": Page(BEYOND, "Finite elements: DFG 2D-1", "benchmarks/studies/fem/fem_dfg.py"),
    "solvers-convergence": Page(
        BEYOND,
        "Reference solvers: convergence",
        "benchmarks/studies/solvers_convergence/solvers_convergence.py",
        "Convergence of the reference solvers: Burgers against the spectral resolution, the cavity against the grid (and published reference values), and the finite-difference orders.",
    ),
    "engine": Page(
        SPEED,
        "Engine speed",
        "benchmarks/studies/engine_speed/engine_speed.py",
        "Steps per second of the advection-sized PINN step (MLP 5 × 256 tanh, 1024 + 128 points resampled every step, Adam) through the training engine, hand-written and through the residual DSL, Plain and RWF, one seed and a 10-seed ensemble.",
    ),
    "param-speed": Page(
        SPEED,
        "Cost of a parameterization",
        "benchmarks/studies/param_speed/param_speed.py",
        "Steps per second of each problem's training step per parameterization, timed back to back, and the ratio to Plain.",
    ),
    "time-to-accuracy": Page(
        SPEED,
        "Time to accuracy against DeepXDE",
        "benchmarks/studies/time_to_accuracy/time_to_accuracy.py",
        "Relative L² error against wall and CPU time for DeepXDE's Burgers example (and Laplace on the L-shape) trained in pinnrwf and in DeepXDE, and the time each needs to reach 10⁻² and 10⁻³.",
    ),
    "deepxde-advection": Page(
        SPEED,
        "Advection step against DeepXDE",
        "benchmarks/peers/deepxde_advection.py",
        "The engine's advection step and the same step in DeepXDE (PyTorch backend), alternating rounds.",
    ),
    "deepxde-cavity": Page(
        SPEED,
        "Cavity (Navier–Stokes) step against DeepXDE",
        "benchmarks/peers/deepxde_cavity.py",
        "The lid-driven cavity's Navier–Stokes step in pinnrwf and in DeepXDE (PyTorch backend), alternating rounds.",
    ),
    "deepxde-deeponet": Page(
        SPEED,
        "DeepONet step against DeepXDE",
        "benchmarks/peers/deepxde_deeponet.py",
        "The diffusion–reaction DeepONet step in pinnrwf and in DeepXDE (PyTorch backend), alternating rounds.",
    ),
    "advection-matmul-ceiling": Page(
        SPEED,
        "The advection step's matrix-product ceiling",
        "benchmarks/peers/advection_matmul_ceiling.py",
        "The advection step against its own matrix products timed alone (the fastest any implementation of the step can run with these products), a bare JAX + optax script and DeepXDE.",
    ),
    "derivative-plans": Page(
        SPEED,
        "Derivative plans",
        "benchmarks/studies/derivative_plans/laplacian_plan_gain.py",
        "Loss-and-gradient time of the derivative plans on second-order problems: the forward-Laplacian plan against the nested forward-mode plan, and the Navier–Stokes step's derivative modes.",
    ),
    "ic-folding": Page(
        SPEED,
        "Folding the initial-condition rows into the residual batch",
        None,
        "The advection step with its initial-condition points stacked into the residual batch's matrix products, against separate passes: the same loss, timed back to back.",
    ),
    "burgers-fft-workers": Page(
        SPEED,
        "Burgers solver: FFT threads and exponax",
        "benchmarks/studies/burgers_fft_workers/burgers_fft_workers.py",
    ),
    "spectral-backends": Page(
        SPEED, "Spectral solvers: NumPy against JAX", "benchmarks/studies/spectral_backends/spectral_backends.py"
    ),
    "datasets-generation": Page(
        SPEED, "Generating the datasets", "benchmarks/studies/datasets_generation/datasets_generation.py"
    ),
    "data-sampling": Page(SPEED, "Drawing minibatches on device", "benchmarks/studies/data_sampling/data_sampling.py"),
    "geometry-sampling": Page(
        SPEED, "Sampling non-box domains", "benchmarks/studies/geometry_sampling/geometry_sampling.py"
    ),
    "adaptive-collocation": Page(
        SPEED, "Adaptive collocation", "benchmarks/studies/adaptive_collocation/adaptive_collocation.py"
    ),
    "log-every": Page(SPEED, "Recording every N-th step", "benchmarks/studies/log_every/log_every.py"),
    "multiprocess": Page(
        SPEED,
        "Several processes on one machine",
        "benchmarks/studies/multiprocess/multiprocess.py",
        "The same ensemble trained by one process on two cores against two processes of JAX's distributed runtime on one core each.",
    ),
}


# --- what a benchmark measures ----------------------------------------------------------------


def _plain(text: str) -> str:
    """reST inline markup as Markdown: ``x`` and :role:`x` become `x`; "(issue …)" notes dropped."""
    text = re.sub(r":\w+:`~?\.?([^`]+)`", r"`\1`", text)
    text = text.replace("``", "`")
    return re.sub(r"\s*\((?:see )?issue[^)]*\)", "", text)


def docstring_summary(path: Path) -> str:
    """The first paragraph of the module docstring of ``path`` ("" if it has none)."""
    try:
        doc = ast.get_docstring(ast.parse(path.read_text()))
    except (OSError, SyntaxError):
        return ""
    first = (doc or "").strip().split("\n\n")[0]
    return _plain(" ".join(line.strip() for line in first.splitlines()))


def page_of(name: str) -> Page:
    """The page of benchmark folder ``name``: from :data:`PAGES`, else described by ``pinnrwf bench``."""
    if name in PAGES:
        return PAGES[name]
    module, _help = BENCHMARKS.get(name, (None, ""))
    source = None
    if module is not None and module.startswith("pinnrwf.benchmarks."):
        source = "benchmarks/" + module.removeprefix("pinnrwf.benchmarks.").replace(".", "/") + ".py"
    return Page(BEYOND, name, source, _plain(_help[:1].upper() + _help[1:] + ".") if _help else "")


def about(name: str, repo: Path = ROOT) -> str:
    """One paragraph: what benchmark ``name`` measures, and the code that does."""
    page = page_of(name)
    text = page.about or (docstring_summary(repo / page.source) if page.source else "")
    parts = [text or "—"]
    if page.source:
        parts.append(f"Code: `{page.source}`.")
    if name in BENCHMARKS:
        parts.append(f"Run it with `pinnrwf bench {name}`.")
    readme = Path(page.source).parent / "README.md" if page.source else None
    if readme is not None and readme.parts[:2] == ("benchmarks", "studies") and (repo / readme).is_file():
        parts.append(f"The study's question, method and reading of the results: `{readme.as_posix()}`.")
    return " ".join(parts)


# --- the paper's numbers ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PaperTable:
    """Published numbers: ``rows`` maps a row label to {parameterization: (mean, std or None)}."""

    heading: str
    rows: dict[str, dict[str, tuple[float, float | None]]]
    fmt: Callable[[float], str]
    note: str = ""


def paper_markdown(tables: list[PaperTable]) -> str:
    """The paper's numbers as Markdown tables, one per :class:`PaperTable` ("" for none)."""
    out = []
    for t in tables:
        params = list(dict.fromkeys(p for row in t.rows.values() for p in row))
        if t.heading:
            out += [f"**{t.heading}**", ""]
        if params:
            out += ["| | " + " | ".join(params) + " |", "|---|" + "---|" * len(params)]
            for label, row in t.rows.items():
                cells = [
                    "—" if p not in row else t.fmt(row[p][0]) + ("" if row[p][1] is None else f" ± {t.fmt(row[p][1])}")
                    for p in params
                ]
                out.append(f"| {label} | " + " | ".join(cells) + " |")
            out.append("")
        if t.note:
            out += [t.note, ""]
    return "\n".join(out)


def paper_tables(name: str) -> list[PaperTable]:
    """The published numbers the code keeps for benchmark ``name`` (empty where it keeps none).

    Imports the benchmark modules (and so JAX): called at build time only.
    """
    if name in ("table12", "table13"):
        from pinnrwf.benchmarks.tables.pinn_tables import PAPER as PINN

        label = "strategy" if name == "table12" else "architecture"
        return [
            PaperTable(
                f"rwf_paper {name.replace('table', 'Table ')}: relative L² error (%), mean ± std, by {label}",
                {row: dict(values) for row, values in PINN[name].items()},
                lambda v: f"{v:.2f}",
            )
        ]
    if name == "table14":
        from pinnrwf.benchmarks.tables.table14 import CASES
        from pinnrwf.benchmarks.tables.table14 import PAPER as OPERATORS

        return [
            PaperTable(
                "rwf_paper Table 14: relative L² test error (%), mean ± std over the test set",
                {CASES.get(problem, problem): dict(values) for problem, values in OPERATORS.items()},
                lambda v: f"{v:.2f}",
                "WC-row is not in the paper.",
            )
        ]
    if name in ("table8", "table9", "table10", "table11", "nerf", "siren"):
        from pinnrwf.benchmarks.tables.vision_tables import ROWS, TABLES

        table = TABLES[name]
        digits = 2 if table.unit == "dB" else 3
        unit = f" ({table.unit})" if table.unit else ""
        out = [
            PaperTable(
                f"rwf_paper, {block.label}{unit}",
                {ROWS[row]: dict(values) for row, values in block.paper.items()},
                lambda v, d=digits: f"{v:.{d}f}",
            )
            for block in table.blocks
            if block.paper
        ]
        return [*out, PaperTable("", {}, str, table.notes)] if table.notes else out
    return []


# --- one result folder ------------------------------------------------------------------------

_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})(\s)")
_MD_FIRST = ("README.md", "NOTE.md", "table.md")


def preset_kind(preset: str) -> str:
    """``quick`` (CPU scale), ``paper`` (the paper's settings) or ``other``, from the preset's name."""
    words = set(re.split(r"[^a-z0-9]+", preset.lower()))
    return "quick" if "quick" in words else "paper" if "paper" in words else "other"


def device_text(slug: str, data: dict) -> str:
    """The device folder's name and what the run recorded about the machine."""
    device = data.get("device")
    details = []
    if isinstance(device, dict):
        model = device.get("cpu") if str(device.get("platform", "")).lower() == "cpu" else device.get("device_kind")
        details += [str(model or device.get("platform") or "")]
        if device.get("device_count", 1) != 1:
            details.append(f"{device['device_count']} devices")
        if device.get("jax"):
            details.append(f"jax {device['jax']}")
    elif device or data.get("cpu"):
        details.append(str(data.get("cpu") or device))
    if data.get("cores"):
        details.append(f"{data['cores']} cores")
    details = [d for d in details if d and d.lower() != "cpu"]
    return f"`{slug}`" + (f" ({', '.join(details)})" if details else "")


def markdown_files(leaf: Path) -> list[Path]:
    """The Markdown a result folder shows: its own files (README and notes first), else those below it."""
    own = sorted(leaf.glob("*.md"), key=lambda p: (_MD_FIRST.index(p.name) if p.name in _MD_FIRST else 9, p.name))
    return own or sorted((p for p in leaf.rglob("*.md")), key=lambda p: (len(p.parts), p))


def figures(leaf: Path) -> list[Path]:
    """Every PNG under a result folder, sorted by path."""
    return sorted(leaf.rglob("*.png"))


def rewrite(text: str, source: Path, leaf: Path, figure_url: Callable[[Path], str], shift: int = 3) -> str:
    """A result's Markdown made fit for its page.

    Headings move ``shift`` levels down (the page owns the top levels) and lose their "(issue …)"
    notes; a link to a figure of the folder points at its copy in the site; any other relative link
    (to a file the site does not have) keeps its text and loses its target; web links and anchors stay.
    """

    def link(m: re.Match) -> str:
        bang, label, target = m.groups()
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#", target, re.I):
            return m.group(0)
        path = (source.parent / target.split("#")[0]).resolve()
        if path.suffix.lower() == ".png" and path.is_file() and path.is_relative_to(leaf.resolve()):
            return f"{bang}[{label}]({figure_url(path.relative_to(leaf.resolve()))})"
        return label if not bang else f"*{label or path.name}*"

    out, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            if _HEADING.match(line):
                line = _plain(_HEADING.sub(lambda m: "#" * min(6, len(m.group(1)) + shift) + m.group(2), line))
            line = _LINK.sub(link, line)
        out.append(line)
    return "\n".join(out).strip() + "\n"


def leaf_section(root: Path, leaf: Path) -> tuple[str, dict[str, Path]]:
    """The page section of one result folder, and the figures it shows: {site path: source file}.

    Figures go to ``reproductions/<benchmark>/<device>/<preset>/<path in the folder>``, beside the
    page ``reproductions/<benchmark>.md`` that links to them.
    """
    benchmark, device, preset = leaf.relative_to(root).parts
    path, data = provenance(leaf)
    date, commit, command = stamp(data)
    named = re.search(r"--preset[ =](\S+)", command)  # the preset the command ran, where the JSON has none
    kinds = [preset_kind(str(x)) for x in (data.get("preset"), named and named.group(1), preset) if x]
    kind = next((k for k in kinds if k != "other"), "other")

    def figure_url(rel: Path) -> str:
        return posixpath.join(benchmark, device, preset, rel.as_posix())

    heading = {"quick": " — quick preset (CPU scale)", "paper": " — paper preset"}.get(kind, "")
    lines = [f"### {device} / {preset}{heading}", ""]
    if kind == "quick" and page_of(benchmark).group == PAPER:
        lines += [
            '!!! note "Quick preset"',
            "    A CPU-scale run: fewer seeds and steps, and often a smaller network, than the paper. It exercises",
            "    the whole pipeline; it is not a reproduction of the paper's numbers.",
            "",
        ]
    elif kind == "quick":
        lines += [
            '!!! note "Quick preset"',
            "    A CPU-scale run: short, with few seeds, sized for a CPU.",
            "",
        ]
    elif kind == "paper":
        lines += [
            '!!! info "Paper preset"',
            "    The paper's problem settings (network, points, schedule); the seeds and steps actually run are",
            "    those of the command below.",
            "",
        ]
    recorded = date or commit or command
    source = f" (recorded in `{path.relative_to(leaf).as_posix()}`)" if path is not None and recorded else ""
    lines += [
        f"- **Device:** {device_text(device, data)}",
        f"- **Date:** {date or '—'}",
        f"- **Commit:** {f'`{commit}`' if commit else '—'}",
        f"- **Command**{source}:" + ("" if command else " —"),
        "",
    ]
    if command:
        lines += ["```bash", command, "```", ""]
    for md in markdown_files(leaf):
        rel = md.relative_to(leaf).as_posix()
        try:
            text = md.read_text()
        except (OSError, UnicodeDecodeError):
            continue
        lines += [f"**`{rel}`**", ""]
        lines += [rewrite(text, md, leaf, figure_url), ""]
    shown = {}
    pngs = figures(leaf)
    if pngs:
        lines += ["**Figures**", ""]
    for png in pngs:
        rel = png.relative_to(leaf).as_posix()
        url = figure_url(png.relative_to(leaf))
        shown[f"{SECTION}/{url}"] = png
        lines += [f"![{rel}]({url})", "", f"*{rel}*", ""]
    return "\n".join(lines), shown


# --- pages ------------------------------------------------------------------------------------


def benchmarks(root: Path) -> dict[str, list[Path]]:
    """{benchmark folder: its result folders}, both sorted."""
    out: dict[str, list[Path]] = {}
    for leaf in leaves(root):
        out.setdefault(leaf.relative_to(root).parts[0], []).append(leaf)
    return out


def benchmark_page(root: Path, name: str, paper: str = "", repo: Path = ROOT) -> tuple[str, dict[str, Path]]:
    """The page of benchmark folder ``name`` under ``root`` and the figures it shows.

    ``paper`` is the Markdown of the paper's numbers (:func:`paper_markdown`), "" where there are none.
    """
    page = page_of(name)
    lines = [f"# {page.title}", "", about(name, repo), ""]
    if page.group == PAPER:
        lines += ["## The paper's numbers", ""]
        lines += [paper or page.paper_note or "The paper prints no numbers for this experiment.", ""]
    figs: dict[str, Path] = {}
    folders = benchmarks(root).get(name, [])
    lines += [
        "## Our results",
        "",
        f"{len(folders)} result folder{'s' if len(folders) != 1 else ''}, from `benchmarks/results/{name}/` "
        "(`<device>/<preset>/`). Date, commit and command are those the run recorded (— where it recorded none).",
        "",
    ]
    for leaf in folders:
        text, shown = leaf_section(root, leaf)
        lines.append(text)
        figs.update(shown)
    return "\n".join(lines).rstrip() + "\n", figs


INTRO = """\
# Reproductions

Every number on these pages is generated, when the site is built, from the results committed under
`benchmarks/results/`: each page shows what a benchmark measures, the paper's published numbers where
it has them, and for every result folder the device, date, commit and command the run recorded, its
tables and its figures. No number on them is typed by hand.

## How the benchmarks are organized

Benchmarks reproduce the papers' tables at full size and measure speed; they are not tests. They come
in three kinds, one folder each:

- `benchmarks/tables/`: the paper's tables and figures (`pinnrwf bench table8` … `table14`, `nerf`,
  `siren`);
- `benchmarks/peers/`: the same workloads in DeepXDE, exponax, bare JAX and PyTorch, timed back to back
  with ours through one harness;
- `benchmarks/studies/`: one question each; each study's README states the question, the command and
  the finding.

Each run writes JSON (device, command, git commit, date, per-seed numbers) and Markdown into
`<out>/<benchmark>/<device>/<preset>/`, for example `table12/cpu-epyc-2c/quick/`. The device folder
names the machine (`cpu-epyc-2c`: an AMD EPYC with 2 cores; `gpu-h100`: an H100), the preset the
setting: `quick` is a CPU-scale run (few seeds, short, sometimes a smaller network) that exercises the
whole pipeline, `paper` the paper's settings, others a study's own setting. `--out` is `runs/benchmarks` by default; `--out
benchmarks/results` replaces the committed results. `benchmarks/results/INDEX.md` lists every
committed result with its date, commit and command; it is generated by `pinnrwf bench index` and
checked by the tests.

## Running them again

`pinnrwf bench NAME` runs one benchmark (`pinnrwf bench --help` lists them; the table below too);
`pinnrwf run PROBLEM --preset quick|paper --out DIR` runs a single problem, as several result folders
here were made. The paper-size runs need a GPU: `bash benchmarks/run_gpu.sh`, from the repository root
on a CUDA machine, runs the engine's speed targets, the 1D regression, Tables 8–14, NeRF and SIREN at
the paper preset, writing into `benchmarks/results/<benchmark>/<device>/<preset>/`; then `pinnrwf bench
index` rewrites the index, and the next build of this site shows them. The comparisons with DeepXDE run it in its own environment
(`python3 -m venv venv-dxde && venv-dxde/bin/pip install torch --index-url
https://download.pytorch.org/whl/cpu && venv-dxde/bin/pip install deepxde==1.15.0`; nothing in
pinnrwf imports it), passed as `--deepxde-python venv-dxde/bin/python` or `DXDE_PYTHON=…` to
`benchmarks/peers/back_to_back.sh`. Speed on a CPU depends on its instruction set (AVX2, AVX-512)
and its core count, and on what else the machine runs: compare numbers only within one device folder,
and prefer the benchmarks' back-to-back (alternating) ratios to absolute rates.

Besides `pinnrwf bench` (the table below), a few scripts run from the repository root:

- `DXDE_PYTHON=venv-dxde/bin/python bash benchmarks/peers/back_to_back.sh` (`PART=advection|ns|all`):
  the advection step and the lid-driven cavity's Navier–Stokes step in pinnrwf and in DeepXDE,
  alternating rounds; `benchmarks/peers/deeponet_back_to_back.sh` does the same for the
  diffusion–reaction DeepONet step;
- `python benchmarks/peers/advection_matmul_ceiling.py --deepxde-python PY --out DIR`: the advection
  step against its own matrix products timed alone;
- `python benchmarks/tables/long_runs_summary.py RUN [RUN ...] --out DIR`: merges long runs of one
  parameterization each (error curves, a table at common steps; `--paper` sets the published values
  beside them);
- `bash benchmarks/studies/inverse_noise/inverse_noise.sh` and
  `bash benchmarks/studies/lbfgs_equal_time/lbfgs_equal_time.sh`: the runs of those two studies.
"""


def command_table(pages: list[str]) -> str:
    """``pinnrwf bench`` names and what each runs (:data:`pinnrwf.benchmarks.BENCHMARKS`), linked to ``pages``."""
    lines = ["| command | what it measures |", "|---|---|"]
    for name, (_module, help_) in sorted(BENCHMARKS.items()):
        page = f" ([results]({name}.md))" if name in pages else ""
        what = help_.replace("|", "\\|")
        lines.append(f"| `pinnrwf bench {name}` | {what}{page} |")
    return "\n".join(lines) + "\n"


def _order(name: str) -> tuple[int, str]:
    """Known pages in the order of :data:`PAGES`, then the others by name."""
    return (list(PAGES).index(name), "") if name in PAGES else (len(PAGES), name)


def index_page(root: Path, names: list[str]) -> str:
    """``reproductions/index.md``: the introduction, the commands and the pages by group."""
    found = benchmarks(root)
    lines = [INTRO, command_table(names)]
    for group, (title, blurb) in GROUPS.items():
        members = sorted((n for n in names if page_of(n).group == group), key=_order)
        if not members:
            continue
        lines += [f"## {title}", "", blurb, "", "| page | result folders | latest run |", "|---|---|---|"]
        for n in members:
            dates = [stamp(provenance(leaf)[1])[0] for leaf in found.get(n, [])]
            latest = max((d for d in dates if d), default="—")
            lines.append(f"| [{page_of(n).title}]({n}.md) | {len(found.get(n, []))} | {latest} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def summary_page(names: list[str]) -> str:
    """``reproductions/SUMMARY.md``: the section's navigation (mkdocs-literate-nav), by group."""
    lines = ["- [Overview](index.md)"]
    for group, (title, _) in GROUPS.items():
        members = sorted((n for n in names if page_of(n).group == group), key=_order)
        if members:
            lines.append(f"- {title}")
            lines += [f"    - [{page_of(n).title}]({n}.md)" for n in members]
    return "\n".join(lines) + "\n"


def build(root: Path = RESULTS, paper: Callable[[str], list[PaperTable]] = paper_tables) -> dict[str, str | Path]:
    """Every page and figure of the section: {site path: Markdown text, or the file to copy}."""
    names = sorted(benchmarks(root))
    out: dict[str, str | Path] = {
        f"{SECTION}/index.md": index_page(root, names),
        f"{SECTION}/SUMMARY.md": summary_page(names),
    }
    for name in names:
        text, figs = benchmark_page(root, name, paper_markdown(paper(name)))
        out[f"{SECTION}/{name}.md"] = text
        out.update(figs)
    return out


def main() -> None:
    import mkdocs_gen_files

    for site_path, content in build().items():
        if isinstance(content, Path):
            with mkdocs_gen_files.open(site_path, "wb") as f:
                f.write(content.read_bytes())
        else:
            with mkdocs_gen_files.open(site_path, "w") as f:
                f.write(content)


if __name__ in ("__main__", "<run_path>"):  # mkdocs-gen-files runs this file with runpy.run_path
    main()
