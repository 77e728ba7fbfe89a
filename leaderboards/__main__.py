"""`python -m magma_bench.leaderboards paper-tables|build ...` (what `make paper-tables` and the end of
`make bench` call)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from magma_bench.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    """The leaderboard subcommands (also `magma-bench leaderboard ...`, built from this parser)."""
    ap = argparse.ArgumentParser(prog="python -m magma_bench.leaderboards",
                                 description="Render the paper's tables and the measured leaderboards.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("paper-tables", help="the paper's tables 2-8 and figures 8-10 as markdown + LaTeX")
    p.add_argument("--out", type=Path, default=Path("runs/leaderboard/paper"))
    b = sub.add_parser("build", help="everything: paper tables, measured vs paper, ablation, HTML, plots")
    b.add_argument("--runs", type=Path, default=Path("runs"))
    b.add_argument("--out", type=Path, default=Path("runs/leaderboard"))
    b.add_argument("--no-plots", action="store_true", help="skip matplotlib plots")
    a = sub.add_parser("ablation", help="the Table 3 layout from trainer variants (+ its chart)")
    a.add_argument("--runs", type=Path, default=Path("runs"))
    a.add_argument("--out", type=Path, default=Path("runs/leaderboard"))
    a.add_argument("--no-plots", action="store_true", help="skip the matplotlib chart")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.cmd == "paper-tables":
            from magma_bench.leaderboards.render_tables import write_paper_tables

            paths = write_paper_tables(args.out)
            print(f"paper tables: {len(paths)} files in {args.out}")
        elif args.cmd == "ablation":
            from magma_bench.leaderboards.build import write_ablation_all

            paths = write_ablation_all(args.runs, args.out, plots=not args.no_plots)
            print(paths["ablation.md"].read_text(encoding="utf-8"))
            print(f"ablation: {', '.join(str(p) for p in paths.values())}")
        else:
            from magma_bench.leaderboards.build import build_all, print_summary

            paths = build_all(args.runs, args.out, plots=not args.no_plots)
            print_summary(args.runs, paths)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
