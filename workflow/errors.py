"""Domain errors carry a stable code, an HTTP status and a message in the user's language."""


class DomainError(Exception):
    """`keep_changes` marks an error whose bookkeeping must still be committed (a wrong-PIN count,
    a "signing failed" state), although the action itself did not happen."""
    status = 400
    code = 'invalid'
    keep_changes = False

    def __init__(self, message, *, code=None, status=None, keep_changes=None):
        super().__init__(message)
        self.message = str(message)
        if keep_changes is not None:
            self.keep_changes = keep_changes
        if code:
            self.code = code
        if status:
            self.status = status


class NotAllowed(DomainError):
    status = 403
    code = 'forbidden'


class NotFound(DomainError):
    status = 404
    code = 'not_found'


class Conflict(DomainError):
    status = 409
    code = 'conflict'


class BadInput(DomainError):
    status = 400
    code = 'invalid'
