"""``/api/push`` (Web Push subscriptions) and ``/api/notifications`` (the in-app list, preferences).

Every signed-in user manages only their own subscriptions, notifications and preferences; nothing
here takes another user's id.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Response, Router, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.authz.guards import principal_of, signed_in
from backend.errors import Invalid
from backend.http.params import DB, AppSettings, Limit, Offset, Req
from backend.notifications import service
from backend.notifications.scheduler import notifications_of
from backend.notifications.subscription import check_subscription
from backend.notifications.wire import (
    NotificationPage,
    NotificationView,
    Preferences,
    PreferencesUpdate,
    PushTestQueued,
    SubscriptionIn,
    SubscriptionRef,
    SubscriptionView,
    VapidPublicKey,
)

_signed = [signed_in]
EndpointQuery = Annotated[str | None, QueryParameter(min_length=1, max_length=1000)]


@get("/push/vapid-public-key", guards=_signed, summary="The server's VAPID public key")
async def vapid_public_key(request: Req) -> VapidPublicKey:
    return VapidPublicKey(key=notifications_of(request.app.state).keys.public_key)


@post("/push/subscriptions", guards=_signed, summary="Register this browser's push subscription")
async def subscribe(
    request: Req, db: DB, settings: AppSettings, data: JSONBody[SubscriptionIn]
) -> SubscriptionView:
    checked = check_subscription(
        data.endpoint, data.keys.p256dh, data.keys.auth, allow_local_http=settings.push_allow_local_http
    )
    return await service.subscribe(db, principal_of(request).id, checked)


@delete("/push/subscriptions", guards=_signed, summary="Forget a push subscription (body or ?endpoint=)")
async def unsubscribe(
    request: Req, db: DB, data: JSONBody[SubscriptionRef | None] = None, endpoint: EndpointQuery = None
) -> None:
    target = data.endpoint if data is not None else endpoint
    if not target:
        raise Invalid("endpoint", code="required")
    await service.unsubscribe(db, principal_of(request).id, target)


@post("/push/test", status_code=202, guards=_signed, summary="Push a test notification to my browsers")
async def send_test(request: Req, db: DB) -> Response[PushTestQueued]:
    principal = principal_of(request)
    queued, notification_id = await service.queue_test(db, principal.id, principal.language)
    notifications_of(request.app.state).dispatcher.enqueue([notification_id])  # never waits for it
    return Response(queued, status_code=202)


@get("/notifications", guards=_signed, summary="My notifications, newest first")
async def list_notifications(request: Req, db: DB, offset: Offset = 0, limit: Limit = 50) -> NotificationPage:
    return await service.list_notifications(db, principal_of(request).id, offset=offset, limit=limit)


@post(
    "/notifications/{notification_id:uuid}/read",
    status_code=200,
    guards=_signed,
    summary="Mark one of my notifications read",
)
async def mark_read(request: Req, db: DB, notification_id: FromPath[uuid.UUID]) -> NotificationView:
    return await service.mark_read(db, principal_of(request).id, notification_id)


@get("/notifications/preferences", guards=_signed, summary="The kinds of notification I switched off")
async def get_preferences(request: Req, db: DB) -> Preferences:
    return await service.get_preferences(db, principal_of(request).id)


@patch("/notifications/preferences", guards=_signed, summary="Switch kinds of notification off or on")
async def set_preferences(request: Req, db: DB, data: JSONBody[PreferencesUpdate]) -> Preferences:
    return await service.set_preferences(db, principal_of(request).id, data.off)


notifications_router = Router(
    path="/api",
    route_handlers=[
        vapid_public_key,
        subscribe,
        unsubscribe,
        send_test,
        list_notifications,
        mark_read,
        get_preferences,
        set_preferences,
    ],
    tags=["notifications"],
)
