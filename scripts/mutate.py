"""Print the mutation score of each core module from mutmut's results (run by `make mutate` after `mutmut run`).

A mutant counts as killed when a test failed or it timed out. Survivors listed in docs/mutants.md are equivalent
mutants (no test can tell them apart from the real code) and are not counted in the score; any other survivor is
printed so that a test can be written for it.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("sm2", "studyday", "reviews", "access", "stats", "section_stats", "group_stats", "card_stats")
TARGETS = {
    "sm2": 90,
    "studyday": 90,
    "reviews": 90,
    "access": 90,
    "stats": 80,
    "section_stats": 80,
    "group_stats": 80,
    "card_stats": 80,
}
KILLED = {1, 3, 36, 24, -24, 152, 255}  # a failing test, pytest's internal error, or a timeout (mutmut's codes)


def documented_equivalents() -> set[str]:
    path = ROOT / "docs" / "mutants.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return set(re.findall(r"`(cards\.\w+\.x\w+__mutmut_\d+)`", text))  # a method: xǁClassǁname


def main() -> int:
    equivalents = documented_equivalents()
    print(f"{'module':<20}{'killed/counted':>14}{'score':>8}{'target':>8}{'equivalent':>12}")
    missing, undocumented = [], []
    for name in MODULES:
        meta = ROOT / "mutants" / "cards" / f"{name}.py.meta"
        if not meta.exists():
            missing.append(name)
            continue
        every = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        codes = {key: code for key, code in every.items() if code is not None}  # None: not run (yet)
        unchecked = len(every) - len(codes)
        killed = sum(code in KILLED for code in codes.values())
        survivors = sorted(key for key, code in codes.items() if code not in KILLED)
        equivalent = [key for key in survivors if key in equivalents]
        undocumented += [key for key in survivors if key not in equivalents]
        # Equivalent mutants behave as the code does, so no test can kill them: they leave the denominator.
        counted = len(codes) - len(equivalent)
        score = 100 * killed / counted if counted else 100.0
        print(
            f"{'cards/' + name + '.py':<20}{f'{killed}/{counted}':>14}{score:>7.1f}%{TARGETS[name]:>7}%"
            f"{len(equivalent):>12}" + (f"   ({unchecked} not run)" if unchecked else "")
        )
    if missing:
        print(f"No results for {', '.join(missing)}: run `make mutate`.")
    if undocumented:
        print(f"\n{len(undocumented)} survivors neither killed nor listed in docs/mutants.md (`mutmut show NAME`):")
        print("\n".join(f"  {key}" for key in undocumented))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
