"""Fail when a user-facing string has no Japanese translation or the compiled catalog is stale.

Extracts messages with Django's makemessages into a temporary copy of the catalog, so the
working tree is never modified, then compares with the committed django.po and django.mo.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "kakehashi" / "locale" / "ja" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def extract() -> polib.POFile:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "kakehashi"
        shutil.copytree(ROOT / "kakehashi", copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
        env = {**os.environ, "PYTHONPATH": tmp, "DJANGO_SETTINGS_MODULE": "kakehashi.settings"}
        subprocess.run(
            [sys.executable, "-m", "django", "makemessages", "-l", "ja", "--no-location",
             "--no-obsolete", "--ignore", "tests/*"],
            cwd=tmp, env=env, check=True, capture_output=True,
        )  # fmt: skip
        return polib.pofile(str(copy / "locale" / "ja" / "LC_MESSAGES" / "django.po"))


def key(entry: polib.POEntry | polib.MOEntry) -> tuple[str, str]:
    """A message is its context and its text: pgettext("web address", "address") is its own."""
    return (entry.msgctxt or "", entry.msgid)


def main() -> int:
    committed = polib.pofile(str(PO))
    translated = {key(e) for e in committed if e.translated() and "fuzzy" not in e.flags}
    wanted = {key(e) for e in extract()}
    missing = sorted(wanted - translated)
    problems = [
        f"no Japanese translation: {m[1]!r}" + (f" (context {m[0]!r})" if m[0] else "")
        for m in missing
    ]
    compiled = polib.mofile(str(MO)) if MO.exists() else None
    if compiled is None:
        problems.append("django.mo is missing: run `kakehashi django compilemessages -l ja`")
    else:
        in_mo = {key(e): (e.msgstr, tuple(e.msgstr_plural.items())) for e in compiled}
        for entry in committed.translated_entries():
            if in_mo.get(key(entry)) != (entry.msgstr, tuple(entry.msgstr_plural.items())):
                problems.append(f"django.mo is stale for {entry.msgid!r}: compile the catalog")
                break
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(wanted)} messages, {len(missing)} untranslated")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
