"""Password hashing with argon2id (argon2-cffi's defaults: the RFC 9106 low-memory profile)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_dummy = _hasher.hash("not a real password")


def configure(time_cost: int | None = None, memory_cost: int | None = None) -> None:
    """Cheaper parameters for the test suite only (ARGON2_* settings); production keeps the defaults."""
    global _hasher, _dummy
    if time_cost or memory_cost:
        _hasher = PasswordHasher(time_cost=time_cost or 3, memory_cost=memory_cost or 65536, parallelism=1)
        _dummy = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Unknown accounts are checked against a dummy hash, so both paths take the same time."""
    try:
        return _hasher.verify(stored or _dummy, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)
