"""Generate the growth-factor code of contracts/Influence.sol from communis/engine/growth.py.

Two generated regions, between ``// <generated:NAME>`` and ``// </generated:NAME>`` markers:

* ``exp2``: the unrolled Q64.64 ``exp2`` (one line per bit, the constants of
  ``communis.engine.growth.EXP2_CONSTANTS``, floored after each product);
* ``table`` and ``table-init``: ``TABLE_WORDS`` immutables holding ``exp2(frac(r)) - 2^64``
  for every residue ``r < halfLife`` (four 64-bit entries per word) when
  ``halfLife <= 4 * TABLE_WORDS``, and the binary selection tree that reads them. The table is
  filled in the constructor by the same ``_exp2``, so it is bit-for-bit the specification, and a
  vote lookup pays a few comparisons instead of up to 63 multiplications.

``python toolchain/gen_growth_code.py`` rewrites the regions in place; ``--check`` exits 1 when
the file is out of date (tests/influence runs the check).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from communis.engine.growth import EXP2_CONSTANTS, ONE  # noqa: E402

TARGET = ROOT / "contracts" / "Influence.sol"
TABLE_WORDS = 64
ENTRIES_PER_WORD = 4


def exp2_region(indent: str = "            ") -> str:
    lines = []
    for k, constant in enumerate(EXP2_CONSTANTS, start=1):
        if constant == ONE:  # k = 64: multiplying by exactly one and flooring changes nothing
            continue
        lines.append(
            f"{indent}if and(f, 0x{1 << (64 - k):x}) {{ r := shr(64, mul(r, 0x{constant:x})) }}"
        )
    return "\n".join(lines)


def _tree(low: int, high: int, depth: int) -> list[str]:
    pad = "    " * depth
    if high - low == 1:
        return [f"{pad}return _exp2Table{low};"]
    mid = (low + high) // 2
    return [
        f"{pad}if (i < {mid}) {{",
        *_tree(low, mid, depth + 1),
        f"{pad}}}",
        *_tree(mid, high, depth),
    ]


def table_region() -> str:
    declarations = [f"    uint256 private immutable _exp2Table{i};" for i in range(TABLE_WORDS)]
    return "\n".join(
        [
            "    // exp2(frac(r)) - 2^64 for residue r at bits 64 * (r % 4) of word r / 4.",
            *declarations,
            "",
            "    /// @dev Word `i` of the residue table.",
            "    function _tableWord(uint256 i) private view returns (uint256) {",
            # Half-lives up to 32 epochs (weekly epochs: up to 32 weeks) need 4 comparisons.
            "        if (i < 8) {",
            *_tree(0, 8, 3),
            "        }",
            *_tree(8, TABLE_WORDS, 2),
            "    }",
        ]
    )


def table_init_region() -> str:
    return "\n".join(f"        _exp2Table{i} = words[{i}];" for i in range(TABLE_WORDS))


REGIONS = {"exp2": exp2_region, "table": table_region, "table-init": table_init_region}


def render(source: str) -> str:
    for name, build in REGIONS.items():
        pattern = re.compile(
            rf"(?P<open>[ \t]*// <generated:{name}>[^\n]*\n)"
            rf".*?(?P<close>[ \t]*// </generated:{name}>)",
            re.S,
        )
        if not pattern.search(source):
            raise SystemExit(f"{TARGET}: missing the generated:{name} markers")
        source = pattern.sub(
            lambda m, build=build: m["open"] + build() + "\n" + m["close"], source, count=1
        )
    return source


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    current = TARGET.read_text(encoding="utf-8")
    wanted = render(current)
    if args.check:
        if wanted != current:
            print(
                f"{TARGET} is out of date: run python toolchain/gen_growth_code.py", file=sys.stderr
            )
            return 1
        return 0
    TARGET.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
