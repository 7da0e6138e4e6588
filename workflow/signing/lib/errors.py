"""Errors raised by the signing library.

Each error carries a stable ``code`` that the app maps to a message in the
user's language; the English text here is for logs only.
"""


class SigningError(Exception):
    code = 'signing_error'
    status = 400

    def __init__(self, message='', *, code=None):
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = str(message or self.__class__.__doc__ or self.code)
        if code:
            self.code = code


class WrongPin(SigningError):
    """The PIN does not open this key."""

    code = 'wrong_pin'


class InvalidCredential(SigningError):
    """The key file is not a usable PKCS#12 with a private key and certificate."""

    code = 'invalid_credential'


class TokenError(SigningError):
    """The PKCS#11 token or its key could not be used."""

    code = 'token_error'


class TimestampUnavailable(SigningError):
    """The timestamp authority could not be reached; nothing was signed."""

    code = 'timestamp_unavailable'
    status = 503


class NotAPdf(SigningError):
    """The input is not a readable, unencrypted PDF."""

    code = 'not_a_pdf'


class PlacementNotFound(SigningError):
    """The signer's title was not found on the page, so the stamp cannot be placed."""

    code = 'placement_not_found'


class FieldNotFound(SigningError):
    """The document has no form field of that name to fill."""

    code = 'field_not_found'


class PkiNotInitialised(SigningError):
    """The local PKI has not been created in this key directory."""

    code = 'pki_not_initialised'
    status = 500
