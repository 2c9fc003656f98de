"""The stylesheets, split by area, say each rule once.

A selector styled in two places (in the same media context) makes the second silently win
over the first, and the next edit lands in the wrong one. The pages load every area's
stylesheet in the order of templates/includes/stylesheets.html, which is checked too.
"""

import re
from collections import defaultdict
from pathlib import Path

import tinycss2
from django.conf import settings

CSS_DIR = Path(settings.BASE_DIR) / "static" / "css"
AREAS = ["base", "forms", "catalog", "workspace", "orders", "regulator"]


def _rules(nodes, context=""):
    """(media context, selector text, declarations) for every qualified rule."""
    for node in nodes:
        if node.type == "qualified-rule":
            selector = " ".join(tinycss2.serialize(node.prelude).split())
            declarations = tinycss2.parse_declaration_list(
                node.content, skip_comments=True, skip_whitespace=True
            )
            yield (
                context,
                selector,
                [
                    (d.lower_name, " ".join(tinycss2.serialize(d.value).split()))
                    for d in declarations
                    if d.type == "declaration"
                ],
            )
        elif node.type == "at-rule" and node.content is not None:
            inner = f"{context}@{node.lower_at_keyword} {tinycss2.serialize(node.prelude).strip()}"
            yield from _rules(tinycss2.parse_blocks_contents(node.content), inner)


def _all_rules():
    for area in AREAS:
        text = (CSS_DIR / f"{area}.css").read_text()
        nodes = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
        for context, selector, declarations in _rules(nodes):
            yield area, context, selector, declarations


def test_the_pages_load_every_area_in_cascade_order():
    include = (Path(settings.BASE_DIR) / "templates/includes/stylesheets.html").read_text()
    assert re.findall(r"css/(\w+)\.css", include) == AREAS
    assert sorted(p.stem for p in CSS_DIR.glob("*.css")) == sorted(AREAS)


def test_no_selector_has_two_rules_of_its_own_in_the_same_media_context():
    """A selector may share a grouped rule (``h1, h2 {}``) and have one of its own."""
    seen = defaultdict(list)
    for area, context, selector, _ in _all_rules():
        if "," not in selector:
            seen[(context, selector)].append(area)
    repeated = {key: areas for key, areas in seen.items() if len(areas) > 1}
    assert repeated == {}


def test_no_block_of_declarations_is_written_twice():
    blocks = defaultdict(list)
    for area, context, selector, declarations in _all_rules():
        if len(declarations) > 1:
            blocks[(context, tuple(sorted(declarations)))].append(f"{area}: {selector}")
    repeated = {key: where for key, where in blocks.items() if len(where) > 1}
    assert repeated == {}
