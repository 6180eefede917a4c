"""Print the Canvas API scopes the tool needs, or write them into the README.

The list comes from app/canvas_endpoints.py (one endpoint per CanvasClient method), the same
source as ``CANVAS_SCOPES``. ``--write-readme`` replaces the ```text block under
"### Canvas API scopes" in README.md; ``--check-readme`` exits 1 when it differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.canvas_endpoints import canvas_scopes  # noqa: E402 (after the path insert)

HEADING = "### Canvas API scopes"
FENCE = "```text\n"


def readme_block(readme: str) -> tuple[int, int]:
    """Start and end offsets of the scope list's body in ``readme``.

    Raises:
        ValueError: the README has no such section or block.
    """
    section = readme.index(HEADING)
    start = readme.index(FENCE, section) + len(FENCE)
    end = readme.index("```", start)
    return start, end


def render() -> str:
    return "".join(f"{scope}\n" for scope in canvas_scopes())


def with_scopes(readme: str) -> str:
    start, end = readme_block(readme)
    return readme[:start] + render() + readme[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write-readme", action="store_true", help="update README.md in place")
    action.add_argument("--check-readme", action="store_true",
                        help="exit 1 when README.md lists other scopes")
    args = parser.parse_args(argv)
    readme_path = ROOT / "README.md"
    if args.write_readme:
        readme_path.write_text(with_scopes(readme_path.read_text()))
        return 0
    if args.check_readme:
        current = readme_path.read_text()
        if with_scopes(current) != current:
            print("README.md's Canvas API scopes differ from the code; run "
                  "scripts/canvas-scopes --write-readme", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
