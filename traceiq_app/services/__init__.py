"""Domain logic and ALL database access, one sub-package per domain (see docs/architecture.md).

Layers above (api/, state/, pages/, jobs/, cli/) call these functions; they never open a database
session themselves. `platform` is the base every domain may use; domains call each other only as
each package docstring allows."""
