from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class UserManager(DjangoUserManager):
    """Users sign in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    display_name = models.CharField(
        _("public name"),
        max_length=60,
        blank=True,
        help_text=_("Shown with your reviews. Leave it empty to show your first name and initial."),
    )
    preferred_language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the emails we send you."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    @property
    def public_name(self) -> str:
        """The name other people see (with a review, say): never the email address.

        The user's own choice, else the first name and the initial of the last
        ("Nina W."), else "Verified buyer".
        """
        if self.display_name.strip():
            return self.display_name.strip()
        parts = self.full_name.split()
        if len(parts) >= 2:
            return f"{parts[0]} {parts[-1][0].upper()}."
        if parts:
            return parts[0]
        return gettext("Verified buyer")

    def get_short_name(self) -> str:
        return (self.full_name.split(" ")[0] if self.full_name else "") or self.email


class Province(models.Model):
    """A first-level subdivision of a country, seeded from ISO 3166-2 and editable.

    Subdivisions change (Burundi went from 18 provinces to 5 in 2025), so they are
    data: a regulator or administrator adds, renames or retires them without a release.
    """

    country = CountryField(_("country"))
    code = models.CharField(_("code"), max_length=12, help_text=_("ISO 3166-2 code, e.g. ID-JB."))
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["country", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "code"], name="province_country_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OutgoingEmail(models.Model):
    """The email outbox: a row written in the transaction of the change it announces,
    rendered in its recipients' language (at once, or by the relay when a change writes
    thousands of them: ``template``), and sent by the relay
    (:mod:`marketplace.notifications`). A broker or mail server that is down delays
    emails; it never loses them.

    ``next_attempt_at`` is when the relay may try it (again); it is empty once the
    email is sent, or given up after the last attempt (``last_error`` says why).
    """

    to = models.JSONField()
    language = models.CharField(max_length=10, blank=True)
    subject = models.CharField(max_length=250)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    # Set for an email the relay renders when it sends it (``emails_queue(defer=True)``):
    # {"subject": template, "body": template, "context": {...}}. Subject and body are
    # empty until then, and hold the rendered text once sent.
    template = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True, next_attempt_at__isnull=False),
                name="outbox_due",
            )
        ]

    def __str__(self) -> str:
        return self.subject


def acting_user(*, on_delete=models.PROTECT, **options) -> models.ForeignKey:
    """Who did something to a record: optional (the system acts too), with no reverse
    accessor on the user. ``PROTECT`` by default: the trail keeps its people."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=on_delete,
        related_name="+",
        **options,
    )


class StatusChange(models.Model):
    """What every status history row holds besides its subject and its two statuses:
    who made the move (none for the system), a note, and when. Subclasses add the
    foreign key to their subject and ``from_status``/``to_status`` with their choices."""

    actor = acting_user()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class AuditEvent(models.Model):
    """One regulated action, written in the transaction of the action itself.

    The trail the regulator reads on one page: who did what, to which cooperative,
    when. Rows are never edited nor deleted (the admin shows them read-only, and the
    people and cooperatives they name are protected). ``subject`` names what was acted
    on without personal data of buyers (a member's name, a rule, "user #12");
    ``detail`` holds the facts of the action (a role's old and new value, the fields an
    administrator changed), never a password nor an address.
    """

    class Action(models.TextChoices):
        COOPERATIVE_REGISTERED = "cooperative_registered", _("Cooperative registered")
        COOPERATIVE_STATUS_CHANGED = "cooperative_status_changed", _("Cooperative status changed")
        MEMBER_ROLE_CHANGED = "member_role_changed", _("Member's role changed")
        MEMBER_REMOVED = "member_removed", _("Member removed")
        INVITATION_SENT = "invitation_sent", _("Invitation sent")
        INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
        INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
        REGULATOR_GRANTED = "regulator_granted", _("Regulator role granted")
        REGULATOR_REVOKED = "regulator_revoked", _("Regulator role removed")
        RULE_CHANGED = "rule_changed", _("Listing rule changed")
        APPEAL_FILED = "appeal_filed", _("Appeal filed")
        APPEAL_DECIDED = "appeal_decided", _("Appeal decided")
        CERTIFICATE_AWARDED = "certificate_awarded", _("Certificate awarded")
        CERTIFICATE_REVOKED = "certificate_revoked", _("Certificate revoked")
        RECALL_OPENED = "recall_opened", _("Recall opened")
        RECALL_CLOSED = "recall_closed", _("Recall closed")
        INSPECTION_RECORDED = "inspection_recorded", _("Inspection recorded")
        SANCTION_ISSUED = "sanction_issued", _("Sanction step issued")
        SANCTION_LIFTED = "sanction_lifted", _("Sanction lifted")
        TAX_RULE_CHANGED = "tax_rule_changed", _("Tax rule changed")
        TAX_COLLECTED = "tax_collected", _("Taxes collected for a period")
        TAX_REMITTED = "tax_remitted", _("Taxes remitted for a period")
        COMMISSION_CHANGED = "commission_changed", _("Platform commission changed")
        PAYOUT_DECIDED = "payout_decided", _("Payout released or held")
        REPORT_REQUESTED = "report_requested", _("Monthly report requested")
        HOUSEHOLDS_SET = "households_set", _("Commune's household count set")
        API_TOKEN_ISSUED = "api_token_issued", _("Data API token issued")
        API_TOKEN_REVOKED = "api_token_revoked", _("Data API token revoked")
        ADMIN_ADDED = "admin_added", _("Added in the administration")
        ADMIN_CHANGED = "admin_changed", _("Changed in the administration")
        ADMIN_DELETED = "admin_deleted", _("Deleted in the administration")

    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cooperative = models.ForeignKey(
        "sellers.Cooperative",
        verbose_name=_("cooperative"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The audit page reads newest first, by period, and by each filter.
            models.Index(fields=["-created_at", "-id"], name="audit_newest"),
            models.Index(fields=["action", "-created_at"], name="audit_by_action"),
            models.Index(fields=["cooperative", "-created_at"], name="audit_by_cooperative"),
            models.Index(fields=["actor", "-created_at"], name="audit_by_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.subject}"

    # The facts of ``detail`` a reader is shown, in this order (ids stay in the data).
    FACTS = {
        "from": _("from"),
        "to": _("to"),
        "role": _("role"),
        "outcome": _("outcome"),
        "change": _("change"),
        "reason": _("reason"),
    }

    def facts(self) -> list[tuple[str, str]]:
        detail = self.detail if isinstance(self.detail, dict) else {}
        return [
            (str(label), str(detail[key]))
            for key, label in self.FACTS.items()
            if detail.get(key) not in (None, "", [])
        ]
