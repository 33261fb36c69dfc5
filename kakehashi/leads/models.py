from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kakehashi.lib import normalize
from kakehashi.lib.jp import PREFECTURES, format_postal_code, prefecture_name

from . import derive

DERIVE_FROM = ("last_name", "first_name", "last_name_kana", "first_name_kana", "email", "phone")

# `postal_code__length` in a check constraint below.
models.CharField.register_lookup(Length)


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    IT = "it", _("IT and software")
    RETAIL = "retail", _("Retail")
    WHOLESALE = "wholesale", _("Wholesale")
    FINANCE = "finance", _("Finance and insurance")
    REAL_ESTATE = "real_estate", _("Real estate")
    CONSTRUCTION = "construction", _("Construction")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    LOGISTICS = "logistics", _("Logistics")
    FOOD = "food", _("Food and beverage")
    SERVICES = "services", _("Professional services")
    PUBLIC = "public", _("Public sector")
    OTHER = "other", _("Other")


class EmployeeBand(models.TextChoices):
    XS = "1-9", _("1–9")
    S = "10-49", _("10–49")
    M = "50-299", _("50–299")
    L = "300-999", _("300–999")
    XL = "1000+", _("1,000 or more")


class LeadSource(models.TextChoices):
    WEB = "web", _("Website")
    FORM = "form", _("Web form")
    TRADE_SHOW = "trade_show", _("Trade show")
    EVENT = "event", _("Event / seminar")
    REFERRAL = "referral", _("Referral")
    AD = "ad", _("Advertising")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    MANUAL = "manual", _("Entered by hand")
    OTHER = "other", _("Other")


class ConsentState(models.TextChoices):
    UNKNOWN = "unknown", _("No consent recorded")
    GRANTED = "granted", _("Consented")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REFUSED = "refused", _("Refused")


PREFECTURE_CHOICES = [(code, ja) for code, ja, _en in PREFECTURES]


