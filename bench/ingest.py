"""Ingest benchmark: ``telroi analyze`` on a one-million-call Asterisk Master.csv.

Generates the file (18 columns, mostly distinct remote numbers: random Chinese mobiles,
fixed lines of many area codes, local numbers, international numbers; 45 % outbound, 45 %
inbound, 10 % internal; 80 % answered) in a temporary directory, in a child process. Then
runs two kinds of child process, alternated ``--repeat`` times so that both see the same
machine load:

* the baseline: a bare ``polars.read_csv`` of the file (from its path);
* ``telroi analyze FILE --country CN --area-code 21 --outside-prefix 9`` through
  ``app.cli.main`` in-process (the console script's code: file read, analysis and the
  printed summary; without ``--json``).

Each child reports the wall time of its work after its imports (the baseline does not time
``import polars`` either; the CLI's imports — every command module, web framework included —
and the whole process wall time are printed beside it). The best time of each is kept and
their ratio printed, with every run's ratio and the machine's load average before and after
(the ratio is only meaningful on a quiet machine: a busy one slows the two-thread bare read
more than the analysis). Peak memory is the largest maximum resident set size of any run
(``os.wait4``). Targets (issue 3): within 3× the bare read, under 1.5 GB; a miss is
printed with its margin.

    .venv/bin/python bench/ingest.py [--calls 1000000] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

TARGET_RATIO = 3.0
TARGET_MEMORY_MB = 1536.0

BASELINE = """
import sys, time, json
import polars as pl
t = time.perf_counter()
frame = pl.read_csv(sys.argv[1], has_header=False)
print(json.dumps({"seconds": time.perf_counter() - t, "rows": frame.height}))
"""

ANALYZE = """
import sys, time, json, io, contextlib
t0 = time.perf_counter()
from app.cli import build_parser, main
build_parser()  # imports every command module (web framework, database …): not timed
t1 = time.perf_counter()
out = io.StringIO()
with contextlib.redirect_stdout(out):
    status = main(["analyze", sys.argv[1], "--country", "CN", "--area-code", "21",
                   "--outside-prefix", "9"])
t2 = time.perf_counter()
print(json.dumps({"seconds": t2 - t1, "imports": t1 - t0, "status": status,
                  "summary": out.getvalue().splitlines()[:5]}))
"""


def generate(path: Path, calls: int, seed: int = 7) -> None:
    """Write an 18-column Master.csv of ``calls`` calls over September 2026."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(3, size=calls, p=[0.45, 0.45, 0.10])  # 0 out, 1 in, 2 internal
    ext = (8000 + rng.integers(0, 900, calls)).astype(str)
    other_ext = (8000 + rng.integers(0, 900, calls)).astype(str)
    mobile_prefix = rng.choice(["130", "135", "138", "139", "150", "186", "188", "199"], calls)
    mobile = np.char.add(mobile_prefix, np.char.zfill(rng.integers(0, 10**8, calls).astype(str), 8))
    area = rng.choice(["21", "10", "20", "571", "755", "28", "27", "25"], calls)
    fixed = np.char.add(
        np.char.add("0", area), (2 * 10**7 + rng.integers(0, 7 * 10**7, calls)).astype(str)
    )
    local = (5 * 10**7 + rng.integers(0, 4 * 10**7, calls)).astype(str)
    intl = np.char.add(
        rng.choice(["001212", "00442079", "004930", "00852", "00813"], calls),
        np.char.zfill(rng.integers(0, 10**7, calls).astype(str), 7),
    )
    pick = rng.choice(4, size=calls, p=[0.4, 0.3, 0.2, 0.1])
    remote = np.where(
        pick == 0, mobile, np.where(pick == 1, fixed, np.where(pick == 2, local, intl))
    )
    did = (63001000 + rng.integers(0, 100, calls)).astype(str)
    src = np.where(kind == 1, remote, ext)
    dst = np.where(kind == 0, np.char.add("9", remote), np.where(kind == 1, did, other_ext))
    base = int(np.datetime64("2026-09-01T00:00:00").astype("datetime64[s]").astype(np.int64))
    start = base + np.sort(rng.integers(0, 30 * 86400, calls))
    ring = rng.integers(0, 25, calls)
    answered = rng.random(calls) < 0.8
    talk = np.where(answered, rng.exponential(150, calls).astype(np.int64), 0)
    answer = start + ring
    end = answer + talk
    fmt = "%Y-%m-%d %H:%M:%S"

    def stamp(values: np.ndarray) -> pl.Series:
        return pl.Series(values * 1_000_000).cast(pl.Datetime("us")).dt.strftime(fmt)

    frame = pl.DataFrame(
        {
            "accountcode": [""] * calls,
            "src": src,
            "dst": dst,
            "dcontext": np.where(kind == 1, "from-trunk", "from-internal"),
            "clid": np.char.add(np.char.add('"', src), '"'),
            "channel": ["SIP/x-1"] * calls,
            "dstchannel": ["SIP/y-2"] * calls,
            "lastapp": ["Dial"] * calls,
            "lastdata": ["SIP/trunk,60"] * calls,
            "start": stamp(start),
            "answer": stamp(answer),
            "end": stamp(end),
            "duration": end - start,
            "billsec": talk,
            "disposition": np.where(answered, "ANSWERED", "NO ANSWER"),
            "amaflags": ["DOCUMENTATION"] * calls,
            "uniqueid": np.char.add("1788", np.arange(calls).astype(str)),
            "userfield": [""] * calls,
        }
    )
    frame = frame.with_columns(pl.when(pl.Series(answered)).then(pl.col("answer")).otherwise(None))
    frame.write_csv(path, include_header=False, quote_style="non_numeric")


