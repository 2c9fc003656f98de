"""The data API, version 1: read-only JSON for other government systems (the tax office,
the statistics office, a ministry's own registers), mounted at ``/api/v1/``.

Every call carries a token a regulator issued (``Authorization: Bearer lkp_…``); its
reads go to the read replica when one is configured, like the dashboard's, and the only
write it makes is a token's last use, at most once a minute, to the main database. The
OpenAPI document is ``/api/v1/openapi.json``; ``/api/v1/docs`` shows it with the Swagger
UI the library ships (served from this site's static files: no CDN).
"""

from ninja import NinjaAPI, Swagger

from policy.api import figures, records
from policy.api.access import ApiTokenAuth, TokenRateThrottle, api_view

api = NinjaAPI(
    title="Lokapasar data API",
    version="1",
    description=(
        "Read-only figures and registers of the marketplace for other government "
        "systems: the monitoring dashboard's figures with its filters, cooperatives, "
        "recalls and certificates. No personal data. Send the token a regulator issued "
        "as `Authorization: Bearer <token>`; each token may make a limited number of "
        "requests a minute (429 with Retry-After beyond). Money is a decimal string in "
        "the marketplace's currency. Answers are in English."
    ),
    urls_namespace="api-v1",
    auth=ApiTokenAuth(),
    throttle=[TokenRateThrottle()],
    # The validator badge would load an image from swagger.io: the network is closed.
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_decorator(api_view, mode="view")
api.add_router("/figures", figures.router)
api.add_router("", records.router)
