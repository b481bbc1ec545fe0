"""Demand letters per second: `handoff.adapters.docx_renderer.render` against a bare docxtpl render.

Run from the repository root:

    .venv/bin/python -m benchmarks.documents            # prints a table, writes benchmarks/documents.md
    .venv/bin/python -m benchmarks.documents --no-write

Both sides render the same template (`templates/legal/demand_letter.docx`) with the same
context (`example_context("demand_letter")`) and produce the .docx bytes in memory. The
bare side is what a straightforward use of docxtpl costs per letter: a fresh
`DocxTemplate(path)`, `render(context, autoescape=True)`, `save()` to a BytesIO. The two
run interleaved in one process — each round times a batch of each, alternating which goes
first — and the table reports the median over the rounds. The first render of our
renderer (which prepares and compiles the template) is reported separately.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from handoff.adapters import docx_renderer
from handoff.domain.documents import DocumentKind
from tests.document_examples import example_context

RESULTS = Path(__file__).with_name("documents.md")
COMMAND = ".venv/bin/python -m benchmarks.documents"
GOAL = 1.3  # our time per letter may be at most 1.3x the bare docxtpl time


def _batch_seconds(render_one: Callable[[], object], count: int) -> float:
    gc.collect()
    start = time.perf_counter()
    for _ in range(count):
        render_one()
    return (time.perf_counter() - start) / count


def run(rounds: int, per_round: int) -> dict[str, float]:
    from docxtpl import DocxTemplate

    context = example_context(DocumentKind.DEMAND_LETTER)
    mapping = docx_renderer.context_mapping(context)
    spec = docx_renderer.template_spec(DocumentKind.DEMAND_LETTER)
    path = docx_renderer.templates_dir() / spec.file

    def ours() -> bytes:
        return docx_renderer.render(DocumentKind.DEMAND_LETTER, context).content

    def bare() -> bytes:
        template = DocxTemplate(path)
        template.render(mapping, autoescape=True)
        buffer = io.BytesIO()
        template.save(buffer)
        return buffer.getvalue()

    docx_renderer.clear_cache()
    start = time.perf_counter()
    ours()
    first_render = time.perf_counter() - start
    bare()  # warm docxtpl's and Jinja's own imports on the bare side too

    ours_times: list[float] = []
    bare_times: list[float] = []
    for index in range(rounds):
        pair = [(ours, ours_times), (bare, bare_times)]
        for render_one, times in pair if index % 2 == 0 else reversed(pair):
            times.append(_batch_seconds(render_one, per_round))

    ours_median = statistics.median(ours_times)
    bare_median = statistics.median(bare_times)
    return {
        "ours_s": ours_median,
        "bare_s": bare_median,
        "ours_min_s": min(ours_times),
        "bare_min_s": min(bare_times),
        "first_render_s": first_render,
        "ratio": ours_median / bare_median,
        "size_bytes": float(len(ours())),
    }


def table(result: dict[str, float]) -> str:
    rows = [
        "| renderer | letters/s (median) | ms/letter (median) | ms/letter (best round) |",
        "|---|---:|---:|---:|",
        "| `docx_renderer.render` (prepared template) | {:.1f} | {:.2f} | {:.2f} |".format(
            1 / result["ours_s"], result["ours_s"] * 1e3, result["ours_min_s"] * 1e3
        ),
        "| bare docxtpl (`DocxTemplate(path)`, `render`, `save`) | {:.1f} | {:.2f} | {:.2f} |".format(
            1 / result["bare_s"], result["bare_s"] * 1e3, result["bare_min_s"] * 1e3
        ),
    ]
    return "\n".join(rows)


def report(result: dict[str, float], rounds: int, per_round: int) -> str:
    import docxtpl
    import jinja2

    verdict = "met" if result["ratio"] <= GOAL else "NOT met"
    return "\n".join(
        [
            "# Document rendering benchmark",
            "",
            f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            f"- command: `{COMMAND}` (from the repository root)",
            f"- machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs",
            f"- python {platform.python_version()}, docxtpl {docxtpl.__version__}, "
            f"jinja2 {jinja2.__version__}",
            f"- method: demand letter with `example_context('demand_letter')`; {rounds} rounds of "
            f"{per_round} letters per side, interleaved (order alternates per round); medians over rounds",
            "",
            table(result),
            "",
            f"**Time per letter, ours / bare: {result['ratio']:.3f}x** (goal <= {GOAL}x: {verdict}); "
            f"ours is {1 / result['ratio']:.1f}x faster.",
            "",
            f"First render after a cold cache (reads the .docx, cleans and compiles every part): "
            f"{result['first_render_s'] * 1e3:.1f} ms. Output size {int(result['size_bytes']):,} bytes.",
            "",
            "Why: the bare path re-opens the package, re-parses every XML part with python-docx, re-cleans "
            "and recompiles the XML with Jinja and re-compresses ~800 kB of styles on every letter. The "
            "renderer does all of that once per template file version and per letter only renders the "
            "body, header and footer and appends them to the pre-compressed package.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=7, help="rounds per side (median over rounds)")
    parser.add_argument("--per-round", type=int, default=20, help="letters per side per round")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    args = parser.parse_args(argv)

    result = run(args.rounds, args.per_round)
    text = report(result, args.rounds, args.per_round)
    print(text)
    if not args.no_write:
        RESULTS.write_text(text, encoding="utf-8")
        print(f"written {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}")
    return 0 if result["ratio"] <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
