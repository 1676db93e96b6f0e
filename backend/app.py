"""The application factory: ``create_app(settings)`` builds a Litestar app on its own database."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig

from backend.actions.routes import ACTION_ROUTES
from backend.agencies.routes import agencies_router
from backend.auth.routes import auth_router
from backend.blobs.routes import blobs_router
from backend.checklists.routes import TEMPLATE_ROUTES
from backend.dashboard.routes import DASHBOARD_ROUTES
from backend.db.engine import Database, make_database
from backend.evaluations.routes import EVALUATION_ROUTES
from backend.exports.routes import EXPORT_ROUTES
from backend.health.routes import healthz, healthz_head
from backend.housekeeping import Housekeeping
from backend.http.problems import EXCEPTION_HANDLERS
from backend.http.session_auth import SessionAuthMiddleware
from backend.indicators.routes import INDICATOR_ROUTES
from backend.logs import access_log_middleware, configure_logging
from backend.notifications.routes import notifications_router
from backend.notifications.scheduler import notifications_of
from backend.planning.routes import PLANNING_ROUTES
from backend.review.routes import REVIEW_ROUTES
from backend.settings import Settings
from backend.sync_server.routes import sync_router
from backend.users.routes import admin_router
from backend.web.account_routes import ACCOUNT_ROUTES
from backend.web.routes import pwa_routes
from backend.web.templating import template_config

# Static files need no session lookup; everything else gets ``request.user`` (a Principal or None).
_NO_SESSION = [
    r"^/static/",
    r"^/assets/",
    r"^/sw\.js$",
    r"^/manifest\.webmanifest$",
    r"^/healthz$",
    r"^/schema",
]


def create_app(settings: Settings) -> Litestar:
    configure_logging(json_lines=settings.log_json)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = make_database(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        try:
            # Push delivery, and the reminder rules every minute unless RASD_SCHEDULER=off.
            async with (
                notifications_of(app.state).running(scheduler=settings.scheduler),
                Housekeeping(database, settings.housekeeping_interval_seconds).running(
                    enabled=settings.scheduler
                ),
            ):
                yield
        finally:
            await database.dispose()

    def provide_db() -> Database:
        return database

    def provide_settings() -> Settings:
        return settings

    return Litestar(
        route_handlers=[
            healthz,
            healthz_head,
            auth_router,
            agencies_router,
            admin_router,
            blobs_router,
            sync_router,
            notifications_router,
            *pwa_routes(settings.pwa_dir),
            # The server-rendered pages of central inspectors and directors.
            *ACCOUNT_ROUTES,
            *TEMPLATE_ROUTES,
            *PLANNING_ROUTES,
            *REVIEW_ROUTES,
            *INDICATOR_ROUTES,
            *DASHBOARD_ROUTES,
            *EVALUATION_ROUTES,
            *ACTION_ROUTES,
            *EXPORT_ROUTES,
        ],
        template_config=template_config(),
        dependencies={
            "db": Provide(provide_db, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
        },
        middleware=[
            access_log_middleware,
            DefineMiddleware(SessionAuthMiddleware, exclude=_NO_SESSION),
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="csrftoken",
            header_name="x-csrftoken",
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
        ),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]  # handlers narrow the exception type
        openapi_config=OpenAPIConfig(title="Rasd", version="1.0.0", path="/schema"),
        request_max_body_size=4 * 1024 * 1024,
        state=State({"db": database, "settings": settings}),
        lifespan=[lifespan],
        debug=settings.debug,
    )