class Tag(models.Model):
    """A label marketing and sales put on leads ('展示会2026', 'VIP')."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class CompanyQuerySet(models.QuerySet["Company"]):
    def search(self, text: str) -> CompanyQuerySet:
        key = normalize.fold(text)
        return self.filter(search_text__contains=key) if key else self


class Company(models.Model):
    """An organization that leads belong to."""

    name = models.CharField(_("name"), max_length=200)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True)
    normalized_name = models.CharField(max_length=200, db_index=True, editable=False)
    domain = models.CharField(_("domain"), max_length=200, blank=True, db_index=True)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    employee_band = models.CharField(
        _("employees"), max_length=10, choices=EmployeeBand.choices, blank=True
    )
    prefecture = models.PositiveSmallIntegerField(
        _("prefecture"), choices=PREFECTURE_CHOICES, null=True, blank=True
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    address_line = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_companies",
    )
    custom_attributes = models.JSONField(_("custom attributes"), default=dict, blank=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["normalized_name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(fields=["industry", "normalized_name"], name="company_industry_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""), name="company_name_required",
                violation_error_message=_("A company needs a name."),
            ),
            models.CheckConstraint(
                condition=Q(prefecture__isnull=True) | Q(prefecture__gte=1, prefecture__lte=47),
                name="company_prefecture_valid",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def refresh_derived_fields(self) -> None:
        (self.name, self.name_kana, self.normalized_name, self.domain,
         self.search_text) = derive.company_columns(self.name, self.name_kana, self.domain)  # fmt: skip

    @property
    def prefecture_name(self) -> str:
        return prefecture_name(self.prefecture, get_language() or "ja")


class LeadQuerySet(models.QuerySet["Lead"]):
    def search(self, text: str) -> LeadQuerySet:
        """Match every word of ``text`` against name, kana, e-mail, phone and company."""
        qs = self
        for word in normalize.clean(text).split(" "):
            key = normalize.fold(word)
            if key:
                qs = qs.filter(search_text__contains=key)
        return qs

    def owned_by(self, user: object) -> LeadQuerySet:
        return self.filter(owner=user)

    def in_team(self, team: object) -> LeadQuerySet:
        return self.filter(team=team)

    def tagged(self, tag: Tag | int) -> LeadQuerySet:
        return self.filter(tags=tag)


class Lead(models.Model):
    """One person, shared by marketing and sales: the record every department writes to."""

    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_raw = models.CharField(_("phone as entered"), max_length=40, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name_kana = models.CharField(_("last name (kana)"), max_length=100, blank=True)
    first_name_kana = models.CharField(_("first name (kana)"), max_length=100, blank=True)
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    prefecture = models.PositiveSmallIntegerField(
        _("prefecture"), choices=PREFECTURE_CHOICES, null=True, blank=True
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    address_line = models.CharField(_("address"), max_length=200, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=LeadSource.choices, default=LeadSource.MANUAL
    )
    first_touch = models.CharField(
        _("first touch"), max_length=200, blank=True, help_text=_("Campaign, URL or event.")
    )
    first_touch_at = models.DateTimeField(_("first touch at"), null=True, blank=True)
    # No single-column indexes on owner and team: the (owner, created_at) and (team, created_at)
    # indexes below serve those lookups, and every index costs each bulk-imported lead.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_leads",
        db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        db_index=False,
    )
    email_consent = models.CharField(
        _("e-mail consent"),
        max_length=10,
        choices=ConsentState.choices,
        default=ConsentState.UNKNOWN,
    )
    do_not_email = models.BooleanField(_("do not e-mail"), default=False)
    do_not_call = models.BooleanField(_("do not call"), default=False)
    do_not_mail = models.BooleanField(_("do not send post"), default=False)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="leads")
    custom_attributes = models.JSONField(_("custom attributes"), default=dict, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    # Derived on save: a folded text for search and a kana-first key for sorting by name.
    search_text = models.TextField(editable=False, default="")
    sort_name = models.CharField(max_length=200, editable=False, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="lead_created_idx"),
            models.Index(fields=["sort_name", "id"], name="lead_sort_name_idx"),
            models.Index(fields=["owner", "-created_at"], name="lead_owner_idx"),
            models.Index(fields=["team", "-created_at"], name="lead_team_idx"),
            models.Index(fields=["source", "-created_at"], name="lead_source_idx"),
            models.Index(fields=["-last_activity_at"], name="lead_last_activity_idx"),
            models.Index(fields=["phone"], name="lead_phone_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="lead_email_unique",
                violation_error_message=_("A lead with this e-mail address already exists."),
            ),
            models.CheckConstraint(
                condition=Q(email=Lower("email")), name="lead_email_normalized",
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__startswith="+"), name="lead_phone_e164",
            ),
            models.CheckConstraint(
                condition=Q(postal_code="") | Q(postal_code__length=7),
                name="lead_postal_code_7_digits",
            ),
            models.CheckConstraint(
                condition=Q(prefecture__isnull=True) | Q(prefecture__gte=1, prefecture__lte=47),
                name="lead_prefecture_valid",
            ),
            models.CheckConstraint(
                condition=~Q(email="", phone="", last_name="", first_name=""),
                name="lead_identifiable",
                violation_error_message=_("A lead needs a name, an e-mail address or a phone."),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.display_name

    # --- presentation ---------------------------------------------------------------------
    @property
    def display_name(self) -> str:
        """Japanese-script names family-first (山田 太郎); Latin names given-first (Jane Doe)."""
        if normalize.has_cjk(self.last_name + self.first_name):
            name = f"{self.last_name} {self.first_name}".strip()
        else:
            name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email or self.phone or f"#{self.pk}"

    @property
    def is_marketable(self) -> bool:
        """May receive marketing e-mail: consent (or an exemption) on record, no opt-out."""
        return (
            bool(self.email)
            and self.email_consent == ConsentState.GRANTED
            and not self.do_not_email
        )

    @property
    def kana(self) -> str:
        return f"{self.last_name_kana} {self.first_name_kana}".strip()

    @property
    def phone_display(self) -> str:
        return normalize.format_phone(self.phone)

    @property
    def postal_code_display(self) -> str:
        return format_postal_code(self.postal_code)

    @property
    def prefecture_name(self) -> str:
        return prefecture_name(self.prefecture, get_language() or "ja")

    @property
    def salutation(self) -> str:
        """How mail addresses the lead: {会社名} {姓}様."""
        company = self.company.name if self.company_id and self.company else ""
        family = self.last_name or self.first_name
        return f"{company} {family}様".strip() if family else company

    # --- derived fields -------------------------------------------------------------------
    def refresh_derived_fields(self) -> None:
        """Normalize inputs and recompute search_text and sort_name; call before saving."""
        self.email = normalize.normalize_email(self.email)
        if self.phone_raw and not self.phone:
            self.phone = normalize.normalize_phone(self.phone_raw)
        for field in ("last_name", "first_name", "department", "title", "city", "address_line"):
            setattr(self, field, normalize.clean(getattr(self, field)))
        self.last_name_kana = normalize.to_katakana(self.last_name_kana)
        self.first_name_kana = normalize.to_katakana(self.first_name_kana)
        self.postal_code = normalize.postal_digits(self.postal_code)
        company_name = self.company.name if self.company_id and self.company else ""
        self.search_text, self.sort_name = derive.lead_columns(
            {f: getattr(self, f) for f in DERIVE_FROM}, company_name
        )


class Disclosure(models.Model):
    """Personal data handed to another party: an API pull, an export, a webhook (LEG-APPI-3)."""

    class Channel(models.TextChoices):
        API = "api", _("API")
        EXPORT = "export", _("Export")
        WEBHOOK = "webhook", _("Webhook")

    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient = models.CharField(_("to"), max_length=300)
    fields = models.JSONField(_("items"), default=list)
    lead_count = models.PositiveIntegerField(_("leads"), default=0)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient} ({self.lead_count})"


class DisclosedLead(models.Model):
    """One lead in a disclosure; a plain id, so the log outlives the lead (kept 3 years)."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="leads")
    lead_id = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.disclosure_id}:{self.lead_id}"


