"""FinOps analyses over FOCUS data and the self-contained HTML cost report.

``load`` finds a dataset's files and streams the needed columns; ``summary`` groups the rows
once with exact sums; ``analysis`` holds the pure analyses over that summary; ``model`` their
results; ``compliance`` the validator verdict and caveats; ``build`` puts them together;
``render`` turns a report into HTML (``templates/report.html.j2``) or JSON.
"""
