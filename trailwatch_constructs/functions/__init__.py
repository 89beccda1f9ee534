"""Lambda function handlers that constructs deploy, one folder per function, one ``index.py`` each.

``log_group_lookup`` imports nothing of trailwatch: its folder is the function's whole asset.
``alert_enricher`` re-checks events with the filter-pattern engine and renders with the catalogue's
texts, so its asset is the package without the CDK layers (``constructs/``, ``cli/``, ``aws/``,
``testing.py``); neither handler ever loads the CDK.
"""