class DuplicateCandidate(models.Model):
    """Two leads that look like one person, waiting for someone to merge or dismiss them."""

    class Reason(models.TextChoices):
        PHONE = "phone", _("Same phone number")
        NAME_COMPANY = "name_company", _("Same name at the same company")
        KANA_COMPANY = "kana_company", _("Same reading at the same company")
        EMAIL_VARIANT = "email_variant", _("Same e-mail apart from width or case")

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not a duplicate")

    lead_a = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    lead_b = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    confidence = models.PositiveSmallIntegerField(_("confidence"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("found"), default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-confidence", "-created_at"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        indexes = [models.Index(fields=["status", "-confidence"], name="dup_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["lead_a", "lead_b"], name="dup_pair_unique"),
            models.CheckConstraint(
                condition=Q(lead_a__lt=models.F("lead_b")), name="dup_pair_ordered"
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=100), name="dup_confidence_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_a_id} ~ {self.lead_b_id} ({self.reason})"


class LeadRedirect(models.Model):
    """A merged-away lead id and the lead that absorbed it: old links, API ids and cookies
    keep working (REL-MRG-1)."""

    old_id = models.BigIntegerField(unique=True)
    survivor = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="redirects")
    merged_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.old_id} → {self.survivor_id}"


class CompanyRedirect(models.Model):
    """A merged-away company id and the company that absorbed it."""

    old_id = models.BigIntegerField(unique=True)
    survivor = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="redirects")
    merged_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.old_id} → {self.survivor_id}"
