"""What sellers announce to the apps above it (which it must not import).

``cooperative_identity_changed`` is sent inside the transaction that changed a
cooperative's identity (``fields``: the names that changed), so a receiver's writes
commit or roll back with it: the listing policy judges the cooperative's listings again
when its country changes.
"""

from django.dispatch import Signal

cooperative_identity_changed = Signal()  # cooperative, actor, fields
