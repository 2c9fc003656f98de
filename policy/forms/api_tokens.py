"""The regulator's forms for the data API's tokens: issue one to a system, revoke one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from policy.services.api_tokens import SYSTEM_MAX_LENGTH


class ApiTokenIssueForm(forms.Form):
    system = forms.CharField(
        label=_("System"),
        max_length=SYSTEM_MAX_LENGTH,
        help_text=_(
            "The government system that will read the data, and who runs it, e.g. "
            "“Tax office: monthly returns”."
        ),
    )


class ApiTokenRevokeForm(forms.Form):
    """The "revoke" button sends ``confirm=revoke``."""

    confirm = forms.ChoiceField(choices=[("revoke", _("Revoke"))])
