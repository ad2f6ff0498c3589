"""All tables, imported here so `SQLModel.metadata` (and Alembic) sees every one."""
from app.models.base import UTCDateTime, metadata  # noqa: F401
from app.models.accounts import Bureau, Organisation, User  # noqa: F401
from app.models.tenders import (  # noqa: F401
    Criterion, Invitation, Lot, PanelMember, ScaleAnchor, Tender, TenderBuyer,
)
from app.models.audit import AuditChainHead, AuditEvent  # noqa: F401
