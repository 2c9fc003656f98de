"""What the catalog announces to the apps above it (which it must not import).

``category_tree_changed`` is sent inside the transaction that moved a branch of the
category tree (``category``: the moved node): the listing policy judges the catalog
again at once, since rules cover categories by their place in the tree.
"""

from django.dispatch import Signal

category_tree_changed = Signal()  # category
