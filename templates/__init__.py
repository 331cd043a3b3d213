"""The report templates: ``survey_report.ipynb`` (run by papermill once per survey)
and ``html_report/`` (nbconvert's code-free HTML).  This folder sits at the top
of the project and is installed as the package data ``nps_toolkit.templates``."""
