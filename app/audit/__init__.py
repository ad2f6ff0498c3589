"""The tamper-evident audit trail."""
from app.audit.chain import (  # noqa: F401
    ADMIN_CHAIN, SYSTEM, Actor, VerifyResult, canonical_json, diff, record, snapshot, tender_chain, verify,
    verify_parallel,
)
