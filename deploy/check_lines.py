"""No Python file under services/, shared/ or deploy/ is over MAX_LINES lines (make lint).

python -m deploy.check_lines
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
CHECKED = ("services", "shared", "deploy")
#: Files allowed over the limit for now, each with why and until when.
EXCEPTIONS: dict[str, str] = {}


def offenders(root: Path = ROOT) -> list[tuple[str, int]]:
    """The files over the limit (path relative to the root, number of lines)."""
    found = []
    for top in CHECKED:
        for path in sorted((root / top).rglob("*.py")):
            name = str(path.relative_to(root))
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES and name not in EXCEPTIONS:
                found.append((name, lines))
    return found


def main() -> int:
    found = offenders()
    for name, lines in found:
        print(f"{name}: {lines} lines, over {MAX_LINES}: split it by responsibility")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
