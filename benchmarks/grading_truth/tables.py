"""Before/after tables per rule, for README.md.

    python benchmarks/grading_truth/tables.py blind results_before.json results_after.json
    python benchmarks/grading_truth/tables.py catalogue catalogue_before.json catalogue_after.json

``blind``: two ``measure.py`` results (misnamed from ``misnamed_before.json`` and ``misnamed.json``).
``catalogue``: two outcome files written by ``pytest tests/test_catalogue.py`` with
``QLAB_CATALOGUE_RATES=FILE`` (tests/conftest.py): per answer, NOT CAUGHT, named, observed,
MISNAMED, other (the catalogue's words not in the diagnosis), or full / FALSE FAIL.
Each cell is "before → after" (one number where both agree).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def cell(before, after) -> str:
    return f"{before}" if before == after else f"{before} → {after}"


def blind_counts(path: Path, misnamed_path: Path) -> dict:
    misnamed = set(json.loads(misnamed_path.read_text())["misnamed"])
    counts = {}
    for r in json.loads(path.read_text())["rows"]:
        c = counts.setdefault(r["rule"], dict.fromkeys(("wrong", "caught", "named", "observation only", "missed",
                                                        "misnamed", "correct", "false fails"), 0))
        if r["kind"] == "wrong":
            c["wrong"] += 1
            c["missed" if r["class"] == "missed" else "caught"] += 1
            c["named"] += r["class"] == "named"
            c["observation only"] += r["class"] == "observation"
            c["misnamed"] += f"{r['rule']}.{r['answer']}" in misnamed
        else:
            c["correct"] += 1
            c["false fails"] += r["class"] != "full"
    return counts


def catalogue_counts(path: Path) -> dict:
    counts = {}
    for rule, rows in json.loads(path.read_text()).items():
        wrong = [o for _, kind, o in rows if kind == "wrong"]
        correct = [o for _, kind, o in rows if kind == "correct"]
        counts[rule] = {"wrong": len(wrong), "caught": sum(o != "NOT CAUGHT" for o in wrong),
                        "named": wrong.count("named"), "observation only": wrong.count("observed"),
                        "misnamed": wrong.count("MISNAMED"), "correct": len(correct),
                        "false fails": correct.count("FALSE FAIL")}
    return counts


def table(before: dict, after: dict) -> str:
    rules = list(dict.fromkeys(list(after) + list(before)))
    columns = list(next(iter(after.values())))
    lines = ["| rule | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    total_b, total_a = dict.fromkeys(columns, 0), dict.fromkeys(columns, 0)
    for rule in rules:
        b, a = before.get(rule, dict.fromkeys(columns, 0)), after.get(rule, dict.fromkeys(columns, 0))
        for c in columns:
            total_b[c] += b[c]
            total_a[c] += a[c]
        lines.append(f"| {rule} | " + " | ".join(cell(b[c], a[c]) for c in columns) + " |")
    lines.append("| **total** | " + " | ".join(f"**{cell(total_b[c], total_a[c])}**" for c in columns) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    kind, before, after = argv
    if kind == "blind":
        print(table(blind_counts(HERE / before, HERE / "misnamed_before.json"),
                    blind_counts(HERE / after, HERE / "misnamed.json")))
    else:
        print(table(catalogue_counts(HERE / before), catalogue_counts(HERE / after)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
