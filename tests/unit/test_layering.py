"""The layering rules hold by lint, not only by discipline (make lint runs both checks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from deploy.check_lines import CHECKED, EXCEPTIONS, MAX_LINES, ROOT, offenders


def test_no_python_file_is_over_the_limit() -> None:
    assert offenders() == []


def test_a_file_over_the_limit_is_named(tmp_path: Path) -> None:
    for top in CHECKED:
        (tmp_path / top).mkdir()
    (tmp_path / "shared/kort.py").write_text("x = 1\n" * MAX_LINES)
    (tmp_path / "services/lang.py").write_text("x = 1\n" * (MAX_LINES + 1))
    assert offenders(tmp_path) == [("services/lang.py", MAX_LINES + 1)]


def test_every_exception_still_needs_to_be_one() -> None:
    """An exception is removed once its file is under the limit again."""
    for name in EXCEPTIONS:
        lines = len((ROOT / name).read_text(encoding="utf-8").splitlines())
        assert lines > MAX_LINES, f"{name} has {lines} lines: remove it from EXCEPTIONS"


def test_the_import_contracts_are_kept() -> None:
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
    assert "3 kept, 0 broken" in result.stdout
