"""Imports every model so that metadata (and Alembic) sees all tables."""
from .audit import AuditEntry  # noqa: F401
from .auth.models import ApiToken  # noqa: F401
from .directory.models import Level, Unit, User  # noqa: F401
from .files.models import Assignment, Delivery, Document, FileAccess, FileEvent, PaperMark, WorkFile  # noqa: F401
from .inbox.models import InboxVersion  # noqa: F401
from .jobs.models import JobRun  # noqa: F401
from .metrics.models import DailyCount, DossierCount, DossierImport, Target  # noqa: F401
from .notifications.models import Notification  # noqa: F401
from .registers.numbering import RegisterCounter  # noqa: F401
from .signing.models import Credential, SignatureRecord, StampImage, TrustAnchor  # noqa: F401
