"""Pages register themselves with `@rx.page`; importing this package imports every page module
(domain sub-packages included), so adding a page is adding a file here (no shared list to edit).
"""

import importlib
import pkgutil

for _module in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
    importlib.import_module(_module.name)
