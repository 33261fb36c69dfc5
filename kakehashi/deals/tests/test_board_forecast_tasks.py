"""The kanban board at volume, the forecast figures, my tasks and the daily digest."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kakehashi.deals import actions, queries
from kakehashi.deals.models import Deal, Pipeline, Stage, Task
from kakehashi.testing import PersonaTestCase


class BoardTests(PersonaTestCase):
    def test_five_thousand_open_deals_render_with_a_bounded_number_of_queries(self):
        pipeline = actions.ensure_defaults()
        stages = list(pipeline.stages.filter(kind="open"))
        now = timezone.now()
        owners = [self.sato, self.taro, self.haruka]
        Deal.objects.bulk_create([
            Deal(name=f"商談{i}", pipeline=pipeline, stage=stages[i % len(stages)], owner=owners[i % 3],
                 team=owners[i % 3].team, amount=Decimal(100000 + i), created_at=now, updated_at=now,
                 last_activity_at=now)
            for i in range(5000)
        ], batch_size=1000)  # fmt: skip
        self.client.force_login(self.mori)
        with CaptureQueriesContext(connection) as queries_run:
            response = self.client.get("/deals/")
        self.assertEqual(response.status_code, 200)
        self.assertLessEqual(len(queries_run), 15)
        columns = response.context["columns"]
        self.assertEqual(sum(c["count"] for c in columns), 5000)
        self.assertEqual(sum(len(c["deals"]) for c in columns), 5000)
        first = next(c for c in columns if c["stage"] == stages[0])
        self.assertEqual(
            first["total"], sum(Decimal(100000 + i) for i in range(0, 5000, len(stages)))
        )
        self.assertContains(response, "商談4999")

    def test_board_filters_by_owner(self):
        actions.ensure_defaults()
        now = timezone.now()
        actions.create_deal(name="佐藤案件", owner=self.sato, actor=self.sato, now=now)
        actions.create_deal(name="遥案件", owner=self.haruka, actor=self.haruka, now=now)
        self.client.force_login(self.mori)
        response = self.client.get("/deals/", {"owner": self.sato.pk})
        self.assertContains(response, "佐藤案件")
        self.assertNotContains(response, "遥案件")


class ForecastTests(PersonaTestCase):
    def test_weighted_committed_and_won_by_month_and_owner(self):
        pipeline = actions.ensure_defaults()
        now = timezone.now()
        today = timezone.localdate()
        proposal = pipeline.stages.get(name_ja="提案")  # 40%
        a = actions.create_deal(name="A", owner=self.sato, amount=1000000, stage=proposal, expected_close_date=today,
                                actor=self.sato, now=now)  # fmt: skip
        Deal.objects.filter(pk=a.pk).update(committed=True)
        actions.create_deal(name="B", owner=self.sato, amount=2000000, probability=25, expected_close_date=today,
                            actor=self.sato, now=now)  # fmt: skip
        c = actions.create_deal(name="C", owner=self.taro, amount=500000, actor=self.taro, now=now)
        actions.win_deal(
            deal=c,
            reason=actions.CloseReason.objects.filter(outcome="won").first(),
            actor=self.taro,
            now=now,
        )
        data = queries.forecast(Deal.objects.all(), months=3, today=today)
        this_month = data["totals"][0]
        self.assertEqual(this_month["weighted"], Decimal(400000 + 500000))
        self.assertEqual(this_month["committed"], Decimal(1000000))
        self.assertEqual(this_month["won"], Decimal(500000))
        self.client.force_login(self.mori)
        self.assertContains(self.client.get("/deals/forecast/"), "90万円")

    def test_stale_deals_are_flagged(self):
        actions.ensure_defaults()
        old = timezone.now() - timedelta(days=queries.STALE_DAYS + 1)
        stale = actions.create_deal(name="止まった案件", owner=self.sato, actor=self.sato, now=old)
        actions.create_deal(
            name="動いている案件", owner=self.sato, actor=self.sato, now=timezone.now()
        )
        self.assertEqual(list(queries.stale(Deal.objects.all(), now=timezone.now())), [stale])
        self.client.force_login(self.sato)
        self.assertContains(
            self.client.get("/deals/list/", {"status": "open", "stale": 1}), "止まった案件"
        )


class TaskTests(PersonaTestCase):
    def test_my_tasks_split_overdue_today_and_upcoming_and_the_digest_mails_them(self):
        # At noon, local time: late in the evening "today at 23:00" would already be overdue.
        noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
        with mock.patch("django.utils.timezone.now", return_value=noon):
            self._split_and_digest()

    def _split_and_digest(self):
        now = timezone.now()
        local = timezone.localtime(now)
        make = lambda title, due: actions.create_task(kind="call", title=title, due_at=due, owner=self.sato,  # noqa: E731
                                                      actor=self.sato, now=now)  # fmt: skip
        make("昨日の電話", now - timedelta(days=1))
        make("今日の電話", local.replace(hour=23, minute=0))
        make("来週の訪問", now + timedelta(days=7))
        self.client.force_login(self.sato)
        page = self.client.get("/deals/tasks/")
        self.assertEqual([t.title for t in page.context["overdue"]], ["昨日の電話"])
        self.assertEqual([t.title for t in page.context["upcoming"]], ["来週の訪問"])
        self.assertEqual(actions.send_daily_digest(now=now), 1)
        self.assertEqual(mail.outbox[0].to, ["sato@example.jp"])
        self.assertIn("! ", mail.outbox[0].body)
        self.assertIn("今日の電話", mail.outbox[0].body)
        self.assertNotIn("来週の訪問", mail.outbox[0].body)
        task = Task.objects.get(title="昨日の電話")
        self.client.post(f"/deals/tasks/{task.pk}/done/")
        task.refresh_from_db()
        self.assertIsNotNone(task.done_at)

    def test_only_the_owner_or_a_manager_completes_a_task(self):
        task = actions.create_task(kind="call", title="x", due_at=timezone.now(), owner=self.sato,
                                   actor=self.sato, now=timezone.now())  # fmt: skip
        self.client.force_login(self.haruka)
        self.assertEqual(self.client.post(f"/deals/tasks/{task.pk}/done/").status_code, 403)


def test_pipeline_defaults_are_the_japanese_b2b_stages(db):
    pipeline = actions.ensure_defaults()
    assert [s.name_ja for s in pipeline.stages.all()] == [
        "初回面談",
        "ヒアリング",
        "提案",
        "見積",
        "交渉",
        "受注",
        "失注",
    ]
    assert actions.ensure_defaults() == pipeline
    assert Pipeline.objects.count() == 1
    assert Stage.objects.filter(kind="won").count() == 1
