"""Domain errors carry a stable code, an HTTP status and a message in the user's language."""


class DomainError(Exception):
    status = 400
    code = 'invalid'

    def __init__(self, message, *, code=None, status=None):
        super().__init__(message)
        self.message = str(message)
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
