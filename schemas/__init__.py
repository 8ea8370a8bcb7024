"""JSON Schemas shipped with focus-ionos (FOCUS 1.3 columns; IONOS API payloads).

In the repository this folder is ``schemas/``; installed, it is the package
``focus_ionos_plugin.schemas``. Read files with :func:`importlib.resources.files`.
"""
