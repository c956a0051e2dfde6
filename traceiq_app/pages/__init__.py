"""Pages register themselves with `@rx.page`; importing this package imports every page module,
so adding a page is adding a file here (no shared list to edit).
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
