"""Sphinx configuration of Trio2o's documentation (``tox -e docs``)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '_ext'))

project = 'Trio2o'
copyright = 'Trio2o developers'
extensions = [
    'myst_parser',
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
    'reno.sphinxext',
    'trio2o_routes',
]
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
exclude_patterns = ['examples', '_ext', 'build']
myst_heading_anchors = 3
html_theme = 'alabaster'
html_static_path: list[str] = []
