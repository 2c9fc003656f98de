from catalog.models import Category


def top_categories():
    return Category.get_root_nodes()
