"""Files only the service's own account may read: the SQLite database, the secret key, stored blobs,
keys and backups are created 0600 in folders created 0700, whatever the process's umask."""
import os
from pathlib import Path

FILE_MODE, DIR_MODE = 0o600, 0o700


def private_dir(path):
    """Create `path` and any missing parent 0700 (existing folders are left as they are)."""
    path = missing_part = Path(path)
    missing = []
    while not missing_part.exists():
        missing.append(missing_part)
        missing_part = missing_part.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(folder, DIR_MODE)  # mkdir's mode passes through the umask
    return path


def open_private(path, *, exclusive=True):
    """A new file at `path` opened for binary writing, created 0600; never follows a symbolic link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | (os.O_EXCL if exclusive else 0)
    fd = os.open(path, flags, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # also when an existing file was truncated (exclusive=False)
    return os.fdopen(fd, 'wb')


def tighten(path):
    """Make an existing file 0600 if its group or others may read it; True if it was changed."""
    try:
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        return False
    if mode & 0o077:
        os.chmod(path, FILE_MODE)
        return True
    return False
