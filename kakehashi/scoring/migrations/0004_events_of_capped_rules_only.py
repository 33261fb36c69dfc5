"""Uncapped rules' points are computed from the timeline when read (contributions.py), no
longer stored: their events go. Scores do not change (g already holds those points)."""

from django.db import migrations
from django.db.models import Q


def drop_uncapped_events(apps, schema_editor):
    ScoreEvent = apps.get_model("scoring", "ScoreEvent")
    EngagementRule = apps.get_model("scoring", "EngagementRule")
    capped = EngagementRule.objects.filter(active=True).filter(
        Q(cap_per_day__isnull=False) | Q(cap_total__isnull=False)
    )
    ScoreEvent.objects.exclude(rule_id__in=capped.values("pk")).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0003_hot_by_last_event")]

    operations = [migrations.RunPython(drop_uncapped_events, migrations.RunPython.noop)]
