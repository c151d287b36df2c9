"""Write docs/lifecycle.md from the lifecycle transition table.

    python scripts/render_lifecycle.py            # rewrite docs/lifecycle.md
    python scripts/render_lifecycle.py --check    # exit 1 if docs/lifecycle.md is stale

The text comes from ``complaintdesk.complaints.domain.lifecycle.render_markdown()``; this
script only writes it, so the documentation cannot drift from the table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "docs" / "lifecycle.md"

if str(REPO_ROOT / "src") not in sys.path:
    sys.path.insert(0, str(REPO_ROOT / "src"))

from complaintdesk.complaints.domain.lifecycle import render_markdown  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args(argv)
    output: Path = args.output
    text = render_markdown()
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if current != text:
            print(f"{output} is stale: run python scripts/render_lifecycle.py", file=sys.stderr)
            return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
