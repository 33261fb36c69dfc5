"""The import's low-level writers: bulk inserts keep every value exact, and the collector
pause leaves the interpreter as it found it."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection

from kakehashi.leads.models import Company
from kakehashi.lib import gcpause
from kakehashi.lib.bulk import RawJSON, insert_rows

COLUMNS = ("id", "name", "name_kana", "normalized_name", "domain", "industry", "employee_band",
           "city", "address_line", "phone", "website", "custom_attributes", "search_text",
           "created_at", "updated_at")  # fmt: skip
JST = timezone(timedelta(hours=9))


def _company(pk: int, created: datetime, updated: datetime, extra: object) -> tuple[object, ...]:
    return (pk, f"会社{pk}", "", f"会社{pk}", "", "", "", "", "", "", "", extra, "",
            created, updated)  # fmt: skip


@pytest.mark.django_db
def test_bulk_inserted_datetimes_read_back_exactly_in_any_zone():
    # Several rows share one timestamp (formatted once) and others differ by a microsecond or
    # by their zone: each must come back as the same instant.
    shared = datetime(2026, 11, 28, 9, 30, 15, 123456, tzinfo=UTC)
    tokyo = datetime(2026, 11, 28, 18, 30, 15, 123457, tzinfo=JST)  # 09:30:15.123457 UTC
    midnight = datetime(2027, 1, 1, 0, 0, tzinfo=JST)  # the day before in UTC
    rows = [
        _company(901, shared, shared, {}),
        _company(902, shared, tokyo, RawJSON('{"rank": "A"}')),
        _company(903, midnight, shared, {"メモ": "髙橋"}),
    ]
    assert insert_rows(Company._meta.db_table, COLUMNS, rows) == 3
    stored = {c.pk: c for c in Company.objects.filter(pk__in=[901, 902, 903])}
    assert stored[901].created_at == shared and stored[901].updated_at == shared
    assert stored[902].updated_at == tokyo
    assert stored[902].updated_at - stored[902].created_at == timedelta(microseconds=1)
    assert stored[903].created_at == midnight
    assert stored[903].created_at.astimezone(UTC).day == 31
    assert stored[902].custom_attributes == {"rank": "A"}
    assert stored[903].custom_attributes == {"メモ": "髙橋"}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') "
                "FROM leads_company WHERE id = 903"
            )
            assert cursor.fetchone()[0] == "2026-12-31 15:00:00.000000"


def test_collector_is_paused_inside_and_restored_after():
    assert gc.isenabled()
    with gcpause.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_is_restored_when_the_block_fails():
    with pytest.raises(RuntimeError), gcpause.paused():
        raise RuntimeError("an import chunk failed")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    try:
        with gcpause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_leave_the_collector_on_in_any_order():
    first, second = gcpause.paused(), gcpause.paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first import ends while the second still runs
    second.__exit__(None, None, None)
    assert gc.isenabled()
