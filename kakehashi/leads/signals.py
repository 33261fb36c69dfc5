from django.dispatch import Signal

# Sent after a bulk writer (an import) has created or changed leads without recording each
# change through ``timeline.record`` (kwargs: ``ranges``, sorted (first id, last id) pairs).
# Scoring listens and rescores those leads in the background.
leads_written_in_bulk = Signal()


def id_ranges(ids: set[int]) -> list[tuple[int, int]]:
    """Sorted ids as (first, last) runs of consecutive ids: an import's new leads are few runs."""
    ranges: list[tuple[int, int]] = []
    for pk in sorted(ids):
        if ranges and pk == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], pk)
        else:
            ranges.append((pk, pk))
    return ranges
