"""AWS cost per 1,000 cases, from the workflow benchmark's per-case counts and one price list.

Run from the repository root (after `benchmarks.workflow`, which writes `benchmarks/workflow.md`):

    .venv/bin/python -m benchmarks.cost            # prints the tables, writes benchmarks/cost.md
    .venv/bin/python -m benchmarks.cost --no-write

`PRICES` below is the only copy of the prices; `docs/deploy.md` (section 8) explains the model
and points here. What is measured comes from `workflow.md` (state transitions, Lambda
invocations and local durations per function, DynamoDB read/write units, S3 requests by the
functions); what is assumed is in `ASSUMED`, each with its reason. Each bill row is
*per case x 1,000 x price*.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from handoff.catalog import function

HERE = Path(__file__).resolve().parent
WORKFLOW = HERE / "workflow.md"
RESULTS = HERE / "cost.md"
COMMAND = ".venv/bin/python -m benchmarks.cost"
REGION = "us-east-1"
PRICES_AS_OF = "2026-11-23"


@dataclass(frozen=True)
class Price:
    dollars: float  # for `per` units
    per: float
    unit: str

    @property
    def each(self) -> float:
        return self.dollars / self.per

    def text(self) -> str:
        per = {1.0: "", 1_000.0: "1,000 ", 10_000.0: "10,000 ", 1_000_000.0: "million "}[self.per]
        dollars = f"{self.dollars:.10f}".rstrip("0").rstrip(".")
        return f"${dollars} per {per}{self.unit}"


# AWS public list prices, us-east-1, as known on PRICES_AS_OF (DynamoDB on demand after its
# November 2024 reduction); not re-read from the live pricing pages: check before quoting.
PRICES: dict[str, Price] = {
    "step_functions": Price(0.025, 1_000, "state transitions"),
    "lambda_gb_s": Price(0.0000133334, 1, "GB-s (arm64)"),
    "lambda_requests": Price(0.20, 1_000_000, "requests"),
    "api_gateway_rest": Price(3.50, 1_000_000, "requests"),
    "waf_requests": Price(0.60, 1_000_000, "requests"),
    "dynamodb_wru": Price(0.625, 1_000_000, "WRU"),
    "dynamodb_rru": Price(0.125, 1_000_000, "RRU"),
    "s3_put": Price(0.005, 1_000, "requests"),
    "s3_get": Price(0.0004, 1_000, "requests"),
    "data_out": Price(0.09, 1, "GB"),
    "sqs": Price(0.40, 1_000_000, "requests"),
    "kms": Price(0.03, 10_000, "requests"),
    "logs": Price(0.50, 1, "GB ingested"),
    "xray": Price(5.00, 1_000_000, "traces"),
}


@dataclass(frozen=True)
class Assumed:
    value: float
    why: str


ASSUMED: dict[str, Assumed] = {
    "duration_factor": Assumed(
        3, "billed ms on Lambda = local median of the sequential pass x 3, rounded up"
    ),
    "api_reads": Assumed(10, "API reads per case by the business and the partner (status, file, links)"),
    "rru_per_read": Assumed(3, "read units per API read"),
    "presigned_uploads": Assumed(3, "S3 POSTs of the evidence uploads (not through a client here)"),
    "downloads": Assumed(3, "S3 GETs of the packet and letters by the partner"),
    "data_out_mib": Assumed(5.1, "packet and letters downloaded once (5 MiB of evidence per case)"),
    "sqs_requests": Assumed(6, "3 S3 notifications plus receives and deletes batched as on AWS"),
    "kms_requests": Assumed(2, "data keys are cached by DynamoDB, SQS and S3 bucket keys"),
    "log_kib": Assumed(92, "1.5 KiB per invocation, 0.5 KiB per access-log line, state machine log"),
    "traces": Assumed(19, "every API request and execution sampled (upper bound)"),
}


@dataclass(frozen=True)
class FunctionCounts:
    name: str
    invocations: float
    local_median_ms: float


@dataclass(frozen=True)
class WorkflowCounts:
    date: str
    transitions: float
    functions: tuple[FunctionCounts, ...]
    rru: float
    wru: float
    s3_put: float
    s3_get: float


def _find(pattern: str, text: str) -> re.Match[str]:
    found = re.search(pattern, text, re.MULTILINE)
    if not found:
        raise ValueError(f"{WORKFLOW.name}: no match for {pattern!r}")
    return found


def parse_workflow(text: str) -> WorkflowCounts:
    """The per-case counts that `benchmarks/workflow.py` writes in its report."""
    functions = tuple(
        FunctionCounts(name, float(invocations), float(median))
        for name, invocations, median in re.findall(
            r"^\| (\w+) \| \d+ \| ([\d.]+) \| ([\d.]+) \|", text, re.MULTILINE
        )
    )
    units = _find(r"^\| DynamoDB requests; [^|]*\| [\d.]+; ([\d.]+) RRU / ([\d.]+) WRU \|", text)
    s3 = _find(r"^\| S3 requests by the functions [^|]*\| [\d.]+ \(([\d.]+) / ([\d.]+)\) \|", text)
    return WorkflowCounts(
        date=_find(r"^- date: (.+)$", text).group(1).strip(),
        transitions=float(_find(r"^\| state transitions [^|]*\| (\d+) \(max", text).group(1)),
        functions=functions,
        rru=float(units.group(1)),
        wru=float(units.group(2)),
        s3_put=float(s3.group(1)),
        s3_get=float(s3.group(2)),
    )


@dataclass(frozen=True)
class LambdaLine:
    name: str
    memory_mb: int
    invocations: float
    local_ms: float
    billed_ms: int

    @property
    def gb_s(self) -> float:
        return self.invocations * self.billed_ms / 1000 * self.memory_mb / 1024


def lambda_lines(counts: WorkflowCounts) -> list[LambdaLine]:
    factor = ASSUMED["duration_factor"].value
    lines = [
        LambdaLine(f.name, function(f.name).memory_mb, f.invocations, f.local_median_ms, 0)
        for f in counts.functions
        if f.invocations > 0
    ]
    by_name = {line.name: line for line in lines}
    reads = ASSUMED["api_reads"].value
    lines += [
        LambdaLine(
            "business_api / partner_api: assumed reads", 512, reads, by_name["business_api"].local_ms, 0
        ),
        LambdaLine("authorizer, for the assumed reads", 256, reads, by_name["authorizer"].local_ms, 0),
    ]
    return [
        LambdaLine(
            line.name,
            line.memory_mb,
            line.invocations,
            line.local_ms,
            math.ceil(round(line.local_ms * factor, 6)),
        )
        for line in lines
    ]


@dataclass(frozen=True)
class BillLine:
    item: str
    per_case: float
    per_case_text: str
    source: str
    price: str

    @property
    def per_1000(self) -> float:
        return self.per_case * 1000 * PRICES[self.price].each


def bill(counts: WorkflowCounts) -> list[BillLine]:
    a = {name: assumed.value for name, assumed in ASSUMED.items()}
    lambdas = lambda_lines(counts)
    gb_s = sum(line.gb_s for line in lambdas)
    invocations = sum(line.invocations for line in lambdas)
    measured_api = next(f.invocations for f in counts.functions if f.name == "authorizer")
    api = measured_api + a["api_reads"]
    rru = counts.rru + a["api_reads"] * a["rru_per_read"]
    return [
        BillLine("Step Functions (standard)", counts.transitions, f"{counts.transitions:g} transitions",
                 "measured", "step_functions"),
        BillLine("Lambda compute (arm64), warm", gb_s, f"{gb_s:.3f} GB-s",
                 "measured counts (+ assumed reads) x assumed durations", "lambda_gb_s"),
        BillLine("Lambda requests", invocations, f"{invocations:.1f} invocations",
                 f"measured + {2 * a['api_reads']:g} for the assumed reads", "lambda_requests"),
        BillLine("API Gateway REST", api, f"{api:g} requests ({measured_api:g} measured + "
                 f"{a['api_reads']:g} assumed reads)", "measured + assumed", "api_gateway_rest"),
        BillLine("WAF requests", api, f"{api:g} requests", "as above", "waf_requests"),
        BillLine("DynamoDB writes (on demand)", counts.wru, f"{counts.wru:.0f} WRU",
                 "estimated from measured requests and item sizes", "dynamodb_wru"),
        BillLine("DynamoDB reads (on demand)", rru, f"{rru:.0f} RRU ({counts.rru:.0f} measured + "
                 f"{a['api_reads'] * a['rru_per_read']:g} for the assumed reads)", "estimated + assumed",
                 "dynamodb_rru"),
        BillLine("S3 PUT-class requests", counts.s3_put + a["presigned_uploads"],
                 f"{counts.s3_put + a['presigned_uploads']:g} ({counts.s3_put:g} by the functions + "
                 f"{a['presigned_uploads']:g} presigned uploads)", "measured + assumed", "s3_put"),
        BillLine("S3 GET-class requests", counts.s3_get + a["downloads"],
                 f"{counts.s3_get + a['downloads']:g} ({counts.s3_get:g} by the functions + "
                 f"{a['downloads']:g} assumed downloads)", "measured + assumed", "s3_get"),
        BillLine("S3 data transfer out", a["data_out_mib"] / 1024, f"{a['data_out_mib']:g} MiB",
                 "assumed size", "data_out"),
        BillLine("SQS", a["sqs_requests"], f"{a['sqs_requests']:g} requests", "assumed from local counts",
                 "sqs"),
        BillLine("KMS", a["kms_requests"], f"{a['kms_requests']:g} requests", "assumed", "kms"),
        BillLine("CloudWatch Logs ingestion", a["log_kib"] / 1024 / 1024, f"{a['log_kib']:g} KiB",
                 "assumed sizes per line", "logs"),
        BillLine("X-Ray traces", a["traces"], f"{a['traces']:g} traces", "assumed (upper bound)", "xray"),
    ]  # fmt: skip


def total_per_1000(counts: WorkflowCounts) -> float:
    return sum(line.per_1000 for line in bill(counts))


def report(counts: WorkflowCounts) -> str:
    lambdas = lambda_lines(counts)
    lines = [
        "# AWS cost per 1,000 cases",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- command: `{COMMAND}` (from the repository root; `make bench` runs it after the workflow)",
        f"- counts: [workflow.md](workflow.md), the run of {counts.date}",
        f"- prices: `PRICES` in `benchmarks/cost.py`, AWS list prices for {REGION} as known on "
        f"{PRICES_AS_OF} (not re-read from the live pricing pages: check them before quoting a figure); "
        "the model and its notes: [docs/deploy.md](../docs/deploy.md), section 8",
        "",
        "## Lambda compute",
        "",
        "| function | memory | invocations per case | local median ms (sequential pass) "
        f"| billed ms assumed (x {ASSUMED['duration_factor'].value:g}, rounded up) | GB-s per case |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for line in lambdas:
        lines.append(
            f"| {line.name} | {line.memory_mb} MB | {line.invocations:.2f} | {line.local_ms:.1f} "
            f"| {line.billed_ms} | {line.gb_s:.3f} |"
        )
    lines += [
        f"| **all** | | **{sum(x.invocations for x in lambdas):.2f}** | | "
        f"| **{sum(x.gb_s for x in lambdas):.3f}** |",
        "",
        "## The bill per 1,000 cases",
        "",
        "| item | per case | source | price | per 1,000 cases |",
        "|---|---|---|---|---:|",
    ]
    for row in bill(counts):
        lines.append(
            f"| {row.item} | {row.per_case_text} | {row.source} | {PRICES[row.price].text()} "
            f"| ${row.per_1000:.3f} |"
        )
    total = total_per_1000(counts)
    lines += [
        f"| **total, per 1,000 cases** | | | | **${total:.2f}** |",
        "",
        f"**AWS cost per 1,000 cases: ${total:.2f}** (request-driven charges, {REGION}; storage, "
        "free tiers and fixed monthly costs are outside it: see docs/deploy.md).",
        "",
        "## Assumptions",
        "",
        "| name | value | why |",
        "|---|---:|---|",
    ]
    for name, assumed in ASSUMED.items():
        lines.append(f"| {name} | {assumed.value:g} | {assumed.why} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    args = parser.parse_args(argv)
    counts = parse_workflow(WORKFLOW.read_text(encoding="utf-8"))
    text = report(counts)
    print(text)
    if not args.no_write:
        RESULTS.write_text(text, encoding="utf-8")
        print(f"written {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
