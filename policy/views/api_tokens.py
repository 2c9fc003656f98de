"""The regulator's page of data API tokens: the list, the form that issues one (whose
answer shows the secret, once), and the revoke button of each."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.roles import Role, role_required
from policy.errors import PolicyError
from policy.forms.api_tokens import ApiTokenIssueForm, ApiTokenRevokeForm
from policy.selectors import api_tokens as selectors
from policy.services import api_tokens as services
from policy.views.oversight import paginate


@role_required(Role.REGULATOR)
def api_token_list(request):
    """The tokens; a valid POST issues one and answers with its secret, rendered from
    the POST itself (never kept in the session, never in a page a browser or proxy
    stores), so that it exists on this one page only."""
    form = ApiTokenIssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.api_token_issue(
                system=form.cleaned_data["system"], by=request.user
            )
        except PolicyError as exc:
            form.add_error("system", exc.message)
        else:
            response = render(
                request,
                "policy/api_token_issued.html",
                {
                    "token": token,
                    "secret": secret,
                    "openapi_url": request.build_absolute_uri(reverse("api-v1:openapi-json")),
                    "headline_url": request.build_absolute_uri(reverse("api-v1:figures_headline")),
                },
            )
            patch_cache_control(response, private=True, no_store=True)
            return response
    return render(
        request,
        "policy/api_tokens.html",
        {
            "form": form,
            "page": paginate(request, selectors.api_tokens_list(), per_page=50),
            "openapi_url": reverse("api-v1:openapi-json"),
            "docs_url": reverse("api-v1:openapi-view"),
        },
    )


@role_required(Role.REGULATOR)
@require_POST
def api_token_revoke(request, pk: int):
    token = selectors.api_token_get(pk=pk)
    if token is None:
        raise Http404
    if not ApiTokenRevokeForm(request.POST).is_valid():
        messages.error(request, _("Use the revoke button of the token."))
    else:
        try:
            services.api_token_revoke(token=token, by=request.user)
        except PolicyError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("The token %(prefix)s… of %(system)s is revoked: its next request is refused.")
                % {"prefix": token.prefix, "system": token.system},
            )
    return redirect("policy:api_tokens")
