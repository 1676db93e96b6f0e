"""All tables, in one package so relationships never loop and Alembic sees one metadata."""

from sqlmodel import SQLModel

from backend.db.tables.accounts import AuthSession, Device, User
from backend.db.tables.audit import AuditEvent
from backend.db.tables.checklists import ChecklistTemplate, TemplateVersion
from backend.db.tables.config import AppSetting
from backend.db.tables.geo import Agency, Body, Wilaya
from backend.db.tables.planning import Assignment, EvaluationCycle, Schedule
from backend.db.tables.push import Notification, PushSubscription
from backend.db.tables.results import Evaluation, IndicatorReading
from backend.db.tables.sync import SyncClock, SyncConflict, SyncEntity, SyncField, SyncOp
from backend.db.tables.visits import Action, ActionEvent, Answer, Attachment, Blob, Finding, Visit

metadata = SQLModel.metadata

__all__ = [
    "Action",
    "ActionEvent",
    "Agency",
    "Answer",
    "AppSetting",
    "Assignment",
    "Attachment",
    "AuditEvent",
    "AuthSession",
    "Blob",
    "Body",
    "ChecklistTemplate",
    "Device",
    "Evaluation",
    "EvaluationCycle",
    "Finding",
    "IndicatorReading",
    "Notification",
    "PushSubscription",
    "Schedule",
    "SyncClock",
    "SyncConflict",
    "SyncEntity",
    "SyncField",
    "SyncOp",
    "TemplateVersion",
    "User",
    "Visit",
    "Wilaya",
    "metadata",
]
