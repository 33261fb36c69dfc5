from django.db import migrations

REASONS = [
    ("not_a_fit", "対象外（ターゲット外）", "Not a fit"),
    ("no_budget", "予算なし", "No budget"),
    ("wrong_contact", "担当者違い", "Wrong contact"),
    ("bad_data", "連絡先の誤り・不備", "Bad data"),
    ("already_customer", "既存顧客", "Already a customer"),
    ("competitor", "競合他社", "Competitor"),
    ("no_response", "応答なし", "No response"),
    ("not_now", "時期尚早", "Not now"),
    ("other", "その他", "Other"),
]


def add_reasons(apps, schema_editor):
    RejectReason = apps.get_model("handoff", "RejectReason")
    for position, (code, ja, en) in enumerate(REASONS, start=1):
        RejectReason.objects.get_or_create(
            code=code, defaults={"name_ja": ja, "name_en": en, "position": position * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("handoff", "0002_initial")]
    operations = [migrations.RunPython(add_reasons, migrations.RunPython.noop)]
