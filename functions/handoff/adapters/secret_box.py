"""Secrets Handoff must be able to read back (webhook signing secrets), encrypted with KMS.

API keys are different: they are only ever compared, so they are stored as hashes.
"""

from __future__ import annotations

import base64
from functools import cache
from typing import TYPE_CHECKING

from handoff.config import secrets_settings

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient


class SecretBox:
    def __init__(self, client: KMSClient, key_id: str):
        self._kms = client
        self._key_id = key_id

    def seal(self, secret: str, context: dict[str, str]) -> str:
        """Ciphertext (base64) bound to `context`, e.g. {"partner_id": ...}: it decrypts under no other."""
        blob = self._kms.encrypt(KeyId=self._key_id, Plaintext=secret.encode(), EncryptionContext=context)
        return base64.b64encode(blob["CiphertextBlob"]).decode()

    def open(self, sealed: str, context: dict[str, str]) -> str:
        plain = self._kms.decrypt(CiphertextBlob=base64.b64decode(sealed), EncryptionContext=context)
        return plain["Plaintext"].decode()


@cache
def secret_box() -> SecretBox:
    from handoff.adapters.aws import kms

    return SecretBox(kms(), secrets_settings().secrets_key_id)
