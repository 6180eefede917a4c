"""All tables; importing this package registers them on ``Base.metadata``."""

from app.models.canvas_token import CanvasToken, OAuthState
from app.models.job import AuditEvent, Job, JobEvent
from app.models.launch import Launch, LaunchStateEntry
from app.models.platform import Deployment, Platform
from app.models.retention import RetentionPolicy
from app.models.schedule import Schedule, ScheduleRun
from app.models.tool_key import ToolKey

__all__ = [
    "AuditEvent",
    "CanvasToken",
    "Deployment",
    "Job",
    "JobEvent",
    "Launch",
    "LaunchStateEntry",
    "OAuthState",
    "Platform",
    "RetentionPolicy",
    "Schedule",
    "ScheduleRun",
    "ToolKey",
]
