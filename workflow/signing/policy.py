"""Who may manage or see signing material: the one place these rules are written."""


def can_manage_keys(actor):
    """Issue, import, register and revoke certificates; unit seals; trust anchors."""
    return actor.is_admin


def can_set_signature_image(actor, user):
    return actor.is_admin or actor.id == user.id


def can_see_signature_image(actor, user):
    return can_set_signature_image(actor, user)


def can_see_seal(actor, unit):
    """Admins, and the unit's own clerks and leaders (who apply or sign under it)."""
    return actor.is_admin or (actor.unit_id == unit.id and (actor.has_role('clerk') or actor.has_role('leader')))
