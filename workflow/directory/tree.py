"""The administrative tree as plain data: which units sit below which."""
from collections import defaultdict


def subtree(units, root_id):
    """`root_id` and the ids of every unit below it; `units` maps ids to objects with a `parent_id`."""
    children = defaultdict(list)
    for unit_id, unit in units.items():
        children[unit.parent_id].append(unit_id)
    found, stack = set(), [root_id]
    while stack:
        unit_id = stack.pop()
        if unit_id in found:
            continue
        found.add(unit_id)
        stack.extend(children.get(unit_id, ()))
    return found
