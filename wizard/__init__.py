"""imgwizard's pure core: answers, decision tree, knowledge tables, validation, rendering.

This package never imports textual, questionary, prompt_toolkit or rich (see tests/test_import_hygiene.py).
"""

__version__ = "0.1.0"