def run_child(code: str, path: Path) -> tuple[dict[str, object], float, float]:
    """Run ``code`` in a child Python; its JSON report, wall seconds and peak RSS (MB)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(path)],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"child failed with status {status}")
    return json.loads(output), wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--keep", default=None, help="write the file into this directory")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each child (best kept)")
    parser.add_argument("--generate-only", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        generate(Path(args.generate_only), args.calls)
        return
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(args.keep or tmp)
        path = directory / "Master.csv"
        t = time.perf_counter()
        # In a child process, so that this process stays small: a child's peak RSS counts
        # the memory of the process it was forked from.
        subprocess.run(
            [sys.executable, __file__, "--generate-only", str(path), "--calls", str(args.calls)],
            check=True,
        )
        size_mb = path.stat().st_size / 2**20
        print(f"generated {args.calls} calls, {size_mb:.0f} MB in {time.perf_counter() - t:.1f} s")
        load_before = os.getloadavg()[0]
        bases, runs = [], []
        for _ in range(args.repeat):  # alternated, so that both see the same machine load
            bases.append(run_child(BASELINE, path))
            runs.append(run_child(ANALYZE, path))
        base, _, _ = min(bases, key=lambda r: float(r[0]["seconds"]))  # type: ignore[arg-type]
        run, run_wall, _ = min(runs, key=lambda r: float(r[0]["seconds"]))  # type: ignore[arg-type]
        base_mb = max(b[2] for b in bases)
        run_mb = max(r[2] for r in runs)  # peak memory: the worst run
        ratio = float(run["seconds"]) / float(base["seconds"])  # type: ignore[arg-type]
        all_ratios = [
            float(r[0]["seconds"]) / float(b[0]["seconds"])  # type: ignore[arg-type]
            for b, r in zip(bases, runs, strict=True)
        ]
        print(
            f"best of {args.repeat} runs each (ratios run by run: "
            + ", ".join(f"{x:.2f}" for x in all_ratios)
            + f"; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after)"
        )
        print(f"bare polars.read_csv : {base['seconds']:.2f} s, peak RSS {base_mb:.0f} MB")
        print(
            f"telroi analyze       : {run['seconds']:.2f} s (+ {run['imports']:.2f} s imports;"
            f" process {run_wall:.2f} s), peak RSS {run_mb:.0f} MB"
        )
        print(f"ratio                : {ratio:.2f}× (target ≤ {TARGET_RATIO:g}×)")
        print(f"memory               : {run_mb:.0f} MB (target < {TARGET_MEMORY_MB:.0f} MB)")
        for line in run["summary"]:  # type: ignore[attr-defined]
            print("  |", line)
        if ratio > TARGET_RATIO:
            print(f"MISSED speed target by {ratio / TARGET_RATIO:.2f}×")
        if run_mb >= TARGET_MEMORY_MB:
            print(f"MISSED memory target by {run_mb - TARGET_MEMORY_MB:.0f} MB")


if __name__ == "__main__":
    main()
