"""Sphinx configuration: sphinx-build -W doc/source doc/build/html"""

project = 'Blazar'
copyright = 'Blazar developers'
# The option and policy references are generated from the code, so they
# cannot drift from it.
extensions = ['oslo_config.sphinxext', 'oslo_policy.sphinxext']
exclude_patterns = []
html_theme = 'alabaster'
