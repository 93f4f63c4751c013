"""Sphinx configuration: sphinx-build -W doc/source doc/build/html"""

project = 'Blazar'
copyright = 'Blazar developers'
extensions = []
exclude_patterns = []
html_theme = 'alabaster'
