"""`make bench`: every benchmark in `benchmarks/`, one after another, and a summary.

    .venv/bin/python -m benchmarks.run [--only workflow,routing [--merge]]

Each benchmark runs in its own process (they start moto servers and child processes of their
own) with sizes chosen so the whole set takes about five to ten minutes on a two-core machine,
writes its detailed `benchmarks/<name>.md`, and this script writes `benchmarks/RESULTS.md`:
the machine, the date, the commands, and each headline figure next to its goal, read back
from the detailed files. The exit status is non-zero if a benchmark failed or missed a goal.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
COMMAND = ".venv/bin/python -m benchmarks.run"


@dataclass(frozen=True)
class Headline:
    figure: str
    value: str
    goal: str
    verdict: str  # met / NOT met / "" when the figure has no goal


@dataclass
class Benchmark:
    name: str
    args: tuple[str, ...]
    headlines: Callable[[str], list[Headline]]
    returncode: int | None = None
    seconds: float = 0.0
    found: list[Headline] = field(default_factory=list)

    @property
    def command(self) -> str:
        return " ".join([".venv/bin/python -m", f"benchmarks.{self.name}", *self.args])

    @property
    def report(self) -> Path:
        return HERE / f"{self.name}.md"


def _search(pattern: str, text: str) -> re.Match[str] | None:
    return re.search(pattern, text, re.MULTILINE)


def _verdict(word: str | None) -> str:
    return "NOT met" if word and "not" in word.lower() else ("met" if word else "?")


def documents_headlines(text: str) -> list[Headline]:
    found = _search(r"\*\*Time per letter, ours / bare: ([\d.]+)x\*\* \(goal <= ([\d.]+)x: ([^)]+)\)", text)
    speed = _search(r"`docx_renderer.render`[^|]*\| ([\d.]+) \| ([\d.]+) \|", text)
    if not found:
        return []
    rows = [
        Headline(
            "demand letter render time, ours / bare docxtpl",
            f"{found.group(1)}x",
            f"<= {found.group(2)}x",
            _verdict(found.group(3)),
        )
    ]
    if speed:
        rows.append(
            Headline(
                "demand letters per second (one core)", f"{speed.group(1)} ({speed.group(2)} ms)", "", ""
            )
        )
    return rows


def packet_headlines(text: str) -> list[Headline]:
    rows = []
    for size, throughput, rss in re.findall(
        r"^\| (\d+) MiB \| \d+ \| ([\d.]+) \| ([\d.]+) \|", text, re.MULTILINE
    ):
        rows.append(
            Headline(f"packet {size} MiB: peak RSS; throughput", f"{rss} MiB; {throughput} MiB/s", "", "")
        )
    for goal, verdict, detail in re.findall(
        r"^\* (.+?): \*\*(met|NOT met)\*\* \((.+?)\)\.?$", text, re.MULTILINE
    ):
        rows.append(Headline(goal, detail, goal, verdict))
    return rows


def routing_headlines(text: str) -> list[Headline]:
    found = _search(
        r"\*\*Slowest median: ([\d.]+) ms\*\* for ([\d,]+) partners \(goal < ([\d.]+) ms: ([^)]+)\)", text
    )
    if not found:
        return []
    return [
        Headline(
            f"routing decision over {found.group(2)} partners (slowest median)",
            f"{found.group(1)} ms",
            f"< {found.group(3)} ms",
            _verdict(found.group(4)),
        )
    ]


def workflow_headlines(text: str) -> list[Headline]:
    rows = []
    transitions = _search(
        r"^\| state transitions [^|]*\| (\d+) \(max (\d+)\) \| ≤ (\d+): \*\*([^*]+)\*\* \|", text
    )
    if transitions:
        rows.append(
            Headline(
                "state transitions per case, main path (median; max)",
                f"{transitions.group(1)}; {transitions.group(2)}",
                f"<= {transitions.group(3)}",
                _verdict(transitions.group(4)),
            )
        )
    for label, pattern in (
        ("Lambda invocations per case", r"^\| Lambda invocations \(main path\) \| ([\d.]+) \|"),
        ("DynamoDB requests per case; est. RRU / WRU", r"^\| DynamoDB requests; [^|]*\| ([^|]+) \|"),
        ("S3 requests per case by the functions", r"^\| S3 requests by the functions [^|]*\| ([^|]+) \|"),
        ("cases per minute, local, compressed days", r"^\| cases per minute[^|]*\| \*\*([\d.]+)\*\* \|"),
    ):
        found = _search(pattern, text)
        if found:
            rows.append(Headline(label, found.group(1).strip(), "", ""))
    return rows


def coldstart_headlines(text: str) -> list[Headline]:
    rows = []
    goal = _search(r"dependencies: [\d.]+x\*\* for .*? \(goal <= ([\d.]+)x", text)
    minimal_goal = _search(r"minimal handler: [\d.]+x\*\* for .*? \(goal <= ([\d.]+)x", text)
    for functions, cpu, deps, ratio, verdict, parts, minimal, minimal_ratio, minimal_verdict in re.findall(
        r"^\| ([\w, ]+) \| `[^`]+` \| [^|]+ \| (\d+) \(\d+\) \| (\d+) \(\d+\) \| ([\d.]+) \([\d.]+\) "
        r"\| <= [\d.]+: \*\*([^*]+)\*\* \| ([\w +]+) \| (\d+) \| ([\d.]+) \([\d.]+\) "
        r"\| <= [\d.]+: \*\*([^*]+)\*\* \|",
        text,
        re.MULTILINE,
    ):
        rows.append(
            Headline(
                f"cold-start proxy, {functions}: handler import / its dependencies ({cpu} / {deps} ms CPU)",
                f"{ratio}x",
                f"<= {goal.group(1) if goal else '?'}x",
                _verdict(verdict),
            )
        )
        rows.append(
            Headline(
                f"cold-start proxy, {functions}: handler import / a minimal handler on the same "
                f"libraries ({parts}: {minimal} ms CPU)",
                f"{minimal_ratio}x",
                f"<= {minimal_goal.group(1) if minimal_goal else '?'}x",
                _verdict(minimal_verdict),
            )
        )
    return rows


def intake_latency_headlines(text: str) -> list[Headline]:
    found = _search(
        r"\*\*POST /v1/cases p50 ([\d.]+) ms, p99 ([\d.]+) ms; validation alone p50 ([\d.]+) ms; "
        r"ratio of p50s (\d+)x\*\*",
        text,
    )
    share = _search(r"take \*\*(\d+%) of the handler's time\*\*", text)
    if not found:
        return []
    where = f"; moto (not AWS) is {share.group(1)} of it" if share else ""
    return [
        Headline(
            "POST /v1/cases warm, in-process on moto: p50; p99",
            f"{found.group(1)} ms; {found.group(2)} ms",
            f"- (side by side: {found.group(4)}x the p50 of validation alone{where})",
            "",
        ),
        Headline("CaseRequest.model_validate_json of the same body: p50", f"{found.group(3)} ms", "", ""),
    ]


def cost_headlines(text: str) -> list[Headline]:
    found = _search(r"\*\*AWS cost per 1,000 cases: \$([\d.]+)\*\* \(([^;]+);", text)
    counts = _search(r"^- counts: .*the run of (.+)$", text)
    if not found:
        return []
    source = f"workflow run of {counts.group(1)}" if counts else "workflow.md"
    return [
        Headline(
            f"AWS cost per 1,000 cases ({found.group(2)}; counts from the {source})",
            f"${found.group(1)}",
            "",
            "",
        )
    ]


def benchmarks() -> list[Benchmark]:
    return [
        Benchmark("documents", (), documents_headlines),
        Benchmark("packet", ("--sizes", "100,1024", "--runs", "3,2"), packet_headlines),
        Benchmark("routing", (), routing_headlines),
        # 12 cases x 3 runs: a full-size run (20 x 3) took 11 min on a shared two-core machine
        Benchmark("workflow", ("--cases", "12", "--runs", "3", "--concurrency", "6"), workflow_headlines),
        Benchmark("cost", (), cost_headlines),  # reads workflow.md: after the workflow
        Benchmark("coldstart", (), coldstart_headlines),
        Benchmark("intake_latency", (), intake_latency_headlines),
    ]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores{memory}, {system}, Python {platform.python_version()}"


def run(bench: Benchmark) -> None:
    print(f"== {bench.command}", flush=True)
    start = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{bench.name}", *bench.args], cwd=ROOT, check=False
    )
    bench.seconds = time.monotonic() - start
    bench.returncode = completed.returncode
    if bench.report.exists():
        bench.found = bench.headlines(bench.report.read_text(encoding="utf-8"))
    print(f"== {bench.name}: exit {bench.returncode} after {bench.seconds:.0f} s", flush=True)


def previous_runs() -> dict[str, tuple[int | None, float]]:
    """Exit status and seconds of each benchmark in the current RESULTS.md (for `--merge`)."""
    if not RESULTS.exists():
        return {}
    return {
        name: (None if code == "None" else int(code), float(seconds))
        for name, code, seconds in re.findall(
            r"^\| (\w+) \| `[^`]*` \| (-?\d+|None) \| (\d+) \|$", RESULTS.read_text(), re.MULTILINE
        )
    }


def merged(chosen: list[Benchmark]) -> list[Benchmark]:
    """Every benchmark: the chosen ones as just run, the others from their last report files."""
    ran = {bench.name: bench for bench in chosen}
    before = previous_runs()
    everything = []
    for bench in benchmarks():
        if bench.name in ran:
            everything.append(ran[bench.name])
            continue
        bench.returncode, bench.seconds = before.get(bench.name, (None, 0.0))
        if bench.report.exists():
            bench.found = bench.headlines(bench.report.read_text(encoding="utf-8"))
        everything.append(bench)
    return everything


def summary(done: list[Benchmark], started: datetime, total_s: float, rerun: list[str] | None = None) -> str:
    when = f"- date: {started.strftime('%Y-%m-%d %H:%M UTC')}"
    if rerun:
        when += (
            f" ({', '.join(rerun)} run then, with `--only {','.join(rerun)} --merge`; the other rows "
            "are read from their last report files, whose dates they give)"
        )
    lines = [
        "# Benchmark results",
        "",
        when,
        f"- command: `{COMMAND}` (`make bench`), from the repository root; {total_s / 60:.1f} min in all",
        f"- machine: {machine()} (shared with other work while measured)",
        "",
        "| benchmark | figure | value | goal | verdict |",
        "|---|---|---|---|---|",
    ]
    for bench in done:
        link = f"[{bench.name}]({bench.report.name})"
        if not bench.found:
            status = "failed" if bench.returncode else "ran"
            lines.append(f"| {link} | (no figures read: {status}, exit {bench.returncode}) | | | |")
        for headline in bench.found:
            lines.append(
                f"| {link} | {headline.figure} | {headline.value} | {headline.goal or '-'} "
                f"| {('**' + headline.verdict + '**') if headline.verdict else '-'} |"
            )
    lines += ["", "| benchmark | command | exit | seconds |", "|---|---|---:|---:|"]
    for bench in done:
        lines.append(f"| {bench.name} | `{bench.command}` | {bench.returncode} | {bench.seconds:.0f} |")
    lines += [
        "",
        "Each detailed file says how its figures were measured. The workflow figures come from the "
        "local runtime (moto in-process, compressed days); [cost](cost.md) turns its per-case counts "
        "into an AWS cost per 1,000 cases with the prices in `benchmarks/cost.py` "
        "([docs/deploy.md](../docs/deploy.md), section 8, explains the model).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", default="", help="comma-separated benchmark names (default: all)")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="with --only: write RESULTS.md with the others' figures read from their last report files",
    )
    options = parser.parse_args(argv)
    chosen = benchmarks()
    if options.only:
        wanted = set(options.only.split(","))
        chosen = [bench for bench in chosen if bench.name in wanted]
    started = datetime.now(UTC)
    start = time.monotonic()
    for bench in chosen:
        run(bench)
    if options.only and options.merge:
        everything = merged(chosen)
        text = summary(everything, started, sum(b.seconds for b in everything), [b.name for b in chosen])
    else:
        text = summary(chosen, started, time.monotonic() - start)
    print(text)
    if not options.only or options.merge:
        RESULTS.write_text(text, encoding="utf-8")
        print(f"written {RESULTS}")
    missed = any(h.verdict == "NOT met" for bench in chosen for h in bench.found)
    failed = any(bench.returncode for bench in chosen)
    return 1 if missed or failed else 0


if __name__ == "__main__":
    sys.exit(main())
