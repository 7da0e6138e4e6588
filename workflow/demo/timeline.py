"""A small discrete-event scheduler, so that the demo history happens in the order of its dates.

Each story is a generator: the code between two `yield`s runs as one moment (under
`timeutil.clock_at`), and the generator yields the moment it wants to continue at. Steps from all
stories run in date order, so register numbers follow the dates they were given, timelines are
coherent, and a story whose next step falls after the horizon simply stops there — which is how
recent files end up open.
"""
import heapq
from datetime import datetime, time, timedelta

from ..deadlines import is_working_day
from ..timeutil import VN, clock_at, now

OFFICE_OPENS, OFFICE_CLOSES = time(7, 30), time(17, 0)


class Timeline:
    def __init__(self, horizon):
        self.horizon = horizon
        self._queue = []
        self._counter = 0
        self.cut = 0  # stories stopped by the horizon

    def start(self, story, at):
        """Schedule a story (a generator) to begin at `at`."""
        self._push(at, story)

    def _push(self, at, story):
        self._counter += 1
        heapq.heappush(self._queue, (at, self._counter, story))

    def run(self):
        while self._queue:
            at, _n, story = heapq.heappop(self._queue)
            if at > self.horizon:
                self.cut += 1
                story.close()
                continue
            with clock_at(at):
                try:
                    following = next(story)
                except StopIteration:
                    continue
            self._push(max(following, at), story)


def office_moment(day, rng):
    """A moment during office hours on `day` (a date), in Vietnam."""
    minutes = rng.randrange(0, (17 * 60) - (7 * 60 + 30) - 20)
    start = datetime.combine(day, OFFICE_OPENS, tzinfo=VN)
    return start + timedelta(minutes=minutes)


def next_working_day(day):
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def later(rng, *, min_hours=0.5, max_hours=8.0, start=None):
    """A moment some office hours after `start` (default: now), skipping nights, weekends and holidays."""
    moment = (start or now()).astimezone(VN)
    left = timedelta(hours=rng.uniform(min_hours, max_hours))
    while True:
        day = moment.date()
        if not is_working_day(day) or moment.time() >= OFFICE_CLOSES:
            moment = datetime.combine(next_working_day(day), OFFICE_OPENS, tzinfo=VN)
            continue
        if moment.time() < OFFICE_OPENS:
            moment = datetime.combine(day, OFFICE_OPENS, tzinfo=VN)
        closes = datetime.combine(day, OFFICE_CLOSES, tzinfo=VN)
        if moment + left <= closes:
            return moment + left
        left -= closes - moment
        moment = closes
