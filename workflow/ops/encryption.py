"""The backup archive's encryption: a passphrase stretched with scrypt, the stream sealed with
AES-256-GCM in chunks.

File layout: HEADER, then chunks, each `final flag (1 byte) | length (4 bytes) | ciphertext+tag`.
HEADER = MAGIC | salt (16) | log2(N), r, p (1 byte each) | check (32).

- The key is scrypt(passphrase, salt) (N = 2^17, r = 8: 128 MiB and about half a second a guess);
  the salt is new for every archive, so every archive has its own key and the chunk number can be
  the GCM nonce.
- `check` is SHA-256 of a second half of the scrypt output: a wrong passphrase is told apart from
  a damaged archive without decrypting anything (and costs a guesser no less than the tag would).
- Each chunk's associated data is the header, its number and its final flag: chunks cannot be
  reordered, dropped, moved between archives, or the archive cut short without detection.

The passphrase itself is never written anywhere.
"""
import hashlib
import hmac
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b'WORKFLOW-BACKUP\x00\x01'
CHUNK = 1024 * 1024
LOG2_N, R, P = 17, 8, 1
_HEADER = struct.Struct(f'>{len(MAGIC)}s16sBBB32s')
_FRAME = struct.Struct('>BI')
MIN_PASSPHRASE = 12


class DecryptionError(ValueError):
    """The archive cannot be opened with this passphrase, or it was changed or cut short."""


def _derive(passphrase, salt, log2_n, r, p):
    if not 10 <= log2_n <= 22 or not 1 <= r <= 32 or not 1 <= p <= 16:
        raise DecryptionError('the archive header asks for unreasonable scrypt parameters')
    material = Scrypt(salt=salt, length=64, n=2 ** log2_n, r=r, p=p).derive(passphrase.encode())
    return material[:32], hashlib.sha256(material[32:]).digest()


def _aad(header, index, final):
    return header + struct.pack('>QB', index, final)


def _nonce(index):
    return index.to_bytes(12, 'big')


class EncryptingWriter:
    """A write-only file object (enough for `tarfile.open(mode='w|gz')`) that seals what it is
    given into `out`. Call `finish()` once at the end: it writes the final chunk."""

    def __init__(self, out, passphrase):
        salt = os.urandom(16)
        key, check = _derive(passphrase, salt, LOG2_N, R, P)
        self.header = _HEADER.pack(MAGIC, salt, LOG2_N, R, P, check)
        self.out, self.aead, self.index, self.buffer = out, AESGCM(key), 0, bytearray()
        out.write(self.header)

    def write(self, data):
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._seal(bytes(self.buffer[:CHUNK]), final=0)
            del self.buffer[:CHUNK]
        return len(data)

    def flush(self):
        self.out.flush()

    def finish(self):
        self._seal(bytes(self.buffer), final=1)
        self.buffer = bytearray()
        self.out.flush()

    def _seal(self, plain, *, final):
        sealed = self.aead.encrypt(_nonce(self.index), plain, _aad(self.header, self.index, final))
        self.out.write(_FRAME.pack(final, len(sealed)) + sealed)
        self.index += 1


def is_encrypted(path):
    with open(path, 'rb') as source:
        return source.read(len(MAGIC)) == MAGIC


def decrypt(source, passphrase, out):
    """Open the sealed stream `source` into the file object `out`; DecryptionError if the passphrase
    is wrong or anything in the archive was changed, reordered or cut off."""
    header = source.read(_HEADER.size)
    if len(header) != _HEADER.size or not header.startswith(MAGIC):
        raise DecryptionError('not an encrypted backup archive')
    _magic, salt, log2_n, r, p, check = _HEADER.unpack(header)
    key, expected = _derive(passphrase, salt, log2_n, r, p)
    if not hmac.compare_digest(check, expected):
        raise DecryptionError('wrong passphrase (BACKUP_PASSPHRASE) for this archive')
    aead, index = AESGCM(key), 0
    while True:
        frame = source.read(_FRAME.size)
        if len(frame) != _FRAME.size:
            raise DecryptionError('the archive is cut short')
        final, length = _FRAME.unpack(frame)
        if final not in (0, 1) or length > CHUNK + 16:
            raise DecryptionError('the archive is damaged')
        sealed = source.read(length)
        try:
            out.write(aead.decrypt(_nonce(index), sealed, _aad(header, index, final)))
        except InvalidTag:
            raise DecryptionError(f'the archive was changed or damaged (chunk {index})') from None
        index += 1
        if final:
            break
    if source.read(1):
        raise DecryptionError('the archive has data after its end')
