"""Development-only tools: the native stack runner (`make dev`) and the pytest plugin.

Never installed in a service image: services import only `quest_common`.
"""
