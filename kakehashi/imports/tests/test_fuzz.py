"""REL-FUZZ-2: whatever bytes arrive, the importer answers with a documented error or a row."""

from __future__ import annotations

import contextlib

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from kakehashi.imports import mapping, readers, rows

FIELDS = [f for f in mapping.FIELDS if f != mapping.IGNORE]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.xlsx", "x.txt"]))
def test_rel_fuzz_2_any_bytes_read_or_refuse_cleanly(raw, name):
    try:
        table = readers.read(raw, name)
        for _line, cells in table.rows:
            assert all(isinstance(c, str) for c in cells)
    except readers.UnreadableFile:
        pass


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(max_size=40), min_size=1, max_size=8),
    st.lists(st.sampled_from(FIELDS), min_size=1, max_size=8, unique=True),
)
def test_rel_fuzz_2_any_cells_build_a_row_or_reasons(cells, fields):
    with translation.override("en"):
        row = rows.build(2, cells, dict(enumerate(fields)))
    assert row.ok or all(isinstance(e, str) and e for e in row.errors)
    if row.ok:
        assert row.lead["email"] == row.lead["email"].lower()
        assert not row.lead["phone"] or row.lead["phone"].startswith("+")
        assert row.lead["postal_code"] == "" or len(row.lead["postal_code"]) == 7


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_rel_fuzz_2_any_text_csv_is_read_or_refused(text):
    with contextlib.suppress(readers.UnreadableFile):
        list(readers.read(text.encode("utf-8"), "x.csv").rows)
