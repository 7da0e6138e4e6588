"""Background work: bulk signing, deadline reminders, archive timestamps.

Production runs the jobs on RQ (Redis, `REDIS_URL`) with `flask --app wsgi worker`; the embedded
mode (no REDIS_URL) runs the very same task functions on a background thread inside the web
process. Either way a JobRun row carries the progress the page polls.
"""
