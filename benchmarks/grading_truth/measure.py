"""Grade the blind evaluation set (``answers/<rule>.py``) with the real checks and classify.

Usage::

    python benchmarks/grading_truth/measure.py [--out results.json] [rule ...]
    python benchmarks/grading_truth/measure.py --table results_before.json   # reprint a table

Each ``answers/<rule>.py`` holds ``WRONG = {function: "the mistake it makes"}`` and
``CORRECT = [function, ...]``, written without reading the grader's checks or catalogues.
Every answer is graded with ``autograde.runner.run_checks`` and classified:

Wrong answers
  * ``missed``     -- full marks (``points == max_points``): the checks did not see the mistake.
  * ``named``      -- caught, and at least one failed check *names a mistake*, defined as:
                      ``check.generic is False`` AND the check's diagnosis is not a crash report
                      (a text starting "your function raised", "not implemented yet", "the checks
                      could not run", or "the checks did not finish") AND the diagnosis's headline
                      (the text before its final parenthesised evidence, as ``runner._headline``
                      cuts it) is not a bare observation. A bare observation is a headline that,
                      lower-cased, starts with "got ", "expected ", "returned ", "your function
                      returned" or "wrong " followed only by values, i.e. matches
                      ``OBSERVATION`` below. In words: a named diagnosis says *what you did*
                      ("bootstraps on truncated", "ties not broken at random"), not only *what came
                      out* ("got 1.5, expected 2.0") or *that it crashed*.
  * ``observation`` -- caught (fewer points), but no failed check names a mistake: every failed
                      check is generic, a crash report, or a bare observation.
                      ``crashed`` in the JSON says whether some failed check was a crash report.

Correct answers
  * ``full``       -- full marks.
  * ``FALSE FAIL`` -- anything less.

Whether a named diagnosis names the *right* mistake is a judgement, recorded by hand in
``misnamed.json``: under "misnamed", the answers whose diagnosis names a different mistake than
the label (with one line of why); under "named_but_only_observation", answers this rule counts
as named whose non-generic text in fact only reports an outcome. This script prints the
"misnamed" column from the file when it exists, matching on ``rule.function``.

Prints a per-rule table and totals and writes the JSON (default
``benchmarks/grading_truth/results.json``) with every answer's points, class and diagnosis.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import signal
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from autograde.registry import RULES  # noqa: E402
from autograde.runner import _headline, run_checks  # noqa: E402

CRASH_PREFIXES = ("your function raised", "not implemented yet", "the checks could not run",
                  "the checks did not finish")
OBSERVATION = re.compile(r"^(got|expected|returned|your function returned|wrong)\b[^a-z]*"
                         r"((got|expected|instead of|but|not|vs)\b[^a-z]*)*$")
TIME_LIMIT = 120  # seconds per answer


def is_crash(text: str) -> bool:
    return text.strip().lower().startswith(CRASH_PREFIXES)


def is_observation(text: str) -> bool:
    return bool(OBSERVATION.match(_headline(text).strip().lower()))


def names_mistake(check) -> bool:
    return (not check.passed) and (not check.generic) and not is_crash(check.diagnosis) \
        and not is_observation(check.diagnosis)


def classify(kind: str, result) -> str:
    full = result.points >= result.max_points - 1e-9
    if kind == "correct":
        return "full" if full else "FALSE FAIL"
    if full:
        return "missed"
    return "named" if any(names_mistake(c) for c in result.checks) else "observation"


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def grade(rule_name: str, function):
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT)
    try:
        return run_checks(RULES[rule_name], function)
    finally:
        signal.alarm(0)


def measure(rule_name: str) -> list[dict]:
    module = importlib.import_module(f"benchmarks.grading_truth.answers.{rule_name}")
    answers = [("wrong", fn, label) for fn, label in module.WRONG.items()]
    answers += [("correct", fn, "correct") for fn in module.CORRECT]
    rows = []
    for kind, fn, label in answers:
        started = time.perf_counter()
        try:
            result = grade(rule_name, fn)
        except _Timeout:
            rows.append({"rule": rule_name, "answer": fn.__name__, "kind": kind, "label": label, "points": None,
                         "max_points": RULES[rule_name].points, "class": "timeout", "crashed": False,
                         "diagnosis": f"grading took over {TIME_LIMIT} s", "failed_checks": []})
            continue
        failed = [c for c in result.checks if not c.passed]
        rows.append({
            "rule": rule_name, "answer": fn.__name__, "kind": kind, "label": label,
            "points": result.points, "max_points": result.max_points,
            "class": classify(kind, result),
            "crashed": any(is_crash(c.diagnosis) for c in failed),
            "diagnosis": result.diagnosis,
            "failed_checks": [{"name": c.name, "generic": c.generic, "names_mistake": names_mistake(c),
                               "diagnosis": c.diagnosis} for c in failed],
            "seconds": round(time.perf_counter() - started, 2),
        })
    return rows


def load_misnamed(path: Path = HERE / "misnamed.json") -> set[str]:
    if not path.exists():
        return set()
    return set(json.loads(path.read_text()).get("misnamed", {}))


def table(rows: list[dict], misnamed: set[str]) -> str:
    header = (f"{'rule':<22} {'wrong':>5} {'caught':>6} {'named':>5} {'obs':>4} {'missed':>6} {'misnamed':>8}"
              f" | {'correct':>7} {'false fails':>11}")
    lines = [header, "-" * len(header)]
    totals = [0] * 8
    for rule in dict.fromkeys(r["rule"] for r in rows):
        rs = [r for r in rows if r["rule"] == rule]
        wrong = [r for r in rs if r["kind"] == "wrong"]
        correct = [r for r in rs if r["kind"] == "correct"]
        named = sum(r["class"] == "named" for r in wrong)
        obs = sum(r["class"] == "observation" for r in wrong)
        missed = sum(r["class"] == "missed" for r in wrong)
        caught = len(wrong) - missed
        mis = sum(f"{r['rule']}.{r['answer']}" in misnamed for r in wrong)
        ff = sum(r["class"] != "full" for r in correct)
        counts = [len(wrong), caught, named, obs, missed, mis, len(correct), ff]
        totals = [a + b for a, b in zip(totals, counts)]
        lines.append(f"{rule:<22} {counts[0]:>5} {counts[1]:>6} {counts[2]:>5} {counts[3]:>4} {counts[4]:>6}"
                     f" {counts[5]:>8} | {counts[6]:>7} {counts[7]:>11}")
    lines.append("-" * len(header))
    lines.append(f"{'TOTAL':<22} {totals[0]:>5} {totals[1]:>6} {totals[2]:>5} {totals[3]:>4} {totals[4]:>6}"
                 f" {totals[5]:>8} | {totals[6]:>7} {totals[7]:>11}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "results.json"))
    parser.add_argument("--table", metavar="JSON", help="only reprint the table of an earlier results file")
    parser.add_argument("--misnamed", type=Path, default=HERE / "misnamed.json",
                        help="the hand judgement of misnamed diagnoses (default: misnamed.json, of the current code)")
    parser.add_argument("rules", nargs="*", help="rules to measure (default: all with an answers file)")
    args = parser.parse_args(argv)
    if args.table:
        rows = json.loads(Path(args.table).read_text())["rows"]
        print(table(rows, load_misnamed(args.misnamed)))
        return 0
    available = sorted(p.stem for p in (HERE / "answers").glob("*.py") if p.stem != "__init__")
    rules = args.rules or [r for r in RULES if r in available]
    unknown = [r for r in rules if r not in available]
    if unknown:
        parser.error(f"no answers for {unknown}; available: {available}")
    rows = []
    for rule in rules:
        started = time.perf_counter()
        rows += measure(rule)
        print(f"  {rule}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    misnamed = load_misnamed(args.misnamed)
    for r in rows:
        r["misnamed"] = f"{r['rule']}.{r['answer']}" in misnamed
    print(table(rows, misnamed))
    for r in rows:
        if r["class"] in ("missed", "FALSE FAIL", "timeout"):
            print(f"{r['class']:>10}: {r['rule']}.{r['answer']} ({r['label']})"
                  + (f"\n            {r['diagnosis'].splitlines()[0] if r['diagnosis'] else ''}"
                     if r["class"] != "missed" else ""))
    Path(args.out).write_text(json.dumps({"rows": rows}, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
