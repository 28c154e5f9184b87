"""SCRAM-SHA-256 (RFC 5802/7677) on the server side: client proofs checked against stored
verifiers. No I/O, no password hashing at login: only HMACs over stored keys.

A login runs:
1. AuthenticationSASL offers `SCRAM-SHA-256` (no -PLUS: no channel binding).
2. `ScramExchange.server_first()` answers the client-first message with our nonce, the
   verifier's salt and iteration count.
3. `ScramExchange.server_final()` checks the client proof against each candidate
   verifier's StoredKey and returns the matching principal and the server signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from pgwire.ports import Principal, ScramVerifier
from pgwire.protocol.errors import AuthenticationFailed, ProtocolViolation

MECHANISM = "SCRAM-SHA-256"
_MOCK_ITERATIONS = 4096
_KEY_BYTES = 32  # SHA-256: ClientKey, StoredKey and the proof


def _attributes(message: str) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for part in message.split(","):
        if len(part) < 2 or part[1] != "=":
            raise ProtocolViolation("malformed SCRAM message")
        attributes[part[0]] = part[2:]
    return attributes


@dataclass
class ScramExchange:
    """One SCRAM-SHA-256 conversation for `username` (taken from the startup packet, as
    the client-first message's user name may be empty or `*`)."""

    username: str
    verifiers: list[ScramVerifier]
    mock_secret: bytes
    _client_first_bare: str = ""
    _server_first: str = ""
    _nonce: str = ""
    _gs2_header: str = ""

    def server_first(self, client_first: bytes) -> bytes:
        """Raises ProtocolViolation for a malformed message or a channel-binding request."""
        try:
            text = client_first.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ProtocolViolation("malformed SCRAM message") from error
        flag, _, rest = text.partition(",")
        authzid, _, bare = rest.partition(",")
        if flag not in ("n", "y") or (authzid and not authzid.startswith("a=")):
            raise ProtocolViolation("channel binding is not supported; use SCRAM-SHA-256")
        client_nonce = _attributes(bare).get("r", "")
        if not client_nonce:
            raise ProtocolViolation("malformed SCRAM message: no nonce")
        self._gs2_header = f"{flag},{authzid},"
        self._client_first_bare = bare
        self._nonce = client_nonce + base64.b64encode(secrets.token_bytes(18)).decode()
        salt, iterations = self._salt_and_iterations()
        self._server_first = f"r={self._nonce},s={base64.b64encode(salt).decode()},i={iterations}"
        return self._server_first.encode()

    def _salt_and_iterations(self) -> tuple[bytes, int]:
        if self.verifiers:
            return self.verifiers[0].salt, self.verifiers[0].iterations
        # An unknown user gets a stable fake salt, so probing does not reveal who exists.
        fake = hmac.digest(self.mock_secret, self.username.encode(), "sha256")[:16]
        return fake, _MOCK_ITERATIONS

    def server_final(self, client_final: bytes) -> tuple[Principal, bytes]:
        """The principal whose verifier matches the proof, and the server-final message.

        Raises AuthenticationFailed (28P01) when no verifier matches.
        """
        try:
            text = client_final.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ProtocolViolation("malformed SCRAM message") from error
        without_proof, _, proof_part = text.rpartition(",p=")
        attributes = _attributes(without_proof)
        expected_binding = base64.b64encode(self._gs2_header.encode()).decode()
        if attributes.get("r") != self._nonce or attributes.get("c") != expected_binding:
            raise ProtocolViolation("SCRAM nonce or channel binding mismatch")
        try:
            proof = base64.b64decode(proof_part, validate=True)
        except ValueError as error:
            raise ProtocolViolation("malformed SCRAM proof") from error
        auth_message = ",".join((self._client_first_bare, self._server_first, without_proof))
        message = auth_message.encode()
        # the token user may have thousands of candidates: XOR as integers, not bytewise
        proof_number = int.from_bytes(proof, "big")
        for verifier in self.verifiers if len(proof) == _KEY_BYTES else ():
            signature = hmac.digest(verifier.stored_key, message, "sha256")
            client_key = proof_number ^ int.from_bytes(signature, "big")
            stored_key = hashlib.sha256(client_key.to_bytes(_KEY_BYTES, "big")).digest()
            if hmac.compare_digest(stored_key, verifier.stored_key):
                server_signature = hmac.digest(verifier.server_key, message, "sha256")
                final = "v=" + base64.b64encode(server_signature).decode()
                return verifier.principal, final.encode()
        raise AuthenticationFailed(f'password authentication failed for user "{self.username}"')


def parse_sasl_initial_response(payload: bytes) -> tuple[str, bytes]:
    """(mechanism, client-first message) of a SASLInitialResponse."""
    end = payload.find(b"\x00")
    if end < 0 or len(payload) < end + 5:
        raise ProtocolViolation("malformed SASLInitialResponse")
    mechanism = payload[:end].decode("ascii", "replace")
    length = int.from_bytes(payload[end + 1 : end + 5], "big", signed=True)
    data = payload[end + 5 :]
    if length != len(data):
        raise ProtocolViolation("malformed SASLInitialResponse")
    return mechanism, data


def parse_password(payload: bytes) -> str:
    """The cleartext password of a PasswordMessage."""
    if not payload.endswith(b"\x00"):
        raise ProtocolViolation("malformed password message")
    return payload[:-1].decode("utf-8", "replace")
