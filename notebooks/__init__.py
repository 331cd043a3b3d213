"""The notebooks researchers start from, installed as ``nps_toolkit.notebooks``.

``nps-toolkit explore`` copies ``explore_survey.ipynb`` from here, so an
installed wheel has it too.
"""
