"""Parts that one room adds to another room's page, without the page's room importing it.

The file page (files) shows the signing panel and the signatures' reports (signing): signing
registers a part for the page 'file' when the app is built, and the file page asks for its parts
with the facts it has. A part returns a mapping its own templates read (as `part`), and names the
templates that fill the page's slots; it returns None to show nothing.
"""
from dataclasses import dataclass, field

_PARTS = {}  # page → [(name, build)]


@dataclass
class Part:
    """What one part shows on a page: its data, and the template that fills each slot it fills."""
    name: str
    data: dict
    slots: dict = field(default_factory=dict)  # slot → template name


@dataclass
class Parts:
    items: list

    def at(self, slot):
        """The parts filling `slot`, as (template, part) pairs."""
        return [(part.slots[slot], part) for part in self.items if slot in part.slots]

    def claims_error(self):
        """A part that shows the page's error message itself (beside the form it concerns)."""
        return any(part.data.get('shows_error') for part in self.items)


def add(page, name, build):
    """Register `build(**facts) -> Part | None` for `page` (idempotent per name)."""
    parts = _PARTS.setdefault(page, [])
    if all(existing != name for existing, _build in parts):
        parts.append((name, build))


def build(page, **facts):
    """Every registered part of `page`, built from the page's facts."""
    built = [make(**facts) for _name, make in _PARTS.get(page, [])]
    return Parts([part for part in built if part is not None])
