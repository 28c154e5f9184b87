"""Object identifiers: PostgreSQL's fixed ones, and stable ones for the user's objects."""

from __future__ import annotations

import hashlib

#: first OID PostgreSQL hands to user objects; everything below belongs to the system
FIRST_USER_OID = 16384
#: stay below 2**31 because some clients read OIDs as signed 32-bit integers
OID_CEILING = 2**31 - 1

PG_CATALOG_NAMESPACE = 11
PG_TOAST_NAMESPACE = 99
PUBLIC_NAMESPACE = 2200
INFORMATION_SCHEMA_NAMESPACE = 13207
BOOTSTRAP_SUPERUSER = 10
DEFAULT_TABLESPACE = 1663
GLOBAL_TABLESPACE = 1664
DEFAULT_COLLATION = 100
C_COLLATION = 950
HEAP_AM = 2
BTREE_AM = 403
UTF8_ENCODING = 6
PG_CLASS_RELATION = 1259


def stable_oid(*parts: str) -> int:
    """A 32-bit OID for a user object, the same in every session and process.

    Derived from the object's identity (database, schema, name, kind), so reconnecting
    clients that cached an OID still find the object; kept in [16384, 2**31).
    """
    digest = hashlib.blake2b("\x00".join(parts).encode(), digest_size=8).digest()
    return FIRST_USER_OID + int.from_bytes(digest, "big") % (OID_CEILING - FIRST_USER_OID)
